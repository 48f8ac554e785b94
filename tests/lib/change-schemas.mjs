// The contract's JSON Schemas of the changes the portal sends 1C (docs/exchange/schemas/changes/):
// one validator for a change of any type, used by the per-kind test and by scripts/test.sh's
// check of every change the simulated 1C received during the run.
import { readdirSync, readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';

const schemas = new URL('../../docs/exchange/schemas/', import.meta.url);
const changes = new URL('changes/', schemas);
const BASE = 'https://portal.example.ru/schemas/exchange/changes/';

/** A checker: `check(change)` lists its problems ({id, type, path, message}); none when valid. */
export function changeChecker() {
  // Amounts like 1234.56 are not exact binary multiples of 0.01: compare with a tolerance (as
  // tests/api/contract.test.mjs does for the inbound schemas).
  const ajv = new Ajv2020({ allErrors: true, strict: false, multipleOfPrecision: 6 });
  ajv.addSchema(JSON.parse(readFileSync(new URL('common.schema.json', schemas), 'utf8')));
  const kinds = [];
  for (const f of readdirSync(changes).filter((f) => f.endsWith('.schema.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(new URL(f, changes), 'utf8')));
    if (f !== 'change.schema.json') kinds.push(f.replace(/\.schema\.json$/, ''));
  }
  const frame = ajv.getSchema(`${BASE}change.schema.json`);
  const check = (change) => {
    const type = change?.type;
    const validate = kinds.includes(type) ? ajv.getSchema(`${BASE}${type}.schema.json`) : frame;
    const problems = [];
    if (!kinds.includes(type)) problems.push({ path: '/type', message: `no schema for the change type ${JSON.stringify(type)}` });
    if (!validate(change)) {
      for (const e of validate.errors) {
        problems.push({ path: e.instancePath || '/', message: `${e.message}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ''}` });
      }
    }
    return problems.map((p) => ({ id: change?.id, type, ...p }));
  };
  return { check, kinds };
}

/** The problems of many changes, each change once (1C may receive one more than once). */
export function checkAll(list) {
  const { check } = changeChecker();
  const seen = new Set();
  const problems = [];
  for (const c of list) {
    if (seen.has(c?.id)) continue;
    seen.add(c?.id);
    problems.push(...check(c));
  }
  return { count: seen.size, problems };
}
