#!/usr/bin/env bash
# Installs every missing tool at pinned versions; does nothing that is already in place.
# Usage: scripts/setup.sh [--browser]   (--browser also installs Debian's chromium for the tests)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if [ "$(worker-build --version 2>/dev/null | awk '{print $NF}')" != "$WORKER_BUILD_VERSION" ]; then
  log "cargo install worker-build $WORKER_BUILD_VERSION (first time: ~9 minutes)"
  cargo install worker-build --version "$WORKER_BUILD_VERSION"
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (first time: ~6 minutes)"
  # Not --locked: the registry copy can lag that crate's lock file by a few patch versions.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci (wrangler, wasm-opt, playwright-core, ajv: pinned in package-lock.json)"
  npm ci --no-audit --no-fund
fi
# Tests also need Debian's chromium (browser tests), xmllint (CommerceML files checked
# against the official XSD) and sqlite3 (the restore drills compare tables).
if [ "${1:-}" = "--browser" ] && { ! command -v chromium >/dev/null || ! command -v xmllint >/dev/null || ! command -v sqlite3 >/dev/null; }; then
  log "apt-get install chromium libxml2-utils sqlite3 (tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium libxml2-utils sqlite3 >/dev/null
fi

# Local secrets for wrangler dev, made once per checkout, never committed, never used in
# production (production sets them with `wrangler secret put`). ALLOW_TEST_CLOCK lets tests set
# the clock with the x-test-now header: it exists only here.
if [ ! -f .dev-secrets ]; then
  log "generating local development secrets (.dev-secrets)"
  {
    echo "SESSION_SIGNING_KEY=dev1:$(head -c 32 /dev/urandom | base64 -w0)"
    echo "ONEC_HMAC_SECRET=$(head -c 32 /dev/urandom | base64 -w0)"
    echo "MAIL_API_TOKEN=$(head -c 16 /dev/urandom | base64 -w0)"
  } > .dev-secrets
fi
# Secrets added by later issues, appended to an existing file.
grep -q '^CML_USER=' .dev-secrets || printf 'CML_USER=1c\nCML_PASSWORD=%s\n' "$(head -c 18 /dev/urandom | base64 -w0 | tr '+/' '-_')" >> .dev-secrets
grep -q '^MONITOR_TOKEN=' .dev-secrets || echo "MONITOR_TOKEN=$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_')" >> .dev-secrets
# The key one-time link tokens are derived from (the database holds only link ids).
grep -q '^LINK_TOKEN_SECRET=' .dev-secrets || echo "LINK_TOKEN_SECRET=$(head -c 32 /dev/urandom | base64 -w0)" >> .dev-secrets
# The key the portal signs its pushes to 1C with (issue 16: apart from ONEC_HMAC_SECRET, 1C's key).
grep -q '^ONEC_PUSH_SECRET=' .dev-secrets || echo "ONEC_PUSH_SECRET=$(head -c 32 /dev/urandom | base64 -w0)" >> .dev-secrets
# The simulator's YooKassa test shop (it reads the same file): the portal signs API calls with it.
grep -q '^YOOKASSA_SECRET_KEY=' .dev-secrets || printf 'YOOKASSA_SHOP_ID=%s\nYOOKASSA_SECRET_KEY=test_%s\n' "$((100000 + RANDOM))" "$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_')" >> .dev-secrets
