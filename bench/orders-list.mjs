// Order list latency for a company with 10,000 orders in a database of 1,000,000 orders, on a
// local stack. The first run creates the company and its user through the normal path (1C
// messages, password link), stops the stack, writes the bulk straight into the stack's local D1
// SQLite file with the sqlite3 CLI (recursive CTEs: minutes instead of hours through the
// exchange), and starts the stack again. Later runs reuse the data. Then times each filter, each
// sort and later pages (keyset cursor) as the signed-in buyer, sequentially.
// Usage: node bench/orders-list.mjs [requests per case, default 200]
//   env: PORTAL_URL, SIM_URL as for the tests; STACK_STATE (default $HOME/stack-bench), the
//   state dir the stack was started with; STACK_VARS as for scripts/stack.sh (for the restart).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Client, freshCompany, PORTAL, SIM } from '../tests/lib/portal.mjs';

const N = Number(process.argv[2] ?? 200);
const STATE = process.env.STACK_STATE ?? `${process.env.HOME}/stack-bench`;
const ROOT = new URL('..', import.meta.url).pathname;
const ORDERS = 1_000_000;
const BIG = 10_000; // the measured company's orders
const COMPANIES = 5_000; // with the measured one
const PRODUCTS = 100_000;
const meta = `${STATE}/orders-bench.json`;

