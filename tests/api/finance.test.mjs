// Money over HTTP on the real stack: a blocked credit line with the amount to pay and the overdue
// entries behind it (at a clock the test sets), the schedule and its CSV, and paying orders from
// the internal account in parallel: exactly as many succeed as the balance covers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany, sendAndApply, uid } from '../lib/portal.mjs';

// The clock: 26 Nov 2026, 12:00 Moscow. Sent with every request (tests only).
const NOW = { 'x-test-now': '2026-11-26T09:00:00Z' };

function order(company, id, total, { status = 'awaiting_payment', method = 'invoice', paid = 0 } = {}) {
  return { id: uid('m'), type: 'order', entity_id: id, seq: 1, payload: {
    company_id: company, legal_entity_id: `${company}-le`, agreement_id: `${company}-ag`, number: `ЗК-${id}`, date: '2026-10-01T10:00:00',
    status, payment_method: method, paid, total, vat_total: 0,
    lines: [{ line_no: 1, article: 'A-1', name: 'Подшипник', quantity: 1, unit: 'шт', price: total, amount: total, vat: 0 }] } };
}

async function signedIn(co, idx) {
  const c = new Client();
  const r = await c.req('POST', '/api/auth/sign-in', { email: co.users[idx].email, password: co.users[idx].password }, NOW);
  assert.equal(r.status, 200);
  return c;
}

