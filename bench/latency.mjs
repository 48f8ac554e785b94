// Latency under load (issue 8): the portal's main reads on the local `wrangler dev` stack with the
// full-scale data set (bench/lib/dataset.mjs), loaded by `wrk` in a separate process at 1, 8 and
// 32 connections, many signed-in accounts spread over many companies; and in the same run a
// minimal JavaScript Worker (bench/baseline-js) on its own `wrangler dev` against a byte copy of
// the same local D1 file (see copyDb), doing the same session check and the same SQL, for the
// order list and the credit panel.
// Then the same routes on the capability Worker alone (its own `wrangler dev`, no entry Worker in
// front); locally that mostly shows what `wrangler dev` spends on the primary Worker's log lines,
// so the entry Worker's hop is measured with BASELINE_GATEWAY=1 instead (docs/benchmarks.md).
// Prints markdown tables; keeps the request files and results in $STACK_STATE/latency/.
//
// Usage (the stack started as in docs/benchmarks.md, with the benchmark's settings):
//   bash bench/setup.sh   # wrk, sqlite3
//   PORTAL_URL=http://127.0.0.1:8867 SIM_URL=http://127.0.0.1:8868 STACK_STATE=$HOME/stack-bench node bench/latency.mjs
// env: BASELINE_PORT (8869; also used, one after another, for the capability Workers alone),
//   DURATION seconds per run (10), WARMUP seconds (2), CONCURRENCY (1,8,32), ACCOUNTS (256),
//   CASES (a regular expression: only matching cases), SKIP_DIRECT=1 (no capability-alone runs),
//   ROUNDS (3: alternating rounds of each pair), FREEZE=0 (keep the stack as it runs), OUT (output
//   directory), BASELINE_LOG=1 (the baseline also writes the log line the capability Workers write),
//   BASELINE_GATEWAY=1 (the baseline behind a pass-through JS entry Worker and a service binding).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { COMPANIES, d1File, ensureDataset, MACHINES, norm, ROOT, sqlite, STATE, stackVars, USERS_PER, WORDS } from './lib/dataset.mjs';
import * as SQL from './baseline-js/sql.mjs';
import { rustConst } from './lib/rust-sql.mjs';
import { Client, PORTAL } from '../tests/lib/portal.mjs';
import { answerView, haveWrk, median, runWrk, stopGroup, writeBaselineConfig } from './lib/wrk.mjs';

const PORT = Number(new URL(PORTAL).port);
const BASE_PORT = Number(process.env.BASELINE_PORT ?? 8869);
const DURATION = Number(process.env.DURATION ?? 10);
const WARMUP = Number(process.env.WARMUP ?? 2);
const CONC = (process.env.CONCURRENCY ?? '1,8,32').split(',').map(Number);
const ACCOUNTS = Number(process.env.ACCOUNTS ?? 256);
const ONLY = process.env.CASES ? new RegExp(process.env.CASES) : null;
const OUT = process.env.OUT ?? `${STATE}/latency`;
const LINES_PER_FILE = 4000;
mkdirSync(OUT, { recursive: true });

haveWrk();

// ---- 1. The baseline's SQL must still be the portal's, character for character ----
for (const [name, file] of Object.entries(SQL.RUST_SOURCES)) {
  if (rustConst(readFileSync(`${ROOT}/${file}`, 'utf8'), name) !== SQL[name]) {
    throw new Error(`bench/baseline-js/sql.mjs ${name} differs from ${file}: copy it again`);
  }
}

// ---- 2. The data set, the accounts and their companies' values ----
const info = await ensureDataset();

