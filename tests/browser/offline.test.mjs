// Installable and tolerant of a bad link: the manifest and its icons, a service worker; offline, a
// reload of the order list shows the shell, the last list seen and the offline banner, with actions
// disabled; what the worker keeps never includes sign-in calls, 1C's exchange or files; after
// signing out an offline reload shows nothing of the user's (the answer also says Clear-Site-Data).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { launch, signIn } from '../lib/browser.mjs';
import { Client, PORTAL, freshCompany, sendAndApply } from '../lib/portal.mjs';
import { orderMsg, productMsg } from '../lib/orders.mjs';
import { goTo, screenshots } from '../lib/pages.mjs';

let browser;

/** Waits until the service worker is active (its install fetches the whole shell: slow on a busy
 * machine), then makes sure it controls the page: a page loaded before activation is claimed,
 * and if the claim has not reached it yet a reload is controlled for certain. */
async function controlled(page) {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) {
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker?.controller, null, { timeout: 20000 });
  }
}

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the manifest names icons Chrome can install with', async () => {
  const m = await (await fetch(`${PORTAL}/manifest.webmanifest`)).json();
  assert.equal(m.display, 'standalone');
  assert.equal(m.start_url, '/');
  for (const size of ['192x192', '512x512']) {
    const icon = m.icons.find((i) => i.sizes === size && i.type === 'image/png');
    assert.ok(icon, size);
    const r = await fetch(PORTAL + icon.src);
    assert.equal(r.status, 200);
    const bytes = Buffer.from(await r.arrayBuffer());
    assert.equal(bytes.readUInt32BE(16), Number(size.split('x')[0]), 'PNG width');
  }
  const html = await (await fetch(`${PORTAL}/`)).text();
  assert.match(html, /<link rel="manifest" href="\/manifest.webmanifest">/);
  const sw = await fetch(`${PORTAL}/sw.js`);
  assert.equal(sw.status, 200);
  assert.match(sw.headers.get('content-type'), /javascript/);
});

test('the worker keeps every script the shell pages load (one missing module and the offline shell cannot start)', async () => {
  const sw = readFileSync(new URL('../../static/sw.js', import.meta.url), 'utf8');
  const list = sw.slice(sw.indexOf('SHELL_FILES'), sw.indexOf('];', sw.indexOf('SHELL_FILES')));
  const kept = new Set([...list.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]));
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const src = readFileSync(new URL(`../../static/js/${name}.js`, import.meta.url), 'utf8');
    for (const m of src.matchAll(/from '\.\/([a-z-]+)\.js'/g)) visit(m[1]);
  };
  for (const page of ['app', 'sign-in', 'forgot-password', 'set-password']) visit(page);
  assert.deepEqual([...seen].filter((s) => !kept.has(s)).sort(), []);
});

