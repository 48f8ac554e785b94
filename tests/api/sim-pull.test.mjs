// The same loops in pull mode: a stack of its own (ports 8851/8852, ONEC_DELIVERY=pull) where the
// simulated 1C, as a scheduled job, pulls the portal's changes every few seconds, acknowledges
// them and sends its snapshots back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.PULL_PORTAL_PORT ?? 8851);
const SIM_PORT = Number(process.env.PULL_SIM_PORT ?? 8852);
process.env.PORTAL_URL = `http://127.0.0.1:${PORT}`;
process.env.SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
const root = fileURLToPath(new URL('../..', import.meta.url));
const state = mkdtempSync(join(tmpdir(), 'portal-pull-'));
const stack = (...args) => execFileSync('bash', [`${root}/scripts/stack.sh`, ...args], { cwd: root, stdio: 'inherit',
  // A change handed out and not acknowledged goes out again after 5 s (production: 600 s).
  env: { ...process.env, STACK_VARS: `${process.env.STACK_VARS ?? ''} ONEC_DELIVERY=pull ONEC_PULL_REDELIVER_SECS=5` } });

// Imported after the URLs are set: the helpers read them once.
const { uid } = await import('../lib/portal.mjs');
const { shippingCalendar } = await import('../lib/orders.mjs');
const { credit, order, orderId, page, product, simCompany, simRule, simSend, until } = await import('../lib/sim.mjs');

before(async () => {
  stack('start', state, String(PORT), String(SIM_PORT));
  await shippingCalendar();
});
after(() => {
  stack('stop', state);
  rmSync(state, { recursive: true, force: true });
});

test('pull: an edit is pulled, acknowledged and applied by 1C', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  const id = await orderId(buyer, c, 1);
  const o = (await page(buyer, id)).order;
  const r = await buyer.req('PATCH', `/api/orders/orders/${id}`, { version: o.version, lines: [{ article: `${c.slice(-4).toUpperCase()}-1`, quantity: 6 }] });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const p = await until(async () => {
    const x = await page(buyer, id);
    return x.lines[0]?.qty_milli === 6000 ? x : null;
  }, 'the edit applied in pull mode');
  assert.equal(p.change?.state, 'applied', 'the snapshot named the change');
});

