// Returns as 1C sees them: a shipped order to return goods from, 1C's decisions on a return
// (`return` snapshots carrying the portal's id) and the refund to the internal account
// (`account_movement`). Shared by the HTTP and browser tests.
import { sendAndApply, uid } from './portal.mjs';

/** An order of three lines: line 1 (10 pcs) shipped 6 + 2, line 2 (4 pcs) shipped 4, line 3 not shipped. */
export async function shippedOrder(company) {
  const id = `${company}-ro`;
  const number = `ЗК-В${id.slice(-6)}`;
  await sendAndApply([{ id: uid('m'), type: 'order', entity_id: id, seq: 1, payload: {
    company_id: company, legal_entity_id: `${company}-le`, agreement_id: `${company}-ag`, number, date: '2026-10-01T10:00:00',
    status: 'partly_shipped', payment_method: 'invoice', paid: 1600, total: 1600, vat_total: 0,
    lines: [
      { line_no: 1, article: 'ВЗ-101', name: 'Подшипник 6205', quantity: 10, unit: 'шт', price: 100, amount: 1000, vat: 0 },
      { line_no: 2, article: 'ВЗ-102', name: 'Ремень приводной', quantity: 4, unit: 'шт', price: 125.5, amount: 502, vat: 0 },
      { line_no: 3, article: 'ВЗ-103', name: 'Сальник', quantity: 2, unit: 'шт', price: 49, amount: 98, vat: 0 },
    ],
    shipments: [
      { id: `${id}-s1`, number: 'ОТ-1', date: '2026-10-02T09:00:00', lines: [{ line_no: 1, quantity: 6 }, { line_no: 2, quantity: 4 }] },
      { id: `${id}-s2`, number: 'ОТ-2', date: '2026-10-05T09:00:00', lines: [{ line_no: 1, quantity: 2 }] },
    ] } }]);
  return { onecId: id, number };
}

/** 1C's snapshot of a return the portal requested (found by `portal_id`). */
export function returnMsg(company, onecId, portalId, orderOnecId, seq, { status, lines, refund = 0, reason = null, number = `ВЗ-${onecId.slice(-4)}` }) {
  return { id: uid('m'), type: 'return', entity_id: onecId, seq, payload: {
    company_id: company, portal_id: portalId, order_id: orderOnecId, number, date: '2026-11-20T12:00:00', status,
    reason, lines, refund_amount: refund } };
}

/** The refund 1C credits to the internal account for a completed return. */
export function refundMsg(company, returnOnecId, amount) {
  return { id: uid('m'), type: 'account_movement', entity_id: `${returnOnecId}-mv`, seq: 1, payload: {
    company_id: company, legal_entity_id: `${company}-le`, date: '2026-11-21T10:00:00', kind: 'refund', amount, return_id: returnOnecId,
    comment: 'Возврат денежных средств по возврату товаров' } };
}

/** A 1×1 PNG: real magic bytes, so the type check passes. */
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
