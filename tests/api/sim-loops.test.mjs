// Every client change closes its loop through the simulated 1C (push mode, the shared stack): 1C
// accepts, applies the change to what it holds and sends the snapshots back through the signed
// exchange; the client sees 1C's new data within 30 s, without anyone sending it by hand.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { SIM, mailbox, onecPost, sweep, uid } from '../lib/portal.mjs';
import { shippingCalendar, shippingDays } from '../lib/orders.mjs';
import { credit, order, orderId, page, product, simCompany, simRule, simSend, until } from '../lib/sim.mjs';

before(async () => { await shippingCalendar(); });

const creditPanel = async (accountant) => (await accountant.get('/api/finance/credit')).body.agreements[0];

test('edit: 1C applies the new lines and date and sends the order back with a higher version', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 100), product(c, 2, 250.5)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  const id = await orderId(buyer, c, 1);
  const before = (await page(buyer, id)).order;
  const { working } = shippingDays(5);
  const r = await buyer.req('PATCH', `/api/orders/orders/${id}`, { version: before.version, planned_shipping_date: working,
    lines: [{ article: `${c.slice(-4).toUpperCase()}-1`, quantity: 5 }, { article: `${c.slice(-4).toUpperCase()}-2`, quantity: '1' }] });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const after = await until(async () => {
    const p = await page(buyer, id);
    return p.lines.length === 2 && p.lines[0].qty_milli === 5000 ? p : null;
  }, 'the new quantity from 1C');
  assert.equal(after.order.total_kop, 50000 + 25050);
  assert.equal(after.order.planned_shipping_date, working);
  assert.ok(after.order.version > before.version);
});

test('cancel a credit order: cancelled by 1C and its reserve released in 1C\'s credit figures', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer, accountant] = co.clients;
  await simSend([product(c, 1, 1000)]);
  await simSend([order(c, 1, { status: 'reserved', method: 'credit', lines: [[1, 3, 1000]] }), credit(c, { limit: 100000, reserve: 3000, orders: [`${c}-o1`] })]);
  const id = await orderId(buyer, c, 1);
  assert.equal((await creditPanel(accountant)).reserve_kop, 300000);
  const o = (await page(buyer, id)).order;
  const r = await buyer.post(`/api/orders/orders/${id}/cancellation`, { version: o.version, reason: 'Не нужно' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  await until(async () => (await page(buyer, id)).order.status === 'cancelled', 'cancelled by 1C');
  const a = await until(async () => {
    const x = await creditPanel(accountant);
    return x.local_reserve_kop === 0 && x.reserve_kop === 0 ? x : null;
  }, '1C\'s reserve released');
  assert.equal(a.available_kop, 10000000);
});

test('switch to credit: 1C moves the reserve into its own figures and the order says credit', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer, accountant] = co.clients;
  await simSend([product(c, 1, 500)]);
  await simSend([order(c, 1, { lines: [[1, 4, 500]] }), credit(c, { limit: 100000, debt: 10000 })]);
  const id = await orderId(buyer, c, 1);
  const o = (await page(buyer, id)).order;
  const r = await buyer.post(`/api/orders/orders/${id}/payment-method`, { version: o.version, payment_method: 'credit' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal((await creditPanel(accountant)).local_reserve_kop, 200000, 'reserved at once by the portal');
  await until(async () => (await page(buyer, id)).order.payment_method === 'credit', 'the order on credit in 1C');
  const a = await until(async () => {
    const x = await creditPanel(accountant);
    return x.local_reserve_kop === 0 && x.reserve_kop === 200000 ? x : null;
  }, 'the reserve in 1C\'s figures');
  assert.equal(a.available_kop, 10000000 - 1000000 - 200000);
});

