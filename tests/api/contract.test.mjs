// The simulator sends only messages that validate against the contract's JSON Schemas; the
// schemas refuse what the portal refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';

const dir = new URL('../../docs/exchange/schemas/', import.meta.url);
// Amounts like 1234.56 are not exact binary multiples of 0.01: compare with a tolerance.
const ajv = new Ajv2020({ allErrors: true, strict: false, multipleOfPrecision: 6 });
// (Files only: the changes' schemas are in a folder of their own.)
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
const message = ajv.getSchema('https://portal.example.ru/schemas/exchange/message.schema.json');
const envelope = ajv.getSchema('https://portal.example.ru/schemas/exchange/envelope.schema.json');

test('every message the simulator generates validates against the schemas', () => {
  const out = mkdtempSync(join(tmpdir(), 'onec-sim-'));
  execFileSync('cargo', ['run', '-q', '--release', '-p', 'onec-sim', '--', 'generate', '--out', out, '--products', '300']);
  const files = readdirSync(out).filter((f) => f.startsWith('sim-'));
  const msgs = files.map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')));
  const of = (type) => msgs.filter((m) => m.type === type);
  // 2 organisations of the supplier, 3 companies, 10 users, 300 products, 6 credit states (one
  // per individual agreement, one per company under the typical agreement), 60 orders (the
  // default of generate) and a payment schedule for each credit order not cancelled.
  assert.equal(of('organisation').length, 2);
  assert.equal(of('company').length, 3);
  assert.equal(of('user').length, 10);
  assert.equal(of('product').length, 300);
  assert.equal(of('credit_state').length, 6);
  // The typical agreement: listed by two companies, a credit state each (numbered per company).
  const typical = of('company').filter((m) => m.payload.agreements.some((a) => a.kind === 'typical'));
  assert.equal(typical.length, 2);
  assert.deepEqual(of('credit_state').filter((m) => m.entity_id.includes('/')).map((m) => m.payload.company_id).sort(), typical.map((m) => m.entity_id).sort());
  assert.equal(of('order').length, 60);
  assert.equal(of('payment_schedule').length, of('order').filter((m) => m.payload.payment_method === 'credit' && m.payload.status !== 'cancelled').length);
  // Around them: 2-3 consignees per company, one calendar, an opening balance and an act per
  // legal entity, an invoice per order, an УПД per shipment and an УКД per completed return.
  assert.equal(of('consignee').length, 7);
  assert.equal(of('shipping_calendar').length, 1);
  assert.equal(of('opening_balance').length, 4);
  assert.equal(of('reconciliation_act').length, 4);
  const shipments = of('order').reduce((n, m) => n + m.payload.shipments.length, 0);
  const completed = of('return').filter((m) => m.payload.status === 'completed').length;
  const docs = (kind) => of('document').filter((m) => m.payload.kind === kind).length;
  assert.equal(docs('invoice'), 60);
  // Issue 17: the first order shipped by several vehicles has its first УПД corrected twice (ИУПД)
  // and one УКД over its first two УПД.
  const fixes = of('document').filter((m) => m.payload.correction_of);
  assert.deepEqual(fixes.map((m) => m.payload.correction_no), [1, 2]);
  assert.equal(docs('upd'), shipments + fixes.length);
  assert.equal(docs('ukd'), completed + 1);
  assert.ok(of('document').some((m) => m.payload.corrects?.length === 2), 'a УКД over two УПД');
  assert.ok(of('return').length >= 6 && completed >= 3, 'returns');
  assert.ok(of('payment').length >= 30, 'payments');
  assert.ok(of('account_movement').some((m) => m.payload.kind === 'refund') && of('account_movement').some((m) => m.payload.kind === 'order_payment'), 'movements');
  assert.equal(of('answer').length, 0, '1C answers only the portal\'s changes');
  // Every type but answer is generated, and every message validates.
  for (const type of ['organisation', 'company', 'consignee', 'user', 'product', 'shipping_calendar', 'credit_state', 'opening_balance', 'order', 'payment_schedule', 'payment', 'return', 'account_movement', 'document', 'reconciliation_act']) {
    assert.ok(of(type).length > 0, type);
  }
  assert.equal(msgs.length, files.length);
  for (const [i, m] of msgs.entries()) assert.ok(message(m), `${files[i]}: ${JSON.stringify(message.errors)}`);
  // The files the documents and acts name are written next to them, PDFs of the stated size.
  const written = readdirSync(join(out, 'files'));
  const named = msgs.flatMap((m) => m.payload.files ?? []);
  assert.equal(named.length, written.length);
  for (const f of named) {
    const bytes = readFileSync(join(out, 'files', f.key));
    assert.equal(bytes.length, f.size, f.key);
    assert.equal(bytes.subarray(0, 8).toString(), '%PDF-1.4');
  }
  assert.ok(envelope(JSON.parse(readFileSync(join(out, 'envelope.json'), 'utf8'))), JSON.stringify(envelope.errors));
});

