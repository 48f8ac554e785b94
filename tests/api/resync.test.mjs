// Issue 16, full resync on a real stack: a company 1C holds (the simulator's model) is in the
// portal with its users, orders, credit position and documents with files; its rows are then
// deleted from the local D1 behind the portal's back, as a D1 restore to an earlier moment would
// lose them (tests/lib/d1.mjs). 1C's manifest then reports them missing; the exchange monitor
// asks 1C to resend the company (`resync.requested`, once per Idempotency-Key); the simulated 1C
// resends everything it holds of it, and the company's users (invited again: their passwords
// were only in the lost rows) see the same orders, credit and documents as before.
//
// A stack of its own (ports 8855/8856, RESYNC_PORTAL_PORT / RESYNC_SIM_PORT): writing to D1 from
// a second process while other test files use the shared stack would make their requests fail
// with SQLITE_BUSY. scripts/test.sh runs such files after the shared ones, one at a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { changeChecker } from '../lib/change-schemas.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.RESYNC_PORTAL_PORT ?? 8855);
const SIM_PORT = Number(process.env.RESYNC_SIM_PORT ?? 8856);
process.env.PORTAL_URL = `http://127.0.0.1:${PORT}`;
process.env.SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
const root = fileURLToPath(new URL('../..', import.meta.url));
const state = mkdtempSync(join(tmpdir(), 'portal-resync-'));
const stack = (...args) => execFileSync('bash', [`${root}/scripts/stack.sh`, ...args], { cwd: root, stdio: 'inherit' });

// Imported after the URLs are set: the helpers read them once.
const { Client, MONITOR_TOKEN, PORTAL, SIM, linkToken, mailbox, onecPost, onecReceived, uid } = await import('../lib/portal.mjs');
const { documentMsg, pdfFile } = await import('../lib/documents.mjs');
const { credit, order, product, simCompany, simSend, until } = await import('../lib/sim.mjs');
const { loseCompany } = await import('../lib/d1.mjs');

before(() => stack('start', state, String(PORT), String(SIM_PORT)));
after(() => {
  stack('stop', state);
  rmSync(state, { recursive: true, force: true });
});

const { check: checkChange } = changeChecker();

const PASSWORD = 'Test-password-2026';

