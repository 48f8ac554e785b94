// Documents as 1C УТ 11 has them (issue 17), over HTTP on the real stack: a УПД corrected by an
// ИУПД (the order's set and the list show the correction, the original stays in history with its
// file); one УКД correcting two УПД of an order, shown under both; lines with VAT 22% and "без НДС"
// and their ОКЕИ codes; every 1С-ЭДО state the contract lists mapped to the portal's status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, PORTAL, freshCompany, onecPost, batch, sendAndApply, uid } from '../lib/portal.mjs';
import { orderMsg, pdf, pdfFile } from '../lib/documents.mjs';

async function signedIn(co, idx = 0) {
  const c = new Client();
  const r = await c.req('POST', '/api/auth/sign-in', { email: co.users[idx].email, password: co.users[idx].password });
  assert.equal(r.status, 200);
  return c;
}

/** A УПД of the company's order at 22% with its PDF; `extra` overrides payload fields. */
function upd(co, id, number, { files = [], ...extra } = {}) {
  return { id: uid('m'), type: 'document', entity_id: id, seq: extra.seq ?? 1, payload: {
    company_id: co, legal_entity_id: `${co}-le`, kind: 'upd', kind_name: 'УПД', number, date: '2026-08-03T12:00:00',
    upd_status: 1, amount: 1220, vat: 220, orders: [`${co}-o1`],
    lines: [{ line_no: 1, article: 'AZ-1', name: 'Фильтр масляный', quantity: 10, unit: 'шт', unit_code: '796', price: 122, amount: 1220, vat_rate: '22%', vat: 220 }],
    files: files.map(({ bytes, ...f }) => f), edo_state: 'Подписан', ...extra } };
}

/** A company with an accountant and an order shipped by two vehicles. */
async function world() {
  const co = await freshCompany([['accountant']]);
  const o = `${co.id}-o1`;
  await sendAndApply([orderMsg(co.id, o, `ЗК-${o.slice(-8)}`, [
    { id: `${o}-s1`, number: 'ОТ-1', date: '2026-08-03T09:00:00' }, { id: `${o}-s2`, number: 'ОТ-2', date: '2026-08-04T09:00:00' }])]);
  const acc = await signedIn(co);
  const list = async () => (await acc.get('/api/documents/documents')).body.items;
  const orderId = async () => (await list()).find((d) => d.orders.length)?.orders[0].order_id;
  return { co, acc, list, orderId };
}

test('a УПД corrected by an ИУПД: the set shows the correction, history keeps the original and its file', async () => {
  const { co, acc, list, orderId } = await world();
  const c = co.id;
  const original = await pdfFile('УПД № 1 от 03.08.2026.pdf', 'original');
  const fix1 = await pdfFile('ИУПД № 1 исправление 1.pdf', 'fix1');
  const fix2 = await pdfFile('ИУПД № 1 исправление 2.pdf', 'fix2');
  const fix = (n, date, file) => upd(c, `${c}-d1-fix${n}`, 'УПД-1', { correction_of: `${c}-d1`, correction_no: n, correction_date: date, files: [file] });
  // The second correction comes first: applied, shown, nothing lost when the rest arrives.
  await sendAndApply([fix(2, '2026-08-12T10:00:00', fix2)]);
  assert.deepEqual((await list()).map((d) => d.correction_no), [2]);
  await sendAndApply([upd(c, `${c}-d1`, 'УПД-1', { files: [original] }), fix(1, '2026-08-10T10:00:00', fix1)]);

  const items = await list();
  assert.equal(items.length, 1, 'the list shows the current version only');
  assert.deepEqual([items[0].number, items[0].correction_no, items[0].correction_date], ['УПД-1', 2, '2026-08-12T07:00:00.000Z']);
  const set = (await acc.get(`/api/documents/orders/${await orderId()}`)).body;
  assert.deepEqual(set.items.map((i) => [i.number, i.correction_no]), [['УПД-1', 2]]);
  assert.deepEqual(set.items[0].files.map((f) => f.name), ['ИУПД № 1 исправление 2.pdf']);

  const page = (await acc.get(`/api/documents/documents/${items[0].id}`)).body;
  assert.deepEqual(page.history.map((h) => [h.correction_no, h.current]), [[null, false], [1, false], [2, true]]);
  assert.equal(page.corrected_by, null);
  const old = (await acc.get(`/api/documents/documents/${page.history[0].id}`)).body;
  assert.equal(old.corrected_by.id, items[0].id);
  assert.equal(old.corrected_by.correction_no, 2);
  const cookie = [...acc.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(`${PORTAL}/api/documents/files/${old.document.files[0].id}`, { headers: { cookie, 'cf-connecting-ip': acc.ip } });
  assert.equal(res.status, 200, "the original's file still downloads");
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), pdf('original'));
});