// Valid examples of every type added after the first three (as in docs/exchange/1c-contract.md);
// the bad ones below each break exactly one rule. Rules across fields the schemas cannot express
// (sums, closing = opening + debit - credit, change_id = entity_id) are the portal's alone.
const line = { line_no: 1, product_id: 'p-000001', article: 'AZ10000', name: 'Подшипник МТЗ-82', quantity: 2, unit: 'шт', price: 1234.5, amount: 2469, vat_rate: 20, vat: 411.5 };
const order = {
  company_id: 'c-kuban', legal_entity_id: 'le-kuban-1', agreement_id: 'ag-kuban-1', number: 'ЗК-000123', date: '2026-03-01T10:00:00',
  author_email: 'buyer@kuban-agro.demo', status: 'shipped', delivery_method: 'delivery', delivery_address: 'Краснодарский край', consignee_id: null,
  payment_method: 'credit', paid: 2469, planned_shipping_date: '2026-03-05T00:00:00', lines: [line], total: 2469, vat_total: 411.5,
  shipments: [{ id: 'sh-000123-1', number: 'РН-000123', date: '2026-03-05T14:00:00', vehicle: 'А123ВС 93', documents: ['УПД № 123 от 05.03.2026'], lines: [{ line_no: 1, quantity: 2 }] }],
};
const credit = { company_id: 'c-kuban', agreement_id: 'ag-kuban-1', as_of: '2026-11-28T09:00:00', limit: 15000000, debt: 3200000.5, overdue_debt: 0, reserve: 450000, reserve_orders: ['o-2026-000123'], blocked: false, amount_to_pay: 0 };
const stage = { due_date: '2026-04-04T00:00:00', amount: 2469, paid: 1000 };
const schedule = { company_id: 'c-kuban', order_id: 'o-2026-000123', agreement_id: 'ag-kuban-1', stages: [stage] };
const consignee = { company_id: 'c-kuban', portal_id: null, name: 'ООО «Кубань-Агро», отделение Каневское', inn: '7707083893', kpp: '231001001', address: 'Краснодарский край, ст. Каневская, ул. Полевая, 1', contact_person: 'Гончаренко Виктор Павлович', phone: '+7 861 641-20-15', active: true };
const calendar = { from: '2026-11-28T00:00:00', to: '2027-02-25T00:00:00', days_off: ['2026-11-28T00:00:00', '2026-11-29', '2026-12-31T00:00:00'] };
const opening = { company_id: 'c-kuban', legal_entity_id: 'le-kuban-1', agreement_id: 'ag-kuban-1', date: '2024-11-01T00:00:00', balance: -1500.5 };
const payment = { company_id: 'c-kuban', legal_entity_id: 'le-kuban-1', agreement_id: 'ag-kuban-1', number: 'БП-000123', date: '2026-03-03T11:00:00', amount: 5000, purpose: 'Оплата по счету № СЧ-000123 от 01.03.2026', allocations: [{ order_id: 'o-2026-000123', amount: 2469 }], posted: true };
const ret = { company_id: 'c-kuban', portal_id: null, order_id: 'o-2026-000123', number: 'ВЗ-000005', date: '2026-03-15T10:00:00', status: 'completed', reason: null, lines: [{ line_no: 1, quantity: 1 }], refund_amount: 1234.5 };
const movement = { company_id: 'c-kuban', legal_entity_id: 'le-kuban-1', date: '2026-03-17T12:00:00', kind: 'refund', amount: 1234.5, return_id: 'ret-000123', order_id: 'o-2026-000123', change_id: null, comment: 'Возврат средств по возврату ВЗ-000005' };
const file = { key: 'd-upd-000123-1.pdf', name: 'УПД № 123 от 05.03.2026.pdf', content_type: 'application/pdf', size: 912, role: 'print' };
const upd = {
  company_id: 'c-kuban', legal_entity_id: 'le-kuban-1', kind: 'upd', kind_name: 'УПД', number: '123', date: '2026-03-05T14:00:00', upd_status: 1, corrects_id: null,
  amount: 2469, vat: 411.5, orders: ['o-2026-000123'], shipment_id: 'sh-000123-1',
  lines: [{ line_no: 1, article: 'AZ10000', name: 'Подшипник МТЗ-82', quantity: 2, unit: 'шт', price: 1234.5, amount: 2469, vat_rate: 20, vat: 411.5 }],
  files: [file], edo_status: 'signed', active: true,
};
const ukd = { ...upd, kind: 'ukd', kind_name: 'УКД', number: 'КУ-000001', upd_status: null, corrects_id: 'd-upd-000123-1', amount: -1234.5, vat: -205.75, shipment_id: null,
  lines: [{ line_no: 1, article: 'AZ10000', name: 'Подшипник МТЗ-82', quantity: -1, unit: 'шт', price: 1234.5, amount: -1234.5, vat_rate: 20, vat: -205.75 }], files: [{ ...file, key: 'd-ukd-ret-000123.pdf' }] };
