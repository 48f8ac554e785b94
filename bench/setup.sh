#!/usr/bin/env bash
# Installs what the load benchmarks need beyond the project's own set-up (not part of `make test`):
# wrk, the HTTP load generator bench/latency.mjs drives, and the sqlite3 CLI the data set
# generator (bench/lib/dataset.mjs) writes the local D1 file with. Debian packages; root for apt.
set -euo pipefail
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v sqlite3 >/dev/null || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  $sudo_cmd apt-get install -y -q "${need[@]}"
fi
wrk --version 2>&1 | head -1 || true
sqlite3 --version
