// The company section in a real browser: legal entity details checked and proposed to 1C,
// an employee invited, signing in through the link, then removed and refused at once; the
// last-admin rule; the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, shots } from '../lib/browser.mjs';
import { Client, PORTAL, acceptPolicy, freshCompany, linkToken, uid } from '../lib/portal.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page, email, password) {
  await page.goto(`${PORTAL}/#/company`);
  await page.waitForURL(/\/sign-in/);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=company-name]:not(:empty)');
}

function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (401|409|422)/.test(m.text())) errors.push(m.text()); });
  return errors;
}

test('an admin proposes legal entity details: bad ones are named, good ones wait for 1C', async () => {
  const co = await freshCompany([['admin']]);
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await signIn(page, co.users[0].email, co.users[0].password);
  await page.waitForSelector('main h2:has-text("Юридические лица")');
  const form = 'form[id^=le-form-]';
  await page.click('details:has(form[id^=le-form-]) summary');
  await page.fill(`${form} input[name=inn]`, '7707083894');
  await page.fill(`${form} input[name=bank_bik]`, '044525225');
  await page.fill(`${form} input[name=bank_corr_account]`, '30101810400000000225');
  await page.fill(`${form} input[name=bank_account]`, '40702810938000001234');
  await page.click(`${form} button[type=submit]`);
  await page.waitForSelector(`${form} .error:not([hidden])`);
  const text = await page.textContent(`${form} .error`);
  assert.match(text, /ИНН указан неверно/);
  assert.match(text, /Расчётный счёт не сходится с БИК/);
  await page.fill(`${form} input[name=inn]`, '7707083893');
  await page.fill(`${form} input[name=bank_account]`, '40702819938000001234');
  await page.fill(`${form} input[name=phone]`, '+7 (861) 200-00-00');
  await page.click(`${form} button[type=submit]`);
  // Whatever 1C answers (other tests switch the simulated 1C), the proposal is shown as sent.
  await page.waitForSelector('[data-testid^=le-change-], [data-testid^=le-] >> text=+7 (861) 200-00-00');
  assert.match(await page.textContent('main'), /\+7 \(861\) 200-00-00/);
  await page.screenshot({ path: join(shots, 'company-details.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('an employee is invited, signs in through the link, is removed and refused at once', async () => {
  const co = await freshCompany([['admin']]);
  const admin = await browser.newPage();
  const errors = watchErrors(admin);
  await signIn(admin, co.users[0].email, co.users[0].password);
  await admin.waitForSelector('[data-testid=employees]');
  const email = `${uid('emp')}@test.demo`;
  await admin.click('details:has(#employee-form) summary');
  await admin.fill('#employee-form input[name=email]', email);
  await admin.fill('#employee-form input[name=full_name]', 'Новиков Николай');
  await admin.click('#employee-form button[type=submit]');
  await admin.waitForSelector(`[data-testid=employees] >> text=${email}`);
  assert.match(await admin.textContent('[data-testid=employees]'), /приглашён/);

  // The newcomer follows the link from the mail and signs in.
  const token = await linkToken(email);
  const ctx = await browser.newContext();
  const newcomer = await ctx.newPage();
  await newcomer.goto(`${PORTAL}/set-password#token=${token}`);
  await newcomer.fill('input[name=password]', 'Newcomer-pass-2026');
  await newcomer.fill('input[name=repeat]', 'Newcomer-pass-2026');
  await newcomer.click('button[type=submit]');
  await newcomer.waitForSelector('#form-done:not([hidden])');
  await acceptPolicy(email, 'Newcomer-pass-2026');
  await signIn(newcomer, email, 'Newcomer-pass-2026');

  // The admin removes them; their next request is refused and they land on the sign-in page.
  await admin.reload();
  await admin.waitForSelector(`[data-testid=employees] >> text=${email}`);
  admin.once('dialog', (d) => d.accept());
  await admin.click(`tr:has-text("${email}") [data-testid^=remove-]`);
  await admin.waitForSelector(`tr:has-text("${email}") >> text=отключён`);
  await newcomer.goto(`${PORTAL}/#/profile`);
  await newcomer.waitForURL(/\/sign-in/);

  // The last admin cannot remove themselves: the reason is shown.
  let message = '';
  admin.on('dialog', (d) => { message = d.message(); d.accept(); });
  await admin.click(`tr:has-text("${co.users[0].email}") [data-testid^=remove-]`);
  await admin.waitForFunction(() => true);
  for (let i = 0; i < 50 && !/администратор/.test(message); i++) await admin.waitForTimeout(100);
  assert.match(message, /хотя бы один администратор/);

  // The audit log lists both changes, newest first.
  await admin.reload();
  await admin.waitForSelector('[data-testid=audit]');
  const audit = await admin.textContent('[data-testid=audit]');
  assert.ok(audit.search(/отозван доступ/i) >= 0 && audit.search(/отозван доступ/i) < audit.search(/добавлен сотрудник/i), audit);
  await admin.screenshot({ path: join(shots, 'company-employees.png'), fullPage: true });
  await ctx.close();
  assert.deepEqual(errors, []);
});

test('an admin erases a removed employee\'s personal data on request (152-ФЗ)', async () => {
  const co = await freshCompany([['admin'], ['buyer']]);
  const api = new Client();
  assert.equal((await api.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const emp = (await api.get('/api/company/employees')).body.items.find((e) => e.email === co.users[1].email);
  assert.equal((await api.req('DELETE', `/api/company/employees/${emp.id}?version=${emp.version}`)).status, 204);

  const admin = await browser.newPage();
  const errors = watchErrors(admin);
  await signIn(admin, co.users[0].email, co.users[0].password);
  const row = `tr:has-text("${co.users[1].email}")`;
  await admin.waitForSelector(`${row} >> text=отключён`);
  // Only a removed employee can be erased: an active one has no such button.
  assert.equal(await admin.locator(`tr:has-text("${co.users[0].email}") [data-testid^=erase-]`).count(), 0);
  let message = '';
  admin.once('dialog', (d) => { message = d.message(); d.accept(); });
  await admin.click(`${row} [data-testid^=erase-]`);
  await admin.waitForSelector(`[data-testid=employees] >> text=данные стёрты`);
  assert.match(message, /Стереть персональные данные/);
  assert.doesNotMatch(await admin.textContent('[data-testid=employees]'), new RegExp(co.users[1].email));
  assert.equal(await admin.locator('[data-testid^=erase-]').count(), 0, 'an erased employee offers nothing more');
  assert.deepEqual(errors, []);
});