const invoice = { ...upd, kind: 'invoice', kind_name: 'Счет на оплату', number: 'СЧ-000123', upd_status: null, shipment_id: null, edo_status: null };
const act = {
  company_id: 'c-kuban', request_id: null, legal_entity_id: 'le-kuban-1', agreement_id: 'ag-kuban-1', number: 'АС-000001', period_from: '2026-07-01T00:00:00', period_to: '2026-09-30T00:00:00',
  opening_balance: 1000, operations: [
    { date: '2026-07-10T00:00:00', document: 'Реализация (акт, накладная, УПД) 123 от 10.07.2026', document_id: 'd-upd-000123-1', debit: 300, credit: 0 },
    { date: '2026-07-20T00:00:00', document: 'Поступление на расчетный счет БП-000077 от 20.07.2026', document_id: 'pay-000077', debit: 0, credit: 1000.5 }],
  debit_total: 300, credit_total: 1000.5, closing_balance: 299.5, files: [{ ...file, key: 'act-le-kuban-1-2026-q3.pdf', name: 'Акт сверки.pdf' }],
};
const answer = { change_id: 'e', status: 'rejected', reason: 'Адрес вне зоны доставки', onec_id: null };
const organisation = {
  name: 'ООО «АгроЗапчасть»', full_name: 'Общество с ограниченной ответственностью «АгроЗапчасть»', inn: '7707083893', kpp: '773601001', ogrn: '1027700132195',
  address: '350000, г. Краснодар, ул. Северная, д. 10',
  bank_accounts: [{ bank_name: 'ПАО Сбербанк', bik: '044525225', corr_account: '30101810400000000225', account: '40702810238000001234' }],
};
const typical = { id: 'ag-typical-mht', kind: 'typical', name: 'Типовое соглашение Интернет-МХТ', credit_limit: 300000, deferral_days: 14, organisation_id: 'org-agro',
  price_type: { id: 'ag-typical-mht', name: 'Типовое соглашение Интернет-МХТ' } };
