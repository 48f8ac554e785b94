#!/usr/bin/env bash
# Each Worker's size (the wasm and its JS glue, raw and gzip -9: the upload limit counts the
# compressed size), its largest items by `twiggy` (when installed: `cargo install twiggy --locked`;
# it reads the named copy scripts/build.sh keeps in target/worker-names/), and the first request
# after start: a fresh local stack, then one request per capability Worker, timed with curl; the
# second request shows the warm figure beside it. ROUNDS fresh stacks (default 3), median shown.
# Usage: bash bench/worker-size.sh   (builds first; uses ports 8877/8878; TOP=25 items per Worker)
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
bash scripts/build.sh >/dev/null
printf '%-10s %10s %10s\n' worker raw_KB gzip_KB
for w in gateway $CAPABILITIES; do
  d="functions/$w/build"
  printf '%-10s %10d %10d\n' "$w" $(( $(cat "$d"/*.wasm "$d"/*.js | wc -c) / 1024 )) $(( $(cat "$d"/*.wasm "$d"/*.js | gzip -9 | wc -c) / 1024 ))
done
if [ "${TOP:-25}" != 0 ] && command -v twiggy >/dev/null; then
  for w in gateway $CAPABILITIES; do
    printf '\ntwiggy top %s (named module, before the names are stripped)\n' "$w"
    twiggy top -n "${TOP:-25}" "target/worker-names/$w.wasm"
  done
fi
paths="/api/auth/me /api/company/company /api/finance/credit /api/orders/orders /api/documents/documents /api/returns/returns /exchange/v1/monitor"
times="$(mktemp)"
for round in $(seq 1 "${ROUNDS:-3}"); do
  state="$(mktemp -d "${TMPDIR:-/tmp}/portal-size.XXXXXX")"
  trap 'if [ -d "$state" ]; then bash scripts/stack.sh stop "$state"; fi; rm -rf "$state" "$times"' EXIT
  bash scripts/stack.sh start "$state" 8877 8878 >/dev/null
  for path in $paths; do
    t1=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:8877$path")
    t2=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:8877$path")
    echo "$path $t1 $t2" >> "$times"
  done
  bash scripts/stack.sh stop "$state"; rm -rf "$state"
done
printf '\n%-34s %12s %12s   (median of %s fresh stacks)\n' 'first request after start' first_ms second_ms "${ROUNDS:-3}"
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] * 1000 }'; }
for path in $paths; do
  printf '%-34s %12s %12s\n' "GET $path (401)" \
    "$(awk -v p="$path" '$1 == p { print $2 }' "$times" | median)" \
    "$(awk -v p="$path" '$1 == p { print $3 }' "$times" | median)"
done
