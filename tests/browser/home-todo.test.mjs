// The rest of issue 21's pages on a phone (390 px), with the simulated 1C deciding: the home page
// lists an order whose change 1C refused (the order list's `change=rejected`) with a link to it;
// its "pay" goes through the order's payment choice and the money actions' confirmation (nothing
// is sent before confirming, then one request with its Idempotency-Key); the order page's main
// action sits within a thumb's reach at the bottom of the screen without covering the page;
// quantities follow the page's language (1,500.5 in English, 1 500,5 in Russian); the documents'
// filters are folded on a phone like the order list's; nothing scrolls sideways at 360 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, shots, signIn } from '../lib/browser.mjs';
import { uid } from '../lib/portal.mjs';
import { shippingCalendar } from '../lib/orders.mjs';
import { goTo, sideways, widest } from '../lib/pages.mjs';
import { order, orderId, page as orderPage, product, simCompany, simRule, simSend, until } from '../lib/sim.mjs';

const PHONE = { width: 390, height: 844 };
const user = (co) => ({ email: co.users[0].email, password: 'Test-password-2026' });

let browser;
let co;
let ids;

before(async () => {
  await shippingCalendar();
  browser = await launch();
  // An admin (buyer and money roles) with 5,000 ₽ on the internal account and four orders: 1 to
  // pay (a large, fractional quantity), 2 whose change 1C refuses, 3 paid, 4 a long one.
  co = await simCompany([['admin']]);
  const c = co.id;
  await simSend([product(c, 1, 1), product(c, 2, 100)]);
  await simSend([order(c, 1, { lines: [[1, 1500.5, 1]] }), order(c, 2, { lines: [[2, 2, 100]] }),
    order(c, 3, { status: 'paid', paid: 200, lines: [[2, 2, 100]] }),
    order(c, 4, { lines: Array.from({ length: 14 }, (_, i) => [i % 2 ? 1 : 2, i + 1, i % 2 ? 1 : 100]) }),
    { id: uid('m'), type: 'account_movement', entity_id: `${c}-mv1`, seq: 1, payload: { company_id: c, date: '2026-11-27T10:00:00', kind: 'refund', amount: 5000 } }]);
  const client = co.clients[0];
  ids = {};
  for (const n of [1, 2, 3, 4]) ids[n] = await orderId(client, c, n);
  await simRule(c, { type: 'order.changed', mode: 'reject', reason: 'Склад уже собрал заказ' });
  const o2 = (await orderPage(client, ids[2])).order;
  const r = await client.req('PATCH', `/api/orders/orders/${ids[2]}`, { version: o2.version, delivery_method: 'delivery', delivery_address: 'Тимашевск, ул. Ленина, 1' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  await until(async () => (await orderPage(client, ids[2])).change?.state === 'rejected' || null, '1C refused the change');
});
after(async () => { await browser?.close(); });

/** A signed-in phone page that records every request that is not a read and not the sign-in's. */
async function phone(hash, vp = PHONE) {
  const ctx = await browser.newContext({ viewport: vp, isMobile: vp.width < 500, hasTouch: vp.width < 500 });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const sent = [];
  page.on('request', (r) => { if (r.method() !== 'GET' && !r.url().includes('/api/auth/')) sent.push(r); });
  await signIn(page, user(co), hash);
  return { ctx, page, errors, sent };
}

test('the order list flags and filters the orders whose newest change 1C refused', async () => {
  const list = (await co.clients[0].get('/api/orders/orders?change=rejected')).body;
  assert.deepEqual(list.items.map((o) => o.id), [ids[2]]);
  assert.equal(list.items[0].change_rejected, 1);
  const all = (await co.clients[0].get('/api/orders/orders')).body.items;
  assert.deepEqual(all.filter((o) => o.change_rejected).map((o) => o.id), [ids[2]]);
  assert.equal((await co.clients[0].get('/api/orders/orders?change=nonsense')).status, 422);
});

test('390 px: home lists the order with the refused change, linked to its page with 1C\'s reason', async () => {
  const { ctx, page, errors } = await phone('#/');
  await page.waitForSelector('[data-testid=home-todo]');
  const item = page.locator(`[data-testid=home-todo-rejected][data-order="${ids[2]}"]`);
  assert.equal(await item.count(), 1, await page.textContent('[data-testid=home-todo]'));
  assert.match(await item.textContent(), /1С отклонила изменения/);
  assert.equal(await page.locator('[data-testid=home-todo-rejected]').count(), 1, 'only the refused one');
  assert.ok((await sideways(page)) <= 0, `home scrolls sideways: ${await widest(page)}`);
  await page.screenshot({ path: join(shots, 'home-todo-rejected-390.png'), fullPage: true });
  await item.locator(`a[href="#/orders/${ids[2]}"]`).click();
  await page.waitForSelector('[data-testid=order-change][data-state=rejected]');
  assert.match(await page.textContent('[data-testid=order-change]'), /Склад уже собрал заказ/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('390 px: home\'s "pay" goes through the payment choice and the confirmation; nothing is sent before confirming', async () => {
  const { ctx, page, errors, sent } = await phone('#/');
  await page.waitForSelector('[data-testid=home-todo]');
  const pay = page.locator(`[data-order="${ids[1]}"] [data-testid=home-pay]`);
  assert.equal(await pay.count(), 1);
  assert.equal(await page.locator(`[data-order="${ids[3]}"]`).count(), 0, 'a paid order needs nothing');
  await pay.click();
  await page.waitForFunction((id) => location.hash === `#/orders/${id}?pay=1`, ids[1]);
  await page.waitForSelector('[data-testid=payment-choice]');
  // Straight to the choice: the first option that can be chosen has the focus and is on screen.
  await page.waitForFunction(() => document.activeElement?.name === 'method');
  const focused = await page.evaluate(() => { const r = document.activeElement.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, h: innerHeight }; });
  assert.ok(focused.top >= 0 && focused.bottom <= focused.h, JSON.stringify(focused));
  assert.deepEqual(sent.map((r) => r.url()), [], 'nothing sent by the link');

  // The first tap opens the confirmation with the amount and sends nothing; "Отмена" closes it.
  const o1 = (await orderPage(co.clients[0], ids[1])).order;
  await page.check('[data-testid=pay-radio-internal_account]');
  await page.click('.main-action');
  await page.waitForSelector('[data-testid=confirm]');
  const facts = (await page.textContent('[data-testid=confirm-facts]')).replace(/[\s\u00a0\u202f]/g, '');
  assert.ok(facts.includes('1500,50₽'), facts);
  assert.equal(o1.total_kop, 150050);
  assert.deepEqual(sent.map((r) => r.url()), [], 'nothing sent before confirming');
  await page.click('[data-testid=confirm-no]');
  await page.waitForSelector('[data-testid=confirm]', { state: 'detached' });
  assert.deepEqual(sent.map((r) => r.url()), []);

  // Confirmed: one request with the action's key; 1C takes the payment.
  await page.click('.main-action');
  await page.waitForSelector('[data-testid=confirm]');
  await page.click('[data-testid=confirm-yes]');
  await page.waitForSelector('[data-testid=confirm]', { state: 'detached' });
  assert.deepEqual(sent.map((r) => new URL(r.url()).pathname), ['/api/finance/account/payments']);
  assert.match(sent[0].headers()['idempotency-key'] ?? '', /^[0-9a-f-]{36}$/);
  await until(async () => (await orderPage(co.clients[0], ids[1])).order.status === 'paid', 'paid from the account');
  assert.deepEqual(errors, []);
  await ctx.close();
});

/** The main action's box and the page's scroll, as the phone shows it now. */
const mainAction = (page) => page.evaluate(() => {
  const b = document.querySelector('#main .main-action');
  if (!b) return null;
  const r = b.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, height: r.height, vh: innerHeight, scrollY, position: getComputedStyle(b).position, text: b.textContent };
});

test('390 px: the order page\'s main action is at the bottom of the screen on load and covers nothing at the end of the page', async () => {
  const { ctx, page, errors } = await phone(`#/orders/${ids[4]}`);
  await page.waitForSelector('[data-testid=payment-choice]');
  const long = await page.evaluate(() => document.scrollingElement.scrollHeight - innerHeight);
  assert.ok(long > 844, `a long page (${long}px below the first screen)`);
  const b = await mainAction(page);
  assert.ok(b, 'a main action');
  assert.equal(b.scrollY, 0, 'not scrolled');
  assert.ok(b.height >= 44, `a thumb's size: ${b.height}px`);
  assert.ok(b.top >= b.vh / 2 && b.bottom <= b.vh, `in the bottom half of the first screen: ${JSON.stringify(b)}`);
  await page.screenshot({ path: join(shots, 'order-main-action-390.png') });
  // Scrolled to the end: the last of the page is above the button.
  await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
  const end = await page.evaluate(() => {
    const kids = [...document.querySelector('#main').children].filter((e) => e.getClientRects().length && !e.matches('.main-action'));
    return kids[kids.length - 1].getBoundingClientRect().bottom;
  });
  const after = await mainAction(page);
  assert.ok(end <= after.top, `the page's end (${end}) above the button (${after.top})`);

  // Without a method chosen, the button brings the options into view.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.click('.main-action');
  await page.waitForFunction(() => document.activeElement?.name === 'method');
  assert.equal(await page.locator('[data-testid=confirm]').count(), 0);

  // A paid order: repeating it is the main action, at the bottom too.
  await goTo(page, `#/orders/${ids[3]}`);
  await page.waitForSelector('[data-testid=repeat-link]');
  const repeat = await mainAction(page);
  assert.match(repeat.text, /Повторить/);
  assert.ok(repeat.top >= repeat.vh / 2 && repeat.bottom <= repeat.vh, JSON.stringify(repeat));
  assert.deepEqual(errors, []);
  await ctx.close();

  // On a desktop it stays in the page's flow.
  const desk = await phone(`#/orders/${ids[4]}`, { width: 1366, height: 900 });
  await desk.page.waitForSelector('[data-testid=payment-choice]');
  assert.equal((await mainAction(desk.page)).position, 'static');
  await desk.ctx.close();
});

test('quantities in the page\'s language: 1,500.5 in English, 1 500,5 in Russian', async () => {
  const { ctx, page, errors } = await phone(`#/orders/${ids[1]}`);
  await page.waitForSelector('[data-testid=order-lines]');
  assert.match(await page.textContent('[data-testid=order-lines]'), /1[\u00a0\u202f ]500,5(?!\d)/);
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.documentElement.lang === 'en' && /Qty/.test(document.querySelector('[data-testid=order-lines]')?.textContent ?? ''));
  const en = await page.textContent('[data-testid=order-lines]');
  assert.match(en, /1,500\.5(?!\d)/);
  assert.doesNotMatch(en, /1[\u00a0\u202f ]500/);
  await page.screenshot({ path: join(shots, 'order-english-quantity-390.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('390 px: the documents\' filters are folded like the order list\'s, open with a filter set, open on a desktop', async () => {
  const { ctx, page, errors } = await phone('#/documents');
  await page.waitForSelector('#doc-filters', { state: 'attached' });
  const fold = page.locator('details.fold:has(#doc-filters)');
  assert.equal(await fold.count(), 1);
  assert.equal(await fold.evaluate((d) => d.open), false, 'folded on a phone');
  assert.equal(await page.isVisible('#doc-filters'), false);
  await fold.locator('summary').click();
  assert.equal(await page.isVisible('[data-testid=doc-q]'), true);
  await page.fill('[data-testid=doc-q]', 'упд');
  await page.click('#doc-filters button[type=submit]');
  await page.waitForFunction(() => location.hash.includes('q=') && document.querySelector('details.fold:has(#doc-filters)')?.open === true);
  assert.equal(await page.inputValue('[data-testid=doc-q]'), 'упд', 'open with the filter set');
  assert.deepEqual(errors, []);
  await ctx.close();
  const desk = await phone('#/documents', { width: 1366, height: 900 });
  await desk.page.waitForSelector('#doc-filters');
  assert.equal(await desk.page.isVisible('#doc-filters'), true);
  await desk.ctx.close();
});

test('360 px: home, the order pages and the documents do not scroll sideways', async () => {
  const { ctx, page, errors } = await phone('#/', { width: 360, height: 740 });
  await page.waitForSelector('[data-testid=home-todo]');
  const problems = [];
  for (const hash of ['#/', `#/orders/${ids[4]}`, `#/orders/${ids[2]}`, `#/orders/${ids[3]}`, '#/documents', '#/orders']) {
    await goTo(page, hash);
    await page.waitForLoadState('networkidle');
    const over = await sideways(page);
    if (over > 0) problems.push(`${hash}: ${over}px (${(await widest(page)).join(', ')})`);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
  await ctx.close();
});
