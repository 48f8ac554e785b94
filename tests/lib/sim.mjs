// The simulated 1C as a model, for the tests of the loops it closes (tests/api/sim-*.test.mjs):
// what 1C holds is recorded in the simulator (`/control/model`) and sent to the portal, so after
// accepting a client change the simulator applies it and sends the snapshots 1C would send.
// Decision rules per test (`/control/answer` with `match`), manager actions (`/control/manager`).
import assert from 'node:assert/strict';
import { Client, SIM, companyMsg, consent, linkToken, sendAndApply, userMsg, uid } from './portal.mjs';

async function control(path, body) {
  const res = await fetch(`${SIM}${path}`, { method: 'POST', body: JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** 1C holds these (the simulator records them), and has sent them to the portal. */
export async function simSend(messages) {
  await control('/control/model', { messages });
  return sendAndApply(messages);
}

/** A fresh company that 1C holds, with one signed-in client per role set. */
export async function simCompany(rolesList = [['buyer'], ['accountant']], password = 'Test-password-2026') {
  const c = uid('c');
  const users = rolesList.map((roles, i) => ({ entity: `${c}-u${i}`, email: `${c}-u${i}@test.demo`, roles }));
  await simSend([companyMsg(c, 1, `Компания ${c}`), ...users.map((u) => userMsg(u.entity, 1, c, u.email, u.roles))]);
  const clients = [];
  for (const u of users) {
    const token = await linkToken(u.email);
    const r = await new Client().post('/api/auth/password-resets', { token, password });
    if (r.status !== 204) throw new Error(`set password: ${r.status} ${JSON.stringify(r.body)}`);
    const client = new Client();
    assert.equal((await client.signIn(u.email, password)).status, 200);
    await consent(client);
    clients.push(client);
  }
  return { id: c, users, clients };
}

/** How 1C decides this test's changes (those whose body contains `match`, e.g. the company id):
 * `mode` accept | reject | receive (answer `received`, decide `then` after `delay_ms`) | fail;
 * `type` limits it to one change type; `apply_delay_ms` is the wait before the snapshots;
 * `decision` (approve | partly | reject) decides a return. `mode: 'clear'` drops the rule. */
export async function simRule(match, rule) {
  return control('/control/answer', { match, ...rule });
}

/** A manager's action in 1C (edit_order, phone_order, ship, block_credit, unblock_credit,
 * bank_payment); answers what 1C will send. */
export async function simManager(action, body) {
  return control('/control/manager', { action, ...body });
}

/** Polls until `check` returns a truthy value (the loops close within 30 s). */
export async function until(check, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A product at the company's price type (`pt-opt`). */
export function product(c, n, price) {
  return { id: uid('m'), type: 'product', entity_id: `${c}-p${n}`, seq: 1, payload: {
    article: `${c.slice(-4).toUpperCase()}-${n}`, name: `Фильтр ${n}`, unit: 'шт', vat_rate: 20,
    prices: [{ price_type: { id: 'pt-opt', name: 'Оптовая' }, price }], stock: [{ warehouse: 'Краснодар', quantity: 100 }] } };
}

/** An order in 1C; `lines` are [productNumber, qty, price]. */
export function order(c, n, { status = 'awaiting_payment', method = 'invoice', lines, paid = 0, extra = {} }) {
  const ls = lines.map(([p, q, price], i) => {
    const amount = Math.round(q * price * 100) / 100;
    return { line_no: i + 1, product_id: `${c}-p${p}`, article: `${c.slice(-4).toUpperCase()}-${p}`, name: `Фильтр ${p}`,
      quantity: q, unit: 'шт', price, amount, vat_rate: 20, vat: Math.round(amount * 20 / 120 * 100) / 100 };
  });
  const total = Math.round(ls.reduce((s, l) => s + l.amount, 0) * 100) / 100;
  const vat = Math.round(ls.reduce((s, l) => s + l.vat, 0) * 100) / 100;
  return { id: uid('m'), type: 'order', entity_id: `${c}-o${n}`, seq: 1, payload: {
    company_id: c, legal_entity_id: `${c}-le`, agreement_id: `${c}-ag`, number: `ЗК-${c.slice(-4)}-${n}`, date: '2026-11-20T10:00:00',
    status, payment_method: method, delivery_method: 'pickup', paid, total, vat_total: vat, planned_shipping_date: '2026-12-01T00:00:00',
    lines: ls, shipments: [], ...extra } };
}

export function credit(c, { limit, debt = 0, reserve = 0, orders = [] }) {
  return { id: uid('m'), type: 'credit_state', entity_id: `${c}-ag`, seq: 1, payload: { company_id: c, agreement_id: `${c}-ag`,
    as_of: '2026-11-27T18:00:00', limit, debt, overdue_debt: 0, reserve, reserve_orders: orders, blocked: false, amount_to_pay: 0 } };
}

/** The portal's id of the company's order `n` (as the client's list shows it). */
export async function orderId(client, c, n) {
  const list = (await client.get('/api/orders/orders')).body.items;
  const o = list.find((x) => x.number === `ЗК-${c.slice(-4)}-${n}`);
  assert.ok(o, `order ${n} of ${c} in ${JSON.stringify(list.map((x) => x.number))}`);
  return o.id;
}

export const page = async (client, id) => (await client.get(`/api/orders/orders/${id}`)).body;
