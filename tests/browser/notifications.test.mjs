// Notifications in a real browser (issue 22): the link of a notification mail opens its page
// after signing in (the sign-in page keeps the target), and the profile's preferences work on a
// 390 px phone screen: labelled selects, no sideways scrolling, saving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, shots, signIn } from '../lib/browser.mjs';
import { Client, mailbox, sendAndApply, sweep, uid } from '../lib/portal.mjs';
import { order, orderId, simCompany, simSend, until } from '../lib/sim.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PASSWORD = 'Test-password-2026';

test('a mail\'s link opens the order after signing in', async () => {
  const co = await simCompany([['buyer']]);
  const c = co.id;
  const [buyer] = co.users;
  await simSend([order(c, 1, { status: 'shipped', lines: [[1, 1, 100]], extra: { author_email: buyer.email } })]);
  const id = await orderId(co.clients[0], c, 1);
  const today = new Date(Date.now() + 3 * 3600e3).toISOString().slice(0, 10);
  await sendAndApply([{ id: uid('m'), type: 'document', entity_id: `${c}-d1`, seq: 1, payload: { company_id: c, legal_entity_id: `${c}-le`,
    kind: 'invoice', kind_name: 'Счет на оплату', number: 'СЧ-5', date: `${today}T08:00:00`, amount: 100, vat: 16.67, orders: [`${c}-o1`], files: [], lines: [] } }]);
  const mail = await until(async () => {
    const m = (await mailbox(buyer.email)).find((x) => x.html);
    if (!m) await sweep();
    return m;
  }, 'the notification');
  const link = /^Открыть в личном кабинете: (\S+)$/m.exec(mail.text)[1];
  const page = await browser.newPage();
  await signIn(page, { email: buyer.email, password: PASSWORD }, link.slice(link.indexOf('#/')));
  await page.waitForURL((u) => u.hash === `#/orders/${id}`);
  await page.waitForSelector(`main h1:has-text("ЗК-${c.slice(-4)}-1")`);
  await page.close();
});

test('the preferences on a 390 px screen: labelled, no sideways scrolling, saved', async () => {
  const co = await simCompany([['accountant', 'admin']]);
  const [user] = co.users;
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, { email: user.email, password: PASSWORD }, '#/profile');
  await page.waitForSelector('#notifications-form select');
  const unlabelled = await page.$$eval('#notifications-form select', (all) => all.filter((s) => !s.labels?.length || !s.labels[0].textContent.trim()).length);
  assert.equal(unlabelled, 0, 'every select has its label');
  assert.equal(await page.$$eval('#notifications-form select', (all) => all.length), 8, 'an accountant-admin can get every event');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling at 390 px');
  await page.getByLabel('Кредит заблокирован или разблокирован').selectOption('digest');
  await page.getByLabel('Поступил документ по заказу').selectOption('mail');
  await page.click('#notifications-form button[type=submit]');
  await page.waitForSelector('[data-testid=notifications-saved]:not([hidden])');
  await page.screenshot({ path: join(shots, 'notifications-phone.png'), fullPage: true });
  const api = new Client();
  assert.equal((await api.signIn(user.email, PASSWORD)).status, 200);
  const events = Object.fromEntries((await api.get('/api/auth/notifications')).body.events.map((e) => [e.event, [e.choice, e.chosen]]));
  assert.deepEqual(events.credit_changed, ['digest', true]);
  assert.deepEqual(events.document_arrived, ['mail', true]);
  // Reloaded, the page shows what was saved.
  await page.reload();
  await page.waitForSelector('#notifications-form select');
  assert.equal(await page.getByLabel('Кредит заблокирован или разблокирован').inputValue(), 'digest');
  await ctx.close();
  assert.deepEqual(errors, []);
});
