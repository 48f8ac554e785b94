#!/usr/bin/env bash
# Restore drill for D1: export a local database (a `make dev` or test stack's state directory)
# with `wrangler d1 export`, import the dump into a fresh local database, and compare the row
# count of every table. Production restores use D1 Time Travel (docs/operations.md); this drill
# proves the export path, the one that works without a Cloudflare account.
# Usage: scripts/d1-restore-drill.sh STATE_DIR
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
state="$(cd "$1" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/d1-drill.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# `d1 export --local` reads the project's .wrangler/state: give it one pointing at STATE_DIR.
mkdir -p "$work/src/.wrangler" "$work/fresh"
ln -s "$state" "$work/src/.wrangler/state"
sed -e "s#\.\./\.\./d1-migrations#$ROOT/d1-migrations#" functions/auth/wrangler.toml > "$work/src/wrangler.toml"
started=$(date +%s%N)
npx wrangler d1 export portal --local --output "$work/dump.sql" -c "$work/src/wrangler.toml" --cwd "$work/src" >"$work/export.log" 2>&1 \
  || { cat "$work/export.log"; exit 1; }
exported=$(date +%s%N)
npx wrangler d1 execute portal --local --persist-to "$work/fresh" --file "$work/dump.sql" -y -c "$work/src/wrangler.toml" >"$work/import.log" 2>&1 \
  || { tail -20 "$work/import.log"; exit 1; }
imported=$(date +%s%N)
db() { find "$1/v3/d1" -name '*.sqlite' ! -name metadata.sqlite -size +0 | head -1; }
src_db="$(db "$state")"; new_db="$(db "$work/fresh")"
printf 'dump: %s bytes; export %d ms, import %d ms\n' "$(stat -c %s "$work/dump.sql")" $(( (exported - started) / 1000000 )) $(( (imported - exported) / 1000000 ))
status=0
printf '%-28s %12s %12s\n' table source restored
for t in $(sqlite3 "$src_db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name"); do
  a=$(sqlite3 "$src_db" "SELECT count(*) FROM \"$t\""); b=$(sqlite3 "$new_db" "SELECT count(*) FROM \"$t\"" 2>/dev/null || echo missing)
  mark=""; if [ "$a" != "$b" ]; then mark="  <-- differs"; status=1; fi
  printf '%-28s %12s %12s%s\n' "$t" "$a" "$b" "$mark"
done
[ "$status" = 0 ] && echo "restore drill: every table has the same row count" || echo "restore drill: FAILED" >&2
exit "$status"
