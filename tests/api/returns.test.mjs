// Returns over HTTP on the real stack: the quantity refusals, a line return and a whole-order
// return through 1C's approval and completion to the refund on the internal account, a request
// 1C refuses, photos (type by magic bytes, only to their company) and another company's 404s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, PORTAL, freshCompany, sendAndApply } from '../lib/portal.mjs';
import { PNG, refundMsg, returnMsg, shippedOrder } from '../lib/returns.mjs';

const REJECT = 'ОТКЛОНИТЬ-1С';

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
  const co = await freshCompany([['buyer'], ['accountant'], ['admin']]);
  const order = await shippedOrder(co.id);
  const buyer = new Client();
  assert.equal((await buyer.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const accountant = new Client();
  assert.equal((await accountant.signIn(co.users[1].email, co.users[1].password)).status, 200);
  const found = await buyer.get(`/api/returns/returnable-orders?q=${encodeURIComponent(order.number.slice(-6).toLowerCase())}`);
  assert.equal(found.status, 200);
  assert.equal(found.body.items.length, 1);
  return { co, order, buyer, accountant, orderId: found.body.items[0].id };
}

const returnable = async (c, orderId) => Object.fromEntries((await c.get(`/api/returns/returnable-orders/${orderId}`)).body.lines.map((l) => [l.line_no, l.returnable_milli]));

async function completeWithRefund(co, order, id, onecId, lines, refund) {
  await sendAndApply([returnMsg(co.id, onecId, id, order.onecId, 1, { status: 'approved', lines })]);
  await sendAndApply([returnMsg(co.id, onecId, id, order.onecId, 2, { status: 'completed', lines, refund }), refundMsg(co.id, onecId, refund)]);
}

test('quantity refusals: more than shipped minus requested, an unshipped line, bad numbers, each named by line', async () => {
  const { buyer, accountant, orderId } = await setUp();
  assert.deepEqual(await returnable(buyer, orderId), { 1: 8000, 2: 4000, 3: 0 });
  const r = await buyer.post('/api/returns/returns', { order_id: orderId, reason: 'defect', lines: [
    { line_no: 1, quantity: '8.001' }, { line_no: 3, quantity: 1 }, { line_no: 2, quantity: '1,5555' }, { line_no: 9, quantity: 1 }, { line_no: 2, quantity: 0 }] });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.field_errors.map((f) => [f.field, f.code]), [
    ['lines[0].quantity', 'quantity-exceeds-returnable'], ['lines[1].quantity', 'not-shipped'], ['lines[2].quantity', 'invalid-quantity'],
    ['lines[3].line_no', 'unknown-line'], ['lines[4].quantity', 'not-positive']]);
  assert.ok(r.body.field_errors.every((f) => f.message_ru && f.message_en));
  const other = await buyer.post('/api/returns/returns', { order_id: orderId, reason: 'other', lines: [{ line_no: 1, quantity: 1 }] });
  assert.equal(other.status, 422);
  assert.deepEqual(other.body.field_errors.map((f) => f.field), ['comment']);
  // An accountant may look, not request.
  assert.equal((await accountant.post('/api/returns/returns', { order_id: orderId, reason: 'defect', lines: [{ line_no: 1, quantity: 1 }] })).status, 403);
  // Nothing was stored by the refusals.
  assert.deepEqual((await buyer.get('/api/returns/returns')).body.items, []);
  assert.deepEqual(await returnable(buyer, orderId), { 1: 8000, 2: 4000, 3: 0 });
});

