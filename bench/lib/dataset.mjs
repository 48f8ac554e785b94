// The full-scale benchmark data set (issue 8), shared by bench/orders-list.mjs and
// bench/latency.mjs. The first run on a stack creates one company and its buyer through the
// normal path (1C messages, password link) and uploads one 1 MB PDF through the 1C file upload,
// stops the stack, writes the bulk straight into the stack's local D1 SQLite file with the sqlite3
// CLI (recursive CTEs: minutes instead of hours through the exchange), and starts the stack again.
// Later runs reuse the data (`$STACK_STATE/dataset.json` marks it done).
//
// Sizes: 5,000 companies (3 legal entities and 3 agreements with credit states each), 50,000
// users (10 per company; all share the password of the user made through the normal path: its
// hash is copied), 1,000,000 orders with 5,000,000 lines, 375,000 payment-schedule stages
// (orders on credit), 2,000,000 documents (an invoice and a УПД per order) with their order links
// and one file row each pointing at the 1 MB PDF in local R2, 100,000 products with a price and
// stock. The "big" company (the one made through the normal path) has 10,000 orders; every other
// company ~198.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freshCompany, PORTAL, SIM } from '../../tests/lib/portal.mjs';
import { onecPut } from '../../tests/lib/documents.mjs';

export const STATE = process.env.STACK_STATE ?? `${process.env.HOME}/stack-bench`;
export const ROOT = new URL('../..', import.meta.url).pathname;
export const ORDERS = 1_000_000;
export const BIG = 10_000; // the big company's orders
export const COMPANIES = 5_000; // with the big one
export const USERS_PER = 10; // per company: u0 admin, u1 accountant, u2..u9 buyers
export const LINES = 5; // per order
export const PRODUCTS = 100_000;
export const PDF_KEY = 'bench-1mb.pdf'; // stored as onec/<key> by the 1C file upload
export const PDF_BYTES = 1 << 20;
const meta = `${STATE}/dataset.json`;