test('pull: a switch to credit, a cancellation and an account payment close their loops', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer, accountant] = co.clients;
  await simSend([product(c, 1, 500)]);
  await simSend([order(c, 1, { lines: [[1, 4, 500]] }), order(c, 2, { lines: [[1, 1, 500]] }), credit(c, { limit: 100000 }),
    { id: uid('m'), type: 'account_movement', entity_id: `${c}-mv1`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`, date: '2026-11-01T10:00:00', kind: 'correction', amount: 1000, comment: 'Аванс' } }]);
  const id1 = await orderId(buyer, c, 1);
  const id2 = await orderId(buyer, c, 2);
  const o1 = (await page(buyer, id1)).order;
  assert.equal((await buyer.post(`/api/orders/orders/${id1}/payment-method`, { version: o1.version, payment_method: 'credit' })).status, 202);
  assert.equal((await buyer.post('/api/finance/account/payments', { order_id: id2 })).status, 202);
  await until(async () => {
    const x = (await accountant.get('/api/finance/credit')).body.agreements[0];
    return x.local_reserve_kop === 0 && x.reserve_kop === 200000;
  }, 'the reserve in 1C\'s figures');
  await until(async () => (await page(buyer, id2)).order.status === 'paid', 'paid from the account');
  const credited = (await page(buyer, id1)).order;
  assert.equal(credited.payment_method, 'credit');
  assert.equal((await buyer.post(`/api/orders/orders/${id1}/cancellation`, { version: credited.version })).status, 202);
  await until(async () => (await page(buyer, id1)).order.status === 'cancelled', 'cancelled in pull mode');
  await until(async () => (await accountant.get('/api/finance/credit')).body.agreements[0].reserve_kop === 0, 'the reserve released');
  const acc = (await accountant.get('/api/finance/account')).body;
  assert.deepEqual([acc.balance_kop, acc.held_kop], [50000, 0]);
});

test('pull: an act request and a return close their loops', async () => {
  const co = await simCompany([['buyer'], ['accountant']]);
  const c = co.id;
  const [buyer, accountant] = co.clients;
  await simSend([order(c, 1, { status: 'shipped', lines: [[1, 10, 100]], paid: 1000, extra: {
    shipments: [{ id: `${c}-s1`, number: 'ОТ-1', date: '2026-08-03T09:00:00', lines: [{ line_no: 1, quantity: 10 }] }] } })]);
  await simSend([
    { id: uid('m'), type: 'opening_balance', entity_id: `${c}-ob`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`, agreement_id: `${c}-ag`, date: '2026-07-01T00:00:00', balance: 0 } },
    { id: uid('m'), type: 'document', entity_id: `${c}-upd`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`, kind: 'upd', kind_name: 'УПД', number: 'УПД-1',
      date: '2026-08-03T12:00:00', upd_status: 1, amount: 1000, vat: 166.67, orders: [`${c}-o1`], lines: [], files: [], edo_status: 'signed' } },
  ]);
  const forms = (await accountant.get('/api/documents/acts')).body;
  const act = await accountant.post('/api/documents/acts', { legal_entity_id: forms.legal_entities[0].id, preset: 'custom', period_from: '2026-07-01', period_to: '2026-09-30' });
  assert.equal(act.status, 201, JSON.stringify(act.body));
  const id = await orderId(buyer, c, 1);
  const ret = await buyer.post('/api/returns/returns', { order_id: id, reason: 'defect', lines: [{ line_no: 1, quantity: 2 }] });
  assert.equal(ret.status, 201, JSON.stringify(ret.body));
  const a = await until(async () => {
    const v = (await accountant.get(`/api/documents/acts/${act.body.id}`)).body;
    return v.status === 'ready' ? v : null;
  }, 'the act in pull mode');
  assert.equal(a.official.act.closing_kop, 100000);
  await until(async () => (await buyer.get(`/api/returns/returns/${ret.body.return.id}`)).body.return.status === 'completed', 'the return completed');
  await until(async () => (await accountant.get('/api/finance/account')).body.balance_kop === 20000, 'the refund on the account');
});

test('pull: a change 1C rejects outright, and one a manager rejects after receiving it, keep the order\'s values and show the reason', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] }), order(c, 2, { lines: [[1, 3, 100]] })]);
  const code = `${c.slice(-4).toUpperCase()}-1`;
  const tryEdit = async (n, quantity) => {
    const id = await orderId(buyer, c, n);
    const o = (await page(buyer, id)).order;
    const r = await buyer.req('PATCH', `/api/orders/orders/${id}`, { version: o.version, lines: [{ article: code, quantity }] });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return { id, o };
  };
  await simRule(c, { type: 'order.changed', mode: 'reject', reason: 'Склад уже собрал заказ' });
  const first = await tryEdit(1, 7);
  const p1 = await until(async () => {
    const x = await page(buyer, first.id);
    return x.change?.state === 'rejected' ? x : null;
  }, 'rejected in pull mode');
  assert.equal(p1.change.reason, 'Склад уже собрал заказ');
  assert.equal(p1.lines[0].qty_milli, 2000);
  assert.equal(p1.order.version, first.o.version);

  await simRule(c, { type: 'order.changed', mode: 'receive', then: 'reject', reason: 'Нет на складе', delay_ms: 3000 });
  const second = await tryEdit(2, 8);
  await until(async () => (await page(buyer, second.id)).change?.state === 'received' || null, 'received in pull mode');
  const p2 = await until(async () => {
    const x = await page(buyer, second.id);
    return x.change?.state === 'rejected' ? x : null;
  }, 'the manager\'s refusal in pull mode');
  assert.equal(p2.change.reason, 'Нет на складе');
  assert.equal(p2.lines[0].qty_milli, 3000);
});

test('pull: while 1C is silent the change stays unacknowledged; when it is back the change is handed out again and applied', async () => {
  const co = await simCompany();
  const c = co.id;
  const [buyer] = co.clients;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  await simRule(c, { mode: 'silent' });
  const id = await orderId(buyer, c, 1);
  const o = (await page(buyer, id)).order;
  assert.equal((await buyer.req('PATCH', `/api/orders/orders/${id}`, { version: o.version, lines: [{ article: `${c.slice(-4).toUpperCase()}-1`, quantity: 8 }] })).status, 202);
  await new Promise((res) => setTimeout(res, 4000)); // pulled at least once, never acknowledged
  const waiting = await page(buyer, id);
  assert.equal(waiting.lines[0].qty_milli, 2000);
  assert.notEqual(waiting.change?.state, 'accepted');
  await simRule(c, { mode: 'clear' });
  await until(async () => (await page(buyer, id)).lines[0]?.qty_milli === 8000, 'applied once 1C is back');
});
