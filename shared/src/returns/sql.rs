//! All SQL of the returns capability. Every query is scoped by the caller's company id.

/// Shipped quantity of an order line: the sum over the order's shipments.
macro_rules! shipped {
    ($order:literal, $company:literal, $line:literal) => {
        concat!(
            "(SELECT coalesce(sum(sl.qty_milli), 0) FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id \
             WHERE s.order_id = ", $order, " AND s.company_id = ", $company, " AND sl.line_no = ", $line, ")"
        )
    };
}

/// What the order's returns hold of a line (`rules::Status::claims`): nothing once rejected,
/// 1C's accepted quantity once approved or completed, else the request.
macro_rules! claimed {
    ($order:literal, $company:literal, $line:literal) => {
        concat!(
            "(SELECT coalesce(sum(CASE WHEN r.status IN ('approved', 'completed') THEN coalesce(rl.approved_milli, rl.qty_milli) ELSE rl.qty_milli END), 0) \
             FROM return_lines rl JOIN returns r ON r.id = rl.return_id \
             WHERE r.order_id = ", $order, " AND r.company_id = ", $company, " AND r.status <> 'rejected' AND rl.line_no = ", $line, ")"
        )
    };
}

pub const COMPANY_ONEC_ID: &str = "SELECT onec_id FROM companies WHERE id = ?";

/// `?1` order id, `?2` company id.
pub const ORDER: &str = "SELECT o.id, o.onec_id, o.number, o.ordered_at, o.status FROM orders o WHERE o.id = ?1 AND o.company_id = ?2";

/// `?1` order id, `?2` company id.
pub const ORDER_LINES: &str = concat!(
    "SELECT ol.line_no, ol.article, ol.name, ol.unit, ol.product_onec_id, ol.price_kop, ol.qty_milli AS ordered_milli, ",
    shipped!("?1", "?2", "ol.line_no"),
    " AS shipped_milli, ",
    claimed!("?1", "?2", "ol.line_no"),
    " AS claimed_milli FROM order_lines ol WHERE ol.order_id = ?1 AND ol.company_id = ?2 ORDER BY ol.line_no"
);

/// Orders with something left to return, newest first (`?1` company id); the number filter is
/// applied in Rust, since SQLite folds only ASCII case.
pub const RETURNABLE_ORDERS: &str = concat!(
    "SELECT o.id, o.onec_id, o.number, o.ordered_at, o.status FROM orders o WHERE o.company_id = ?1 AND o.status <> 'cancelled' AND EXISTS (\
       SELECT 1 FROM order_lines ol WHERE ol.order_id = o.id AND ",
    shipped!("o.id", "?1", "ol.line_no"),
    " - ",
    claimed!("o.id", "?1", "ol.line_no"),
    " > 0) ORDER BY o.ordered_at DESC, o.id LIMIT 500"
);

/// The return, written only if every requested quantity still fits what is left of its line:
/// checked inside the batch's transaction, so two requests for the same remainder cannot both
/// pass. `?1` order id, `?2` company id, `?3` return id, `?8` JSON `[{line_no, qty}]`.
pub const RETURN_INSERT_IF_RETURNABLE: &str = concat!(
    "INSERT INTO returns (id, company_id, order_id, status, reason_code, comment, created_by, created_at, updated_at) \
     SELECT ?3, ?2, ?1, 'requested', ?4, ?5, ?6, ?7, ?7 \
     WHERE EXISTS (SELECT 1 FROM orders WHERE id = ?1 AND company_id = ?2) \
       AND NOT EXISTS (SELECT 1 FROM json_each(?8) j WHERE json_extract(j.value, '$.qty') > ",
    shipped!("?1", "?2", "json_extract(j.value, '$.line_no')"),
    " - ",
    claimed!("?1", "?2", "json_extract(j.value, '$.line_no')"),
    ")"
);

/// Guard for the rest of the batch: the return above was written.
pub const RETURN_WRITTEN: &str = "EXISTS (SELECT 1 FROM returns WHERE id = ?)";

pub const RETURN_LINES_INSERT: &str = "INSERT INTO return_lines (return_id, company_id, line_no, qty_milli) \
     SELECT ?1, ?2, json_extract(value, '$.line_no'), json_extract(value, '$.qty') FROM json_each(?3) \
     WHERE EXISTS (SELECT 1 FROM returns WHERE id = ?1)";