const m = (type, payload) => ({ id: 'x', type, entity_id: 'e', seq: 1, payload });
const without = (o, k) => Object.fromEntries(Object.entries(o).filter(([key]) => key !== k));

test('the schemas accept the contract examples of the new types', () => {
  const goods = [
    m('order', order), m('credit_state', credit), m('payment_schedule', schedule),
    m('consignee', consignee), m('consignee', { company_id: 'c', name: 'Склад', address: 'Ейск', inn: '' }),
    m('shipping_calendar', calendar), m('opening_balance', opening), m('payment', payment), m('payment', { ...payment, allocations: [] }),
    m('return', ret), m('return', { ...ret, status: 'rejected', reason: 'Следы установки', lines: [], refund_amount: 0 }), m('return', { ...ret, status: 'requested', number: null }),
    m('account_movement', movement), m('account_movement', { ...movement, kind: 'order_payment', amount: -2469, return_id: null }),
    m('account_movement', { ...movement, kind: 'correction', amount: -0.01 }),
    m('document', upd), m('document', ukd), m('document', invoice), m('document', { ...invoice, kind: 'other', kind_name: 'Акт выполненных работ', files: [] }),
    m('document', { ...upd, files: [file, { ...file, key: 'd-upd-000123-1.xml', content_type: 'application/xml', role: 'fns_xml' }] }),
    // Issue 17: an ИУПД, a УКД over two УПД, 22% and без НДС lines with ОКЕИ codes, 1С-ЭДО's state.
    m('document', { ...upd, correction_of: 'd-upd-000123-1', correction_no: 2, correction_date: '2026-03-10T10:00:00', edo_status: null, edo_state: 'Ожидается ответная подпись' }),
    m('document', { ...ukd, corrects_id: null, corrects: ['d-upd-000123-1', 'd-upd-000123-2'],
      lines: [{ ...ukd.lines[0], base_id: 'd-upd-000123-1', base_line_no: 1 }, { ...ukd.lines[0], line_no: 2, base_id: 'd-upd-000123-2', base_line_no: 1 }] }),
    m('document', { ...upd, amount: 2569, vat: 445.18, lines: [{ ...upd.lines[0], unit_code: '796', vat_rate: '22%', vat: 445.18 },
      { line_no: 2, article: null, name: 'Доставка', quantity: 1, unit: 'усл', unit_code: null, price: 100, amount: 100, vat_rate: 'none', vat: 0 }] }),
    m('reconciliation_act', act), m('reconciliation_act', { ...act, request_id: 'act_req_1', agreement_id: null, files: [] }),
    m('answer', answer), m('answer', { change_id: 'e', status: 'accepted', onec_id: 'k-kuban-9' }),
    // A snapshot that results from portal changes names them.
    m('order', { ...order, change_ids: ['out_k3', 'out_k4'] }), m('credit_state', { ...credit, change_ids: null }), m('payment', { ...payment, change_ids: [] }),
    m('return', { ...ret, change_ids: ['out_r1'] }), m('account_movement', { ...movement, change_ids: ['out_p1'] }), m('reconciliation_act', { ...act, change_ids: ['out_a1'] }),
    m('consignee', { ...consignee, change_ids: ['out_c1'] }), m('payment_schedule', { ...schedule, change_ids: ['out_s1'] }),
    { id: 'x', type: 'user', entity_id: 'u', seq: 1, payload: { company_id: 'c', email: 'a@b.ru', full_name: 'X', roles: ['admin'], change_ids: ['out_u1'] } },
    { id: 'x', type: 'company', entity_id: 'c', seq: 1, payload: { name: 'C', legal_entities: [], change_ids: ['out_l1'] } },
    // УТ 11's data (issue 17): the supplier's organisations, typical agreements, orders sold from one.
    m('organisation', organisation), m('organisation', { name: 'ИП Сидоров', inn: '500100732259', bank_accounts: [] }),
    { id: 'x', type: 'company', entity_id: 'c', seq: 1, payload: { name: 'C', legal_entities: [{ id: 'le', name: 'ООО' }],
      agreements: [typical, { id: 'ag', kind: 'individual', legal_entity_id: 'le', name: 'Договор', credit_limit: 0, deferral_days: 0, organisation_id: 'org-agro-yug' }] } },
    { ...m('credit_state', { ...credit, agreement_id: 'ag-typical-mht' }), entity_id: 'ag-typical-mht/c-kuban' },
    m('order', { ...order, organisation_id: 'org-agro-yug' }),
  ];
  for (const good of goods) {
    assert.ok(message(good), `${good.type}: ${JSON.stringify(message.errors)}`);
  }
});

