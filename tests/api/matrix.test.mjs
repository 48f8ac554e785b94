// The authorisation matrix: every route (taken from the routers' tables, not from the OpenAPI
// file) x every role x (own company, another company, signed out). A route the routers have and
// this matrix lacks, or the reverse, fails the test.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Client, PORTAL, freshCompany, sendAndApply } from '../lib/portal.mjs';
import { actMsg, multiVehicleOrder, pdfFile } from '../lib/documents.mjs';
import { PNG, shippedOrder } from '../lib/returns.mjs';

const SECURITY_HEADERS = ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options'];

// Per route: the path parameters (resolved against company A's data), the body sent (always one
// that cannot change state), and the status an allowed caller gets.
const MATRIX = {
  'POST /api/auth/sign-in': { body: {}, ok: 400 },
  'POST /api/auth/sign-out': { ok: 204 },
  'POST /api/auth/refresh': { ok: 401 },
  'GET /api/auth/me': { ok: 200 },
  'GET /api/auth/me/data': { ok: 200 },
  'POST /api/auth/consent': { body: {}, ok: 400 },
  'POST /api/auth/password-reset-requests': { body: {}, ok: 400 },
  'POST /api/auth/password-resets': { body: {}, ok: 400 },
  'PATCH /api/auth/profile': { body: {}, ok: 400 },
  'POST /api/auth/password-change': { body: {}, ok: 400 },
  'POST /api/auth/email-changes': { body: {}, ok: 400 },
  'POST /api/auth/email-changes/confirmations': { body: {}, ok: 400 },
  'PATCH /api/auth/preferences': { body: {}, ok: 400 },
  'GET /api/auth/notifications': { ok: 200 },
  'PUT /api/auth/notifications': { body: {}, ok: 400 },
  // Without a signed token: nothing to unsubscribe (docs/notifications.md).
  'GET /api/auth/notifications/unsubscribe': { ok: 404 },
  'POST /api/auth/notifications/unsubscribe': { ok: 404 },
  'GET /api/company/company': { ok: 200 },
  'GET /api/company/employees': { ok: 200 },
  'GET /api/company/employee-names': { ok: 200 },
  'GET /api/company/employees/{id}': { params: (a) => ({ id: a.employeeId }), ok: 200, companyOwned: true },
  // Writes get a body (or no version) that is refused before anything changes: the point here is
  // who gets past the door; the behaviour is tested in tests/api/company.test.mjs.
  'PATCH /api/company/legal-entities/{id}': { params: (a) => ({ id: a.legalEntityId }), body: {}, ok: 400 },
  'GET /api/company/consignees': { ok: 200 },
  'POST /api/company/consignees': { body: {}, ok: 400 },
  'PATCH /api/company/consignees/{id}': { params: () => ({ id: 'csg_none' }), body: {}, ok: 400 },
  'DELETE /api/company/consignees/{id}': { params: () => ({ id: 'csg_none' }), ok: 400 },
  'POST /api/company/employees': { body: {}, ok: 400 },
  'PATCH /api/company/employees/{id}': { params: (a) => ({ id: a.employeeId }), body: {}, ok: 400 },
  'DELETE /api/company/employees/{id}': { params: (a) => ({ id: a.employeeId }), ok: 400 },
  'POST /api/company/employees/{id}/erasure': { params: (a) => ({ id: a.employeeId }), ok: 400 },
  'GET /api/company/audit': { ok: 200 },
  'GET /api/finance/credit': { ok: 200 },
  'GET /api/finance/schedule': { ok: 200 },
  'GET /api/finance/account': { ok: 200 },
  'POST /api/finance/account/payments': { body: {}, ok: 400 },
  'GET /api/orders/orders': { ok: 200 },
  'GET /api/orders/orders.csv': { ok: 200 },
  'GET /api/orders/orders/{id}': { params: () => ({ id: 'ord_none' }), ok: 404 },
  'GET /api/orders/catalog': { ok: 400 },
  // A thumbnail nobody stored: the door is what is checked (tests/api/cml-images.test.mjs serves one).
  'GET /api/orders/catalog/images/{id}/{size}': { params: () => ({ id: '0'.repeat(32), size: '160' }), ok: 404 },
  'POST /api/orders/orders/{id}/cancellation': { params: () => ({ id: 'ord_none' }), body: {}, ok: 400 },
  'POST /api/orders/orders/{id}/payment-method': { params: () => ({ id: 'ord_none' }), body: {}, ok: 400 },
  'PATCH /api/orders/orders/{id}': { params: () => ({ id: 'ord_none' }), body: {}, ok: 400 },
  'POST /api/orders/pasted-lines': { body: {}, ok: 400 },
  'POST /api/orders/consolidations': { body: {}, ok: 400 },
  'POST /api/orders/orders/{id}/repeat': { params: () => ({ id: 'ord_none' }), ok: 404, companyOwned: true },
  'GET /api/orders/orders/{id}/repeat-draft': { params: () => ({ id: 'ord_none' }), ok: 404, companyOwned: true },
  'POST /api/orders/orders/{id}/repeat-draft': { params: () => ({ id: 'ord_none' }), body: {}, ok: 400 },
  'POST /api/orders/orders/{id}/card-payments': { params: () => ({ id: 'ord_none' }), ok: 404, companyOwned: true },
  // The acquirer's notifications: open to anyone (the payment is re-read from the API); an empty
  // body names no payment.
  'POST /api/orders/card-notifications': { body: {}, ok: 400 },
  'GET /api/documents/documents': { ok: 200 },
  'GET /api/documents/documents/{id}': { params: (a) => ({ id: a.documentId }), ok: 200, companyOwned: true },
  'GET /api/documents/files/{id}': { params: (a) => ({ id: a.fileId }), ok: 200, companyOwned: true },
  'GET /api/documents/orders/{id}': { params: (a) => ({ id: a.orderId }), ok: 200, companyOwned: true },
  'GET /api/documents/orders/{id}/archive': { params: (a) => ({ id: a.orderId }), ok: 200, companyOwned: true },
  'GET /api/documents/acts': { ok: 200 },
  'POST /api/documents/acts': { body: {}, ok: 400 },
  'GET /api/documents/acts/{id}': { params: (a) => ({ id: a.actId }), ok: 200, companyOwned: true },
  'GET /api/documents/acts/{id}/files/{no}': { params: (a) => ({ id: a.actId, no: '1' }), ok: 200, companyOwned: true },
  'GET /api/returns/returns': { ok: 200 },
  'POST /api/returns/returns': { body: {}, ok: 422 },
  'GET /api/returns/returnable-orders': { ok: 200 },
  'GET /api/returns/returnable-orders/{id}': { params: (a) => ({ id: a.returnOrderId }), ok: 200, companyOwned: true },
  'GET /api/returns/returns/{id}': { params: (a) => ({ id: a.returnId }), ok: 200, companyOwned: true },
  // A JSON body is not a photo: refused before anything is stored.
  'POST /api/returns/returns/{id}/photos': { params: (a) => ({ id: a.returnId }), body: {}, ok: 415, companyOwned: true },
  'GET /api/returns/returns/{id}/photos/{photo}': { params: (a) => ({ id: a.returnId, photo: a.photoId }), ok: 200, companyOwned: true },
  'POST /exchange/v1/messages': { body: {}, ok: null },
  'GET /exchange/v1/capabilities': { ok: null },
  'POST /exchange/v1/manifest': { body: {}, ok: null },
  'POST /exchange/v1/message-status': { body: {}, ok: null },
  'POST /exchange/v1/changes/pull': { body: {}, ok: null },
  'POST /exchange/v1/changes/ack': { body: {}, ok: null },
  'PUT /exchange/v1/files/{key}': { params: () => ({ key: 'x.pdf' }), body: {}, ok: null },
  'POST /exchange/v1/sweep': { body: {}, ok: null },
  'POST /exchange/v1/test/order-changes': { body: {}, ok: null },
  'GET /exchange/v1/monitor': { ok: null },
  'POST /exchange/v1/monitor/replays': { body: {}, ok: null },
  'POST /exchange/v1/monitor/resyncs': { body: {}, ok: null },
  'GET /exchange/1c/commerceml': { ok: null },
  'POST /exchange/1c/commerceml': { ok: null },
  'GET /exchange/1c/commerceml/bench': { ok: null },
};

