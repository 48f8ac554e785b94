// The 1C inbound path against the real stack: signature, replay, duplicates, order, exactness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, PORTAL, batch, companyMsg, freshCompany, onecHeaders, onecPost, sendAndApply, sweep, uid, waitApplied, ONEC_SECRET } from '../lib/portal.mjs';

test('a forged message is refused and nothing is stored', async () => {
  const m = companyMsg(uid('c'), 1, 'Подделка');
  const r = await onecPost('/exchange/v1/messages', batch([m]), { secret: 'not-the-secret' });
  assert.equal(r.status, 401);
  assert.equal(r.body.reason, 'signature-invalid');
  const st = await onecPost('/exchange/v1/message-status', { ids: [m.id] });
  assert.deepEqual(st.body.items, []);
  const unsigned = await fetch(`${process.env.PORTAL_URL ?? 'http://127.0.0.1:8787'}/exchange/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch([m])) });
  assert.equal(unsigned.status, 401);
});

test('a replayed request (old timestamp, valid signature) is refused', async () => {
  const m = companyMsg(uid('c'), 1, 'Повтор');
  const old = Math.floor(Date.now() / 1000) - 3600;
  const r = await onecPost('/exchange/v1/messages', batch([m]), { timestamp: old });
  assert.equal(r.status, 401);
  assert.equal(r.body.reason, 'timestamp-out-of-range');
});

test('a duplicate is ignored; an older sequence number after a newer one is ignored', async () => {
  const co = await freshCompany([['admin']]);
  const admin = new Client();
  await admin.signIn(co.users[0].email, co.users[0].password);
  const v5 = companyMsg(co.id, 5, 'Новое имя');
  await sendAndApply([v5]);
  const dup = await onecPost('/exchange/v1/messages', batch([{ ...v5, payload: { ...v5.payload, name: 'Подмена через дубль' } }]));
  assert.equal(dup.body.results[0].status, 'duplicate');
  const v4 = companyMsg(co.id, 4, 'Старое имя');
  await sendAndApply([v4]);
  const [st] = (await onecPost('/exchange/v1/message-status', { ids: [v4.id] })).body.items;
  assert.equal(st.status, 'stale');
  assert.equal((await admin.get('/api/company/company')).body.company.name, 'Новое имя');
});

test('invalid messages are rejected with a reason and kept; the rest of the batch applies', async () => {
  const good = companyMsg(uid('c'), 1, 'Хорошая');
  const bad = { id: uid('m'), type: 'user', entity_id: uid('u'), seq: 1, payload: { company_id: 'x', email: 'not-an-email', full_name: 'X', roles: ['root'] } };
  const unknown = { id: uid('m'), type: 'teleport', entity_id: 'x', seq: 1, payload: {} };
  const r = await onecPost('/exchange/v1/messages', batch([good, bad, unknown]));
  assert.equal(r.status, 200);
  const byId = Object.fromEntries(r.body.results.map((x) => [x.id, x]));
  assert.equal(byId[good.id].status, 'accepted');
  assert.equal(byId[bad.id].status, 'rejected');
  assert.match(byId[bad.id].reason, /email/);
  assert.equal(byId[unknown.id].code, 'unknown-type');
  const items = await waitApplied([good.id, bad.id, unknown.id]);
  const st = Object.fromEntries(items.map((x) => [x.id, x.status]));
  assert.deepEqual(st, { [good.id]: 'applied', [bad.id]: 'rejected', [unknown.id]: 'rejected' });
});

test('malformed batches get a 400 problem, never a 500', async () => {
  for (const body of ['{', '[]', '{"batch_id":"x","sent_at":"y","messages":[]}', JSON.stringify({ batch_id: 'x', sent_at: 'y', messages: [{ id: 1 }] })]) {
    const r = await onecPost('/exchange/v1/messages', body);
    assert.equal(r.status, 400, body);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  }
});

test('amounts above 2^31 kopecks stay exact through D1', async () => {
  const co = await freshCompany([['admin']]);
  const c = new Client();
  await c.signIn(co.users[0].email, co.users[0].password);
  const company = (await c.get('/api/company/company')).body;
  assert.equal(company.agreements[0].credit_limit_kop, 5000000001);
  assert.ok(ONEC_SECRET);
});

/** PUTs a file as 1C does: the raw body signed like every 1C request. `opts` forge it. */
async function onecPut(key, bytes, opts = {}) {
  const path = `/exchange/v1/files/${key}`;
  const headers = { 'content-type': opts.contentType ?? 'application/pdf' };
  if (!opts.unsigned) Object.assign(headers, onecHeaders('PUT', path, bytes, opts));
  const res = await fetch(PORTAL + path, { method: 'PUT', headers, body: bytes });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function statusOf(id, until, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [item] = (await onecPost('/exchange/v1/message-status', { ids: [id] })).body.items;
    if (item && until.includes(item.status)) return item;
    if (Date.now() > deadline) throw new Error(`${id}: ${JSON.stringify(item)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

test('files: a signed upload is stored; unsigned, forged, odd keys and empty bodies are refused', async () => {
  const key = `${uid('f')}.pdf`;
  const pdf = Buffer.from('%PDF-1.4\n% a test file\n%%EOF\n');
  const unsigned = await onecPut(key, pdf, { unsigned: true });
  assert.equal(unsigned.status, 401);
  const forged = await onecPut(key, pdf, { signedBody: Buffer.from('%PDF-1.4 something else') });
  assert.equal(forged.status, 401);
  assert.equal(forged.body.reason, 'signature-invalid');
  for (const bad of ['.hidden.pdf', 'with%20space.pdf', 'кириллица.pdf', 'a+b.pdf']) {
    const r = await onecPut(bad, pdf);
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.code, 'invalid-file-key', bad);
  }
  // A path segment over 200 characters matches no route at all.
  assert.equal((await onecPut('x'.repeat(201), pdf)).status, 404);
  assert.equal((await onecPut('x'.repeat(200), pdf)).status, 201);
  assert.equal((await onecPut(`${uid('f')}.pdf`, Buffer.alloc(0))).status, 413);
  const ok = await onecPut(key, pdf);
  assert.equal(ok.status, 201);
  assert.deepEqual(ok.body, { key, size: pdf.length });
  // The same key again replaces the file.
  assert.equal((await onecPut(key, Buffer.concat([pdf, pdf]))).status, 201);
});

test('a document waits for its file, and applies once it is uploaded and the sweeper runs', async () => {
  const company = uid('c');
  await sendAndApply([companyMsg(company, 1, 'Документы')]);
  const key = `${uid('d')}-print.pdf`;
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n');
  const doc = {
    id: uid('m'), type: 'document', entity_id: uid('doc'), seq: 1,
    payload: {
      company_id: company, legal_entity_id: `${company}-le`, kind: 'upd', kind_name: 'УПД', number: '123', date: '2026-03-05T14:00:00', upd_status: 1,
      amount: 2469, vat: 411.5, orders: ['o-2026-000123'], shipment_id: 'sh-000123-1', edo_status: 'signed',
      lines: [{ line_no: 1, article: 'AZ10000', name: 'Подшипник МТЗ-82', quantity: 2, unit: 'шт', price: 1234.5, amount: 2469, vat_rate: 20, vat: 411.5 }],
      files: [{ key, name: 'УПД № 123 от 05.03.2026.pdf', content_type: 'application/pdf', size: pdf.length, role: 'print' }],
    },
  };
  const r = await onecPost('/exchange/v1/messages', batch([doc]));
  assert.equal(r.body.results[0].status, 'accepted');
  const waiting = await statusOf(doc.id, ['waiting', 'applied', 'rejected']);
  assert.equal(waiting.status, 'waiting');
  assert.match(waiting.reason, new RegExp(key.replace(/[.-]/g, '\\$&')));

  assert.equal((await onecPut(key, pdf)).status, 201);
  // Nothing retries a waiting message but the sweeper (every minute in production); its clock a
  // minute on, past its freshness cutoff.
  await sweep(new Date(Date.now() + 60_000));
  const [applied] = await waitApplied([doc.id]);
  assert.equal(applied.status, 'applied', JSON.stringify(applied));
});
