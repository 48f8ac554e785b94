// The documents section in a real browser: a document from 1C in the list with its filters, the
// document page as a table, an order shipped by three vehicles with its ZIP, and a reconciliation
// act: the request form (a refused period shown with its reason), the preliminary act while 1C
// prepares the official one, then the official act with the differences highlighted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, shots } from '../lib/browser.mjs';
import { PORTAL, freshCompany, sendAndApply, uid } from '../lib/portal.mjs';
import { actMsg, multiVehicleOrder, orderMsg, pdfFile } from '../lib/documents.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signedInPage(user, hash) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${PORTAL}/${hash}`);
  await page.waitForURL(/\/sign-in/);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
  return { page, errors };
}

test('documents: the list with filters, a document as a table, an order\'s full set with its ZIP', async () => {
  const co = await freshCompany([['buyer']]);
  const o = await multiVehicleOrder(co.id);
  const { page, errors } = await signedInPage(co.users[0], '#/documents');
  await page.waitForSelector('[data-testid=documents] tbody tr');
  assert.equal(await page.locator('[data-testid=documents] tbody tr').count(), 4);
  // The buyer sees no acts tab (acts are for accountants and admins).
  assert.equal(await page.locator('[data-testid=acts-tab]').count(), 0);
  const text = await page.textContent('[data-testid=documents]');
  assert.match(text, /1\s000,00\s₽/);
  assert.match(text, /подписан/);
  assert.match(text, new RegExp(o.number));
  // Filter by text in the number.
  await page.fill('[data-testid=doc-q]', 'упд-2');
  await page.click('#doc-filters button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=documents] tbody tr').length === 1);
  assert.match(await page.textContent('[data-testid=documents] tbody'), /УПД-2/);
  // The document page: its lines as a readable table with Russian number formats.
  await page.click('[data-testid=doc-link]');
  await page.waitForSelector('[data-testid=lines]');
  assert.match(await page.textContent('[data-testid=lines]'), /Фильтр масляный/);
  assert.match(await page.textContent('[data-testid=totals]'), /Всего: 1\s000,00\s₽/);
  // The order's full set: three shipments, each with its УПД, and the ZIP link.
  assert.match(await page.textContent('dl.facts'), /Отгрузка\s*ОТ-2 · А223ВС 93/);
  await page.click(`a:has-text("${o.number}")`);
  await page.waitForSelector('[data-testid=zip-link]');
  assert.equal(await page.locator('[data-testid=order-documents]').count(), 4);
  for (const i of [1, 2, 3]) assert.equal(await page.locator(`h2:has-text("Отгрузка ОТ-${i}")`).count(), 1);
  const href = await page.getAttribute('[data-testid=zip-link]', 'href');
  const zip = await page.evaluate(async (u) => {
    const r = await fetch(u);
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('content-type'), magic: Array.from(b.slice(0, 4)) };
  }, href);
  assert.deepEqual(zip, { status: 200, type: 'application/zip', magic: [0x50, 0x4b, 0x03, 0x04] });
  await page.screenshot({ path: join(shots, 'documents-order.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('acts: a refused period, the preliminary act, then the official act with the differences', async () => {
  const co = await freshCompany([['accountant']]);
  const c = co.id;
  const o = await multiVehicleOrder(c);
  await sendAndApply([
    { id: uid('m'), type: 'opening_balance', entity_id: `${c}-ob`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`, agreement_id: `${c}-ag`, date: '2026-07-01T00:00:00', balance: 500 } },
    { id: uid('m'), type: 'payment', entity_id: `${c}-pay`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`, agreement_id: `${c}-ag`, number: 'ПП-7', date: '2026-08-20T10:00:00', amount: 1200, allocations: [] } },
  ]);
  const { page, errors } = await signedInPage(co.users[0], '#/documents/acts');
  await page.waitForSelector('#act-form');
  // A custom period over three years is refused with the reason beside the form.
  await page.selectOption('#act-form select[name=preset]', 'custom');
  await page.fill('#act-form input[name=period_from]', '2020-01-01');
  await page.fill('#act-form input[name=period_to]', '2024-12-31');
  await page.click('#act-form button[type=submit]');
  await page.waitForSelector('#act-form [role=alert]:not([hidden])');
  assert.match(await page.textContent('#act-form [role=alert]'), /не более чем за 3 года/);
  // The last quarter: the request goes to 1C and the preliminary act shows meanwhile.
  await page.selectOption('#act-form select[name=preset]', 'last_quarter');
  await page.click('#act-form button[type=submit]');
  await page.waitForSelector('[data-testid=preliminary]');
  const id = decodeURIComponent(page.url().split('/').pop());
  assert.match(await page.textContent('[data-testid=act-status]'), /ожидает 1С/);
  assert.match(await page.textContent('[data-testid=act-preliminary-note]'), /Предварительный/);
  assert.match(await page.textContent('[data-testid=preliminary-opening]'), /Дебет 500,00\s₽/);
  assert.match(await page.textContent('[data-testid=preliminary-closing]'), /Дебет 2\s300,00\s₽/);
  await page.screenshot({ path: join(shots, 'act-preliminary.png'), fullPage: true });

  // 1C's act counts the payment as 1 250 ₽: that line and the closing balance differ.
  const pdf = await pdfFile('Акт сверки за 3 квартал 2026.pdf');
  const ops = [1, 2, 3].map((i) => ({ date: `2026-08-0${i + 2}T00:00:00`, document: `Реализация УПД-${i}`, document_id: `${o.onecId}-upd${i}`, debit: 1000, credit: 0 }));
  ops.push({ date: '2026-08-20T00:00:00', document: 'Поступление ПП-7', document_id: `${c}-pay`, debit: 0, credit: 1250 });
  await sendAndApply([actMsg(c, `${c}-act`, { requestId: id, from: '2026-07-01', to: '2026-09-30', opening: 500, operations: ops, files: [pdf] })]);
  await page.reload();
  await page.waitForSelector('[data-testid=official]');
  assert.match(await page.textContent('[data-testid=act-status]'), /готов/);
  assert.match(await page.textContent('[data-testid=official-closing]'), /Дебет 2\s250,00\s₽/);
  const diff = await page.textContent('[data-testid=act-differences]');
  assert.match(diff, /Сальдо конечное: -50,00\s₽/);
  assert.match(diff, /суммы различаются: .*Поступление ПП-7/);
  assert.equal(await page.locator('[data-testid=official] tr.diff').count(), 1);
  assert.equal(await page.locator('[data-testid=preliminary] tr.diff').count(), 1);
  const pdfHref = await page.getAttribute('[data-testid=act-pdf]', 'href');
  const got = await page.evaluate(async (u) => { const r = await fetch(u); return [r.status, r.headers.get('content-type')]; }, pdfHref);
  assert.deepEqual(got, [200, 'application/pdf']);
  await page.screenshot({ path: join(shots, 'act-official.png'), fullPage: true });
  // The history lists it as ready.
  await page.goto(`${PORTAL}/#/documents/acts`);
  await page.waitForSelector('[data-testid=act-history]');
  assert.match(await page.textContent('[data-testid=act-history]'), /готов/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a corrected УПД at 360 px: the list shows the ИУПД, the original says what corrected it, lines keep VAT as 1C sent it', async () => {
  const co = await freshCompany([['accountant']]);
  const c = co.id;
  const doc = (id, extra) => ({ id: uid('m'), type: 'document', entity_id: id, seq: 1, payload: {
    company_id: c, legal_entity_id: `${c}-le`, kind: 'upd', kind_name: 'УПД', number: 'УПД-7', date: '2026-08-03T12:00:00', upd_status: 1,
    amount: 1320, vat: 220, orders: [],
    lines: [{ line_no: 1, article: 'AZ-1', name: 'Фильтр масляный', quantity: 10, unit: 'шт', unit_code: '796', price: 122, amount: 1220, vat_rate: '22%', vat: 220 },
      { line_no: 2, article: null, name: 'Доставка', quantity: 1, unit: 'усл', unit_code: null, price: 100, amount: 100, vat_rate: 'none', vat: 0 }],
    files: [], edo_state: 'Ожидается ответная подпись', ...extra } });
  await sendAndApply([doc(`${c}-d7`, {}), doc(`${c}-d7-fix1`, { correction_of: `${c}-d7`, correction_no: 1, correction_date: '2026-08-10T10:00:00' })]);
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${PORTAL}/#/documents`);
  await page.waitForURL(/\/sign-in/);
  await page.fill('input[name=email]', co.users[0].email);
  await page.fill('input[name=password]', co.users[0].password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=documents] tbody tr');
  assert.equal(await page.locator('[data-testid=documents] tbody tr').count(), 1, 'the current version only');
  assert.match(await page.textContent('[data-testid=doc-fix]'), /Исправление № 1 от 10\.08\.2026/);
  assert.match(await page.textContent('[data-testid=edo]'), /получен, ждёт подписи покупателя/);
  await page.click('[data-testid=doc-link]');
  await page.waitForSelector('[data-testid=doc-history] li');
  assert.equal(await page.locator('[data-testid=doc-history] li').count(), 2);
  const lines = await page.textContent('[data-testid=lines]');
  assert.match(lines, /22%/);
  assert.match(lines, /без НДС/);
  assert.match(lines, /796/);
  // The original: "Исправлено: ИУПД № …", linking to the correction.
  await page.click('[data-testid=doc-history] li a');
  await page.waitForSelector('[data-testid=corrected-by]');
  assert.match(await page.textContent('[data-testid=corrected-by]'), /Исправлено: ИУПД № УПД-7, исправление № 1 от 10\.08\.2026/);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling at 360 px');
  await page.screenshot({ path: join(shots, 'document-corrected-360.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('an order\'s full set at 360 px shows one УКД under both УПД it corrects', async () => {
  const co = await freshCompany([['accountant']]);
  const c = co.id;
  const o = `${c}-o1`;
  await sendAndApply([orderMsg(c, o, `ЗК-${o.slice(-8)}`, [
    { id: `${o}-s1`, number: 'ОТ-1', date: '2026-08-03T09:00:00' }, { id: `${o}-s2`, number: 'ОТ-2', date: '2026-08-04T09:00:00' }])]);
  const line = (base) => ({ line_no: 1, article: 'AZ-1', name: 'Фильтр масляный', quantity: base ? 0 : 10, unit: 'шт', unit_code: '796',
    price: base ? -6.1 : 122, amount: base ? -61 : 1220, vat_rate: '22%', vat: base ? -11 : 220, ...(base ? { base_id: base, base_line_no: 1 } : {}) });
  const doc = (id, payload) => ({ id: uid('m'), type: 'document', entity_id: id, seq: 1, payload: {
    company_id: c, legal_entity_id: `${c}-le`, orders: [o], files: [], edo_state: 'Подписан', ...payload } });
  await sendAndApply([1, 2].map((i) => doc(`${c}-d${i}`, { kind: 'upd', kind_name: 'УПД', number: `УПД-${i}`, date: `2026-08-0${i + 2}T12:00:00`,
    upd_status: 1, amount: 1220, vat: 220, shipment_id: `${o}-s${i}`, lines: [line(null)] })));
  await sendAndApply([doc(`${c}-k1`, { kind: 'ukd', kind_name: 'УКД', number: 'КУ-1', date: '2026-08-20T12:00:00', amount: -122, vat: -22,
    corrects: [`${c}-d1`, `${c}-d2`], lines: [line(`${c}-d1`), { ...line(`${c}-d2`), line_no: 2 }] })]);
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${PORTAL}/#/documents`);
  await page.waitForURL(/\/sign-in/);
  await page.fill('input[name=email]', co.users[0].email);
  await page.fill('input[name=password]', co.users[0].password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=documents] tbody tr');
  await page.click(`a:has-text("ЗК-${o.slice(-8)}")`);
  await page.waitForSelector('[data-testid=order-documents]');
  const under = await page.locator('[data-testid=doc-corrections]').allTextContents();
  assert.deepEqual(under, ['Корректировка: УКД № КУ-1', 'Корректировка: УКД № КУ-1']);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling at 360 px');
  await page.screenshot({ path: join(shots, 'documents-ukd-two-upd-360.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
