// One-time links and what the database may hold (issue 13, item 9): the token a mail carries must
// never be written to D1 (the mail stores only an id the token is derived from with a Worker
// secret). The check reads every file of the stack's local D1 (STACK_STATE, the directory
// scripts/stack.sh persists to): the raw bytes of the database, its WAL and free pages, so no
// table, index or left-over page can hold the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client, companyMsg, freshCompany, linkToken, mailbox, onecReceived, sendAndApply, uid, userMsg } from '../lib/portal.mjs';

const STATE = process.env.STACK_STATE;

/** Every file of the stack's database (database, WAL, shared memory), read now: the local D1
 * under `v3/d1` (Workers), or `portal.sqlite3*` (the self-hosted runtime). */
function d1Files() {
  assert.ok(STATE, 'STACK_STATE must name the stack\'s state directory (scripts/test.sh exports it)');
  const native = process.env.RUNTIME === 'native';
  const root = native ? STATE : join(STATE, 'v3', 'd1');
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (native && !name.startsWith('portal.sqlite3')) continue;
      if (statSync(p).isDirectory()) walk(p); else out.push({ path: p, bytes: readFileSync(p) });
    }
  };
  walk(root);
  assert.ok(out.some((f) => /\.sqlite3?$/.test(f.path)), `no database under ${root}`);
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

// User enumeration (issue 13, item 11): whether an address has an account anywhere in the portal
// must not show in the answer (status, body, time) of a reset request, an invitation or an
// e-mail change. Addresses containing `slow-mail` get a mail provider that answers after 3 s
// (the simulator), so an answer that waits for the mail shows.

async function mailsUntil(to, n, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await mailbox(to);
    if (mails.length >= n) return mails;
    if (Date.now() > deadline) throw new Error(`${to}: ${mails.length} mails, expected ${n}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function timed(f) {
  const t0 = Date.now();
  const r = await f();
  return { r, ms: Date.now() - t0 };
}

test('#13.11 a reset request answers the same, without waiting for the mail, with or without an account', async () => {
  const c = uid('c');
  const email = `${c}-slow-mail@test.demo`;
  await sendAndApply([companyMsg(c, 1, `Сброс ${c}`), userMsg(`${c}-u`, 1, c, email, ['buyer'])]);
  await mailsUntil(email, 1);
  const ghost = `${uid('ghost')}-slow-mail@nowhere.demo`;
  const known = await timed(() => new Client().post('/api/auth/password-reset-requests', { email }));
  const unknown = await timed(() => new Client().post('/api/auth/password-reset-requests', { email: ghost }));
  assert.equal(known.r.status, 202);
  assert.equal(unknown.r.status, known.r.status);
  assert.deepEqual(unknown.r.body, known.r.body);
  assert.equal(unknown.r.headers.get('content-type'), known.r.headers.get('content-type'));
  assert.ok(known.ms < 2000, `the answer for an existing account waited for the mail: ${known.ms} ms`);
  // The mail still goes out, after the answer; none to the unknown address.
  const mails = await mailsUntil(email, 2);
  assert.match(mails.at(-1).text, /#token=/);
  assert.equal((await mailbox(ghost)).length, 0);
});

test('#13.11 inviting an address of another company: answered like a new one, nothing stored, nothing to 1C, that address is told', async () => {
  const a = await freshCompany([['admin']]);
  const b = await freshCompany([['buyer']]);
  const admin = new Client();
  assert.equal((await admin.signIn(a.users[0].email, a.users[0].password)).status, 200);
  const nameNew = `Probe-${uid('n')}`;
  const nameForeign = `Probe-${uid('f')}`;
  const fresh = `${a.id}-fresh@test.demo`;
  const taken = b.users[0].email;
  const before = (await mailbox(taken)).length;
  const ok = await admin.post('/api/company/employees', { email: fresh, full_name: nameNew, roles: ['buyer'] });
  const foreign = await admin.post('/api/company/employees', { email: taken.toUpperCase(), full_name: nameForeign, roles: ['buyer'] });
  assert.equal(ok.status, 201);
  assert.equal(foreign.status, ok.status, JSON.stringify(foreign.body));
  assert.deepEqual(Object.keys(foreign.body).sort(), Object.keys(ok.body).sort());
  assert.equal(foreign.body.email, taken);
  assert.equal(foreign.body.status, ok.body.status);
  assert.match(foreign.body.id, /^usr_[a-z2-7]{26}$/);
  // Nothing stored: the name typed for the foreign address is in no table (no user, no change
  // for 1C, no audit row), while the real invitation's is.
  assertScanSees(nameNew);
  assert.deepEqual(filesWith(nameForeign), [], 'the refused invitation left data in D1');
  // 1C gets the real invitation (employee.added) and nothing for the other.
  const deadline = Date.now() + 15000;
  let changes;
  for (;;) {
    changes = JSON.stringify(await onecReceived());
    if (changes.includes(nameNew) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(changes.includes(nameNew), 'the real invitation reached 1C');
  assert.ok(!changes.includes(nameForeign), 'employee.added went to 1C for an address of another company');
  // The address's owner is told, without a link; their account is untouched.
  const mails = await mailsUntil(taken, before + 1);
  assert.doesNotMatch(mails.at(-1).text, /#token=/);
  assert.doesNotMatch(mails.at(-1).text, new RegExp(nameForeign));
  const owner = new Client();
  assert.equal((await owner.signIn(taken, b.users[0].password)).status, 200);
  assert.equal((await owner.get('/api/auth/me')).body.company.name, `Компания ${b.id}`);
  // The admin's own employees may still be named as taken: the admin sees them anyway.
  const dup = await admin.post('/api/company/employees', { email: fresh, full_name: 'Ещё раз', roles: ['buyer'] });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.code, 'email-taken');
});

test('#13.11 an e-mail change to an address in use elsewhere is answered like any other; that address is told, nothing changes', async () => {
  const a = await freshCompany([['buyer']]);
  const b = await freshCompany([['buyer']]);
  const u = a.users[0];
  const c = new Client();
  assert.equal((await c.signIn(u.email, u.password)).status, 200);
  const taken = b.users[0].email;
  const free = `${a.id}-free-slow-mail@test.demo`;
  const before = (await mailbox(taken)).length;
  const toTaken = await timed(() => c.post('/api/auth/email-changes', { new_email: taken, password: u.password }));
  const toFree = await timed(() => c.post('/api/auth/email-changes', { new_email: free, password: u.password }));
  assert.equal(toFree.r.status, 202);
  assert.equal(toTaken.r.status, toFree.r.status, JSON.stringify(toTaken.r.body));
  assert.deepEqual(Object.keys(toTaken.r.body).sort(), Object.keys(toFree.r.body).sort());
  assert.equal(toTaken.r.body.sent_to, taken);
  assert.ok(toFree.ms < 2000, `the answer waited for the mail: ${toFree.ms} ms`);
  // The taken address hears of it, with nothing to confirm; the free one gets its link.
  const mails = await mailsUntil(taken, before + 1);
  assert.doesNotMatch(mails.at(-1).text, /#token=/);
  await linkToken(free);
  assert.equal((await c.get('/api/auth/me')).body.user.email, u.email);
  const owner = new Client();
  assert.equal((await owner.signIn(taken, b.users[0].password)).status, 200);
});
