// Input strictness (issue 13, items 12 and 13), driven from docs/api/openapi.yaml.
//
// #13.13: a body larger than its route takes is refused with 413 from its Content-Length at
// once, or, streamed without one, as soon as it passes the limit: before it is buffered and
// before any authentication work, so a slow 50 MB sign-in costs nothing.
//
// #13.12: every JSON request object under /api/* is closed (`additionalProperties: false`) and
// every request string has a `maxLength`; the portal agrees with the file: a body with an unknown
// field, or with a string one character over its limit, is a 422 naming the field (its pointer
// as the problem's field errors name fields), and a body with every string exactly at its limit
// is not refused for length. Nothing changes on a refused write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import Ajv2020 from 'ajv/dist/2020.js';
import { Client, PORTAL, fakeIp, freshCompany, sendAndApply, uid } from '../lib/portal.mjs';
import { onecPut, pdf } from '../lib/documents.mjs';
import { orderMsg, productMsg } from '../lib/orders.mjs';
import { SPEC, bodyWith, jsonBody, objects, operations, pointer, resolve, strings } from '../lib/openapi.mjs';

const PROBE = 'x_unknown_probe';

/** The JSON write routes under /api/*, with their request schema. */
const WRITES = operations()
  .filter((o) => o.path.startsWith('/api/') && o.method !== 'GET')
  .map((o) => ({ ...o, schema: jsonBody(o.op) }))
  .filter((o) => o.schema);
/** Routes whose sender is not a portal page may say why they take unknown fields. */
const tolerant = (o) => typeof o.op['x-tolerant-body'] === 'string';

/** A schema with every `#/components/...` reference replaced by its target (for ajv). */
function inline(s) {
  s = resolve(s);
  if (Array.isArray(s)) return s.map(inline);
  if (!s || typeof s !== 'object') return s;
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, inline(pv)])) : inline(v)]));
}

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

test('the OpenAPI file has JSON write routes to check', () => {
  assert.ok(WRITES.length >= 20, `only ${WRITES.length} JSON write routes read`);
});

