// Card payment in a real browser: the buyer opens an order 1C sent, presses Pay by card, lands on
// the simulator's YooKassa page, presses «Оплатить», comes back to the portal, sees the payment
// being confirmed and then the order paid; 1C receives order.paid_by_card.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, shots, signIn } from '../lib/browser.mjs';
import { Client, PORTAL, SIM, freshCompany, onecReceived } from '../lib/portal.mjs';
import { payableOrder, until } from '../lib/card.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a buyer pays an order by card on the acquirer\'s page and sees it paid; 1C is told', async () => {
  const co = await freshCompany([['buyer']]);
  const order = await payableOrder(co.id);
  const api = new Client();
  await api.signIn(co.users[0].email, co.users[0].password);
  const id = (await api.get(`/api/orders/orders?number=${encodeURIComponent(order.number)}`)).body.items[0].id;

  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, co.users[0], `#/orders/${id}`);
  // The payment choice: card, confirmed, goes to the acquirer's page.
  await page.waitForSelector('[data-testid=pay-option-card]');
  assert.match(await page.textContent('[data-testid=pay-figures-card]'), /1\s?250,00/);
  await page.check('[data-testid=pay-radio-card]');
  await page.click('#payment-choice-form button[type=submit]');
  await page.click('[data-testid=confirm-yes]');

  // The acquirer's hosted page (the simulator).
  await page.waitForURL(`${SIM}/yookassa/checkout/**`);
  assert.match(await page.textContent('#amount'), /1250\.00/);
  assert.match(await page.textContent('body'), /Смазка Литол-24 \(2\.5 кг\)/);
  await page.screenshot({ path: `${shots}/card-checkout.png` });
  await page.click('#pay');

  // Back on the portal: confirmed once the notification has landed.
  await page.waitForURL(new RegExp(`#/orders/${id}\\?card=return`));
  await page.waitForFunction(() => /Оплачено картой/.test(document.querySelector('[data-testid=card-state]')?.textContent ?? ''), null, { timeout: 20000 });
  assert.match(await page.textContent('main'), /Оплачено: 1\s?250,00/);
  assert.match(await page.textContent('main'), /картой/);
  assert.equal(await page.locator('[data-testid=pay-option-card]').count(), 0);
  await page.screenshot({ path: `${shots}/card-paid.png` });

  const change = await until(async () => (await onecReceived()).find((c) => c.type === 'order.paid_by_card' && c.entity_id === order.onecId), '1C got order.paid_by_card');
  assert.equal(change.payload.amount, 1250, 'rubles as a JSON number');
  assert.deepEqual(errors, []);
});
