// A CPU profile of Workers under load, through the DevTools inspector (the V8 sampling profiler;
// wasm functions appear by their Rust names, the release build keeps the name section).
// Start the Workers with bench/lib/workerd-serve.mjs and INSPECTOR_PORT, put load on them (wrk),
// then: node bench/profile.mjs INSPECTOR_PORT SECONDS OUT_DIR [WORKER_NAME_PART ...]
// Writes OUT_DIR/<worker>.cpuprofile (open in Chrome DevTools) and prints each Worker's top
// functions by self time and its busy time per second.
import { mkdirSync, writeFileSync } from 'node:fs';

const [port, seconds = '10', out = '/tmp/profile', ...only] = process.argv.slice(2);
if (!port) {
  console.error('usage: node --experimental-websocket bench/profile.mjs INSPECTOR_PORT [SECONDS] [OUT_DIR] [WORKER_NAME_PART ...]');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json())
  // Every user Worker, or the Workers whose title has one of the given parts (any Worker: e.g.
  // `assets:router` for the assets layer Miniflare runs in front of an entry Worker).
  .filter((t) => (only.length ? only.some((o) => t.title.includes(o)) : /core:user:/.test(t.title)));

function session(url) {
  const ws = new WebSocket(url);
  let id = 0;
  const waiting = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
  };
  const open = new Promise((r) => { ws.onopen = r; });
  return {
    async send(method, params = {}) {
      await open;
      const n = ++id;
      ws.send(JSON.stringify({ id: n, method, params }));
      return new Promise((r) => waiting.set(n, r));
    },
    close: () => ws.close(),
  };
}

const sessions = targets.map((t) => ({ name: t.title.replace(/.*(core:user:|worker )/, '').replaceAll(':', '-'), s: session(t.webSocketDebuggerUrl) }));
for (const { s } of sessions) {
  await s.send('Profiler.enable');
  await s.send('Profiler.setSamplingInterval', { interval: 100 });
  await s.send('Profiler.start');
}
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
for (const { name, s } of sessions) {
  const { result } = await s.send('Profiler.stop');
  s.close();
  const p = result.profile;
  writeFileSync(`${out}/${name}.cpuprofile`, JSON.stringify(p));
  const dt = new Map(); // node id -> sampled microseconds
  for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const self = new Map();
  let busy = 0;
  const total = p.endTime - p.startTime;
  for (const n of p.nodes) {
    const us = dt.get(n.id) ?? 0;
    const fn = n.callFrame.functionName || `(anonymous ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber})`;
    if (!['(idle)', '(program)', '(garbage collector)'].includes(fn) || fn === '(garbage collector)') busy += fn === '(idle)' ? 0 : us;
    self.set(fn, (self.get(fn) ?? 0) + us);
  }
  console.log(`\n${name}: busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled`);
  for (const [fn, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${(100 * us / busy).toFixed(1).padStart(5)}%  ${fn.slice(0, 110)}`);
  }
}
