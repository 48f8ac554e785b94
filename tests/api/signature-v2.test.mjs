// Signature v2 of the 1C exchange against the real stack (issue 16): the same signed request is
// taken once (the nonce is kept in D1), method and path are signed (a file upload replayed under
// another key is refused), v1 is refused unless the migration window is open (ONEC_SIGNATURE_VERSIONS,
// v2 only in the test stack), and 1C's formats are taken: a body with a UTF-8 BOM, dates with an offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PORTAL, batch, companyMsg, onecHeaders, onecPost, uid, waitApplied } from '../lib/portal.mjs';

/** Sends exactly these headers and body (a captured request, sent again). */
async function raw(method, path, headers, body) {
  const res = await fetch(PORTAL + path, { method, headers, body });
  return { status: res.status, body: await res.json().catch(() => null) };
}

test('the same signed request sent twice is refused the second time', async () => {
  const path = '/exchange/v1/messages';
  const body = JSON.stringify(batch([companyMsg(uid('c'), 1, 'Повтор')]));
  const headers = { 'content-type': 'application/json', ...onecHeaders('POST', path, body) };
  const first = await raw('POST', path, headers, body);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const again = await raw('POST', path, headers, body);
  assert.equal(again.status, 401);
  assert.equal(again.body.code, 'signature-replayed');
  // A signed status query, too: its nonce is spent.
  const stPath = '/exchange/v1/message-status';
  const stBody = JSON.stringify({ ids: ['x'] });
  const stHeaders = { 'content-type': 'application/json', ...onecHeaders('POST', stPath, stBody) };
  assert.equal((await raw('POST', stPath, stHeaders, stBody)).status, 200);
  assert.equal((await raw('POST', stPath, stHeaders, stBody)).body.code, 'signature-replayed');
});

test('a signed file upload replayed under another key is refused', async () => {
  const bytes = Buffer.from('%PDF-1.4\n% the real document\n%%EOF\n');
  const key = `${uid('f')}.pdf`;
  const headers = { 'content-type': 'application/pdf', ...onecHeaders('PUT', `/exchange/v1/files/${key}`, bytes) };
  const moved = await raw('PUT', `/exchange/v1/files/${uid('other')}.pdf`, headers, bytes);
  assert.equal(moved.status, 401);
  assert.equal(moved.body.reason, 'signature-invalid');
  assert.equal((await raw('PUT', `/exchange/v1/files/${key}`, headers, bytes)).status, 201);
  // The query is signed as sent.
  const q = await raw('PUT', `/exchange/v1/files/${key}?x=2`, headers, bytes);
  assert.equal(q.status, 401);
});

// The stack's setting: v2 only unless the run opens the migration window through STACK_VARS.
const V1_OPEN = /ONEC_SIGNATURE_VERSIONS=(v1,v2|v2,v1)/.test(process.env.STACK_VARS ?? '');

test('v1 is refused by default (taken only in the migration window); a nonce is required and has its form', async () => {
  const old = companyMsg(uid('c'), 1, 'Старое расширение');
  const v1 = await onecPost('/exchange/v1/messages', batch([old]), { version: 'v1' });
  if (V1_OPEN) {
    assert.equal(v1.status, 200, JSON.stringify(v1.body));
    assert.equal((await waitApplied([old.id]))[0].status, 'applied');
  } else {
    assert.equal(v1.status, 401);
    assert.equal(v1.body.reason, 'signature-version-refused');
  }
  const m = companyMsg(uid('c'), 1, 'Без нонса');
  const short = await onecPost('/exchange/v1/messages', batch([m]), { nonce: 'abc' });
  assert.equal(short.body.reason, 'nonce-invalid');
  const st = await onecPost('/exchange/v1/message-status', { ids: [m.id] });
  assert.deepEqual(st.body.items, []);
});

test('a body with a UTF-8 BOM applies (the signature covers the BOM)', async () => {
  const m = companyMsg(uid('c'), 1, 'С меткой порядка байтов');
  const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(batch([m])))]);
  const r = await onecPost('/exchange/v1/messages', body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const [item] = await waitApplied([m.id]);
  assert.equal(item.status, 'applied', JSON.stringify(item));
  // Signed without the BOM but sent with it: the bytes as sent are what is signed.
  const m2 = companyMsg(uid('c'), 1, 'Подпись без метки');
  const json = JSON.stringify(batch([m2]));
  const forged = await onecPost('/exchange/v1/messages', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]), { signedBody: json });
  assert.equal(forged.status, 401);
});

test('dates with an offset apply like zone-less Moscow time', async () => {
  const entity = uid('c');
  const m = companyMsg(entity, 1, 'Со смещением', {
    agreements: [{ id: `${entity}-ag`, legal_entity_id: `${entity}-le`, name: 'Договор', credit_limit: 1000, deferral_days: 10,
      date: '2026-12-06T10:00:00+03:00', price_type: { id: 'pt-opt', name: 'Оптовая' } }],
  });
  const r = await onecPost('/exchange/v1/messages', { batch_id: randomUUID(), sent_at: '2026-12-06T10:00:00+03:00', messages: [m] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const [item] = await waitApplied([m.id]);
  assert.equal(item.status, 'applied', JSON.stringify(item));
});
