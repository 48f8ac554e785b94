// Issue 13, sign-in and sessions: company deactivation, the sign-in throttle (races, lock-outs
// by strangers), password re-entry, refresh-token rotation. Against the real stack; each test
// has its own company and its own fake client addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, companyMsg, fakeIp, freshCompany, sendAndApply, uid } from '../lib/portal.mjs';

const PAIR_MAX = Number(process.env.THROTTLE_ACCOUNT_MAX ?? 5);

test('#13.2 a company deactivated by 1C: its sessions end at once and sign-in is refused; re-activation allows new sign-ins only', async () => {
  const co = await freshCompany([['admin'], ['buyer']]);
  const [a, b] = co.users;
  const ca = new Client();
  const cb = new Client();
  assert.equal((await ca.signIn(a.email, a.password)).status, 200);
  assert.equal((await cb.signIn(b.email, b.password)).status, 200);
  assert.equal((await ca.get('/api/auth/me')).status, 200);
  assert.equal((await cb.get('/api/company/company')).status, 200);

  await sendAndApply([companyMsg(co.id, 2, `Компания ${co.id}`, { active: false })]);
  assert.equal((await ca.get('/api/auth/me')).status, 401, 'the next request of a session is refused');
  assert.equal((await cb.get('/api/company/company')).status, 401);
  assert.equal((await ca.post('/api/auth/refresh')).status, 401, 'no refresh either');
  const denied = await new Client().signIn(a.email, a.password);
  assert.equal(denied.status, 401);
  assert.equal(denied.body.code, 'invalid-credentials', 'the same answer as a wrong password');

  await sendAndApply([companyMsg(co.id, 3, `Компания ${co.id}`)]);
  assert.equal((await ca.get('/api/auth/me')).status, 401, 'old sessions stay dead after re-activation');
  assert.equal((await ca.post('/api/auth/refresh')).status, 401);
  const fresh = new Client();
  assert.equal((await fresh.signIn(b.email, b.password)).status, 200, 'a new sign-in works');
  assert.equal((await fresh.get('/api/auth/me')).status, 200);
});

test('#13.5 parallel wrong passwords for one account: at most the limit reach the password check', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const ip = fakeIp();
  const n = 20;
  const answers = await Promise.all(Array.from({ length: n }, () => new Client({ ip }).signIn(u.email, 'Wrong-password-1')));
  const statuses = answers.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 401 || s === 429), `only 401 and 429: ${statuses}`);
  const evaluated = statuses.filter((s) => s === 401).length;
  assert.ok(evaluated <= PAIR_MAX, `${evaluated} of ${n} parallel attempts were evaluated (limit ${PAIR_MAX}): ${statuses}`);
  assert.equal(statuses.filter((s) => s === 429).length, n - evaluated);
});

test('#13.6 wrong passwords from one address lock that address out of the account, not the owner elsewhere; the answer gives the wait', async () => {
  const co = await freshCompany([['buyer'], ['buyer']]);
  const [victim, other] = co.users;
  const x = fakeIp();
  for (let i = 0; i < PAIR_MAX; i++) {
    assert.equal((await new Client({ ip: x }).signIn(victim.email, 'Wrong-password-1')).status, 401);
  }
  const locked = await new Client({ ip: x }).signIn(victim.email, victim.password);
  assert.equal(locked.status, 429, 'the address is locked out of this account, even with the right password');
  assert.equal(locked.body.code, 'too-many-attempts');
  const wait = Number(locked.headers.get('retry-after'));
  assert.ok(wait > 0 && wait <= 15 * 60, `Retry-After ${wait}`);
  assert.equal(locked.body.retry_after_seconds, wait);
  const minutes = Math.ceil(wait / 60);
  assert.match(locked.body.title_ru, new RegExp(`через ${minutes} мин`), locked.body.title_ru);
  assert.match(locked.body.title_en, new RegExp(`in ${minutes} min`), locked.body.title_en);
  // The owner, from another address, signs in; the attacker's address still works for others.
  assert.equal((await new Client({ ip: fakeIp() }).signIn(victim.email, victim.password)).status, 200);
  assert.equal((await new Client({ ip: x }).signIn(other.email, other.password)).status, 200);
});

