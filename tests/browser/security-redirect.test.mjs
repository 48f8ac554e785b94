// The sign-in page's `next` (issue 13, item 10): after signing in, the browser goes only to a
// page of the portal itself, whatever `next` says. Addresses that pass a naive "starts with /"
// check but that the browser's URL parser reads as another host (`/\host`, `/<tab>/host`) are
// the point; any request to another host is answered here, so a redirect shows as a changed
// origin instead of a DNS error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../lib/browser.mjs';
import { PORTAL, freshCompany } from '../lib/portal.mjs';

let browser;
let user;

before(async () => {
  browser = await launch();
  user = (await freshCompany([['buyer']])).users[0];
});
after(async () => { await browser?.close(); });

const portalOrigin = new URL(PORTAL).origin;

/** Signs in on `/sign-in?next=<next>` and returns the URL the browser lands on. */
async function landAfterSignIn(next) {
  const ctx = await browser.newContext();
  // Anything outside the portal gets a page of its own: the test sees where the browser went.
  await ctx.route((url) => url.origin !== portalOrigin, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>elsewhere</h1>' }));
  const page = await ctx.newPage();
  await page.goto(`${PORTAL}/sign-in?next=${encodeURIComponent(next)}`);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !(u.origin === portalOrigin && u.pathname.startsWith('/sign-in')), { timeout: 15000 });
  await page.waitForLoadState('load');
  const url = new URL(page.url());
  await ctx.close();
  return url;
}

for (const next of ['/\\evil.example', '/\\evil.example/x', '/\t/evil.example', '/%09/evil.example', '//evil.example', 'https://evil.example/', '/\\/evil.example', '/.//evil.example', 'javascript:alert(1)']) {
  test(`#13.10 sign-in with next=${JSON.stringify(next)} stays on the portal`, async () => {
    const url = await landAfterSignIn(next);
    assert.equal(url.origin, portalOrigin, `went to ${url.href}`);
  });
}

test('#13.10 a next on the portal itself is still followed, with its query and hash', async () => {
  const url = await landAfterSignIn('/?x=1#/orders');
  assert.equal(url.origin, portalOrigin);
  assert.equal(url.pathname + url.search + url.hash, '/?x=1#/orders');
});
