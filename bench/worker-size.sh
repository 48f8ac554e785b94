#!/usr/bin/env bash
# Each Worker's size (the wasm and its JS glue, raw and gzip -9: the upload limit counts the
# compressed size) and the first request after start: a fresh local stack, then one request per
# capability Worker, timed with curl; the second request shows the warm figure beside it.
# Usage: bash bench/worker-size.sh   (builds first; uses ports 8877/8878)
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
bash scripts/build.sh >/dev/null
printf '%-10s %10s %10s\n' worker raw_KB gzip_KB
for w in $WORKERS; do
  d="functions/$w/build"
  printf '%-10s %10d %10d\n' "$w" $(( $(cat "$d"/*.wasm "$d"/*.js | wc -c) / 1024 )) $(( $(cat "$d"/*.wasm "$d"/*.js | gzip -9 | wc -c) / 1024 ))
done
state="$(mktemp -d "${TMPDIR:-/tmp}/portal-size.XXXXXX")"
trap 'bash scripts/stack.sh stop "$state"; rm -rf "$state"' EXIT
bash scripts/stack.sh start "$state" 8877 8878
printf '\n%-34s %12s %12s\n' 'first request after start' first_ms second_ms
for path in /api/auth/me /api/company/company /api/finance/credit /api/orders/orders /api/documents/documents /api/returns/returns /exchange/v1/monitor; do
  t1=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:8877$path")
  t2=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:8877$path")
  awk -v p="GET $path (401)" -v a="$t1" -v b="$t2" 'BEGIN { printf "%-34s %12.1f %12.1f\n", p, a * 1000, b * 1000 }'
done
