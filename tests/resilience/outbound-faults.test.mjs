// Changes to 1C survive 1C's faults and count exactly: while 1C answers 500, then its own HTML
// error page instead of JSON, twenty changes wait in the outbox; when 1C recovers, every one of
// them reaches it and is accepted exactly once in effect (1C may see a change more than once, by
// the same id, which is what makes repeats harmless), none is lost, and a late `answer` message
// that repeats 1C's verdict changes nothing. Runs on the shared test stack; the faults are scoped
// to this test's company.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany, onecAnswers, onecReceived, sendAndApply, sweep, uid } from '../lib/portal.mjs';

const N = 20;

test('twenty changes through 1C failing and answering garbage: all delivered, each accepted once', async () => {
  const co = await freshCompany([['admin']]);
  const c = new Client();
  assert.equal((await c.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const mine = async () => (await onecReceived()).filter((x) => JSON.stringify(x).includes(co.id));
  const consignees = async () => (await c.get('/api/company/consignees')).body.items;

  await onecAnswers('fail', undefined, co.id);
  for (let i = 0; i < N / 2; i++) assert.equal((await c.post('/api/company/consignees', { name: `Склад ${i}`, address: `Адрес ${i}` })).status, 201);
  await new Promise((r) => setTimeout(r, 1500)); // the queue consumer tries and fails
  await onecAnswers('garbage', undefined, co.id);
  for (let i = N / 2; i < N; i++) assert.equal((await c.post('/api/company/consignees', { name: `Склад ${i}`, address: `Адрес ${i}` })).status, 201);
  await new Promise((r) => setTimeout(r, 1500));
  // An hour later by the test's clock the backoff has passed; 1C still answers garbage.
  await sweep(new Date(Date.now() + 3600e3));
  let items = await consignees();
  assert.equal(items.length, N, 'every consignee is kept while 1C is down');
  assert.ok(items.every((x) => x.change?.state === 'pending'), JSON.stringify(items.map((x) => x.change)));
  const tried = await mine();
  assert.ok(tried.length >= N, `1C was tried for each change (${tried.length} attempts)`);

  // 1C recovers: sweeps (as the cron would) drain everything.
  await onecAnswers('accept', undefined, co.id);
  for (let hour = 2; hour < 12; hour++) {
    await sweep(new Date(Date.now() + hour * 3600e3));
    items = await consignees();
    if (items.every((x) => x.change === null)) break;
  }
  assert.ok(items.every((x) => x.change === null), `all accepted: ${JSON.stringify(items.map((x) => x.change))}`);
  const seen = await mine();
  const ids = new Set(seen.map((x) => x.id));
  assert.equal(ids.size, N, 'each change reached 1C under its one id, none lost, none invented');
  assert.deepEqual([...new Set(seen.map((x) => x.payload.details.name))].sort(), Array.from({ length: N }, (_, i) => `Склад ${i}`).sort());

  // A late `answer` from 1C repeating its verdict on one of them: applied once, the rest ignored.
  const audit = async () => (await c.get('/api/company/audit?kind=consignee.')).body.items;
  const before = await audit();
  const one = [...ids][0];
  const answers = await sendAndApply([
    { id: uid('m'), type: 'answer', entity_id: one, seq: Date.now(), payload: { change_id: one, status: 'rejected', reason: 'Запоздалый ответ' } },
  ]);
  assert.ok(answers);
  assert.deepEqual(await audit(), before, 'a decided change stays decided');
  assert.equal((await consignees()).length, N);
  await onecAnswers('clear', undefined, co.id);
});
