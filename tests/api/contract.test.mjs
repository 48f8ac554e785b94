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
for (const f of readdirSync(dir)) ajv.addSchema(JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
const message = ajv.getSchema('https://portal.example.ru/schemas/exchange/message.schema.json');
const envelope = ajv.getSchema('https://portal.example.ru/schemas/exchange/envelope.schema.json');

test('every message the simulator generates validates against the schemas', () => {
  const out = mkdtempSync(join(tmpdir(), 'onec-sim-'));
  execFileSync('cargo', ['run', '-q', '--release', '-p', 'onec-sim', '--', 'generate', '--out', out, '--products', '300']);
  const files = readdirSync(out).filter((f) => f.startsWith('sim-'));
  // 3 companies, 10 users, 300 products, 4 credit states (one per agreement), 60 orders (the
  // default of generate) and a payment schedule for each credit order not cancelled.
  const count = (type) => files.filter((f) => f.startsWith(`sim-${type}-`)).length;
  assert.equal(count('credit_state'), 4);
  assert.equal(count('order'), 60);
  assert.ok(count('payment_schedule') >= 1, 'payment schedules');
  assert.ok(files.length >= 313 + 4 + 60 + 1, `${files.length} messages`);
  for (const f of files) {
    const m = JSON.parse(readFileSync(join(out, f), 'utf8'));
    assert.ok(message(m), `${f}: ${JSON.stringify(message.errors)}`);
  }
  assert.ok(envelope(JSON.parse(readFileSync(join(out, 'envelope.json'), 'utf8'))), JSON.stringify(envelope.errors));
});

// Valid examples of the new types (as in docs/exchange/1c-contract.md); the bad ones below each
// break exactly one rule.
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
const m = (type, payload) => ({ id: 'x', type, entity_id: 'e', seq: 1, payload });

test('the schemas accept the contract examples of the new types', () => {
  for (const good of [m('order', order), m('credit_state', credit), m('payment_schedule', schedule)]) {
    assert.ok(message(good), `${good.type}: ${JSON.stringify(message.errors)}`);
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
  ];
  for (const m of bad) assert.equal(message(m), false, JSON.stringify(m));
});
