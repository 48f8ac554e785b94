// 152-ФЗ in the browser (#24): after the first sign-in a modal asks for consent to the privacy
// policy (linked), Esc does not dismiss it and no page is drawn behind it; accepted once, it is not
// asked again (reload, another sign-in). The profile offers the user's data as a download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn } from '../lib/browser.mjs';
import { PORTAL, freshCompany } from '../lib/portal.mjs';
import { goTo } from '../lib/pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the consent dialog appears at the first sign-in, once, and not after accepting', async () => {
  const co = await freshCompany([['buyer']], undefined, { consent: false });
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, co.users[0], '#/');
  await page.waitForSelector('[data-testid=consent]');
  assert.equal(await page.getAttribute('[data-testid=consent-policy]', 'href'), '/privacy');
  // Not dismissed by Esc; the home page is not drawn behind it.
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('[data-testid=consent]'), true);
  assert.equal(await page.$('#main h1'), null);

  await page.click('[data-testid=consent-accept]');
  await page.waitForSelector('[data-testid=consent]', { state: 'detached' });
  await page.waitForSelector('#main h1');

  // Asked once: not on a reload, not at the next sign-in.
  await page.reload();
  await page.waitForSelector('#main h1');
  assert.equal(await page.$('[data-testid=consent]'), null);
  const again = await (await browser.newContext()).newPage();
  await signIn(again, co.users[0], '#/');
  await again.waitForSelector('#main h1');
  assert.equal(await again.$('[data-testid=consent]'), null);

  // The profile's download of the user's own data.
  await goTo(page, '#/profile');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-my-data]')]);
  assert.equal(download.suggestedFilename(), 'personal-data.json');
  await ctx.close();
});

test('the privacy policy page is reachable from the sign-in page and marked as a template', async () => {
  const page = await browser.newPage();
  await page.goto(`${PORTAL}/sign-in`);
  await page.click('[data-testid=privacy-link]');
  await page.waitForSelector('[data-testid=privacy-template]');
  assert.match(await page.textContent('[data-testid=privacy-template]'), /ШАБЛОН.*TEMPLATE/s);
  await page.close();
});