// The stack's `wrangler dev` reloads its Workers whenever a build in the tree changes (other work
// goes on in the tree). For the run, it is restarted on frozen copies of the built Workers and the
// static pages ($STACK_STATE/frozen), same configs and settings otherwise, as scripts/stack.sh
// starts it. FREEZE=0 keeps the stack as it is.
const WORKERS = ['gateway', 'auth', 'company', 'finance', 'orders', 'documents', 'returns', 'exchange', 'cml'];
async function freezeStack() {
  const builds = WORKERS.flatMap((w) => readdirSync(`${ROOT}functions/${w}/build`).filter((f) => /\.(js|wasm)$/.test(f)).map((f) => `${ROOT}functions/${w}/build/${f}`));
  for (let waited = 0; ; waited += 10) {
    const newest = Math.max(...builds.map((f) => statSync(f).mtimeMs));
    if (Date.now() - newest > 90e3) break;
    if (waited === 0) console.log('a Worker build in the tree changed in the last 90 s: waiting for the builds to settle');
    if (waited > 900) throw new Error('the Worker builds keep changing');
    await new Promise((r) => setTimeout(r, 10e3));
  }
  const frozen = `${STATE}/frozen`;
  rmSync(frozen, { recursive: true, force: true });
  for (const w of WORKERS) cpSync(`${ROOT}functions/${w}/build`, `${frozen}/functions/${w}/build`, { recursive: true });
  cpSync(`${ROOT}static`, `${frozen}/static`, { recursive: true });
  const cfg = `${STATE}/config`;
  const configs = [`${cfg}/wrangler.toml`, ...WORKERS.slice(1).map((w) => `${cfg}/${w}/wrangler.toml`)];
  for (const c of configs) {
    writeFileSync(c, readFileSync(c, 'utf8').replaceAll(`"${ROOT}functions/`, `"${frozen}/functions/`).replace(`directory = "${ROOT}static"`, `directory = "${frozen}/static"`));
  }
  const pid = Number(readFileSync(`${STATE}/wrangler.pid`, 'utf8').trim());
  await stopGroup(pid);
  const fd = openSync(`${STATE}/wrangler.log`, 'a');
  const child = spawn('npx', ['wrangler', 'dev', ...configs.flatMap((c) => ['-c', c]), '--persist-to', STATE, '--ip', '127.0.0.1', '--port', String(PORT), '--inspector-port', '0'],
    { cwd: ROOT, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, PATH: `${ROOT}node_modules/.bin:${process.env.PATH}` } });
  closeSync(fd);
  child.unref(); // the stack outlives this script, as after scripts/stack.sh start
  writeFileSync(`${STATE}/wrangler.pid`, `${child.pid}\n`);
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${PORTAL}/`)).ok) break; } catch { /* starting */ }
    if (i > 240) throw new Error(`the frozen stack did not start; see ${STATE}/wrangler.log`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const newest = new Date(Math.max(...builds.map((f) => statSync(f).mtimeMs))).toISOString().slice(0, 19);
  console.log(`the stack runs frozen copies of the Workers built in the tree (newest build ${newest}Z, HEAD ${head})`);
  return { head, newest };
}
const frozenAt = process.env.FREEZE === '0' ? null : await freezeStack();
const file = d1File();
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
const companies = Array.from({ length: ACCOUNTS }, (_, j) => 1 + Math.floor((j * (COMPANIES - 1)) / ACCOUNTS));

async function signInAll() {
  const out = new Array(companies.length);
  let next = 0;
  const started = performance.now();
  await Promise.all([0, 1, 2, 3].map(async () => {
    while (next < companies.length) {
      const j = next++;
      const client = new Client();
      const email = `bench-c${companies[j]}-u0@bench.demo`;
      const r = await client.signIn(email, info.password);
      if (r.status !== 200) throw new Error(`sign-in ${email}: ${r.status} ${JSON.stringify(r.body)}`);
      out[j] = { email, company: `bc-${companies[j]}`, cookie: `__Host-portal_at=${client.cookies.get('__Host-portal_at')}` };
    }
  }));
  console.log(`signed in ${out.length} accounts (admins of ${out.length} companies) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return out;
}
const accounts = await signInAll();
writeFileSync(`${OUT}/accounts.tsv`, accounts.map((a) => `${a.email}\t${a.company}\t${a.cookie}`).join('\n') + '\n');