test('blocked credit: the amount to pay and the overdue entries; the schedule counts days by the clock', async () => {
  const co = await freshCompany([['accountant'], ['buyer']]);
  const c = co.id;
  await sendAndApply([order(c, `${c}-o1`, 1200.5, { status: 'shipped', method: 'credit' }), order(c, `${c}-o2`, 800, { status: 'shipped', method: 'credit' })]);
  await sendAndApply([
    { id: uid('m'), type: 'credit_state', entity_id: `${c}-ag`, seq: 1, payload: { company_id: c, agreement_id: `${c}-ag`, as_of: '2026-11-26T08:00:00',
      limit: 5000, debt: 2000.5, overdue_debt: 1200.5, reserve: 0, reserve_orders: [], blocked: true, amount_to_pay: 1200.5 } },
    { id: uid('m'), type: 'payment_schedule', entity_id: `${c}-o1`, seq: 1, payload: { company_id: c, order_id: `${c}-o1`, agreement_id: `${c}-ag`,
      stages: [{ due_date: '2026-11-20T00:00:00', amount: 1200.5, paid: 0 }] } },
    { id: uid('m'), type: 'payment_schedule', entity_id: `${c}-o2`, seq: 1, payload: { company_id: c, order_id: `${c}-o2`, agreement_id: `${c}-ag`,
      stages: [{ due_date: '2026-11-29T00:00:00', amount: 800, paid: 0 }] } },
  ]);
  const acc = await signedIn(co, 0);
  const credit = (await acc.req('GET', '/api/finance/credit', undefined, NOW)).body;
  assert.equal(credit.totals.blocked, true);
  assert.equal(credit.totals.amount_to_pay_kop, 120050);
  assert.deepEqual(credit.overdue.map((e) => [e.order_number, e.days_left, e.due_kop]), [[`ЗК-${c}-o1`, -6, 120050]]);
  const s = (await acc.req('GET', '/api/finance/schedule', undefined, NOW)).body;
  assert.deepEqual(s.items.map((e) => [e.days_left, e.overdue]), [[-6, true], [3, false]]);
  assert.deepEqual(s.totals, { overdue_kop: 120050, this_week_kop: 80000, this_month_kop: 80000, total_kop: 200050 });
  const csv = await fetch(`${process.env.PORTAL_URL ?? 'http://127.0.0.1:8787'}/api/finance/schedule?format=csv`, {
    headers: { cookie: [...acc.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'cf-connecting-ip': acc.ip, ...NOW } });
  assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  const bytes = new Uint8Array(await csv.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
  assert.match(new TextDecoder().decode(bytes), /20\.11\.2026;1200,50;0,00;1200,50;-6;да/);
  // The buyer sees only that credit is unavailable.
  const buyer = await signedIn(co, 1);
  const brief = (await buyer.req('GET', '/api/finance/credit', undefined, NOW)).body;
  assert.equal(brief.view, 'brief');
  assert.equal(brief.totals.blocked, true);
  assert.equal(JSON.stringify(brief).includes('debt'), false);
});

test('parallel payments from the internal account never take more than the balance', async () => {
  const co = await freshCompany([['buyer']]);
  const c = co.id;
  const orders = Array.from({ length: 10 }, (_, i) => order(c, `${c}-p${i}`, 300));
  await sendAndApply([...orders, { id: uid('m'), type: 'account_movement', entity_id: `${c}-mv1`, seq: 1,
    payload: { company_id: c, date: '2026-11-01T10:00:00', kind: 'refund', amount: 1000 } }]);
  const buyer = await signedIn(co, 0);
  // The buyer pays but does not see the account: read the order ids from the company's payable list as an accountant would.
  const admin = await freshAdminOf(c);
  const account = (await admin.req('GET', '/api/finance/account', undefined, NOW)).body;
  assert.equal(account.balance_kop, 100000);
  const ids = account.payable_orders.map((o) => o.id);
  assert.equal(ids.length, 10);
  const results = await Promise.all(ids.map((id) => buyer.req('POST', '/api/finance/account/payments', { order_id: id }, NOW)));
  const ok = results.filter((r) => r.status === 202);
  const short = results.filter((r) => r.status === 422);
  assert.equal(ok.length, 3, JSON.stringify(results.map((r) => r.status)));
  assert.equal(short.length, 7);
  for (const r of short) {
    assert.equal(r.body.code, 'insufficient-balance');
    assert.equal(r.body.shortfall_kop, 30000 - r.body.available_kop);
  }
  const after = (await admin.req('GET', '/api/finance/account', undefined, NOW)).body;
  assert.equal(after.held_kop, 90000);
  assert.ok(after.held_kop <= after.balance_kop);
});

async function freshAdminOf(company) {
  const { userMsg, linkToken } = await import('../lib/portal.mjs');
  const email = `${uid('acc')}@test.demo`;
  await sendAndApply([userMsg(`${company}-${uid('u')}`, 1, company, email, ['accountant'])]);
  const token = await linkToken(email);
  const c = new Client();
  assert.equal((await c.req('POST', '/api/auth/password-resets', { token, password: 'Test-password-2026' })).status, 204);
  assert.equal((await c.req('POST', '/api/auth/sign-in', { email, password: 'Test-password-2026' }, NOW)).status, 200);
  return c;
}

// УТ 11's typical agreement (issue 17): one agreement serves two companies, each with its own
// limit and blocked state as 1C reports them per company; neither sees the other's.
test('a typical agreement serving two companies: each sees only its own limit and blocked state', async () => {
  const [a, b] = await Promise.all([freshCompany([['accountant', 'buyer']]), freshCompany([['accountant', 'buyer']])]);
  const ta = uid('ta');
  const typical = (limit) => ({ id: ta, kind: 'typical', name: `Типовое соглашение ${ta}`, credit_limit: limit, deferral_days: 14,
    price_type: { id: 'pt-opt', name: 'Оптовая' } });
  const snapshot = (c, limit) => ({ id: uid('m'), type: 'company', entity_id: c, seq: 2, payload: { name: `Компания ${c}`,
    legal_entities: [{ id: `${c}-le`, name: `ООО ${c}`, inn: '7707083893', kpp: '773601001' }],
    agreements: [{ id: `${c}-ag`, kind: 'individual', legal_entity_id: `${c}-le`, name: 'Договор поставки', credit_limit: 0, deferral_days: 0 }, typical(limit)] } });
  const state = (c, limit, blocked, toPay) => ({ id: uid('m'), type: 'credit_state', entity_id: `${ta}/${c}`, seq: 1, payload: { company_id: c,
    agreement_id: ta, as_of: '2026-11-26T08:00:00', limit, debt: 1000, overdue_debt: toPay, reserve: 0, reserve_orders: [], blocked, amount_to_pay: toPay } });
  await sendAndApply([snapshot(a.id, 500000), snapshot(b.id, 200000)]);
  await sendAndApply([state(a.id, 500000, true, 1234.56), state(b.id, 200000, false, 0)]);
  const [ca, cb] = [await signedIn(a, 0), await signedIn(b, 0)];
  const mine = async (c) => (await c.req('GET', '/api/finance/credit', undefined, NOW)).body.agreements.filter((x) => x.kind === 'typical');
  const [ta1, tb1] = [await mine(ca), await mine(cb)];
  assert.equal(ta1.length, 1);
  assert.equal(tb1.length, 1);
  assert.deepEqual([ta1[0].agreement, ta1[0].limit_kop, ta1[0].blocked, ta1[0].amount_to_pay_kop, ta1[0].deferral_days], [`Типовое соглашение ${ta}`, 50000000, true, 123456, 14]);
  assert.deepEqual([tb1[0].limit_kop, tb1[0].blocked, tb1[0].amount_to_pay_kop], [20000000, false, 0]);
  assert.notEqual(ta1[0].agreement_id, tb1[0].agreement_id);
  // A's order under the typical agreement is A's: B gets a 404 for it.
  const o = `${a.id}-ta-o1`;
  await sendAndApply([order(a.id, o, 100, { method: 'credit' })].map((m) => ({ ...m, payload: { ...m.payload, agreement_id: ta } })));
  const id = (await ca.req('GET', '/api/orders/orders', undefined, NOW)).body.items.find((x) => x.number === `ЗК-${o}`).id;
  assert.equal((await ca.req('GET', `/api/orders/orders/${id}`, undefined, NOW)).status, 200);
  assert.equal((await cb.req('GET', `/api/orders/orders/${id}`, undefined, NOW)).status, 404);
  // B's new state leaves A's as it was.
  await sendAndApply([{ ...state(b.id, 200000, true, 10), seq: 2 }]);
  assert.equal((await mine(ca))[0].amount_to_pay_kop, 123456);
  assert.equal((await mine(cb))[0].amount_to_pay_kop, 1000);
});
