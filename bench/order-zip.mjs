// The order's ZIP at 200 MB (issue 23): an order whose documents carry FILES generated scans of
// 20 MB each (the exchange's largest file), uploaded as 1C uploads them, downloaded as one
// streamed archive to disk. Prints the upload and download times, the archive's length against
// its Content-Length, `unzip -t`, and the documents Worker's wasm memory after the download (its
// dev-only header: scripts/stack.sh sets REPORT_WASM_MEMORY; wasm memory only grows, so the reading
// bounds the most the download used). Fails when the memory is over 32 MB or the archive is broken.
// On the self-hosted runtime (RUNTIME=native, STACK_STATE of its stack) it reports the server
// process's peak resident memory during the download instead (Linux: the peak is reset through
// /proc/PID/clear_refs just before it, read as VmHWM after) and fails when the download raised it
// by more than 32 MB.
// Usage: node bench/order-zip.mjs [files=10] [MB per file=20]   (PORTAL_URL, SIM_URL as for the tests)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, freshCompany } from '../tests/lib/portal.mjs';
import { bigOrder, documentsWasmMemory, downloadTo } from '../tests/lib/documents.mjs';

const MB = 1024 * 1024;
const NATIVE = process.env.RUNTIME === 'native';
const FILES = Number(process.argv[2] ?? 10);

/** The native server's resident memory in bytes (`VmRSS` now, `VmHWM` the peak since the reset). */
function serverMemory(field) {
  const pid = readFileSync(join(process.env.STACK_STATE, 'wrangler.pid'), 'utf8').trim();
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`));
  return Number(m[1]) * 1024;
}
function resetPeak() {
  const pid = readFileSync(join(process.env.STACK_STATE, 'wrangler.pid'), 'utf8').trim();
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
const SIZE = Number(process.argv[3] ?? 20) * MB;

const co = await freshCompany([['buyer']]);
const buyer = new Client();
if ((await buyer.signIn(co.users[0].email, co.users[0].password)).status !== 200) throw new Error('sign-in failed');
const before = await documentsWasmMemory(buyer);
let t = performance.now();
const o = await bigOrder(co.id, FILES, SIZE);
const uploadMs = performance.now() - t;
const list = (await buyer.get(`/api/documents/documents?order=${encodeURIComponent(o.number)}&limit=200`)).body;
const orderId = list.items[0].orders[0].order_id;
const dir = mkdtempSync(join(tmpdir(), 'order-zip-'));
try {
  const file = join(dir, 'order.zip');
  let rssBefore = 0;
  if (NATIVE) {
    resetPeak();
    rssBefore = serverMemory('VmRSS');
  }
  t = performance.now();
  const zip = await downloadTo(buyer, `/api/documents/orders/${orderId}/archive`, file);
  const downloadMs = performance.now() - t;
  const rssPeak = NATIVE ? serverMemory('VmHWM') : 0;
  if (zip.status !== 200) throw new Error(`archive: ${zip.status}`);
  const declared = Number(zip.headers.get('content-length'));
  t = performance.now();
  const unzip = /No errors detected/.test(execFileSync('unzip', ['-t', file], { encoding: 'utf8', maxBuffer: 16 * MB }));
  const unzipMs = performance.now() - t;
  const after = await documentsWasmMemory(buyer);
  const rows = [
    ['files', `${FILES} x ${(SIZE / MB).toFixed(0)} MB`],
    ['upload (signed PUTs + documents applied)', `${(uploadMs / 1000).toFixed(1)} s`],
    ['archive Content-Length', `${declared} bytes (${(declared / MB).toFixed(1)} MB)`],
    ['archive body received', `${zip.length} bytes${zip.length === declared ? ' (= Content-Length)' : ' (DIFFERS)'}`],
    ['download time', `${(downloadMs / 1000).toFixed(2)} s (${(zip.length / MB / (downloadMs / 1000)).toFixed(0)} MB/s)`],
    ['unzip -t', `${unzip ? 'No errors detected' : 'FAILED'} (${(unzipMs / 1000).toFixed(1)} s)`],
  ];
  if (NATIVE) {
    rows.push(['portal-server RSS before the download', `${(rssBefore / MB).toFixed(1)} MB`]);
    rows.push(['portal-server peak RSS during it', `${(rssPeak / MB).toFixed(1)} MB`]);
  } else {
    rows.push(['documents Worker wasm memory before', `${(before.bytes / MB).toFixed(1)} MB`]);
    rows.push(['documents Worker wasm memory after', `${(after.bytes / MB).toFixed(1)} MB${after.isolate === zip.headers.get('x-dev-isolate') ? '' : ' (ANOTHER ISOLATE)'}`]);
  }
  for (const [k, v] of rows) console.log(`${k.padEnd(42)} ${v}`);
  const memoryOk = NATIVE
    ? rssPeak - rssBefore <= 32 * MB
    : after.bytes > 0 && after.bytes <= 32 * MB && after.isolate === zip.headers.get('x-dev-isolate');
  if (!unzip || zip.length !== declared || !memoryOk) {
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
