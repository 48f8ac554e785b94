// Malformed input on every endpoint, driven from docs/api/openapi.yaml: broken and wrongly typed
// JSON, hostile path parameters, garbage in every documented query parameter and a wrong content
// type, sent by a signed-in user holding every role (and, for 1C's routes, unsigned). Whatever
// the input, the answer is a 4xx problem with a code and Russian and English text: never a 5xx,
// never a stack trace or a backend message.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Client, PORTAL, freshCompany } from '../lib/portal.mjs';

const spec = readFileSync(new URL('../../docs/api/openapi.yaml', import.meta.url), 'utf8');

/** Routes and their query parameter names, read line by line (the file's own layout). */
function routes() {
  const out = [];
  let path = null;
  let current = null;
  for (const line of spec.split('\n')) {
    const p = /^ {2}(\/\S*):$/.exec(line);
    if (p) { path = p[1]; continue; }
    if (/^\S/.test(line)) { path = null; continue; }
    const m = /^ {4}(get|post|put|patch|delete):$/.exec(line);
    if (path && m) { current = { method: m[1].toUpperCase(), path, query: [] }; out.push(current); continue; }
    const q = /- \{ name: (\w+), in: query/.exec(line);
    if (current && q) current.query.push(q[1]);
  }
  return out;
}

const HOSTILE_IDS = ["' OR 1=1 --", '../../etc/passwd', '%00', 'x'.repeat(3000), '😀ёЁ', '-1', '9'.repeat(40), '{id}', '%E0%A4%A'];
const GARBAGE = ['', ' ', '-1', '1e309', '2026-13-45', 'NaN', "'; DROP TABLE orders; --", '%FF%FE', 'x'.repeat(5000), '[]', '{}', '0x10', '١٢٣'];
const BODIES = ['{not json', '[]', 'null', '"text"', '123', JSON.stringify({ version: 'x', lines: 'y', order_id: 7, quantity: [], email: {}, password: 1, roles: 'admin', payment_method: null, planned_shipping_date: '31.02.2026', reason: { a: 1 }, orders: 'all', whole: 'yes', text: 12 }),
  JSON.stringify({ lines: [{ line_no: 'a', quantity: '1e400' }, null], version: 1e308 }), '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}'];
const LEAKS = /panicked|RuntimeError|unreachable|at src\/|\.rs:\d+|SQLITE|D1_ERROR|stack backtrace|wasm-function/i;

/** One request with a raw body, as the given client (its cookies and address). */
async function raw(client, method, path, body, contentType = 'application/json') {
  const headers = { origin: PORTAL, 'cf-connecting-ip': client.ip, cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`${PORTAL}${path}`, { method, body, headers, redirect: 'manual' });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : null; } catch { json = text.slice(0, 300); }
  return { status: res.status, body: json, headers: res.headers };
}

let user;
before(async () => {
  const co = await freshCompany([['admin', 'buyer', 'accountant']]);
  user = co.users[0];
});

function check(r, what) {
  assert.ok(r.status < 500, `${what}: ${r.status} ${JSON.stringify(r.body)?.slice(0, 300)}`);
  const text = JSON.stringify(r.body ?? '');
  assert.ok(!LEAKS.test(text), `${what}: leaks ${text.slice(0, 300)}`);
  if (r.status >= 400 && r.headers.get('content-type')?.includes('json')) {
    assert.ok(r.body?.code, `${what}: a problem has a code`);
    assert.ok(r.body?.title_ru && r.body?.title_en, `${what}: a problem speaks Russian and English`);
  }
}

const fill = (path, v) => path.replace(/\{\w+\}/g, encodeURIComponent(v));

test('the OpenAPI file lists routes to drive', () => {
  assert.ok(routes().length >= 60, `only ${routes().length} routes read`);
});

for (const route of routes()) {
  const key = `${route.method} ${route.path}`;
  test(`malformed: ${key}`, async () => {
    // A fresh session from a fresh address per route: a route that signs out or throttles
    // cannot blind the ones after it.
    const signedIn = new Client();
    assert.equal((await signedIn.signIn(user.email, user.password)).status, 200);
    const write = route.method !== 'GET' && route.method !== 'DELETE';
    for (const [who, client] of [['all roles', signedIn], ['signed out', new Client()]]) {
      for (const id of route.path.includes('{') ? HOSTILE_IDS : ['']) {
        const path = fill(route.path, id);
        if (write) {
          for (const b of BODIES) check(await raw(client, route.method, path, b), `${key} as ${who} ${path.slice(0, 60)} body ${b.slice(0, 40)}`);
          check(await raw(client, route.method, path, 'a=1&b=2', 'application/x-www-form-urlencoded'), `${key} as ${who} form body`);
        } else {
          check(await raw(client, route.method, path), `${key} as ${who} ${path.slice(0, 60)}`);
        }
        for (const q of route.query) {
          for (const g of GARBAGE) {
            const r = await raw(client, route.method, `${path}?${q}=${encodeURIComponent(g)}`, write ? '{}' : undefined);
            check(r, `${key} as ${who} ?${q}=${g.slice(0, 30)}`);
          }
        }
      }
    }
  });
}
