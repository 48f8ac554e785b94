// Changes to 1C over real HTTP: the portal pushes to the simulated 1C, retries while it is down,
// delivers in order when it returns, and rolls back what 1C refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany, onecAnswers, onecReceived, sweep } from '../lib/portal.mjs';

async function signedIn() {
  const co = await freshCompany([['buyer']]);
  const c = new Client();
  assert.equal((await c.signIn(co.users[0].email, co.users[0].password)).status, 200);
  return { co, c };
}

async function me(c) {
  return (await c.get('/api/auth/me')).body.user;
}

async function waitState(c, state, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const u = await me(c);
    if (u.sync?.state === state) return u;
    if (Date.now() > deadline) throw new Error(`sync state stayed ${JSON.stringify(u.sync)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const edit = (c, full_name, version) => c.req('PATCH', '/api/auth/profile', { full_name, position: 'Инженер', phone: '+7 900 000-00-00', version });

test('a profile change reaches 1C at once and shows accepted', { concurrency: false }, async (t) => {
  await onecAnswers('accept');
  const { co, c } = await signedIn();
  const u = await me(c);
  const r = await edit(c, 'Новое Имя Отчество', u.version);
  assert.equal(r.status, 200);
  assert.equal(r.body.user.sync.state, 'waiting');
  await waitState(c, 'accepted');
  const got = (await onecReceived()).filter((x) => x.payload?.company_id === co.id);
  assert.equal(got.length, 1);
  assert.equal(got[0].type, 'employee.changed');
  assert.equal(got[0].payload.full_name, 'Новое Имя Отчество');
  assert.equal(got[0].base_version, u.version);
  const stale = await edit(c, 'Устаревшее', u.version);
  assert.equal(stale.status, 409);
  assert.equal(stale.body.current.full_name, 'Новое Имя Отчество');

  await t.test('while 1C fails, changes wait; when it returns they drain in order', async () => {
    // Only this company's changes fail: other tests' changes keep their answers.
    await onecAnswers('fail', undefined, co.id);
    const v = (await me(c)).version;
    assert.equal((await edit(c, 'Первое', v)).status, 200);
    assert.equal((await edit(c, 'Второе', v + 1)).status, 200);
    await new Promise((r) => setTimeout(r, 1500)); // the queue consumer tries and fails
    assert.equal((await me(c)).sync.state, 'waiting');
    await onecAnswers('accept', undefined, co.id);
    // The backoff holds the retry: the sweeper, run later by the test's clock, drains both. Other
    // tests sweep at their own later clocks, and a sweep of theirs while 1C was failing for us set
    // the next attempt after *their* clock: so sweep at later and later clocks (below the give-up
    // day) until the newest change is answered, as the cron would in time.
    for (const hours of [1, 1, 2, 4, 8, 16, 23]) {
      await sweep(new Date(Date.now() + hours * 3600 * 1000));
      if ((await me(c)).sync.state === 'accepted') break;
    }
    // Another test's sweep may have delivered them first: what counts is that both arrived, in
    // order, and the newest is accepted (not how many this test's sweeps delivered).
    assert.equal((await waitState(c, 'accepted')).sync.state, 'accepted');
    const names = (await onecReceived()).filter((x) => x.payload?.company_id === co.id).map((x) => x.payload.full_name);
    assert.ok(names.includes('Первое') && names.includes('Второе'), names.join(', '));
    assert.ok(names.lastIndexOf('Первое') < names.lastIndexOf('Второе'), names.join(', '));
  });

  await t.test('a change 1C refuses is rolled back with its reason', async () => {
    await onecAnswers('reject', 'ФИО меняет отдел кадров', co.id);
    const before = await me(c);
    assert.equal((await edit(c, 'Самозванец', before.version)).status, 200);
    const after = await waitState(c, 'rejected');
    assert.equal(after.full_name, before.full_name);
    assert.equal(after.sync.reason, 'ФИО меняет отдел кадров');
    await onecAnswers('clear', undefined, co.id);
  });
});