async function download(client, path) {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(PORTAL + path, { headers: { cookie, 'cf-connecting-ip': client.ip } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** What the company's buyer and accountant see, without the portal's own ids (new after a resync). */
async function view(buyer, accountant) {
  const orders = (await buyer.get('/api/orders/orders')).body.items
    .map((o) => [o.number, o.status, o.total_kop, o.payment_method]).sort();
  const c = (await accountant.get('/api/finance/credit')).body;
  const creditView = c.agreements.map((a) => [a.limit_kop, a.debt_kop, a.reserve_kop, a.available_kop]);
  const docs = (await accountant.get('/api/documents/documents')).body.items;
  const files = [];
  for (const d of docs) {
    for (const f of d.files) {
      const r = await download(accountant, `/api/documents/files/${f.id}`);
      files.push([d.number, f.name, r.status, r.bytes.toString('latin1')]);
    }
  }
  return { orders, credit: creditView, documents: docs.map((d) => [d.kind, d.number, d.amount_kop]).sort(), files: files.sort() };
}

const manifest = (body) => onecPost('/exchange/v1/manifest', body);

async function resync(body, key) {
  const res = await fetch(`${PORTAL}/exchange/v1/monitor/resyncs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MONITOR_TOKEN}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null), headers: res.headers };
}

test('a company lost from D1 comes back whole after the monitor asks 1C to resend it', async () => {
  const co = await simCompany([['buyer'], ['accountant']], PASSWORD);
  const c = co.id;
  const [buyer, accountant] = co.clients;
  await simSend([product(c, 1, 100), product(c, 2, 250)]);
  await simSend([
    order(c, 1, { status: 'reserved', method: 'credit', lines: [[1, 3, 100]] }),
    order(c, 2, { status: 'shipped', lines: [[2, 2, 250]] }),
    credit(c, { limit: 100000, debt: 500, reserve: 300, orders: [`${c}-o1`] }),
  ]);
  const file = await pdfFile(`УПД № ${c} от 20.11.2026.pdf`, `УПД-${c}`);
  await simSend([documentMsg(c, `${c}-d1`, { number: `УПД-${c.slice(-4)}`, date: '2026-11-20T10:00:00', amount: 500, orders: [`${c}-o2`], files: [file] })]);
  const before = await view(buyer, accountant);
  assert.equal(before.orders.length, 2);
  assert.deepEqual(before.credit, [[10000000, 50000, 30000, 10000000 - 50000 - 30000]]);
  assert.equal(before.documents.length, 1);
  assert.equal(before.files[0][2], 200);

  // Lost: everything of the company, its sequence numbers included (products stay).
  await loseCompany(state, c);
  assert.equal((await buyer.get('/api/orders/orders')).status, 401, 'the sessions went with the rows');
  const ids = { order: [`${c}-o1`, `${c}-o2`], user: co.users.map((u) => u.entity), company: [c], credit_state: [`${c}-ag`], document: [`${c}-d1`] };
  for (const [type, list] of Object.entries(ids)) {
    const r = await manifest({ entity_type: type, company_id: c, complete: true, items: list.map((id) => ({ id, seq: 1 })) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([...r.body.missing].sort(), [...list].sort(), type);
    assert.deepEqual(r.body.unknown, [], type);
  }
  // The simulator's own manifest (1C's model, paged) sees the same.
  const simManifest = await (await fetch(`${SIM}/control/manifest`, { method: 'POST', body: JSON.stringify({ entity_type: 'order', company_id: c }) })).json();
  assert.deepEqual([...simManifest.missing].sort(), ids.order);

  // The monitor asks 1C to resend the company; a repeat under the same key is the same request.
  const mailsBefore = await Promise.all(co.users.map(async (u) => (await mailbox(u.email)).length));
  const key = uid('resync');
  const asked = await resync({ company_id: c, reason: 'D1 restore' }, key);
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const again = await resync({ company_id: c, reason: 'D1 restore' }, key);
  assert.equal(again.status, 201);
  assert.deepEqual(again.body, asked.body);
  assert.equal(again.headers.get('idempotency-replayed'), 'true');
  const sent = await until(async () => {
    const got = (await onecReceived()).filter((ch) => ch.type === 'resync.requested' && ch.entity_id === c);
    return got.length ? got : null;
  }, '1C received the request');
  assert.equal(new Set(sent.map((ch) => ch.id)).size, 1, 'one change for the repeated request');
  assert.deepEqual(sent[0].payload.company_id, c);
  assert.ok(sent[0].payload.entity_types.includes('document'));
  assert.deepEqual(checkChange(sent[0]), [], 'the change against its schema');

  // 1C resends: nothing is missing any more.
  await until(async () => {
    for (const [type, list] of Object.entries(ids)) {
      const r = await manifest({ entity_type: type, company_id: c, complete: true, items: list.map((id) => ({ id, seq: 1 })) });
      if (r.status !== 200 || r.body.missing.length || r.body.unknown.length) return false;
    }
    return true;
  }, 'the resend applied');

  // The users are back (invited again: the passwords were only in the lost rows) and see what they saw.
  const clients = [];
  for (const [i, u] of co.users.entries()) {
    const token = await linkToken(u.email, { after: mailsBefore[i] });
    const r = await new Client().post('/api/auth/password-resets', { token, password: PASSWORD });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    const client = new Client();
    assert.equal((await client.signIn(u.email, PASSWORD)).status, 200);
    clients.push(client);
  }
  const after = await view(clients[0], clients[1]);
  assert.deepEqual(after, before);

  // The monitor: 1C accepted it; nothing is left overdue or refused for it.
  const m = await (await fetch(`${PORTAL}/exchange/v1/monitor`, { headers: { authorization: `Bearer ${MONITOR_TOKEN}` } })).json();
  assert.ok(m.outbound.some((t) => t.type === 'resync.requested'));
  assert.ok(!m.outbox_problems.some((p) => p.id === asked.body.id));
});

test('the monitor\'s resync request is protected, closed and checked', async () => {
  const noToken = await fetch(`${PORTAL}/exchange/v1/monitor/resyncs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"company_id":"x"}' });
  assert.equal(noToken.status, 401);
  const unknown = await resync({ company_id: uid('c'), entity_type: ['order'] });
  assert.equal(unknown.status, 422);
  assert.deepEqual(unknown.body.field_errors.map((e) => `${e.field}:${e.code}`), ['entity_type:unknown-field']);
  const key = uid('k');
  assert.equal((await resync({ company_id: uid('c') }, key)).status, 201);
  const reused = await resync({ company_id: uid('c') }, key);
  assert.equal(reused.status, 422, 'the key was for another company');
  assert.equal(reused.body.code, 'idempotency-key-reused');
});

test('the manifest is closed, bounded and signed', async () => {
  assert.equal((await fetch(`${PORTAL}/exchange/v1/manifest`, { method: 'POST', body: '{}' })).status, 401);
  const r = await manifest({ entity_type: 'order', items: [], complet: true });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.field_errors.map((e) => `${e.field}:${e.code}`), ['complet:unknown-field']);
  const many = Array.from({ length: 1001 }, (_, i) => ({ id: `x${i}`, seq: 1 }));
  assert.equal((await manifest({ entity_type: 'order', items: many })).status, 422);
  const fine = await manifest({ entity_type: 'order', items: many.slice(0, 1000) });
  assert.equal(fine.status, 200);
  assert.equal(fine.body.missing.length, 1000);
});
