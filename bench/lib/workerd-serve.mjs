// Serves Workers on workerd through Miniflare, the library `wrangler dev` itself runs workerd
// with, but without what `wrangler dev` adds for development: no DevTools inspector attached to
// the Workers (wrangler's inspector proxy enables the Network domain, so every subrequest of every
// Worker, a service-binding hop or a D1 call, is reported over the inspector to wrangler's proxy
// workerd and node), no proxy workerd in front, no request log. Used by bench/ratio.mjs, in its
// own process (so the load generator never stalls its event loop) and process group (so its CPU
// can be read from /proc).
//
// Usage: node bench/lib/workerd-serve.mjs PORT PERSIST_ROOT CONFIG[@ROUTE] ...
//   Each CONFIG is a wrangler config file (its .dev.vars next to it, as `wrangler dev` reads);
//   the first serves every request no ROUTE matches. PERSIST_ROOT is what `wrangler dev
//   --persist-to DIR` uses (DIR/v3): local D1, R2 and the rest.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions as workerOptionsOf } from 'wrangler';

const [port, persistRoot, ...configs] = process.argv.slice(2);
if (!port || !persistRoot || !configs.length) {
  console.error('usage: node bench/lib/workerd-serve.mjs PORT PERSIST_ROOT CONFIG[@ROUTE] ...');
  process.exit(2);
}

const workers = configs.map((arg) => {
  const [path, route] = arg.split('@');
  const name = /^name = "([^"]+)"/m.exec(readFileSync(path, 'utf8'))?.[1];
  if (!name) throw new Error(`${path}: no name`);
  const { workerOptions, main } = workerOptionsOf(path);
  // Module names are paths below modulesRoot: the build may sit outside the working directory.
  return { ...workerOptions, name, modules: true, scriptPath: main, modulesRoot: dirname(main), ...(route ? { routes: [route] } : {}) };
});

const mf = new Miniflare({
  host: '127.0.0.1',
  port: Number(port),
  defaultPersistRoot: persistRoot,
  // INSPECTOR_PORT: DevTools for bench/profile.mjs (a CPU profile of one Worker); off otherwise.
  ...(process.env.INSPECTOR_PORT ? { inspectorPort: Number(process.env.INSPECTOR_PORT) } : {}),
  // Warnings and errors only: the Workers' own console lines still reach stdout.
  log: new Log(LogLevel.WARN),
  workers,
});
const url = await mf.ready;
console.log(`serving ${workers.map((w) => w.name).join(', ')} on ${url}`);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => mf.dispose().finally(() => process.exit(0)));
