// The finance section in a real browser: a blocked credit line with the amount to pay and the
// overdue entry behind it, the schedule with the overdue stage highlighted, and paying an order
// from the internal account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, shots } from '../lib/browser.mjs';
import { PORTAL, freshCompany, sendAndApply, uid } from '../lib/portal.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function order(company, id, total, status, method) {
  return { id: uid('m'), type: 'order', entity_id: id, seq: 1, payload: {
    company_id: company, legal_entity_id: `${company}-le`, agreement_id: `${company}-ag`, number: `ЗК-${id.slice(-6)}`, date: '2026-10-01T10:00:00',
    status, payment_method: method, paid: 0, total, vat_total: 0,
    lines: [{ line_no: 1, article: 'A-1', name: 'Подшипник', quantity: 1, unit: 'шт', price: total, amount: total, vat: 0 }] } };
}

test('blocked credit, the overdue stage and a payment from the internal account', async () => {
  const co = await freshCompany([['accountant']]);
  const c = co.id;
  // Due dates relative to today in Moscow (the portal counts days to a due date there), so the
  // real clock sees one overdue by 5 days at any hour, 21:00-24:00 UTC included.
  const day = (d) => new Date(Date.now() + 3 * 3600e3 + d * 86400000).toISOString().slice(0, 10);
  await sendAndApply([order(c, `${c}-o1`, 1500, 'shipped', 'credit'), order(c, `${c}-o2`, 400, 'awaiting_payment', 'invoice')]);
  await sendAndApply([
    { id: uid('m'), type: 'credit_state', entity_id: `${c}-ag`, seq: 1, payload: { company_id: c, agreement_id: `${c}-ag`, as_of: '2026-11-26T08:00:00',
      limit: 5000, debt: 1500, overdue_debt: 1500, reserve: 0, reserve_orders: [], blocked: true, amount_to_pay: 1500 } },
    { id: uid('m'), type: 'payment_schedule', entity_id: `${c}-o1`, seq: 1, payload: { company_id: c, order_id: `${c}-o1`, agreement_id: `${c}-ag`,
      stages: [{ due_date: day(-5), amount: 1500, paid: 0 }] } },
    { id: uid('m'), type: 'account_movement', entity_id: `${c}-mv`, seq: 1, payload: { company_id: c, date: '2026-11-01T10:00:00', kind: 'refund', amount: 1000 } },
  ]);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${PORTAL}/#/finance`);
  await page.waitForURL(/\/sign-in/);
  await page.fill('input[name=email]', co.users[0].email);
  await page.fill('input[name=password]', co.users[0].password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=credit-blocked]');
  assert.match(await page.textContent('[data-testid=credit-blocked]'), /1\s500,00\s₽/);
  assert.match(await page.textContent('[data-testid=overdue]'), /-5 \(просрочено\)/);
  assert.equal(await page.locator('[data-testid=schedule] .overdue').count(), 1);
  assert.match(await page.textContent('[data-testid=account-balance]'), /Остаток: 1\s000,00\s₽/);
  await page.screenshot({ path: join(shots, 'finance.png'), fullPage: true });
  // Pay the 400 ₽ order from the account: held at once.
  await page.selectOption('#pay-form select', { label: new RegExp(`ЗК-${`${c}-o2`.slice(-6)}`) }).catch(async () => {
    const options = await page.locator('#pay-form option').allTextContents();
    const idx = options.findIndex((o) => o.includes(`ЗК-${`${c}-o2`.slice(-6)}`));
    await page.selectOption('#pay-form select', { index: idx });
  });
  assert.match(await page.textContent('[data-testid=pay-figure]'), /Останется на счёте: 600,00\s₽/);
  await page.click('#pay-form button[type=submit]');
  // The confirmation says what is paid and what is left.
  assert.match(await page.textContent('[data-testid=confirm-facts]'), /400,00\s₽[\s\S]*600,00\s₽/);
  await page.click('[data-testid=confirm-yes]');
  await page.waitForSelector('[data-testid=holds]');
  assert.match(await page.textContent('[data-testid=account-balance]'), /Доступно: 600,00\s₽/);
  assert.deepEqual(errors, []);
});