test('#13.6 failures from many addresses: past the per-account limit each attempt waits a delay that grows', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const total = Number(process.env.THROTTLE_ACCOUNT_TOTAL_MAX ?? 100);
  for (let i = 0; i < total; i++) {
    assert.equal((await new Client({ ip: fakeIp() }).signIn(u.email, 'Wrong-password-1')).status, 401, `attempt ${i + 1} of ${total}`);
  }
  let r = await new Client({ ip: fakeIp() }).signIn(u.email, u.password);
  assert.equal(r.status, 429, 'past the per-account limit, from a new address too');
  let wait = Number(r.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 2, `the first delay is short: ${wait}`);
  // After each delay (clock set by the test) one attempt passes; a failure doubles the delay.
  let at = Date.now();
  const waits = [wait];
  for (let round = 0; round < 3; round++) {
    at += (wait + 1) * 1000;
    const now = { 'x-test-now': new Date(at).toISOString() };
    assert.equal((await new Client({ ip: fakeIp() }).post('/api/auth/sign-in', { email: u.email, password: 'Wrong-password-1' }, now)).status, 401);
    r = await new Client({ ip: fakeIp() }).post('/api/auth/sign-in', { email: u.email, password: u.password }, now);
    assert.equal(r.status, 429);
    wait = Number(r.headers.get('retry-after'));
    waits.push(wait);
  }
  for (let i = 1; i < waits.length; i++) assert.ok(waits[i] > waits[i - 1], `delays grow: ${waits}`);
  at += (wait + 1) * 1000;
  const ok = await new Client({ ip: fakeIp() }).post('/api/auth/sign-in', { email: u.email, password: u.password }, { 'x-test-now': new Date(at).toISOString() });
  assert.equal(ok.status, 200, 'the owner signs in once the delay has passed');
});

test('#13.7 re-entering the password on password change is throttled per user', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const c = new Client();
  assert.equal((await c.signIn(u.email, u.password)).status, 200);
  const change = (current, headers) => c.post('/api/auth/password-change', { current_password: current, new_password: 'Another-pass-2026' }, headers);
  const statuses = [];
  for (let i = 0; i < PAIR_MAX + 2; i++) statuses.push((await change('Wrong-password-1')).status);
  assert.deepEqual(statuses, [...Array(PAIR_MAX).fill(422), 429, 429]);
  const locked = await change(u.password);
  assert.equal(locked.status, 429, 'refused while locked, even with the right password');
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  // After the window (clock set by the test; a refresh gives an access token at that time).
  const later = { 'x-test-now': new Date(Date.now() + 16 * 60 * 1000).toISOString() };
  assert.equal((await c.post('/api/auth/refresh', undefined, later)).status, 200);
  assert.equal((await change(u.password, later)).status, 200);
});

test('#13.7 re-entering the password on e-mail change: parallel wrong passwords, at most the limit checked', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const c = new Client();
  assert.equal((await c.signIn(u.email, u.password)).status, 200);
  const n = 12;
  const answers = await Promise.all(Array.from({ length: n }, () => c.post('/api/auth/email-changes', { new_email: `${uid('new')}@test.demo`, password: 'Wrong-password-1' })));
  const statuses = answers.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 422 || s === 429), `${statuses}`);
  assert.ok(statuses.filter((s) => s === 422).length <= PAIR_MAX, `at most ${PAIR_MAX} checked: ${statuses}`);
  const locked = await c.post('/api/auth/email-changes', { new_email: `${uid('new')}@test.demo`, password: u.password });
  assert.equal(locked.status, 429);
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
});

function cookieOf(r, name) {
  return r.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
}