const inList = accounts.map((a) => `'${a.company}'`).join(',');
const byCompany = new Map(accounts.map((a) => [a.company, { orders: [], les: [], authors: new Set(), articles: [] }]));
for (const line of sqlite(file, `SELECT company_id, id, number, ordered_at, author_user_id FROM orders WHERE company_id IN (${inList}) ORDER BY company_id, ordered_at DESC, id DESC;`).split('\n')) {
  const [co, id, number, at, author] = line.split('|');
  const c = byCompany.get(co);
  c.orders.push({ id, number, at });
  c.authors.add(author);
}
for (const line of sqlite(file, `SELECT company_id, id FROM legal_entities WHERE company_id IN (${inList});`).split('\n')) {
  const [co, id] = line.split('|');
  byCompany.get(co).les.push(id);
}
for (const line of sqlite(file, `SELECT company_id, article FROM order_lines WHERE company_id IN (${inList}) AND line_no = 1;`).split('\n')) {
  const [co, article] = line.split('|');
  byCompany.get(co).articles.push(article);
}
const b64url = (s) => Buffer.from(s).toString('base64url');
for (const c of byCompany.values()) {
  c.authors = [...c.authors];
  c.page2 = c.orders.length > 50 ? b64url(`${c.orders[49].at}|${c.orders[49].id}`) : null;
}
const ordersPer = [...byCompany.values()].map((c) => c.orders.length).sort((a, b) => a - b);
console.log(`measured companies: ${byCompany.size}, orders each ${ordersPer[0]}-${ordersPer[ordersPer.length - 1]}`);

// ---- 3. The cases: each makes one request for a random account ----
const day = (d) => d.toISOString().slice(0, 10);
const window3m = () => { const f = new Date(Date.UTC(2024, 11, 1) + Math.random() * 630 * 864e5); return [day(f), day(new Date(f.getTime() + 91 * 864e5))]; };
const get = (path) => (a) => ['GET', typeof path === 'function' ? path(byCompany.get(a.company)) : path, a.cookie, ''];
const list = (q) => get((c) => `/api/orders/orders${q ? `?${q(c)}` : ''}`);
const CASES = [
  { name: 'sign-in', make: () => ['POST', '/api/auth/sign-in', '', JSON.stringify({ email: `bench-c${1 + Math.floor(Math.random() * (COMPANIES - 1))}-u${Math.floor(Math.random() * USERS_PER)}@bench.demo`, password: info.password })] },
  { name: 'order list: no filter', make: list(null), baseline: 'orders' },
  { name: 'order list: status', make: list(() => `status=${pick(['shipped', 'draft,awaiting_payment', 'paid', 'reserved,partly_shipped'])}`), baseline: 'orders', direct: false },
  { name: 'order list: from/to (3 months)', make: list(() => { const [f, t] = window3m(); return `from=${f}&to=${t}`; }) },
  { name: 'order list: ship_from/ship_to (1 month)', make: list(() => { const [f] = window3m(); return `ship_from=${f}&ship_to=${day(new Date(Date.parse(f) + 30 * 864e5))}`; }) },
  { name: 'order list: legal_entity', make: list((c) => `legal_entity=${pick(c.les)}`) },
  { name: 'order list: author', make: list((c) => `author=${pick(c.authors)}`) },
  { name: 'order list: number (part)', make: list((c) => `number=${encodeURIComponent(pick(c.orders).number.slice(-4))}`) },
  { name: 'order list: q=article part', make: list((c) => `q=${encodeURIComponent(pick(c.articles).slice(0, 9))}`), baseline: 'orders', direct: false },
  { name: 'order list: q=name word', make: list(() => `q=${encodeURIComponent(norm(pick(WORDS)).split(' ')[0].slice(0, 6))}`) },
  { name: 'order list: sort amount_desc', make: list(() => 'sort=amount_desc') },
  { name: 'order list: page 2', make: list((c) => `cursor=${c.page2}`) },
  { name: 'order page', make: get((c) => `/api/orders/orders/${pick(c.orders).id}`) },
  { name: 'catalog search', make: get(() => `/api/orders/catalog?q=${encodeURIComponent(Math.random() < 0.5
    ? `AGR-00${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}` : `${norm(pick(WORDS)).slice(0, 5)} ${norm(pick(MACHINES)).slice(0, 3)}`)}`) },
  { name: 'credit panel', make: get('/api/finance/credit'), baseline: 'finance' },
  { name: 'payment schedule', make: get('/api/finance/schedule') },
  { name: 'document list', make: get('/api/documents/documents') },
  { name: 'document download (1 MB PDF)', make: get((c) => `/api/documents/files/bf${1 + Math.floor(Math.random() * 2)}${pick(c.orders).id.slice(2)}`) },
].filter((c) => !ONLY || ONLY.test(c.name));

