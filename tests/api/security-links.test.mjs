// One-time links and what the database may hold (issue 13, item 9): the token a mail carries must
// never be written to D1 (the mail stores only an id the token is derived from with a Worker
// secret). The check reads every file of the stack's local D1 (STACK_STATE, the directory
// scripts/stack.sh persists to): the raw bytes of the database, its WAL and free pages, so no
// table, index or left-over page can hold the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client, companyMsg, freshCompany, linkToken, mailbox, sendAndApply, uid, userMsg } from '../lib/portal.mjs';

const STATE = process.env.STACK_STATE;

/** Every file of the local D1 (database, WAL, shared memory), read now. */
function d1Files() {
  assert.ok(STATE, 'STACK_STATE must name the stack\'s state directory (scripts/test.sh exports it)');
  const root = join(STATE, 'v3', 'd1');
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p); else out.push({ path: p, bytes: readFileSync(p) });
    }
  };
  walk(root);
  assert.ok(out.some((f) => f.path.endsWith('.sqlite')), `no D1 database under ${root}`);
  return out;
}

/** The D1 files that contain `text` (UTF-8). */
function filesWith(text) {
  const needle = Buffer.from(text, 'utf8');
  return d1Files().filter((f) => f.bytes.includes(needle)).map((f) => f.path);
}

/** The check can see what was just written: `known` (stored in a table) is found. */
function assertScanSees(known) {
  assert.notDeepEqual(filesWith(known), [], `the scan must find ${known}, which the database holds`);
}

function assertNotStored(token, what) {
  assert.match(token, /^[A-Za-z0-9_-]{40,}$/);
  assert.deepEqual(filesWith(token), [], `the ${what} token from the mail is in D1`);
}

test('#13.9 first-access links from 1C: the token is in no table of D1', async () => {
  const c = uid('c');
  const email = `${c}-first@test.demo`;
  await sendAndApply([companyMsg(c, 1, `Ссылки ${c}`), userMsg(`${c}-u`, 1, c, email, ['buyer'])]);
  const token = await linkToken(email);
  assertScanSees(email);
  assertNotStored(token, 'first-access');
  // The link still works, and using it stores nothing that gives the token away either.
  assert.equal((await new Client().post('/api/auth/password-resets', { token, password: 'Links-pass-2026' })).status, 204);
  assertNotStored(token, 'used first-access');
});

test('#13.9 an employee invited by an admin: the token is in no table of D1', async () => {
  const co = await freshCompany([['admin']]);
  const admin = new Client();
  assert.equal((await admin.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const email = `${co.id}-invited@test.demo`;
  const r = await admin.post('/api/company/employees', { email, full_name: 'Приглашённый Сотрудник', roles: ['buyer'] });
  assert.equal(r.status, 201);
  const token = await linkToken(email);
  assertScanSees(email);
  assertNotStored(token, 'invitation');
  const n = new Client();
  assert.equal((await n.post('/api/auth/password-resets', { token, password: 'Invited-pass-2026' })).status, 204);
  assert.equal((await n.signIn(email, 'Invited-pass-2026')).status, 200);
});

test('#13.9 password reset and e-mail change: the tokens are in no table of D1', async () => {
  const co = await freshCompany([['buyer']]);
  const u = co.users[0];
  const before = (await mailbox(u.email)).length;
  assert.equal((await new Client().post('/api/auth/password-reset-requests', { email: u.email })).status, 202);
  const reset = await linkToken(u.email, { after: before });
  assertNotStored(reset, 'reset');
  assert.equal((await new Client().post('/api/auth/password-resets', { token: reset, password: 'Reset-pass-2026' })).status, 204);

  const c = new Client();
  assert.equal((await c.signIn(u.email, 'Reset-pass-2026')).status, 200);
  const newEmail = `${co.id}-moved@test.demo`;
  const r = await c.post('/api/auth/email-changes', { new_email: newEmail, password: 'Reset-pass-2026' });
  assert.equal(r.status, 202);
  const confirm = await linkToken(newEmail);
  assertScanSees(newEmail);
  assertNotStored(confirm, 'e-mail change');
  assert.equal((await new Client().post('/api/auth/email-changes/confirmations', { token: confirm })).status, 200);
  assert.equal((await new Client().signIn(newEmail, 'Reset-pass-2026')).status, 200);
});
