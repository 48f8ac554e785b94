// A real browser (Debian chromium via playwright-core) signs in and sees the shell.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, shots } from '../lib/browser.mjs';
import { PORTAL, freshCompany } from '../lib/portal.mjs';

// playwright gives every launch a fresh temporary profile of its own.
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page, email, password) {
  await page.goto(`${PORTAL}/`);
  await page.waitForURL(/\/sign-in/);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

test('signs in and sees the shell with the company name; signs out', async () => {
  const co = await freshCompany([['admin', 'buyer']]);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A 401 before signing in is the expected way the shell learns it must sign in; anything
  // else logged as an error (a script error, a missing file) fails the test.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(m.text()); });
  await signIn(page, co.users[0].email, co.users[0].password);
  await page.waitForSelector('[data-testid=company-name]:not(:empty)');
  assert.equal(await page.textContent('[data-testid=company-name]'), `Компания ${co.id}`);
  for (const section of ['Заказы', 'Финансы', 'Документы', 'Возвраты', 'Компания']) {
    assert.ok(await page.isVisible(`#nav >> text=${section}`), section);
  }
  await page.waitForSelector('main table');
  assert.match(await page.textContent('main'), /7707083893/);
  assert.match(await page.textContent('main'), /50\s000\s000,01\s₽/, 'money in Russian format');
  await page.screenshot({ path: join(shots, 'shell-desktop.png'), fullPage: true });
  // The employees list (admin) and the English switch.
  await page.click('#nav >> text=Компания');
  await page.waitForSelector('main h2:has-text("Сотрудники")');
  await page.click('#lang-switch');
  await page.waitForSelector('#nav >> text=Orders');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.click('#lang-switch');
  await page.click('#sign-out');
  await page.waitForURL(/\/sign-in/);
  assert.deepEqual(errors, []);
});

test('a wrong password shows the problem in Russian; works on a phone-sized screen', async () => {
  const co = await freshCompany([['accountant']]);
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await signIn(page, co.users[0].email, 'Wrong-password-1');
  await page.waitForSelector('#form-error:not([hidden])');
  assert.equal(await page.textContent('#form-error'), 'Неверный e-mail или пароль.');
  await page.fill('input[name=password]', co.users[0].password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=company-name]:not(:empty)');
  assert.equal(await page.isVisible('#nav'), false, 'the menu is folded on a phone');
  await page.click('#menu-toggle');
  assert.equal(await page.isVisible('#nav'), true);
  await page.screenshot({ path: join(shots, 'shell-phone.png'), fullPage: true });
  await ctx.close();
});

test('first access through the link page sets the password', async () => {
  const { companyMsg, userMsg, sendAndApply, linkToken, uid } = await import('../lib/portal.mjs');
  const c = uid('c');
  const email = `${c}@test.demo`;
  await sendAndApply([companyMsg(c, 1, 'Первый вход'), userMsg(`${c}-u`, 1, c, email, ['buyer'])]);
  const token = await linkToken(email);
  const page = await browser.newPage();
  await page.goto(`${PORTAL}/set-password#token=${token}`);
  await page.fill('input[name=password]', 'Fresh-password-42');
  await page.fill('input[name=repeat]', 'Fresh-password-42');
  await page.click('button[type=submit]');
  await page.waitForSelector('#form-done:not([hidden])');
  await signIn(page, email, 'Fresh-password-42');
  await page.waitForSelector('[data-testid=company-name]:not(:empty)');
  assert.equal(await page.textContent('[data-testid=company-name]'), 'Первый вход');
});

test('the profile page saves a change and shows it travelling to 1C', async () => {
  const co = await freshCompany([['buyer']]);
  const page = await browser.newPage();
  await signIn(page, co.users[0].email, co.users[0].password);
  await page.waitForSelector('[data-testid=company-name]:not(:empty)');
  await page.click('#user-name');
  await page.waitForSelector('#profile-form');
  await page.fill('input[name=phone]', 'не телефон');
  await page.click('#profile-form button[type=submit]');
  await page.waitForSelector('#profile-form .error:not([hidden])');
  assert.match(await page.textContent('#profile-form .error'), /Телефон/);
  await page.fill('input[name=phone]', '+7 (861) 555-12-34');
  await page.fill('input[name=position]', 'Главный агроном');
  await page.click('#profile-form button[type=submit]');
  // The other tests switch the simulated 1C between answers, so any state of the change is fine here.
  await page.waitForSelector('[data-testid=sync-state]');
  assert.equal(await page.inputValue('input[name=position]'), 'Главный агроном');
  assert.match(await page.textContent('[data-testid=sync-state]'), /1С/);
  await page.screenshot({ path: join(shots, 'profile.png'), fullPage: true });
});

test('the exchange monitor page opens with its key', async () => {
  const { MONITOR_TOKEN } = await import('../lib/portal.mjs');
  const page = await browser.newPage();
  await page.goto(`${PORTAL}/monitor`);
  await page.fill('input[name=key]', 'wrong');
  await page.click('#key-form button');
  await page.waitForSelector('#error:not([hidden])');
  await page.fill('input[name=key]', MONITOR_TOKEN);
  await page.click('#key-form button');
  await page.waitForSelector('#overview:not([hidden])');
  assert.match(await page.textContent('#inbound'), /company/);
  await page.screenshot({ path: join(shots, 'monitor.png'), fullPage: true });
});

test('the monitor asks 1C to resend a company', async () => {
  const { MONITOR_TOKEN, onecReceived, uid } = await import('../lib/portal.mjs');
  const company = uid('c-lost');
  const page = await browser.newPage();
  await page.goto(`${PORTAL}/monitor`);
  await page.fill('input[name=key]', MONITOR_TOKEN);
  await page.click('#key-form button');
  await page.waitForSelector('#overview:not([hidden])');
  await page.fill('#resync-form input[name=company_id]', company);
  await page.fill('#resync-form input[name=reason]', 'D1 restore');
  await page.click('#resync-form button');
  await page.waitForFunction(() => /out_/.test(document.querySelector('#resync-result').textContent));
  const deadline = Date.now() + 20000;
  let sent = [];
  while (!sent.length && Date.now() < deadline) {
    sent = (await onecReceived()).filter((ch) => ch.type === 'resync.requested' && ch.entity_id === company);
    if (!sent.length) await new Promise((r) => setTimeout(r, 250));
  }
  // One request, under one id. Delivery is at least once (the 1C contract, section 6.1): the queue
  // consumer and a sweeper running at that moment may both push it, and 1C answers a repeated
  // id as it did the first time.
  assert.equal(new Set(sent.map((ch) => ch.id)).size, 1, '1C got one request');
  assert.equal(sent[0].payload.reason, 'D1 restore');
  assert.match(await page.textContent('#resync-result'), new RegExp(sent[0].id));
});