test('pay from the internal account: 1C writes the movement once and the order is paid', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer, accountant] = co.clients;
  await simSend([product(c, 1, 300)]);
  await simSend([order(c, 1, { lines: [[1, 1, 300]] }),
    { id: uid('m'), type: 'account_movement', entity_id: `${c}-mv1`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`, date: '2026-11-01T10:00:00', kind: 'correction', amount: 1000, comment: 'Аванс' } }]);
  const id = await orderId(buyer, c, 1);
  const r = await buyer.post('/api/finance/account/payments', { order_id: id });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const p = await until(async () => {
    const x = await page(buyer, id);
    return x.order.status === 'paid' ? x : null;
  }, 'paid in 1C');
  assert.equal(p.order.paid_kop, 30000);
  const acc = await until(async () => {
    const x = (await accountant.get('/api/finance/account')).body;
    return x.held_kop === 0 && x.balance_kop === 70000 ? x : null;
  }, 'the movement, the hold settled');
  assert.equal(acc.items.filter((m) => m.kind === 'order_payment').length, 1, 'moved once');
});

test('an act request: 1C computes the act from its ledger and sends it with the PDF', async () => {
  const co = await simCompany([['accountant']]);
  const c = co.id;
  const [acc] = co.clients;
  await simSend([order(c, 1, { status: 'shipped', lines: [[1, 10, 100]], paid: 1000 })]);
  await simSend([
    { id: uid('m'), type: 'opening_balance', entity_id: `${c}-ob`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`, agreement_id: `${c}-ag`, date: '2026-07-01T00:00:00', balance: 500 } },
    { id: uid('m'), type: 'payment', entity_id: `${c}-pay`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`, agreement_id: `${c}-ag`, number: 'ПП-7', date: '2026-08-20T10:00:00', amount: 1200, allocations: [] } },
    { id: uid('m'), type: 'document', entity_id: `${c}-upd`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`, kind: 'upd', kind_name: 'УПД', number: 'УПД-1',
      date: '2026-08-03T12:00:00', upd_status: 1, amount: 1000, vat: 166.67, orders: [`${c}-o1`], lines: [], files: [], edo_status: 'signed' } },
  ]);
  const forms = (await acc.get('/api/documents/acts')).body;
  const r = await acc.post('/api/documents/acts', { legal_entity_id: forms.legal_entities[0].id, preset: 'custom', period_from: '2026-07-01', period_to: '2026-09-30' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const act = await until(async () => {
    const v = (await acc.get(`/api/documents/acts/${r.body.id}`)).body;
    return v.status === 'ready' ? v : null;
  }, 'the act from 1C');
  assert.deepEqual([act.official.act.opening_kop, act.official.act.debit_kop, act.official.act.credit_kop, act.official.act.closing_kop], [50000, 100000, 120000, 30000]);
  const file = await acc.get(`/api/documents/acts/${r.body.id}/files/1`);
  assert.equal(file.status, 200);
});

