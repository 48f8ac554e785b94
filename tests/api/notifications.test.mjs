// Notifications (issue 22) on the stack: each event mails exactly one notification to the right
// people (the simulator's mailbox), with a link that opens the right page after sign-in; none to
// a user who opted out or unsubscribed through the signed link; one daily digest instead when
// chosen; payment reminders once per stage however often the sweeper runs. Each test makes its
// own company through 1C's messages (the files run in parallel on one stack).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { PORTAL, Client, mailbox, sendAndApply, sweep, uid } from '../lib/portal.mjs';
import { shippingCalendar } from '../lib/orders.mjs';
import { credit, order, orderId, product, simCompany, simManager, simRule, simSend, until } from '../lib/sim.mjs';

const PASSWORD = 'Test-password-2026';

before(async () => { await shippingCalendar(); });

/** Notification mails to `to` (they carry an HTML part; first-access mails do not). */
// No-break spaces (money groups, the rouble sign) read as spaces, for the patterns below.
const notes = async (to) => (await mailbox(to)).filter((m) => m.html).map((m) => ({ ...m, text: m.text.replaceAll('\u00a0', ' ') }));

/** Waits (running the sweeper, as the scheduler would) until `to` has `n` notifications, sweeps
 *  twice more and checks none came beyond them. */
async function exactly(to, n, what, match = () => true) {
  await until(async () => {
    if ((await notes(to)).filter(match).length >= n) return true;
    await sweep();
    return false;
  }, what);
  await sweep();
  await sweep();
  const got = (await notes(to)).filter(match);
  assert.equal(got.length, n, `${what}: ${got.map((m) => m.subject).join(' | ')}`);
  return got;
}

