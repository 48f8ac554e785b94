// Returns in a real browser: a buyer finds a shipped order, is refused too large a quantity (the
// message next to the line), returns chosen lines with a photo, then the whole remainder; 1C
// approves and completes both with refunds, and the return page and the internal account show
// the money, linked to each other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, shots, signIn } from '../lib/browser.mjs';
import { PORTAL, freshCompany, sendAndApply } from '../lib/portal.mjs';
import { PNG, refundMsg, returnMsg, shippedOrder } from '../lib/returns.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const returnId = (url) => /#\/returns\/([^/?]+)$/.exec(url)?.[1];

test('a line return with a photo and a whole-order return, through 1C to the refunds', async () => {
  const co = await freshCompany([['buyer'], ['accountant']]);
  const order = await shippedOrder(co.id);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, co.users[0], '#/returns');
  await page.waitForSelector('[data-testid=returns-empty]');
  await page.click('[data-testid=new-return]');
  await page.fill('#return-order-search input[name=q]', order.number.slice(-6));
  await page.click('#return-order-search button');
  await page.click(`[data-testid="choose-${order.number}"]`);
  await page.waitForSelector('[data-testid=returnable-lines]');
  // Line 3 was never shipped: nothing to enter.
  assert.equal(await page.locator('input[data-line="3"]').isDisabled(), true);

  // Too much of line 1 (8 shipped): refused, the message beside the line, nothing stored.
  await page.fill('input[data-line="1"]', '9');
  await page.fill('input[data-line="2"]', '1.5');
  await page.selectOption('#return-form select[name=reason]', 'defect');
  await page.click('#return-form button[type=submit]');
  await page.waitForSelector('[data-testid=return-error]:not([hidden])');
  assert.match(await page.textContent('[data-error-line="1"]'), /больше|более|Можно вернуть не больше/i);

  await page.fill('input[data-line="1"]', '2');
  const photo = join(shots, 'return-photo.png');
  writeFileSync(photo, PNG);
  await page.setInputFiles('#return-form input[type=file]', photo);
  await page.fill('#return-form textarea[name=comment]', 'Заводской брак');
  await page.click('#return-form button[type=submit]');
  await page.waitForURL(/#\/returns\/ret_/);
  const lineReturn = returnId(page.url());
  await page.waitForSelector('[data-testid=return-lines]');
  assert.match(await page.textContent('main h1'), /Возврат/);
  assert.match(await page.textContent('[data-testid=return-lines]'), /ВЗ-101[\s\S]*2[\s\S]*ВЗ-102[\s\S]*1,5/);
  // Wait for the photo instead of counting at once: a count does not wait, and the page was seen without it for a moment (CI).
  await page.waitForSelector('[data-testid=return-photos] img');
  assert.equal(await page.locator('[data-testid=return-photos] img').count(), 1);
  // Its load settled (a streamed answer may still be arriving when the element appears); a
  // broken image settles too, with no width.
  await page.waitForFunction(() => document.querySelector('[data-testid=return-photos] img').complete);
  assert.equal(await page.locator('[data-testid=return-photos] img').evaluate((img) => img.naturalWidth), 1);

  // The rest of the order, as a whole: 6 of line 1 and 2,5 of line 2.
  await page.goto(`${PORTAL}/#/returns/new?q=${encodeURIComponent(order.number.slice(-6))}`);
  await page.click(`[data-testid="choose-${order.number}"]`);
  await page.waitForSelector('[data-testid=returnable-lines]');
  await page.check('[data-testid=return-whole]');
  await page.selectOption('#return-form select[name=reason]', 'surplus');
  await page.click('#return-form button[type=submit]');
  await page.waitForURL((u) => returnId(u.toString()) && returnId(u.toString()) !== lineReturn);
  const wholeReturn = returnId(page.url());
  await page.waitForSelector('[data-testid=return-lines]');
  assert.match(await page.textContent('[data-testid=return-lines]'), /ВЗ-101[\s\S]*6[\s\S]*ВЗ-102[\s\S]*2,5/);

  // 1C approves and completes both; the refunds land on the internal account.
  const l = [{ line_no: 1, quantity: 2 }, { line_no: 2, quantity: 1.5 }];
  const w = [{ line_no: 1, quantity: 6 }, { line_no: 2, quantity: 2.5 }];
  await sendAndApply([returnMsg(co.id, `${co.id}-r1`, lineReturn, order.onecId, 1, { status: 'approved', lines: l, number: 'ВЗ-0001' }),
    returnMsg(co.id, `${co.id}-r2`, wholeReturn, order.onecId, 1, { status: 'approved', lines: w, number: 'ВЗ-0002' })]);
  await sendAndApply([returnMsg(co.id, `${co.id}-r1`, lineReturn, order.onecId, 2, { status: 'completed', lines: l, refund: 388.25, number: 'ВЗ-0001' }),
    returnMsg(co.id, `${co.id}-r2`, wholeReturn, order.onecId, 2, { status: 'completed', lines: w, refund: 913.75, number: 'ВЗ-0002' }),
    refundMsg(co.id, `${co.id}-r1`, 388.25), refundMsg(co.id, `${co.id}-r2`, 913.75)]);

  await page.goto(`${PORTAL}/#/returns?status=completed`);
  await page.waitForSelector('[data-testid=returns]');
  const list = await page.textContent('[data-testid=returns]');
  assert.match(list, /ВЗ-0002[\s\S]*завершён[\s\S]*913,75\s₽[\s\S]*ВЗ-0001[\s\S]*завершён[\s\S]*388,25\s₽/);
  await page.screenshot({ path: join(shots, 'returns-list.png'), fullPage: true });
  await page.click('text=ВЗ-0001');
  await page.waitForSelector('[data-testid=refunded]');
  assert.match(await page.textContent('[data-testid=refunded]'), /388,25\s₽/);
  assert.match(await page.textContent('[data-testid=return-history]'), /заявка на возврат[\s\S]*решение 1С[\s\S]*одобрен[\s\S]*решение 1С[\s\S]*завершён/);
  await page.screenshot({ path: join(shots, 'return.png'), fullPage: true });

  // The accountant sees both refunds on the internal account, each linked to its return.
  const acc = await browser.newPage();
  await signIn(acc, co.users[1], '#/finance');
  await acc.waitForSelector('[data-testid=account-balance]');
  assert.match(await acc.textContent('[data-testid=account-balance]'), /Остаток: 1\s302,00\s₽/);
  assert.equal(await acc.locator('[data-testid=movement-return]').count(), 2);
  await acc.click('[data-testid=movement-return] >> text=ВЗ-0002');
  await acc.waitForSelector('[data-testid=refunded]');
  assert.match(await acc.textContent('[data-testid=refunded]'), /913,75\s₽/);
  assert.deepEqual(errors, []);
});
