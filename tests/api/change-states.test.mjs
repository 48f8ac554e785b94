// The states of a client change the user can trust (issue 15, part B), on the real stack with the
// simulated 1C deciding by this test's rules: waiting (1C silent), received (a manager decides),
// accepted (1C's snapshot not sent yet), applied (a snapshot naming the change in `change_ids`),
// rejected (reason, previous values), failed (dead-lettered); `overdue` when accepted and not
// applied in time (and in the monitor); no payment action while a cancellation is open; the
// order's ETag and 304.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client, MONITOR_TOKEN, PORTAL, sendAndApply, sweep, uid } from '../lib/portal.mjs';
import { shippingCalendar } from '../lib/orders.mjs';
import { order, orderId, page, product, simCompany, simRule, simSend, until } from '../lib/sim.mjs';

before(async () => { await shippingCalendar(); });

const DEADLINE_SECS = Number(process.env.ONEC_APPLY_DEADLINE_SECS ?? 900);

/** A buyer with one unpaid order that 1C holds; `rule` decides this company's changes. */
async function setUp(rule) {
  const co = await simCompany();
  const c = co.id;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  if (rule) await simRule(c, rule);
  const [buyer] = co.clients;
  const id = await orderId(buyer, c, 1);
  return { c, co, buyer, id };
}

const edit = async (buyer, id, address = 'Тимашевск, ул. Ленина, 1') => {
  const o = (await page(buyer, id)).order;
  const r = await buyer.req('PATCH', `/api/orders/orders/${id}`, { version: o.version, delivery_method: 'delivery', delivery_address: address });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal(r.body.state, 'waiting');
  return r.body.change_id;
};

const stateIs = (buyer, id, state) => until(async () => {
  const p = await page(buyer, id);
  return p.change?.state === state ? p : null;
}, `change state ${state}`);

test('waiting while 1C does not answer', async () => {
  const { buyer, id } = await setUp({ mode: 'fail' });
  await edit(buyer, id);
  const p = await page(buyer, id);
  assert.equal(p.change.state, 'waiting');
  assert.equal(p.change.overdue, false);
});

test('1C silent: the change is flagged past the deadline (page and monitor), nothing is lost, applied once 1C is back', async () => {
  const { co, buyer, id } = await setUp({ mode: 'fail' });
  await edit(buyer, id);
  const later = new Date(Date.now() + (DEADLINE_SECS + 60) * 1000).toISOString();
  const lateBuyer = new Client();
  const signIn = await lateBuyer.post('/api/auth/sign-in', { email: co.users[0].email, password: 'Test-password-2026' }, { 'x-test-now': later });
  assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
  const late = (await lateBuyer.get(`/api/orders/orders/${id}`, { 'x-test-now': later })).body;
  assert.equal(late.change.state, 'waiting');
  assert.equal(late.change.overdue, true, JSON.stringify(late.change));
  assert.match(late.change.overdue_message.ru, /не ответила/);
  assert.match(late.change.overdue_message.en, /not answered/);
  const mon = await fetch(`${PORTAL}/exchange/v1/monitor`, { headers: { authorization: `Bearer ${MONITOR_TOKEN}`, 'x-test-now': later } });
  assert.equal(mon.status, 200);
  assert.ok((await mon.json()).waiting_overdue >= 1);
  // 1C is back: the retry (the sweeper, at the later clock) delivers it and the loop closes.
  await simRule(co.id, { mode: 'clear' });
  await sweep(new Date(Date.now() + 3600 * 1000));
  const applied = await stateIs(buyer, id, 'applied');
  assert.equal(applied.order.delivery_method, 'delivery');
  assert.equal(applied.change.overdue, false);
});

test('received: 1C stored it and a manager decides', async () => {
  const { buyer, id } = await setUp({ mode: 'receive', then: 'accept', delay_ms: 600000 });
  await edit(buyer, id);
  const p = await stateIs(buyer, id, 'received');
  assert.equal(p.order.delivery_method, 'pickup', '1C\'s values stand meanwhile');
});

