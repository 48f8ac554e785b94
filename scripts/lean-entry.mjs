// Replaces the default export worker-build (0.8.7) writes for a Worker with a plain module export
// (`export default { fetch, queue, scheduled }`) calling the Rust handlers directly.
//
// Why: worker-build's shim exports `new Proxy(class extends WorkerEntrypoint, hooks)`. On every
// request the runtime constructs that class through the proxy, which builds a second Proxy around
// the instance and a third around its `fetch`, and wraps the call in an extra async function:
// per-request work that a JavaScript Worker does not do (issue 23, docs/benchmarks.md). The
// export kept here does the same panic bookkeeping as the shim (after a wasm trap the next
// request re-instantiates the module: `checkReinitialize`, `handleMaybeCritical`), without the
// proxies. The capability Workers are reached by `fetch` over service bindings, queues and cron
// only, so nothing needs the entrypoint class (no RPC methods).
//
// Usage: node scripts/lean-entry.mjs functions/<worker>/build/index.js
// (scripts/build.sh runs worker-build with NO_MINIFY=1, then this, then esbuild --minify.)
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
let js = readFileSync(file, 'utf8');

/** The bundled Rust export a handler line of the shim calls, e.g. `fetch` or `fetch2`. */
function handler(name) {
  const m = new RegExp(`Entrypoint\\.prototype\\.${name} = function ${name}\\w* ?\\(arg\\) \\{\\s*return (\\w+)\\.call\\(this, arg, this\\.env, this\\.ctx\\);\\s*\\};?`).exec(js);
  return m ? m[1] : null;
}
const handlers = ['fetch', 'queue', 'scheduled'].map((n) => [n, handler(n)]).filter(([, f]) => f);
if (!handlers.some(([n]) => n === 'fetch') && !handlers.length) throw new Error(`${file}: no handler lines of worker-build's shim found`);
for (const name of ['checkReinitialize', 'handleMaybeCritical']) {
  if (!new RegExp(`function ${name}\\(`).test(js)) throw new Error(`${file}: worker-build's shim has no ${name}: a new worker-build? check this script`);
}
const exportLine = /export \{([^}]*)\};?\s*$/.exec(js);
if (!exportLine) throw new Error(`${file}: no final export list`);
const proxied = /(\w+) as default/.exec(exportLine[1]);
if (!proxied || !new RegExp(`var ${proxied[1]} = new Proxy\\(Entrypoint, classProxyHooks\\)`).test(js)) {
  throw new Error(`${file}: the default export is not worker-build's proxied entrypoint`);
}

// The entry Worker (functions/gateway) exports its routing table: requests it routes go to their
// service binding from here, without entering wasm; the rest go to its Rust `fetch` (the 404).
// The path is cut from the URL as the Rust `route` cuts it.
const routesFn = /Entrypoint\.prototype\.entryRoutes = (\w+);/.exec(js)?.[1];
const routing = routesFn ? `var leanRoutes = ${routesFn}().split('\\n').map((line) => line.split(' '));
function leanRoute(url) {
  const scheme = url.indexOf('://');
  const from = scheme < 0 ? 0 : scheme + 3;
  const slash = url.indexOf('/', from);
  const path = slash < 0 ? '/' : url.slice(slash);
  for (const [prefix, binding] of leanRoutes) if (path.startsWith(prefix)) return binding;
  return null;
}
` : '';
const methods = handlers.map(([name, f]) => `  ${name}(arg, env, ctx) {${routesFn && name === 'fetch' ? `
    const binding = leanRoute(arg.url);
    if (binding) return env[binding].fetch(arg);` : ''}
    checkReinitialize();
    let out;
    try {
      out = ${f}(arg, env, ctx);
    } catch (e) {
      handleMaybeCritical(e);
      throw e;
    }
    // A trap after the first await rejects the promise: note it on a side branch, so the
    // promise the runtime gets is the handler's own (no extra hop on the way out).
    if (out && typeof out.catch === 'function') out.catch(handleMaybeCritical);
    return out;
  },`).join('\n');
const lean = `\n// scripts/lean-entry.mjs: a plain module export instead of the proxied entrypoint class.\n${routing}var lean_default = {\n${methods}\n};\n`;
js = js.slice(0, exportLine.index) + lean + js.slice(exportLine.index).replace(`${proxied[1]} as default`, 'lean_default as default');
writeFileSync(file, js);
console.log(`${file}: default export -> { ${handlers.map(([n, f]) => `${n}: ${f}`).join(', ')} }${routesFn ? ', routed in JS by entryRoutes' : ''}`);
