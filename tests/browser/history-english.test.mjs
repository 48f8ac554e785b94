// Readable history and complete English: the company's change log and an order's history are
// sentences in the user's language with money and dates formatted (never `return.status_by_1c`
// or `refund_kop: 5427160`); documents are named by their kind in both languages ("Счет на
// оплату" is "Invoice" in English), 1C's own name only for a kind the portal does not know.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn } from '../lib/browser.mjs';
import { Client, freshCompany, sendAndApply, uid } from '../lib/portal.mjs';
import { returnMsg, shippedOrder } from '../lib/returns.mjs';
import { orderMsg } from '../lib/orders.mjs';
import { documentMsg, pdfFile } from '../lib/documents.mjs';
import { goTo } from '../lib/pages.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the change log and an order\'s history as sentences, in Russian and in English', async () => {
  const co = await freshCompany([['admin', 'buyer']]);
  const order = await shippedOrder(co.id);
  const api = new Client();
  await api.signIn(co.users[0].email, co.users[0].password);
  const orderId = (await api.get('/api/orders/orders')).body.items.find((o) => o.number === order.number).id;
  const r = await api.post('/api/returns/returns', { order_id: orderId, reason: 'defect', lines: [{ line_no: 1, quantity: 2 }] });
  const portalId = r.body.return?.id ?? r.body.id;
  await sendAndApply([returnMsg(co.id, `${co.id}-r1`, portalId, order.onecId, 1, { status: 'completed', lines: [{ line_no: 1, quantity: 2 }], refund: 54271.6, number: 'ВЗ-0001' })]);

  const page = await browser.newPage();
  await signIn(page, co.users[0], '#/company');
  await page.waitForSelector('[data-testid=audit] li');
  const ru = await page.textContent('[data-testid=audit]');
  assert.doesNotMatch(ru, /status_by_1c|refund_kop|return\.requested|[a-z]+_[a-z]+:/);
  assert.match(ru, /1С приняла решение по возврату/);
  assert.match(ru, /Сумма возврата: 54\s271,60\s₽/);
  assert.match(ru, /Статус: завершён/);
  assert.match(ru, /Запрошен возврат/);

  await page.click('#lang-switch');
  await page.waitForSelector('main h2:has-text("Audit log")');
  await page.waitForSelector('[data-testid=audit] li');
  const en = await page.textContent('[data-testid=audit]');
  assert.match(en, /1C decided on the return/);
  assert.match(en, /Refund: ₽54,271\.60/);
  assert.match(en, /Status: completed/);
  assert.doesNotMatch(en, /Сумма|Статус|возврат|запрошен/);

  // The order's history: sentences too (a cancellation asked of 1C).
  await sendAndApply([orderMsg(co.id, 7, { lines: [[1, 2, 100]] })]);
  const open = (await api.get('/api/orders/orders')).body.items.find((o) => o.number === `ЗК-${co.id.slice(-4)}-7`);
  const version = (await api.get(`/api/orders/orders/${open.id}`)).body.order.version;
  assert.equal((await api.post(`/api/orders/orders/${open.id}/cancellation`, { version, reason: 'Ошиблись' })).status, 202);
  await goTo(page, `#/orders/${open.id}`);
  await page.waitForSelector('[data-testid=order-history] li');
  const history = await page.textContent('[data-testid=order-history]');
  assert.match(history, /Cancellation requested/);
  assert.doesNotMatch(history, /\b[a-z]+\.[a-z_]+\b/);
});

test('documents named by their kind in English; 1C\'s own name only for a kind the portal does not know', async () => {
  const co = await freshCompany([['accountant']]);
  const c = co.id;
  const file = await pdfFile('Счет на оплату № СЧ-9.pdf');
  await sendAndApply([
    documentMsg(c, `${c}-inv`, { kind: 'invoice', kindName: 'Счет на оплату', number: 'СЧ-9', date: '2026-11-20T11:00:00', amount: 1200, files: [file] }),
    documentMsg(c, `${c}-oth`, { kind: 'other', kindName: 'Акт выполненных работ', number: 'АВР-1', date: '2026-11-21T11:00:00', amount: 500 }),
  ]);
  const page = await browser.newPage();
  await signIn(page, co.users[0], '#/documents');
  await page.waitForSelector('[data-testid=doc-link]');
  await page.click('#lang-switch');
  await page.waitForSelector('main h1:has-text("Documents")');
  await page.waitForSelector('[data-testid=doc-link]');
  const list = await page.textContent('main');
  assert.match(list, /Invoice/);
  assert.doesNotMatch(list, /Счет на оплату(?!\s№ СЧ-9\.pdf)/);
  assert.match(list, /Акт выполненных работ/, "1C's name for a kind the portal does not know");
  await page.click('[data-testid=doc-link] >> text=СЧ-9');
  await page.waitForSelector('main h1:has-text("СЧ-9")');
  assert.equal(await page.textContent('main h1'), 'Invoice № СЧ-9');

  // A УКД and the УПД it corrects name each other by kind too.
  const doc = (id, payload) => ({ id: uid('m'), type: 'document', entity_id: id, seq: 1, payload: {
    company_id: c, legal_entity_id: `${c}-le`, orders: [], files: [], edo_state: 'Подписан', ...payload } });
  await sendAndApply([doc(`${c}-d1`, { kind: 'upd', kind_name: 'УПД', number: 'УПД-1', date: '2026-08-03T12:00:00', upd_status: 1, amount: 1220, vat: 220,
    lines: [{ line_no: 1, article: 'AZ-1', name: 'Фильтр', quantity: 10, unit: 'шт', price: 122, amount: 1220, vat_rate: '22%', vat: 220 }] })]);
  await sendAndApply([doc(`${c}-k1`, { kind: 'ukd', kind_name: 'УКД', number: 'КУ-1', date: '2026-08-20T12:00:00', amount: -122, vat: -22, corrects: [`${c}-d1`],
    lines: [{ line_no: 1, article: 'AZ-1', name: 'Фильтр', quantity: 0, unit: 'шт', price: -6.1, amount: -61, vat_rate: '22%', vat: -11, base_id: `${c}-d1`, base_line_no: 1 }] })]);
  await goTo(page, '#/documents');
  await page.click('[data-testid=doc-link] >> text=КУ-1');
  await page.waitForSelector('main h1:has-text("КУ-1")');
  const ukd = await page.textContent('main');
  assert.match(ukd, /UPD \(transfer document\) № УПД-1/);
  assert.doesNotMatch(ukd, /УПД №|УКД №/);
});
