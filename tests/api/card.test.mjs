// Card payment over HTTP on the real stack, the simulator playing YooKassa: one payment per order
// however often asked, the hosted page's URL, a forged notification ignored, success making the
// order paid and reaching 1C as order.paid_by_card once, a cancelled payment, and refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, PORTAL, SIM, freshCompany, onecReceived } from '../lib/portal.mjs';
import { forgeNotification, notificationsSent, payableOrder, settle, until } from '../lib/card.mjs';
import { shippedOrder } from '../lib/returns.mjs';

async function setUp() {
  const co = await freshCompany([['buyer'], ['accountant']]);
  const order = await payableOrder(co.id);
  const buyer = new Client();
  assert.equal((await buyer.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const accountant = new Client();
  assert.equal((await accountant.signIn(co.users[1].email, co.users[1].password)).status, 200);
  const list = await buyer.get(`/api/orders/orders?number=${encodeURIComponent(order.number)}`);
  assert.equal(list.body.items.length, 1);
  return { co, order, buyer, accountant, id: list.body.items[0].id };
}

/** YooKassa's notification straight to the portal: no cookie, no Origin. */
async function notify(event, object) {
  const r = await fetch(`${PORTAL}/api/orders/card-notifications`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'notification', event, object }) });
  return { status: r.status, body: await r.json() };
}

test('one payment per order; a forged notification changes nothing; success pays the order and reaches 1C once', async () => {
  const { co, order, buyer, accountant, id } = await setUp();
  assert.equal((await buyer.get(`/api/orders/orders/${id}`)).body.can_pay_by_card, true);
  assert.equal((await accountant.post(`/api/orders/orders/${id}/card-payments`)).status, 403);
  const other = await freshCompany([['admin']]);
  const stranger = new Client();
  await stranger.signIn(other.users[0].email, other.users[0].password);
  assert.equal((await stranger.post(`/api/orders/orders/${id}/card-payments`)).status, 404);

  const r = await buyer.post(`/api/orders/orders/${id}/card-payments`);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.amount_kop, 125000);
  const paymentId = r.body.payment_id;
  assert.equal(r.body.confirmation_url, `${SIM}/yookassa/checkout/${paymentId}`);
  // A second click while it is open: the same payment.
  const again = await buyer.post(`/api/orders/orders/${id}/card-payments`);
  assert.equal(again.status, 200);
  assert.equal(again.body.payment_id, paymentId);
  // The API (as the portal reads it) has it pending, with our metadata.
  const page = await fetch(r.body.confirmation_url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Оплатить/);

  // Forged: the body says succeeded, the API says pending.
  await forgeNotification(paymentId);
  const direct = await notify('payment.succeeded', { id: paymentId, status: 'succeeded', paid: true, amount: { value: '1250.00', currency: 'RUB' } });
  assert.equal(direct.status, 200);
  assert.equal(direct.body.status, 'ignored');
  await new Promise((res) => setTimeout(res, 1000));
  let d = (await buyer.get(`/api/orders/orders/${id}`)).body;
  assert.equal(d.order.paid_kop, 0);
  assert.equal(d.card_payment.status, 'pending');
  assert.ok(!(await onecReceived()).some((c) => c.type === 'order.paid_by_card' && c.entity_id === order.onecId));

  // The buyer pays on the hosted page; the simulator notifies; the portal re-reads and applies.
  await settle(paymentId, 'succeed');
  d = await until(async () => {
    const b = (await buyer.get(`/api/orders/orders/${id}`)).body;
    return b.card_payment.status === 'succeeded' && b;
  }, 'the order paid');
  assert.equal(d.order.paid_kop, 125000);
  assert.equal(d.order.status, 'paid');
  assert.equal(d.order.payment_method, 'card');
  assert.equal(d.can_pay_by_card, false);
  assert.equal(d.history[0].kind, 'order.paid_by_card');
  const change = await until(async () => (await onecReceived()).find((c) => c.type === 'order.paid_by_card' && c.entity_id === order.onecId), '1C got the change');
  assert.equal(change.payload.company_id, co.id);
  assert.equal(change.payload.order_id, order.onecId);
  assert.equal(change.payload.amount, 1250, 'rubles as a JSON number');
  assert.equal(change.payload.transaction_id, paymentId);

  // The notification again (YooKassa retries): nothing more.
  const repeat = await notify('payment.succeeded', { id: paymentId });
  assert.equal(repeat.status, 200);
  assert.equal(repeat.body.status, 'already-processed');
  assert.equal((await buyer.get(`/api/orders/orders/${id}`)).body.order.paid_kop, 125000);
  await new Promise((res) => setTimeout(res, 500));
  assert.equal((await onecReceived()).filter((c) => c.type === 'order.paid_by_card' && c.entity_id === order.onecId).length, 1);
  assert.equal((await buyer.post(`/api/orders/orders/${id}/card-payments`)).body.code, 'not-payable');
  assert.ok((await notificationsSent()).some((n) => n.object.id === paymentId && n.event === 'payment.succeeded'));
});

test('a cancelled payment closes, the order stays unpaid, and a new payment can start', async () => {
  const { buyer, id } = await setUp();
  const first = (await buyer.post(`/api/orders/orders/${id}/card-payments`)).body.payment_id;
  await settle(first, 'cancel');
  const d = await until(async () => {
    const b = (await buyer.get(`/api/orders/orders/${id}`)).body;
    return b.card_payment.status === 'canceled' && b;
  }, 'the payment cancelled');
  assert.equal(d.order.paid_kop, 0);
  assert.equal(d.card_payment.cancel_reason, 'canceled_by_merchant');
  assert.equal(d.can_pay_by_card, true);
  const second = await buyer.post(`/api/orders/orders/${id}/card-payments`);
  assert.equal(second.status, 201);
  assert.notEqual(second.body.payment_id, first);
});

test('refusals: a shipped order, an unknown payment id, a malformed notification', async () => {
  const co = await freshCompany([['buyer']]);
  const shipped = await shippedOrder(co.id);
  const buyer = new Client();
  await buyer.signIn(co.users[0].email, co.users[0].password);
  const id = (await buyer.get(`/api/orders/orders?number=${encodeURIComponent(shipped.number)}`)).body.items[0].id;
  const r = await buyer.post(`/api/orders/orders/${id}/card-payments`);
  assert.equal(r.status, 409);
  assert.equal(r.body.code, 'not-payable');
  assert.ok(r.body.title_ru && r.body.title_en);
  assert.equal((await notify('payment.succeeded', { id: 'no-such-payment' })).body.status, 'unknown');
  const bad = await fetch(`${PORTAL}/api/orders/card-notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(bad.status, 400);
  // The switch of payment method points at the card payment instead.
  const pm = await buyer.post(`/api/orders/orders/${id}/payment-method`, { version: 1, payment_method: 'card' });
  assert.ok(['use-card-payment', 'not-editable'].includes(pm.body.code));
});
