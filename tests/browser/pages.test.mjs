// Every page as each of the demo's roles (admin, buyer, accountant) at 1366, 360, 390 and 414 px:
// nothing scrolls sideways, with the forms folded and opened; axe-core finds nothing serious or
// critical; input borders reach 3:1; on a phone every control is at least 44 px high; a screenshot of every page at 1366 and 390 px lands in test-results/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, signIn } from '../lib/browser.mjs';
import { PORTAL } from '../lib/portal.mjs';
import { authPages, axe, faintBorders, goTo, openForms, richCompany, screenshots, shellPages, sideways, smallTargets, widest } from '../lib/pages.mjs';

const WIDTHS = [1366, 360, 390, 414];
const SHOT_WIDTHS = [1366, 390];

let browser;
let data;

before(async () => { browser = await launch(); data = await richCompany(); });
after(async () => { await browser?.close(); });

const context = (width) => browser.newContext({ viewport: { width, height: 800 }, bypassCSP: true, ...(width < 500 ? { isMobile: true, hasTouch: true } : {}) });

/** Checks the page as it is now, then with its forms open; pushes what is wrong to `problems`. */
async function check(page, name, problems) {
  const over = await sideways(page);
  if (over > 0) problems.push(`${name}: scrolls sideways by ${over}px (${(await widest(page)).join(', ')})`);
  await openForms(page);
  const overOpen = await sideways(page);
  if (overOpen > 0 && over <= 0) problems.push(`${name} (forms open): scrolls sideways by ${overOpen}px (${(await widest(page)).join(', ')})`);
  for (const v of await axe(page)) problems.push(`${name}: axe ${v}`);
  for (const b of await faintBorders(page)) problems.push(`${name}: input border ${b}`);
  if (page.viewportSize().width < 500) for (const s of await smallTargets(page)) problems.push(`${name}: touch target ${s}`);
}

for (const width of WIDTHS) {
  test(`the sign-in, reset and set-password pages at ${width} px`, async () => {
    const ctx = await context(width);
    const page = await ctx.newPage();
    const problems = [];
    for (const [name, path] of authPages) {
      await page.goto(`${PORTAL}${path}`);
      await page.waitForSelector('h1:not(:empty)');
      if (SHOT_WIDTHS.includes(width)) await page.screenshot({ path: join(screenshots, `${name}-${width}.png`), fullPage: true });
      await check(page, `${name} @${width}`, problems);
    }
    await ctx.close();
    assert.deepEqual(problems, []);
  });

  for (const role of ['boss', 'buyer', 'accountant']) {
    test(`every page as the ${role} at ${width} px`, async () => {
      const ctx = await context(width);
      const page = await ctx.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, data[role], '#/');
      await page.waitForSelector('[data-testid=company-name]:not(:empty)');
      const problems = [];
      for (const [name, hash] of shellPages(data)) {
        await goTo(page, hash);
        if (SHOT_WIDTHS.includes(width)) await page.screenshot({ path: join(screenshots, `${role}-${name}-${width}.png`), fullPage: true });
        await check(page, `${role} ${name} @${width}`, problems);
      }
      await ctx.close();
      assert.deepEqual(problems, []);
      assert.deepEqual(errors, []);
    });
  }
}
