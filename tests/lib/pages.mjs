// The page checks every browser test of the layout can use: a company with something on every
// page (orders awaiting payment and shipped, credit, a document with its PDF, a return, a long
// consignee), no sideways scrolling, and axe-core injected through a context that bypasses the
// site's CSP (the site's own CSP stays as strict as it is).
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { shots } from './browser.mjs';
import { Client, freshCompany, sendAndApply, uid } from './portal.mjs';
import { creditMsg, orderMsg, productMsg } from './orders.mjs';
import { shippedOrder } from './returns.mjs';
import { documentMsg, pdfFile } from './documents.mjs';

/** Where every page's screenshot lands (named in the README). */
export const screenshots = join(shots, 'screenshots');
mkdirSync(screenshots, { recursive: true });

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** A company like the demo's: an admin, a buyer and an accountant, and data on every page. */
export async function richCompany() {
  const co = await freshCompany([['admin'], ['buyer'], ['accountant']]);
  const c = co.id;
  const longName = 'Склад запасных частей сельскохозяйственной техники ООО «Кубанская агропромышленная компания», отделение Кореновского района';
  await sendAndApply([
    productMsg(c, 1, { price: 1250.5 }), productMsg(c, 2, { price: 99 }),
    { id: uid('m'), type: 'consignee', entity_id: `${c}-k1`, seq: 1, payload: { company_id: c, name: longName, address: 'Краснодарский край, Кореновский район, г. Кореновск, ул. Мира, д. 1, строение 2, склад № 14' } },
    creditMsg(c, { limit: 500000, debt: 123456.78 }),
  ]);
  await sendAndApply([orderMsg(c, 1, { lines: [[1, 2, 1250.5], [2, 10, 99]] }), orderMsg(c, 2, { status: 'shipped', lines: [[2, 1, 99]], paid: 99 })]);
  const shipped = await shippedOrder(c);
  const file = await pdfFile('Счет на оплату № СЧ-1.pdf');
  await sendAndApply([documentMsg(c, `${c}-inv`, { kind: 'invoice', kindName: 'Счет на оплату', number: 'СЧ-1', date: '2026-11-20T11:00:00', amount: 2601, orders: [`${c}-o1`], files: [file] })]);
  const buyer = new Client();
  await buyer.signIn(co.users[1].email, co.users[1].password);
  const orders = (await buyer.get('/api/orders/orders')).body.items;
  const id = (number) => orders.find((o) => o.number === number).id;
  const open = id(`ЗК-${c.slice(-4)}-1`);
  const shippedId = id(shipped.number);
  const ret = await buyer.post('/api/returns/returns', { order_id: shippedId, reason: 'defect', lines: [{ line_no: 1, quantity: 1 }] });
  if (ret.status !== 201 && ret.status !== 200) throw new Error(`return: ${ret.status} ${JSON.stringify(ret.body)}`);
  const docs = (await buyer.get('/api/documents/documents')).body.items;
  const [boss, buyerUser, accountant] = co.users;
  return { ...co, boss, buyer: buyerUser, accountant, open, shippedId, returnId: ret.body.return?.id ?? ret.body.id, docId: docs[0]?.id, buyerClient: buyer };
}

/** Every route of the shell with something to show, by name (used in screenshot names). */
export function shellPages(d) {
  return [
    ['home', '#/'], ['orders', '#/orders'], ['order', `#/orders/${d.open}`], ['order-shipped', `#/orders/${d.shippedId}`],
    ['invoice', `#/orders/${d.open}/invoice`], ['finance', '#/finance'], ['documents', '#/documents'],
    ['document', `#/documents/doc/${encodeURIComponent(d.docId)}`], ['order-documents', `#/documents/order/${d.open}`],
    ['acts', '#/documents/acts'], ['returns', '#/returns'], ['return-new', '#/returns/new'],
    ['return-form', `#/returns/new?order=${d.shippedId}`], ['return', `#/returns/${d.returnId}`], ['company', '#/company'], ['profile', '#/profile'],
  ];
}

export const authPages = [['sign-in', '/sign-in'], ['forgot-password', '/forgot-password'], ['set-password', '/set-password#token=x'], ['confirm-email', '/confirm-email#token=x']];

/** Goes to `hash` inside the shell and waits until the new page is drawn (its heading or its problem). */
export async function goTo(page, hash) {
  await page.evaluate((h) => {
    // Already there (the page signing in lands on): nothing to wait out.
    if (location.hash === h || (h === '#/' && location.hash === '')) return;
    for (const x of document.querySelectorAll('#main > *')) x.remove();
    location.hash = h;
  }, hash);
  await page.waitForFunction(() => {
    const m = document.querySelector('#main');
    return m && (m.querySelector('h1') || m.querySelector(':scope > p.error')) && !m.querySelector(':scope > p.muted:only-child');
  }, null, { timeout: 15000 });
}

/** How far the page scrolls sideways beyond the screen it was given (0 when it fits). A phone
 * widens its layout viewport to fit wide content, so innerWidth alone would hide the overflow. */
export const sideways = (page) => page.evaluate((w) => Math.max(document.scrollingElement.scrollWidth, window.innerWidth) - w, page.viewportSize().width);

/** The elements wider than the screen, to name in a failure. */
export const widest = (page) => page.evaluate((w) => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > w + 1 && e.getClientRects().length)
  .slice(-3).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className}`.slice(0, 80)), page.viewportSize().width);

/** Inputs whose border is below 3:1 against the page behind them (WCAG 1.4.11; axe checks text only). */
export const faintBorders = (page) => page.evaluate(() => {
  const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = (e) => { for (let p = e.parentElement; p; p = p.parentElement) { const c = rgb(getComputedStyle(p).backgroundColor); if (c.length === 3 || c[3] > 0) return c; } return [255, 255, 255]; };
  const out = [];
  for (const e of document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]):not(:disabled), select, textarea')) {
    if (!e.getClientRects().length) continue;
    const a = lum(rgb(getComputedStyle(e).borderTopColor)); const b = lum(behind(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 3) out.push(`${e.tagName.toLowerCase()}[name=${e.name}] ${ratio.toFixed(2)}:1`);
  }
  return [...new Set(out)].slice(0, 3);
});

/** Controls smaller than 44 px high on a phone (buttons, menu links, fields, summaries). */
export const smallTargets = (page) => page.evaluate(() => [...document.querySelectorAll(
  'button, a.button, summary, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), .nav a, label.inline, .tabs a')]
  .filter((e) => e.getClientRects().length && e.getBoundingClientRect().height < 43.5)
  .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.name ? `[name=${e.name}]` : ''} "${(e.textContent || '').trim().slice(0, 20)}" ${Math.round(e.getBoundingClientRect().height)}px`)
  .slice(0, 4));

/** axe-core's serious and critical violations on the page as it is now. */
export async function axe(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Opens every folded form in the main area (edit, cancel, add, filters). */
export const openForms = (page) => page.evaluate(() => { for (const d of document.querySelectorAll('#main details')) d.open = true; });
