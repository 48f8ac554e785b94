#!/usr/bin/env bash
# Restore drill for the self-hosted runtime: an online backup of a running native stack's
# database (`portal-server backup`, SQLite's backup API), restored as a fresh server's database:
# every table's row count compared, SQLite's integrity check, and the restored server answering.
# Usage: scripts/native-restore-drill.sh STATE_DIR   (a stack started with RUNTIME=native)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
state="$(cd "$1" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/native-drill.XXXXXX")"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
started=$(date +%s%N)
PORTAL_ENV_FILE="$state/native.env" target/debug/portal-server backup "$work/backup.sqlite3"
backed=$(date +%s%N)
# The restore: the backup becomes the database of a new server (its own port, files, no WAL).
mkdir -p "$work/restored"
cp "$work/backup.sqlite3" "$work/restored/portal.sqlite3"
port=$(( 20000 + RANDOM % 20000 ))
grep -v -e '^BIND=' -e '^DATABASE_PATH=' -e '^BLOB_DIR=' "$state/native.env" > "$work/native.env"
{ echo "BIND=127.0.0.1:$port"; echo "DATABASE_PATH=$work/restored/portal.sqlite3"; echo "BLOB_DIR=$work/restored/blobs"; } >> "$work/native.env"
PORTAL_ENV_FILE="$work/native.env" target/debug/portal-server >"$work/server.log" 2>&1 &
pid=$!
printf 'backup: %s bytes in %d ms\n' "$(stat -c %s "$work/backup.sqlite3")" $(( (backed - started) / 1000000 ))
status=0
[ "$(sqlite3 "$work/backup.sqlite3" 'PRAGMA integrity_check')" = ok ] || { echo "integrity check failed" >&2; status=1; }
src_db="$state/portal.sqlite3"
printf '%-28s %12s %12s\n' table live restored
for t in $(sqlite3 "$work/backup.sqlite3" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"); do
  a=$(sqlite3 "file:$src_db?mode=ro" "SELECT count(*) FROM \"$t\""); b=$(sqlite3 "$work/restored/portal.sqlite3" "SELECT count(*) FROM \"$t\"" 2>/dev/null || echo missing)
  mark=""; if [ "$a" != "$b" ]; then mark="  <-- differs"; status=1; fi
  printf '%-28s %12s %12s%s\n' "$t" "$a" "$b" "$mark"
done
answered=""
for _ in $(seq 1 60); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/auth/me" || true)
  if [ "$code" = 401 ]; then answered=1; break; fi
  sleep 0.5
done
[ -n "$answered" ] || { echo "the restored server did not answer; its log:" >&2; tail -5 "$work/server.log" >&2; status=1; }
grep -q '"migrations_applied":\[\]' "$work/server.log" || { echo "the restored database was not current: the server applied migrations" >&2; status=1; }
[ "$status" = 0 ] && echo "restore drill: every table has the same row count; the restored server answers" || echo "restore drill: FAILED" >&2
exit "$status"
