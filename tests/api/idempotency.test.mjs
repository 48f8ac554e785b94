// `Idempotency-Key` on every route that creates or pays (issue 20): for each, the same key twice in
// sequence and twice at the same moment gives exactly one effect (counted through the API) and
// identical answers (the repeat marked `Idempotency-Replayed: true`); the same key with another
// body is 422 `idempotency-key-reused`; another user's same key is that user's own request; a
// malformed key is 400. Every test makes its own company (CI runs files side by side).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, freshCompany, sendAndApply } from '../lib/portal.mjs';
import { orderMsg, productMsg, shippingCalendar } from '../lib/orders.mjs';

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

/** A company with two buyers, products and `orders` from 1C; the orders' portal ids by number. */
async function company(orders) {
  const co = await freshCompany([['buyer'], ['buyer', 'accountant']]);
  const c = co.id;
  await sendAndApply([productMsg(c, 1, { price: 100 }), productMsg(c, 2, { price: 10 })]);
  await sendAndApply(orders(c));
  const [buyer, other] = [await signedIn(co.users[0]), await signedIn(co.users[1])];
  const list = (await buyer.get('/api/orders/orders')).body.items;
  const id = Object.fromEntries(list.map((o) => [o.number.split('-').pop(), o.id]));
  return { co, c, buyer, other, id };
}

test('repeat an order: one new order per key', async () => {
  const { buyer, other, id } = await company((c) => [orderMsg(c, 1, { status: 'shipped', lines: [[1, 2, 100]] })]);
  await checkRoute({
    client: buyer,
    other,
    send: (cl, _phase, key, changed) => cl.req('POST', `/api/orders/orders/${id[1]}/repeat`, changed ? { again: true } : undefined, withKey(key)),
    count: async () => (await buyer.get('/api/orders/orders')).body.items.length,
  });
});
