// The home page per role: the credit figures are the API's (available for everyone, used and
// overdue for the money roles), the blocked notice names the amount to pay and the ways to pay,
// orders waiting for payment are listed, the internal account's balance shows for money roles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn } from '../lib/browser.mjs';
import { Client, freshCompany, sendAndApply, uid } from '../lib/portal.mjs';
import { creditMsg, orderMsg, productMsg } from '../lib/orders.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const rub = (kop) => new Intl.NumberFormat('ru-RU', { style: 'currency', currency: 'RUB', minimumFractionDigits: 2 }).format(kop / 100);
const norm = (s) => s.replace(/\s/g, ' ');

async function home(user, width) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await ctx.newPage();
  await signIn(page, user, '#/');
  await page.waitForSelector('[data-testid=home-credit]');
  return { ctx, page };
}

test('the home page\'s credit is the API\'s, per role; orders awaiting payment are listed', async () => {
  const co = await freshCompany([['accountant'], ['buyer']]);
  const c = co.id;
  await sendAndApply([productMsg(c, 1, { price: 100 }), creditMsg(c, { limit: 500000, debt: 123456.78, reserve: 1000 })]);
  await sendAndApply([orderMsg(c, 1, { lines: [[1, 3, 100]] })]);
  for (const [user, width] of [[co.users[0], 1366], [co.users[1], 390]]) {
    const api = new Client();
    await api.signIn(user.email, user.password);
    const credit = (await api.get('/api/finance/credit')).body;
    const a = credit.agreements[0];
    const { ctx, page } = await home(user, width);
    assert.equal(norm(await page.textContent(`[data-testid="home-available-${a.agreement_id}"]`)), norm(rub(a.available_kop)), `${user.roles} available`);
    if (credit.view === 'full') {
      assert.equal(norm(await page.textContent(`[data-testid="home-used-${a.agreement_id}"]`)), norm(rub(a.debt_kop + a.reserve_kop)));
      assert.equal(norm(await page.textContent(`[data-testid="home-overdue-${a.agreement_id}"]`)), norm(rub(a.overdue_kop)));
      assert.match(norm(await page.textContent('[data-testid=home-balance]')), /₽/);
    } else {
      assert.equal(await page.locator('[data-testid=home-balance]').count(), 0, 'no account balance for a buyer');
    }
    assert.match(await page.textContent('[data-testid=home-todo]'), new RegExp(`ЗК-${c.slice(-4)}-1.*ожидает оплаты`));
    await ctx.close();
  }
});

test('blocked credit on the home page: the amount to pay and how to pay it', async () => {
  const co = await freshCompany([['accountant']]);
  const c = co.id;
  const blocked = creditMsg(c, { limit: 100000, debt: 150000, blocked: true });
  blocked.payload.overdue_debt = 50000;
  blocked.payload.amount_to_pay = 50000;
  await sendAndApply([blocked]);
  const api = new Client();
  await api.signIn(co.users[0].email, co.users[0].password);
  const credit = (await api.get('/api/finance/credit')).body;
  assert.equal(credit.totals.blocked, true);
  const { ctx, page } = await home(co.users[0], 390);
  const notice = norm(await page.textContent('[data-testid=home-blocked]'));
  assert.match(notice, new RegExp(norm(rub(credit.totals.amount_to_pay_kop)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.match(notice, /переводом|внутреннего счёта|картой/);
  assert.equal(norm(await page.textContent(`[data-testid="home-overdue-${credit.agreements[0].agreement_id}"]`)), norm(rub(credit.agreements[0].overdue_kop)));
  await ctx.close();
});
