// Validates every change the simulated 1C received during the test run against the contract's
// schemas (docs/exchange/schemas/changes/); lists each invalid change (type, id, path, message)
// and each type without a schema, and exits 1 if there is any. Run by scripts/test.sh after the
// node tests, while the stack still runs: `node scripts/validate-changes.mjs` (SIM_URL).
import { checkAll } from '../tests/lib/change-schemas.mjs';

const sim = process.env.SIM_URL ?? 'http://127.0.0.1:8788';
const res = await fetch(`${sim}/hs/portal/v1/changes`);
if (!res.ok) {
  console.error(`validate-changes: ${sim}/hs/portal/v1/changes answered ${res.status}`);
  process.exit(1);
}
const { count, problems } = checkAll(await res.json());
const types = new Map();
for (const p of problems) types.set(p.type, (types.get(p.type) ?? 0) + 1);
for (const p of problems) console.error(`  ${p.type} ${p.id}: ${p.path} ${p.message}`);
if (problems.length) {
  console.error(`validate-changes: ${problems.length} problem(s) in the ${count} changes 1C received (by type: ${[...types].map(([t, n]) => `${t} ${n}`).join(', ')})`);
  process.exit(1);
}
console.log(`validate-changes: all ${count} changes 1C received match their schemas`);
