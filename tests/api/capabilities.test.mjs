// Issue 16, versions over HTTP on real D1: the capabilities endpoint (signed, lists the portal's
// own types and kinds), the batch's extension_version and 1C's last contact in the monitor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PORTAL, MONITOR_TOKEN, batch, companyMsg, onecHeaders, onecPost, uid } from '../lib/portal.mjs';

const monitor = async () => {
  const r = await fetch(PORTAL + '/exchange/v1/monitor', { headers: { authorization: `Bearer ${MONITOR_TOKEN}` } });
  assert.equal(r.status, 200);
  return r.json();
};
const capabilities = (headers) => fetch(PORTAL + '/exchange/v1/capabilities', { headers });

// The message types and change kinds as the code spells them, read from its source (the
// native test checks the same answer against the constants themselves).
const source = (f) => readFileSync(new URL(`../../shared/src/${f}`, import.meta.url), 'utf8');
const spelled = (text) => [...text.matchAll(/=> "([a-z_.]+)",?/g)].map((m) => m[1]);
const body = (text, from) => text.slice(text.indexOf(from), text.indexOf('\n    }\n', text.indexOf(from)));

test('capabilities: signed, and lists exactly the types and kinds of the code', async () => {
  assert.equal((await capabilities({})).status, 401, 'unsigned');
  const r = await capabilities(onecHeaders('GET', '/exchange/v1/capabilities', ''));
  assert.equal(r.status, 200);
  const c = await r.json();
  const types = spelled(body(source('exchange/contract.rs'), 'pub fn as_str(self)'));
  const kinds = spelled(body(source('changes/kind.rs'), 'pub const fn as_str(self)'))
    .concat([...source('changes/kind.rs').matchAll(/=> \{\s*"([a-z_.]+)"/g)].map((m) => m[1]));
  assert.deepEqual([...c.message_types].sort(), [...types].sort());
  assert.deepEqual([...c.change_kinds].sort(), [...kinds].sort());
  assert.ok(c.signature_versions.includes('v2'));
  assert.equal(c.limits.max_messages_per_batch, 500);
  assert.ok(['push', 'pull'].includes(c.delivery));
  const contact = (await monitor()).onec_contacts.find((x) => x.kind === 'capabilities');
  assert.ok(contact, 'the call is recorded as a contact');
});

test('a batch with extension_version shows it in the monitor with the contact time', async () => {
  const before = Date.now() - 2000;
  const version = `1.${Math.floor(Math.random() * 1e6)}.0-test`;
  const r = await onecPost('/exchange/v1/messages', { ...batch([companyMsg(uid('c'), 1, 'Версия')]), extension_version: version });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const m = await monitor();
  assert.equal(m.extension_version, version);
  const contact = m.onec_contacts.find((x) => x.kind === 'messages');
  assert.equal(contact.extension_version, version);
  assert.ok(Date.parse(contact.last_at) >= before, contact.last_at);
});

test('a bad extension_version is refused', async () => {
  for (const bad of ['1.0 beta', 'x'.repeat(51), '', 'версия']) {
    const r = await onecPost('/exchange/v1/messages', { ...batch([companyMsg(uid('c'), 1, 'Версия')]), extension_version: bad });
    assert.ok([400, 422].includes(r.status), `${JSON.stringify(bad)}: ${r.status}`);
    assert.equal(r.body.code, 'invalid-extension-version');
  }
});

test('a replayed request is no contact (the upsert follows the nonce insert in one D1 batch)', async () => {
  const last = async () => (await monitor()).onec_contacts.find((x) => x.kind === 'capabilities')?.last_at;
  const headers = onecHeaders('GET', '/exchange/v1/capabilities', '');
  assert.equal((await capabilities(headers)).status, 200);
  const first = await last();
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await capabilities(headers)).status, 401, 'the replay is refused');
  assert.equal(await last(), first, 'and not recorded');
  assert.equal((await capabilities(onecHeaders('GET', '/exchange/v1/capabilities', ''))).status, 200);
  assert.notEqual(await last(), first, 'a fresh request is');
});
