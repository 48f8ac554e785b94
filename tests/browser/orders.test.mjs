// The orders section in a real browser: filters kept in the URL (a shared link shows the same
// list), totals, the order page, and a cancellation sent to 1C.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, shots, signIn } from '../lib/browser.mjs';
import { PORTAL, freshCompany, onecReceived, sendAndApply, uid } from '../lib/portal.mjs';
import { article, creditMsg, orderMsg, productMsg, shippingCalendar, shippingDays } from '../lib/orders.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function order(company, n, status, article, name, total, email) {
  return { id: uid('m'), type: 'order', entity_id: `${company}-o${n}`, seq: 1, payload: {
    company_id: company, legal_entity_id: `${company}-le`, agreement_id: `${company}-ag`, number: `ЗК-${n}`, date: `2026-11-0${n}T10:00:00`,
    author_email: email, status, payment_method: 'invoice', paid: 0, total, vat_total: 0,
    lines: [{ line_no: 1, article, name, quantity: 2, unit: 'шт', price: total / 2, amount: total, vat: 0 }] } };
}

test('orders: filters in the URL, the order page, a cancellation waiting for 1C', async () => {
  const co = await freshCompany([['buyer'], ['accountant']]);
  const c = co.id;
  // The catalogue knows the product of order 4, at the company's price type.
  await sendAndApply([{ id: uid('m'), type: 'product', entity_id: `${c}-p200`, seq: 1, payload: { article: `AZ-200-${c}`, name: 'Подшипник роликовый', unit: 'шт', vat_rate: 20,
    prices: [{ price_type: { id: 'pt-opt', name: 'Оптовая' }, price: 1000 }] } }]);
  await sendAndApply([
    order(c, 1, 'awaiting_payment', 'AZ-100', 'Подшипник ёлочный', 1000, co.users[0].email),
    order(c, 2, 'shipped', 'BX-7', 'Ремень приводной', 3000, co.users[1].email),
    order(c, 3, 'paid', 'CC-1', 'Фильтр масляный', 500, co.users[1].email),
    { ...order(c, 4, 'awaiting_payment', `AZ-200-${c}`, 'Подшипник роликовый', 2000, co.users[0].email) },
  ]);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A colleague's link with filters opens the same filtered list after sign-in.
  await signIn(page, co.users[0], '#/orders?status=shipped,paid&sort=amount_desc');
  await page.waitForSelector('[data-testid=orders]');
  const rows = await page.locator('[data-testid=orders] tbody tr').allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /ЗК-2/);
  assert.match(rows[1], /ЗК-3/);
  assert.match(await page.textContent('[data-testid=order-totals]'), /Заказов: 2 · Сумма: 3\s500,00\s₽/);
  assert.match(await page.getAttribute('[data-testid=orders-csv]', 'href'), /status=shipped%2Cpaid|status=shipped,paid/);
  // Filter by product name in Russian, any case.
  await page.fill('#order-filters input[name=q]', 'ЁЛОЧНЫЙ');
  for (const s of ['shipped', 'paid']) await page.uncheck(`#order-filters input[value=${s}]`);
  await page.click('#order-filters button[type=submit]');
  await page.waitForFunction(() => location.hash.includes('q='));
  await page.waitForSelector('[data-testid=orders] >> text=ЗК-1');
  assert.equal(await page.locator('[data-testid=orders] tbody tr').count(), 1);
  // The order page and its cancellation.
  await page.click('[data-testid=orders] >> text=ЗК-1');
  await page.waitForSelector('[data-testid=order-lines]');
  assert.match(await page.textContent('[data-testid=order-lines]'), /AZ-100/);
  await page.click('details:has(#cancel-form) summary');
  await page.fill('#cancel-form input[name=reason]', 'Ошиблись артикулом');
  await page.click('#cancel-form button[type=submit]');
  await page.click('[data-testid=confirm-yes]');
  await page.waitForSelector('[data-testid=order-change]');
  assert.match(await page.textContent('[data-testid=order-change]'), /Отмена заказа/);
  await page.screenshot({ path: join(shots, 'order.png'), fullPage: true });

  // Editing another order: an unknown pasted article is reported; a new quantity goes to 1C.
  await page.goto(`${PORTAL}/#/orders?number=4`);
  await page.click('[data-testid=orders] >> text=ЗК-4');
  await page.waitForSelector('#edit-form', { state: 'attached' });
  await page.click('details:has(#edit-form) summary');
  await page.fill('#edit-form input[name^=qty-]', '3');
  await page.fill('#edit-form textarea[name=paste]', 'NOPE-404;2');
  await page.click('#edit-form button[type=submit]');
  await page.waitForSelector('#edit-form .error:not([hidden])');
  assert.match(await page.textContent('#edit-form .error'), /Не найдены: NOPE-404/);
  await page.fill('#edit-form textarea[name=paste]', '');
  await page.click('#edit-form button[type=submit]');
  await page.waitForSelector('[data-testid=order-change] >> text=Изменение заказа');
  assert.deepEqual(errors, []);
});

