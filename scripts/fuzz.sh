#!/usr/bin/env bash
# Long fuzzing runs (not part of `make test`, which replays fuzz/regressions/ natively).
# Usage: scripts/fuzz.sh [SECONDS per target, default 600] [TARGET ...]
#   targets: commerceml (the CommerceML parser: whole and sliced reads), inbound_batch (1C's
#   signed JSON batch through the handler and the queue consumer on real SQLite).
# Seeds: the third-party CommerceML fixtures (../shared/fixtures, or COMMERCEML_FIXTURES; copied
# into the untracked corpus, never committed) and the simulator's own messages. A crash is kept
# in fuzz/artifacts/TARGET/: copy it to fuzz/regressions/TARGET/ once fixed.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
secs="${1:-600}"; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(commerceml inbound_batch)

if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  log "cargo install cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
# libFuzzer's instrumentation needs nightly flags: the installed nightly if there is one, else
# the pinned stable with RUSTC_BOOTSTRAP (no toolchain download needed).
if rustup run nightly rustc --version >/dev/null 2>&1; then toolchain=+nightly; else toolchain=; export RUSTC_BOOTSTRAP=1; fi

corpus=fuzz/corpus
mkdir -p "$corpus/commerceml" "$corpus/inbound_batch"
fixtures="${COMMERCEML_FIXTURES:-$ROOT/../shared/fixtures/commerceml}"
if [ -d "$fixtures" ]; then
  find "$fixtures" -name '*.xml' -size -256k | while read -r f; do
    cp "$f" "$corpus/commerceml/fixture-$(echo "$f" | md5sum | cut -c1-12).xml"
  done
else
  echo "notice: no CommerceML fixtures at $fixtures; seeding from fuzz/regressions only"
fi
cp fuzz/regressions/commerceml/* "$corpus/commerceml/" 2>/dev/null || true
cp fuzz/regressions/inbound_batch/* "$corpus/inbound_batch/" 2>/dev/null || true
# The simulator's messages, one batch per message and one with a company's whole set.
cargo build -q --release -p onec-sim
sim_out="$(mktemp -d)"
target/release/onec-sim generate --out "$sim_out" --products 5 --orders 8 >/dev/null
node -e '
  const fs = require("fs"); const [dir, out] = process.argv.slice(1);
  const msgs = fs.readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "envelope.json")
    .map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`)));
  msgs.forEach((m, i) => fs.writeFileSync(`${out}/sim-${i}.json`, JSON.stringify({ batch_id: `b${i}`, messages: [m] })));
  fs.writeFileSync(`${out}/sim-all.json`, JSON.stringify({ batch_id: "all", messages: msgs.slice(0, 40) }));
' "$sim_out" "$corpus/inbound_batch"
rm -rf "$sim_out"

for t in "${targets[@]}"; do
  log "fuzzing $t for ${secs}s"
  rc=0
  # JSON keys and values of the contract, so mutations reach past the decoder.
  dict=(); [ -f "fuzz/$t.dict" ] && dict=(-dict="$t.dict")
  (cd fuzz && cargo $toolchain fuzz run --sanitizer none "$t" "corpus/$t" -- \
      -max_total_time="$secs" -max_len=65536 -timeout=10 -print_final_stats=1 "${dict[@]}") >"fuzz/$t.log" 2>&1 || rc=$?
  grep -E '^#[0-9]+.*DONE|stat::|SUMMARY|panicked|Test unit' "fuzz/$t.log" || true
  [ "$rc" = 0 ] || { echo "fuzz $t FAILED: see fuzz/$t.log and fuzz/artifacts/$t/"; exit 1; }
done
