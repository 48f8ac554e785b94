// Documents as 1C delivers them: files first with the signed PUT, then `document` and
// `reconciliation_act` messages referring to them by key. Shared by the HTTP, browser and
// matrix tests.
import { PORTAL, onecHeaders, sendAndApply, uid } from './portal.mjs';

/** PUTs a file as 1C does: the raw body signed like every 1C request. */
export async function onecPut(key, bytes, contentType = 'application/pdf') {
  const path = `/exchange/v1/files/${key}`;
  const res = await fetch(PORTAL + path, {
    method: 'PUT',
    headers: { 'content-type': contentType, ...onecHeaders('PUT', path, bytes) },
    body: bytes,
  });
  if (res.status !== 201) throw new Error(`upload ${key}: ${res.status} ${await res.text()}`);
}

export const pdf = (text) => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`);

/** Uploads a PDF and returns the `files` entry a message carries. */
export async function pdfFile(name, text = name) {
  const key = `${uid('f')}.pdf`;
  const bytes = pdf(text);
  await onecPut(key, bytes);
  return { key, name, content_type: 'application/pdf', size: bytes.length, role: 'print', bytes };
}

export function orderMsg(company, id, number, shipments = []) {
  return { id: uid('m'), type: 'order', entity_id: id, seq: 1, payload: {
    company_id: company, legal_entity_id: `${company}-le`, agreement_id: `${company}-ag`, number, date: '2026-08-01T10:00:00',
    status: 'shipped', payment_method: 'invoice', paid: 0, total: 3000, vat_total: 500,
    lines: [{ line_no: 1, article: 'AZ-1', name: 'Фильтр масляный', quantity: 30, unit: 'шт', price: 100, amount: 3000, vat: 500 }],
    shipments } };
}

export function documentMsg(company, id, { kind = 'upd', kindName = 'УПД', number, date, amount, orders = [], shipment = null, files = [], corrects = null }) {
  const vat = Math.round((amount / 6) * 100) / 100;
  const payload = {
    company_id: company, legal_entity_id: `${company}-le`, kind, kind_name: kindName, number, date, amount, vat, orders,
    shipment_id: shipment, edo_status: 'signed',
    lines: kind === 'ukd' ? [] : [{ line_no: 1, article: 'AZ-1', name: 'Фильтр масляный', quantity: 1, unit: 'шт', price: amount, amount, vat_rate: 20, vat }],
    files: files.map(({ bytes, ...f }) => f),
  };
  if (kind === 'upd') payload.upd_status = 1;
  if (corrects) payload.corrects_id = corrects;
  return { id: uid('m'), type: 'document', entity_id: id, seq: 1, payload };
}

/** An order shipped by three vehicles: an invoice and one УПД per vehicle, each with its PDF. */
export async function multiVehicleOrder(company) {
  const o = `${company}-o1`;
  const number = `ЗК-${o.slice(-8)}`;
  const shipments = [1, 2, 3].map((i) => ({ id: `${o}-s${i}`, number: `ОТ-${i}`, date: `2026-08-0${i + 2}T09:00:00`, vehicle: `А${i}23ВС 93` }));
  await sendAndApply([orderMsg(company, o, number, shipments)]);
  const files = [await pdfFile('Счет на оплату № СЧ-1 от 01.08.2026.pdf')];
  for (const i of [1, 2, 3]) files.push(await pdfFile(`УПД № ${i} от 0${i + 2}.08.2026.pdf`));
  const docs = [documentMsg(company, `${o}-inv`, { kind: 'invoice', kindName: 'Счет на оплату', number: 'СЧ-1', date: '2026-08-01T11:00:00', amount: 3000, orders: [o], files: [files[0]] })];
  for (const i of [1, 2, 3]) {
    docs.push(documentMsg(company, `${o}-upd${i}`, { number: `УПД-${i}`, date: `2026-08-0${i + 2}T12:00:00`, amount: 1000, orders: [o], shipment: `${o}-s${i}`, files: [files[i]] }));
  }
  await sendAndApply(docs);
  return { onecId: o, number, files, docIds: docs.map((d) => d.entity_id) };
}

export function actMsg(company, id, { requestId = null, from, to, opening, operations, files = [] }) {
  const debit = operations.reduce((s, o) => s + (o.debit ?? 0), 0);
  const credit = operations.reduce((s, o) => s + (o.credit ?? 0), 0);
  const round = (x) => Math.round(x * 100) / 100;
  return { id: uid('m'), type: 'reconciliation_act', entity_id: id, seq: 1, payload: {
    company_id: company, request_id: requestId, legal_entity_id: `${company}-le`, number: `АС-${id.slice(-4)}`,
    period_from: `${from}T00:00:00`, period_to: `${to}T00:00:00`, opening_balance: opening, operations,
    debit_total: round(debit), credit_total: round(credit), closing_balance: round(opening + debit - credit),
    files: files.map(({ bytes, ...f }) => f) } };
}

/** An order whose documents carry `count` generated files of `fileBytes` each (random bytes behind
 *  a PDF header: incompressible, like scans), uploaded as 1C uploads them; one УПД per file.
 *  Returns the order's 1C id and number and each file's name, size and CRC-32 (the bytes are not
 *  kept: the 200 MB benchmark uses this too). */
export async function bigOrder(company, count, fileBytes) {
  const { randomBytes } = await import('node:crypto');
  const { crc32 } = await import('node:zlib');
  const o = `${company}-big`;
  const number = `ЗК-${o.slice(-8)}`;
  const shipments = Array.from({ length: count }, (_, i) => ({ id: `${o}-s${i + 1}`, number: `ОТ-${i + 1}`, date: '2026-08-03T09:00:00', vehicle: `А${i}23ВС 93` }));
  await sendAndApply([orderMsg(company, o, number, shipments)]);
  const files = [];
  const docs = [];
  for (let i = 1; i <= count; i++) {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(fileBytes - 9)]);
    const key = `${uid('f')}.pdf`;
    await onecPut(key, bytes);
    const f = { key, name: `УПД № ${i} от 03.08.2026.pdf`, content_type: 'application/pdf', size: bytes.length, role: 'print' };
    files.push({ name: f.name, size: bytes.length, crc: crc32(bytes) });
    docs.push(documentMsg(company, `${o}-upd${i}`, { number: `УПД-${i}`, date: '2026-08-03T12:00:00', amount: 1000, orders: [o], shipment: `${o}-s${i}`, files: [f] }));
  }
  await sendAndApply(docs, 60000);
  return { onecId: o, number, files };
}

/** GETs `path` with the client's cookies, writing the body to `file` as it arrives (never whole in
 *  memory). Returns the status, headers and the number of bytes written. */
export async function downloadTo(client, path, file, headers = {}) {
  const { createWriteStream } = await import('node:fs');
  const { Readable } = await import('node:stream');
  const { pipeline } = await import('node:stream/promises');
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(PORTAL + path, { headers: { cookie, 'cf-connecting-ip': client.ip, ...headers } });
  let length = 0;
  if (res.body) {
    const body = Readable.fromWeb(res.body);
    body.on('data', (c) => { length += c.length; });
    await pipeline(body, createWriteStream(file));
  }
  return { status: res.status, headers: res.headers, length };
}

/** The documents Worker's wasm memory as its dev-only header reports it (`REPORT_WASM_MEMORY`,
 *  set by scripts/stack.sh), and the isolate that answered. Wasm memory never shrinks: read after
 *  a download, it bounds the most the download used in that isolate. */
export async function documentsWasmMemory(client) {
  const r = await client.get('/api/documents/documents?limit=1');
  return { bytes: Number(r.headers.get('x-dev-wasm-memory-bytes')), isolate: r.headers.get('x-dev-isolate') };
}
