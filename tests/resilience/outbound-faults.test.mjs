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
  assert.ok(items.every((x) => x.change?.state === 'waiting'), JSON.stringify(items.map((x) => x.change)));
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
  assert.deepEqual([...new Set(seen.map((x) => x.payload.name))].sort(), Array.from({ length: N }, (_, i) => `Склад ${i}`).sort());

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

test('1C that takes changes but answers only after the portal stopped waiting: retried under the same id, accepted once', async () => {
  const M = 3;
  const co = await freshCompany([['admin']]);
  const c = new Client();
  assert.equal((await c.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const mine = async () => (await onecReceived()).filter((x) => JSON.stringify(x).includes(co.id));
  const consignees = async () => (await c.get('/api/company/consignees')).body.items;

  // The simulator's 1C records each change and answers 30 s later; the portal gives up after
  // OUTBOUND_TIMEOUT_SECS (5 s on the test stack).
  await onecAnswers('hang', undefined, co.id);
  for (let i = 0; i < M; i++) assert.equal((await c.post('/api/company/consignees', { name: `Склад медленный ${i}`, address: `Адрес ${i}` })).status, 201);
  const waitFor = async (what, ok, ms) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) if (await ok()) return;
    assert.fail(what);
  };
  await waitFor('1C received every change', async () => new Set((await mine()).map((x) => x.id)).size === M, 40000);
  const timeout = Number(process.env.OUTBOUND_TIMEOUT_SECS ?? 5);
  await new Promise((r) => setTimeout(r, (timeout + 1) * 1000));
  assert.ok((await consignees()).every((x) => x.change?.state === 'waiting'), 'no answer yet: still pending');

  // 1C answers again; the portal, retrying on its schedule, sends the same changes again.
  await onecAnswers('accept', undefined, co.id);
  let items;
  for (let hour = 1; hour < 12; hour++) {
    await sweep(new Date(Date.now() + hour * 3600e3));
    items = await consignees();
    if (items.every((x) => x.change === null)) break;
  }
  assert.ok(items.every((x) => x.change === null), `all accepted: ${JSON.stringify(items.map((x) => x.change))}`);
  const seen = await mine();
  assert.ok(seen.length > M, `the portal sent again after giving up (${seen.length} deliveries)`);
  assert.equal(new Set(seen.map((x) => x.id)).size, M, 'under the same ids: 1C applies each once');
  assert.equal(items.length, M);
  await onecAnswers('clear', undefined, co.id);
});
