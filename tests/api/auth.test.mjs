// Sign-in and sessions against the real stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany, linkToken, mailbox, sendAndApply, userMsg, uid, fakeIp } from '../lib/portal.mjs';

test('sign-in, me, sign-out; the old cookie is refused after sign-out', async () => {
  const co = await freshCompany([['admin', 'buyer']]);
  const u = co.users[0];
  const c = new Client();
  const r = await c.signIn(u.email, u.password);
  assert.equal(r.status, 200);
  const setCookies = r.headers.getSetCookie().join('\n');
  assert.match(setCookies, /__Host-portal_at=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict/);
  assert.match(setCookies, /portal_rt=[^;]+; Path=\/api\/auth; HttpOnly; Secure; SameSite=Strict/);
  const me = await c.get('/api/auth/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.company.name, `Компания ${co.id}`);
  assert.deepEqual(me.body.user.roles, ['admin', 'buyer']);
  const stolen = new Map(c.cookies);
  assert.equal((await c.post('/api/auth/sign-out')).status, 204);
  const replay = new Client();
  replay.cookies = stolen;
  const after = await replay.get('/api/auth/me');
  assert.equal(after.status, 401);
  assert.equal((await replay.post('/api/auth/refresh')).status, 401);
});

test('wrong password and unknown e-mail get the same answer', async () => {
  const co = await freshCompany([['buyer']]);
  const a = await new Client().signIn(co.users[0].email, 'Wrong-password-1');
  const b = await new Client().signIn(`${uid('ghost')}@nowhere.demo`, 'Wrong-password-1');
  assert.equal(a.status, 401);
  assert.deepEqual(a.body, b.body);
  assert.equal(a.body.code, 'invalid-credentials');
  assert.ok(a.body.title_ru && a.body.title_en);
});

test('forgot password: link through the mailbox, old password stops working, link works once', async () => {
  const co = await freshCompany([['accountant']]);
  const u = co.users[0];
  const before = (await mailbox(u.email)).length;
  const c = new Client();
  const signedIn = new Client();
  assert.equal((await signedIn.signIn(u.email, u.password)).status, 200);
  const r = await c.post('/api/auth/password-reset-requests', { email: u.email.toUpperCase() });
  assert.equal(r.status, 202);
  const token = await linkToken(u.email, { after: before });
  const mails = await mailbox(u.email);
  assert.match(mails.at(-1).subject, /пароля/);
  assert.equal((await c.post('/api/auth/password-resets', { token, password: 'short' })).body.field_errors[0].code, 'too-short');
  assert.equal((await c.post('/api/auth/password-resets', { token, password: 'Brand-new-pass-9' })).status, 204);
  assert.equal((await c.post('/api/auth/password-resets', { token, password: 'Brand-new-pass-10' })).body.code, 'link-invalid');
  assert.equal((await new Client().signIn(u.email, u.password)).status, 401);
  assert.equal((await new Client().signIn(u.email, 'Brand-new-pass-9')).status, 200);
  // Setting a password ends the sessions that knew the old one.
  assert.equal((await signedIn.get('/api/auth/me')).status, 401);
  // Unknown addresses get the same 202 and no mail.
  const ghost = `${uid('ghost')}@nowhere.demo`;
  assert.equal((await c.post('/api/auth/password-reset-requests', { email: ghost })).status, 202);
  assert.equal((await mailbox(ghost)).length, 0);
});

test('first-access link expires after 72 hours (clock set by the test)', async () => {
  const c = uid('c');
  const email = `${c}@test.demo`;
  const { companyMsg } = await import('../lib/portal.mjs');
  await sendAndApply([companyMsg(c, 1, 'Часы'), userMsg(`${c}-u`, 1, c, email, ['buyer'])]);
  const token = await linkToken(email);
  const later = new Date(Date.now() + 73 * 3600 * 1000).toISOString();
  const r = await new Client().post('/api/auth/password-resets', { token, password: 'Valid-password-1' }, { 'x-test-now': later });
  assert.equal(r.body.code, 'link-invalid');
  const ok = await new Client().post('/api/auth/password-resets', { token, password: 'Valid-password-1' });
  assert.equal(ok.status, 204);
});

test('a user deactivated in 1C is refused on the next request; a role change forces a refresh', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const c = new Client();
  await c.signIn(u.email, u.password);
  assert.equal((await c.get('/api/auth/me')).status, 200);
  await sendAndApply([userMsg(u.entity, 2, co.id, u.email, ['buyer', 'accountant'])]);
  const stale = await c.get('/api/auth/me');
  assert.equal(stale.status, 401);
  assert.equal(stale.body.code, 'session-expired');
  const refreshed = await c.post('/api/auth/refresh');
  assert.equal(refreshed.status, 200);
  assert.deepEqual(refreshed.body.roles, ['buyer', 'accountant']);
  assert.equal((await c.get('/api/auth/me')).status, 200);
  await sendAndApply([userMsg(u.entity, 3, co.id, u.email, ['buyer'], false)]);
  assert.equal((await c.get('/api/auth/me')).status, 401);
  assert.equal((await c.post('/api/auth/refresh')).status, 401);
  assert.equal((await new Client().signIn(u.email, u.password)).status, 401);
});

