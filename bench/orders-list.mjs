// Order list latency for a company with 10,000 orders in a database of 1,000,000 orders, on a
// local stack. The data set (bench/lib/dataset.mjs) is made on the first run: the company and its
// user through the normal path, the bulk straight into the stack's local D1 file. Then times each
// filter, each sort and later pages (keyset cursor) as the signed-in buyer, sequentially.
// Usage: node bench/orders-list.mjs [requests per case, default 200]
//   env: PORTAL_URL, SIM_URL as for the tests; STACK_STATE (default $HOME/stack-bench), the
//   state dir the stack was started with; STACK_VARS as for scripts/stack.sh (for the restart).
import { counts, d1File, ensureDataset, norm, sqlite, WORDS } from './lib/dataset.mjs';
import { Client } from '../tests/lib/portal.mjs';

const N = Number(process.argv[2] ?? 200);
const info = await ensureDataset();
const file = d1File();
console.log(`database: ${counts(file)}`);
console.log(`measured company: ${sqlite(file, `SELECT count(*) FROM orders WHERE company_id = '${info.bigId}';`)} orders, `
  + `${sqlite(file, `SELECT count(*) FROM order_lines WHERE company_id = '${info.bigId}';`)} lines`);

const buyer = new Client();
const signed = await buyer.signIn(info.email, info.password);
if (signed.status !== 200) throw new Error(`sign-in: ${signed.status}`);

// Filter values of the measured company, picked at random per request.
const col = (sql) => sqlite(file, sql).split('\n');
const les = col(`SELECT id FROM legal_entities WHERE company_id = '${info.bigId}';`);
const authors = col(`SELECT DISTINCT author_user_id FROM orders WHERE company_id = '${info.bigId}';`);
const articles = col(`SELECT article FROM order_lines WHERE company_id = '${info.bigId}' ORDER BY random() LIMIT 300;`);
const numbers = col(`SELECT number FROM orders WHERE company_id = '${info.bigId}' ORDER BY random() LIMIT 300;`);
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
const day = (d) => d.toISOString().slice(0, 10);
const month = () => { // a random 3-month window inside the two years
  const from = new Date(Date.UTC(2024, 11, 1) + Math.random() * 630 * 864e5);
  return [day(from), day(new Date(from.getTime() + 91 * 864e5))];
};
const shipMonth = () => { const [f] = month(); return [f, day(new Date(Date.parse(f) + 30 * 864e5))]; };

/** The cursor of page `n` (1-based) of a query, following next_cursor. */
async function cursorOf(query, n) {
  let cursor = null;
  for (let i = 1; i < n; i++) {
    const r = await buyer.get(`/api/orders/orders?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    cursor = r.body.next_cursor;
  }
  return cursor;
}

const cases = [
  ['no filter, date_desc', () => ''],
  ['sort date_asc', () => 'sort=date_asc'],
  ['sort amount_desc', () => 'sort=amount_desc'],
  ['sort amount_asc', () => 'sort=amount_asc'],
  ['page 2, date_desc', async () => `cursor=${await cursorOf('', 2)}`, true],
  ['page 2, amount_asc', async () => `sort=amount_asc&cursor=${await cursorOf('sort=amount_asc', 2)}`, true],
  ['page 50, date_desc', async () => `cursor=${await cursorOf('', 50)}`, true],
  ['from/to (3 months)', () => { const [f, t] = month(); return `from=${f}&to=${t}`; }],
  ['ship_from/ship_to (1 month)', () => { const [f, t] = shipMonth(); return `ship_from=${f}&ship_to=${t}`; }],
  ['status=shipped', () => 'status=shipped'],
  ['status=draft,awaiting_payment', () => 'status=draft,awaiting_payment'],
  ['legal_entity', () => `legal_entity=${pick(les)}`],
  ['author', () => `author=${pick(authors)}`],
  ['q=article part (agr-00123)', () => `q=${encodeURIComponent(pick(articles).slice(0, 9))}`],
  ['q=name word', () => `q=${encodeURIComponent(norm(pick(WORDS)).split(' ')[0].slice(0, 6))}`],
  ['q=no match', () => `q=${encodeURIComponent(`нет такого ${Math.floor(Math.random() * 1e6)}`)}`],
  ['number (full)', () => `number=${encodeURIComponent(pick(numbers))}`],
  ['number (part: last 4)', () => `number=${encodeURIComponent(pick(numbers).slice(-4))}`],
  ['status+from/to+author', () => { const [f, t] = month(); return `status=shipped,paid&from=${f}&to=${t}&author=${pick(authors)}`; }],
  ['legal_entity+q+amount_desc', () => `legal_entity=${pick(les)}&q=${encodeURIComponent(pick(articles).slice(0, 8))}&sort=amount_desc`],
];

const rows = [];
for (const [name, make, fixed] of cases) {
  const xs = [];
  const matched = [];
  let items = 0;
  const once = fixed ? await make() : null; // a cursor is fetched once, then reused
  for (let i = 0; i < N + 10; i++) {
    const q = once ?? make();
    const t0 = performance.now();
    const r = await buyer.get(`/api/orders/orders?${q}`);
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`${name} ?${q}: ${r.status} ${JSON.stringify(r.body)}`);
    if (i < 10) continue; // warm-up
    xs.push(ms);
    matched.push(r.body.totals.count);
    items = Math.max(items, r.body.items.length);
  }
  xs.sort((a, b) => a - b);
  matched.sort((a, b) => a - b);
  const p = (f) => xs[Math.min(xs.length - 1, Math.floor(f * xs.length))].toFixed(1);
  rows.push({ case: name, p50: p(0.5), p99: p(0.99), max: xs[xs.length - 1].toFixed(1), rows: items, matched: matched[Math.floor(matched.length / 2)] });
  console.log(`${name.padEnd(30)} p50 ${p(0.5).padStart(7)} ms  p99 ${p(0.99).padStart(7)} ms  max ${xs[xs.length - 1].toFixed(1).padStart(7)} ms  rows ${String(items).padStart(3)}  matched (median) ${matched[Math.floor(matched.length / 2)]}`);
}
console.log(`\n| case | p50 ms | p99 ms | max ms | rows returned | matched (median) |\n|---|---:|---:|---:|---:|---:|`);
for (const r of rows) console.log(`| ${r.case} | ${r.p50} | ${r.p99} | ${r.max} | ${r.rows} | ${r.matched} |`);
