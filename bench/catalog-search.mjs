// Catalogue search on a local stack with N products (default 100,000): loads them through the
// 1C contract (skipped when already there), then times searches by partial article and by name
// words as a signed-in buyer. Prints p50/p99/max per kind.
// Usage: node bench/catalog-search.mjs [N]   (PORTAL_URL, SIM_URL as for the tests)
import { randomUUID } from 'node:crypto';
import { Client, freshCompany, onecPost, batch, waitApplied } from '../tests/lib/portal.mjs';

const N = Number(process.argv[2] ?? 100000);
const WORDS = ['Подшипник', 'Ремень', 'Фильтр', 'Шестерня', 'Вал', 'Втулка', 'Нож', 'Диск', 'Палец', 'Звёздочка'];
const MACHINES = ['МТЗ-82', 'К-700', 'Дон-1500', 'John Deere 8R', 'Claas Lexion', 'Amazone', 'Ростсельмаш', 'ДТ-75'];
const co = await freshCompany([['buyer']]);
const buyer = new Client();
await buyer.signIn(co.users[0].email, co.users[0].password);
const probe = await buyer.get('/api/orders/catalog?q=CAT-0000099');
if (!probe.body.items.length) {
  const started = performance.now();
  for (let i = 0; i < N; i += 500) {
    const msgs = [];
    for (let j = i; j < Math.min(N, i + 500); j++) {
      msgs.push({ id: `cat-${j}-${randomUUID().slice(0, 4)}`, type: 'product', entity_id: `cat-${j}`, seq: 1, payload: {
        article: `CAT-${String(j).padStart(7, '0')}`, name: `${WORDS[j % WORDS.length]} ${MACHINES[j % MACHINES.length]} ${j}`, unit: 'шт', vat_rate: 20,
        prices: [{ price_type: { id: 'pt-opt', name: 'Оптовая' }, price: 100 + (j % 1000) }], stock: [{ warehouse: 'Краснодар', quantity: j % 7 }] } });
    }
    const r = await onecPost('/exchange/v1/messages', batch(msgs));
    if (r.status !== 200) throw new Error(`refused ${r.status}`);
    if (i % 20000 === 0) await waitApplied(msgs.map((m) => m.id), 120000);
  }
  await new Promise((r) => setTimeout(r, 3000));
  console.log(`loaded ${N} products in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
async function time(kind, queries) {
  const xs = [];
  for (const q of queries) {
    const t0 = performance.now();
    const r = await buyer.get(`/api/orders/catalog?q=${encodeURIComponent(q)}`);
    xs.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`${q}: ${r.status}`);
  }
  xs.sort((a, b) => a - b);
  const p = (f) => xs[Math.min(xs.length - 1, Math.floor(f * xs.length))].toFixed(1);
  console.log(`${kind}: n=${xs.length} p50=${p(0.5)} ms p99=${p(0.99)} ms max=${xs[xs.length - 1].toFixed(1)} ms`);
}
const rnd = (n) => Math.floor(Math.random() * n);
await time('partial article', Array.from({ length: 100 }, () => `cat-${String(rnd(N)).padStart(7, '0').slice(0, 5)}`));
await time('name words', Array.from({ length: 100 }, () => `${WORDS[rnd(WORDS.length)].slice(0, 5).toLowerCase()} ${MACHINES[rnd(MACHINES.length)].slice(0, 3)}`));
await time('no match', Array.from({ length: 50 }, () => `zzz${rnd(1000)}`));
