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
