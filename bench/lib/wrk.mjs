// Running wrk for the load benchmarks (bench/latency.mjs, bench/ratio.mjs) and reading the CPU
// the server and wrk used from /proc.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync as spawnProcess } from 'node:child_process';
import { PORTAL } from '../../tests/lib/portal.mjs';
import { ROOT } from './dataset.mjs';

export function haveWrk() {
  if (spawnProcess('wrk', ['--version']).error) {
    console.error('wrk is not installed: run `bash bench/setup.sh` first');
    process.exit(1);
  }
}

/** Jiffies over all cores: [busy, total]. */
export function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((s, x) => s + x, 0);
  return [total - idle, total];
}

/** CPU seconds used so far by every process of a process group (a `wrangler dev`: its node
 * process and its workerd processes; bench/lib/workerd-serve.mjs: node and one workerd). */
export function groupCpu(pgid) {
  const cpu = { workerd: 0, node: 0 };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const x = f.slice(f.lastIndexOf(')') + 2).split(' '); // x[0] is field 3 (state)
      if (Number(x[2]) !== pgid) continue; // field 5: the process group
      const kind = f.slice(f.indexOf('(') + 1, f.lastIndexOf(')')) === 'workerd' ? 'workerd' : 'node';
      cpu[kind] += (Number(x[11]) + Number(x[12])) / 100; // fields 14, 15: utime, stime
    } catch { /* gone */ }
  }
  return cpu;
}

/** One wrk run over a request file (bench/wrk/requests.lua) against 127.0.0.1:port, with the
 * serving process group's CPU per request. `host`: a Host header instead of the address. */
export function runWrk({ port, pgid, file, conns, seconds, host }) {
  const server0 = groupCpu(pgid);
  const before = machineCpu();
  const r = spawnProcess('/usr/bin/time', ['-f', 'CPUTIME %e %U %S', 'wrk', '-t1', `-c${conns}`, `-d${seconds}s`, '--latency', '--timeout', '20s',
    '-s', `${ROOT}/bench/wrk/requests.lua`, `http://127.0.0.1:${port}`, '--', file, PORTAL, ...(host ? [host] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const after = machineCpu();
  const server1 = groupCpu(pgid);
  const m = /WRKJSON (\{.*\})/.exec(r.stdout);
  const t = /CPUTIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!m || !t) throw new Error(`wrk failed: ${r.stdout}\n${r.stderr}`);
  const res = JSON.parse(m[1]);
  const [elapsed, user, sys] = t.slice(1).map(Number);
  const busy = (after[0] - before[0]) / 100; // CPU seconds the whole machine used (USER_HZ = 100)
  return {
    ...res, conns, elapsed, wrkCpu: user + sys,
    wrkCorePct: (100 * (user + sys)) / elapsed, // of one core
    wrkSharePct: busy > 0 ? (100 * (user + sys)) / busy : 0, // of all CPU used meanwhile
    machineBusyPct: (100 * (after[0] - before[0])) / (after[1] - before[1]),
    rps: res.requests / (res.duration_us / 1e6),
    // CPU of the serving process group per request: its workerd processes and its node
    workerdMs: (1000 * (server1.workerd - server0.workerd)) / res.requests,
    nodeMs: (1000 * (server1.node - server0.node)) / res.requests,
    serverCpuMs: (1000 * (server1.workerd - server0.workerd + server1.node - server0.node)) / res.requests,
    errors: res.status_errors + res.connect + res.read + res.write + res.timeout,
  };
}

export const median = (xs) => { const v = [...xs].sort((x, y) => x - y); return v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2; };

/** JSON with object keys sorted (serde_json's `json!` maps sort them; JS keeps insertion order). */
export const canonical = (v) => JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** What the portal and the baseline must agree on: the rows, totals and cursor of the order list,
 * or the agreements, totals and overdue count of the credit panel. */
export const answerView = (body) => canonical(body.items ? [body.items.map((i) => i.id), body.totals, body.next_cursor] : [body.agreements, body.totals, body.overdue?.length]);

/** Stops a process group: TERM, then KILL after 10 s. */
export async function stopGroup(pgid) {
  try { process.kill(-pgid, 'SIGTERM'); } catch { return; }
  for (let i = 0; i < 50; i++) {
    try { process.kill(-pgid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 200));
  }
  try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
}

/** The JS baseline's config in `dir`, with a .dev.vars holding the portal's session keys (and
 * LOG_REQUESTS=1 with BASELINE_LOG=1: the capability Workers' log line per request). */
export function writeBaselineConfig(dir) {
  mkdirSync(dir, { recursive: true });
  const toml = readFileSync(`${ROOT}/bench/baseline-js/wrangler.toml`, 'utf8').replace(/^main = "/m, `main = "${ROOT}/bench/baseline-js/`);
  writeFileSync(`${dir}/wrangler.toml`, toml);
  const vars = readFileSync(`${ROOT}/.dev-secrets`, 'utf8').split('\n').filter((l) => /^SESSION_(SIGNING|VERIFY)_KEYS?=/.test(l));
  if (process.env.BASELINE_LOG) vars.push('LOG_REQUESTS=1');
  writeFileSync(`${dir}/.dev.vars`, vars.join('\n') + '\n');
  return `${dir}/wrangler.toml`;
}
