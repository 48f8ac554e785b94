// Issue 13, item 14: a 1C message must not tie entities of different companies together. A
// message of company B that points at company A's legal entity, agreement, order or return (or a
// company snapshot that claims A's legal entity or agreement) is rejected with a reason, and
// nothing of A changes hands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, companyMsg, freshCompany, onecPost, batch, sendAndApply, uid, waitApplied } from '../lib/portal.mjs';
import { orderMsg, creditMsg } from '../lib/orders.mjs';

/** Sends messages, waits for their verdicts and returns them by message id. */
async function verdicts(messages) {
  const r = await onecPost('/exchange/v1/messages', batch(messages));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const items = await waitApplied(messages.map((m) => m.id));
  return Object.fromEntries(items.map((i) => [i.id, i]));
}

function assertForeign(v, what) {
  assert.equal(v.status, 'rejected', `${what}: ${JSON.stringify(v)}`);
  assert.match(v.reason ?? '', /^foreign-reference/, `${what}: ${v.reason}`);
}

test('messages of one company pointing at another company\'s entities are rejected', async () => {
  const a = await freshCompany([['admin', 'accountant', 'buyer']]);
  const b = await freshCompany([['admin', 'accountant', 'buyer']]);
  const A = a.id;
  const B = b.id;
  // A has an order and a credit state on its own agreement.
  await sendAndApply([orderMsg(A, 1, { lines: [[1, 2, 100]] }), creditMsg(A, { limit: 100000 })]);

  const bOrderWithAsAgreement = orderMsg(B, 1, { lines: [[1, 1, 100]], extra: { agreement_id: `${A}-ag` } });
  const bOrderWithAsLegalEntity = orderMsg(B, 2, { lines: [[1, 1, 100]], extra: { legal_entity_id: `${A}-le` } });
  const bCreditOnAsAgreement = { ...creditMsg(B, { limit: 999, seq: 50 }), entity_id: `${A}-ag` };
  bCreditOnAsAgreement.payload = { ...bCreditOnAsAgreement.payload, agreement_id: `${A}-ag` };
  const bScheduleOfAsOrder = { id: uid('m'), type: 'payment_schedule', entity_id: `${A}-o1`, seq: 50, payload: {
    company_id: B, order_id: `${A}-o1`, agreement_id: `${B}-ag`, stages: [{ due_date: '2026-12-20T00:00:00', amount: 200, paid: 0 }] } };
  const bReturnOfAsOrder = { id: uid('m'), type: 'return', entity_id: uid('ret'), seq: 1, payload: {
    company_id: B, portal_id: null, order_id: `${A}-o1`, number: 'ВЗ-1', date: '2026-11-25T10:00:00', status: 'requested', reason: null, lines: [{ line_no: 1, quantity: 1 }], refund_amount: 0 } };
  const bPaymentForAsOrder = { id: uid('m'), type: 'payment', entity_id: uid('pay'), seq: 1, payload: {
    company_id: B, legal_entity_id: `${B}-le`, agreement_id: `${B}-ag`, number: 'БП-1', date: '2026-11-25T11:00:00', amount: 200, purpose: 'Оплата',
    allocations: [{ order_id: `${A}-o1`, amount: 200 }], posted: true } };
  const bMovementOnAsOrder = { id: uid('m'), type: 'account_movement', entity_id: uid('mv'), seq: 1, payload: {
    company_id: B, legal_entity_id: `${B}-le`, date: '2026-11-25T12:00:00', kind: 'correction', amount: 10, return_id: null, order_id: `${A}-o1`, change_id: null, comment: null } };
  const bDocumentOfAsOrder = { id: uid('m'), type: 'document', entity_id: uid('doc'), seq: 1, payload: {
    company_id: B, legal_entity_id: `${B}-le`, kind: 'invoice', kind_name: 'Счет на оплату', number: 'СЧ-1', date: '2026-11-25T11:00:00', amount: 200, vat: 33.33,
    orders: [`${A}-o1`], shipment_id: null, edo_status: null, lines: [], files: [] } };
  const bOpeningOnAsEntity = { id: uid('m'), type: 'opening_balance', entity_id: uid('ob'), seq: 1, payload: {
    company_id: B, legal_entity_id: `${A}-le`, agreement_id: `${A}-ag`, date: '2024-11-01T00:00:00', balance: -1 } };
  // A company snapshot of B that claims A's legal entity (the upsert keys on the 1C id, so it
  // would move A's legal entity, with A's orders on it, to B).
  const bClaimsAsEntity = companyMsg(B, 2, `Компания ${B}`, {
    legal_entities: [{ id: `${A}-le`, name: 'ООО «Чужое»', inn: '7707083893', kpp: '773601001' }],
    agreements: [{ id: `${B}-ag`, legal_entity_id: `${A}-le`, name: 'Договор', credit_limit: 1, deferral_days: 1, price_type: { id: 'pt-opt', name: 'Оптовая' } }] });

  const msgs = { bOrderWithAsAgreement, bOrderWithAsLegalEntity, bCreditOnAsAgreement, bScheduleOfAsOrder, bReturnOfAsOrder,
    bPaymentForAsOrder, bMovementOnAsOrder, bDocumentOfAsOrder, bOpeningOnAsEntity, bClaimsAsEntity };
  const v = await verdicts(Object.values(msgs));
  for (const [name, m] of Object.entries(msgs)) assertForeign(v[m.id], name);

  // Nothing of A moved to B, and A still sees its own credit and order.
  const adminA = new Client();
  assert.equal((await adminA.signIn(a.users[0].email, a.users[0].password)).status, 200);
  const creditA = await adminA.get('/api/finance/credit');
  assert.equal(creditA.status, 200);
  assert.equal(JSON.stringify(creditA.body).includes('999'), false, 'A\'s credit state was not overwritten by B');
  const ordersA = await adminA.get('/api/orders/orders');
  assert.equal(ordersA.body.items.length, 1);
  const adminB = new Client();
  assert.equal((await adminB.signIn(b.users[0].email, b.users[0].password)).status, 200);
  const ordersB = await adminB.get('/api/orders/orders');
  assert.equal(ordersB.body.items.length, 0, 'B got no order tied to A');
  const creditB = await adminB.get('/api/finance/credit');
  assert.equal(JSON.stringify(creditB.body).includes(`${A}-ag`), false);
  const returnsB = await adminB.get('/api/returns/returns');
  assert.equal(returnsB.body.items.length, 0);

  // The same kinds of messages pointing at B's own entities apply.
  const own = [orderMsg(B, 3, { lines: [[1, 1, 100]] }), creditMsg(B, { limit: 5000 })];
  const ok = await verdicts(own);
  for (const m of own) assert.equal(ok[m.id].status, 'applied', JSON.stringify(ok[m.id]));
});
