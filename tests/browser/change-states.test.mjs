// A buyer edits an order in a real browser and watches the change go waiting -> accepted ->
// applied by itself: the order page polls (If-None-Match, 304 while nothing changed) and
// re-renders, no reload. The simulated 1C first does not answer (waiting), then accepts and sends
// its snapshot naming the change after a delay the test sets (accepted, then applied). A hidden
// tab does not poll.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, shots, signIn } from '../lib/browser.mjs';
import { sweep } from '../lib/portal.mjs';
import { shippingCalendar } from '../lib/orders.mjs';
import { order, orderId, product, simCompany, simRule, simSend } from '../lib/sim.mjs';

let browser;

before(async () => { await shippingCalendar(); browser = await launch(); });
after(async () => { await browser?.close(); });

test('an order edit goes waiting -> accepted -> applied on the page without a reload', async () => {
  const co = await simCompany([['buyer']]);
  const c = co.id;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  const id = await orderId(co.clients[0], c, 1);
  await simRule(c, { mode: 'fail' });

  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const requests = [];
  page.on('response', (r) => { if (r.url().endsWith(`/api/orders/orders/${id}`)) requests.push(r.status()); });
  await signIn(page, { ...co.users[0], password: 'Test-password-2026' }, `#/orders/${id}`);
  await page.waitForSelector('#edit-form', { state: 'attached' });
  // A mark on the window: gone if the page ever reloads.
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.click('details:has(#edit-form) summary');
  await page.fill('#edit-form input[name^=qty-]', '5');
  await page.click('#edit-form button[type=submit]');

  const state = (s) => page.waitForSelector(`[data-testid=order-change][data-state=${s}]`, { timeout: 30000 });
  await state('waiting');
  assert.match(await page.textContent('[data-testid=order-change]'), /Ожидает 1С/);

  // 1C comes back: it accepts at once and sends its snapshot 4 s later.
  await simRule(c, { mode: 'accept', apply_delay_ms: 4000 });
  await sweep(new Date(Date.now() + 3600 * 1000));
  await state('accepted');
  await page.screenshot({ path: join(shots, 'change-accepted-360.png') });
  await state('applied');
  await page.waitForFunction(() => document.querySelector('[data-testid=order-lines] tbody tr td:nth-child(3)')?.textContent.trim() === '5');
  await page.screenshot({ path: join(shots, 'change-applied-360.png') });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
  assert.ok(requests.includes(304), `the page polled with If-None-Match: ${requests.join(',')}`);

  // A hidden tab does not look; shown again, it looks at once.
  const looks = () => requests.length;
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const hiddenAt = looks();
  await page.waitForTimeout(5000);
  assert.equal(looks(), hiddenAt, 'no polling while hidden');
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForResponse((r) => r.url().endsWith(`/api/orders/orders/${id}`), { timeout: 3000 });
  assert.deepEqual(errors, []);
  await page.close();
});
