// The shell for a keyboard, a screen reader and a thumb: a skip link, a new page starts at the top
// with focus on its heading, the menu marks only the section shown (the profile is none of them),
// a refused field says so beside itself, and on a phone the order filters fold away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn } from '../lib/browser.mjs';
import { freshCompany } from '../lib/portal.mjs';
import { goTo } from '../lib/pages.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('skip link, focus and scroll on each page change, the menu marks the section shown', async () => {
  const co = await freshCompany([['admin', 'buyer']]);
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 400 } });
  const page = await ctx.newPage();
  await signIn(page, co.users[0], '#/');
  await page.waitForSelector('[data-testid=company-name]:not(:empty)');
  await page.waitForSelector('main h1');
  // The first Tab reaches the skip link; following it puts focus on the page's heading.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
  // Scrolled down on one page, the next one starts at the top with focus on its heading.
  await goTo(page, '#/company');
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  assert.ok(await page.evaluate(() => window.scrollY) > 0, 'the company page is taller than the screen');
  await page.click('#nav a[data-section=orders]');
  await page.waitForSelector('#order-filters', { state: 'attached' });
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Заказы');
  assert.equal(await page.getAttribute('#nav a[data-section=orders]', 'aria-current'), 'page');
  // The profile is reached from the user's name: no section of the menu is marked.
  await page.click('#user-name');
  await page.waitForSelector('#profile-form');
  assert.deepEqual(await page.$$eval('#nav a.active, #nav a[aria-current]', (as) => as.map((a) => a.textContent)), []);
  await ctx.close();
});

test('a refused field says so beside itself; on a phone the order filters are folded', async () => {
  const co = await freshCompany([['buyer']]);
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await signIn(page, co.users[0], '#/profile');
  await page.waitForSelector('#profile-form');
  await page.fill('#profile-form input[name=phone]', 'не телефон');
  await page.click('#profile-form button[type=submit]');
  await page.waitForSelector('#profile-form input[name=phone][aria-invalid=true]');
  const described = await page.getAttribute('#profile-form input[name=phone]', 'aria-describedby');
  assert.match(await page.textContent(`#${described}`), /Телефон|телефон/);
  assert.equal(await page.evaluate(() => document.activeElement.name), 'phone', 'focus goes to the refused field');
  await goTo(page, '#/orders');
  assert.equal(await page.isVisible('#order-filters input[name=number]'), false, 'filters folded on a phone');
  await page.click('details.fold > summary');
  assert.equal(await page.isVisible('#order-filters input[name=number]'), true);
  await ctx.close();
});
