// Orders over HTTP on the real stack, with the simulated 1C answering by push: an edit (lines by
// article and from the catalogue search, delivery, a shipping day of 1C's calendar, consignee)
// pending then accepted, one change at a time, the 409 on a stale version, a refusal by 1C, the
// credit reserve moving on a switch to credit and back on cancel, repeat and consolidation.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany, sendAndApply } from '../lib/portal.mjs';
import { article, creditMsg, orderMsg, productMsg, shippingCalendar, shippingDays } from '../lib/orders.mjs';

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

before(async () => { await shippingCalendar(); });

/** A company with a buyer and an accountant, three priced products and one unpriced, a consignee. */
async function setUp(orders) {
  const co = await freshCompany([['buyer'], ['accountant']]);
  const c = co.id;
  await sendAndApply([productMsg(c, 1, { price: 1234.5 }), productMsg(c, 2, { price: 99.99, name: `Ремень клиновой ёлочный ${c.slice(-8)}` }),
    productMsg(c, 3, { price: 10 }), productMsg(c, 4, { price: null, name: 'Снят с продажи' }),
    { id: `${c}-k`, type: 'consignee', entity_id: `${c}-k1`, seq: 1, payload: { company_id: c, name: 'Склад Кореновск', address: 'Кореновск, ул. Мира, 1' } }]);
  await sendAndApply(orders(c));
  const buyer = new Client();
  assert.equal((await buyer.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const accountant = new Client();
  assert.equal((await accountant.signIn(co.users[1].email, co.users[1].password)).status, 200);
  const list = (await buyer.get('/api/orders/orders')).body.items;
  const byNumber = Object.fromEntries(list.map((o) => [o.number.split('-').pop(), o.id]));
  return { co, c, buyer, accountant, id: byNumber };
}

const page = async (client, id) => (await client.get(`/api/orders/orders/${id}`)).body;

test('edit: refusals named per field, a pending change shown field by field, one at a time, accepted by 1C; then a stale version is a 409 with the fresh order', async () => {
  const { c, buyer, id } = await setUp((c) => [orderMsg(c, 1, { lines: [[1, 2, 1234.5]] })]);
  const { working, dayOff } = shippingDays();
  let o = (await page(buyer, id[1])).order;
  const path = `/api/orders/orders/${id[1]}`;
  const bad = await buyer.req('PATCH', path, { version: o.version, planned_shipping_date: dayOff,
    lines: [{ article: article(c, 1).toLowerCase(), quantity: '2' }, { article: 'НЕТ-ТАКОГО', quantity: 1 }, { article: article(c, 4), quantity: 1 }, { article: article(c, 3), quantity: '1,0001' }] });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.field_errors.map((f) => `${f.field}:${f.code}`),
    ['lines[1].article:unknown-article', 'lines[2].article:no-price', 'lines[3].quantity:invalid-quantity', 'planned_shipping_date:not-a-shipping-day']);
  assert.ok(bad.body.field_errors.every((f) => f.message_ru && f.message_en));

  // A product found by the catalogue search goes in by its id.
  const found = (await buyer.get(`/api/orders/catalog?q=${encodeURIComponent(`ремень елочный ${c.slice(-8)}`)}`)).body.items;
  assert.deepEqual(found.map((p) => [p.article, p.price_kop]), [[article(c, 2), 9999]]);
  const consignee = (await buyer.get('/api/company/consignees')).body.items[0];
  const r = await buyer.req('PATCH', path, { version: o.version, planned_shipping_date: working, delivery_method: 'delivery', consignee_id: consignee.id,
    lines: [{ article: article(c, 1), quantity: '2,5' }, { product_id: found[0].id, quantity: 3 }] });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const pending = await buyer.req('PATCH', path, { version: o.version, delivery_method: 'pickup' });
  assert.equal(pending.status, 409);
  assert.ok(['change-pending', 'version-conflict'].includes(pending.body.code));

  // Until 1C answers the order stays as 1C has it; the page shows the proposal beside it.
  const shown = await page(buyer, id[1]);
  assert.equal(shown.order.total_kop, 246900);
  assert.deepEqual(shown.change.values.lines.map((l) => [l.article, l.quantity, l.amount]), [[article(c, 1), 2.5, 3086.25], [article(c, 2), 3, 299.97]]);
  assert.equal(shown.change.values.total, 3386.22);
  assert.equal(shown.change.values.planned_shipping_date, working);
  assert.equal(shown.change.values.consignee, 'Склад Кореновск');
  await until(async () => (await page(buyer, id[1])).change?.state === 'accepted', '1C accepted the change');

  // 1C applies it and sends the order back (version 2); an edit based on version 1 is stale.
  await sendAndApply([orderMsg(c, 1, { seq: 2, lines: [[1, 2.5, 1234.5], [2, 3, 99.99]], extra: { delivery_method: 'delivery' } })]);
  o = (await page(buyer, id[1])).order;
  assert.equal(o.total_kop, 338622);
  const stale = await buyer.req('PATCH', path, { version: o.version - 1, delivery_method: 'pickup' });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.code, 'version-conflict');
  assert.equal(stale.body.current.total_kop, 338622, 'the fresh order comes with the refusal');
});