test('orders: a product added from the catalogue search and a shipping day, shown as proposed until 1C accepts; two orders shipped together; credit and repeat', async () => {
  await shippingCalendar();
  const co = await freshCompany([['buyer']]);
  const c = co.id;
  await sendAndApply([productMsg(c, 1, { price: 1234.5 }), productMsg(c, 2, { price: 99.99, name: `Ремень клиновой ёлочный ${c.slice(-8)}` }), productMsg(c, 3, { price: 10 }),
    creditMsg(c, { limit: 100000 })]);
  await sendAndApply([orderMsg(c, 1, { lines: [[1, 2, 1234.5]] }), orderMsg(c, 2, { lines: [[3, 1, 10]] }), orderMsg(c, 3, { lines: [[3, 4, 10]] }), orderMsg(c, 4, { lines: [[3, 4, 10]] })]);
  const { working } = shippingDays();
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, co.users[0], '#/orders');
  await page.waitForSelector('[data-testid=orders]');
  await page.click(`[data-testid=orders] >> text=ЗК-${c.slice(-4)}-1`);
  await page.waitForSelector('#edit-form', { state: 'attached' });
  await page.click('details:has(#edit-form) summary');
  await page.fill('[data-testid=catalog-q]', `ремень елочный ${c.slice(-8)}`);
  await page.press('[data-testid=catalog-q]', 'Enter');
  await page.click(`[data-testid="add-${article(c, 2)}"]`);
  await page.fill(`#edit-form input[data-added]`, '3');
  await page.fill('#edit-form input[name=planned_shipping_date]', working);
  await page.click('#edit-form button[type=submit]');
  await page.waitForSelector('[data-testid=order-change-lines]');
  const proposedLines = await page.textContent('[data-testid=order-change-lines]');
  assert.match(proposedLines, new RegExp(`${article(c, 1)}[\\s\\S]*2\\s469,00[\\s\\S]*${article(c, 2)}[\\s\\S]*299,97`));
  assert.match(await page.textContent('[data-testid=order-change-values]'), /Итого: 2\s768,97\s₽/);
  // 1C's answer arrives by push; reloading the page shows it.
  for (let i = 0; ; i++) {
    await page.reload();
    await page.waitForSelector('[data-testid=order-change]');
    if (/Изменения приняты 1С/.test(await page.textContent('[data-testid=order-change]'))) break;
    assert.ok(i < 40, 'the acceptance never showed');
    await page.waitForTimeout(300);
  }

  // Switch order 2 to credit, asking to ship today: reserved at once; 1C hears of the request.
  await page.goto(`${PORTAL}/#/orders`);
  await page.click(`[data-testid=orders] >> text=ЗК-${c.slice(-4)}-2`);
  await page.check('[data-testid=pay-radio-credit]');
  await page.check('#payment-choice-form [data-testid=ship-today]');
  await page.click('#payment-choice-form button[type=submit]');
  await page.click('[data-testid=confirm-yes]');
  await page.waitForSelector('[data-testid=order-change] >> text=Смена способа оплаты');
  for (let i = 0; ; i++) {
    const sent = (await onecReceived()).find((x) => x.type === 'order.payment_method_changed' && x.entity_id === `${c}-o2`);
    if (sent) {
      assert.equal(sent.payload.ship_today, true);
      break;
    }
    assert.ok(i < 60, '1C never received the switch');
    await page.waitForTimeout(250);
  }

  // Orders 2 and 3 go together: chosen in the list, 1C confirms, both pages show it.
  await page.goto(`${PORTAL}/#/orders`);
  await page.waitForSelector('[data-testid=orders]');
  await page.check(`[data-testid="pick-ЗК-${c.slice(-4)}-2"]`);
  await page.check(`[data-testid="pick-ЗК-${c.slice(-4)}-3"]`);
  await page.click('details:has(#consolidate-form) summary');
  await page.fill('#consolidate-form input[name=planned_shipping_date]', working);
  await page.click('#consolidate-form button[type=submit]');
  await page.waitForSelector('[data-testid=shipped-together]');
  const together = await page.textContent('[data-testid=shipped-together]');
  assert.match(together, new RegExp(`ЗК-${c.slice(-4)}-2`));
  assert.match(together, new RegExp(`ЗК-${c.slice(-4)}-3`));
  await page.screenshot({ path: join(shots, 'order-together.png'), fullPage: true });

  // Order 4: a buyer, who does not see the internal account's balance, is not offered paying
  // from it (the accountant or admin is named); card and credit are, with their figures.
  await page.goto(`${PORTAL}/#/orders`);
  await page.click(`[data-testid=orders] >> text=ЗК-${c.slice(-4)}-4`);
  await page.waitForSelector('[data-testid=pay-option-internal_account]');
  assert.match(await page.textContent('[data-testid=pay-why-internal_account]'), /бухгалтер или администратор/);
  assert.equal(await page.isDisabled('[data-testid=pay-radio-internal_account]'), true);

  // Repeat order 1: a new draft at today's prices opens.
  await page.goto(`${PORTAL}/#/orders`);
  await page.click(`[data-testid=orders] >> text=ЗК-${c.slice(-4)}-1`);
  await page.click('[data-testid=repeat-link]');
  await page.waitForSelector('[data-testid=draft-lines]');
  await page.click('#repeat-draft-form button[type=submit]');
  await page.click('[data-testid=confirm-yes]');
  await page.waitForSelector('text=черновик');
  assert.match(await page.textContent('[data-testid=order-lines]'), new RegExp(article(c, 1)));
  assert.deepEqual(errors, []);
});

