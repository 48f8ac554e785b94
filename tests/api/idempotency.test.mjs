// `Idempotency-Key` on every route that creates or pays (issue 20): for each, the same key twice in
// sequence and twice at the same moment gives exactly one effect (counted through the API) and
// identical answers (the repeat marked `Idempotency-Replayed: true`); the same key with another
// body is 422 `idempotency-key-reused`; another user's same key is that user's own request; a
// malformed key is 400. Every test makes its own company (CI runs files side by side).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, PORTAL, freshCompany, sendAndApply, uid } from '../lib/portal.mjs';
import { creditMsg, orderMsg, productMsg, shippingCalendar } from '../lib/orders.mjs';
import { payableOrder } from '../lib/card.mjs';
import { PNG, shippedOrder } from '../lib/returns.mjs';

before(async () => { await shippingCalendar(); });

const newKey = () => `k-${randomUUID()}`;
const ok = (r) => assert.ok(r.status >= 200 && r.status < 300, `${r.status} ${JSON.stringify(r.body)}`);

async function signedIn(user) {
  const c = new Client();
  assert.equal((await c.signIn(user.email, user.password)).status, 200);
  return c;
}

/**
 * Checks one route. `send(client, phase, key, changed)` sends the request of a phase (`seq`,
 * `par`, `other`: each may need its own target, e.g. its own order) with the key; `changed` asks
 * for the `seq` request with another body. `count()` counts the effects through the API.
 * `other` is a second user of the same company who may make the request too.
 */
