// The order list as a buyer in the field uses it: filters by who placed an order and by legal
// entity (names every role may read), status badges, delivery method and consignee in each row,
// a count of the chosen orders and a bar at the bottom of the screen stating the rules of
// shipping together, warning when the chosen ones break them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, signIn } from '../lib/browser.mjs';
import { freshCompany, sendAndApply, uid } from '../lib/portal.mjs';
import { orderMsg, productMsg } from '../lib/orders.mjs';
import { goTo, screenshots } from '../lib/pages.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('order list: filter by employee and legal entity, badges, consignee, the ship-together bar', async () => {
  const co = await freshCompany([['buyer'], ['buyer'], ['accountant']]);
  const c = co.id;
  const [me, colleague] = co.users;
  await sendAndApply([productMsg(c, 1, { price: 100 }),
    { id: uid('m'), type: 'consignee', entity_id: `${c}-k1`, seq: 1, payload: { company_id: c, name: 'Склад Кореновск', address: 'Кореновск, ул. Мира, 1' } },
    { id: uid('m'), type: 'consignee', entity_id: `${c}-k2`, seq: 1, payload: { company_id: c, name: 'Склад Тихорецк', address: 'Тихорецк, ул. Ленина, 2' } }]);
  const mk = (n, email, consignee, method = 'delivery') => orderMsg(c, n, { lines: [[1, n, 100]], extra: { author_email: email, delivery_method: method, consignee_id: consignee } });
  await sendAndApply([mk(1, me.email, `${c}-k1`), mk(2, colleague.email, `${c}-k1`), mk(3, colleague.email, `${c}-k2`)]);
  const num = (n) => `ЗК-${c.slice(-4)}-${n}`;

  // The accountant reads the names too (nothing else about the people).
  for (const user of [co.users[2], me]) {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 700 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await signIn(page, user, '#/orders');
    await page.waitForSelector('[data-testid=orders]');
    const names = await page.$$eval('[data-testid=filter-author] option', (os) => os.map((o) => o.textContent));
    assert.ok(names.includes(`Тест ${colleague.entity}`), JSON.stringify(names));
    if (user !== me) { await ctx.close(); continue; }

    // Badges, delivery method and consignee in each row.
    assert.equal(await page.locator('[data-testid=orders] [data-testid=status-badge]').count(), 3);
    const row1 = await page.locator('[data-testid=orders] tbody tr', { hasText: num(1) }).textContent();
    assert.match(row1, /доставка/);
    assert.match(row1, /Склад Кореновск/);

    // Chosen orders: the count and the rules in a bar on the screen; mixed consignees warned.
    await page.check(`[data-testid="pick-${num(1)}"]`);
    assert.equal(await page.textContent('[data-testid=selected-count]'), 'Выбрано заказов: 1');
    await page.check(`[data-testid="pick-${num(3)}"]`);
    assert.equal(await page.textContent('[data-testid=selected-count]'), 'Выбрано заказов: 2');
    assert.equal(await page.isVisible('[data-testid=together-warning]'), true);
    const box = await page.locator('[data-testid=together-bar]').boundingBox();
    assert.ok(box.y >= 0 && box.y + box.height <= 700 + 1, `the bar is on the screen: ${JSON.stringify(box)}`);
    assert.match(await page.textContent('[data-testid=together-bar]'), /одним способом доставки и одним грузополучателем/);
    await page.uncheck(`[data-testid="pick-${num(3)}"]`);
    await page.check(`[data-testid="pick-${num(2)}"]`);
    assert.equal(await page.isVisible('[data-testid=together-warning]'), false);
    await page.screenshot({ path: join(screenshots, 'order-list-together-390.png') });

    // Filter by the colleague: only their orders.
    await page.click('details.fold > summary');
    const colleagueId = await page.$eval('[data-testid=filter-author]', (s, name) => [...s.options].find((o) => o.textContent === name).value, `Тест ${colleague.entity}`);
    await page.selectOption('[data-testid=filter-author]', colleagueId);
    await page.click('#order-filters button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('author='));
    await page.waitForFunction((n) => !document.querySelector('[data-testid=orders]')?.textContent.includes(n), num(1));
    const rows = await page.locator('[data-testid=orders] tbody tr').allTextContents();
    assert.equal(rows.length, 2);
    // And by legal entity (the company's one): all of them again once the employee is cleared.
    await goTo(page, `#/orders?legal_entity=${await page.$eval('[data-testid=filter-legal-entity] option:nth-child(2)', (o) => o.value)}`);
    assert.equal(await page.locator('[data-testid=orders] tbody tr').count(), 3);
    await ctx.close();
  }
});
