# Shared by the scripts: paths, pinned tool versions, logging.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
WORKER_BUILD_VERSION="0.8.7"
CARGO_FUZZ_VERSION="0.13.2"
# Must equal the wasm-bindgen version in Cargo.lock (worker-build refuses a different CLI).
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")"
# The Workers behind the entry Worker (`cml`: the stock CommerceML exchange, the exchange queues' consumers and the sweeper).
CAPABILITIES="auth company finance orders documents returns exchange cml"
WORKERS="${WORKERS:-gateway $CAPABILITIES}"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
