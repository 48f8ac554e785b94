#!/usr/bin/env bash
# Builds every Worker to wasm (release), skipping those whose output is newer than all sources.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
export WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt" ESBUILD_BIN="$ROOT/node_modules/.bin/esbuild"
for w in $WORKERS; do
  out="functions/$w/build/index.js"
  if [ -f "$out" ] && [ -z "$(find shared/src functions/adapter/src "functions/$w/src" Cargo.lock Cargo.toml "functions/$w/Cargo.toml" -newer "$out" -print -quit)" ]; then
    continue
  fi
  log "building Worker $w"
  (cd "functions/$w" && worker-build --release >/dev/null 2>build.log || { cat build.log; exit 1; })
done
