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
  assert.ok(files.length >= 313, `${files.length} messages`);
  for (const f of files) {
    const m = JSON.parse(readFileSync(join(out, f), 'utf8'));
    assert.ok(message(m), `${f}: ${JSON.stringify(message.errors)}`);
  }
  assert.ok(envelope(JSON.parse(readFileSync(join(out, 'envelope.json'), 'utf8'))), JSON.stringify(envelope.errors));
});

test('the schemas refuse bad messages', () => {
  const bad = [
    { id: 'x', type: 'user', entity_id: 'u', seq: 1, payload: { company_id: 'c', email: 'nope', full_name: 'X', roles: ['admin'] } },
    { id: 'x', type: 'user', entity_id: 'u', seq: 1, payload: { company_id: 'c', email: 'a@b.ru', full_name: 'X', roles: ['root'] } },
    { id: 'x', type: 'product', entity_id: 'p', seq: 1, payload: { article: 'A', name: 'B', unit: 'шт', prices: [{ price_type: { id: 'p', name: 'P' }, price: 1.001 }] } },
    { id: 'x', type: 'company', entity_id: 'c', seq: 0, payload: { name: 'C', legal_entities: [] } },
    { id: 'x', type: 'teleport', entity_id: 'c', seq: 1, payload: {} },
  ];
  for (const m of bad) assert.equal(message(m), false, JSON.stringify(m));
});
