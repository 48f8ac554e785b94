// The SQL of the Rust portal, copied verbatim (the text each Rust string literal stands for, after
// its `\` line continuations): SESSION_STATE from shared/src/auth/sql.rs, LIST_WHERE,
// LIST_COLUMNS and TOTALS from shared/src/orders/sql.rs, CREDIT and SCHEDULE from
// shared/src/finance/sql.rs. bench/latency.mjs checks before measuring that each one still equals
// the Rust source, so the baseline cannot drift from the portal unnoticed.

export const SESSION_STATE = "SELECT u.active * c.active AS active, u.security_version, s.revoked_at, s.expires_at FROM "
  + "sessions s JOIN users u ON u.id = s.user_id JOIN companies c ON c.id = s.company_id WHERE s.id = "
  + "? AND s.user_id = ? AND s.company_id = ?";

export const LIST_WHERE = "o.company_id = ?1 AND (?2 IS NULL OR o.ordered_at >= ?2) AND (?3 IS NULL OR o.ordered_at < ?3) "
  + "AND (?4 IS NULL OR o.planned_shipping_date >= ?4) AND (?5 IS NULL OR o.planned_shipping_date <= "
  + "?5) AND (?6 IS NULL OR o.legal_entity_id = ?6) AND (?7 IS NULL OR o.author_user_id = ?7) AND (?8 "
  + "IS NULL OR instr(o.number_norm, ?8) > 0 OR instr(lower(coalesce(o.onec_number, '')), ?8) > 0) "
  + "AND (?9 IS NULL OR o.status IN (SELECT value FROM json_each(?9))) AND (?10 IS NULL OR EXISTS "
  + "(SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND instr(l.search, ?10) > 0)) AND (?11 IS "
  + "NULL OR (SELECT x.status FROM outbox x WHERE x.entity_type = 'order' AND x.entity_id = o.id "
  + "ORDER BY x.rowid DESC LIMIT 1) = ?11)";

export const LIST_COLUMNS = "SELECT o.id, o.number, o.onec_number, o.ordered_at, o.status, o.payment_method, "
  + "o.delivery_method, o.total_kop, o.paid_kop, o.planned_shipping_date, le.name AS legal_entity, "
  + "u.full_name AS author, cg.name AS consignee, EXISTS (SELECT 1 FROM outbox x WHERE x.entity_type "
  + "= 'order' AND x.entity_id = o.id AND x.status IN ('pending', 'sent')) AS changes_waiting, "
  + "coalesce((SELECT x.status = 'rejected' FROM outbox x WHERE x.entity_type = 'order' AND "
  + "x.entity_id = o.id ORDER BY x.rowid DESC LIMIT 1), 0) AS change_rejected, o.cml_change - "
  + "o.cml_closed AS cml_open FROM orders o LEFT JOIN legal_entities le ON le.id = o.legal_entity_id "
  + "LEFT JOIN users u ON u.id = o.author_user_id LEFT JOIN consignees cg ON cg.onec_id = "
  + "o.consignee_onec_id AND cg.company_id = o.company_id";

export const TOTALS = "SELECT count(*) AS count, coalesce(sum(o.total_kop), 0) AS total_kop, coalesce(sum(o.paid_kop), "
  + "0) AS paid_kop FROM orders o";

export const CREDIT = "SELECT a.id, a.name, a.number, a.kind, le.name AS legal_entity, a.deferral_days, "
  + "a.credit_limit_kop, cs.limit_kop, cs.debt_kop, cs.overdue_kop, cs.reserve_kop, cs.blocked, "
  + "cs.amount_to_pay_kop, cs.as_of, coalesce((SELECT sum(l.amount_kop) FROM local_credit_reserves l "
  + "WHERE l.agreement_id = a.id AND (l.kind = 'raise' OR (l.amount_kop > 0 AND NOT EXISTS (SELECT 1 "
  + "FROM credit_reserve_orders r WHERE r.agreement_id = a.id AND r.order_onec_id = l.order_onec_id)) "
  + "OR (l.amount_kop < 0 AND EXISTS (SELECT 1 FROM credit_reserve_orders r WHERE r.agreement_id = "
  + "a.id AND r.order_onec_id = l.order_onec_id)))), 0) AS local_reserve_kop FROM agreements a LEFT "
  + "JOIN legal_entities le ON le.id = a.legal_entity_id LEFT JOIN credit_states cs ON "
  + "cs.agreement_id = a.id WHERE a.company_id = ? AND a.active = 1 ORDER BY le.name IS NULL, "
  + "le.name, a.name";

export const SCHEDULE = "SELECT o.id AS order_id, o.number, le.name AS legal_entity, a.name AS agreement, s.stage_no, "
  + "s.due_date, s.amount_kop, s.paid_kop FROM payment_schedule s JOIN orders o ON o.id = s.order_id "
  + "LEFT JOIN legal_entities le ON le.id = o.legal_entity_id LEFT JOIN agreements a ON a.id = "
  + "s.agreement_id WHERE s.company_id = ?1 AND (?2 = 1 OR s.paid_kop < s.amount_kop) ORDER BY "
  + "s.due_date, o.number, s.stage_no";

/** Where each constant lives in the Rust source (for the check). */
export const RUST_SOURCES = {
  SESSION_STATE: 'shared/src/auth/sql.rs',
  LIST_WHERE: 'shared/src/orders/sql.rs',
  LIST_COLUMNS: 'shared/src/orders/sql.rs',
  TOTALS: 'shared/src/orders/sql.rs',
  CREDIT: 'shared/src/finance/sql.rs',
  SCHEDULE: 'shared/src/finance/sql.rs',
};
