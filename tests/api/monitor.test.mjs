// The exchange monitor over HTTP: its own credential, refused messages with reasons, replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PORTAL, MONITOR_TOKEN, batch, freshCompany, Client, onecPost, uid, waitApplied } from '../lib/portal.mjs';

const monitor = (method, path, body, token = MONITOR_TOKEN) => fetch(PORTAL + path, {
  method,
  headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
  body: body && JSON.stringify(body),
});

test('the monitor lists a refused message with its reason and replays it', async () => {
  const bad = { id: uid('m'), type: 'user', entity_id: uid('u'), seq: 1, payload: { company_id: 'nowhere', email: 'broken', full_name: 'X', roles: [] } };
  await onecPost('/exchange/v1/messages', batch([bad]));
  await waitApplied([bad.id]);
  assert.equal((await monitor('GET', '/exchange/v1/monitor', undefined, 'wrong-key')).status, 401);
  const co = await freshCompany([['admin']]);
  const admin = new Client();
  await admin.signIn(co.users[0].email, co.users[0].password);
  assert.equal((await admin.get('/exchange/v1/monitor')).status, 401, 'a client admin is not integration staff');
  const r = await monitor('GET', '/exchange/v1/monitor');
  assert.equal(r.status, 200);
  const m = await r.json();
  const problem = m.inbox_problems.find((x) => x.id === bad.id);
  assert.ok(problem, 'the refused message is listed');
  assert.match(problem.reason, /email/);
  assert.ok(m.inbound.some((t) => t.type === 'company' && t.count > 0));
  assert.equal((await monitor('POST', '/exchange/v1/monitor/replays', { direction: 'inbox', id: bad.id })).status, 204);
  const [st] = await waitApplied([bad.id]);
  assert.equal(st.status, 'rejected', 'still invalid: refused again');
  assert.equal((await monitor('POST', '/exchange/v1/monitor/replays', { direction: 'outbox', id: 'out_missing' })).status, 404);
});
