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
  env: { ...process.env, STACK_VARS: `${process.env.STACK_VARS ?? ''} ONEC_DELIVERY=pull` } });

// Imported after the URLs are set: the helpers read them once.
const { uid } = await import('../lib/portal.mjs');
const { shippingCalendar } = await import('../lib/orders.mjs');
const { credit, order, orderId, page, product, simCompany, simSend, until } = await import('../lib/sim.mjs');

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
  assert.equal(p.change?.state, 'accepted');
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