test('sign-out answers Clear-Site-Data for the cache and the storage', async () => {
  const co = await freshCompany([['buyer']]);
  const c = new Client();
  assert.equal((await c.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const r = await c.post('/api/auth/sign-out');
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('clear-site-data'), '"cache", "storage"');
});

test('offline: the last order list with the banner, actions disabled; after sign-out an offline reload shows nothing', async () => {
  const co = await freshCompany([['buyer']]);
  const c = co.id;
  await sendAndApply([productMsg(c, 1, { price: 100 })]);
  await sendAndApply([orderMsg(c, 1, { lines: [[1, 3, 100]] })]);
  const number = `ЗК-${c.slice(-4)}-1`;
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await signIn(page, co.users[0], '#/');
  await page.waitForSelector('[data-testid=company-name]:not(:empty)');
  // The worker takes over the page (it claims it once active); then the list is seen once.
  await controlled(page);
  await goTo(page, '#/orders');
  await page.waitForSelector(`[data-testid=orders] >> text=${number}`);
  assert.equal(await page.isVisible('[data-testid=offline-banner]'), false);

  // What the offline reload needs is saved: the shell page and the list seen.
  await page.waitForFunction(async () => Boolean(await caches.match('/', { cacheName: 'portal-shell-v1' }))
    && (await (await caches.open('portal-data')).keys()).some((r) => new URL(r.url).pathname === '/api/orders/orders'), null, { timeout: 20000 });
  await ctx.setOffline(true);
  await page.reload();
  await page.waitForSelector(`[data-testid=orders] >> text=${number}`);
  assert.equal(await page.isVisible('[data-testid=offline-banner]'), true);
  assert.match(await page.textContent('[data-testid=offline-banner]'), /Нет связи/);
  assert.equal(await page.textContent('[data-testid=company-name]'), `Компания ${c}`);
  assert.equal(await page.locator('#order-filters button[type=submit]').isDisabled(), true, 'actions are disabled offline');
  await page.screenshot({ path: join(screenshots, 'offline-orders-390.png'), fullPage: true });
  // Kept: only read-only data, never sign-in calls, the exchange or files.
  const kept = await page.evaluate(async () => (await Promise.all((await caches.keys()).map(async (k) => (await (await caches.open(k)).keys()).map((r) => new URL(r.url).pathname)))).flat());
  assert.ok(kept.includes('/api/orders/orders'), JSON.stringify(kept));
  assert.deepEqual(kept.filter((p) => /^\/api\/auth\/|^\/exchange\/|^\/monitor|\/files?\/|\.csv$/.test(p)), []);

  // Back online, sign out; offline again, a reload shows nothing of the user's.
  await ctx.setOffline(false);
  await page.reload();
  await page.waitForSelector('[data-testid=company-name]:not(:empty)');
  await page.click('#sign-out');
  await page.waitForURL(/\/sign-in/);
  await ctx.setOffline(true);
  await page.goto(`${PORTAL}/#/orders`).catch(() => {});
  const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
  assert.doesNotMatch(text, new RegExp(number));
  assert.doesNotMatch(text, new RegExp(c));
  await ctx.close();
});

test('a 401 the refresh cannot mend clears what the worker kept of the user', async () => {
  const co = await freshCompany([['buyer']]);
  const c = co.id;
  await sendAndApply([productMsg(c, 1, { price: 100 })]);
  await sendAndApply([orderMsg(c, 1, { lines: [[1, 3, 100]] })]);
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const page = await ctx.newPage();
  await signIn(page, co.users[0], '#/');
  await page.waitForSelector('[data-testid=company-name]:not(:empty)');
  await controlled(page);
  await goTo(page, '#/orders');
  await page.waitForSelector(`[data-testid=orders] >> text=ЗК-${c.slice(-4)}-1`);
  const saved = () => page.evaluate(async () => ((await caches.has('portal-data')) ? (await (await caches.open('portal-data')).keys()).map((r) => new URL(r.url).pathname) : []));
  assert.ok((await saved()).includes('/api/orders/orders'));
  // The password changed on another device: this session ends, its refresh too.
  const other = new Client();
  await other.signIn(co.users[0].email, co.users[0].password);
  assert.equal((await other.post('/api/auth/password-change', { current_password: co.users[0].password, new_password: 'Another-pass-2026' })).status, 200);
  await page.evaluate(() => { location.hash = '#/finance'; });
  await page.waitForURL(/\/sign-in/);
  await page.waitForSelector('input[name=email]');
  assert.deepEqual(await saved(), []);
  // The shell stays (nothing of the user's is in it): the next offline start still has its pages.
  const shell = await page.evaluate(async () => (await (await caches.open('portal-shell-v1')).keys()).map((r) => new URL(r.url).pathname));
  for (const path of ['/', '/sign-in', '/js/app.js', '/css/app.css']) assert.ok(shell.includes(path), `${path} kept: ${JSON.stringify(shell)}`);
  await ctx.close();
});
