// The names of the company's people, for the order list's filter: every role reads them, nothing
// else about the people comes with them, and another company's people never.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany } from '../lib/portal.mjs';

test('employee names: every role, names and ids only, this company only', async () => {
  const co = await freshCompany([['admin'], ['buyer'], ['accountant']]);
  const other = await freshCompany([['buyer']]);
  for (const u of co.users) {
    const c = new Client();
    assert.equal((await c.signIn(u.email, u.password)).status, 200);
    const r = await c.get('/api/company/employee-names');
    assert.equal(r.status, 200, u.roles.join());
    assert.deepEqual(r.body.items.map((i) => Object.keys(i).sort()), co.users.map(() => ['full_name', 'id']));
    assert.deepEqual(r.body.items.map((i) => i.full_name).sort(), co.users.map((x) => `Тест ${x.entity}`).sort());
    assert.ok(!JSON.stringify(r.body).includes(other.users[0].entity));
  }
  assert.equal((await new Client().get('/api/company/employee-names')).status, 401);
});