// Issue 17: paying by invoice (a bank transfer) shows the supplier's organisation the order is sold
// from, and the invoice page (счёт на оплату) carries its requisites and bank details.
test('the bank-transfer payee and the invoice page show the organisation\'s bank details', async () => {
  const co = await freshCompany([['buyer']]);
  const c = co.id;
  const org = `${c}-org`;
  await sendAndApply([
    { id: `${org}-m`, type: 'organisation', entity_id: org, seq: 1, payload: { name: 'АгроЗапчасть Юг', full_name: 'Общество с ограниченной ответственностью «АгроЗапчасть Юг»',
      inn: '7736207543', kpp: '231001001', ogrn: '1037739442344', address: 'г. Краснодар, ул. Северная, д. 10',
      bank_accounts: [{ bank_name: 'ПАО Сбербанк', bik: '044525225', corr_account: '30101810400000000225', account: '40702810638000005678' }] } },
    { ...order(c, 7, 'awaiting_payment', 'AZ-700', 'Подшипник', 1000, co.users[0].email), payload: { ...order(c, 7, 'awaiting_payment', 'AZ-700', 'Подшипник', 1000, co.users[0].email).payload, organisation_id: org } },
  ]);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, co.users[0], '#/orders');
  await page.waitForSelector('[data-testid=orders]');
  await page.click('text=ЗК-7');
  const payee = await page.waitForSelector('[data-testid=payee]');
  const text = await payee.textContent();
  for (const s of ['АгроЗапчасть Юг', '7736207543', '40702810638000005678', '044525225', '30101810400000000225', 'ПАО Сбербанк']) assert.ok(text.includes(s), `${s} in ${text}`);
  await page.click('[data-testid=invoice-link]');
  await page.waitForSelector('[data-testid=invoice-title]');
  assert.match(await page.textContent('[data-testid=invoice-title]'), /Счёт на оплату № ЗК-7/);
  assert.match(await page.textContent('[data-testid=invoice-supplier]'), /«АгроЗапчасть Юг», ИНН 7736207543, КПП 231001001/);
  assert.ok((await page.textContent('[data-testid=payee]')).includes('40702810638000005678'));
  assert.ok((await page.textContent('[data-testid=invoice-lines]')).includes('AZ-700'));
  await page.screenshot({ path: join(shots, 'orders-invoice.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