/// Newest first; `?2` status or NULL; `(created_at, id)` below the cursor.
pub const RETURNS_PAGE: &str = "SELECT r.id, r.number, r.status, r.reason_code, r.reject_reason, r.refund_kop, r.created_at, r.updated_at, \
       o.id AS order_id, o.number AS order_number, \
       (SELECT count(*) FROM return_lines rl WHERE rl.return_id = r.id) AS line_count, \
       (SELECT coalesce(sum((rl.qty_milli * ol.price_kop + 500) / 1000), 0) FROM return_lines rl \
          JOIN order_lines ol ON ol.order_id = r.order_id AND ol.line_no = rl.line_no WHERE rl.return_id = r.id) AS requested_kop \
     FROM returns r JOIN orders o ON o.id = r.order_id \
     WHERE r.company_id = ?1 AND (?2 IS NULL OR r.status = ?2) \
       AND (?3 IS NULL OR r.created_at < ?3 OR (r.created_at = ?3 AND r.id < ?4)) \
     ORDER BY r.created_at DESC, r.id DESC LIMIT ?5";

pub const RETURN: &str = "SELECT r.id, r.onec_id, r.number, r.status, r.reason_code, r.comment, r.reject_reason, r.refund_kop, r.created_at, \
       r.updated_at, r.version, u.full_name AS created_by_name, o.id AS order_id, o.number AS order_number \
     FROM returns r JOIN orders o ON o.id = r.order_id LEFT JOIN users u ON u.id = r.created_by \
     WHERE r.id = ?1 AND r.company_id = ?2";

/// The return's lines beside the order's (`?1` return id, `?2` company id).
pub const RETURN_LINES: &str = "SELECT rl.line_no, ol.article, ol.name, ol.unit, ol.price_kop, rl.qty_milli AS requested_milli, rl.approved_milli \
     FROM return_lines rl JOIN returns r ON r.id = rl.return_id \
     LEFT JOIN order_lines ol ON ol.order_id = r.order_id AND ol.line_no = rl.line_no \
     WHERE rl.return_id = ?1 AND r.company_id = ?2 ORDER BY rl.line_no";

/// The refunds 1C credited for the return (`?2` its 1C id).
pub const REFUNDS: &str = "SELECT onec_id AS id, at, amount_kop, comment FROM account_movements \
     WHERE company_id = ?1 AND kind = 'refund' AND return_onec_id = ?2 ORDER BY at, onec_id";

/// What happened to the return: the client's request (with 1C's verdict on it) and 1C's status
/// messages, which name it by 1C's id.
pub const HISTORY: &str = "SELECT a.at, a.kind, a.after_json, a.onec_answer, u.full_name AS user_name FROM audit_log a \
     LEFT JOIN users u ON u.id = a.user_id \
     WHERE a.company_id = ?1 AND a.entity_type = 'return' AND (a.entity_id = ?2 OR a.entity_id = ?3) \
     ORDER BY a.at, a.rowid";

/// The requesting user's name, as a return's page shows it.
pub const USER_NAME: &str = "SELECT full_name FROM users WHERE id = ?";

pub const RETURN_STATUS: &str = "SELECT status FROM returns WHERE id = ?1 AND company_id = ?2";

pub const PHOTOS: &str = "SELECT id, content_type, size, uploaded_at FROM return_photos WHERE return_id = ?1 AND company_id = ?2 ORDER BY uploaded_at, rowid";

pub const PHOTO: &str = "SELECT p.blob_key, p.content_type FROM return_photos p \
     WHERE p.id = ?1 AND p.return_id = ?2 AND p.company_id = ?3";

pub const PHOTO_MAX_PER_RETURN: i64 = 10;

/// A photo row, only while the return is the company's, still requested, and below the limit.
pub const PHOTO_INSERT: &str = "INSERT INTO return_photos (id, return_id, company_id, blob_key, content_type, size, uploaded_by, uploaded_at) \
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 \
     WHERE EXISTS (SELECT 1 FROM returns WHERE id = ?2 AND company_id = ?3 AND status = 'requested') \
       AND (SELECT count(*) FROM return_photos WHERE return_id = ?2) < ?9";

pub const PHOTO_WRITTEN: &str = "EXISTS (SELECT 1 FROM return_photos WHERE id = ?)";

/// 1C accepted the request and named its return: its snapshots now find the portal's record.
pub const RETURN_LINK_ONEC: &str =
    "UPDATE returns SET onec_id = ?1 WHERE id = ?2 AND onec_id IS NULL";

/// 1C refused the request outright (no return document): it is rejected with 1C's reason.
pub const RETURN_REFUSED: &str = "UPDATE returns SET status = 'rejected', reject_reason = ?1, version = version + 1, updated_at = ?2 \
     WHERE id = ?3 AND status = 'requested'";
