// Repeat into a draft over HTTP (issue 20): the draft shows the old order's lines at today's price
// of the company's price type with today's stock, lines that cannot be ordered flagged with why
// (no price, out of stock, no longer sold); looking creates nothing; another company's order is
// 404; the reviewed draft places one order (order.created to 1C) with the edited quantities;
// an unavailable line or an unknown field is refused (422) and creates nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany, onecReceived, sendAndApply, uid } from '../lib/portal.mjs';
import { article, orderMsg, productMsg } from '../lib/orders.mjs';

async function until(check, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function setUp() {
  const co = await freshCompany([['buyer']]);
  const c = co.id;
  // 1: priced, in stock; 2: no price on the agreement; 3: out of stock; 4: no longer sold.
  await sendAndApply([productMsg(c, 1, { price: 1234.5, stock: 7 }), productMsg(c, 2, { price: null }), productMsg(c, 3, { price: 10, stock: 0 }),
    productMsg(c, 4, { price: 20 })]);
  await sendAndApply([orderMsg(c, 1, { status: 'shipped', lines: [[1, 2, 1000], [2, 1, 50], [3, 4, 10], [4, 1, 20]] })]);
  const retired = productMsg(c, 4, { price: 20 });
  await sendAndApply([{ ...retired, seq: 2, payload: { ...retired.payload, active: false } }]);
  const buyer = new Client();
  assert.equal((await buyer.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const id = (await buyer.get('/api/orders/orders')).body.items[0].id;
  return { c, buyer, id };
}

const count = async (client) => (await client.get('/api/orders/orders')).body.totals.count;

test('the draft: today\'s prices and stock, unavailable lines flagged with why; nothing created by looking; another company\'s order is 404', async () => {
  const { c, buyer, id } = await setUp();
  const r = await buyer.get(`/api/orders/orders/${id}/repeat-draft`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const lines = Object.fromEntries(r.body.lines.map((l) => [l.article, l]));
  const one = lines[article(c, 1)];
  assert.equal(one.price_kop, 123450, "today's price, not 1 000 then");
  assert.equal(one.was_price_kop, 100000);
  assert.equal(one.stock_milli, 7000);
  assert.equal(one.qty_milli, 2000);
  assert.equal(one.amount_kop, 246900);
  assert.equal(one.available, true);
  assert.equal(one.reason, null);
  assert.deepEqual([2, 3, 4].map((n) => [lines[article(c, n)].available, lines[article(c, n)].reason]),
    [[false, 'unpriced'], [false, 'out_of_stock'], [false, 'inactive']]);
  assert.ok(lines[article(c, 3)].reason_ru && lines[article(c, 3)].reason_en);
  assert.equal(r.body.total_kop, 246900, 'only what can be ordered');
  assert.equal(await count(buyer), 1, 'looking creates nothing');

  const other = await freshCompany([['admin']]);
  const stranger = new Client();
  await stranger.signIn(other.users[0].email, other.users[0].password);
  assert.equal((await stranger.get(`/api/orders/orders/${id}/repeat-draft`)).status, 404);
  assert.equal((await stranger.post(`/api/orders/orders/${id}/repeat-draft`, { lines: [{ line_no: 1, quantity: '1' }] })).status, 404);
});

test('placing the reviewed draft: edited quantities at today\'s prices go to 1C once; unavailable lines and unknown fields are 422 and create nothing', async () => {
  const { c, buyer, id } = await setUp();
  const path = `/api/orders/orders/${id}/repeat-draft`;
  const unavailable = await buyer.post(path, { lines: [{ line_no: 1, quantity: '1' }, { line_no: 3, quantity: '1' }] });
  assert.equal(unavailable.status, 422);
  assert.deepEqual(unavailable.body.field_errors.map((f) => `${f.field}:${f.code}`), ['lines[1].line_no:line-unavailable']);
  const unknown = await buyer.post(path, { lines: [{ line_no: 1, quantity: '1', price: 1 }] });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.body.field_errors[0].field, 'lines[0].price');
  const extra = await buyer.post(path, { lines: [{ line_no: 1, quantity: '1' }], payment_method: 'credit' });
  assert.equal(extra.status, 422);
  const badQty = await buyer.post(path, { lines: [{ line_no: 1, quantity: '0' }] });
  assert.equal(badQty.status, 422);
  assert.equal(badQty.body.field_errors[0].field, 'lines[0].quantity');
  assert.equal(await count(buyer), 1, 'nothing created by a refusal');

  const r = await buyer.post(path, { lines: [{ line_no: 1, quantity: '3' }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.total_kop, 370350, '3 x 1 234,50');
  const created = (await buyer.get(`/api/orders/orders/${r.body.id}`)).body;
  assert.equal(created.order.status, 'draft');
  assert.deepEqual(created.lines.map((l) => [l.article, l.qty_milli, l.price_kop]), [[article(c, 1), 3000, 123450]]);
  const sent = await until(async () => (await onecReceived()).find((x) => x.type === 'order.created' && x.payload.portal_id === r.body.id), '1C got the order');
  assert.equal(sent.payload.lines.length, 1);
  assert.equal(sent.payload.lines[0].quantity, 3);
  assert.equal(await count(buyer), 2);
});

test('placing the draft honours Idempotency-Key: the same key in sequence and in parallel makes one order with the same answer; another body with it is 422', async () => {
  const { buyer, id } = await setUp();
  const path = `/api/orders/orders/${id}/repeat-draft`;
  const body = { lines: [{ line_no: 1, quantity: '2' }] };
  const start = await count(buyer);
  const k1 = `k-${uid('seq')}`;
  const first = await buyer.post(path, body, { 'idempotency-key': k1 });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const again = await buyer.post(path, body, { 'idempotency-key': k1 });
  assert.equal(again.status, 201);
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('idempotency-replayed'), 'true');
  assert.equal(await count(buyer), start + 1, 'one order for the repeated request');
  const k2 = `k-${uid('par')}`;
  const [a, b] = await Promise.all([buyer.post(path, body, { 'idempotency-key': k2 }), buyer.post(path, body, { 'idempotency-key': k2 })]);
  assert.equal(a.status, 201, JSON.stringify(a.body));
  assert.equal(b.status, 201, JSON.stringify(b.body));
  assert.deepEqual(b.body, a.body);
  assert.equal(await count(buyer), start + 2, 'one order for the parallel pair');
  const reused = await buyer.post(path, { lines: [{ line_no: 1, quantity: '5' }] }, { 'idempotency-key': k1 });
  assert.equal(reused.status, 422, JSON.stringify(reused.body));
  assert.equal(reused.body.code, 'idempotency-key-reused');
  assert.equal(await count(buyer), start + 2);
});