test('one УКД correcting two УПД of an order is shown under both', async () => {
  const { co, acc, orderId } = await world();
  const c = co.id;
  await sendAndApply([upd(c, `${c}-d1`, 'УПД-1', { shipment_id: `${c}-o1-s1` }), upd(c, `${c}-d2`, 'УПД-2', { shipment_id: `${c}-o1-s2`, date: '2026-08-04T12:00:00' })]);
  const line = (no, base) => ({ line_no: no, base_id: base, base_line_no: 1, article: 'AZ-1', name: 'Фильтр масляный', quantity: 0, unit: 'шт',
    unit_code: '796', price: -6.1, amount: -61, vat_rate: '22%', vat: -11 });
  const ukd = { id: uid('m'), type: 'document', entity_id: `${c}-k1`, seq: 1, payload: {
    company_id: c, legal_entity_id: `${c}-le`, kind: 'ukd', kind_name: 'УКД', number: 'КУ-1', date: '2026-08-20T12:00:00',
    amount: -122, vat: -22, orders: [`${c}-o1`], corrects: [`${c}-d1`, `${c}-d2`], lines: [line(1, `${c}-d1`), line(2, `${c}-d2`)],
    files: [], edo_state: 'Ожидается ответная подпись' } };
  await sendAndApply([ukd]);
  const set = (await acc.get(`/api/documents/orders/${await orderId()}`)).body;
  for (const n of ['УПД-1', 'УПД-2']) {
    const u = set.items.find((i) => i.number === n);
    assert.deepEqual(u.corrections.map((x) => x.number), ['КУ-1'], n);
  }
  const k = set.items.find((i) => i.kind === 'ukd');
  const page = (await acc.get(`/api/documents/documents/${k.id}`)).body;
  assert.deepEqual(page.corrects.map((x) => x.number), ['УПД-1', 'УПД-2']);
  assert.deepEqual(page.lines.map((l) => l.base_number), ['УПД-1', 'УПД-2']);
  assert.equal(page.document.edo_status, 'delivered');

  // A line naming a УПД the УКД does not correct is refused with the field named.
  const bad = structuredClone(ukd);
  bad.id = uid('m');
  bad.payload.corrects = [`${c}-d1`];
  const r = await onecPost('/exchange/v1/messages', batch([bad]));
  assert.equal(r.body.results[0].status, 'rejected');
  assert.match(r.body.results[0].reason, /lines\[1\]\.base_id/);
});

test('lines with VAT 22% and без НДС keep their rates and ОКЕИ codes as 1C sent them', async () => {
  const { co, acc, list } = await world();
  const c = co.id;
  await sendAndApply([upd(c, `${c}-d1`, 'УПД-1', { amount: 1320, vat: 220, lines: [
    { line_no: 1, article: 'AZ-1', name: 'Фильтр масляный', quantity: 10, unit: 'шт', unit_code: '796', price: 122, amount: 1220, vat_rate: '22%', vat: 220 },
    { line_no: 2, article: 'SRV', name: 'Доставка', quantity: 1.5, unit: 'кг', unit_code: '166', price: 66.67, amount: 100, vat_rate: 'none', vat: 0 }] })]);
  const d = (await list())[0];
  const page = (await acc.get(`/api/documents/documents/${d.id}`)).body;
  assert.deepEqual(page.lines.map((l) => [l.vat_rate, l.vat_kop, l.unit, l.unit_code, l.quantity_milli]),
    [['22%', 22000, 'шт', '796', 10000], ['none', 0, 'кг', '166', 1500]]);
  // Strict at the door: an unknown rate, VAT on a VAT-free line, a malformed ОКЕИ code.
  const bad = (line) => upd(c, `${c}-bad`, 'УПД-X', { amount: 100, vat: line.vat, lines: [{ line_no: 1, name: 'X', quantity: 1, price: 100, amount: 100, ...line }] });
  const r = await onecPost('/exchange/v1/messages', batch([
    bad({ vat_rate: '18%', vat: 15.25 }), bad({ vat_rate: 'none', vat: 1 }), bad({ vat_rate: '20%', vat: 16.67, unit_code: 'шт' })]));
  assert.deepEqual(r.body.results.map((x) => x.status), ['rejected', 'rejected', 'rejected']);
  assert.match(r.body.results[0].reason, /lines\[0\]\.vat_rate/);
  assert.match(r.body.results[1].reason, /lines\[0\]\.vat:/);
  assert.match(r.body.results[2].reason, /lines\[0\]\.unit_code/);
});

test('every 1С-ЭДО state the contract lists maps to the status the accountant sees', async () => {
  const { co, list } = await world();
  const c = co.id;
  const states = {
    'Не начат': 'not_sent', 'Не сформирован': 'not_sent', 'Ожидается утверждение': 'awaiting_signature',
    'Ожидается подписание': 'awaiting_signature', 'Ожидается отправка': 'awaiting_sending',
    'Ожидается извещение о получении': 'sent', 'Ожидается подтверждение оператора': 'sent',
    'Ожидается ответная подпись': 'delivered', 'Ожидается исправление': 'correction_requested', 'Подписан': 'signed',
    'Документооборот завершен': 'signed', 'Отклонен': 'rejected', 'Ожидается аннулирование': 'annulment_requested',
    'Аннулирован': 'cancelled', 'Ошибка передачи': 'delivery_error', 'Закрыт принудительно': 'closed',
  };
  const names = Object.keys(states);
  await sendAndApply(names.map((s, i) => upd(c, `${c}-e${i}`, `Э-${String(i).padStart(2, '0')}`, { edo_state: s })));
  const items = await list();
  for (const [i, s] of names.entries()) {
    const d = items.find((x) => x.number === `Э-${String(i).padStart(2, '0')}`);
    assert.deepEqual([d.edo_state, d.edo_status], [s, states[s]]);
  }
  const r = await onecPost('/exchange/v1/messages', batch([upd(c, `${c}-e-bad`, 'Э-bad', { edo_state: 'Потерян' })]));
  assert.equal(r.body.results[0].status, 'rejected');
  assert.match(r.body.results[0].reason, /edo_state/);
});
