// Orders both ways through 1C's stock "Обмен с сайтом" (CommerceML), in a stock-only deployment:
// a stack of its own (ports 8853/8854, ONEC_DELIVERY=commerceml), the simulator playing 1C with
// `onec-sim cml-sale` (checkauth, init, query, success, 1C's order file with file + import,
// plain or, with zip=yes, as an archive sent in pieces).
// The replays per version and encoding are built from the CommerceML fixtures and 1C-Bitrix's
// sale.export.1c behaviour, not recorded from a real 1C.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.STOCK_PORTAL_PORT ?? 8853);
const SIM_PORT = Number(process.env.STOCK_SIM_PORT ?? 8854);
process.env.PORTAL_URL = `http://127.0.0.1:${PORT}`;
process.env.SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
const root = fileURLToPath(new URL('../..', import.meta.url));
const state = mkdtempSync(join(tmpdir(), 'portal-stock-'));
const stack = (...args) => execFileSync('bash', [`${root}/scripts/stack.sh`, ...args], { cwd: root, stdio: 'inherit',
  env: { ...process.env, STACK_VARS: `${process.env.STACK_VARS ?? ''} ONEC_DELIVERY=commerceml` } });

// Imported after the URLs are set: the helpers read them once.
const { uid } = await import('../lib/portal.mjs');
const { order, orderId, page, product, simCompany, simSend } = await import('../lib/sim.mjs');

before(() => stack('start', state, String(PORT), String(SIM_PORT)));
after(() => {
  stack('stop', state);
  rmSync(state, { recursive: true, force: true });
});

/** One exchange of 1C's: query, success, then its order file; answers what the simulator saw. */
function exchange({ version = '2.10', encoding = 'utf-8', echo = true, documents = [], refuse_cancel = [], zip = false } = {}) {
  // zip=yes: 1C's order file as an archive, sent in small pieces (the site imports it once whole).
  const zipped = zip ? ['--zip', '--chunk', '700'] : [];
  const out = execFileSync(`${root}/target/release/onec-sim`, ['cml-sale', '--portal', process.env.PORTAL_URL, '--version', version,
    '--encoding', encoding, ...zipped, '--json', JSON.stringify({ echo, documents, refuse_cancel })], { cwd: root, env: { ...process.env, DEV_SECRETS: `${root}/.dev-secrets` } });
  return JSON.parse(out.toString());
}

