// A restart of the local stack in the middle of an inbound burst loses nothing: messages are
// stored in D1 before the queue is woken, and the sweeper re-enqueues what the (in-memory) local
// queue forgot. This test runs its own stack, on its own ports and state.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { onecHeaders } from '../lib/portal.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const PORT = Number(process.env.RESTART_TEST_PORT ?? 8807);
const URL_ = `http://127.0.0.1:${PORT}`;
const state = mkdtempSync(join(tmpdir(), 'portal-restart-'));
const stack = (...args) => execFileSync('bash', [join(ROOT, 'scripts/stack.sh'), ...args], { stdio: 'inherit' });

after(() => {
  stack('stop', state);
  rmSync(state, { recursive: true, force: true });
});

async function post(path, payload, now = new Date()) {
  const body = JSON.stringify(payload);
  // A kept-alive connection from before the restart fails once; a fresh one then goes through
  // (signed anew: a nonce is taken once).
  for (let attempt = 1; ; attempt++) {
    const init = { method: 'POST', headers: { 'content-type': 'application/json', ...onecHeaders('POST', path, body), 'x-test-now': now.toISOString() }, body };
    try {
      const r = await fetch(URL_ + path, init);
      return { status: r.status, body: await r.json().catch(() => null) };
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

function product(i, run) {
  return { id: `${run}-p${i}`, type: 'product', entity_id: `${run}-p${i}`, seq: 1,
    payload: { article: `R-${i}`, name: `Деталь ${i}`, unit: 'шт', vat_rate: 20, prices: [{ price_type: { id: 'pt-opt', name: 'Оптовая' }, price: 100 + i / 100 }], stock: [{ warehouse: 'Краснодар', quantity: i % 50 }] } };
}

test('restart during an inbound burst: every stored message is applied after recovery', { timeout: 300000 }, async () => {
  stack('start', state, String(PORT), String(PORT + 1));
  const run = randomUUID().slice(0, 8);
  const total = 2000;
  const ids = [];
  for (let b = 0; b < total / 250; b++) {
    const msgs = Array.from({ length: 250 }, (_, k) => product(b * 250 + k, run));
    const r = await post('/exchange/v1/messages', { batch_id: randomUUID(), sent_at: '2026-11-28T12:00:00', messages: msgs });
    assert.equal(r.status, 200);
    ids.push(...msgs.map((m) => m.id));
  }
  // Stop at once: the consumer is mid-burst, the local queue's contents are lost.
  stack('stop', state);
  stack('start', state, String(PORT), String(PORT + 1));
  const status = async () => {
    const items = [];
    for (let i = 0; i < ids.length; i += 1000) items.push(...(await post('/exchange/v1/message-status', { ids: ids.slice(i, i + 1000) })).body.items);
    return items;
  };
  const before = await status();
  assert.equal(before.length, total, 'every accepted message was stored before the answer');
  const open = before.filter((x) => x.status !== 'applied').length;
  console.log(`after the restart: ${total - open} applied, ${open} waiting for the sweeper`);
  // The sweeper (its clock a minute on, past its freshness cutoff) re-enqueues the rest.
  const deadline = Date.now() + 120000;
  for (;;) {
    const later = new Date(Date.now() + 60000);
    const s = await post('/exchange/v1/sweep', {}, later);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    const now = await status();
    const left = now.filter((x) => x.status !== 'applied');
    if (left.length === 0) break;
    assert.ok(Date.now() < deadline, `${left.length} still not applied: ${JSON.stringify(left.slice(0, 3))}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
});
