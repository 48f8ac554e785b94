// Issue 13, item 1 (completed payments count): once 1C posts the movement that pays an order
// from the internal account, that payment covers the order even before 1C's next order snapshot
// raises what the order says is paid; a card payment of the same order is then refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany, sendAndApply, uid } from '../lib/portal.mjs';
import { payableOrder } from '../lib/card.mjs';

test('#13.1 an account payment 1C settled covers the order: no card payment after it', async () => {
  const co = await freshCompany([['admin']]);
  const o = await payableOrder(co.id, 'settled');
  await sendAndApply([{ id: uid('m'), type: 'account_movement', entity_id: `${co.id}-${uid('mv')}`, seq: 1,
    payload: { company_id: co.id, date: '2026-11-01T10:00:00', kind: 'refund', amount: 5000 } }]);
  const admin = new Client();
  assert.equal((await admin.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const id = (await admin.get(`/api/orders/orders?number=${encodeURIComponent(o.number)}`)).body.items[0].id;

  const pay = await admin.post('/api/finance/account/payments', { order_id: id });
  assert.equal(pay.status, 202, JSON.stringify(pay.body));
  const account = (await admin.get('/api/finance/account')).body;
  assert.equal(account.holds.length, 1);
  const changeId = account.holds[0].change_id;
  // 1C posts the payment (the movement names the portal's change); its order snapshot comes later.
  await sendAndApply([{ id: uid('m'), type: 'account_movement', entity_id: `${co.id}-${uid('mv')}`, seq: 1,
    payload: { company_id: co.id, date: '2026-11-28T10:00:00', kind: 'order_payment', amount: -1250, order_id: o.onecId, change_id: changeId } }]);
  const after = (await admin.get('/api/finance/account')).body;
  assert.equal(after.holds.length, 0, 'the hold became the movement');
  assert.equal(after.balance_kop, 375000);

  const card = await admin.post(`/api/orders/orders/${id}/card-payments`);
  assert.equal(card.status, 409, `a paid order offered a card payment: ${JSON.stringify(card.body)}`);
  const again = await admin.post('/api/finance/account/payments', { order_id: id });
  assert.equal(again.status, 409, JSON.stringify(again.body));
  assert.equal((await admin.get(`/api/orders/orders/${id}`)).body.order.paid_kop, 125000);
});

test('#13.1 the order page offers no card payment while a payment from the account is open', async () => {
  const co = await freshCompany([['admin']]);
  const o = await payableOrder(co.id, 'held');
  await sendAndApply([{ id: uid('m'), type: 'account_movement', entity_id: `${co.id}-${uid('mv')}`, seq: 1,
    payload: { company_id: co.id, date: '2026-11-01T10:00:00', kind: 'refund', amount: 5000 } }]);
  const admin = new Client();
  assert.equal((await admin.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const id = (await admin.get(`/api/orders/orders?number=${encodeURIComponent(o.number)}`)).body.items[0].id;
  assert.equal((await admin.get(`/api/orders/orders/${id}`)).body.can_pay_by_card, true);
  assert.equal((await admin.post('/api/finance/account/payments', { order_id: id })).status, 202);
  const page = (await admin.get(`/api/orders/orders/${id}`)).body;
  assert.equal(page.can_pay_by_card, false, 'the page offers what the API refuses');
  assert.equal((await admin.post(`/api/orders/orders/${id}/card-payments`)).status, 409);
});
