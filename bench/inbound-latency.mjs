// Delay from 1C's POST to the change being visible in the API: 1C renames a company, a signed-in
// user of that company polls GET /api/company/company until the new name shows. Measured idle and
// while a product burst is being applied (the realistic worst case: the consumer is busy).
// Usage: node bench/inbound-latency.mjs [samples]   (PORTAL_URL, SIM_URL as for the tests)
import { randomUUID } from 'node:crypto';
import { Client, companyMsg, freshCompany, onecPost, batch } from '../tests/lib/portal.mjs';

const N = Number(process.argv[2] ?? 100);
const co = await freshCompany([['buyer']]);
const user = new Client();
if ((await user.signIn(co.users[0].email, co.users[0].password)).status !== 200) throw new Error('sign-in failed');
let seq = 1;

async function once() {
  seq += 1;
  const name = `Компания ${co.id} v${seq}`;
  const started = performance.now();
  const r = await onecPost('/exchange/v1/messages', batch([companyMsg(co.id, seq, name)]));
  if (r.status !== 200) throw new Error(`refused ${r.status}`);
  for (;;) {
    const c = await user.get('/api/company/company');
    if (c.body?.company?.name === name) return performance.now() - started;
    if (performance.now() - started > 30000) throw new Error('not visible in 30 s');
    await new Promise((res) => setTimeout(res, 10));
  }
}

function report(label, xs) {
  xs.sort((a, b) => a - b);
  const q = (p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(0);
  console.log(`${label}: n=${xs.length} p50=${q(0.5)} ms p99=${q(0.99)} ms max=${xs[xs.length - 1].toFixed(0)} ms`);
}

const idle = [];
for (let i = 0; i < N; i++) idle.push(await once());
report('idle', idle);

// A burst of 5,000 product snapshots in flight while measuring.
const run = randomUUID().slice(0, 8);
const burst = (async () => {
  for (let b = 0; b < 20; b++) {
    const msgs = [];
    for (let i = 0; i < 250; i++) {
      const n = b * 250 + i;
      msgs.push({ id: `${run}-p${n}`, type: 'product', entity_id: `${run}-p${n}`, seq: 1, payload: { article: `L-${n}`, name: `Деталь ${n}`, unit: 'шт', vat_rate: 20,
        prices: [{ price_type: { id: 'pt-opt', name: 'Оптовая' }, price: 100.5 }], stock: [{ warehouse: 'Краснодар', quantity: 5 }] } });
    }
    await onecPost('/exchange/v1/messages', batch(msgs));
  }
})();
const busy = [];
for (let i = 0; i < Math.max(20, Math.floor(N / 2)); i++) busy.push(await once());
await burst;
report('during a 5,000-product burst', busy);