test('#13.8 the refresh cookie is __Secure- prefixed and the access token names its issuer and audience', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const c = new Client();
  const r = await c.signIn(u.email, u.password);
  assert.equal(r.status, 200);
  assert.match(cookieOf(r, '__Secure-portal_rt') ?? '', /^__Secure-portal_rt=[^;]+; Path=\/api\/auth; HttpOnly; Secure; SameSite=Strict/);
  assert.equal(cookieOf(r, 'portal_rt'), undefined, 'no unprefixed refresh cookie');
  const claims = JSON.parse(Buffer.from(c.cookies.get('__Host-portal_at').split('.')[1], 'base64url'));
  assert.equal(typeof claims.iss, 'string');
  assert.ok(claims.iss.length > 0);
  assert.equal(claims.aud, 'portal-api');
});

test('#13.8 refresh rotates the token; a replay within the grace gets no new token; a later replay revokes the session', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const c = new Client();
  assert.equal((await c.signIn(u.email, u.password)).status, 200);
  const name = [...c.cookies.keys()].find((k) => k.endsWith('portal_rt'));
  const first = c.cookies.get(name);
  const stolen = new Client();
  stolen.cookies = new Map(c.cookies);

  const r1 = await c.post('/api/auth/refresh');
  assert.equal(r1.status, 200);
  const second = c.cookies.get(name);
  assert.ok(cookieOf(r1, name), 'a refresh sets a new refresh cookie');
  assert.notEqual(second, first, 'the refresh token is rotated');

  // Another tab with the old token, at the same moment: an access token, no refresh token.
  const tab = new Client();
  tab.cookies = new Map(stolen.cookies);
  const r2 = await tab.post('/api/auth/refresh');
  assert.equal(r2.status, 200);
  assert.equal(cookieOf(r2, name), undefined, 'no new refresh token for a replay within the grace');
  assert.ok(cookieOf(r2, '__Host-portal_at'));

  // The old token replayed after the grace: reuse, the whole session ends.
  const late = { 'x-test-now': new Date(Date.now() + 11 * 1000).toISOString() };
  const r3 = await stolen.post('/api/auth/refresh', undefined, late);
  assert.equal(r3.status, 401);
  assert.equal((await c.post('/api/auth/refresh')).status, 401, 'the rotated token is revoked with the session');
  assert.equal((await c.get('/api/auth/me')).status, 401, 'and the access token too');
});

test('#13.8 two tabs refreshing at once both get an access token; one new refresh token', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const c = new Client();
  assert.equal((await c.signIn(u.email, u.password)).status, 200);
  const name = [...c.cookies.keys()].find((k) => k.endsWith('portal_rt'));
  const tabs = [new Client(), new Client()];
  for (const t of tabs) t.cookies = new Map(c.cookies);
  const rs = await Promise.all(tabs.map((t) => t.post('/api/auth/refresh')));
  assert.deepEqual(rs.map((r) => r.status), [200, 200]);
  const rotated = rs.filter((r) => cookieOf(r, name));
  assert.equal(rotated.length, 1, 'exactly one answer carries a new refresh token');
  const winner = tabs[rs.indexOf(rotated[0])];
  assert.equal((await winner.post('/api/auth/refresh')).status, 200, 'the new token refreshes');
});

test('#13.8 idle timeout: a session unused for longer than the idle limit cannot refresh', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const c = new Client();
  assert.equal((await c.signIn(u.email, u.password)).status, 200);
  const day = 24 * 3600 * 1000;
  const at = (days) => ({ 'x-test-now': new Date(Date.now() + days * day).toISOString() });
  assert.equal((await c.post('/api/auth/refresh', undefined, at(6))).status, 200, 'used within 7 days');
  assert.equal((await c.post('/api/auth/refresh', undefined, at(12))).status, 200, 'each refresh counts as use');
  const idle = await c.post('/api/auth/refresh', undefined, at(20));
  assert.equal(idle.status, 401, 'unused for 8 days');
  assert.equal(idle.body.code, 'session-expired');
});