test('throttling per account and address: the limit locks that address out of the account; the owner elsewhere and other accounts still sign in', async () => {
  const co = await freshCompany([['buyer'], ['buyer']]);
  const [victim, other] = co.users;
  const max = Number(process.env.THROTTLE_ACCOUNT_MAX ?? 5);
  const x = fakeIp();
  for (let i = 0; i < max; i++) {
    assert.equal((await new Client({ ip: x }).signIn(victim.email, 'Wrong-password-1')).status, 401);
  }
  const locked = await new Client({ ip: x }).signIn(victim.email, victim.password);
  assert.equal(locked.status, 429);
  assert.equal(locked.body.code, 'too-many-attempts');
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  assert.equal((await new Client({ ip: x }).signIn(other.email, other.password)).status, 200);
  assert.equal((await new Client({ ip: fakeIp() }).signIn(victim.email, victim.password)).status, 200);
  // After the window (clock set by the test) the address signs in again.
  const later = new Date(Date.now() + 16 * 60 * 1000).toISOString();
  const r = await new Client({ ip: x }).post('/api/auth/sign-in', { email: victim.email, password: victim.password }, { 'x-test-now': later });
  assert.equal(r.status, 200);
});

test('throttling per IP: failures over many accounts lock the address, not the accounts', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const attacker = new Client({ ip: fakeIp() });
  const max = Number(process.env.THROTTLE_IP_MAX ?? 50);
  for (let i = 0; i < max; i++) {
    assert.equal((await attacker.signIn(`${uid('x')}@nowhere.demo`, 'Wrong-password-1')).status, 401);
  }
  assert.equal((await attacker.signIn(u.email, u.password)).status, 429, 'the address is locked, even for a right password');
  assert.equal((await new Client({ ip: fakeIp() }).signIn(u.email, u.password)).status, 200, 'the account is not');
});

test('cross-site state-changing requests are refused (CSRF)', async () => {
  const co = await freshCompany([['admin']]);
  const evil = new Client({ origin: 'https://evil.example' });
  const r = await evil.signIn(co.users[0].email, co.users[0].password);
  assert.equal(r.status, 403);
  assert.equal(r.body.code, 'csrf-origin-mismatch');
  const ok = new Client();
  await ok.signIn(co.users[0].email, co.users[0].password);
  ok.origin = 'https://evil.example';
  assert.equal((await ok.post('/api/auth/sign-out')).status, 403);
  const noOrigin = await ok.req('POST', '/api/auth/sign-out', undefined, { origin: '' });
  assert.equal(noOrigin.status, 403, 'a state change without Origin is refused too');
});
