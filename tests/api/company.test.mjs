// Company and people over HTTP on the real stack, with the simulated 1C answering by push: a
// legal entity proposal accepted and one refused (markers in the data fix 1C's answer, whatever
// mode other tests set), a consignee change undone by a refusal, the last-admin rule, and an
// employee removed being refused on the next request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany, linkToken } from '../lib/portal.mjs';

const ACCEPT = 'ПРИНЯТЬ-1С';
const REJECT = 'ОТКЛОНИТЬ-1С';

async function admin() {
  const co = await freshCompany([['admin'], ['buyer']]);
  const c = new Client();
  assert.equal((await c.signIn(co.users[0].email, co.users[0].password)).status, 200);
  return { co, c };
}

async function until(check, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const details = (le, address) => ({ version: le.version, name: le.name, inn: '7707083893', kpp: '773601001', legal_address: address,
  bank_accounts: [{ bik: '044525225', bank_name: 'ПАО Сбербанк', corr_account: '30101810400000000225', account: '40702819938000001234' }] });

test('legal entity details: refused identifiers, a proposal 1C accepts and one it refuses', async () => {
  const { c } = await admin();
  let le = (await c.get('/api/company/company')).body.legal_entities[0];
  const bad = await c.req('PATCH', `/api/company/legal-entities/${le.id}`, { ...details(le, 'x'), inn: '1234567890', bank_accounts: [{ bik: '044525225', corr_account: '1', account: '2' }] });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.field_errors.map((f) => f.field), ['inn', 'bank_accounts[0].corr_account', 'bank_accounts[0].account']);
  assert.ok(bad.body.field_errors.every((f) => f.message_ru && f.message_en));

  const r = await c.req('PATCH', `/api/company/legal-entities/${le.id}`, details(le, `Москва, ул. Новая, 1 ${ACCEPT}`));
  assert.equal(r.status, 202);
  le = await until(async () => {
    const x = (await c.get('/api/company/company')).body.legal_entities[0];
    return x.change === null && x.legal_address?.includes('Новая') ? x : null;
  }, 'accepted details applied');
  assert.equal(le.bank_accounts[0].bik, '044525225');

  assert.equal((await c.req('PATCH', `/api/company/legal-entities/${le.id}`, details(le, `Адрес ${REJECT}`))).status, 202);
  const refused = await until(async () => {
    const x = (await c.get('/api/company/company')).body.legal_entities[0];
    return x.change?.state === 'rejected' ? x : null;
  }, 'refusal shown');
  assert.equal(refused.change.reason, 'Проверка в 1С не пройдена');
  assert.match(refused.legal_address, /Новая/, 'the accepted details stay');
  const audit = (await c.get('/api/company/audit?kind=legal_entity.')).body.items;
  assert.deepEqual(audit.map((a) => a.onec_answer?.status), ['rejected', 'accepted']);
});

test('a consignee change refused by 1C is undone', async () => {
  const { c } = await admin();
  const added = await c.post('/api/company/consignees', { name: `Склад ${ACCEPT}`, address: 'Усть-Лабинск' });
  assert.equal(added.status, 201);
  const id = added.body.id;
  const known = await until(async () => (await c.get('/api/company/consignees')).body.items.find((x) => x.id === id && x.change === null), 'added accepted');
  assert.equal((await c.req('PATCH', `/api/company/consignees/${id}`, { version: known.version, name: `Склад ${REJECT}`, address: 'Кореновск' })).status, 204);
  const back = await until(async () => (await c.get('/api/company/consignees')).body.items.find((x) => x.id === id && x.change?.state === 'rejected'), 'refused');
  assert.equal(back.address, 'Усть-Лабинск');
  assert.equal(back.change.reason, 'Проверка в 1С не пройдена');
});

test('employees: added by link, removed and refused at once; the last admin stays', async () => {
  const { co, c } = await admin();
  const email = `${co.id}-new@test.demo`;
  const r = await c.post('/api/company/employees', { email, full_name: 'Новый Сотрудник', roles: ['buyer'] });
  assert.equal(r.status, 201);
  const token = await linkToken(email);
  const n = new Client();
  assert.equal((await n.post('/api/auth/password-resets', { token, password: 'Newcomer-pass-2026' })).status, 204);
  assert.equal((await n.signIn(email, 'Newcomer-pass-2026')).status, 200);
  assert.equal((await n.get('/api/orders/orders')).status, 200);
  const list = (await c.get('/api/company/employees')).body.items;
  const emp = list.find((e) => e.email === email);
  assert.equal((await c.req('DELETE', `/api/company/employees/${emp.id}?version=${emp.version}`)).status, 204);
  assert.equal((await n.get('/api/orders/orders')).status, 401);
  const me = list.find((e) => e.email === co.users[0].email);
  const last = await c.req('DELETE', `/api/company/employees/${me.id}?version=${me.version}`);
  assert.equal(last.status, 409);
  assert.equal(last.body.code, 'last-admin');
  assert.equal(last.body.title_ru.length > 0 && last.body.title_en.length > 0, true);
});
