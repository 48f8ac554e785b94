// Orders as 1C sends them, the catalogue with the company's prices, and the shipping calendar.
// Shared by the HTTP and browser tests of the orders section.
import { sendAndApply, uid } from './portal.mjs';

const iso = (d) => d.toISOString().slice(0, 10);
export const day = (offset) => iso(new Date(Date.now() + offset * 86400000));

/** Working days are every day but Sunday, from today for 120 days. The content depends only on
 * the date and `seq` only grows, so tests sending it side by side agree. */
export async function shippingCalendar() {
  const daysOff = [];
  for (let i = 0; i <= 120; i++) if (new Date(Date.now() + i * 86400000).getUTCDay() === 0) daysOff.push(`${day(i)}T00:00:00`);
  await sendAndApply([{ id: uid('m'), type: 'shipping_calendar', entity_id: 'main', seq: Date.now(), payload: {
    from: `${day(0)}T00:00:00`, to: `${day(120)}T00:00:00`, days_off: daysOff } }]);
}

/** The next working day at least `after` days ahead, and the next Sunday (a day off). */
export function shippingDays(after = 3) {
  let i = after;
  while (new Date(Date.now() + i * 86400000).getUTCDay() === 0) i++;
  let s = after;
  while (new Date(Date.now() + s * 86400000).getUTCDay() !== 0) s++;
  return { working: day(i), dayOff: day(s) };
}

/** Products priced on the company's agreement price type (`pt-opt`, see companyMsg). */
export function productMsg(company, n, { price, name = `Подшипник ${n}`, stock = 10 }) {
  return { id: uid('m'), type: 'product', entity_id: `${company}-p${n}`, seq: 1, payload: {
    article: `${company.slice(-4).toUpperCase()}-${n}`, name, unit: 'шт', vat_rate: 20,
    prices: price == null ? [] : [{ price_type: { id: 'pt-opt', name: 'Оптовая' }, price }],
    stock: [{ warehouse: 'Краснодар', quantity: stock }] } };
}

export const article = (company, n) => `${company.slice(-4).toUpperCase()}-${n}`;

/** An order from 1C; `lines` are [productNumber, qty, price]. */
export function orderMsg(company, n, { status = 'awaiting_payment', method = 'invoice', lines, paid = 0, seq = 1, date = '2026-11-20T10:00:00', extra = {} }) {
  const ls = lines.map(([p, q, price], i) => ({ line_no: i + 1, product_id: `${company}-p${p}`, article: article(company, p), name: `Подшипник ${p}`,
    quantity: q, unit: 'шт', price, amount: Math.round(q * price * 100) / 100, vat: 0 }));
  const total = Math.round(ls.reduce((s, l) => s + l.amount, 0) * 100) / 100;
  return { id: uid('m'), type: 'order', entity_id: `${company}-o${n}`, seq, payload: {
    company_id: company, legal_entity_id: `${company}-le`, agreement_id: `${company}-ag`, number: `ЗК-${company.slice(-4)}-${n}`, date,
    status, payment_method: method, paid, total, vat_total: 0, planned_shipping_date: '2026-12-01T00:00:00', lines: ls, ...extra } };
}

export function creditMsg(company, { limit, debt = 0, reserve = 0, orders = [], blocked = false, seq = 1 }) {
  return { id: uid('m'), type: 'credit_state', entity_id: `${company}-ag`, seq, payload: { company_id: company, agreement_id: `${company}-ag`,
    as_of: '2026-11-27T18:00:00', limit, debt, overdue_debt: 0, reserve, reserve_orders: orders, blocked, amount_to_pay: 0 } };
}
