#!/usr/bin/env bash
# The portal locally with demo data: installs what is missing, builds, applies migrations,
# starts wrangler dev and the 1C simulator, loads demo data through the exchange, prints the
# sign-ins, and runs until Ctrl-C.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
state="$ROOT/.wrangler/state"
port="${PORTAL_PORT:-8787}"; sim_port="${SIM_PORT:-8788}"
bash scripts/stack.sh stop "$state"
trap 'bash scripts/stack.sh stop "$state"' EXIT INT TERM
log "starting the stack on http://127.0.0.1:$port"
bash scripts/stack.sh start "$state" "$port" "$sim_port"
log "loading demo data through the 1C exchange"
MAILBOX_URL="http://127.0.0.1:$sim_port" target/release/onec-sim seed --portal "http://127.0.0.1:$port" --products "${DEMO_PRODUCTS:-5000}"
log "portal: http://127.0.0.1:$port   (logs: $state/wrangler.log; Ctrl-C stops)"
pid="$(cat "$state/wrangler.pid")"
while kill -0 "$pid" 2>/dev/null; do sleep 2; done