test('a return: 1C approves it, credits the refund to the internal account and completes it', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer, accountant] = co.clients;
  await simSend([order(c, 1, { status: 'shipped', lines: [[1, 10, 100], [2, 4, 125.5]], paid: 1502, extra: {
    shipments: [{ id: `${c}-s1`, number: 'ОТ-1', date: '2026-11-22T09:00:00', lines: [{ line_no: 1, quantity: 10 }, { line_no: 2, quantity: 4 }] }] } })]);
  const id = await orderId(buyer, c, 1);
  const r = await buyer.post('/api/returns/returns', { order_id: id, reason: 'defect', comment: 'Брак', lines: [{ line_no: 1, quantity: 3 }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ret = r.body.return.id;
  const d = await until(async () => {
    const x = (await buyer.get(`/api/returns/returns/${ret}`)).body;
    return x.return.status === 'completed' ? x : null;
  }, 'approved and completed by 1C');
  assert.equal(d.lines[0].approved_milli, 3000);
  assert.equal(d.refunded_kop, 30000);
  assert.ok(d.history.some((h) => h.kind === 'return.status_by_1c'));
  const acc = await until(async () => {
    const x = (await accountant.get('/api/finance/account')).body;
    return x.balance_kop === 30000 ? x : null;
  }, 'the refund on the account');
  assert.equal(acc.items.find((m) => m.return_id === ret)?.kind, 'refund');
});

test('received, then rejected by a manager: the order keeps its values and shows 1C\'s reason', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  await simRule(c, { type: 'order.changed', mode: 'receive', then: 'reject', reason: 'Такой адрес не обслуживаем', delay_ms: 1500 });
  const id = await orderId(buyer, c, 1);
  const o = (await page(buyer, id)).order;
  const r = await buyer.req('PATCH', `/api/orders/orders/${id}`, { version: o.version, delivery_method: 'delivery', delivery_address: 'Марс, кратер Гейла' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const p = await until(async () => {
    const x = await page(buyer, id);
    return x.change?.state === 'rejected' ? x : null;
  }, 'the manager\'s refusal');
  assert.equal(p.change.reason, 'Такой адрес не обслуживаем');
  assert.equal(p.order.delivery_method, 'pickup');
  assert.equal(p.order.version, o.version);
  assert.equal(p.history[0].onec_answer?.status, 'rejected');
});

test('1C silent: the change waits, nothing is lost, and it is applied once 1C is back', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  await simRule(c, { mode: 'fail' });
  const id = await orderId(buyer, c, 1);
  const o = (await page(buyer, id)).order;
  const code = `${c.slice(-4).toUpperCase()}-1`;
  const r = await buyer.req('PATCH', `/api/orders/orders/${id}`, { version: o.version, lines: [{ article: code, quantity: 9 }] });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  await new Promise((res) => setTimeout(res, 1500));
  assert.equal((await page(buyer, id)).lines[0].qty_milli, 2000);
  await simRule(c, { mode: 'clear' });
  // The portal retries on its backoff: the sweeper, an hour later by the test's clock, delivers it.
  await sweep(new Date(Date.now() + 3600 * 1000));
  await until(async () => (await page(buyer, id)).lines[0]?.qty_milli === 9000, 'applied after 1C returned');
});

test('a return 1C approves only partly (its rule for this test): the approved quantity and the refund follow', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([order(c, 1, { status: 'shipped', lines: [[1, 10, 100]], paid: 1000, extra: {
    shipments: [{ id: `${c}-s1`, number: 'ОТ-1', date: '2026-11-22T09:00:00', lines: [{ line_no: 1, quantity: 10 }] }] } })]);
  await simRule(c, { type: 'return.requested', mode: 'accept', decision: 'partly' });
  const id = await orderId(buyer, c, 1);
  const r = await buyer.post('/api/returns/returns', { order_id: id, reason: 'surplus', lines: [{ line_no: 1, quantity: 4 }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const d = await until(async () => {
    const x = (await buyer.get(`/api/returns/returns/${r.body.return.id}`)).body;
    return x.return.status === 'completed' ? x : null;
  }, 'partly approved and completed');
  assert.equal(d.lines[0].approved_milli, 3000);
  assert.equal(d.refunded_kop, 30000);
});

test('shipping together: 1C gives both orders one shipping day and sends them back', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 1, 100]], extra: { planned_shipping_date: '2026-12-14T00:00:00' } }),
    order(c, 2, { lines: [[1, 2, 100]], extra: { planned_shipping_date: '2026-12-16T00:00:00' } })]);
  const [id1, id2] = [await orderId(buyer, c, 1), await orderId(buyer, c, 2)];
  const r = await buyer.post('/api/orders/consolidations', { orders: [id1, id2] });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  await until(async () => (await page(buyer, id1)).order.planned_shipping_date === '2026-12-16', 'one day for both');
  assert.equal((await page(buyer, id2)).order.planned_shipping_date, '2026-12-16');
});

test('an employee and a consignee the admin adds come back from 1C linked to the portal\'s records, never twice', async () => {
  const co = await simCompany([['admin']]);
  const c = co.id;
  const [admin] = co.clients;
  const email = `${c}-new@test.demo`;
  assert.equal((await admin.post('/api/company/employees', { email, full_name: 'Новый Сотрудник', roles: ['buyer'] })).status, 201);
  const k = await admin.post('/api/company/consignees', { name: 'Склад Кореновск', address: 'Кореновск, ул. Мира, 1' });
  assert.equal(k.status, 201, JSON.stringify(k.body));
  // 1C's snapshots carry the portal's ids: applied, they link, and create nothing new.
  const applied = async (type, entity) => {
    const r = await fetch(`${SIM}/control/model?type=${type}&entity=${entity}`);
    if (r.status !== 200) return false;
    const { seq } = await r.json();
    const s = await onecPost('/exchange/v1/message-status', { ids: [`sim-${type}-${entity}-${seq}`] });
    return s.body.items[0]?.status === 'applied';
  };
  const employees = async () => (await admin.get('/api/company/employees')).body.items;
  const emp = (await employees()).find((e) => e.email === email);
  await until(() => applied('user', `u-${emp.id}`), '1C\'s user snapshot applied');
  await until(() => applied('consignee', `k-${k.body.id}`), '1C\'s consignee snapshot applied');
  assert.equal((await employees()).filter((e) => e.email === email).length, 1);
  assert.equal((await admin.get('/api/company/consignees')).body.items.filter((x) => x.name === 'Склад Кореновск').length, 1);
  assert.equal((await mailbox(email)).length, 1, 'one first-access link');
});
