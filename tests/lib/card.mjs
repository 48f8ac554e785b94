// Card payment helpers: an order 1C sent that a buyer may pay by card, and the simulator's
// YooKassa (settle a payment without a browser, forge a notification, read what it sent).
import { SIM, sendAndApply, uid } from './portal.mjs';

/** A reserved invoice order of 1250.00 (3 pcs not dividing evenly, 2.5 kg at 20% VAT). */
export async function payableOrder(company, suffix = 'card') {
  const id = `${company}-${suffix}`;
  const number = `ЗК-К${id.slice(-8)}`;
  await sendAndApply([{ id: uid('m'), type: 'order', entity_id: id, seq: 1, payload: {
    company_id: company, legal_entity_id: `${company}-le`, agreement_id: `${company}-ag`, number, date: '2026-11-27T10:00:00',
    status: 'reserved', payment_method: 'invoice', total: 1250, vat_total: 41.67,
    lines: [
      { line_no: 1, article: 'КП-101', name: 'Подшипник 6205-2RS', quantity: 3, unit: 'шт', price: 333.33, amount: 1000, vat_rate: null, vat: 0 },
      { line_no: 2, article: 'КП-102', name: 'Смазка Литол-24', quantity: 2.5, unit: 'кг', price: 100, amount: 250, vat_rate: 20, vat: 41.67 },
    ] } }]);
  return { onecId: id, number };
}

/** What the buyer would do on the hosted page: `succeed` or `cancel`; the simulator notifies. */
export async function settle(paymentId, action) {
  const r = await fetch(`${SIM}/yookassa/control/payments/${paymentId}/${action}`, { method: 'POST' });
  if (r.status !== 200) throw new Error(`settle ${paymentId}: ${r.status}`);
  return r.json();
}

/** A notification claiming success that the API does not confirm. */
export async function forgeNotification(paymentId) {
  const r = await fetch(`${SIM}/yookassa/control/payments/${paymentId}/forged-notification`, { method: 'POST' });
  if (r.status !== 200) throw new Error(`forge ${paymentId}: ${r.status}`);
}

export async function notificationsSent() {
  return (await fetch(`${SIM}/yookassa/control/notifications`)).json();
}

export async function until(check, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
