// Money actions a buyer can trust on a slow link (issue 20), in Chromium on a desktop (1366 px)
// and a phone (390 px): repeat opens a draft (today's prices, a line 1C took off sale flagged and
// left out, quantities editable), a double tap on send over a slow link creates one order; the
// first tap on every money action opens a confirmation and sends nothing (requests recorded);
// the payment choice shows credit, the internal account, card and bank transfer with the API's
// figures (a shortfall before any click) and switches placed orders to each, card through the
// simulated YooKassa. The simulated 1C holds the company (tests/lib/sim.mjs) and answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, shots, signIn } from '../lib/browser.mjs';
import { PORTAL, SIM, onecReceived, uid } from '../lib/portal.mjs';
import { credit, order, orderId, page as orderPage, product, simCompany, simSend, until } from '../lib/sim.mjs';

const VIEWPORTS = [{ width: 1366, height: 900 }, { width: 390, height: 844 }];

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Kopecks of the first amount in a text as the pages write it: `1 234,50 ₽`. */
function kop(text) {
  const m = text.match(/(-?[\d\s\u00a0\u202f]*\d,\d{2})\s*₽/);
  assert.ok(m, `an amount in ${JSON.stringify(text)}`);
  return Math.round(Number(m[1].replace(/[\s\u00a0\u202f]/g, '').replace(',', '.')) * 100);
}

/** simCompany's first user with the password it set. */
const user = (co) => ({ email: co.users[0].email, password: 'Test-password-2026' });

/** A page that records every request that is not a read and not the sign-in's. */
async function recordingPage(vp) {
  const page = await browser.newPage({ viewport: vp });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const sent = [];
  page.on('request', (r) => { if (r.method() !== 'GET' && !r.url().includes('/api/auth/')) sent.push(r); });
  return { page, errors, sent };
}

