//! The SQL of the client-change record: the outbox row a change is written as, and the page's
//! look at the newest one. Delivery's SQL is the exchange's (`exchange::sql`).

pub const OUTBOX_INSERT: &str = "INSERT INTO outbox (id, company_id, type, entity_type, entity_id, entity_version, payload, next_attempt_at, created_at, user_id, before_json) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// As OUTBOX_INSERT, for a caller that appends ` WHERE <guard>`.
pub const OUTBOX_INSERT_SELECT: &str = "INSERT INTO outbox (id, company_id, type, entity_type, entity_id, entity_version, payload, next_attempt_at, created_at, user_id, before_json) \
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

pub const OUTBOX_LATEST: &str =
    "SELECT status, answer, created_at, answered_at, applied_at FROM outbox \
     WHERE company_id = ? AND entity_type = ? AND entity_id = ? ORDER BY rowid DESC LIMIT 1";

/// A portal change to an order that a stock 1C must hear of at its next
/// `type=sale&mode=query` (the CommerceML exchange, `exchange::cml::sale`).
pub const ORDER_CML_CHANGED: &str = "UPDATE orders SET cml_change = cml_change + 1 WHERE id = ?";

/// The changes a snapshot from 1C results from (`change_ids`, a JSON array in `?3`), of the
/// company the snapshot speaks for (1C id in `?2`): applied, once; refused or dead-lettered ones
/// stay as they are.
pub const OUTBOX_APPLIED: &str = "UPDATE outbox SET applied_at = ?1 \
     WHERE id IN (SELECT value FROM json_each(?3)) AND applied_at IS NULL AND status NOT IN ('rejected', 'failed') \
       AND company_id = (SELECT id FROM companies WHERE onec_id = ?2)";

/// Accepted changes no snapshot has named within the deadline (`?1`: accepted before), for the
/// monitor.
/// Changes 1C has not answered within the deadline (see `Fate::overdue`): not delivered, or
/// delivered and neither answered nor applied.
pub const OUTBOX_WAITING_OVERDUE: &str =
    "SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sent') AND answer IS NULL AND applied_at IS NULL AND created_at < ?1";
/// A `resync.requested` is done once accepted: what 1C resends is its own state, naming no change.
pub const OUTBOX_ACCEPTED_OVERDUE: &str =
    "SELECT count(*) AS n FROM outbox WHERE status = 'accepted' AND applied_at IS NULL AND answered_at < ?1 \
     AND type <> 'resync.requested'";