const sqlite = (file, sql) => execFileSync('sqlite3', ['-bail', file], { input: sql, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();

/** The stack's local D1 file: the miniflare database that has the orders table. */
function d1File() {
  const dir = `${STATE}/v3/d1/miniflare-D1DatabaseObject`;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sqlite'))) {
    if (sqlite(`${dir}/${f}`, "SELECT count(*) FROM sqlite_master WHERE name = 'orders';") === '1') return `${dir}/${f}`;
  }
  throw new Error(`no D1 file with orders in ${dir}`);
}

function stack(cmd) {
  const [port, simPort] = [new URL(PORTAL).port, new URL(SIM).port];
  const env = { ...process.env, STACK_VARS: process.env.STACK_VARS ?? 'THROTTLE_ACCOUNT_MAX=1000 THROTTLE_IP_MAX=1000' };
  execFileSync('bash', ['scripts/stack.sh', cmd, STATE, ...(cmd === 'start' ? [port, simPort] : [])], { cwd: ROOT, env, stdio: 'inherit' });
}

// Text normalised in JS exactly as shared::validate::search_text does for these words
// (lowercase, ё -> е, single spaces); names are built from these parts in SQL.
const norm = (s) => s.toLowerCase().replaceAll('ё', 'е').split(/\s+/).filter(Boolean).join(' ');
const WORDS = ['Подшипник', 'Ремень', 'Фильтр масляный', 'Шестерня', 'Вал карданный', 'Втулка', 'Нож сегментный', 'Диск сошника', 'Палец', 'Звёздочка', 'Сальник', 'Цепь'];
const MACHINES = ['МТЗ-82', 'К-700', 'Дон-1500', 'John Deere 8R', 'Claas Lexion', 'Amazone', 'Ростсельмаш', 'ДТ-75', 'Кировец К-744', 'Нива СК-5'];
const values = (xs) => xs.map((x, k) => `(${k}, '${x}', '${norm(x)}')`).join(', ');

/** One order's lines as SQL expressions of the order number i and the line number k: the
 * product, quantity and price are functions of (i, k), so the order's total is known in the
 * same INSERT that writes the order. 2 or 3 lines per order. */
const prod = (k) => `((i * 2654435761 + ${k} * 40503) % 1000003 % ${PRODUCTS})`;
const qty = (k) => `(1 + (i * 31 + ${k} * 17) % 10)`;
const price = (k) => `((100 + ${prod(k)} % 4900) * 100)`;
const total = `(${qty(1)} * ${price(1)} + ${qty(2)} * ${price(2)} + CASE WHEN i % 2 = 1 THEN ${qty(3)} * ${price(3)} ELSE 0 END)`;

function generate(file, bigId, bigLe, bigUser) {
  const others = ORDERS - BIG;
  const per = Math.floor(others / (COMPANIES - 1));
  const at = "'2026-01-01T00:00:00.000Z'";
  // Deterministic per order (a CTE column using random() may be evaluated once per use).
  const hash = '((i * 1103515245 + 12345) % 2147483647)';
  const company = `'bc-' || min(1 + (i - ${BIG}) / ${per}, ${COMPANIES - 1})`;
  const sql = `
PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY;
BEGIN;
CREATE TEMP TABLE w(k, v, lc); INSERT INTO w VALUES ${values(WORDS)};
CREATE TEMP TABLE m(k, v, lc); INSERT INTO m VALUES ${values(MACHINES)};
-- The catalogue: 100,000 products, article AGR-0000000, name from the parts above.
WITH RECURSIVE n(p) AS (SELECT 0 UNION ALL SELECT p + 1 FROM n WHERE p < ${PRODUCTS - 1})
INSERT INTO products (id, onec_id, article, article_norm, name, name_norm, unit, updated_at)
SELECT 'bp-' || p, 'bench-p' || p, 'AGR-' || printf('%07d', p), 'agr' || printf('%07d', p),
  w.v || ' ' || m.v || ' ' || p, w.lc || ' ' || m.lc || ' ' || p, 'шт', ${at}
FROM n JOIN w ON w.k = p % ${WORDS.length} JOIN m ON m.k = (p / ${WORDS.length}) % ${MACHINES.length};
-- The other companies, 3 legal entities and 3 employees each; 3 more of each for the measured one.
WITH RECURSIVE n(c) AS (SELECT 1 UNION ALL SELECT c + 1 FROM n WHERE c < ${COMPANIES - 1})
INSERT INTO companies (id, onec_id, name, updated_at) SELECT 'bc-' || c, 'bench-c' || c, 'Хозяйство ' || c, ${at} FROM n;
CREATE TEMP TABLE k3(k); INSERT INTO k3 VALUES (0), (1), (2);
INSERT INTO legal_entities (id, company_id, onec_id, name, updated_at)
SELECT c.id || '-le' || k, c.id, c.onec_id || '-le' || k, 'ООО «' || c.name || ' ' || k || '»', ${at} FROM companies c, k3 WHERE c.id LIKE 'bc-%';
INSERT INTO users (id, company_id, email, full_name, created_at, updated_at)
SELECT c.id || '-u' || k, c.id, c.onec_id || '-u' || k || '@bench.demo', 'Сотрудник ' || k, ${at}, ${at} FROM companies c, k3 WHERE c.id LIKE 'bc-%';
INSERT INTO legal_entities (id, company_id, onec_id, name, updated_at) SELECT 'big-le' || k, '${bigId}', 'bench-big-le' || k, 'ООО «Агро ' || k || '»', ${at} FROM k3;
INSERT INTO users (id, company_id, email, full_name, created_at, updated_at) SELECT 'big-u' || k, '${bigId}', 'bench-big-u' || k || '@bench.demo', 'Закупщик ' || k, ${at}, ${at} FROM k3;
CREATE TEMP TABLE ble(k, id); INSERT INTO ble VALUES (0, '${bigLe}'), (1, 'big-le0'), (2, 'big-le1'), (3, 'big-le2');
CREATE TEMP TABLE bu(k, id); INSERT INTO bu VALUES (0, '${bigUser}'), (1, 'big-u0'), (2, 'big-u1'), (3, 'big-u2');
-- 1,000,000 orders over two years: the first ${BIG} are the measured company's, then ${per} per company.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ORDERS - 1}),
o AS (SELECT i, ${hash} AS r, CASE WHEN i < ${BIG} THEN NULL ELSE ${company} END AS co,
  strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-28T00:00:00', '-' || ((i * 2654435761 + 99991) % 63072000) || ' seconds') AS at FROM n),
s AS (SELECT *, CASE WHEN r % 100 < 55 THEN 'shipped' WHEN r % 100 < 62 THEN 'cancelled' WHEN r % 100 < 70 THEN 'paid'
  WHEN r % 100 < 76 THEN 'reserved' WHEN r % 100 < 82 THEN 'partly_shipped' WHEN r % 100 < 93 THEN 'awaiting_payment' ELSE 'draft' END AS st FROM o)
INSERT INTO orders (id, company_id, onec_id, legal_entity_id, number, number_norm, onec_number, ordered_at, author_user_id, status,
  delivery_method, payment_method, paid_kop, planned_shipping_date, total_kop, vat_kop, updated_at)
SELECT 'bo' || printf('%07d', i), coalesce(co, '${bigId}'), 'bench-o' || i,
  CASE WHEN co IS NULL THEN (SELECT id FROM ble WHERE k = r % 4) ELSE co || '-le' || (r % 3) END,
  'П-' || printf('%08X', i), 'п-' || lower(printf('%08X', i)), CASE WHEN st = 'draft' THEN NULL ELSE 'ЦБ-' || printf('%06d', i % 1000000) END,
  at, CASE WHEN co IS NULL THEN (SELECT id FROM bu WHERE k = (r / 7) % 4) ELSE co || '-u' || ((r / 7) % 3) END, st,
  CASE r % 3 WHEN 0 THEN 'pickup' WHEN 1 THEN 'delivery' ELSE 'transport_company' END, CASE r % 4 WHEN 0 THEN 'card' WHEN 1 THEN 'credit' ELSE 'invoice' END,
  CASE WHEN st IN ('paid', 'shipped', 'partly_shipped') THEN ${total} ELSE 0 END,
  CASE WHEN st = 'draft' THEN NULL ELSE date(at, '+' || (1 + r % 21) || ' days') END,
  ${total}, ${total} * 20 / 120, at
FROM s;
-- Their lines; search filled as shared::orders::line_search does (article key, normalised name).
CREATE TEMP TABLE k123(k); INSERT INTO k123 VALUES (1), (2), (3);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ORDERS - 1}),
l AS (SELECT i, k, ${prod('k')} AS p, ${qty('k')} AS q, ((100 + ${prod('k')} % 4900) * 100) AS pr FROM n, k123 WHERE k < 3 OR i % 2 = 1)
INSERT INTO order_lines (order_id, company_id, line_no, product_id, product_onec_id, article, name, qty_milli, unit, price_kop, amount_kop, vat_rate_bp, vat_kop, search)
SELECT 'bo' || printf('%07d', i), CASE WHEN i < ${BIG} THEN '${bigId}' ELSE ${company} END, k, pp.id, pp.onec_id, pp.article, pp.name, q * 1000, 'шт', pr, q * pr, 2000, q * pr * 20 / 120,
  pp.article_norm || ' ' || pp.name_norm
FROM l JOIN products pp ON pp.id = 'bp-' || p;
COMMIT;
`;
  sqlite(file, sql);
}

const counts = (file) => sqlite(file, `SELECT 'orders ' || (SELECT count(*) FROM orders) || ', order_lines ' || (SELECT count(*) FROM order_lines)
  || ', companies ' || (SELECT count(*) FROM companies) || ', products ' || (SELECT count(*) FROM products) || ', users ' || (SELECT count(*) FROM users)
  || ', legal_entities ' || (SELECT count(*) FROM legal_entities);`);

let info = existsSync(meta) ? JSON.parse(readFileSync(meta, 'utf8')) : null;
if (!info) {
  const co = await freshCompany([['buyer']]);
  stack('stop');
  const file = d1File();
  const [bigId, bigLe, bigUser] = sqlite(file, `SELECT c.id, (SELECT id FROM legal_entities WHERE company_id = c.id), (SELECT id FROM users WHERE company_id = c.id)
    FROM companies c WHERE c.onec_id = '${co.id}';`).split('|');
  const started = performance.now();
  generate(file, bigId, bigLe, bigUser);
  console.log(`generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  info = { bigId, email: co.users[0].email, password: co.users[0].password };
  writeFileSync(meta, JSON.stringify(info));
  stack('start');
}
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
const authors = col(`SELECT id FROM users WHERE company_id = '${info.bigId}';`);
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