export const sqlite = (file, sql) => execFileSync('sqlite3', ['-bail', file], { input: sql, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();

/** The stack's local D1 file: the miniflare database that has the orders table. */
export function d1File() {
  const dir = `${STATE}/v3/d1/miniflare-D1DatabaseObject`;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sqlite'))) {
    if (sqlite(`${dir}/${f}`, "SELECT count(*) FROM sqlite_master WHERE name = 'orders';") === '1') return `${dir}/${f}`;
  }
  throw new Error(`no D1 file with orders in ${dir}`);
}

export const stackVars = () => process.env.STACK_VARS ?? 'THROTTLE_ACCOUNT_MAX=1000000 THROTTLE_IP_MAX=1000000 ACCESS_TTL_SECS=7200';

export function stack(cmd) {
  const [port, simPort] = [new URL(PORTAL).port, new URL(SIM).port];
  const env = { ...process.env, STACK_VARS: stackVars() };
  execFileSync('bash', ['scripts/stack.sh', cmd, STATE, ...(cmd === 'start' ? [port, simPort] : [])], { cwd: ROOT, env, stdio: 'inherit' });
}

// Text normalised in JS exactly as shared::validate::search_text does for these words
// (lowercase, ё -> е, single spaces); names are built from these parts in SQL.
export const norm = (s) => s.toLowerCase().replaceAll('ё', 'е').split(/\s+/).filter(Boolean).join(' ');
export const WORDS = ['Подшипник', 'Ремень', 'Фильтр масляный', 'Шестерня', 'Вал карданный', 'Втулка', 'Нож сегментный', 'Диск сошника', 'Палец', 'Звёздочка', 'Сальник', 'Цепь'];
export const MACHINES = ['МТЗ-82', 'К-700', 'Дон-1500', 'John Deere 8R', 'Claas Lexion', 'Amazone', 'Ростсельмаш', 'ДТ-75', 'Кировец К-744', 'Нива СК-5'];
const values = (xs) => xs.map((x, k) => `(${k}, '${x}', '${norm(x)}')`).join(', ');

/** A PDF of exactly PDF_BYTES: a valid header and trailer around a comment of filler. */
export function onePdf() {
  const head = Buffer.from('%PDF-1.4\n% benchmark file\n%');
  const tail = Buffer.from('\n%%EOF\n');
  return Buffer.concat([head, Buffer.alloc(PDF_BYTES - head.length - tail.length, 0x41), tail]);
}

/** One order's lines as SQL expressions of the order number i and the line number k: the
 * product, quantity and price are functions of (i, k), so the order's total is known in the
 * same INSERT that writes the order. */
const qty = (k) => `(1 + (i * 31 + ${k} * 17) % 10)`;

/** Writes the bulk; `size` is for trying the SQL on a small file. */
export function generate(file, big, size = { ORDERS, BIG, COMPANIES, PRODUCTS }) {
  const { ORDERS, BIG, COMPANIES, PRODUCTS } = size;
  const prod = (k) => `((i * 2654435761 + ${k} * 40503) % 1000003 % ${PRODUCTS})`;
  const total = `(${Array.from({ length: LINES }, (_, j) => `${qty(j + 1)} * ((100 + ${prod(j + 1)} % 4900) * 100)`).join(' + ')})`;
  const others = ORDERS - BIG;
  const per = Math.floor(others / (COMPANIES - 1));
  const at = "'2026-01-01T00:00:00.000Z'";
  // Deterministic per order (a CTE column using random() may be evaluated once per use).
  const hash = '((i * 1103515245 + 12345) % 2147483647)';
  const company = `'bc-' || min(1 + (i - ${BIG}) / ${per}, ${COMPANIES - 1})`;
  const ks = (name, n, from = 0) => `CREATE TEMP TABLE ${name}(k); INSERT INTO ${name} VALUES ${Array.from({ length: n }, (_, j) => `(${j + from})`).join(', ')};`;
  const sql = `
PRAGMA synchronous = OFF; PRAGMA cache_size = -2000000; PRAGMA temp_store = MEMORY;
BEGIN;
CREATE TEMP TABLE w(k, v, lc); INSERT INTO w VALUES ${values(WORDS)};
CREATE TEMP TABLE m(k, v, lc); INSERT INTO m VALUES ${values(MACHINES)};
${ks('k3', 3)} ${ks('k9', 9)} ${ks('k10', USERS_PER)} ${ks('k12', 2, 1)} ${ks('kl', LINES, 1)}
-- The catalogue: 100,000 products, article AGR-0000000, name from the parts above; a price of the
-- price type 1C sent with the big company's agreement, and stock on one warehouse.
WITH RECURSIVE n(p) AS (SELECT 0 UNION ALL SELECT p + 1 FROM n WHERE p < ${PRODUCTS - 1})
INSERT INTO products (id, onec_id, article, article_norm, name, name_norm, unit, updated_at)
SELECT 'bp-' || p, 'bench-p' || p, 'AGR-' || printf('%07d', p), 'agr' || printf('%07d', p),
  w.v || ' ' || m.v || ' ' || p, w.lc || ' ' || m.lc || ' ' || p, 'шт', ${at}
FROM n JOIN w ON w.k = p % ${WORDS.length} JOIN m ON m.k = (p / ${WORDS.length}) % ${MACHINES.length};
INSERT INTO product_prices (product_id, price_type_id, price_kop)
SELECT id, '${big.priceType}', (100 + CAST(substr(id, 4) AS INTEGER) % 4900) * 100 FROM products WHERE id LIKE 'bp-%';
INSERT INTO product_stock (product_id, warehouse, qty_milli) SELECT id, 'Краснодар', (CAST(substr(id, 4) AS INTEGER) % 50) * 1000 FROM products WHERE id LIKE 'bp-%';
-- The other companies: 3 legal entities, 3 agreements and 10 employees each (u0 admin,
-- u1 accountant, the rest buyers), all with the normal-path user's password hash.
WITH RECURSIVE n(c) AS (SELECT 1 UNION ALL SELECT c + 1 FROM n WHERE c < ${COMPANIES - 1})
INSERT INTO companies (id, onec_id, name, updated_at) SELECT 'bc-' || c, 'bench-c' || c, 'Хозяйство ' || c, ${at} FROM n;
INSERT INTO legal_entities (id, company_id, onec_id, name, inn, updated_at)
SELECT c.id || '-le' || k, c.id, c.onec_id || '-le' || k, 'ООО «' || c.name || ' ' || k || '»', '7707083893', ${at} FROM companies c, k3 WHERE c.id LIKE 'bc-%';
INSERT INTO users (id, company_id, email, full_name, password_hash, created_at, updated_at)
SELECT c.id || '-u' || k, c.id, c.onec_id || '-u' || k || '@bench.demo', 'Сотрудник ' || k, '${big.hash}', ${at}, ${at} FROM companies c, k10 WHERE c.id LIKE 'bc-%';
INSERT INTO user_roles (company_id, user_id, role)
SELECT company_id, id, CASE substr(id, -1) WHEN '0' THEN 'admin' WHEN '1' THEN 'accountant' ELSE 'buyer' END FROM users WHERE id LIKE 'bc-%';
-- The big company: 3 more legal entities and 9 more buyers (50,000 users in all).
INSERT INTO legal_entities (id, company_id, onec_id, name, inn, updated_at) SELECT 'big-le' || k, '${big.id}', 'bench-big-le' || k, 'ООО «Агро ' || k || '»', '7707083893', ${at} FROM k3;
INSERT INTO users (id, company_id, email, full_name, password_hash, created_at, updated_at)
SELECT 'big-u' || k, '${big.id}', 'bench-big-u' || k || '@bench.demo', 'Закупщик ' || k, '${big.hash}', ${at}, ${at} FROM k9;
INSERT INTO user_roles (company_id, user_id, role) SELECT '${big.id}', 'big-u' || k, 'buyer' FROM k9;
CREATE TEMP TABLE ble(k, id); INSERT INTO ble VALUES (0, '${big.le}'), (1, 'big-le0'), (2, 'big-le1'), (3, 'big-le2');
CREATE TEMP TABLE bu(k, id); INSERT INTO bu VALUES (0, '${big.user}'), (1, 'big-u0'), (2, 'big-u1'), (3, 'big-u2');
-- One agreement per new legal entity (id: the legal entity's || '-ag'), and 1C's credit state for
-- each: limit 1-5 million rubles, some debt and reserve; every 20th blocked with an overdue debt.
INSERT INTO agreements (id, company_id, legal_entity_id, onec_id, name, number, credit_limit_kop, deferral_days, price_type_id, updated_at)
SELECT le.id || '-ag', le.company_id, le.id, le.onec_id || '-ag', 'Договор поставки', 'ДП-' || le.id, (1 + length(le.id) % 5) * 100000000, 30, '${big.priceType}', ${at}
FROM legal_entities le WHERE le.id LIKE 'bc-%' OR le.id LIKE 'big-le%';
CREATE TEMP TABLE bag(k, id); INSERT INTO bag VALUES (0, '${big.ag}'), (1, 'big-le0-ag'), (2, 'big-le1-ag'), (3, 'big-le2-ag');
INSERT OR IGNORE INTO credit_states (agreement_id, company_id, limit_kop, debt_kop, overdue_kop, reserve_kop, blocked, amount_to_pay_kop, as_of, updated_at)
SELECT a.id, a.company_id, a.credit_limit_kop, a.credit_limit_kop / (2 + a.rowid % 5), CASE WHEN a.rowid % 20 = 0 THEN 1500000 ELSE 0 END,
  a.credit_limit_kop / (5 + a.rowid % 7), CASE WHEN a.rowid % 20 = 0 THEN 1 ELSE 0 END, a.credit_limit_kop / (4 + a.rowid % 5), '2026-11-27T21:00:00.000Z', ${at}
FROM agreements a;
-- 1,000,000 orders over two years: the first ${BIG} are the big company's, then ${per} per company.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ORDERS - 1}),
o AS (SELECT i, ${hash} AS r, CASE WHEN i < ${BIG} THEN NULL ELSE ${company} END AS co,
  strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-28T00:00:00', '-' || ((i * 2654435761 + 99991) % 63072000) || ' seconds') AS at FROM n),
s AS (SELECT *, CASE WHEN r % 100 < 55 THEN 'shipped' WHEN r % 100 < 62 THEN 'cancelled' WHEN r % 100 < 70 THEN 'paid'
  WHEN r % 100 < 76 THEN 'reserved' WHEN r % 100 < 82 THEN 'partly_shipped' WHEN r % 100 < 93 THEN 'awaiting_payment' ELSE 'draft' END AS st FROM o)
INSERT INTO orders (id, company_id, onec_id, legal_entity_id, agreement_id, number, number_norm, onec_number, ordered_at, author_user_id, status,
  delivery_method, payment_method, paid_kop, planned_shipping_date, total_kop, vat_kop, updated_at)
SELECT 'bo' || printf('%07d', i), coalesce(co, '${big.id}'), 'bench-o' || i,
  CASE WHEN co IS NULL THEN (SELECT id FROM ble WHERE k = r % 4) ELSE co || '-le' || (r % 3) END,
  CASE WHEN co IS NULL THEN (SELECT id FROM bag WHERE k = r % 4) ELSE co || '-le' || (r % 3) || '-ag' END,
  'П-' || printf('%08X', i), 'п-' || lower(printf('%08X', i)), CASE WHEN st = 'draft' THEN NULL ELSE 'ЦБ-' || printf('%06d', i % 1000000) END,
  at, CASE WHEN co IS NULL THEN (SELECT id FROM bu WHERE k = (r / 7) % 4) ELSE co || '-u' || ((r / 7) % ${USERS_PER}) END, st,
  CASE r % 3 WHEN 0 THEN 'pickup' WHEN 1 THEN 'delivery' ELSE 'transport_company' END, CASE r % 4 WHEN 0 THEN 'card' WHEN 1 THEN 'credit' ELSE 'invoice' END,
  CASE WHEN st IN ('paid', 'shipped', 'partly_shipped') THEN ${total} ELSE 0 END,
  CASE WHEN st = 'draft' THEN NULL ELSE date(at, '+' || (1 + r % 21) || ' days') END,
  ${total}, ${total} * 20 / 120, at
FROM s;
-- Their lines, ${LINES} per order; search filled as shared::orders::line_search does (article key, normalised name).
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ORDERS - 1}),
l AS (SELECT i, k, ${prod('k')} AS p, ${qty('k')} AS q, ((100 + ${prod('k')} % 4900) * 100) AS pr FROM n, kl)
INSERT INTO order_lines (order_id, company_id, line_no, product_id, product_onec_id, article, name, qty_milli, unit, price_kop, amount_kop, vat_rate_bp, vat_kop, search)
SELECT 'bo' || printf('%07d', i), CASE WHEN i < ${BIG} THEN '${big.id}' ELSE ${company} END, k, pp.id, pp.onec_id, pp.article, pp.name, q * 1000, 'шт', pr, q * pr, 2000, q * pr * 20 / 120,
  pp.article_norm || ' ' || pp.name_norm
FROM l JOIN products pp ON pp.id = 'bp-' || p;
-- The payment schedule of orders on credit: one or two stages, 30 and 60 days after the order;
-- stages of paid and shipped orders are paid except every third.
INSERT INTO payment_schedule (order_id, company_id, agreement_id, stage_no, due_date, amount_kop, paid_kop)
SELECT o.id, o.company_id, o.agreement_id, k, date(o.ordered_at, '+' || (30 * k) || ' days'),
  CASE WHEN o.rowid % 2 = 0 THEN o.total_kop / 2 ELSE o.total_kop END,
  CASE WHEN o.status IN ('paid', 'shipped') AND o.rowid % 3 <> 0 THEN CASE WHEN o.rowid % 2 = 0 THEN o.total_kop / 2 ELSE o.total_kop END ELSE 0 END
FROM orders o, k12 WHERE o.id LIKE 'bo%' AND o.payment_method = 'credit' AND (k = 1 OR o.rowid % 2 = 0);
-- Two documents per order: an invoice the next hour, a УПД on the planned shipping day; each
-- linked to its order and with one file, the 1 MB PDF uploaded through the 1C file upload.
INSERT INTO documents (id, company_id, onec_id, legal_entity_onec_id, kind, kind_name, number, number_norm, doc_date, upd_status, amount_kop, vat_kop, edo_status, updated_at)
SELECT 'bd' || k || substr(o.id, 3), o.company_id, 'bench-d' || k || '-' || substr(o.id, 3), le.onec_id,
  CASE k WHEN 1 THEN 'invoice' ELSE 'upd' END, CASE k WHEN 1 THEN 'Счет на оплату' ELSE 'УПД' END,
  CASE k WHEN 1 THEN 'СЧ-' ELSE 'УПД-' END || substr(o.number, 3), CASE k WHEN 1 THEN 'сч-' ELSE 'упд-' END || lower(substr(o.number, 3)),
  strftime('%Y-%m-%dT%H:%M:%fZ', o.ordered_at, '+' || (k * k * 24 - 23) || ' hours'), CASE k WHEN 2 THEN 1 END,
  o.total_kop, o.vat_kop, 'signed', ${at}
FROM orders o JOIN legal_entities le ON le.id = o.legal_entity_id, k12 WHERE o.id LIKE 'bo%';
INSERT INTO document_orders (document_id, company_id, order_onec_id)
SELECT 'bd' || k || substr(o.id, 3), o.company_id, o.onec_id FROM orders o, k12 WHERE o.id LIKE 'bo%';
INSERT INTO document_files (id, document_id, company_id, file_no, blob_key, name, content_type, size, role)
SELECT 'bf' || substr(d.id, 3), d.id, d.company_id, 1, 'onec/${PDF_KEY}', d.number || '.pdf', 'application/pdf', ${PDF_BYTES}, 'print'
FROM documents d WHERE d.id LIKE 'bd%';
COMMIT;
`;
  sqlite(file, sql);
}

export const counts = (file) => sqlite(file, ['orders', 'order_lines', 'companies', 'legal_entities', 'agreements', 'credit_states', 'users',
  'products', 'payment_schedule', 'documents', 'document_orders', 'document_files', 'sessions']
  .map((t) => `SELECT '${t} ' || (SELECT count(*) FROM ${t});`).join('\n')).split('\n').join(', ');

/** The data set's description: made on the first call (stack running), then read back. */
export async function ensureDataset() {
  if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8'));
  const co = await freshCompany([['buyer']]);
  await onecPut(PDF_KEY, onePdf());
  stack('stop');
  const file = d1File();
  const [id, le, user, hash, ag, priceType] = sqlite(file, `SELECT c.id, (SELECT id FROM legal_entities WHERE company_id = c.id),
      (SELECT id FROM users WHERE company_id = c.id), (SELECT password_hash FROM users WHERE company_id = c.id),
      (SELECT id FROM agreements WHERE company_id = c.id), (SELECT price_type_id FROM agreements WHERE company_id = c.id)
    FROM companies c WHERE c.onec_id = '${co.id}';`).split('|');
  const started = performance.now();
  generate(file, { id, le, user, hash, ag, priceType });
  const seconds = Math.round((performance.now() - started) / 1000);
  const bytes = Number(sqlite(file, 'SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size();'));
  const info = { bigId: id, email: co.users[0].email, password: co.users[0].password, generatedSeconds: seconds, fileBytes: bytes, counts: counts(file) };
  console.log(`generated in ${seconds} s, D1 file ${(bytes / 1e9).toFixed(2)} GB: ${info.counts}`);
  writeFileSync(meta, JSON.stringify(info));
  stack('start');
  return info;
}
