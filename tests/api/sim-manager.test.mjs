// What a manager does in 1C reaches the client as snapshots (push mode, the shared stack): an
// order edited in 1C, a phone order, a shipment by two vehicles with its two УПД, a credit block,
// a bank payment. Driven through the simulator's control endpoint, as the CLI command does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credit, order, orderId, page, product, simCompany, simManager, simSend, until } from '../lib/sim.mjs';

test('a manager edits an order in 1C: the client sees the new quantity and date', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  const id = await orderId(buyer, c, 1);
  const before = (await page(buyer, id)).order;
  await simManager('edit_order', { order_id: `${c}-o1`, lines: [{ line_no: 1, quantity: 7 }], planned_shipping_date: '2026-12-15T00:00:00' });
  const p = await until(async () => {
    const x = await page(buyer, id);
    return x.lines[0]?.qty_milli === 7000 ? x : null;
  }, 'the manager\'s edit');
  assert.equal(p.order.total_kop, 70000);
  assert.equal(p.order.planned_shipping_date, '2026-12-15');
  assert.ok(p.order.version > before.version);
});

test('a phone order created in 1C appears in the client\'s list', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 100), product(c, 2, 40)]);
  const made = await simManager('phone_order', { company_id: c, lines: [{ product_id: `${c}-p1`, quantity: 3 }, { product_id: `${c}-p2`, quantity: 1 }] });
  assert.ok(made.order_id);
  const o = await until(async () => (await buyer.get('/api/orders/orders')).body.items.find((x) => x.total_kop === 34000), 'the phone order');
  const p = await page(buyer, o.id);
  assert.deepEqual(p.lines.map((l) => [l.article, l.qty_milli]), [[`${c.slice(-4).toUpperCase()}-1`, 3000], [`${c.slice(-4).toUpperCase()}-2`, 1000]]);
  assert.equal(p.order.author, null, 'placed by a manager');
});

test('a shipment in two vehicles: the order shipped with two shipments and their two УПД', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 100), product(c, 2, 50)]);
  await simSend([order(c, 1, { status: 'paid', paid: 600, lines: [[1, 4, 100], [2, 4, 50]] })]);
  const id = await orderId(buyer, c, 1);
  await simManager('ship', { order_id: `${c}-o1`, vehicles: 2 });
  const p = await until(async () => {
    const x = await page(buyer, id);
    return x.order.status === 'shipped' && x.documents.filter((d) => d.kind === 'upd').length === 2 ? x : null;
  }, 'shipped with two УПД');
  assert.equal(p.shipments.length, 2);
  assert.ok(p.shipments.every((s) => s.vehicle));
  const docs = (await buyer.get(`/api/documents/orders/${id}`)).body;
  const upds = (docs.items ?? docs.documents ?? []).filter((d) => d.kind === 'upd');
  assert.equal(upds.length, 2, JSON.stringify(docs));
});

test('a credit block in 1C: the client sees credit blocked, and unblocked again', async () => {
  const co = await simCompany([['buyer'], ['accountant']]);
  const c = co.id;
  const [buyer, accountant] = co.clients;
  await simSend([credit(c, { limit: 100000, debt: 5000 })]);
  await simManager('block_credit', { agreement_id: `${c}-ag`, amount_to_pay: 1500 });
  const x = await until(async () => {
    const b = (await accountant.get('/api/finance/credit')).body;
    return b.totals.blocked ? b : null;
  }, 'blocked');
  assert.equal(x.totals.amount_to_pay_kop, 150000);
  assert.equal((await buyer.get('/api/finance/credit')).body.totals.blocked, true);
  await simManager('unblock_credit', { agreement_id: `${c}-ag` });
  await until(async () => (await accountant.get('/api/finance/credit')).body.totals.blocked === false, 'unblocked');
});

test('a bank payment recorded in 1C pays the order', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 250)]);
  await simSend([order(c, 1, { lines: [[1, 2, 250]] })]);
  const id = await orderId(buyer, c, 1);
  await simManager('bank_payment', { order_id: `${c}-o1`, amount: 500 });
  const p = await until(async () => {
    const x = await page(buyer, id);
    return x.order.status === 'paid' ? x : null;
  }, 'paid by the bank payment');
  assert.equal(p.order.paid_kop, 50000);
});
