// Capacity of one server (issue 24): the same full-scale data set (bench/lib/dataset.mjs) and the
// same requests on the local Workers stack (`wrangler dev`: workerd, local D1) and on the
// self-hosted runtime (functions/server, release build, SQLite in WAL mode on a byte copy of the
// same D1 file), side by side: `wrk` at rising connection counts, the two runtimes alternating at
// each step so the machine's other load hits both alike, until p99 passes 1 s; then the inbound
// exchange (bench/inbound-throughput.mjs) on both. Prints markdown tables; keeps the request
// files and results in $STACK_STATE/capacity/.
//
// Usage (the bench stack started as in docs/benchmarks.md, "Latency under load"):
//   bash bench/setup.sh   # wrk, sqlite3
//   STACK_VARS="THROTTLE_ACCOUNT_MAX=1000000 THROTTLE_IP_MAX=1000000 ACCESS_TTL_SECS=7200" \
//     bash scripts/stack.sh start $HOME/stack-bench 8867 8868
//   PORTAL_URL=http://127.0.0.1:8867 SIM_URL=http://127.0.0.1:8868 STACK_STATE=$HOME/stack-bench node bench/capacity.mjs
// env: NATIVE_PORT (8877), DURATION seconds per run (8), WARMUP (2), CONCURRENCY (1,8,32,64,128),
//   ACCOUNTS (128), CASES (a regular expression), INBOUND (2000 messages; 0: skip).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { COMPANIES, d1File, ensureDataset, ROOT, sqlite, STATE, stackVars, USERS_PER } from './lib/dataset.mjs';
import { Client, PORTAL, SIM } from '../tests/lib/portal.mjs';
import { haveWrk, runWrk, stopGroup } from './lib/wrk.mjs';

const PORT = Number(new URL(PORTAL).port);
const NATIVE_PORT = Number(process.env.NATIVE_PORT ?? 8877);
const DURATION = Number(process.env.DURATION ?? 8);
const WARMUP = Number(process.env.WARMUP ?? 2);
const CONC = (process.env.CONCURRENCY ?? '1,8,32,64,128').split(',').map(Number);
const ACCOUNTS = Number(process.env.ACCOUNTS ?? 128);
const ONLY = process.env.CASES ? new RegExp(process.env.CASES) : null;
const INBOUND = Number(process.env.INBOUND ?? 2000);
const OUT = `${STATE}/capacity`;
const NATIVE = `${OUT}/native`;
const P99_LIMIT_US = 1_000_000;
mkdirSync(OUT, { recursive: true });
haveWrk();

