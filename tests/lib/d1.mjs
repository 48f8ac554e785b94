// A stack's local D1, reached the way an operator reaches it: `wrangler d1 execute --local
// --persist-to <state>` on the state directory scripts/stack.sh gave `wrangler dev`. For tests
// that must change the database behind the portal's back, e.g. losing a company as a restore to
// an earlier time would. Nothing in the portal serves this: there is no test-only route into D1.
//
// Only on a stack of the test's own (tests/api/resync.test.mjs starts one): `wrangler d1
// execute` is a second SQLite writer on the file, and SQLite refuses a write while the other
// holds the lock (SQLITE_BUSY; workerd sets no busy timeout), so on the shared test stack the
// other test files' concurrent requests would fail with 500. Here a busy database is retried.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs SQL on the local D1 of the stack whose state directory is `state`; answers the rows
 *  of each statement. Asynchronous: a test blocked for the seconds wrangler takes would find its
 *  kept-alive connections closed. A busy database (the portal writing) is tried again. */
export async function d1(state, sql) {
  if (!state) throw new Error('d1: the state directory of the test\'s own stack');
  for (let attempt = 0; ; attempt++) {
    try {
      const { stdout } = await promisify(execFile)('npx', ['wrangler', 'd1', 'execute', 'portal', '--local', '--persist-to', state,
        '-c', 'functions/auth/wrangler.toml', '--json', '--command', sql], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
      return JSON.parse(stdout).map((r) => r.results ?? []);
    } catch (e) {
      if (attempt >= 10 || !/SQLITE_BUSY|database is locked/.test(`${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`)) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

const quote = (s) => `'${String(s).replaceAll("'", "''")}'`;

/**
 * Deletes everything the portal holds of one company (by its 1C id), as a restore to a moment
 * before it existed would: its rows in every table that has a `company_id` (children first), the
 * rows below them (lines, shipments), and its sequence numbers (`inbound_seq`), so 1C's resend
 * applies again. Products, the inbox and other companies stay. Answers how many rows went.
 */
export async function loseCompany(state, onecId) {
  const co = `(SELECT id FROM companies WHERE onec_id = ${quote(onecId)})`;
  // Tables below a company's rows that carry no company_id of their own.
  const below = [
    `DELETE FROM shipment_lines WHERE shipment_id IN (SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id WHERE o.company_id = ${co})`,
    `DELETE FROM shipments WHERE order_id IN (SELECT id FROM orders WHERE company_id = ${co})`,
    `DELETE FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE company_id = ${co})`,
    `DELETE FROM cml_sale_handout WHERE order_id IN (SELECT id FROM orders WHERE company_id = ${co})`,
    `DELETE FROM return_lines WHERE return_id IN (SELECT id FROM returns WHERE company_id = ${co})`,
  ];
  // Every table with a company_id, read from the schema, children before what they refer to.
  const first = ['sessions', 'one_time_tokens', 'user_roles', 'email_changes', 'card_payments', 'account_holds',
    'local_credit_reserves', 'return_photos', 'returns', 'document_orders', 'document_files', 'documents', 'act_requests',
    'reconciliation_acts', 'credit_states', 'credit_reserve_orders', 'payment_schedule', 'orders'];
  const last = ['agreements', 'legal_entities', 'users'];
  const [tables] = await d1(state, "SELECT m.name AS name FROM sqlite_master m JOIN pragma_table_info(m.name) c ON c.name = 'company_id' "
    + "WHERE m.type = 'table' AND m.name NOT IN ('companies', 'outbox', 'audit_log', 'mail_outbox') AND m.name NOT LIKE '\\_%' ESCAPE '\\'");
  const names = tables.map((t) => t.name);
  const rank = (n) => (first.includes(n) ? first.indexOf(n) : last.includes(n) ? 1000 + last.indexOf(n) : 500);
  const ordered = [...names].sort((a, b) => rank(a) - rank(b));
  const statements = [
    ...below,
    ...ordered.map((t) => `DELETE FROM ${t} WHERE company_id = ${co}`),
    `DELETE FROM companies WHERE onec_id = ${quote(onecId)}`,
    `DELETE FROM inbound_seq WHERE company_onec_id = ${quote(onecId)}`,
  ];
  const [[count]] = await d1(state, `SELECT count(*) AS n FROM companies WHERE onec_id = ${quote(onecId)}`);
  if (count.n !== 1) throw new Error(`the portal holds no company ${onecId}`);
  await d1(state, statements.join(';\n'));
  return ordered;
}
