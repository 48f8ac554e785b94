// The portal against the JavaScript baseline on workerd without `wrangler dev`'s development
// instrumentation (issue 8). Under `wrangler dev` every Worker has wrangler's DevTools inspector
// attached with the Network domain on, so each subrequest (the entry Worker's service-binding
// hop, each D1 call) is reported to wrangler's inspector proxy and node, and every request passes
// a proxy workerd: locally the portal's one extra hop costs ~2 ms and ~2-3 ms of CPU, which the
// platform does not charge (docs/benchmarks.md). Here the portal's eight Workers (the stack's own
// configs, built wasm and .dev.vars) and the baseline (bench/baseline-js) run in ONE workerd
// process through Miniflare (bench/lib/workerd-serve.mjs), over one byte copy of the stack's local
// D1 file: the same database object, the same data, the same runtime for both; the baseline is
// reached by its Host header. Same cases, accounts and wrk as bench/latency.mjs, each pair in
// alternating rounds.
//
// Usage, after bench/latency.mjs on the same stack (it made the data set, the accounts and the
// request files in $STACK_STATE/latency; the stack keeps running, it is not used here):
//   STACK_STATE=$HOME/stack-bench PORTAL_URL=http://127.0.0.1:8867 node bench/ratio.mjs
// env: CASES (a regular expression: only matching cases), RATIO_PORT (8870), DURATION (10), WARMUP (2), CONCURRENCY (1,8,32), ROUNDS (3), OUT
//   ($STACK_STATE/ratio), HOP=1 (a target more: the baseline behind a pass-through JS entry
//   Worker and a service binding, as the portal's capability Workers are; and the same JS entry
//   Worker set up as the portal's is, with the static assets and `run_worker_first` in front),
//   ALONE=1 (a target more: the portal's capability Worker reached directly, without the entry
//   Worker), BEFORE=DIR (a target more: the portal's entry, orders and finance Workers as built
//   in DIR/<worker>/index.js, e.g. a copy of functions/*/build from an earlier commit, run beside
//   the current ones in the same workerd: before and after in one run), JS_ENTRY=1 (a target
//   more: the portal behind its entry config run with a JavaScript entry Worker,
//   bench/baseline-js/gateway/portal-entry.js: what the Rust entry Worker itself costs).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { basename } from 'node:path';
import { d1File, ROOT, STATE } from './lib/dataset.mjs';
import { answerView, haveWrk, median, runWrk, stopGroup, writeBaselineConfig } from './lib/wrk.mjs';
import { PORTAL } from '../tests/lib/portal.mjs';

const PORT = Number(process.env.RATIO_PORT ?? 8870);
const DURATION = Number(process.env.DURATION ?? 10);
const WARMUP = Number(process.env.WARMUP ?? 2);
const CONC = (process.env.CONCURRENCY ?? '1,8,32').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const OUT = process.env.OUT ?? `${STATE}/ratio`;
const LATENCY = `${STATE}/latency`;
const BASELINE_HOST = 'baseline.bench';
const HOP_HOST = 'hop.bench';
const HOP_ASSETS_HOST = 'hop-assets.bench';
const BEFORE_HOST = 'before.bench';
const BEFORE = process.env.BEFORE;
const JS_ENTRY_HOST = 'js-entry.bench';
// bench/latency.mjs's cases that have a baseline, by their request files there.
const CASES = [
  ['order list: no filter', 'order-list-no-filter'],
  ['order list: status', 'order-list-status'],
  ['order list: q=article part', 'order-list-q-article-part'],
  ['credit panel', 'credit-panel'],
].filter(([name]) => !process.env.CASES || new RegExp(process.env.CASES).test(name));
// [name, Host header for a case's requests (null: the portal's own address)]
const capabilityHost = (c) => (c.name.startsWith('credit') ? 'finance.bench' : 'orders.bench');
// Every target is reached by its Host header, the portal too: Miniflare's path for requests no
// route matches (to the first Worker) costs ~0.2-0.3 ms of CPU more per request than a matched
// route (measured: the same entry Worker both ways), which would be charged to the portal alone.
const PORTAL_HOST = 'portal.bench';
const TARGETS = [['portal', () => PORTAL_HOST], ['baseline', () => BASELINE_HOST],
  ...(BEFORE ? [['portal before', () => BEFORE_HOST]] : []),
  ...(process.env.HOP ? [['baseline behind a hop', () => HOP_HOST], ['baseline behind the entry set-up', () => HOP_ASSETS_HOST]] : []),
  ...(process.env.JS_ENTRY ? [['portal with a JS entry', () => JS_ENTRY_HOST]] : []),
  ...(process.env.ALONE ? [['capability alone', capabilityHost]] : [])];

haveWrk();
for (const f of ['accounts.tsv', ...CASES.map(([, slug]) => `${slug}.tsv`)]) {
  if (!existsSync(`${LATENCY}/${f}`)) throw new Error(`${LATENCY}/${f} is missing: run bench/latency.mjs on this stack first`);
}
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