/** A company 1C holds with a signed-in buyer, two products and one order of product 1. */
async function seeded() {
  const co = await simCompany([['buyer']]);
  const c = co.id;
  await simSend([product(c, 1, 100), product(c, 2, 50)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  const [buyer] = co.clients;
  return { c, buyer, user: { ...co.users[0], password: 'Test-password-2026' }, id: await orderId(buyer, c, 1), art: (n) => `${c.slice(-4).toUpperCase()}-${n}` };
}

// Each version and encoding with and without zip=yes.
const REPLAYS = [['2.05', 'utf-8'], ['2.05', 'windows-1251'], ['2.10', 'utf-8'], ['2.10', 'windows-1251'], ['3.1', 'utf-8'], ['3.1', 'windows-1251']]
  .flatMap(([v, e]) => [[v, e, false], [v, e, true]]);

for (const [version, encoding, zip] of REPLAYS) {
  test(`stock-only ${version} ${encoding}${zip ? ' zip=yes' : ''}: two edits in a row, query, success, and 1C's next file closes both`, async () => {
    const { c, buyer, id, art } = await seeded();
    let o = (await page(buyer, id)).order;
    const first = await buyer.req('PATCH', `/api/orders/orders/${id}`, { version: o.version, lines: [{ article: art(1), quantity: 3 }] });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // No extension answers: the order is not locked after the first edit.
    const second = await buyer.req('PATCH', `/api/orders/orders/${id}`, { version: first.body.version, lines: [{ article: art(1), quantity: 4 }, { article: art(2), quantity: 1 }] });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    let p = await page(buyer, id);
    assert.deepEqual(p.lines.map((l) => l.qty_milli), [4000, 1000]);
    assert.equal(p.order.total_kop, 45000);
    assert.deepEqual(p.stock_only, { open_changes: 2, state: 'waiting' });
    const seen = exchange({ version, encoding, zip });
    assert.ok(seen.queried.includes(`${c}-o1`), JSON.stringify(seen));
    assert.match(seen.import, /^success\norders updated: \d+/);
    p = await page(buyer, id);
    assert.deepEqual(p.stock_only, { open_changes: 0, state: 'applied' }, 'closed by 1C\'s file');
    assert.deepEqual(p.lines.map((l) => l.qty_milli), [4000, 1000], '1C took the client\'s lines');
    assert.equal(p.order.onec_number, `УТ-ЗК-${c.slice(-4)}-1`);
    o = p.order;
    // A manager changes the lines in 1C: the next file brings them to the client's order.
    const manager = exchange({ version, encoding, zip, documents: [{ kind: 'order', id: `${c}-o1`, number: o.number, buyer: { id: `${c}-le` },
      lines: [[art(1), 7, '100'], [art(2), 2, '50']] }] });
    assert.match(manager.import, /^success\n/);
    p = await page(buyer, id);
    assert.deepEqual(p.lines.map((l) => [l.article, l.qty_milli]), [[art(1), 7000], [art(2), 2000]]);
    assert.equal(p.order.total_kop, 80000);
  });
}

test('a phone order from 1C appears in the company\'s list; a 3.1 payment document is a partial payment, not an order', async () => {
  const { c, buyer, id, art } = await seeded();
  const phone = `ТЛФ-${uid('n').slice(-6)}`;
  const pay = uid('pay');
  const r = exchange({ version: '3.1', echo: false, documents: [
    { kind: 'order', id: uid('phone'), number: phone, buyer: { id: `${c}-le`, name: 'Покупатель' }, lines: [[art(2), 3, '50']] },
    { kind: 'payment', id: pay, basis: `${c}-o1`, sum: '50.00' },
  ] });
  assert.match(r.import, /created: 1, payments: 1/, r.import);
  const list = (await buyer.get('/api/orders/orders')).body.items;
  const made = list.find((x) => x.number === `УТ-${phone}`);
  assert.ok(made, JSON.stringify(list.map((x) => x.number)));
  assert.ok(!list.some((x) => x.number === pay || x.number === `УТ-${pay}`), 'a payment document is not an order');
  assert.deepEqual((await page(buyer, made.id)).lines.map((l) => l.qty_milli), [3000]);
  const p = await page(buyer, id);
  assert.equal(p.order.paid_kop, 5000, 'paid by its amount');
  assert.equal(p.order.status, 'awaiting_payment', 'a partial payment does not make the order paid');
});

for (const version of ['2.10', '3.1']) {
  test(`stock-only ${version}: a repeated order is saved at once, goes to 1C in query and comes back matched, not duplicated`, async () => {
    const { c, buyer, id, art } = await seeded();
    const key = { 'idempotency-key': uid('key') };
    const r = await buyer.req('POST', `/api/orders/orders/${id}/repeat`, undefined, key);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const again = await buyer.req('POST', `/api/orders/orders/${id}/repeat`, undefined, key);
    assert.equal(again.body.id, r.body.id, 'the same key creates one order');
    const fresh = r.body.id;
    let p = await page(buyer, fresh);
    assert.deepEqual(p.stock_only, { open_changes: 1, state: 'waiting' });
    assert.equal(p.change, null, 'no extension change waits for an answer');
    assert.deepEqual(p.lines.map((l) => l.qty_milli), [2000]);
    const seen = exchange({ version });
    assert.ok(seen.queried.includes(fresh), `the site's id is the document's Ид: ${JSON.stringify(seen.queried)}`);
    // What 1C reads of a site order: its number, the counterparty by 1C id with its INN, the
    // agreement, the lines by product id, not cancelled.
    const doc = seen.seen[fresh];
    assert.equal(doc.number, r.body.number);
    assert.equal(doc.buyer.id, `${c}-le`);
    assert.match(doc.buyer.inn ?? '', /^\d{10}(\d{2})?$/, JSON.stringify(doc));
    assert.equal(doc.agreement, `${c}-ag`);
    assert.deepEqual(doc.products, [`${c}-p1`]);
    assert.equal(doc.cancelled, 'false');
    assert.doesNotMatch(seen.import, /created: /, seen.import);
    assert.match(seen.import, /^success\norders updated: \d+, unknown: 0/, seen.import);
    p = await page(buyer, fresh);
    assert.deepEqual(p.stock_only, { open_changes: 0, state: 'applied' }, 'closed by 1C\'s file');
    assert.equal(p.order.onec_number, `УТ-${r.body.number}`, '1C\'s own number');
    assert.equal(p.order.status, 'awaiting_payment', 'posted in 1C');
    const list = (await buyer.get('/api/orders/orders')).body.items;
    assert.equal(list.length, 2, JSON.stringify(list.map((x) => x.number)));
    // 1C now names the order by its own Ид: a manager's change under 1C's own number finds it.
    const next = exchange({ version, documents: [{ kind: 'order', id: seen.assigned[fresh], number: `ЗК-${uid('n').slice(-5)}`,
      buyer: { id: `${c}-le` }, lines: [[art(1), 5, '100']] }] });
    assert.ok(!next.queried.includes(fresh), 'nothing due');
    assert.doesNotMatch(next.import, /created: /, next.import);
    const items = (await buyer.get('/api/orders/orders')).body.items;
    assert.equal(items.length, 2, JSON.stringify(items.map((x) => x.number)));
    assert.deepEqual((await page(buyer, fresh)).lines.map((l) => l.qty_milli), [5000]);
  });

  test(`stock-only ${version}: a cancellation travels in query and 1C's file closes it; a refused one shows 1C's state`, async () => {
    const { c, buyer, id } = await seeded();
    let o = (await page(buyer, id)).order;
    const key = { 'idempotency-key': uid('key') };
    const r = await buyer.req('POST', `/api/orders/orders/${id}/cancellation`, { version: o.version, reason: 'Не нужен' }, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const again = await buyer.req('POST', `/api/orders/orders/${id}/cancellation`, { version: o.version, reason: 'Не нужен' }, key);
    assert.deepEqual(again.body, r.body, 'the same key: the first answer');
    let p = await page(buyer, id);
    assert.equal(p.order.status, 'cancelled', 'saved at once');
    assert.deepEqual(p.stock_only, { open_changes: 1, state: 'waiting' });
    const seen = exchange({ version });
    assert.ok(seen.queried.includes(`${c}-o1`), JSON.stringify(seen));
    assert.equal(seen.seen[`${c}-o1`].cancelled, 'true', 'travels as Отменен');
    p = await page(buyer, id);
    assert.equal(p.order.status, 'cancelled', '1C cancelled it too');
    assert.deepEqual(p.stock_only, { open_changes: 0, state: 'applied' });
    // A second company: the manager refuses the cancellation in 1C.
    const other = await seeded();
    o = (await page(other.buyer, other.id)).order;
    const before = o.status;
    assert.equal((await other.buyer.post(`/api/orders/orders/${other.id}/cancellation`, { version: o.version })).status, 200);
    const refused = exchange({ version, refuse_cancel: [`${other.c}-o1`] });
    assert.match(refused.import, /^success\n/, refused.import);
    p = await page(other.buyer, other.id);
    assert.equal(p.order.status, before, '1C\'s state: not cancelled');
    assert.deepEqual(p.stock_only, { open_changes: 0, state: 'applied' });
  });
}

test('stock-only 3.1: a payment without Основание is matched by its own Ид when known; an unmatched one is reported', async () => {
  const { c, buyer, id } = await seeded();
  const pay = uid('pay');
  let r = exchange({ version: '3.1', echo: false, documents: [{ kind: 'payment', id: pay, basis: `${c}-o1`, sum: '50.00' }] });
  assert.match(r.import, /payments: 1/, r.import);
  // 1C corrects the same payment document; its container holds no order and it names no basis.
  const lost = uid('pay');
  r = exchange({ version: '3.1', echo: false, documents: [{ kind: 'payment', id: pay, sum: '80.00' }, { kind: 'payment', id: lost, sum: '10.00' }] });
  assert.match(r.import, /payments: 1/, r.import);
  assert.match(r.import, new RegExp(`payments without an order: 1 \\(${lost}\\)`), r.import);
  assert.equal((await page(buyer, id)).order.paid_kop, 8000);
});

test('stock-only pages: the order shows the state of 1C\'s exchange, offers cancel and repeat, hides what needs the extension', async () => {
  const { launch, signIn } = await import('../lib/browser.mjs');
  const { buyer, user, id, art } = await seeded();
  const o = (await page(buyer, id)).order;
  assert.equal((await buyer.req('PATCH', `/api/orders/orders/${id}`, { version: o.version, lines: [{ article: art(1), quantity: 3 }] })).status, 200);
  const browser = await launch();
  try {
    const tab = await (await browser.newContext()).newPage();
    await signIn(tab, user, `#/orders/${id}`);
    const state = tab.locator('[data-testid=order-stock-only]');
    await state.waitFor();
    assert.equal(await state.getAttribute('data-state'), 'waiting');
    assert.equal(await tab.locator('#cancel-form').count(), 1, 'cancelling travels in the exchange');
    assert.equal(await tab.locator('[data-testid=repeat-link]').count(), 1, 'so does repeating');
    assert.equal(await tab.locator('[data-testid=ship-today]').count(), 0, 'no payment-method switch');
    assert.equal(await tab.locator('[data-testid=order-change]').count(), 0, 'no extension change state');
    await tab.goto(`${process.env.PORTAL_URL}/#/orders`);
    await tab.locator('[data-testid=orders]').waitFor();
    assert.equal(await tab.locator('[data-testid=orders] .st-waiting').count(), 1, 'the list marks the waiting order');
    assert.equal(await tab.locator('[data-testid^=pick-]').count(), 0, 'no shipping together');
    exchange({ version: '2.10' });
    await tab.goto(`${process.env.PORTAL_URL}/#/orders/${id}`);
    await tab.locator('[data-testid=order-stock-only][data-state=applied]').waitFor();
  } finally {
    await browser.close();
  }
});

test('stock-only pages hide what needs 1C\'s extension: returns, acts, company data, employees, profile, account payments', async () => {
  const { launch } = await import('../lib/browser.mjs');
  const co = await simCompany([['admin', 'buyer', 'accountant']]);
  const [client] = co.clients;
  assert.equal((await client.get('/api/auth/me')).body.stock_only, true);
  const browser = await launch();
  try {
    const tab = await (await browser.newContext()).newPage();
    await tab.goto(`${process.env.PORTAL_URL}/#/returns`);
    await tab.waitForURL(/\/sign-in/);
    await tab.fill('input[name=email]', co.users[0].email);
    await tab.fill('input[name=password]', 'Test-password-2026');
    await tab.click('button[type=submit]');
    await tab.locator('[data-testid=returns-by-manager]').waitFor();
    assert.equal(await tab.locator('[data-testid=new-return]').isVisible(), false, 'no return request');
    await tab.goto(`${process.env.PORTAL_URL}/#/documents/acts`);
    await tab.locator('[data-testid=act-history], #act-form').first().waitFor({ state: 'attached' });
    assert.equal(await tab.locator('#act-form').isVisible(), false, 'no act request');
    await tab.goto(`${process.env.PORTAL_URL}/#/company`);
    await tab.locator('[data-testid=employees]').waitFor();
    for (const form of ['#employee-form', '#consignee-form']) {
      assert.equal(await tab.locator(`details:has(${form})`).isVisible(), false, `${form} hidden`);
    }
    assert.equal(await tab.locator('[data-testid^=remove-]').first().isVisible(), false, 'no removing an employee');
    await tab.goto(`${process.env.PORTAL_URL}/#/profile`);
    await tab.locator('#profile-form').waitFor();
    assert.equal(await tab.locator('#profile-form button[type=submit]').isVisible(), false, 'the profile is shown, not edited');
    assert.equal(await tab.locator('#profile-form input[name=full_name]').isDisabled(), true);
    assert.equal(await tab.locator('#email-form').isVisible(), false, 'no e-mail change');
    assert.equal(await tab.locator('#password-form').isVisible(), true, 'the password stays the portal\'s own');
  } finally {
    await browser.close();
  }
});

test('stock-only: a feature that needs 1C\'s extension answers a clear problem', async () => {
  const { buyer, id } = await seeded();
  const r = await buyer.post('/api/returns/returns', { order_id: id, lines: [] });
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.equal(r.body.code, 'needs-extension');
});
