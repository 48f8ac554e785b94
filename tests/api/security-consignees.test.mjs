// Issue 13, item 4 (the same pattern in consignee edits): the statements of an edit that depend on
// the versioned update must depend on this request's update, not on "the version is now base + 1",
// which is also true after another request's update. The request that loses the race (409) must
// write no audit row and send no change to 1C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshCompany } from '../lib/portal.mjs';

const auditOf = async (c, id) => (await c.get('/api/company/audit?limit=200')).body.items.filter((a) => a.entity_id === id);

test('#13.4 parallel edits of one consignee: one wins; only its audit row and its change to 1C', async () => {
  const co = await freshCompany([['admin', 'buyer']]);
  const c = new Client();
  assert.equal((await c.signIn(co.users[0].email, co.users[0].password)).status, 200);
  // Rounds: a race is not sure to interleave every time; each round must hold.
  for (let round = 0; round < 5; round++) {
    const added = await c.post('/api/company/consignees', { name: `Склад ${round}`, address: 'Усть-Лабинск' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const { id, version } = added.body;
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      c.req('PATCH', `/api/company/consignees/${id}`, { version, name: `Склад ${round}.${i}`, address: `Кореновск, ${i}` })));
    const summary = JSON.stringify(rs.map((r) => [r.status, r.body?.code]));
    const won = rs.map((r, i) => [r, i]).filter(([r]) => r.status === 204);
    assert.equal(won.length, 1, summary);
    const [, w] = won[0];
    const changed = (await auditOf(c, id)).filter((a) => a.kind === 'consignee.changed');
    assert.equal(changed.length, 1, `round ${round}: one audit row, the winner's: ${summary}`);
    assert.equal(changed[0].after.name, `Склад ${round}.${w}`);
    const now = (await c.get('/api/company/consignees')).body.items.find((x) => x.id === id);
    assert.equal(now.version, version + 1);
  }
});