/** The mail's link to its page ("Открыть в личном кабинете: <link>"). */
function pageLink(mail) {
  const m = /^(?:Открыть в личном кабинете|Open in the portal): (\S+)$/m.exec(mail.text);
  assert.ok(m, mail.text);
  assert.ok(m[1].startsWith(`${PORTAL}/#/`), m[1]);
  assert.match(mail.html, new RegExp(`href="${m[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
  return m[1];
}

/** Follows a link as its recipient would: the page loads, and after a fresh sign-in the API behind
 *  the hash route answers. */
async function follow(link, email, apiFor) {
  const page = await fetch(link.split('#')[0]);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script type="module" src="\/js\/app.js">/);
  const who = new Client();
  assert.equal((await who.signIn(email, PASSWORD)).status, 200);
  const r = await who.get(apiFor(link.slice(link.indexOf('#/'))));
  assert.equal(r.status, 200, `${link}: ${JSON.stringify(r.body)}`);
  return r.body;
}

const moscowDay = (offsetDays = 0) => new Date(Date.now() + 3 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);

/** A clock at or after 09:00 in Moscow today (the morning hour of reminders and digests). */
function morning() {
  const nine = new Date(`${moscowDay()}T06:05:00Z`);
  return nine > new Date() ? nine : new Date();
}

function documentMsg(c, number, orders, seq = 1, entity = `${c}-d-${number}`) {
  return { id: uid('m'), type: 'document', entity_id: entity, seq, payload: { company_id: c, legal_entity_id: `${c}-le`, kind: 'invoice',
    kind_name: 'Счет на оплату', number, date: `${moscowDay()}T08:00:00`, amount: 1234.5, vat: 205.75, orders, files: [],
    lines: [{ line_no: 1, name: 'Фильтр 1', quantity: 1, unit: 'шт', price: 1234.5, amount: 1234.5, vat_rate: 20, vat: 205.75 }] } };
}

test('a document for an order: one mail to the order\'s author, with a link that opens the order', async () => {
  const co = await simCompany([['buyer'], ['accountant'], ['admin'], ['buyer']]);
  const c = co.id;
  const [buyer, acc, admin, other] = co.users;
  await simSend([order(c, 1, { status: 'shipped', lines: [[1, 1, 1234.5]], extra: { author_email: buyer.email } })]);
  const id = await orderId(co.clients[0], c, 1);
  const doc = documentMsg(c, 'СЧ-77', [`${c}-o1`]);
  await sendAndApply([doc]);
  const [m] = await exactly(buyer.email, 1, 'the author\'s mail');
  assert.match(m.subject, /СЧ-77/);
  assert.match(m.text, /1 234,50 ₽/);
  assert.match(m.headers['List-Unsubscribe'], /^<http:\/\/.*\/api\/auth\/notifications\/unsubscribe\?token=[^>]+>$/);
  assert.equal(m.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  const link = pageLink(m);
  assert.equal(link, `${PORTAL}/#/orders/${id}`);
  const o = await follow(link, buyer.email, (hash) => `/api/orders/orders/${hash.split('/')[2]}`);
  assert.equal(o.order.number, `ЗК-${c.slice(-4)}-1`);
  for (const u of [acc, admin, other]) assert.deepEqual(await notes(u.email), [], `${u.email}: not the author, did not choose it`);
  // 1C sends the document again: nobody is told twice.
  await sendAndApply([{ ...doc, id: uid('m'), seq: 2 }]);
  await exactly(buyer.email, 1, 'no second mail for the same document');
});

test('credit blocked: each accountant and admin once; none to who unsubscribed; one digest to who chose it', async () => {
  const co = await simCompany([['buyer'], ['accountant'], ['admin'], ['accountant']]);
  const c = co.id;
  const [buyer, acc, admin, acc2] = co.users;
  await simSend([credit(c, { limit: 100000, debt: 5000 })]);
  await simManager('block_credit', { agreement_id: `${c}-ag`, amount_to_pay: 1500 });
  for (const u of [acc, admin, acc2]) await exactly(u.email, 1, `blocked: ${u.email}`);
  assert.deepEqual(await notes(buyer.email), [], 'a buyer is not told of credit');
  const [m] = await notes(admin.email);
  assert.match(m.subject, /Кредит заблокирован/);
  assert.equal(pageLink(m), `${PORTAL}/#/finance`);
  await follow(pageLink(m), admin.email, () => '/api/finance/credit');

  // The admin unsubscribes with the mail's link: GET only asks, the one-click POST (no session,
  // no Origin, as a mail client sends it) applies.
  const unsub = /^<(.+)>$/.exec(m.headers['List-Unsubscribe'])[1];
  const ask = await fetch(unsub);
  assert.equal(ask.status, 200);
  assert.match(await ask.text(), /<form method="post"/);
  const forged = await fetch(unsub.replace(/credit_changed/, 'payment_due'), { method: 'POST' });
  assert.equal(forged.status, 404, 'the token signs its event type');
  const one = await fetch(unsub, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(one.status, 200);
  const adminPrefs = (await co.clients[2].get('/api/auth/notifications')).body.events.find((e) => e.event === 'credit_changed');
  assert.deepEqual([adminPrefs.choice, adminPrefs.chosen], ['off', true]);

  // The second accountant takes the digest instead.
  const r = await co.clients[3].req('PUT', '/api/auth/notifications', { events: { credit_changed: 'digest' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.events.find((e) => e.event === 'credit_changed').choice, 'digest');

  await simManager('unblock_credit', { agreement_id: `${c}-ag` });
  await exactly(acc.email, 2, 'unblocked: the accountant');
  assert.match((await notes(acc.email))[1].subject, /Кредит снова доступен/);
  await sweep(morning());
  const digests = await exactly(acc2.email, 1, 'one digest', (x) => /Сводка/.test(x.subject));
  assert.match(digests[0].text, /разблокирован/);
  assert.equal((await notes(acc2.email)).length, 2, 'the blocked mail, then the digest; no single unblocked mail');
  await exactly(admin.email, 1, 'the admin unsubscribed: nothing more');
});

test('payment reminders: due in 3 days and overdue, from the sweeper, once however often it runs', async () => {
  const co = await simCompany([['buyer'], ['accountant'], ['admin']]);
  const c = co.id;
  const [buyer, acc, admin] = co.users;
  await simSend([order(c, 1, { status: 'shipped', method: 'credit', lines: [[1, 2, 600]] })]);
  await sendAndApply([{ id: uid('m'), type: 'payment_schedule', entity_id: `${c}-o1`, seq: 1, payload: { company_id: c, order_id: `${c}-o1`,
    agreement_id: `${c}-ag`, stages: [{ due_date: moscowDay(3), amount: 600, paid: 0 }, { due_date: moscowDay(-1), amount: 600, paid: 100 }] } }]);
  const at = morning();
  await sweep(at);
  await sweep(at);
  await sweep(new Date(at.getTime() + 3600e3));
  const mails = await exactly(acc.email, 2, 'due and overdue to the accountant');
  const due = mails.find((m) => /Срок оплаты/.test(m.subject));
  assert.ok(due, mails.map((m) => m.subject).join(' | '));
  assert.match(due.text, /600,00 ₽/);
  assert.match(mails.find((m) => /Просрочена/.test(m.subject)).text, /500,00 ₽/);
  assert.equal(pageLink(due), `${PORTAL}/#/finance`);
  // The admin: the overdue one alone, what falls due in the digest (the admin's default).
  const a = await exactly(admin.email, 2, 'overdue and a digest to the admin');
  assert.ok(a.some((m) => /Сводка/.test(m.subject) && /наступает срок оплаты/.test(m.text)));
  assert.deepEqual(await notes(buyer.email), []);
});

test('1C rejects a change, then applies one: one mail each to its author, linking the order', async () => {
  const co = await simCompany([['buyer'], ['admin']]);
  const c = co.id;
  const [buyer, admin] = co.users;
  const [client] = co.clients;
  await simSend([product(c, 1, 100)]);
  await simSend([order(c, 1, { lines: [[1, 2, 100]] })]);
  const id = await orderId(client, c, 1);
  await simRule(c, { type: 'order.changed', mode: 'reject', reason: 'Такой адрес не обслуживаем' });
  let o = (await client.get(`/api/orders/orders/${id}`)).body.order;
  let r = await client.req('PATCH', `/api/orders/orders/${id}`, { version: o.version, delivery_method: 'delivery', delivery_address: 'Марс, кратер Гейла' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const [rejected] = await exactly(buyer.email, 1, 'the refusal');
  assert.match(rejected.text, /отклонила ваше изменение заказа .*Такой адрес не обслуживаем/s);
  assert.equal(pageLink(rejected), `${PORTAL}/#/orders/${id}`);
  await simRule(c, { type: 'order.changed', mode: 'accept' });
  o = (await client.get(`/api/orders/orders/${id}`)).body.order;
  r = await client.req('PATCH', `/api/orders/orders/${id}`, { version: o.version, delivery_method: 'delivery', delivery_address: 'Краснодар, ул. Северная, 1' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const mails = await exactly(buyer.email, 2, 'the change applied');
  assert.match(mails[1].text, /1С применила ваше изменение заказа/);
  await follow(pageLink(mails[1]), buyer.email, (hash) => `/api/orders/orders/${hash.split('/')[2]}`);
  assert.deepEqual(await notes(admin.email), [], 'only the author');
});

test('a return decided, and an act ready: to whoever asked, with links to the return and the act', async () => {
  const co = await simCompany([['buyer'], ['accountant']]);
  const c = co.id;
  const [buyer, acc] = co.users;
  const [bc, ac] = co.clients;
  await simSend([order(c, 1, { status: 'shipped', lines: [[1, 10, 100]], paid: 1000, extra: {
    shipments: [{ id: `${c}-s1`, number: 'ОТ-1', date: '2026-11-22T09:00:00', lines: [{ line_no: 1, quantity: 10 }] }] } })]);
  const id = await orderId(bc, c, 1);
  const r = await bc.post('/api/returns/returns', { order_id: id, reason: 'defect', comment: 'Брак', lines: [{ line_no: 1, quantity: 3 }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ret = r.body.return.id;
  await exactly(buyer.email, 1, 'approved', (m) => /одобрен/.test(m.text));
  const [done] = await exactly(buyer.email, 1, 'completed', (m) => /завершён/.test(m.text));
  assert.match(done.text, /300,00 ₽/);
  assert.equal(pageLink(done), `${PORTAL}/#/returns/${ret}`);
  await follow(pageLink(done), buyer.email, (hash) => `/api/returns/returns/${hash.split('/')[2]}`);

  const forms = (await ac.get('/api/documents/acts')).body;
  const a = await ac.post('/api/documents/acts', { legal_entity_id: forms.legal_entities[0].id, preset: 'custom', period_from: '2026-07-01', period_to: '2026-09-30' });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  const [act] = await exactly(acc.email, 1, 'the act ready');
  assert.match(act.subject, /Акт сверки за 01\.07\.2026 — 30\.09\.2026 готов/);
  assert.equal(pageLink(act), `${PORTAL}/#/documents/acts/${a.body.id}`);
  await follow(pageLink(act), acc.email, (hash) => `/api/documents/acts/${hash.split('/')[3]}`);
});

test('preferences: strict bodies, only the caller\'s events', async () => {
  const co = await simCompany([['buyer']]);
  const [client] = co.clients;
  const view = (await client.get('/api/auth/notifications')).body;
  assert.ok(view.events.some((e) => e.event === 'document_arrived'));
  assert.ok(!view.events.some((e) => e.event === 'credit_changed'), 'a buyer is not told of credit');
  assert.equal(view.send_hour, 9);
  assert.equal(view.due_days, 3);
  for (const [body, code] of [
    [{ events: { document_arrived: 'sms' } }, 'invalid'],
    [{ events: { nothing: 'mail' } }, 'unknown-field'],
    [{ events: { credit_changed: 'mail' } }, 'not-for-role'],
    [{ events: {}, extra: 1 }, 'unknown-field'],
  ]) {
    const r = await client.req('PUT', '/api/auth/notifications', body);
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.ok(r.body.field_errors.some((f) => f.code === code), JSON.stringify(r.body));
  }
  assert.equal((await new Client().get('/api/auth/notifications')).status, 401);
});
