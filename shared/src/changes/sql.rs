//! The SQL of the client-change record: the outbox row a change is written as, and the page's
//! look at the newest one. Delivery's SQL is the exchange's (`exchange::sql`).

pub const OUTBOX_INSERT: &str = "INSERT INTO outbox (id, company_id, type, entity_type, entity_id, entity_version, payload, next_attempt_at, created_at, user_id, before_json) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// As OUTBOX_INSERT, for a caller that appends ` WHERE <guard>`.
pub const OUTBOX_INSERT_SELECT: &str = "INSERT INTO outbox (id, company_id, type, entity_type, entity_id, entity_version, payload, next_attempt_at, created_at, user_id, before_json) \
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

pub const OUTBOX_LATEST: &str = "SELECT status, answer, created_at, answered_at FROM outbox \
     WHERE company_id = ? AND entity_type = ? AND entity_id = ? ORDER BY rowid DESC LIMIT 1";

/// A portal change to an order that a stock 1C must hear of at its next
/// `type=sale&mode=query` (the CommerceML exchange, `exchange::cml::sale`).
pub const ORDER_CML_CHANGED: &str = "UPDATE orders SET cml_change = cml_change + 1 WHERE id = ?";
