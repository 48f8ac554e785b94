// One change of every kind the portal sends 1C, made over HTTP on the real stack, validated
// against its schema in docs/exchange/schemas/changes/ as the simulated 1C received it (so the
// validator runs even when this file runs alone; scripts/test.sh then checks every change of the
// whole run the same way). The validator refuses a drifted change.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { Client, MONITOR_TOKEN, PORTAL, freshCompany, onecReceived, sendAndApply, sweep, uid } from '../lib/portal.mjs';
import { orderMsg, productMsg } from '../lib/orders.mjs';
import { payableOrder, settle } from '../lib/card.mjs';
import { shippedOrder } from '../lib/returns.mjs';
import { changeChecker } from '../lib/change-schemas.mjs';

async function until(check, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ok = (r, what) => assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);

test('every change kind the portal makes matches its schema as 1C receives it', async () => {
  const { check, kinds } = changeChecker();
  const co = await freshCompany([['admin', 'buyer'], ['accountant']]);
  const c = co.id;
  await sendAndApply([productMsg(c, 1, { price: 100.5 }),
    ...[1, 2, 3, 4, 5, 6].map((n) => orderMsg(c, n, { lines: [[1, 2.5, 100.5]], method: n === 3 ? 'credit' : 'invoice' })),
    { id: uid('m'), type: 'account_movement', entity_id: `${c}-mv`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`,
      date: '2026-11-01T10:00:00', kind: 'refund', amount: 100000 } }]);
  const card = await payableOrder(c);
  const shipped = await shippedOrder(c);
  const admin = new Client();
  assert.equal((await admin.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const accountant = new Client();
  assert.equal((await accountant.signIn(co.users[1].email, co.users[1].password)).status, 200);
  const order = async (number) => {
    const id = (await admin.get(`/api/orders/orders?number=${encodeURIComponent(number)}`)).body.items[0].id;
    return (await admin.get(`/api/orders/orders/${id}`)).body.order;
  };
  const n = (k) => `ЗК-${c.slice(-4)}-${k}`;

  // The company, its employees, its consignees.
  const me = (await admin.get('/api/auth/me')).body.user;
  ok(await admin.req('PATCH', '/api/auth/profile', { full_name: 'Профиль Изменён', position: 'Инженер', phone: '+7 900 000-00-00', version: me.version }), 'profile');
  const le = (await admin.get('/api/company/company')).body.legal_entities[0];
  ok(await admin.req('PATCH', `/api/company/legal-entities/${le.id}`, { version: le.version, name: le.name, inn: '7707083893', kpp: '773601001',
    legal_address: 'Москва, ул. Новая, 1', bank_accounts: [{ bik: '044525225', bank_name: 'ПАО Сбербанк', corr_account: '30101810400000000225', account: '40702819938000001234' }] }), 'legal entity');
  const emp = await admin.post('/api/company/employees', { email: `${c}-new@test.demo`, full_name: 'Новый Сотрудник', roles: ['buyer'] });
  ok(emp, 'employee added');
  ok(await admin.req('PATCH', `/api/company/employees/${emp.body.id}`, { version: 1, full_name: 'Новый Сотрудник Второй', roles: ['buyer', 'accountant'] }), 'employee changed');
  ok(await admin.req('DELETE', `/api/company/employees/${emp.body.id}?version=2`), 'employee removed');
  const k = await admin.post('/api/company/consignees', { name: 'Склад Усть-Лабинск', address: 'Усть-Лабинск, ул. Заводская, 5', inn: '7707083893' });
  ok(k, 'consignee added');
  ok(await admin.req('PATCH', `/api/company/consignees/${k.body.id}`, { version: k.body.version, name: 'Склад №2', address: 'Кореновск' }), 'consignee changed');
  ok(await admin.req('DELETE', `/api/company/consignees/${k.body.id}?version=${k.body.version + 1}`), 'consignee archived');

  // Orders: an edit, a cancellation, a switch with an urgent shipment, a repeat, a consolidation,
  // payments from the account and by card, a return.
  const o1 = await order(n(1));
  ok(await admin.req('PATCH', `/api/orders/orders/${o1.id}`, { version: o1.version, lines: [{ article: `${c.slice(-4).toUpperCase()}-1`, quantity: '3.125' }] }), 'order changed');
  const o2 = await order(n(2));
  ok(await admin.post(`/api/orders/orders/${o2.id}/cancellation`, { version: o2.version, reason: 'Передумали' }), 'order cancelled');
  const o3 = await order(n(3));
  ok(await admin.post(`/api/orders/orders/${o3.id}/payment-method`, { version: o3.version, payment_method: 'invoice', ship_today: true }), 'payment method');
  const o4 = await order(n(4));
  ok(await admin.post(`/api/orders/orders/${o4.id}/repeat`), 'order created');
  const o5 = await order(n(5));
  ok(await admin.post('/api/orders/consolidations', { orders: [o4.id, o5.id] }), 'consolidation');
  const o6 = await order(n(6));
  ok(await admin.post('/api/finance/account/payments', { order_id: o6.id }), 'paid from account');
  const co7 = await order(card.number);
  const pay = await admin.post(`/api/orders/orders/${co7.id}/card-payments`);
  ok(pay, 'card payment');
  await settle(pay.body.payment_id, 'succeed');
  const found = await admin.get(`/api/returns/returnable-orders?q=${encodeURIComponent(shipped.number.slice(-6).toLowerCase())}`);
  ok(await admin.post('/api/returns/returns', { order_id: found.body.items[0].id, reason: 'defect', comment: 'Люфт', lines: [{ line_no: 1, quantity: '1.5' }] }), 'return');
  const acts = (await accountant.get('/api/documents/acts')).body;
  ok(await accountant.post('/api/documents/acts', { legal_entity_id: acts.legal_entities[0].id, preset: 'last_quarter' }), 'act');

  // The exchange monitor asks 1C to resend the company.
  const rs = await fetch(`${PORTAL}/exchange/v1/monitor/resyncs`, { method: 'POST',
    headers: { authorization: `Bearer ${MONITOR_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': uid('resync') },
    body: JSON.stringify({ company_id: c, reason: 'outbound schemas' }) });
  assert.equal(rs.status, 201, await rs.text());

  // 1C receives one of each kind; each matches its schema.
  const got = await until(async () => {
    // A change waiting behind an earlier one of its entity goes out on the sweeper's next run.
    await sweep();
    const mine = (await onecReceived()).filter((x) => x.payload?.company_id === c);
    const missing = kinds.filter((kind) => !mine.some((x) => x.type === kind));
    return missing.length === 0 ? mine : null;
  }, 'one change of every kind at 1C', 60000).catch(async (e) => {
    const mine = (await onecReceived()).filter((x) => x.payload?.company_id === c);
    throw new Error(`${e.message}; received: ${[...new Set(mine.map((x) => x.type))].join(', ')}`);
  });
  const problems = got.flatMap(check);
  assert.deepEqual(problems, [], JSON.stringify(problems, null, 1));
  // What the schemas promise 1C, spot-checked: numbers, the agreement on order.created, the flag.
  const of = (kind) => got.find((x) => x.type === kind);
  assert.equal(of('order.created').payload.agreement_id, `${c}-ag`);
  assert.equal(of('order.created').payload.legal_entity_id, `${c}-le`);
  assert.equal(of('order.changed').payload.lines[0].quantity, 3.125);
  assert.equal(of('order.payment_method_changed').payload.ship_today, true);
  assert.equal(of('order.paid_by_card').payload.amount, 1250);
  assert.equal(of('return.requested').payload.lines[0].quantity, 1.5);
});

test('the validator refuses a drifted change and a type without a schema', () => {
  const { check } = changeChecker();
  const good = { id: 'out_x', type: 'order.paid_from_account', entity_type: 'order', entity_id: 'o1', base_version: 1,
    created_at: '2026-11-28T12:00:00', payload: { company_id: 'c1', order_id: 'o1', amount: 201.5 } };
  assert.deepEqual(check(good), []);
  const paths = (ch) => check(ch).map((p) => `${p.path} ${p.message}`);
  assert.deepEqual(paths({ ...good, payload: { ...good.payload, amount: '201.50' } }), ['/payload/amount must be number']);
  assert.deepEqual(paths({ ...good, payload: { ...good.payload, amount: 201.555 } }), ['/payload/amount must be multiple of 0.01']);
  assert.deepEqual(paths({ ...good, payload: { ...good.payload, details: {} } }), ['/ must NOT have additional properties: details'].map((s) => s.replace('/ ', '/payload ')));
  assert.deepEqual(paths({ ...good, created_at: '2026-11-28T12:00:00+03:00' }), ['/created_at must match pattern "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$"']);
  assert.match(paths({ ...good, type: 'order.shipped' })[0], /no schema for the change type "order.shipped"/);
});

test("the contract's example changes (section 6) match their schemas", () => {
  const { check } = changeChecker();
  const text = readFileSync(new URL('../../docs/exchange/1c-contract.md', import.meta.url), 'utf8');
  const s6 = text.slice(text.indexOf('\n## 6.'), text.indexOf('\n## 7.'));
  const examples = [...s6.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1].replace(/…/g, '')));
  assert.ok(examples.length >= 4, `${examples.length} examples`);
  for (const ex of examples) assert.deepEqual(check(ex), [], ex.type);
});