const slug = (s) => s.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
for (const c of CASES) {
  const lines = Array.from({ length: LINES_PER_FILE }, () => c.make(pick(accounts)).join('\t'));
  c.file = `${OUT}/${slug(c.name)}.tsv`;
  writeFileSync(c.file, lines.join('\n') + '\n');
}

// ---- 4. Running wrk, timing its CPU ----
// port -> the process group serving it (the stack's: its wrangler.pid, read after freezing)
const pgidOf = new Map([[PORT, Number(readFileSync(`${STATE}/wrangler.pid`, 'utf8').trim())]]);

function wrk(port, c, conns, seconds) {
  return runWrk({ port, pgid: pgidOf.get(port), file: c.file, conns, seconds });
}

function measure(port, c, conns) {
  if (WARMUP > 0) wrk(port, c, conns, WARMUP);
  return wrk(port, c, conns, DURATION);
}

// ---- 5. The second `wrangler dev`: the baseline, or one capability Worker alone ----
// Its own byte copy of the stack's D1 file (taken after the sign-ins, so the sessions are in it):
// two workerd processes on one SQLite file contend for its lock (the file is in rollback-journal
// mode; a first trial on the shared file got SQLITE_BUSY 500s and lock waits on both sides).
const COPY = `${STATE}/baseline-d1`;
function copyDb() {
  const dir = `${COPY}/v3/d1/miniflare-D1DatabaseObject`;
  rmSync(COPY, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  execFileSync('sqlite3', [file, '.timeout 30000', `.backup '${dir}/${basename(file)}'`]);
  console.log(`copied the D1 file for the second wrangler dev in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

function startDev(config, log) {
  const fd = openSync(log, 'w');
  // The idle second config: the same multi-config dev server as the portal stack (see its toml).
  const configs = process.env.BASELINE_GATEWAY && config.includes('/baseline/')
    ? ['-c', `${ROOT}bench/baseline-js/gateway/wrangler.toml`, '-c', config] // behind a JS entry Worker
    : ['-c', config, '-c', `${ROOT}bench/baseline-js/idle/wrangler.toml`];
  const child = spawn('npx', ['wrangler', 'dev', ...configs, '--persist-to', COPY, '--ip', '127.0.0.1', '--port', String(BASE_PORT), '--inspector-port', '0'],
    { cwd: ROOT, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, PATH: `${ROOT}node_modules/.bin:${process.env.PATH}` } });
  closeSync(fd);
  pgidOf.set(BASE_PORT, child.pid);
  return child;
}
async function waitUp(log) {
  for (let i = 0; i < 120; i++) {
    try { await fetch(`http://127.0.0.1:${BASE_PORT}/`); return; } catch { await new Promise((r) => setTimeout(r, 500)); }
  }
  throw new Error(`wrangler dev on ${BASE_PORT} did not start; see ${log}`);
}
async function stopDev(child) {
  await stopGroup(child.pid);
}

/** The same request to both: the same rows and totals (order list) or positions (credit). */
async function sameAnswer(c) {
  for (let k = 0; k < 5; k++) {
    const [method, path, cookie] = c.make(pick(accounts));
    const ask = async (port) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { cookie, origin: PORTAL } });
      return { status: r.status, body: await r.json() };
    };
    const [a, b] = [await ask(PORT), await ask(BASE_PORT)];
    const view = (x) => answerView(x.body);
    if (a.status !== 200 || b.status !== 200 || view(a) !== view(b)) {
      throw new Error(`${c.name}: the baseline answers differently for ${path}:\nportal ${a.status} ${view(a).slice(-300)}\nbaseline ${b.status} ${view(b).slice(-300)}`);
    }
  }
}

