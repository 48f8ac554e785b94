// The order's ZIP at 200 MB (issue 23): an order whose documents carry FILES generated scans of
// 20 MB each (the exchange's largest file), uploaded as 1C uploads them, downloaded as one
// streamed archive to disk. Prints the upload and download times, the archive's length against
// its Content-Length, `unzip -t`, and the documents Worker's wasm memory after the download (its
// dev-only header: scripts/stack.sh sets REPORT_WASM_MEMORY; wasm memory only grows, so the reading
// bounds the most the download used). Fails when the memory is over 32 MB or the archive is broken.
// Usage: node bench/order-zip.mjs [files=10] [MB per file=20]   (PORTAL_URL, SIM_URL as for the tests)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, freshCompany } from '../tests/lib/portal.mjs';
import { bigOrder, documentsWasmMemory, downloadTo } from '../tests/lib/documents.mjs';

const MB = 1024 * 1024;
const FILES = Number(process.argv[2] ?? 10);
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
  t = performance.now();
  const zip = await downloadTo(buyer, `/api/documents/orders/${orderId}/archive`, file);
  const downloadMs = performance.now() - t;
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
    ['documents Worker wasm memory before', `${(before.bytes / MB).toFixed(1)} MB`],
    ['documents Worker wasm memory after', `${(after.bytes / MB).toFixed(1)} MB${after.isolate === zip.headers.get('x-dev-isolate') ? '' : ' (ANOTHER ISOLATE)'}`],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(42)} ${v}`);
  if (!unzip || zip.length !== declared || !(after.bytes > 0 && after.bytes <= 32 * MB) || after.isolate !== zip.headers.get('x-dev-isolate')) {
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
