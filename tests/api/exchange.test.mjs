// The 1C inbound path against the real stack: signature, replay, duplicates, order, exactness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, batch, companyMsg, freshCompany, onecPost, sendAndApply, uid, waitApplied, ONEC_SECRET } from '../lib/portal.mjs';

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