const routes = JSON.parse(execFileSync('cargo', ['run', '-q', '-p', 'shared', '--bin', 'portal-routes'], { encoding: 'utf8' }));
let A, B, personas;

before(async () => {
  A = await freshCompany([['admin'], ['buyer'], ['accountant']]);
  B = await freshCompany([['admin', 'buyer', 'accountant']]);
  personas = {};
  for (const [name, co, idx] of [['admin', A, 0], ['buyer', A, 1], ['accountant', A, 2], ['other-company', B, 0]]) {
    const c = new Client();
    const r = await c.signIn(co.users[idx].email, co.users[idx].password);
    assert.equal(r.status, 200);
    personas[name] = { client: c, roles: co.users[idx].roles };
  }
  const list = await personas.admin.client.get('/api/company/employees');
  A.employeeId = list.body.items.find((e) => e.email === A.users[1].email).id;
  A.legalEntityId = (await personas.admin.client.get('/api/company/company')).body.legal_entities[0].id;
  A.name = `Компания ${A.id}`;
  // A's documents (an order with files) and an act, for the documents routes.
  await multiVehicleOrder(A.id);
  const doc = (await personas.admin.client.get('/api/documents/documents')).body.items[0];
  [A.documentId, A.fileId, A.orderId] = [doc.id, doc.files[0].id, doc.orders[0].order_id];
  A.actId = `${A.id}-act`;
  const actPdf = await pdfFile('Акт сверки.pdf');
  await sendAndApply([actMsg(A.id, A.actId, { from: '2026-07-01', to: '2026-09-30', opening: 0, operations: [], files: [actPdf] })]);
  // A's return with a photo, for the returns routes.
  await shippedOrder(A.id);
  const buyer = personas.buyer.client;
  A.returnOrderId = (await buyer.get('/api/returns/returnable-orders')).body.items[0].id;
  const ret = await buyer.post('/api/returns/returns', { order_id: A.returnOrderId, reason: 'defect', lines: [{ line_no: 1, quantity: 1 }] });
  assert.equal(ret.status, 201);
  A.returnId = ret.body.return.id;
  const photo = await fetch(`${PORTAL}/api/returns/returns/${A.returnId}/photos`, { method: 'POST', body: PNG,
    headers: { 'content-type': 'image/png', origin: PORTAL, 'cf-connecting-ip': buyer.ip, cookie: [...buyer.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  assert.equal(photo.status, 201);
  A.photoId = (await photo.json()).id;
});

test('the matrix lists exactly the routers\' routes', () => {
  const routed = routes.map((r) => `${r.method} ${r.path}`).sort();
  assert.deepEqual(routed, Object.keys(MATRIX).sort());
});

function fill(path, params) {
  return path.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(params[k]));
}

function checkHeaders(r, what) {
  for (const h of SECURITY_HEADERS) assert.ok(r.headers.get(h), `${what}: header ${h}`);
}

for (const route of routes) {
  const key = `${route.method} ${route.path}`;
  test(`matrix: ${key}`, async () => {
    const m = MATRIX[key];
    assert.ok(m, `${key} is not in the matrix`);
    const path = fill(route.path, m.params ? m.params(A) : {});
    const call = (client) => client.req(route.method, path, m.body);

    // Signed out.
    const anon = await call(new Client());
    checkHeaders(anon, `${key} signed out`);
    if (route.access === 'public') {
      assert.equal(anon.status, m.ok, `${key} signed out`);
      return;
    }
    assert.equal(anon.status, 401, `${key} signed out`);
    if (route.access === 'onec' || route.access === 'monitor' || route.access === 'commerceml') {
      // 1C and monitor routes take no client session at all: a signed-in browser is refused too.
      for (const [name, p] of Object.entries(personas)) assert.equal((await call(p.client)).status, 401, `${key} as ${name}`);
      return;
    }
    for (const [name, p] of Object.entries(personas)) {
      const r = await call(p.client);
      checkHeaders(r, `${key} as ${name}`);
      const allowed = route.roles.length === 0 || p.roles.some((x) => route.roles.includes(x));
      if (!allowed) {
        assert.equal(r.status, 403, `${key} as ${name}`);
      } else if (name === 'other-company') {
        // Another company's resource is a 404, exactly like a missing one; lists show only B's data.
        assert.equal(r.status, m.companyOwned ? 404 : m.ok, `${key} as ${name}`);
        assert.ok(!JSON.stringify(r.body).includes(A.id), `${key} as ${name} leaks company A`);
      } else {
        assert.equal(r.status, m.ok, `${key} as ${name}`);
      }
    }
  });
}