// ---- 6. The run ----
// Every case answers 200 before it is timed.
for (const c of CASES) {
  for (let k = 0; k < 3; k++) {
    const [method, path, cookie, body] = c.make(pick(accounts));
    const send = () => fetch(`${PORTAL}${path}`, { method, headers: { ...(cookie ? { cookie } : {}), origin: PORTAL, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body || undefined });
    // One retry: a keep-alive connection left from the sign-ins may have been closed by the server.
    const r = await send().catch(send);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${c.name}: ${method} ${path} answered ${r.status}`);
  }
}

copyDb();
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const results = [];
const started = performance.now();
const line = (r) => `p50 ${(r.p50 / 1000).toFixed(1).padStart(6)} ms  p99 ${(r.p99 / 1000).toFixed(1).padStart(6)}  max ${(r.max / 1000).toFixed(1).padStart(6)}  ${r.rps.toFixed(0).padStart(5)}/s  err ${r.errors}  server cpu ${r.serverCpuMs.toFixed(1)} ms/req  wrk ${r.wrkCorePct.toFixed(1)}% of a core  machine ${r.machineBusyPct.toFixed(0)}%`;
function run(c, conns, port, target, round) {
  const r = measure(port, c, conns);
  results.push({ case: c.name, target, round, ...r });
  console.log(`${c.name.padEnd(40)} c=${String(conns).padStart(2)} ${target.padEnd(16)} ${line(r)}`);
}
/** Two targets in ROUNDS rounds, alternating which goes first, so drift in the machine's other
 * load hits both alike. */
function paired(c, conns, a, b) {
  for (let k = 0; k < ROUNDS; k++) {
    for (const [port, target] of k % 2 === 0 ? [a, b] : [b, a]) run(c, conns, port, target, k);
  }
}

const baseLog = `${OUT}/baseline-wrangler.log`;
const base = startDev(writeBaselineConfig(`${STATE}/baseline`), baseLog);
try {
  await waitUp(baseLog);
  for (const c of CASES.filter((x) => x.baseline)) await sameAnswer(c);
  for (const c of CASES) {
    for (const conns of CONC) {
      if (c.baseline) paired(c, conns, [PORT, 'portal'], [BASE_PORT, 'baseline']);
      else run(c, conns, PORT, 'portal', 0);
    }
  }
} finally {
  await stopDev(base);
}

// The capability Worker alone: the same requests without the entry Worker and its service binding.
if (!process.env.SKIP_DIRECT) {
  for (const cap of ['orders', 'finance']) {
    const cases = CASES.filter((c) => c.baseline === cap && c.direct !== false);
    if (!cases.length) continue;
    const log = `${OUT}/direct-${cap}-wrangler.log`;
    const dev = startDev(`${STATE}/config/${cap}/wrangler.toml`, log);
    try {
      await waitUp(log);
      for (const c of cases) for (const conns of CONC) paired(c, conns, [PORT, 'portal again'], [BASE_PORT, `${cap} alone`]);
    } finally {
      await stopDev(dev);
    }
  }
}
const minutes = ((performance.now() - started) / 60000).toFixed(1);
writeFileSync(`${OUT}/results.json`, JSON.stringify({ info, accounts: accounts.length, duration: DURATION, rounds: ROUNDS, results }, null, 1));

// ---- 7. The tables ----
const ms = (us) => (us / 1000).toFixed(1);
const of = (name, target, conns) => results.filter((r) => r.case === name && r.target === target && r.conns === conns);
const out = [];
out.push(`Data: ${info.counts}. D1 file ${(info.fileBytes / 1e9).toFixed(2)} GB, generated in ${info.generatedSeconds} s.`);
out.push(`Load: wrk 1 thread, ${DURATION} s per run after ${WARMUP} s of warm-up, keep-alive connections; ${accounts.length} signed-in admins of ${accounts.length} companies, requests rotated over ${LINES_PER_FILE} pre-built ones per case. Stack settings: ${stackVars()}${frozenAt ? `; the stack ran frozen copies of the Workers built in the tree (HEAD ${frozenAt.head}, newest build ${frozenAt.newest}Z)` : ''}. Run took ${minutes} min.\n`);
out.push('| case | conns | p50 ms | p99 ms | max ms | req/s | errors | server CPU ms/req: workerd + wrangler | wrk CPU (% of a core) | wrk share of CPU used | machine busy |');
out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results.filter((x) => x.target === 'portal' && x.round === 0)) {
  out.push(`| ${r.case} | ${r.conns} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.rps.toFixed(0)} | ${r.errors} | ${r.workerdMs.toFixed(1)} + ${r.nodeMs.toFixed(1)} | ${r.wrkCorePct.toFixed(1)}% | ${r.wrkSharePct.toFixed(1)}% | ${r.machineBusyPct.toFixed(0)}% |`);
}
/** Medians over the rounds of a pair, and the median of the per-round ratios a / b. */
function pairTable(title, ta, tb, la, lb) {
  const rows = [];
  for (const c of CASES.filter((x) => x.baseline)) {
    for (const conns of CONC) {
      const [a, b] = [of(c.name, ta(c), conns), of(c.name, tb(c), conns)];
      if (!a.length || !b.length) continue;
      const ratio = (k) => median(a.map((x, i) => x[k] / b[i][k])).toFixed(2);
      const both = (k, d = 1) => `${median(a.map((x) => x[k])).toFixed(d)} / ${median(b.map((x) => x[k])).toFixed(d)}`;
      rows.push(`| ${c.name} | ${conns} | ${ms(median(a.map((x) => x.p50)))} | ${ms(median(b.map((x) => x.p50)))} | ${ratio('p50')} | ${ms(median(a.map((x) => x.p99)))} | ${ms(median(b.map((x) => x.p99)))} | ${ratio('p99')} | ${both('workerdMs')} | ${ratio('workerdMs')} | ${both('nodeMs')} | ${both('rps', 0)} |`);
    }
  }
  if (!rows.length) return;
  out.push(`\n${title} (medians over ${ROUNDS} alternating rounds of ${DURATION} s each; ratios: median of the per-round ratios):\n`);
  out.push(`| case | conns | ${la} p50 ms | ${lb} p50 ms | ratio p50 | ${la} p99 ms | ${lb} p99 ms | ratio p99 | workerd CPU ms/req ${la} / ${lb} | ratio workerd CPU | wrangler (node) CPU ms/req | req/s ${la} / ${lb} |`);
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  out.push(...rows);
}
pairTable('Portal against the baseline (minimal JS Worker, same session check and SQL)', () => 'portal', () => 'baseline', 'portal', 'baseline');
pairTable('Portal against the capability Worker alone (its own `wrangler dev`: no entry Worker and service binding in front)', () => 'portal again', (c) => `${c.baseline} alone`, 'portal', 'alone');
const shares = results.map((r) => r.wrkSharePct).sort((a, b) => a - b);
const cores = results.map((r) => r.wrkCorePct).sort((a, b) => a - b);
out.push(`\nwrk's own CPU: ${cores[0].toFixed(1)}-${cores[cores.length - 1].toFixed(1)}% of one core (median ${cores[Math.floor(cores.length / 2)].toFixed(1)}%), `
  + `${shares[0].toFixed(1)}-${shares[shares.length - 1].toFixed(1)}% of all CPU the machine used during a run (median ${shares[Math.floor(shares.length / 2)].toFixed(1)}%).`);
const md = out.join('\n');
writeFileSync(`${OUT}/results.md`, md + '\n');
console.log(`\n${md}`);
