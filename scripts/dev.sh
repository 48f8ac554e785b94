#!/usr/bin/env bash
# The portal locally with demo data: installs what is missing, builds, applies migrations,
# starts wrangler dev and the 1C simulator, loads demo data through the exchange, prints the
# sign-ins, and runs until Ctrl-C.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
state="$ROOT/.wrangler/state"
# RUNTIME=native: the self-hosted runtime (functions/server) instead of wrangler dev, with its own
# database and files (docs/operations.md).
if [ "${RUNTIME:-workers}" = native ]; then state="$ROOT/.native-state"; fi
port="${PORTAL_PORT:-8787}"; sim_port="${SIM_PORT:-8788}"
bash scripts/stack.sh stop "$state"
# The demo's message ids stay the same when its content changes, so an old local database would
# answer the new demo "duplicate" and keep showing the old one: start empty when the simulator or
# the schema changed since the demo was loaded.
demo_version="$(find tools/onec-sim/src d1-migrations -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)"
if [ -d "$state" ] && [ "$(cat "$state/demo-version" 2>/dev/null)" != "$demo_version" ]; then
  log "the demo data or the schema changed since the last run: starting from an empty local database"
  rm -rf "$state"
fi
trap 'bash scripts/stack.sh stop "$state"' EXIT INT TERM
log "starting the stack on http://127.0.0.1:$port"
bash scripts/stack.sh start "$state" "$port" "$sim_port"
log "loading demo data through the 1C exchange"
MAILBOX_URL="http://127.0.0.1:$sim_port" target/release/onec-sim seed --portal "http://127.0.0.1:$port" --products "${DEMO_PRODUCTS:-5000}"
echo "$demo_version" > "$state/demo-version"
log "portal: http://127.0.0.1:$port   (logs: $state/wrangler.log; Ctrl-C stops)"
pid="$(cat "$state/wrangler.pid")"
while kill -0 "$pid" 2>/dev/null; do sleep 2; done
