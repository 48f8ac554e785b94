// Catalogue thumbnails (issue 18) on a phone: a catalogue loaded through 1C's stock CommerceML
// exchange with its pictures; at 390 px the order page's lines and the catalogue search show each
// product's thumbnail (loaded, with its width and height, lazily), a product's properties under its
// name, and the page never scrolls sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, shots, signIn } from '../lib/browser.mjs';
import { freshCompany, sendAndApply, uid } from '../lib/portal.mjs';
import { cmlLoadCatalogue } from '../lib/cml.mjs';
import { generate } from '../../bench/lib/cml-catalogue.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('390 px: thumbnails on the order lines and in the catalogue search, no sideways scrolling', async () => {
  const co = await freshCompany([['buyer']]);
  const c = co.id;
  const prefix = uid('bi').replace('-', '');
  const catalogue = generate({ goods: 4, prefix, warehouses: 2 });
  await cmlLoadCatalogue(catalogue);
  // Product 0 has pictures (every third does); an order of it from 1C.
  const p = catalogue.model.products[0];
  assert.ok(p.images.length);
  await sendAndApply([{ id: uid('m'), type: 'order', entity_id: `${c}-o1`, seq: 1, payload: {
    company_id: c, legal_entity_id: `${c}-le`, agreement_id: `${c}-ag`, number: `ЗК-${c.slice(-4)}-1`, date: '2026-11-20T10:00:00',
    status: 'awaiting_payment', payment_method: 'invoice', paid: 0, total: 2000, vat_total: 0, planned_shipping_date: '2026-12-01T00:00:00',
    lines: [{ line_no: 1, product_id: p.id, article: p.article, name: p.name, quantity: 2, unit: 'шт', price: 1000, amount: 2000, vat: 0 }] } }]);

  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, co.users[0], '#/orders');
  await page.waitForSelector('[data-testid=orders]');
  await page.click(`[data-testid=orders] >> text=ЗК-${c.slice(-4)}-1`);
  await page.waitForSelector('[data-testid=order-lines]');
  const loaded = async (selector) => {
    const img = page.locator(selector).first();
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction((s) => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }, selector);
    return img.evaluate((i) => ({ natural: [i.naturalWidth, i.naturalHeight], attrs: [i.getAttribute('width'), i.getAttribute('height')],
      loading: i.loading, box: [i.getBoundingClientRect().width, i.getBoundingClientRect().height] }));
  };
  const line = await loaded('[data-testid=order-lines] img[data-testid=thumb]');
  assert.equal(line.loading, 'lazy');
  assert.deepEqual(line.attrs, ['160', '120'], 'the 160 px thumbnail of the 240 x 180 picture');
  assert.ok(line.box[0] <= 48 && line.box[1] <= 48, `a small box: ${line.box}`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling on the order page');

  await page.click('details:has(#edit-form) summary');
  await page.fill('[data-testid=catalog-q]', p.article);
  await page.press('[data-testid=catalog-q]', 'Enter');
  await page.waitForSelector('[data-testid=catalog-results] img[data-testid=thumb]');
  const found = await loaded('[data-testid=catalog-results] img[data-testid=thumb]');
  assert.ok(found.natural[0] > 0);
  assert.match(await page.textContent(`[data-testid="props-${p.article}"]`), /Материал: Сталь/);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling with the catalogue results');
  await page.screenshot({ path: join(shots, 'catalogue-thumbnails-390.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await ctx.close();
});