test('1C refuses an edit: the order stays as it was and the page shows 1C\'s reason', async () => {
  const { buyer, id } = await setUp((c) => [orderMsg(c, 1, { lines: [[3, 5, 10]] })]);
  const o = (await page(buyer, id[1])).order;
  const r = await buyer.req('PATCH', `/api/orders/orders/${id[1]}`, { version: o.version, delivery_method: 'delivery', delivery_address: `Тимашевск ${REJECT}` });
  assert.equal(r.status, 202);
  const d = await until(async () => {
    const x = await page(buyer, id[1]);
    return x.change?.state === 'rejected' ? x : null;
  }, 'refusal shown');
  assert.equal(d.change.reason, 'Проверка в 1С не пройдена');
  assert.equal(d.order.delivery_method, null);
  assert.equal(d.order.version, o.version);
  assert.equal(d.history[0].onec_answer.status, 'rejected');
  // A refused change does not block the next one.
  assert.equal((await buyer.req('PATCH', `/api/orders/orders/${id[1]}`, { version: o.version, delivery_method: 'pickup' })).status, 202);
});

test('switch to credit: refused with the exact shortfall, else reserved at once; cancelling releases the reserve', async () => {
  const { c, buyer, accountant, id } = await setUp((c) => [
    orderMsg(c, 1, { lines: [[1, 100, 1234.5]] }), orderMsg(c, 2, { lines: [[3, 30, 10]] }), creditMsg(c, { limit: 100000, debt: 20000, reserve: 0 })]);
  const reserve = async () => (await accountant.get('/api/finance/credit')).body.agreements[0];
  assert.equal((await reserve()).available_kop, 8000000);
  const big = (await page(buyer, id[1])).order;
  const refused = await buyer.post(`/api/orders/orders/${id[1]}/payment-method`, { version: big.version, payment_method: 'credit' });
  assert.equal(refused.status, 422);
  assert.equal(refused.body.code, 'credit-insufficient');
  assert.equal(refused.body.shortfall_kop, 12345000 - 8000000);
  const small = (await page(buyer, id[2])).order;
  const ok = await buyer.post(`/api/orders/orders/${id[2]}/payment-method`, { version: small.version, payment_method: 'credit' });
  assert.equal(ok.status, 202, JSON.stringify(ok.body));
  let a = await reserve();
  assert.equal(a.local_reserve_kop, 30000);
  assert.equal(a.available_kop, 8000000 - 30000);
  await until(async () => (await page(buyer, id[2])).change?.state === 'accepted', 'switch accepted');
  // 1C records the switch: the order now says credit (and 1C's reserve covers it next time).
  await sendAndApply([orderMsg(c, 2, { seq: 2, method: 'credit', lines: [[3, 30, 10]] })]);
  const credit = (await page(buyer, id[2])).order;
  assert.equal(credit.payment_method, 'credit');
  const cancel = await buyer.post(`/api/orders/orders/${id[2]}/cancellation`, { version: credit.version, reason: 'Нашли у другого поставщика' });
  assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
  a = await reserve();
  assert.equal(a.local_reserve_kop, 0, 'released at once, before 1C answers');
  assert.equal(a.available_kop, 8000000);
  const d = await until(async () => {
    const x = await page(buyer, id[2]);
    return x.change?.state === 'accepted' ? x : null;
  }, 'cancellation accepted');
  assert.equal(d.change.kind, 'order.cancelled');
  assert.equal(d.history[0].after?.reason ?? d.history[0].after?.status, 'Нашли у другого поставщика');
});