test('dates with an offset (RFC 3339) validate wherever zone-less Moscow time does', () => {
  const goods = [
    m('order', { ...order, date: '2026-03-01T10:00:00+03:00', planned_shipping_date: '2026-03-05T00:00:00+03:00' }),
    m('payment', { ...payment, date: '2026-03-03T08:00:00Z' }),
    m('account_movement', { ...movement, date: '2026-03-17T12:00:00-01:30' }),
  ];
  for (const good of goods) assert.ok(message(good), `${good.type}: ${JSON.stringify(message.errors)}`);
  assert.ok(envelope({ batch_id: 'b', sent_at: '2026-12-06T10:00:00+03:00', messages: [goods[1]] }), JSON.stringify(envelope.errors));
  for (const bad of ['2026-03-01T10:00:00+3', '2026-03-01T10:00:00 +03:00', '2026-03-01+03:00']) {
    assert.equal(message(m('payment', { ...payment, date: bad })), false, bad);
  }
});

test('the schemas refuse bad messages', () => {
  const { agreement_id: _, ...creditWithoutAgreement } = credit;
  const bad = [
    m('order', { ...order, lines: [{ ...line, quantity: 1.0001 }] }),
    m('order', { ...order, status: 'lost' }),
    m('credit_state', creditWithoutAgreement),
    m('payment_schedule', { ...schedule, stages: [{ ...stage, amount: -1 }] }),
    m('payment_schedule', { ...schedule, stages: [{ ...stage, paid: 10.005 }] }),
    { id: 'x', type: 'user', entity_id: 'u', seq: 1, payload: { company_id: 'c', email: 'nope', full_name: 'X', roles: ['admin'] } },
    { id: 'x', type: 'user', entity_id: 'u', seq: 1, payload: { company_id: 'c', email: 'a@b.ru', full_name: 'X', roles: ['root'] } },
    { id: 'x', type: 'product', entity_id: 'p', seq: 1, payload: { article: 'A', name: 'B', unit: 'шт', prices: [{ price_type: { id: 'p', name: 'P' }, price: 1.001 }] } },
    { id: 'x', type: 'company', entity_id: 'c', seq: 0, payload: { name: 'C', legal_entities: [] } },
    { id: 'x', type: 'teleport', entity_id: 'c', seq: 1, payload: {} },
    // Organisations and agreements: unknown fields, bad identifiers, over-long names, an
    // individual agreement without its legal entity, an unknown kind.
    m('organisation', { ...organisation, iban: 'x' }),
    m('organisation', { ...organisation, bank_accounts: [{ ...organisation.bank_accounts[0], swift: 'x' }] }),
    m('organisation', { ...organisation, name: 'я'.repeat(301) }),
    m('organisation', { ...organisation, bank_accounts: [{ ...organisation.bank_accounts[0], bik: '123' }] }),
    m('organisation', without(organisation, 'inn')),
    { id: 'x', type: 'company', entity_id: 'c', seq: 1, payload: { name: 'C', legal_entities: [], agreements: [{ ...typical, kind: 'individual' }] } },
    { id: 'x', type: 'company', entity_id: 'c', seq: 1, payload: { name: 'C', legal_entities: [], agreements: [{ ...typical, kind: 'shared' }] } },
    // The new types: each breaks one rule the portal checks.
    m('consignee', without(consignee, 'address')),
    m('consignee', { ...consignee, name: '  ' }),
    m('consignee', { ...consignee, inn: '77070838' }),
    m('shipping_calendar', { ...calendar, from: '0001-01-01T00:00:00' }),
    m('shipping_calendar', { ...calendar, days_off: ['28.11.2026'] }),
    m('opening_balance', without(opening, 'date')),
    m('opening_balance', { ...opening, balance: 1.005 }),
    m('payment', { ...payment, amount: 0 }),
    m('payment', { ...payment, allocations: [{ order_id: 'o-1', amount: -5 }] }),
    m('payment', without(payment, 'number')),
    m('return', { ...ret, status: 'lost' }),
    m('return', { ...ret, status: 'rejected', reason: null }),
    m('return', { ...ret, status: 'rejected', reason: ' ' }),
    m('return', { ...ret, lines: [{ line_no: 1, quantity: 0 }] }),
    m('return', { ...ret, refund_amount: -1 }),
    m('account_movement', { ...movement, amount: -1 }),
    m('account_movement', { ...movement, kind: 'order_payment', amount: 10 }),
    m('account_movement', { ...movement, kind: 'order_payment', amount: -10, order_id: null }),
    m('account_movement', { ...movement, kind: 'correction', amount: 0 }),
    m('account_movement', { ...movement, kind: 'gift' }),
    m('document', { ...upd, kind: 'act' }),
    m('document', { ...upd, upd_status: 3 }),
    m('document', { ...invoice, upd_status: 1 }),
    m('document', { ...ukd, corrects_id: null }),
    m('document', { ...invoice, amount: -1 }),
    m('document', { ...upd, edo_status: 'lost' }),
    m('document', { ...upd, edo_status: null, edo_state: 'Потерян' }),
    m('document', { ...upd, edo_state: 'Подписан' }),
    m('document', { ...upd, lines: [{ ...upd.lines[0], vat_rate: '18%' }] }),
    m('document', { ...upd, lines: [{ ...upd.lines[0], unit_code: 'шт' }] }),
    m('document', { ...upd, lines: [{ ...upd.lines[0], vat_rate: 'none' }] }),
    m('document', { ...upd, correction_of: 'd-upd-000123-1', correction_no: 0, correction_date: '2026-03-10T10:00:00' }),
    m('document', { ...upd, correction_of: 'd-upd-000123-1', correction_no: 1 }),
    m('document', { ...invoice, correction_of: 'd-upd-000123-1', correction_no: 1, correction_date: '2026-03-10T10:00:00' }),
    m('document', { ...ukd, corrects_id: null, corrects: [] }),
    m('document', { ...ukd, corrects: ['d-upd-000123-2'] }),
    m('document', { ...upd, corrects: ['d-upd-000123-2'] }),
    m('document', { ...upd, files: [{ ...file, key: '../secret.pdf' }] }),
    m('document', { ...upd, files: [{ ...file, key: '.hidden' }] }),
    m('document', { ...upd, files: [{ ...file, size: 20 * 1024 * 1024 + 1 }] }),
    m('document', { ...upd, files: [{ ...file, size: 0 }] }),
    m('document', { ...upd, files: [{ ...file, role: 'scan' }] }),
    m('document', { ...upd, files: [{ ...file, content_type: 'pdf' }] }),
    m('document', without(upd, 'kind_name')),
    m('reconciliation_act', without(act, 'legal_entity_id')),
    m('reconciliation_act', { ...act, period_to: null }),
    m('reconciliation_act', { ...act, operations: [{ document: 'Без даты', debit: 1 }] }),
    m('answer', { ...answer, status: 'received' }),
    m('answer', { ...answer, reason: null }),
    m('answer', without(answer, 'change_id')),
    m('order', { ...order, change_ids: [''] }),
    m('order', { ...order, change_ids: 'out_k3' }),
    m('credit_state', { ...credit, change_ids: ['x'.repeat(101)] }),
    m('payment', { ...payment, change_ids: Array.from({ length: 101 }, (_, i) => `out_${i}`) }),
  ];
  for (const m of bad) assert.equal(message(m), false, JSON.stringify(m));
});
