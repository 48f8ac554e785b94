#!/usr/bin/env bash
# Every test: native unit and flow tests (shared/, the simulator), then HTTP integration tests and
# browser tests against a fresh local stack (wrangler dev: real workerd, D1, R2, Queues; the 1C
# simulator over real HTTP). Exits non-zero on any failure; ends with node's test summary.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh --browser

log "the 1C reference module: its vectors are current and its BSL well formed"
python3 docs/exchange/1c/make_vectors.py --check
python3 docs/exchange/1c/check_bsl.py

log "native tests (cargo test)"
# The simulator first: tests serialise its generated orders.
cargo build -q --release -p onec-sim
cargo test -q -p shared -p onec-sim -p cml -p portal-gateway -p portal-server

bash scripts/build.sh

# A fresh stack on its own ports, so a running `make dev` is untouched. Small sign-in limits
# make the throttling tests short; the IP limit is per fake client address, one per test. A
# short outgoing-call timeout keeps the stuck-1C test short (production: 15 s).
export PORTAL_PORT="${TEST_PORTAL_PORT:-8797}" SIM_PORT="${TEST_SIM_PORT:-8798}"
export PORTAL_URL="http://127.0.0.1:$PORTAL_PORT" SIM_URL="http://127.0.0.1:$SIM_PORT"
export THROTTLE_ACCOUNT_MAX=3 THROTTLE_IP_MAX=8 THROTTLE_ACCOUNT_TOTAL_MAX=6
export OUTBOUND_TIMEOUT_SECS=5
export STACK_VARS="THROTTLE_ACCOUNT_MAX=$THROTTLE_ACCOUNT_MAX THROTTLE_IP_MAX=$THROTTLE_IP_MAX THROTTLE_ACCOUNT_TOTAL_MAX=$THROTTLE_ACCOUNT_TOTAL_MAX OUTBOUND_TIMEOUT_SECS=$OUTBOUND_TIMEOUT_SECS"
state="$(mktemp -d "${TMPDIR:-/tmp}/portal-test.XXXXXX")"
# Tests that read the local D1's files (no token may be stored) find them here.
export STACK_STATE="$state"
trap 'bash scripts/stack.sh stop "$state"; if [ "${KEEP_STATE:-}" != 1 ]; then rm -rf "$state"; fi' EXIT
log "starting the test stack on $PORTAL_URL (state: $state)"
bash scripts/stack.sh start "$state" "$PORTAL_PORT" "$SIM_PORT"

log "integration and browser tests (node --test)"
status=0
# Tests that start a stack of their own (they run 'scripts/stack.sh') run afterwards, one at a time:
# a second `wrangler dev` starting or stopping can make the running one reload its Workers, and a
# request in flight then fails with "Your worker restarted mid-request".
mapfile -t all < <(ls tests/api/*.test.mjs tests/browser/*.test.mjs tests/resilience/*.test.mjs)
mapfile -t own < <(grep -lE "scripts/stack\.sh['\`]" "${all[@]}")
mapfile -t shared < <(printf '%s\n' "${all[@]}" | grep -vxF -f <(printf '%s\n' "${own[@]}"))
node --test --test-concurrency=4 --test-timeout=300000 "${shared[@]}" || status=$?
# Every change the simulated 1C received from the shared-stack tests matches its schema
# (docs/exchange/schemas/changes/); lists each invalid change and each type without a schema.
log "the changes 1C received match the contract's schemas"
node scripts/validate-changes.mjs || status=$?
log "tests with a stack of their own: ${own[*]}"
node --test --test-concurrency=1 --test-timeout=300000 "${own[@]}" || status=$?
if [ "$status" != 0 ]; then
  log "failed; the last lines of the Workers' log:"
  tail -40 "$state/wrangler.log" >&2
fi

# The same HTTP suite against the self-hosted runtime (functions/server: SQLite, a blob folder,
# in-process queues) on a fresh state; the browser suite runs against the Workers only.
bash scripts/stack.sh stop "$state"
native="$(mktemp -d "${TMPDIR:-/tmp}/portal-native.XXXXXX")"
trap 'bash scripts/stack.sh stop "$state"; bash scripts/stack.sh stop "$native"; if [ "${KEEP_STATE:-}" != 1 ]; then rm -rf "$state" "$native"; fi' EXIT
export RUNTIME=native STACK_STATE="$native"
# As a supplier in Russia would run it: files in S3-compatible storage and mail over SMTP, played
# by local fakes that check every signature and decode every message (tests/lib/fake-s3.mjs,
# fake-smtp.mjs); the folder store and HTTP mail have their Rust tests.
S3_PORT="${TEST_S3_PORT:-8799}" SMTP_PORT="${TEST_SMTP_PORT:-8800}"
export STACK_VARS="$STACK_VARS BLOB_BACKEND=s3 S3_ENDPOINT=http://127.0.0.1:$S3_PORT S3_BUCKET=portal S3_REGION=ru-central1 S3_ACCESS_KEY_ID=test-key S3_SECRET_ACCESS_KEY=test-secret SMTP_HOST=127.0.0.1 SMTP_PORT=$SMTP_PORT SMTP_TLS=none SMTP_FROM=portal@agro.demo"
log "starting the self-hosted runtime on $PORTAL_URL (state: $native; S3 on $S3_PORT, SMTP on $SMTP_PORT)"
bash scripts/stack.sh start "$native" "$PORTAL_PORT" "$SIM_PORT"
mapfile -t api < <(printf '%s\n' "${shared[@]}" | grep '^tests/api/')
log "HTTP tests against the self-hosted runtime: ${#api[@]} files"
node --test --test-concurrency=4 --test-timeout=300000 "${api[@]}" || { status=1; tail -40 "$native/wrangler.log" >&2; }
log "restore drill on the self-hosted runtime's database (online backup, restored server)"
bash scripts/native-restore-drill.sh "$native" || status=1
exit "$status"