// ---- One workerd: the portal's Workers and the baseline over a copy of the stack's D1 ----
const persist = `${OUT}/state`;
const d1Dir = `${persist}/v3/d1/miniflare-D1DatabaseObject`;
mkdirSync(d1Dir, { recursive: true });
const t0 = performance.now();
execFileSync('sqlite3', [d1File(), '.timeout 30000', `.backup '${d1Dir}/${basename(d1File())}'`]);
console.log(`copied the stack's D1 file in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

const cfg = `${STATE}/config`;
const direct = { finance: '@finance.bench/*', orders: '@orders.bench/*' };
const configs = [`${cfg}/wrangler.toml@${PORTAL_HOST}/*`, ...['auth', 'company', 'finance', 'orders', 'documents', 'returns', 'exchange']
  .map((w) => `${cfg}/${w}/wrangler.toml${process.env.ALONE ? direct[w] ?? '' : ''}`),
  `${writeBaselineConfig(`${OUT}/baseline`)}@${BASELINE_HOST}/*`,
  ...(process.env.HOP ? [`${ROOT}bench/baseline-js/gateway/wrangler.toml@${HOP_HOST}/*`] : [])];
// BEFORE: copies of the entry, orders and finance configs named `<name>-before`, running the
// Workers built in $BEFORE (same D1, same settings), the entry reached by its own Host.
if (BEFORE) {
  const renamed = (text) => text.replace(/^name = "([^"]+)"/m, 'name = "$1-before"')
    .replace(/service = "portal-(orders|finance)"/g, 'service = "portal-$1-before"')
    .replace(/\[\[queues\.consumers\]\][^[]*/g, '').replace(/\[triggers\][^[]*/g, '');
  for (const [w, build] of [['', 'gateway'], ['orders', 'orders'], ['finance', 'finance']]) {
    const dir = `${OUT}/before-config/${w}`;
    mkdirSync(dir, { recursive: true });
    const toml = readFileSync(`${cfg}/${w ? `${w}/` : ''}wrangler.toml`, 'utf8');
    writeFileSync(`${dir}/wrangler.toml`, renamed(toml).replace(/^main = ".*"/m, `main = "${BEFORE}/${build}/index.js"`));
    if (existsSync(`${cfg}/${w ? `${w}/` : ''}.dev.vars`)) writeFileSync(`${dir}/.dev.vars`, readFileSync(`${cfg}/${w ? `${w}/` : ''}.dev.vars`));
  }
  configs.push(`${OUT}/before-config/wrangler.toml@${BEFORE_HOST}/*`, `${OUT}/before-config/orders/wrangler.toml`, `${OUT}/before-config/finance/wrangler.toml`);
}
if (process.env.HOP) configs.push(`${ROOT}bench/baseline-js/gateway/wrangler-assets.toml@${HOP_ASSETS_HOST}/*`);
if (process.env.JS_ENTRY) {
  const dir = `${OUT}/js-entry-config`;
  mkdirSync(dir, { recursive: true });
  const toml = readFileSync(`${cfg}/wrangler.toml`, 'utf8').replace(/^name = "([^"]+)"/m, 'name = "$1-js-entry"')
    .replace(/^main = ".*"/m, (m) => (process.env.JS_ENTRY === "same" ? m : `main = "${ROOT}bench/baseline-js/gateway/portal-entry.js"`));
  writeFileSync(`${dir}/wrangler.toml`, toml);
  configs.push(`${dir}/wrangler.toml@${JS_ENTRY_HOST}/*`);
}
const log = openSync(`${OUT}/workerd.log`, 'w');
const server = spawn(process.execPath, [`${ROOT}bench/lib/workerd-serve.mjs`, String(PORT), `${persist}/v3`, ...configs],
  { cwd: ROOT, detached: true, stdio: ['ignore', log, log] });
closeSync(log);

