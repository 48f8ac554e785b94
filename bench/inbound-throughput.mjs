// Inbound exchange throughput on the local stack: sends N messages (a realistic mix: mostly
// products with 3 prices and stock, some companies and users) as 1C would, in batches of 250, and
// prints how many were applied per second, from the first send to the last one applied.
// Usage: node bench/inbound-throughput.mjs [N]   (PORTAL_URL, default http://127.0.0.1:8787)
import { randomUUID } from 'node:crypto';
import { onecPost } from '../tests/lib/portal.mjs';

const N = Number(process.argv[2] ?? 5000);
const run = randomUUID().slice(0, 8);
const msgs = [];
for (let i = 0; i < N; i++) {
  if (i % 100 === 0) {
    msgs.push({ id: `${run}-c${i}`, type: 'company', entity_id: `${run}-c${i}`, seq: 1, payload: { name: `Компания ${i}`, legal_entities: [{ id: `${run}-le${i}`, name: `ООО ${i}`, inn: '7707083893' }],
      agreements: [{ id: `${run}-ag${i}`, legal_entity_id: `${run}-le${i}`, name: 'Договор', credit_limit: 1000000, deferral_days: 30, price_type: { id: 'pt-opt', name: 'Оптовая' } }] } });
  } else if (i % 100 === 1) {
    msgs.push({ id: `${run}-u${i}`, type: 'user', entity_id: `${run}-u${i}`, seq: 1, payload: { company_id: `${run}-c${i - 1}`, email: `${run}-u${i}@bench.demo`, full_name: 'Бенч', roles: ['buyer'] } });
  } else {
    msgs.push({ id: `${run}-p${i}`, type: 'product', entity_id: `${run}-p${i}`, seq: 1, payload: { article: `B-${i}`, name: `Деталь ${i}`, unit: 'шт', vat_rate: 20,
      prices: [{ price_type: { id: 'pt-opt', name: 'Оптовая' }, price: 100.5 }, { price_type: { id: 'pt-dealer', name: 'Дилерская' }, price: 95.25 }, { price_type: { id: 'pt-retail', name: 'Розничная' }, price: 120 }],
      stock: [{ warehouse: 'Краснодар', quantity: i % 50 }, { warehouse: 'Воронеж', quantity: 3 }] } });
  }
}
const started = performance.now();
for (let i = 0; i < msgs.length; i += 250) {
  const r = await onecPost('/exchange/v1/messages', { batch_id: randomUUID(), sent_at: '2026-11-28T12:00:00', messages: msgs.slice(i, i + 250) });
  if (r.status !== 200) throw new Error(`batch refused: ${r.status}`);
}
const sent = performance.now();
const ids = msgs.map((m) => m.id);
for (;;) {
  let open = 0;
  for (let i = 0; i < ids.length; i += 1000) {
    const r = await onecPost('/exchange/v1/message-status', { ids: ids.slice(i, i + 1000) });
    open += r.body.items.filter((x) => x.status === 'pending' || x.status === 'waiting').length;
  }
  if (open === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
const done = performance.now();
console.log(`messages: ${N}; stored (all batches answered) in ${((sent - started) / 1000).toFixed(2)} s = ${Math.round(N / ((sent - started) / 1000))}/s; applied in ${((done - started) / 1000).toFixed(2)} s = ${Math.round(N / ((done - started) / 1000))} messages/s`);
