// 152-ФЗ over HTTP (#24, docs/personal-data.md): consent recorded per policy version without
// blocking other routes, the user's own data exported (theirs only, no tokens), a removed
// employee erased (sign-in and sessions dead, orders kept by id), and the sweeper's purge counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany, sweep } from '../lib/portal.mjs';

async function signedIn(user) {
  const c = new Client();
  assert.equal((await c.signIn(user.email, user.password)).status, 200);
  return c;
}

test('consent: asked until the current version is accepted, once, and nothing else is blocked', async () => {
  const co = await freshCompany([['admin']], undefined, { consent: false });
  const c = await signedIn(co.users[0]);
  const me = (await c.get('/api/auth/me')).body;
  assert.equal(me.consent_required, true);
  assert.equal(typeof me.privacy_policy_version, 'string');
  // The API blocks nothing without consent.
  assert.equal((await c.get('/api/company/company')).status, 200);

  const stale = await c.post('/api/auth/consent', { version: `${me.privacy_policy_version}-old` });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.code, 'policy-version-changed');
  const ok = await c.post('/api/auth/consent', { version: me.privacy_policy_version });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.consent_required, false);
  const again = await c.post('/api/auth/consent', { version: me.privacy_policy_version });
  assert.equal(again.status, 200);
  assert.equal(again.body.consent.accepted_at, ok.body.consent.accepted_at);
  assert.equal((await c.get('/api/auth/me')).body.consent_required, false);
  // Another session of the same user is not asked again.
  assert.equal((await (await signedIn(co.users[0])).get('/api/auth/me')).body.consent_required, false);
});

test("export: the signed-in user's own data only, as a download, without tokens", async () => {
  const co = await freshCompany([['admin'], ['buyer']]);
  const other = await freshCompany([['admin']]);
  const buyer = await signedIn(co.users[1]);
  await signedIn(other.users[0]);
  const r = await buyer.get('/api/auth/me/data');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-disposition'), /^attachment/);
  assert.equal(r.body.profile.email, co.users[1].email);
  assert.ok(r.body.sessions.length >= 1);
  for (const s of r.body.sessions) assert.deepEqual(Object.keys(s).sort(), ['created_at', 'expires_at', 'id', 'last_used_at', 'revoked_at']);
  for (const v of buyer.cookies.values()) assert.ok(!r.text.includes(v), 'a cookie value in the export');
  assert.ok(!r.text.includes(co.users[0].email) && !r.text.includes(other.users[0].email), 'someone else in the export');
  assert.equal((await new Client().get('/api/auth/me/data')).status, 401);
});

test('erasure: a removed employee is anonymised, signed out everywhere, refused at sign-in', async () => {
  const co = await freshCompany([['admin'], ['buyer']]);
  const admin = await signedIn(co.users[0]);
  const buyer = await signedIn(co.users[1]);
  const emp = (await admin.get('/api/company/employees')).body.items.find((e) => e.email === co.users[1].email);
  const erase = (v) => admin.post(`/api/company/employees/${emp.id}/erasure?version=${v}`);

  assert.equal((await buyer.post(`/api/company/employees/${emp.id}/erasure?version=${emp.version}`)).status, 403);
  const active = await erase(emp.version);
  assert.equal(active.status, 409);
  assert.equal(active.body.code, 'remove-first');
  assert.equal((await admin.req('DELETE', `/api/company/employees/${emp.id}?version=${emp.version}`)).status, 204);
  const removed = (await admin.get(`/api/company/employees/${emp.id}`)).body;
  assert.equal((await erase(removed.version)).status, 204);
  assert.equal((await erase(removed.version)).status, 204, 'repeating is harmless');

  const after = (await admin.get(`/api/company/employees/${emp.id}`)).body;
  assert.notEqual(after.email, co.users[1].email);
  assert.match(after.email, /@erased\.invalid$/);
  assert.equal(after.phone ?? null, null);
  assert.notEqual(after.full_name, removed.full_name);
  assert.equal(removed.status, 'deactivated');
  assert.equal(after.status, 'erased', 'the list tells an erased employee from a removed one (the page offers erasure only to the latter)');
  assert.equal((await buyer.get('/api/auth/me')).status, 401);
  assert.equal((await new Client().signIn(co.users[1].email, co.users[1].password)).status, 401);
  // The erased employee's name is gone from the admin's audit view too.
  const audit = await admin.get('/api/company/audit');
  assert.ok(!audit.text.includes(co.users[1].email), 'the e-mail is still in the audit log');
});

test('the sweeper reports its personal-data purge', async () => {
  const r = await sweep();
  assert.deepEqual(Object.keys(r.personal_data_purged).sort(), ['audit_entries', 'mails', 'sessions']);
  for (const v of Object.values(r.personal_data_purged)) assert.equal(typeof v, 'number');
});