/** A request with a Host header (fetch does not let one set it). */
function ask(method, path, { host, cookie, body } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { origin: PORTAL, 'cf-connecting-ip': '198.51.100.7', ...(host ? { host } : {}), ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) };
    const req = request({ host: '127.0.0.1', port: PORT, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

try {
  for (let i = 0; ; i++) {
    try { if ((await ask('GET', '/')).status === 200) break; } catch { /* starting */ }
    if (i > 240) throw new Error(`workerd did not start; see ${OUT}/workerd.log`);
    await new Promise((r) => setTimeout(r, 500));
  }

  // ---- The same accounts, signed in again here (fresh sessions in the copy) ----
  const password = JSON.parse(readFileSync(`${STATE}/dataset.json`, 'utf8')).password;
  const accounts = readFileSync(`${LATENCY}/accounts.tsv`, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const fresh = new Map();
  let next = 0;
  await Promise.all([0, 1].map(async () => {
    while (next < accounts.length) {
      const [email, , cookie] = accounts[next++];
      const r = await ask('POST', '/api/auth/sign-in', { body: JSON.stringify({ email, password }) });
      const at = (r.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('__Host-portal_at='));
      if (r.status !== 200 || !at) throw new Error(`sign-in ${email}: ${r.status} ${r.text.slice(0, 200)}`);
      fresh.set(cookie, at);
    }
  }));
  console.log(`signed in ${fresh.size} accounts`);
  const cases = CASES.map(([name, slug]) => {
    const lines = readFileSync(`${LATENCY}/${slug}.tsv`, 'utf8').trim().split('\n').map((l) => l.split('\t'));
    for (const l of lines) l[2] = fresh.get(l[2]);
    const file = `${OUT}/${slug}.tsv`;
    writeFileSync(file, lines.map((l) => l.join('\t')).join('\n') + '\n');
    return { name, file, lines };
  });

  // ---- Every target answers the same before anything is timed ----
  for (const c of cases) {
    for (let k = 0; k < 5; k++) {
      const [method, path, cookie] = c.lines[Math.floor(Math.random() * c.lines.length)];
      const answers = await Promise.all(TARGETS.map(([, host]) => ask(method, path, { host: host(c), cookie })));
      const views = answers.map((a) => (a.status === 200 ? answerView(JSON.parse(a.text)) : `${a.status} ${a.text.slice(0, 200)}`));
      if (answers.some((a) => a.status !== 200) || views.some((v) => v !== views[0])) {
        throw new Error(`${c.name}: the targets answer differently for ${path}:\n${views.map((v, i) => `${TARGETS[i][0]}: ${v.slice(-300)}`).join('\n')}`);
      }
    }
  }
  console.log('the portal and the baseline give the same answers');

  // ---- The runs: each case and connection count, the targets in alternating order ----
  const results = [];
  const started = performance.now();
  for (const c of cases) {
    for (const conns of CONC) {
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
        for (const [target, host] of order) {
          const run = (seconds) => runWrk({ port: PORT, pgid: server.pid, file: c.file, conns, seconds, host: host(c) ?? undefined });
          if (WARMUP > 0) run(WARMUP);
          const r = run(DURATION);
          results.push({ case: c.name, target, round, ...r });
          console.log(`${c.name.padEnd(28)} c=${String(conns).padStart(2)} ${target.padEnd(22)} p50 ${(r.p50 / 1000).toFixed(2).padStart(7)} ms  p99 ${(r.p99 / 1000).toFixed(1).padStart(6)}  ${r.rps.toFixed(0).padStart(5)}/s  err ${r.errors}  workerd ${r.workerdMs.toFixed(2)} + node ${r.nodeMs.toFixed(2)} ms/req  machine ${r.machineBusyPct.toFixed(0)}%`);
        }
      }
    }
  }
  const minutes = ((performance.now() - started) / 60000).toFixed(1);
  writeFileSync(`${OUT}/results.json`, JSON.stringify({ duration: DURATION, rounds: ROUNDS, results }, null, 1));

  // ---- The table: medians over the rounds, ratio = median of the per-round ratios ----
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const ms = (us) => (us / 1000).toFixed(2);
  const out = [`One workerd (Miniflare, no inspector) over a copy of the stack's D1; ${fresh.size} accounts; wrk 1 thread, ${DURATION} s per run after ${WARMUP} s of warm-up, ${ROUNDS} alternating rounds; HEAD ${head}; run took ${minutes} min.\n`];
  const others = TARGETS.slice(1).map(([t]) => t);
  out.push(`| case | conns | portal p50 ms | ${others.map((t) => `${t} p50 ms | portal / ${t} p50`).join(' | ')} | portal p99 ms | baseline p99 ms | workerd CPU ms/req ${TARGETS.map(([t]) => t).join(' / ')} | req/s portal / baseline | errors |`);
  out.push(`|---|---:|---:|${others.map(() => '---:|---:|').join('')}---:|---:|---:|---:|---:|`);
  for (const c of cases) {
    for (const conns of CONC) {
      const of = (t) => results.filter((r) => r.case === c.name && r.target === t && r.conns === conns);
      const p = of('portal');
      const cols = others.map((t) => { const b = of(t); return `${ms(median(b.map((x) => x.p50)))} | ${median(p.map((x, i) => x.p50 / b[i].p50)).toFixed(2)}`; });
      const cpu = TARGETS.map(([t]) => median(of(t).map((x) => x.workerdMs)).toFixed(2)).join(' / ');
      const errors = results.filter((r) => r.case === c.name && r.conns === conns).reduce((s, r) => s + r.errors, 0);
      out.push(`| ${c.name} | ${conns} | ${ms(median(p.map((x) => x.p50)))} | ${cols.join(' | ')} | ${ms(median(p.map((x) => x.p99)))} | ${ms(median(of('baseline').map((x) => x.p99)))} | ${cpu} | ${median(p.map((x) => x.rps)).toFixed(0)} / ${median(of('baseline').map((x) => x.rps)).toFixed(0)} | ${errors} |`);
    }
  }
  const md = out.join('\n');
  writeFileSync(`${OUT}/results.md`, md + '\n');
  console.log(`\n${md}`);
} finally {
  await stopGroup(server.pid);
}
