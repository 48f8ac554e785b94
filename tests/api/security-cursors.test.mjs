// Issue 13, item 15: page cursors are opaque and bound to the caller's company. A cursor must not
// show the row position it encodes (the audit log and the account movements used global row
// ids, which tell how busy the whole portal is), and a cursor one company got is refused for
// another company (400 invalid-cursor), while it keeps working for its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany, sendAndApply, uid } from '../lib/portal.mjs';

const readable = (cursor) => Buffer.from(cursor, 'base64url').toString('latin1');

function movement(company, n) {
  return { id: uid('m'), type: 'account_movement', entity_id: `${company}-mv${n}`, seq: 1, payload: {
    company_id: company, legal_entity_id: `${company}-le`, date: `2026-11-2${n}T12:00:00`, kind: 'correction', amount: 10 + n,
    return_id: null, order_id: null, change_id: null, comment: `Корректировка ${n}` } };
}

async function admin(company) {
  const c = new Client();
  const u = company.users[0];
  assert.equal((await c.signIn(u.email, u.password)).status, 200);
  return c;
}

for (const [name, path, seed] of [
  ['audit log', '/api/company/audit', async () => {}],
  ['account movements', '/api/finance/account', async (c) => sendAndApply([movement(c, 1), movement(c, 2), movement(c, 3)])],
]) {
  test(`${name}: the cursor is opaque and works only for its own company`, async () => {
    const a = await freshCompany([['admin', 'accountant', 'buyer'], ['buyer'], ['accountant']]);
    const b = await freshCompany([['admin', 'accountant', 'buyer'], ['buyer'], ['accountant']]);
    await seed(a.id);
    await seed(b.id);
    const ca = await admin(a);
    const cb = await admin(b);

    const first = await ca.get(`${path}?limit=1`);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.items.length, 1);
    const cursor = first.body.next_cursor;
    assert.ok(cursor, 'a next page exists');
    const text = readable(cursor);
    assert.equal(text.includes(first.body.items[0].at), false, `the cursor shows its sort key: ${text}`);
    assert.doesNotMatch(text, /\|\d+$/, `the cursor shows a row number: ${text}`);

    // Its own company pages on with it.
    const second = await ca.get(`${path}?limit=1&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.items.length, 1);
    assert.notEqual(second.body.items[0].id, first.body.items[0].id);

    // Another company cannot use it.
    const foreign = await cb.get(`${path}?limit=1&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(foreign.status, 400, JSON.stringify(foreign.body));
    assert.equal(foreign.body.code, 'invalid-cursor');

    // A tampered cursor is refused.
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    const tampered = await ca.get(`${path}?limit=1&cursor=${bytes.toString('base64url')}`);
    assert.equal(tampered.status, 400);
    assert.equal(tampered.body.code, 'invalid-cursor');
  });
}