// ---- 1. The data set and signed-in accounts (their sessions are in the file the copy takes) ----
const info = await ensureDataset();
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
const accounts = [];
for (let j = 0; j < ACCOUNTS; j++) {
  const company = 1 + Math.floor((j * (COMPANIES - 1)) / ACCOUNTS);
  const client = new Client();
  const email = `bench-c${company}-u0@bench.demo`;
  const r = await client.signIn(email, info.password);
  if (r.status !== 200) throw new Error(`sign-in ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  accounts.push({ email, cookie: `__Host-portal_at=${client.cookies.get('__Host-portal_at')}` });
}
console.log(`signed in ${accounts.length} accounts`);

// ---- 2. The native host on a byte copy of the Workers stack's D1 file ----
console.log('building portal-server (release)');
execFileSync('cargo', ['build', '-q', '--release', '-p', 'portal-server'], { cwd: ROOT, stdio: 'inherit' });
rmSync(NATIVE, { recursive: true, force: true });
mkdirSync(`${NATIVE}/blobs`, { recursive: true });
const t0 = performance.now();
execFileSync('sqlite3', [d1File(), '.timeout 30000', `.backup '${NATIVE}/portal.sqlite3'`]);
console.log(`copied the D1 file in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
// The same variables as the Workers (scripts/stack.sh's native branch), the stack's settings, and
// PUBLIC_URL the Workers stack's: the request files carry its Origin, and both runtimes check it.
const vars = execFileSync('bash', ['-c', "grep -h '^[A-Z_]* = ' functions/*/wrangler.toml | sed -e 's/ = /=/' -e 's/\"//g' | sort -u"], { cwd: ROOT, encoding: 'utf8' });
writeFileSync(`${NATIVE}/native.env`, [vars.trim(), readFileSync(`${ROOT}.dev-secrets`, 'utf8').trim(),
  `PUBLIC_URL=${PORTAL}`, `MAIL_API_URL=${SIM}/mail`, `ONEC_PUSH_URL=${SIM}/hs/portal/v1`, `YOOKASSA_API_URL=${SIM}/yookassa/v3`,
  `BIND=127.0.0.1:${NATIVE_PORT}`, `DATABASE_PATH=${NATIVE}/portal.sqlite3`, `BLOB_DIR=${NATIVE}/blobs`, `STATIC_DIR=${ROOT}static`,
  `MIGRATIONS_DIR=${ROOT}d1-migrations`, 'TRUSTED_PROXIES=127.0.0.1', 'BACKUP_EVERY_HOURS=0', ...stackVars().split(/\s+/)].join('\n') + '\n');
const log = openSync(`${NATIVE}/server.log`, 'w');
const server = spawn(`${ROOT}target/release/portal-server`, [], { cwd: ROOT, detached: true, stdio: ['ignore', log, log],
  env: { ...process.env, PORTAL_ENV_FILE: `${NATIVE}/native.env` } });
closeSync(log);
const nativeUrl = `http://127.0.0.1:${NATIVE_PORT}`;
for (let i = 0; ; i++) {
  try { if ((await fetch(`${nativeUrl}/`)).ok) break; } catch { /* starting */ }
  if (i > 240) throw new Error(`portal-server did not start; see ${NATIVE}/server.log`);
  await new Promise((r) => setTimeout(r, 500));
}
const pgidOf = new Map([[PORT, Number(readFileSync(`${STATE}/wrangler.pid`, 'utf8').trim())], [NATIVE_PORT, server.pid]]);
const cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
console.log(`portal-server up (${cores} cores, one thread each unless THREADS says otherwise)`);

try {
  // ---- 3. The cases: the same pre-built requests against both ----
  const CASES = [
    { name: 'sign-in', make: () => ['POST', '/api/auth/sign-in', '', JSON.stringify({ email: `bench-c${1 + Math.floor(Math.random() * (COMPANIES - 1))}-u${Math.floor(Math.random() * USERS_PER)}@bench.demo`, password: info.password })] },
    { name: 'order list: no filter', make: (a) => ['GET', '/api/orders/orders', a.cookie, ''] },
    { name: 'order list: status', make: (a) => ['GET', `/api/orders/orders?status=${pick(['shipped', 'draft,awaiting_payment', 'paid', 'reserved,partly_shipped'])}`, a.cookie, ''] },
    { name: 'credit panel', make: (a) => ['GET', '/api/finance/credit', a.cookie, ''] },
  ].filter((c) => !ONLY || ONLY.test(c.name));
  for (const c of CASES) {
    c.file = `${OUT}/${c.name.replace(/[^a-z0-9]+/gi, '-')}.tsv`;
    writeFileSync(c.file, Array.from({ length: 4000 }, () => c.make(pick(accounts)).join('\t')).join('\n') + '\n');
    // Both answer 200 before anything is timed (the sessions were copied with the data).
    for (const port of [PORT, NATIVE_PORT]) {
      const [method, path, cookie, body] = c.make(pick(accounts));
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, body: body || undefined,
        headers: { origin: PORTAL, ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) } });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${c.name} on ${port}: ${method} ${path} answered ${r.status}`);
    }
  }

  // ---- 4. Rising load, the two runtimes alternating at each step ----
  const results = [];
  const started = performance.now();
  const run = (c, conns, port, target) => {
    if (WARMUP > 0) runWrk({ port, pgid: pgidOf.get(port), file: c.file, conns, seconds: WARMUP });
    const r = runWrk({ port, pgid: pgidOf.get(port), file: c.file, conns, seconds: DURATION });
    results.push({ case: c.name, target, ...r });
    console.log(`${c.name.padEnd(24)} c=${String(conns).padStart(3)} ${target.padEnd(8)} p50 ${(r.p50 / 1000).toFixed(1).padStart(7)} ms  p99 ${(r.p99 / 1000).toFixed(1).padStart(7)}  ${r.rps.toFixed(0).padStart(5)}/s  err ${r.errors}  server cpu ${r.serverCpuMs.toFixed(2)} ms/req  machine ${r.machineBusyPct.toFixed(0)}%`);
    return r;
  };
  for (const c of CASES) {
    const over = new Set();
    for (const [k, conns] of CONC.entries()) {
      const order = k % 2 === 0 ? [[PORT, 'workers'], [NATIVE_PORT, 'native']] : [[NATIVE_PORT, 'native'], [PORT, 'workers']];
      for (const [port, target] of order) {
        if (over.has(target)) continue;
        if (run(c, conns, port, target).p99 > P99_LIMIT_US) over.add(target);
      }
      if (over.size === 2) break;
    }
  }

  // ---- 5. The inbound exchange: messages stored and applied per second, on each ----
  const inbound = {};
  if (INBOUND > 0) {
    for (const [url, target] of [[PORTAL, 'workers'], [nativeUrl, 'native']]) {
      const out = execFileSync('node', ['bench/inbound-throughput.mjs', String(INBOUND)], { cwd: ROOT, encoding: 'utf8',
        env: { ...process.env, PORTAL_URL: url } });
      inbound[target] = out.trim().split('\n').pop();
      console.log(`inbound ${target}: ${inbound[target]}`);
    }
  }
  const minutes = ((performance.now() - started) / 60000).toFixed(1);
  writeFileSync(`${OUT}/results.json`, JSON.stringify({ info, results, inbound }, null, 1));

  // ---- 6. The tables ----
  const ms = (us) => (us / 1000).toFixed(1);
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const out = [];
  out.push(`Data: ${info.counts}. HEAD ${head}; ${cores} cores shared by the server, wrk (1 thread) and this script. wrk ${DURATION} s per run after ${WARMUP} s of warm-up; ${accounts.length} signed-in admins of as many companies; the two runtimes alternate at each step. Run took ${minutes} min.\n`);
  out.push('| case | conns | Workers p50 ms | native p50 ms | Workers p99 ms | native p99 ms | Workers req/s | native req/s | server CPU ms/req Workers / native | errors | machine busy |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of CASES) {
    for (const conns of CONC) {
      const [w, n] = ['workers', 'native'].map((t) => results.find((r) => r.case === c.name && r.target === t && r.conns === conns));
      if (!w && !n) continue;
      const f = (r, k, g) => (r ? g(r[k]) : 'over');
      out.push(`| ${c.name} | ${conns} | ${f(w, 'p50', ms)} | ${f(n, 'p50', ms)} | ${f(w, 'p99', ms)} | ${f(n, 'p99', ms)} | ${f(w, 'rps', (x) => x.toFixed(0))} | ${f(n, 'rps', (x) => x.toFixed(0))} | ${f(w, 'serverCpuMs', (x) => x.toFixed(2))} / ${f(n, 'serverCpuMs', (x) => x.toFixed(2))} | ${(w?.errors ?? 0) + (n?.errors ?? 0)} | ${f(w, 'machineBusyPct', (x) => x.toFixed(0))}% / ${f(n, 'machineBusyPct', (x) => x.toFixed(0))}% |`);
    }
  }
  out.push('\nWhere p99 first passes 1 s ("over": not run further):\n');
  for (const c of CASES) {
    for (const t of ['workers', 'native']) {
      const first = results.find((r) => r.case === c.name && r.target === t && r.p99 > P99_LIMIT_US);
      const best = results.filter((r) => r.case === c.name && r.target === t).reduce((m, r) => Math.max(m, r.rps), 0);
      out.push(`- ${c.name}, ${t}: ${first ? `at ${first.conns} connections (${first.rps.toFixed(0)} req/s)` : `not within ${CONC[CONC.length - 1]} connections`}; the most it served: ${best.toFixed(0)} req/s`);
    }
  }
  if (INBOUND > 0) out.push(`\nInbound exchange, ${INBOUND} messages in batches of 250:\n\n- Workers: ${inbound.workers}\n- native: ${inbound.native}`);
  const md = out.join('\n');
  writeFileSync(`${OUT}/results.md`, md + '\n');
  console.log(`\n${md}`);
} finally {
  await stopGroup(server.pid);
}