test('every request object under /api/* is closed and every request string has a maxLength', () => {
  const problems = [];
  for (const o of WRITES) {
    const key = `${o.method} ${o.path}`;
    if (JSON.stringify(o.schema).includes('"allOf"') || JSON.stringify(inline(o.schema)).includes('"allOf"')) {
      problems.push(`${key}: allOf in a request body (additionalProperties does not compose across allOf)`);
    }
    for (const { path, schema } of objects(o.schema)) {
      if (schema.additionalProperties !== false && !tolerant(o)) problems.push(`${key} ${pointer(path) || '(body)'}: additionalProperties is not false`);
    }
    for (const { path, max } of strings(o.schema)) {
      if (!Number.isInteger(max)) problems.push(`${key} ${pointer(path) || '(body)'}: string without maxLength`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the request schemas compile and refuse what the portal refuses (ajv)', () => {
  for (const o of WRITES) {
    const key = `${o.method} ${o.path}`;
    const validate = ajv.compile(inline(o.schema));
    for (const s of strings(o.schema)) {
      if (!Number.isInteger(s.max)) continue;
      const over = bodyWith(s.path, 'я'.repeat(s.max + 1));
      validate(over);
      const at = '/' + s.path.join('/');
      assert.ok((validate.errors ?? []).some((e) => e.keyword === 'maxLength' && e.instancePath === at), `${key}: the schema refuses ${pointer(s.path)} over its limit`);
    }
    if (!tolerant(o)) {
      validate({ [PROBE]: 1 });
      assert.ok((validate.errors ?? []).some((e) => e.keyword === 'additionalProperties' && e.params.additionalProperty === PROBE), `${key}: the schema refuses an unknown field`);
    }
  }
});

// ---- the running portal against the file ----

// One company whose user holds every role, made on first use (the schema tests above need no
// stack).
let user;
let client;
let setUp;
const ready = () => (setUp ??= (async () => {
  const co = await freshCompany([['admin', 'buyer', 'accountant']]);
  user = co.users[0];
  user.company = co.id;
  client = new Client();
  assert.equal((await client.signIn(user.email, user.password)).status, 200);
})());

const fill = (path) => path.replace(/\{\w+\}/g, 'x_none');
const send = async (o, body) => { await ready(); return client.req(o.method, fill(o.path), body); };
const errors = (r) => (r.body?.field_errors ?? []).map((f) => `${f.field}:${f.code}`).sort();
const bilingual = (r) => (r.body?.field_errors ?? []).every((f) => f.message_ru && f.message_en);

for (const o of WRITES) {
  const key = `${o.method} ${o.path}`;
  const strs = strings(o.schema).filter((s) => Number.isInteger(s.max));

  if (!tolerant(o)) {
    test(`unknown fields refused with their pointer: ${key}`, async () => {
      // One unknown field at the top and one inside every nested object.
      let body = { [PROBE]: 'x' };
      const expected = [`${PROBE}:unknown-field`];
      for (const { path } of objects(o.schema)) {
        if (path.length === 0) continue;
        body = bodyWith([...path, PROBE], 1, body);
        expected.push(`${pointer([...path, PROBE])}:unknown-field`);
      }
      const r = await send(o, body);
      assert.equal(r.status, 422, `${key}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'validation-failed');
      assert.deepEqual(errors(r), expected.sort());
      assert.ok(bilingual(r), 'field errors in Russian and English');
    });
  }

  if (strs.length) {
    test(`strings one over maxLength refused with their pointer: ${key}`, async () => {
      let body = {};
      for (const s of strs) body = bodyWith(s.path, 'я'.repeat(s.max + 1), body);
      const r = await send(o, body);
      assert.equal(r.status, 422, `${key}: ${r.status} ${JSON.stringify(r.body)?.slice(0, 300)}`);
      assert.deepEqual(errors(r), strs.map((s) => `${pointer(s.path)}:too-long`).sort());
      assert.ok(bilingual(r), 'field errors in Russian and English');
    });

    if (!tolerant(o)) {
      test(`strings exactly at maxLength pass the length check: ${key}`, async () => {
        // The unknown field keeps the request from doing anything; the only refusal must be it.
        let body = { [PROBE]: 'x' };
        for (const s of strs) body = bodyWith(s.path, 'я'.repeat(s.max), body);
        const r = await send(o, body);
        assert.equal(r.status, 422, `${key}: ${r.status} ${JSON.stringify(r.body)?.slice(0, 300)}`);
        assert.deepEqual(errors(r), [`${PROBE}:unknown-field`]);
      });
    }
  }
}

test('refused writes change nothing: a typo in an order edit, a 300,000-character address, a 100,000-character cancellation reason, a profile and a consignee', async () => {
  await ready();
  const c = user.company;
  await sendAndApply([productMsg(c, 1, { price: 100 }), orderMsg(c, 1, { lines: [[1, 2, 100]] }),
    { id: `${c}-k`, type: 'consignee', entity_id: `${c}-k1`, seq: 1, payload: { company_id: c, name: 'Склад Кореновск', address: 'Кореновск, ул. Мира, 1' } }]);
  const order = (await client.get('/api/orders/orders')).body.items[0];
  const page = async () => (await client.get(`/api/orders/orders/${order.id}`)).body;
  const before = await page();

  const typo = await client.req('PATCH', `/api/orders/orders/${order.id}`, { version: before.order.version, delivery_method: 'delivery', delivery_adress: 'Кореновск' });
  assert.equal(typo.status, 422);
  assert.deepEqual(errors(typo), ['delivery_adress:unknown-field']);
  const long = await client.req('PATCH', `/api/orders/orders/${order.id}`, { version: before.order.version, delivery_method: 'delivery', delivery_address: 'а'.repeat(1001) });
  assert.equal(long.status, 422);
  assert.deepEqual(errors(long), ['delivery_address:too-long']);
  // 300,000 characters do not even fit the route's body limit (#13.13).
  const huge = await client.req('PATCH', `/api/orders/orders/${order.id}`, { version: before.order.version, delivery_method: 'delivery', delivery_address: 'а'.repeat(300000) });
  assert.equal(huge.status, 413);
  const cancel = await client.post(`/api/orders/orders/${order.id}/cancellation`, { version: before.order.version, reason: 'б'.repeat(501) });
  assert.equal(cancel.status, 422, 'a long reason is refused, not cut');
  assert.deepEqual(errors(cancel), ['reason:too-long']);
  const hugeReason = await client.post(`/api/orders/orders/${order.id}/cancellation`, { version: before.order.version, reason: 'б'.repeat(100000) });
  assert.equal(hugeReason.status, 413);
  const after = await page();
  assert.equal(after.order.version, before.order.version);
  assert.equal(after.order.status, before.order.status);
  assert.deepEqual(after.change, before.change, 'no change sent to 1C');

  const me = (await client.get('/api/auth/me')).body.user;
  const profile = await client.req('PATCH', '/api/auth/profile', { version: me.version, full_name: 'Новое Имя', phone: '+7 900 000-00-00', fullname: 'typo' });
  assert.equal(profile.status, 422);
  assert.deepEqual(errors(profile), ['fullname:unknown-field']);
  const meAfter = (await client.get('/api/auth/me')).body.user;
  assert.equal(meAfter.full_name, me.full_name);
  assert.equal(meAfter.version, me.version);

  const consignee = (await client.get('/api/company/consignees')).body.items[0];
  const edit = await client.req('PATCH', `/api/company/consignees/${consignee.id}`, { version: consignee.version, name: 'Склад Новый', address: 'Кореновск', contact_person: 'в'.repeat(301) });
  assert.equal(edit.status, 422);
  assert.deepEqual(errors(edit), ['contact_person:too-long']);
  const consigneeAfter = (await client.get('/api/company/consignees')).body.items.find((x) => x.id === consignee.id);
  assert.deepEqual(consigneeAfter, consignee);

  const le = (await client.get('/api/company/company')).body.legal_entities[0];
  const legal = await client.req('PATCH', `/api/company/legal-entities/${le.id}`, { version: le.version, name: le.name, inn: '7707083893', kpp: '773601001',
    bank_accounts: [{ bik: '044525225', corr_account: '30101810400000000225', account: '40702819938000001234', iban: 'x' }] });
  assert.equal(legal.status, 422);
  assert.deepEqual(errors(legal), ['bank_accounts[0].iban:unknown-field']);
  const leAfter = (await client.get('/api/company/company')).body.legal_entities[0];
  assert.deepEqual(leAfter, le);
});

test('the acquirer\'s notifications and 1C\'s exchange stay tolerant of unknown fields (documented)', () => {
  const notification = WRITES.find((o) => o.path === '/api/orders/card-notifications');
  assert.ok(tolerant(notification), 'card-notifications says why it takes unknown fields');
  assert.deepEqual(WRITES.filter(tolerant).map((o) => o.path), ['/api/orders/card-notifications']);
  assert.match(SPEC.info.description, /\/exchange\/.*unknown fields/s);
});

// ---- #13.13: body size, before buffering and before any authentication work ----

/**
 * A raw HTTP/1.1 request: the head and `first` part of the body are written, then (unless
 * `end`) the connection stays open as a slow client's would. Resolves with the answer's status,
 * its text and how long it took, or { status: 0 } when nothing came within `waitMs`.
 */
function rawRequest(method, path, headers, first, { end = false, chunked = false, waitMs = 4000 } = {}) {
  const url = new URL(PORTAL);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(url.port), url.hostname);
    let data = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      resolve({ status: m ? Number(m[1]) : 0, text: data, ms: Date.now() - started });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (d) => {
      data += d.toString('utf8');
      // The whole answer: a problem body is small, so its end is in view once the JSON closes.
      if (/\r\n\r\n[\s\S]*\}\s*(\r\n0\r\n\r\n)?$/.test(data)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    const head = [`${method} ${path} HTTP/1.1`, `Host: ${url.host}`, `Origin: ${PORTAL}`, `cf-connecting-ip: ${fakeIp()}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), chunked ? 'Transfer-Encoding: chunked' : null, '', ''].filter((l) => l !== null).join('\r\n');
    socket.write(head);
    const body = Buffer.from(first);
    socket.write(chunked ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]) : body);
    if (end && chunked) socket.write('0\r\n\r\n');
  });
}

const tooLarge = (r, what) => {
  assert.equal(r.status, 413, `${what}: ${r.status || 'no answer'} after ${r.ms} ms ${r.text.slice(0, 300)}`);
  assert.match(r.text, /"code":"payload-too-large"/);
  assert.match(r.text, /"title_ru":"[^"]+"/);
  assert.match(r.text, /"title_en":"[^"]+"/);
};

test('a sign-in announcing 50 MB is refused at once with 413, without waiting for the body', async () => {
  const r = await rawRequest('POST', '/api/auth/sign-in', { 'Content-Type': 'application/json', 'Content-Length': 52428800 }, '{"email":"a@b.ru","password":"' + 'x'.repeat(1000));
  tooLarge(r, 'sign-in announcing 50 MB');
  assert.ok(r.ms < 2000, `answered after ${r.ms} ms`);
});

test('a signed-out write announcing 10 MB is a 413, not a 401: the size is checked before authentication', async () => {
  const r = await rawRequest('POST', '/api/orders/consolidations', { 'Content-Type': 'application/json', 'Content-Length': 10485760 }, '{"orders":[');
  tooLarge(r, 'consolidations announcing 10 MB');
  assert.ok(r.ms < 2000, `answered after ${r.ms} ms`);
});

test('a chunked body without Content-Length is cut at the route\'s limit while it streams', async () => {
  // 16 KB of a sign-in and the connection held open: the limit is passed, the rest never comes.
  const open = await rawRequest('POST', '/api/auth/sign-in', { 'Content-Type': 'application/json' }, '{"email":"a@b.ru","password":"' + 'x'.repeat(16384), { chunked: true });
  tooLarge(open, 'open chunked sign-in');
  assert.ok(open.ms < 2000, `answered after ${open.ms} ms`);
  // A whole chunked body of 100 KB: over a sign-in's limit, far under the old 1 MB.
  const whole = await rawRequest('POST', '/api/auth/sign-in', { 'Content-Type': 'application/json' }, JSON.stringify({ email: 'a@b.ru', password: 'x'.repeat(100000) }), { chunked: true, end: true });
  tooLarge(whole, 'complete chunked sign-in');
});

test('each route has its own limit: 1C\'s files take 20 MB, pasted lines their 100,000 characters; normal requests still work', async () => {
  await ready();
  const big = await rawRequest('PUT', `/exchange/v1/files/${uid('f')}.pdf`, { 'Content-Type': 'application/pdf', 'Content-Length': 20 * 1024 * 1024 + 1 }, '%PDF-1.4');
  tooLarge(big, 'a 1C file over 20 MB');
  assert.ok(big.ms < 2000, `answered after ${big.ms} ms`);
  // 6 MB for 1C is fine (over a photo's 5 MB and any JSON route's limit).
  await onecPut(`${uid('f')}.pdf`, Buffer.concat([pdf('big'), Buffer.alloc(6 * 1024 * 1024, 32)]));
  // 90,000 Cyrillic characters are ~180 KB of JSON: over the default JSON limit, within this route's.
  const paste = await client.post('/api/orders/pasted-lines', { text: 'АБ-1;1\n'.repeat(12000).slice(0, 90000) });
  assert.equal(paste.status, 200, JSON.stringify(paste.body)?.slice(0, 300));
  const signedIn = new Client();
  assert.equal((await signedIn.signIn(user.email, user.password)).status, 200);
  // Chunked but small: read and served.
  const chunked = await rawRequest('POST', '/api/auth/sign-in', { 'Content-Type': 'application/json' }, JSON.stringify({ email: user.email, password: user.password }), { chunked: true, end: true });
  assert.equal(chunked.status, 200, chunked.text.slice(0, 300));
});