for (const vp of VIEWPORTS) {
  test(`${vp.width} px: repeat opens a draft with an unavailable line flagged; nothing is sent before confirming; a double tap on a slow link creates one order`, async () => {
    const co = await simCompany([['admin']]);
    const c = co.id;
    const client = co.clients[0];
    await simSend([product(c, 1, 1234.5), product(c, 2, 99.99)]);
    await simSend([order(c, 1, { status: 'shipped', lines: [[1, 2, 1000], [2, 1, 90]] })]);
    // 1C has sold the last of product 2 since: out of stock today.
    const gone = product(c, 2, 99.99);
    await simSend([{ ...gone, id: uid('m'), seq: 2, payload: { ...gone.payload, stock: [{ warehouse: 'Краснодар', quantity: 0 }] } }]);
    const id = await orderId(client, c, 1);
    const ordersBefore = (await client.get('/api/orders/orders')).body.totals.count;

    const { page, errors, sent } = await recordingPage(vp);
    // A slow link: the order takes a while to be answered.
    await page.route('**/repeat-draft', async (route) => {
      if (route.request().method() === 'POST') await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await signIn(page, user(co), `#/orders/${id}`);
    await page.click('[data-testid=repeat-link]');
    await page.waitForSelector('[data-testid=draft-lines]');
    assert.equal(await page.getAttribute('[data-testid=draft-line-2]', 'data-available'), 'false');
    assert.match(await page.textContent('[data-testid=draft-why-2]'), /нет в наличии/);
    assert.equal(await page.getAttribute('[data-testid=draft-line-1]', 'data-available'), 'true');
    const draft = (await client.get(`/api/orders/orders/${id}/repeat-draft`)).body;
    assert.equal(kop(await page.textContent('[data-testid=draft-total]')), draft.total_kop, "the API's total at today's prices");
    await page.fill('input[name=qty-1]', '3');
    assert.equal(kop(await page.textContent('[data-testid=draft-total]')), 370350, 'recomputed: 3 x 1 234,50');

    // The first tap opens the confirmation and sends nothing; Esc cancels.
    await page.click('#repeat-draft-form button[type=submit]');
    await page.waitForSelector('[data-testid=confirm]');
    assert.equal(kop(await page.textContent('[data-testid=confirm-facts]')), 370350);
    assert.deepEqual(sent.map((r) => r.url()), [], 'nothing sent before confirming');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=confirm]', { state: 'detached' });
    assert.deepEqual(sent.map((r) => r.url()), []);

    // A double tap on send, then on confirm, on the slow link: one request, one order.
    await page.dblclick('#repeat-draft-form button[type=submit]');
    await page.waitForSelector('[data-testid=confirm]');
    assert.equal(await page.locator('dialog.confirm').count(), 1, 'one confirmation');
    await page.screenshot({ path: join(shots, `money-repeat-confirm-${vp.width}.png`) });
    // The second tap may already have landed on the confirmation; then a double tap on it (no
    // waiting for the button to be enabled: a tap on a busy button must do nothing).
    const yes = await page.locator('[data-testid=confirm-yes]').boundingBox().catch(() => null);
    if (yes) await page.mouse.dblclick(yes.x + yes.width / 2, yes.y + yes.height / 2);
    await page.waitForFunction((old) => /^#\/orders\/[^/?]+$/.test(location.hash) && !location.hash.includes(old), id, { timeout: 20000 });
    await page.waitForSelector('text=черновик');
    const posts = sent.filter((r) => r.url().endsWith('/repeat-draft'));
    assert.equal(posts.length, 1, 'one request');
    assert.match(posts[0].headers()['idempotency-key'] ?? '', /^[0-9a-f-]{36}$/, 'the action carries its key');
    assert.equal((await client.get('/api/orders/orders')).body.totals.count, ordersBefore + 1, 'one order created');
    const created = await until(async () => {
      const all = (await onecReceived()).filter((x) => x.type === 'order.created' && x.payload.repeats === `${c}-o1`);
      return all.length ? all : null;
    }, '1C got the order');
    assert.equal(created.length, 1);
    assert.deepEqual(created[0].payload.lines.map((l) => [l.article, l.quantity]), [[`${c.slice(-4).toUpperCase()}-1`, 3]]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`${vp.width} px: the payment choice shows four options with the API's figures and a shortfall before any click; a placed order goes to credit and back to bank transfer, one is paid from the account, one by card; nothing is sent before confirming`, async () => {
    const co = await simCompany([['admin']]);
    const c = co.id;
    const client = co.clients[0];
    await simSend([product(c, 1, 100), credit(c, { limit: 100000 })]);
    // The supplier's organisation the orders are sold from: the bank transfer's payee.
    const org = `${c}-org`;
    await simSend([{ id: uid('m'), type: 'organisation', entity_id: org, seq: 1, payload: { name: 'АгроЗапчасть Юг', inn: '7736207543', kpp: '231001001',
      bank_accounts: [{ bank_name: 'ПАО Сбербанк', bik: '044525225', corr_account: '30101810400000000225', account: '40702810638000005678' }] } }]);
    const extra = { organisation_id: org };
    await simSend([order(c, 1, { lines: [[1, 10, 100]], extra }), order(c, 2, { lines: [[1, 4, 100]], extra }), order(c, 3, { lines: [[1, 5, 100]], extra }),
      order(c, 4, { lines: [[1, 90, 100]], extra }),
      { id: uid('m'), type: 'account_movement', entity_id: `${c}-mv1`, seq: 1, payload: { company_id: c, date: '2026-11-27T10:00:00', kind: 'refund', amount: 5000 } }]);
    const ids = {};
    for (const n of [1, 2, 3, 4]) ids[n] = await orderId(client, c, n);
    const { page, errors, sent } = await recordingPage(vp);
    const open = async (n) => {
      await page.goto(`${PORTAL}/#/orders/${ids[n]}`);
      await page.waitForSelector('[data-testid=pay-option-invoice]');
    };
    const figure = async (x) => kop(await page.textContent(`[data-testid=pay-figures-${x}]`));
    /** Chooses `method`: the first tap opens the confirmation and sends nothing; then confirms. */
    const choose = async (method, facts) => {
      const before = sent.length;
      await page.check(`[data-testid=pay-radio-${method}]`);
      await page.click('#payment-choice-form button[type=submit]');
      await page.waitForSelector('[data-testid=confirm]');
      assert.equal(sent.length, before, `${method}: nothing sent before confirming`);
      const text = await page.textContent('[data-testid=confirm-facts]');
      for (const f of facts) assert.ok(text.replace(/[\s\u00a0\u202f]/g, '').includes(f), `${f} in ${text}`);
      await page.click('[data-testid=confirm-yes]');
    };
    const money = (k) => `${Math.floor(k / 100).toLocaleString('ru-RU').replace(/[\s\u00a0\u202f]/g, '')},${String(k % 100).padStart(2, '0')}₽`;

    await signIn(page, user(co), `#/orders/${ids[1]}`);
    await page.waitForSelector('[data-testid=pay-option-invoice]');
    // Four options, each with the API's figures.
    const o1 = (await orderPage(client, ids[1])).order;
    const due1 = o1.total_kop - o1.paid_kop;
    const pos = (await client.get('/api/finance/credit')).body.agreements.find((a) => a.agreement_id === o1.agreement_id);
    const account = (await client.get('/api/finance/account')).body;
    for (const x of ['credit', 'internal_account', 'card', 'invoice']) assert.equal(await page.locator(`[data-testid=pay-option-${x}]`).count(), 1, x);
    assert.equal(await figure('credit'), pos.available_kop);
    assert.equal(await figure('internal_account'), account.available_kop);
    assert.equal(account.available_kop, 500000);
    assert.equal(await figure('card'), due1);
    assert.equal(await figure('invoice'), due1);
    assert.match(await page.textContent('[data-testid=pay-figures-invoice]'), /АгроЗапчасть Юг[\s\S]*40702810638000005678/);
    await page.screenshot({ path: join(shots, `money-choice-${vp.width}.png`), fullPage: true });

    // Credit, with the credit left after it; then back to bank transfer.
    await choose('credit', [money(due1), money(pos.available_kop - due1)]);
    await until(async () => { const d = await orderPage(client, ids[1]); return d.order.payment_method === 'credit' && !['waiting', 'received'].includes(d.change?.state); }, 'on credit in 1C');
    await open(1);
    await page.waitForSelector('[data-testid=pay-option-credit] .badge');
    await choose('invoice', [money(due1)]);
    await until(async () => { const d = await orderPage(client, ids[1]); return d.order.payment_method === 'invoice' && !['waiting', 'received'].includes(d.change?.state); }, 'back to invoice in 1C');

    // Too much for the account: the shortfall shows before any click, and the option is off.
    await open(4);
    const o4 = (await orderPage(client, ids[4])).order;
    assert.equal(kop(await page.textContent('[data-testid=pay-why-internal_account]')), o4.total_kop - account.available_kop);
    assert.equal(await page.isDisabled('[data-testid=pay-radio-internal_account]'), true);

    // From the internal account, with the balance after it.
    await open(2);
    const o2 = (await orderPage(client, ids[2])).order;
    await choose('internal_account', [money(o2.total_kop), money(account.available_kop - o2.total_kop)]);
    await until(async () => (await orderPage(client, ids[2])).order.status === 'paid', 'paid from the account');

    // By card: the confirmation, then YooKassa's page (the simulator), then paid.
    await open(3);
    const o3 = (await orderPage(client, ids[3])).order;
    await choose('card', [money(o3.total_kop)]);
    await page.waitForURL(`${SIM}/yookassa/checkout/**`);
    await page.click('#pay');
    await page.waitForURL(new RegExp(`#/orders/${ids[3]}\\?card=return`));
    await page.waitForFunction(() => /Оплачено картой/.test(document.querySelector('[data-testid=card-state]')?.textContent ?? ''), null, { timeout: 20000 });

    // Every money request went out once, each with its own key.
    const money_posts = sent.filter((r) => r.method() === 'POST' && r.url().startsWith(PORTAL));
    assert.deepEqual(money_posts.map((r) => new URL(r.url()).pathname.replace(/\/orders\/orders\/[^/]+\//, '/orders/orders/{id}/')), [
      '/api/orders/orders/{id}/payment-method', '/api/orders/orders/{id}/payment-method', '/api/finance/account/payments', '/api/orders/orders/{id}/card-payments']);
    const keys = money_posts.map((r) => r.headers()['idempotency-key']);
    assert.equal(new Set(keys).size, 4, 'a new key per action');
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('390 px: the confirmation fits the phone, keeps the focus inside and cancels on Esc without a request', async () => {
  const co = await simCompany([['buyer']]);
  const c = co.id;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  const id = await orderId(co.clients[0], c, 1);
  const { page, errors, sent } = await recordingPage({ width: 360, height: 740 });
  await signIn(page, user(co), `#/orders/${id}`);
  await page.waitForSelector('details:has(#cancel-form)');
  await page.click('details:has(#cancel-form) summary');
  await page.click('#cancel-form button[type=submit]');
  await page.waitForSelector('[data-testid=confirm]');
  const box = await page.locator('[data-testid=confirm]').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, `inside the screen: ${JSON.stringify(box)}`);
  // Tab cycles inside the dialog.
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => Boolean(document.activeElement?.closest('dialog.confirm'))), true, 'focus stays in the dialog');
  }
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=confirm]', { state: 'detached' });
  assert.deepEqual(sent.map((r) => r.url()), [], 'a cancelled confirmation sends nothing');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a network failure after the order was made: the retry carries the same key and the server answers the first order (one order)', async () => {
  const co = await simCompany([['buyer']]);
  const c = co.id;
  const client = co.clients[0];
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { status: 'shipped', lines: [[1, 2, 100]] })]);
  const id = await orderId(client, c, 1);
  const before = (await client.get('/api/orders/orders')).body.totals.count;
  const { page, errors, sent } = await recordingPage({ width: 390, height: 844 });
  // The first attempt reaches the server, but its answer is lost on the way back.
  let lost = false;
  await page.route('**/repeat-draft', async (route) => {
    if (route.request().method() !== 'POST' || lost) return route.continue();
    lost = true;
    await route.fetch();
    await route.abort('failed');
  });
  await signIn(page, user(co), `#/orders/${id}/repeat`);
  await page.waitForSelector('[data-testid=draft-lines]');
  await page.click('#repeat-draft-form button[type=submit]');
  await page.click('[data-testid=confirm-yes]');
  await page.waitForSelector('[data-testid=confirm-error]:not([hidden])');
  assert.match(await page.textContent('[data-testid=confirm-error]'), /не выполнится дважды/);
  await page.click('[data-testid=confirm-yes]');
  await page.waitForFunction((old) => /^#\/orders\/[^/?]+$/.test(location.hash) && !location.hash.includes(old), id, { timeout: 20000 });
  const posts = sent.filter((r) => r.url().endsWith('/repeat-draft'));
  assert.equal(posts.length, 2);
  assert.equal(posts[0].headers()['idempotency-key'], posts[1].headers()['idempotency-key'], 'the retry is the same action');
  assert.equal((await client.get('/api/orders/orders')).body.totals.count, before + 1, 'one order');
  assert.deepEqual(errors, []);
  await page.close();
});
