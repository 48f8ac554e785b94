#!/usr/bin/env bash
# Builds every Worker to wasm (release), skipping those whose output is newer than all sources.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
export WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt" ESBUILD_BIN="$ROOT/node_modules/.bin/esbuild"
for w in $WORKERS; do
  out="functions/$w/build/index.js"
  if [ -f "$out" ] && [ -z "$(find scripts/build.sh scripts/lean-entry.mjs shared/src shared/Cargo.toml functions/adapter/src functions/adapter/Cargo.toml "functions/$w/src" Cargo.lock Cargo.toml "functions/$w/Cargo.toml" -newer "$out" -print -quit)" ]; then
    continue
  fi
  log "building Worker $w"
  # Unminified, so scripts/lean-entry.mjs can swap worker-build's proxied entrypoint class for a
  # plain module export (no Proxy built per request); esbuild minifies after.
  (cd "functions/$w" && NO_MINIFY=1 worker-build --release >/dev/null 2>build.log || { cat build.log; exit 1; })
  node scripts/lean-entry.mjs "functions/$w/build/index.js" >/dev/null
  "$ESBUILD_BIN" "functions/$w/build/index.js" --minify --format=esm --log-level=warning --allow-overwrite --outfile="functions/$w/build/index.js"
  # worker-build runs wasm-opt with `--debuginfo`, which keeps the function and data names (10% of
  # each module, 35-60 KB gzip): strip them (and the producers section) from what is uploaded.
  # Panics still log their message; a stack trace shows function indices instead of names. The
  # named module is kept in target/worker-names/ for `twiggy` (bench/worker-size.sh).
  mkdir -p target/worker-names && cp "functions/$w/build/index_bg.wasm" "target/worker-names/$w.wasm"
  wasm-opt "functions/$w/build/index_bg.wasm" -o "functions/$w/build/index_bg.wasm" --strip-debug --strip-producers \
    --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory \
    --enable-multivalue --enable-reference-types --enable-exception-handling
done