async function checkRoute({ client, other, send, count }) {
  const start = await count();
  // In sequence: one effect, the same answer, marked as a replay.
  const k1 = newKey();
  const first = await send(client, 'seq', k1);
  ok(first);
  assert.equal(first.headers.get('idempotency-replayed'), null);
  const again = await send(client, 'seq', k1);
  assert.equal(again.status, first.status);
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('idempotency-replayed'), 'true');
  assert.equal(await count(), start + 1, 'one effect for the repeated request');

  // At the same moment: one effect, identical answers.
  const k2 = newKey();
  const [a, b] = await Promise.all([send(client, 'par', k2), send(client, 'par', k2)]);
  ok(a);
  assert.equal(b.status, a.status);
  assert.deepEqual(b.body, a.body);
  assert.equal(await count(), start + 2, 'one effect for the parallel pair');

  // The same key with another body: refused, nothing done.
  const reused = await send(client, 'seq', k1, true);
  assert.equal(reused.status, 422, JSON.stringify(reused.body));
  assert.equal(reused.body.code, 'idempotency-key-reused');
  assert.ok(reused.body.title_ru && reused.body.title_en);

  // Another user's same key is that user's own request.
  const theirs = await send(other, 'other', k1);
  ok(theirs);
  assert.equal(theirs.headers.get('idempotency-replayed'), null);
  assert.equal(await count(), start + 3, 'the other user made their own');

  // A malformed key: 400 naming the header, nothing done.
  for (const bad of ['x'.repeat(65), 'with space', 'a/b', 'k;1']) {
    const r = await send(client, 'seq', bad);
    assert.equal(r.status, 400, `${bad}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, 'invalid-idempotency-key');
    assert.equal(r.body.field_errors[0].field, 'Idempotency-Key');
  }
  assert.equal(await count(), start + 3);
}

const withKey = (key) => ({ 'idempotency-key': key });

/** A company with two admins (each may do every action) and what 1C sends for it; the orders'
 *  portal ids by their number's last part. */
async function company(messages = () => []) {
  const co = await freshCompany([['admin'], ['admin']]);
  const c = co.id;
  await sendAndApply([productMsg(c, 1, { price: 100 }), productMsg(c, 2, { price: 10 })]);
  const more = messages(c);
  if (more.length) await sendAndApply(more);
  const [admin, other] = [await signedIn(co.users[0]), await signedIn(co.users[1])];
  const list = (await admin.get('/api/orders/orders')).body.items;
  const id = Object.fromEntries(list.map((o) => [o.number.split('-').pop(), o.id]));
  return { co, c, admin, other, id };
}

/** How many audit entries of `kind` the company has: written in the same batch as the effect. */
const audited = (admin, kind) => async () => (await admin.get(`/api/company/audit?kind=${kind}&limit=200`)).body.items.filter((a) => a.kind === kind).length;

const version = async (client, id) => (await client.get(`/api/orders/orders/${id}`)).body.order.version;

test('repeat an order: one new order per key', async () => {
  const { admin, other, id } = await company((c) => [orderMsg(c, 1, { status: 'shipped', lines: [[1, 2, 100]] })]);
  await checkRoute({
    client: admin,
    other,
    send: (cl, _phase, key, changed) => cl.req('POST', `/api/orders/orders/${id[1]}/repeat`, changed ? { again: true } : undefined, withKey(key)),
    count: audited(admin, 'order.created'),
  });
});

test('cancellation: one change to 1C per key', async () => {
  const { admin, other, id } = await company((c) => [1, 2, 3].map((n) => orderMsg(c, n, { lines: [[1, 1, 100]] })));
  const target = { seq: id[1], par: id[2], other: id[3] };
  const versions = Object.fromEntries(await Promise.all(Object.entries(target).map(async ([k, o]) => [k, await version(admin, o)])));
  await checkRoute({
    client: admin,
    other,
    send: (cl, phase, key, changed) => cl.req('POST', `/api/orders/orders/${target[phase]}/cancellation`,
      { version: versions[phase], reason: changed ? 'Другая причина' : 'Не нужен' }, withKey(key)),
    count: audited(admin, 'order.cancel_requested'),
  });
});

test('payment method to credit: one reserve per key', async () => {
  const { admin, other, id } = await company((c) => [...[1, 2, 3].map((n) => orderMsg(c, n, { lines: [[1, 1, 100]] })), creditMsg(c, { limit: 100000 })]);
  const target = { seq: id[1], par: id[2], other: id[3] };
  const versions = Object.fromEntries(await Promise.all(Object.entries(target).map(async ([k, o]) => [k, await version(admin, o)])));
  await checkRoute({
    client: admin,
    other,
    send: (cl, phase, key, changed) => cl.req('POST', `/api/orders/orders/${target[phase]}/payment-method`,
      { version: versions[phase], payment_method: 'credit', ship_today: !!changed }, withKey(key)),
    count: audited(admin, 'order.payment_method_changed'),
  });
});

test('consolidation: one request to 1C per key', async () => {
  const { admin, other, id } = await company((c) => [1, 2].map((n) => orderMsg(c, n, { lines: [[1, 1, 100]] })));
  await checkRoute({
    client: admin,
    other,
    send: (cl, _phase, key, changed) => cl.req('POST', '/api/orders/consolidations', { orders: changed ? [id[2], id[1]] : [id[1], id[2]] }, withKey(key)),
    count: audited(admin, 'order.consolidation_requested'),
  });
});

test('card payment: one payment per key', async () => {
  const { c, admin, other } = await company();
  for (const s of ['a', 'b', 'd']) await payableOrder(c, s);
  const list = (await admin.get('/api/orders/orders')).body.items;
  const byNumber = (s) => list.find((o) => o.number === `ЗК-К${`${c}-${s}`.slice(-8)}`).id;
  const target = { seq: byNumber('a'), par: byNumber('b'), other: byNumber('d') };
  const payments = async () => {
    let n = 0;
    for (const o of Object.values(target)) if ((await admin.get(`/api/orders/orders/${o}`)).body.card_payment) n++;
    return n;
  };
  await checkRoute({
    client: admin,
    other,
    send: (cl, phase, key, changed) => cl.req('POST', `/api/orders/orders/${target[phase]}/card-payments`, changed ? { again: true } : undefined, withKey(key)),
    count: payments,
  });
});

test('payment from the internal account: one hold per key', async () => {
  const { admin, other, id } = await company((c) => [...[1, 2, 3, 4].map((n) => orderMsg(c, n, { lines: [[1, 1, 300]] })),
    { id: uid('m'), type: 'account_movement', entity_id: `${c}-mv1`, seq: 1, payload: { company_id: c, date: '2026-11-01T10:00:00', kind: 'refund', amount: 1000 } }]);
  const target = { seq: id[1], par: id[2], other: id[3] };
  await checkRoute({
    client: admin,
    other,
    // Another body: another order (paid if the key were not checked).
    send: (cl, phase, key, changed) => cl.req('POST', '/api/finance/account/payments', { order_id: changed ? id[4] : target[phase] }, withKey(key)),
    count: audited(admin, 'order.paid_from_account'),
  });
  assert.equal((await admin.get('/api/finance/account')).body.held_kop <= 90000, true, 'never more than three holds');
});

test('return request: one return per key', async () => {
  const { c, admin, other } = await company();
  const order = await shippedOrder(c);
  const orderId = (await admin.get('/api/orders/orders')).body.items.find((o) => o.number === order.number).id;
  await checkRoute({
    client: admin,
    other,
    send: (cl, _phase, key, changed) => cl.req('POST', '/api/returns/returns',
      { order_id: orderId, reason: 'defect', lines: [{ line_no: 1, quantity: changed ? 2 : 1 }] }, withKey(key)),
    count: audited(admin, 'return.requested'),
  });
});

test('return photo: one photo per key', async () => {
  const { c, admin, other } = await company();
  const order = await shippedOrder(c);
  const orderId = (await admin.get('/api/orders/orders')).body.items.find((o) => o.number === order.number).id;
  const ret = await admin.post('/api/returns/returns', { order_id: orderId, reason: 'defect', lines: [{ line_no: 1, quantity: 1 }] });
  assert.equal(ret.status, 201, JSON.stringify(ret.body));
  const rid = ret.body.return.id;
  const upload = async (cl, key, bytes) => {
    const res = await fetch(`${PORTAL}/api/returns/returns/${rid}/photos`, { method: 'POST', body: bytes,
      headers: { 'content-type': 'image/png', origin: PORTAL, 'cf-connecting-ip': cl.ip, cookie: [...cl.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'idempotency-key': key } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  await checkRoute({
    client: admin,
    other,
    send: (cl, _phase, key, changed) => upload(cl, key, changed ? Buffer.concat([PNG, Buffer.from([0])]) : PNG),
    count: async () => (await admin.get(`/api/returns/returns/${rid}`)).body.photos.length,
  });
});

test('new consignee: one per key', async () => {
  const { admin, other } = await company();
  await checkRoute({
    client: admin,
    other,
    send: (cl, phase, key, changed) => cl.req('POST', '/api/company/consignees',
      { name: `Склад ${phase}`, address: changed ? 'Кореновск' : 'Усть-Лабинск' }, withKey(key)),
    count: async () => (await admin.get('/api/company/consignees')).body.items.length,
  });
});

test('new employee: one invitation per key', async () => {
  const { c, admin, other } = await company();
  const email = (phase) => `${c}-${phase}@test.demo`;
  await checkRoute({
    client: admin,
    other,
    send: (cl, phase, key, changed) => cl.req('POST', '/api/company/employees',
      { email: email(phase), full_name: changed ? 'Другое Имя' : 'Новый Сотрудник', roles: ['buyer'] }, withKey(key)),
    count: async () => (await admin.get('/api/company/employees')).body.items.length,
  });
});

test('reconciliation act request: one request per key', async () => {
  const { admin, other } = await company();
  const le = (await admin.get('/api/documents/acts')).body.legal_entities[0].id;
  const month = { seq: ['2025-01-01', '2025-01-31'], par: ['2025-02-01', '2025-02-28'], other: ['2025-03-01', '2025-03-31'] };
  await checkRoute({
    client: admin,
    other,
    send: (cl, phase, key, changed) => cl.req('POST', '/api/documents/acts',
      { legal_entity_id: le, preset: 'custom', period_from: month[phase][0], period_to: changed ? '2025-01-30' : month[phase][1] }, withKey(key)),
    count: audited(admin, 'act.requested'),
  });
});