test('accepted, then applied when 1C\'s snapshot names the change; overdue in between if late', async () => {
  // 1C accepts but its snapshot does not come by itself: this test sends it, as 1C.
  const { c, co, buyer, id } = await setUp({ mode: 'accept', apply: false });
  const change = await edit(buyer, id);
  const accepted = await stateIs(buyer, id, 'accepted');
  assert.equal(accepted.change.overdue, false);
  assert.equal(accepted.order.delivery_method, 'pickup');

  // Past the deadline (the test clock): flagged to the user, counted in the monitor.
  const later = new Date(Date.now() + (DEADLINE_SECS + 60) * 1000).toISOString();
  // Signed in at that time too (the session of now has expired by then).
  const lateBuyer = new Client();
  const signIn = await lateBuyer.post('/api/auth/sign-in', { email: co.users[0].email, password: 'Test-password-2026' }, { 'x-test-now': later });
  assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
  const late = (await lateBuyer.get(`/api/orders/orders/${id}`, { 'x-test-now': later })).body;
  assert.equal(late.change.state, 'accepted');
  assert.equal(late.change.overdue, true);
  assert.ok(late.change.overdue_message.ru && late.change.overdue_message.en, JSON.stringify(late.change));
  const mon = await fetch(`${PORTAL}/exchange/v1/monitor`, { headers: { authorization: `Bearer ${MONITOR_TOKEN}`, 'x-test-now': later } });
  assert.equal(mon.status, 200);
  assert.ok((await mon.json()).accepted_overdue >= 1);

  // Another company's snapshot naming the change does nothing; an unknown id is no error.
  const other = await simCompany();
  await simSend([order(other.id, 1, { lines: [[1, 1, 10]], extra: { change_ids: [change] } })]);
  assert.equal((await page(buyer, id)).change.state, 'accepted');
  const snap = order(c, 1, { lines: [[1, 2, 100]], extra: { delivery_method: 'delivery', delivery_address: 'Тимашевск, ул. Ленина, 1', change_ids: [change, `out_${uid('x')}`] } });
  snap.seq = 5;
  await sendAndApply([snap]);
  const applied = await stateIs(buyer, id, 'applied');
  assert.equal(applied.order.delivery_method, 'delivery');
  assert.equal(applied.change.overdue, false);
  const afterLate = (await lateBuyer.get(`/api/orders/orders/${id}`, { 'x-test-now': later })).body;
  assert.equal(afterLate.change.overdue, false, 'applied is never overdue');
});

test('applied through the simulator: it names the change in its snapshot', async () => {
  const { buyer, id } = await setUp({ mode: 'accept', apply_delay_ms: 300 });
  await edit(buyer, id, 'Кореновск, ул. Мира, 2');
  const p = await stateIs(buyer, id, 'applied');
  assert.equal(p.order.delivery_address, 'Кореновск, ул. Мира, 2');
});

test('rejected: 1C\'s reason, the previous values stand', async () => {
  const { buyer, id } = await setUp({ mode: 'reject', reason: 'Доставка по этому адресу невозможна' });
  await edit(buyer, id);
  const p = await stateIs(buyer, id, 'rejected');
  assert.equal(p.change.reason, 'Доставка по этому адресу невозможна');
  assert.equal(p.order.delivery_method, 'pickup');
});

test('failed: undeliverable after the retry period', async () => {
  const { c, buyer, id } = await setUp({ mode: 'fail' });
  await edit(buyer, id);
  // The sweeper, a day and a bit later by the test's clock, gives up on it.
  await until(async () => {
    await sweep(new Date(Date.now() + 25 * 3600 * 1000));
    return (await page(buyer, id)).change?.state === 'failed';
  }, 'dead-lettered');
  await simRule(c, { mode: 'clear' });
});

test('while a cancellation is open the order offers no payment', async () => {
  const { buyer, id } = await setUp({ mode: 'accept', apply: false });
  const before = await page(buyer, id);
  assert.equal(before.can_pay_from_account, true);
  const r = await buyer.post(`/api/orders/orders/${id}/cancellation`, { version: before.order.version, reason: 'Не нужно' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const p = await page(buyer, id);
  assert.equal(p.can_pay_by_card, false);
  assert.equal(p.can_pay_from_account, false);
  const accepted = await stateIs(buyer, id, 'accepted');
  assert.equal(accepted.order.status, 'awaiting_payment', 'not cancelled by 1C yet');
  assert.equal(accepted.can_pay_by_card, false);
  assert.equal(accepted.can_pay_from_account, false);
  // And the API refuses it, whatever a page offers.
  const pay = await buyer.post('/api/finance/account/payments', { order_id: id });
  assert.equal(pay.status, 409, JSON.stringify(pay.body));
  assert.equal(pay.body.code, 'cancellation-open');
});

test('the order answers 304 to its ETag while nothing changed', async () => {
  const { buyer, id } = await setUp({ mode: 'accept', apply_delay_ms: 300 });
  const first = await buyer.get(`/api/orders/orders/${id}`);
  const etag = first.headers.get('etag');
  assert.ok(etag, 'an ETag');
  const same = await buyer.get(`/api/orders/orders/${id}`, { 'if-none-match': etag });
  assert.equal(same.status, 304);
  await edit(buyer, id);
  const changed = await buyer.get(`/api/orders/orders/${id}`, { 'if-none-match': etag });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get('etag'), etag);
});