test('a line return through 1C to the refund, then the whole remainder of the order through to its refund', async () => {
  const { co, order, buyer, accountant, orderId } = await setUp();
  const r = await buyer.post('/api/returns/returns', { order_id: orderId, reason: 'defect', comment: 'Люфт подшипника', lines: [{ line_no: 1, quantity: '3' }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.return.id;
  assert.equal(r.body.return.status, 'requested');
  assert.deepEqual(await returnable(buyer, orderId), { 1: 5000, 2: 4000, 3: 0 });
  // A second request for more than is left is refused at once.
  const tooMuch = await buyer.post('/api/returns/returns', { order_id: orderId, reason: 'defect', lines: [{ line_no: 1, quantity: 6 }] });
  assert.equal(tooMuch.status, 422);
  assert.equal(tooMuch.body.field_errors[0].code, 'quantity-exceeds-returnable');
  // The request reached 1C as return.requested and was accepted.
  await until(async () => (await buyer.get(`/api/returns/returns/${id}`)).body.sync?.state === 'accepted', '1C took the request');

  const onecId = `${co.id}-ret1`;
  await completeWithRefund(co, order, id, onecId, [{ line_no: 1, quantity: 3 }], 300);
  const d = (await buyer.get(`/api/returns/returns/${id}`)).body;
  assert.equal(d.return.status, 'completed');
  assert.equal(d.lines[0].approved_milli, 3000);
  assert.equal(d.refunded_kop, 30000);
  assert.deepEqual(d.history.map((h) => h.kind), ['return.requested', 'return.status_by_1c', 'return.status_by_1c']);
  const acc = (await accountant.get('/api/finance/account')).body;
  assert.equal(acc.balance_kop, 30000);
  const mv = acc.items.find((m) => m.return_id === id);
  assert.equal(mv.amount_kop, 30000);
  assert.equal(mv.kind, 'refund');

  // The whole order: everything still returnable (5 of line 1, 4 of line 2), nothing unshipped.
  const w = await buyer.post('/api/returns/returns', { order_id: orderId, whole: true, reason: 'surplus' });
  assert.equal(w.status, 201, JSON.stringify(w.body));
  const wid = w.body.return.id;
  assert.deepEqual(w.body.lines.map((l) => [l.line_no, l.requested_milli]), [[1, 5000], [2, 4000]]);
  assert.deepEqual(await returnable(buyer, orderId), { 1: 0, 2: 0, 3: 0 });
  const again = await buyer.post('/api/returns/returns', { order_id: orderId, whole: true, reason: 'surplus' });
  assert.equal(again.status, 422);
  assert.equal(again.body.field_errors[0].code, 'nothing-returnable');
  await completeWithRefund(co, order, wid, `${co.id}-ret2`, [{ line_no: 1, quantity: 5 }, { line_no: 2, quantity: 4 }], 1002);
  const wd = (await buyer.get(`/api/returns/returns/${wid}`)).body;
  assert.equal(wd.return.status, 'completed');
  assert.equal(wd.refunded_kop, 100200);
  assert.equal((await accountant.get('/api/finance/account')).body.balance_kop, 130200);
  const list = (await buyer.get('/api/returns/returns?status=completed')).body.items;
  assert.deepEqual(list.map((x) => x.id), [wid, id]);
  assert.deepEqual(list.map((x) => x.refund_kop), [100200, 30000]);
});

test('1C refuses a request: the return shows the reason and its quantities are returnable again', async () => {
  const { buyer, orderId } = await setUp();
  const r = await buyer.post('/api/returns/returns', { order_id: orderId, reason: 'other', comment: `Не подошёл ${REJECT}`, lines: [{ line_no: 2, quantity: 2 }] });
  assert.equal(r.status, 201);
  const id = r.body.return.id;
  const d = await until(async () => {
    const x = (await buyer.get(`/api/returns/returns/${id}`)).body;
    return x.return.status === 'rejected' ? x : null;
  }, 'refusal shown');
  assert.equal(d.return.reject_reason, 'Проверка в 1С не пройдена');
  assert.equal(d.final, true);
  assert.deepEqual(await returnable(buyer, orderId), { 1: 8000, 2: 4000, 3: 0 });
});

test('photos: checked by their bytes, shown to the company, a 404 to another company', async () => {
  const { buyer, orderId } = await setUp();
  const r = await buyer.post('/api/returns/returns', { order_id: orderId, reason: 'defect', lines: [{ line_no: 1, quantity: 1 }] });
  const id = r.body.return.id;
  const put = (bytes, type, c = buyer) => fetch(`${PORTAL}/api/returns/returns/${id}/photos`, {
    method: 'POST', body: bytes, headers: { 'content-type': type, origin: PORTAL, 'cf-connecting-ip': c.ip, cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  const fake = await put(Buffer.from('not an image at all'), 'image/png');
  assert.equal(fake.status, 415);
  assert.equal((await fake.json()).code.length > 0, true);
  const ok = await put(PNG, 'image/png');
  assert.equal(ok.status, 201);
  const photo = (await ok.json()).id;
  const d = (await buyer.get(`/api/returns/returns/${id}`)).body;
  assert.deepEqual(d.photos.map((p) => [p.id, p.content_type, p.size]), [[photo, 'image/png', PNG.length]]);
  const img = await fetch(`${PORTAL}/api/returns/returns/${id}/photos/${photo}`, { headers: { cookie: [...buyer.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await img.arrayBuffer()), PNG);

  const stranger = await freshCompany([['admin']]);
  const s = new Client();
  assert.equal((await s.signIn(stranger.users[0].email, stranger.users[0].password)).status, 200);
  assert.equal((await s.get(`/api/returns/returns/${id}`)).status, 404);
  assert.equal((await s.get(`/api/returns/returns/${id}/photos/${photo}`)).status, 404);
  assert.equal((await s.get(`/api/returns/returnable-orders/${orderId}`)).status, 404);
  assert.equal((await put(PNG, 'image/png', s)).status, 404);
  // Another company's order in a request is refused exactly like an order that does not exist.
  const foreign = await s.post('/api/returns/returns', { order_id: orderId, reason: 'defect', lines: [{ line_no: 1, quantity: 1 }] });
  const missing = await s.post('/api/returns/returns', { order_id: 'ord_none', reason: 'defect', lines: [{ line_no: 1, quantity: 1 }] });
  assert.equal(foreign.status, 422);
  assert.deepEqual(foreign.body.field_errors, missing.body.field_errors);
  assert.deepEqual((await s.get('/api/returns/returns')).body.items, []);
});