test('repeat: a new draft at today\'s prices, unpriced lines flagged; consolidation of two open orders, a shipped one refused', async () => {
  const { c, buyer, id } = await setUp((c) => [
    orderMsg(c, 1, { status: 'shipped', lines: [[1, 2, 1000], [4, 1, 50]] }), orderMsg(c, 2, { lines: [[3, 1, 10]] }), orderMsg(c, 3, { lines: [[3, 2, 10]] })]);
  const r = await buyer.post(`/api/orders/orders/${id[1]}/repeat`);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.total_kop, 246900, '2 x 1 234,50 today, not 1 000 then');
  assert.deepEqual(r.body.skipped, [article(c, 4)]);
  const draft = await page(buyer, r.body.id);
  assert.equal(draft.order.status, 'draft');
  assert.deepEqual(draft.lines.map((l) => l.article), [article(c, 1)]);
  await until(async () => (await page(buyer, r.body.id)).change?.state === 'accepted', '1C took the new order');

  const cons = await buyer.post('/api/orders/consolidations', { orders: [id[2], id[3]] });
  assert.equal(cons.status, 202, JSON.stringify(cons.body));
  const refused = await buyer.post('/api/orders/consolidations', { orders: [id[2], id[1]] });
  assert.equal(refused.status, 422);
  assert.equal(refused.body.field_errors[0].code, 'not-consolidatable');
  // The change is recorded on the first order listed.
  await until(async () => (await page(buyer, id[2])).change?.state === 'accepted', 'consolidation accepted');
});

test('pasted article;qty lines: found ones, unknown articles and unreadable lines reported', async () => {
  const { c, buyer } = await setUp((c) => [orderMsg(c, 1, { lines: [[3, 1, 10]] })]);
  const r = await buyer.post('/api/orders/pasted-lines', { text: `${article(c, 1)};3\nZZZ-9;1\nчепуха\n${article(c, 2)}\t2,5` });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.lines.map((l) => [l.article, l.quantity]), [[article(c, 1), '3'], [article(c, 2), '2.5']]);
  assert.deepEqual(r.body.unknown_articles, ['ZZZ-9']);
  assert.deepEqual(r.body.unreadable_lines, [3]);
});

// The supplier's organisations (issue 17): the invoice of an order shows the payee its agreement
// (or the order itself) names, with that organisation's bank details.
test('an invoice shows the bank details of the organisation the order is sold from', async () => {
  const co = await freshCompany([['buyer']]);
  const c = co.id;
  const [org1, org2] = [`${c}-org1`, `${c}-org2`];
  const organisation = (id, name, inn, account) => ({ id: `${id}-m`, type: 'organisation', entity_id: id, seq: 1, payload: {
    name, full_name: `Общество с ограниченной ответственностью «${name}»`, inn, kpp: '773601001', ogrn: '1027700132195', address: 'г. Краснодар, ул. Северная, д. 10',
    bank_accounts: [{ bank_name: 'ПАО Сбербанк', bik: '044525225', corr_account: '30101810400000000225', account }] } });
  await sendAndApply([
    organisation(org1, 'АгроЗапчасть', '7707083893', '40702810238000001234'),
    organisation(org2, 'АгроЗапчасть Юг', '7736207543', '40702810638000005678'),
    { id: `${c}-c2`, type: 'company', entity_id: c, seq: 2, payload: { name: `Компания ${c}`,
      legal_entities: [{ id: `${c}-le`, name: `ООО ${c}`, inn: '7707083893', kpp: '773601001' }],
      agreements: [{ id: `${c}-ag`, legal_entity_id: `${c}-le`, name: 'Договор поставки', credit_limit: 0, deferral_days: 0, organisation_id: org1 }] } },
  ]);
  const mk = (n, extra) => orderMsg(c, n, { lines: [[1, 1, 10]], extra });
  await sendAndApply([mk(1, {}), mk(2, { organisation_id: org2 })]);
  const buyer = new Client();
  assert.equal((await buyer.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const list = (await buyer.get('/api/orders/orders')).body.items;
  const payee = async (n) => {
    const id = list.find((x) => x.number === `ЗК-${c.slice(-4)}-${n}`).id;
    return (await buyer.get(`/api/orders/orders/${id}`)).body.payee;
  };
  const one = await payee(1);
  assert.equal(one.full_name, 'Общество с ограниченной ответственностью «АгроЗапчасть»');
  assert.equal(one.inn, '7707083893');
  assert.deepEqual(one.bank_accounts, [{ bank_name: 'ПАО Сбербанк', bik: '044525225', corr_account: '30101810400000000225', account: '40702810238000001234' }]);
  // The same client buys from the second organisation too: that order names it.
  const two = await payee(2);
  assert.equal(two.inn, '7736207543');
  assert.equal(two.bank_accounts[0].account, '40702810638000005678');
});
