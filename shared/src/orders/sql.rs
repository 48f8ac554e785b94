//! All SQL of the orders capability. Every query is scoped by the caller's company id.

/// The filters of the order list (NULL = any). `?9`: a JSON array of statuses; `?10`: text the
/// order's lines contain (article key or name words, normalised in Rust); `?8`: number text;
/// `?11`: the state of the order's newest change (`rejected`: 1C refused it, the user has to act).
pub const LIST_WHERE: &str = "o.company_id = ?1 \
       AND (?2 IS NULL OR o.ordered_at >= ?2) AND (?3 IS NULL OR o.ordered_at < ?3) \
       AND (?4 IS NULL OR o.planned_shipping_date >= ?4) AND (?5 IS NULL OR o.planned_shipping_date <= ?5) \
       AND (?6 IS NULL OR o.legal_entity_id = ?6) AND (?7 IS NULL OR o.author_user_id = ?7) \
       AND (?8 IS NULL OR instr(o.number_norm, ?8) > 0 OR instr(lower(coalesce(o.onec_number, '')), ?8) > 0) \
       AND (?9 IS NULL OR o.status IN (SELECT value FROM json_each(?9))) \
       AND (?10 IS NULL OR EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND instr(l.search, ?10) > 0)) \
       AND (?11 IS NULL OR (SELECT x.status FROM outbox x WHERE x.entity_type = 'order' AND x.entity_id = o.id ORDER BY x.rowid DESC LIMIT 1) = ?11)";

pub const LIST_COLUMNS: &str = "SELECT o.id, o.number, o.onec_number, o.ordered_at, o.status, o.payment_method, o.delivery_method, o.total_kop, o.paid_kop, \
       o.planned_shipping_date, le.name AS legal_entity, u.full_name AS author, cg.name AS consignee, \
       EXISTS (SELECT 1 FROM outbox x WHERE x.entity_type = 'order' AND x.entity_id = o.id AND x.status IN ('pending', 'sent')) AS changes_waiting, \
       coalesce((SELECT x.status = 'rejected' FROM outbox x WHERE x.entity_type = 'order' AND x.entity_id = o.id ORDER BY x.rowid DESC LIMIT 1), 0) AS change_rejected, \
       o.cml_change - o.cml_closed AS cml_open \
     FROM orders o LEFT JOIN legal_entities le ON le.id = o.legal_entity_id LEFT JOIN users u ON u.id = o.author_user_id \
       LEFT JOIN consignees cg ON cg.onec_id = o.consignee_onec_id AND cg.company_id = o.company_id";

pub const TOTALS: &str = "SELECT count(*) AS count, coalesce(sum(o.total_kop), 0) AS total_kop, coalesce(sum(o.paid_kop), 0) AS paid_kop FROM orders o";

pub const ORDER: &str = "SELECT o.id, o.onec_id, o.number, o.onec_number, o.ordered_at, o.status, o.payment_method, o.delivery_method, o.delivery_address, \
       o.consignee_onec_id, cg.name AS consignee, o.total_kop, o.vat_kop, o.paid_kop, o.planned_shipping_date, o.version, \
       le.name AS legal_entity, a.name AS agreement, a.id AS agreement_id, u.full_name AS author, c.onec_id AS company_onec_id, \
       o.cml_change - o.cml_closed AS cml_open \
     FROM orders o JOIN companies c ON c.id = o.company_id LEFT JOIN legal_entities le ON le.id = o.legal_entity_id \
       LEFT JOIN agreements a ON a.id = o.agreement_id LEFT JOIN users u ON u.id = o.author_user_id \
       LEFT JOIN consignees cg ON cg.onec_id = o.consignee_onec_id AND cg.company_id = o.company_id \
     WHERE o.id = ? AND o.company_id = ?";

/// The payee of the order: the supplier's organisation it is sold from (its own, else its
/// agreement's), with requisites and bank accounts for the invoice and a bank transfer.
pub const PAYEE: &str = "SELECT g.onec_id AS id, g.name, g.full_name, g.inn, g.kpp, g.ogrn, g.address, g.bank_accounts \
     FROM orders o LEFT JOIN agreements a ON a.id = o.agreement_id \
       JOIN organisations g ON g.onec_id = coalesce(o.organisation_onec_id, a.organisation_onec_id) \
     WHERE o.id = ? AND o.company_id = ?";

pub const LINES: &str = "SELECT line_no, product_id, article, name, qty_milli, unit, price_kop, amount_kop, vat_rate_bp, vat_kop, \
       (SELECT coalesce(p.image, (SELECT b.image FROM products b WHERE instr(p.onec_id, '#') > 0 \
          AND b.onec_id = substr(p.onec_id, 1, instr(p.onec_id, '#') - 1))) FROM products p WHERE p.id = order_lines.product_id) AS image \
     FROM order_lines WHERE order_id = ? AND company_id = ? ORDER BY line_no";

pub const SHIPMENTS: &str = "SELECT s.id, s.number, s.shipped_at, s.vehicle, s.documents, \
       (SELECT json_group_array(json_object('line_no', l.line_no, 'qty_milli', l.qty_milli)) FROM shipment_lines l WHERE l.shipment_id = s.id) AS lines \
     FROM shipments s WHERE s.order_id = ? AND s.company_id = ? ORDER BY s.shipped_at, s.number";

/// The order's current documents (an ИУПД in place of the УПД it corrects).
pub const DOCUMENTS: &str = concat!("SELECT d.id, d.kind, d.kind_name, d.number, d.doc_date, d.amount_kop, d.edo_status, nullif(d.correction_no, 0) AS correction_no \
     FROM document_orders x JOIN documents d ON d.id = x.document_id \
     WHERE x.company_id = ?2 AND x.order_onec_id = (SELECT onec_id FROM orders WHERE id = ?1 AND company_id = ?2) AND ", crate::current_document!(), " ORDER BY d.doc_date");

/// What happened to the order: the portal's changes with 1C's answers, and what 1C did.
pub const HISTORY: &str = "SELECT a.at, a.kind, u.full_name AS user_name, a.before_json, a.after_json, a.onec_answer \
     FROM audit_log a LEFT JOIN users u ON u.id = a.user_id WHERE a.company_id = ? AND a.entity_type = 'order' AND a.entity_id = ? \
     ORDER BY a.at DESC, a.rowid DESC LIMIT 100";

/// The newest change to an order, with what it proposes (the wire payload and the audit row's
/// summary: the consignee's name, the new total).
pub const OPEN_CHANGE: &str = "SELECT o.type AS kind, o.status, o.answer, o.created_at, o.answered_at, o.applied_at, o.payload, \
       (SELECT a.after_json FROM audit_log a WHERE a.id = o.id AND a.company_id = o.company_id) AS after_json \
     FROM outbox o WHERE o.entity_type = 'order' AND o.entity_id = ? AND o.company_id = ? ORDER BY o.rowid DESC LIMIT 1";

/// A product's (`p`) price at the price type bound at `$pt` (`PRICE_TYPE`), as `price_kop`. Only
/// a price in roubles (NULL: the JSON contract's, always roubles): one 1C sent in another currency
/// is kept with it and never shown as roubles.
macro_rules! price_kop {
    ($pt:literal) => {
        concat!(
            "(SELECT pp.price_kop FROM product_prices pp WHERE pp.product_id = p.id AND pp.price_type_id = ",
            $pt,
            " AND coalesce(pp.currency, 'RUB') = 'RUB') AS price_kop"
        )
    };
}

/// Catalogue search: article key contains, or every name word contains; the company's price for
/// the given price type and the total stock.
pub const CATALOG: &str = concat!(
    "SELECT p.id, p.onec_id, p.article, p.name, p.unit, p.vat_rate_bp, p.properties, p.image, ",
    price_kop!("?4"),
    ", \
       (SELECT coalesce(sum(s.qty_milli), 0) FROM product_stock s WHERE s.product_id = p.id) AS stock_milli \
     FROM products p \
     WHERE p.active = 1 AND ((?1 <> '' AND instr(p.article_norm, ?1) > 0) \
       OR (?2 <> '' AND instr(p.name_norm, ?2) > 0 AND instr(p.name_norm, ?3) > 0)) \
     ORDER BY (p.article_norm = ?1) DESC, (substr(p.article_norm, 1, length(?1)) = ?1) DESC, p.article LIMIT ?5"
);

/// The offered characteristics (`guid#guid`) of the products found (`?1`: their 1C ids as JSON),
/// each priced at `?2` and stocked: the variants on the product's card. `id#` .. `id$` is an
/// index range over the unique 1C id.
pub const CATALOG_VARIANTS: &str = concat!(
    "SELECT b.onec_id AS base, p.id, p.onec_id, p.article, p.name, p.unit, p.vat_rate_bp, p.properties, coalesce(p.image, b.image) AS image, ",
    price_kop!("?2"),
    ", \
       (SELECT coalesce(sum(s.qty_milli), 0) FROM product_stock s WHERE s.product_id = p.id) AS stock_milli \
     FROM json_each(?1) j JOIN products b ON b.onec_id = j.value \
     JOIN products p ON p.onec_id > b.onec_id || '#' AND p.onec_id < b.onec_id || '$' \
     WHERE p.active = 1 ORDER BY p.onec_id"
);

/// Stock per warehouse of the products found (`?1`: their ids as JSON): a catalogue exchange
/// stores a warehouse by its 1C id, named from `Склады` (`cml_warehouses`), else as written.
pub const CATALOG_STOCK: &str = "SELECT s.product_id, coalesce(w.name, s.warehouse) AS warehouse, s.qty_milli \
     FROM product_stock s LEFT JOIN cml_warehouses w ON w.onec_id = s.warehouse \
     WHERE s.product_id IN (SELECT value FROM json_each(?1)) ORDER BY s.product_id, 2";

/// The price type of the company's agreement (the given one, or the first active): read through
/// `catalog::price_type`, and then priced with [`price_kop!`].
pub const PRICE_TYPE: &str = "SELECT price_type_id FROM agreements WHERE company_id = ?1 AND active = 1 AND (?2 IS NULL OR id = ?2) \
     AND price_type_id IS NOT NULL ORDER BY name LIMIT 1";

macro_rules! order_change_guard {
    () => {
        "EXISTS (SELECT 1 FROM orders WHERE id = ? AND version = ?) \
     AND NOT EXISTS (SELECT 1 FROM outbox WHERE entity_type = 'order' AND entity_id = ? AND status IN ('pending', 'sent') AND answer IS NULL) \
     AND NOT EXISTS (SELECT 1 FROM card_payments WHERE order_id = ? AND status IN ('creating', 'pending'))"
    };
}

/// Stock-only edit (`edit::apply_now`): the lines are replaced only while the order is at the
/// version the client read (?2), in its company (?3).
pub const ORDER_NOW_LINES_CLEAR: &str = "DELETE FROM order_lines WHERE order_id = ?1 \
     AND EXISTS (SELECT 1 FROM orders WHERE id = ?1 AND version = ?2 AND company_id = ?3)";

pub const ORDER_NOW_LINES_ADD: &str = "INSERT INTO order_lines (order_id, company_id, line_no, product_id, product_onec_id, article, name, qty_milli, unit, price_kop, amount_kop, vat_rate_bp, vat_kop, search) \
     SELECT ?1, ?3, json_extract(v.value, '$.line_no'), (SELECT id FROM products WHERE onec_id = json_extract(v.value, '$.product')), \
       json_extract(v.value, '$.product'), json_extract(v.value, '$.article'), json_extract(v.value, '$.name'), json_extract(v.value, '$.qty'), \
       json_extract(v.value, '$.unit'), json_extract(v.value, '$.price'), json_extract(v.value, '$.amount'), json_extract(v.value, '$.vat_rate_bp'), \
       json_extract(v.value, '$.vat'), json_extract(v.value, '$.search') \
     FROM json_each(?4) v WHERE EXISTS (SELECT 1 FROM orders WHERE id = ?1 AND version = ?2 AND company_id = ?3)";

/// The order's new state, due for 1C's next `query` (`cml_change`); NULL VAT keeps the order's.
pub const ORDER_NOW_UPDATE: &str = "UPDATE orders SET delivery_method = ?4, delivery_address = ?5, consignee_onec_id = ?6, \
       planned_shipping_date = ?7, total_kop = ?8, vat_kop = coalesce(?9, vat_kop), version = version + 1, \
       cml_change = cml_change + 1, updated_at = ?10 \
     WHERE id = ?1 AND version = ?2 AND company_id = ?3 \
       AND NOT EXISTS (SELECT 1 FROM card_payments WHERE order_id = ?1 AND status IN ('creating', 'pending'))";

/// Stock-only cancellation (`api::cancel_now`): the order's new state, due for 1C's next `query`;
/// the status it replaces is kept for 1C's refusal. Only at the version the client read, with no
/// card payment open.
pub const ORDER_NOW_CANCEL: &str = "UPDATE orders SET cml_before_cancel = status, status = 'cancelled', version = version + 1, \
       cml_change = cml_change + 1, updated_at = ?4 \
     WHERE id = ?1 AND version = ?2 AND company_id = ?3 AND status <> 'cancelled' \
       AND NOT EXISTS (SELECT 1 FROM card_payments WHERE order_id = ?1 AND status IN ('creating', 'pending'))";

/// Guard for a change to an order: based on the current version, no other change waiting, no
/// card payment open (the buyer may be paying on the acquirer's page right now).
pub const ORDER_CHANGE_GUARD: &str = order_change_guard!();

/// As [`ORDER_CHANGE_GUARD`] for a switch to credit, then (agreement id, amount): the credit rule
/// checked in the statement that records the change, so parallel switches cannot overshoot.
pub const ORDER_CHANGE_GUARD_TO_CREDIT: &str = concat!(
    order_change_guard!(),
    " AND ",
    crate::finance::sql::credit_allows!()
);

/// As [`ORDER_CHANGE_GUARD`] for an edit raising a credit order's total, then (agreement id,
/// raise): the raise must fit the credit left, checked in the statement that records the change.
pub const ORDER_CHANGE_GUARD_RAISE: &str = concat!(
    order_change_guard!(),
    " AND ",
    crate::finance::sql::credit_covers!()
);

/// Products by portal id or by article key, with the price of the given price type.
pub const PRODUCTS_FOR_LINES: &str = concat!(
    "SELECT p.id, p.onec_id, p.article, p.article_norm, p.name, p.unit, p.vat_rate_bp, ",
    price_kop!("?2"),
    " \
     FROM products p WHERE p.active = 1 AND (p.id IN (SELECT value FROM json_each(?1)) OR p.article_norm IN (SELECT value FROM json_each(?3)))"
);

/// Is a day a shipping day: inside a calendar 1C sent, and not one of its days off.
pub const SHIPPING_DAY: &str = "SELECT EXISTS (SELECT 1 FROM shipping_calendars c WHERE c.calendar = ?1 AND ?2 BETWEEN c.from_date AND c.to_date \
       AND NOT EXISTS (SELECT 1 FROM shipping_days_off d WHERE d.calendar = c.calendar AND d.day = ?2)) AS ok";

pub const CONSIGNEE_OF_COMPANY: &str =
    "SELECT onec_id, name, address FROM consignees WHERE id = ? AND company_id = ? AND active = 1";

/// `+company_id`: without statistics SQLite would read all of the company's orders through a
/// company index instead of the given ids' primary keys (see documents::sql::ORDERS_OF).
pub const COMPANY_ORDERS: &str = "SELECT id, onec_id, number, status, paid_kop, version, consignee_onec_id, delivery_method FROM orders WHERE +company_id = ?1 AND id IN (SELECT value FROM json_each(?2))";

pub const ORDER_CREATE: &str = "INSERT INTO orders (id, company_id, onec_id, legal_entity_id, agreement_id, number, number_norm, ordered_at, author_user_id, status, \
       delivery_method, delivery_address, consignee_onec_id, payment_method, paid_kop, total_kop, vat_kop, updated_at) \
     SELECT ?1, ?2, 'portal:' || ?1, ?10, ?11, ?3, ?9, ?4, ?5, 'draft', o.delivery_method, o.delivery_address, \
       o.consignee_onec_id, 'invoice', 0, ?6, ?7, ?4 FROM orders o WHERE o.id = ?8 AND o.company_id = ?2";

/// The agreement a repeat of order `?2` is made on (`?1` company): the order's own while active
/// and priced, else the company's priced agreement of the order's legal entity, then a typical
/// one (any legal entity buys under it), then any (by name, as [`PRICE_TYPE`] picks one). The
/// legal entity: the agreement's, else (a typical agreement) the order's, else the company's first.
pub const REPEAT_AGREEMENT: &str = "SELECT a.id, a.onec_id, a.price_type_id, le.id AS legal_entity_id, le.onec_id AS legal_entity_onec_id \
     FROM orders o JOIN agreements a ON a.company_id = o.company_id AND a.active = 1 AND a.price_type_id IS NOT NULL \
       AND (o.agreement_id IS NULL OR a.id = o.agreement_id) \
     JOIN legal_entities le ON le.company_id = o.company_id AND le.id = coalesce(a.legal_entity_id, o.legal_entity_id, \
       (SELECT x.id FROM legal_entities x WHERE x.company_id = o.company_id AND x.active = 1 ORDER BY x.name LIMIT 1)) \
     WHERE o.id = ?2 AND o.company_id = ?1 \
     ORDER BY CASE WHEN a.legal_entity_id = o.legal_entity_id THEN 0 WHEN a.legal_entity_id IS NULL THEN 1 ELSE 2 END, a.name LIMIT 1";

/// An order's lines as 1C is sent them (`order.changed` leaving the lines as they are).
pub const LINES_WIRE: &str = "SELECT line_no, product_onec_id, article, name, unit, qty_milli, price_kop, amount_kop, vat_rate_bp \
     FROM order_lines WHERE order_id = ? AND company_id = ? ORDER BY line_no";

pub const ORDER_LINES_CREATE: &str = "INSERT INTO order_lines (order_id, company_id, line_no, product_id, product_onec_id, article, name, qty_milli, unit, price_kop, amount_kop, vat_rate_bp, vat_kop, search) \
     SELECT ?1, ?2, json_extract(v.value, '$.line_no'), json_extract(v.value, '$.product_id'), json_extract(v.value, '$.product_onec_id'), \
       json_extract(v.value, '$.article'), json_extract(v.value, '$.name'), json_extract(v.value, '$.qty'), json_extract(v.value, '$.unit'), \
       json_extract(v.value, '$.price'), json_extract(v.value, '$.amount'), json_extract(v.value, '$.vat_rate_bp'), json_extract(v.value, '$.vat'), \
       json_extract(v.value, '$.search') FROM json_each(?3) v";

/// The lines of an order with today's price of each product (the order's agreement's price type),
/// the price it was ordered at, and today's total stock (a repeat's draft shows both).
pub const LINES_REPRICED: &str = concat!(
    "SELECT l.line_no, p.id AS product_id, p.onec_id AS product_onec_id, l.article, l.name, l.qty_milli, l.unit, p.vat_rate_bp, ",
    price_kop!("?3"),
    ", p.active, l.price_kop AS was_price_kop, \
       (SELECT coalesce(sum(s.qty_milli), 0) FROM product_stock s WHERE s.product_id = p.id) AS stock_milli \
     FROM order_lines l LEFT JOIN products p ON p.id = l.product_id OR (l.product_id IS NULL AND p.onec_id = l.product_onec_id) \
     WHERE l.order_id = ?1 AND l.company_id = ?2 ORDER BY l.line_no"
);

pub const SCHEDULE: &str = "SELECT stage_no, due_date, amount_kop, paid_kop FROM payment_schedule \
     WHERE order_id = ? AND company_id = ? ORDER BY stage_no";

/// The newest request to ship this order together with others (`?1` order id, `?2` company id),
/// with the orders it names and 1C's answer.
pub const CONSOLIDATION: &str = "SELECT x.status, json_extract(x.payload, '$.payload.planned_shipping_date') AS planned, x.created_at, \
       (SELECT json_group_array(json_object('id', r.id, 'number', r.number)) FROM json_each(x.payload, '$.payload.orders') j \
          JOIN orders r ON r.onec_id = j.value AND r.company_id = ?2) AS orders \
     FROM outbox x WHERE x.company_id = ?2 AND x.type = 'order.shipments_consolidation_requested' \
       AND EXISTS (SELECT 1 FROM json_each(x.payload, '$.payload.orders') k \
         WHERE k.value = (SELECT onec_id FROM orders WHERE id = ?1 AND company_id = ?2)) \
     ORDER BY x.rowid DESC LIMIT 1";

/// The order's open card payment (asked for, not yet succeeded or canceled).
pub const CARD_OPEN: &str = "SELECT id, provider_payment_id, idempotence_key, amount_kop, status, confirmation_url FROM card_payments \
     WHERE company_id = ? AND order_id = ? AND status IN ('creating', 'pending')";

/// An open payment of the order from the internal account (the card is not offered beside it).
pub const ACCOUNT_HOLD_OF_ORDER: &str =
    "SELECT change_id FROM account_holds WHERE order_id = ? AND company_id = ? AND status = 'held'";

/// A new card payment, before the acquirer is asked: not while another change of the order waits
/// for 1C; OR IGNORE: a concurrent click already opened one (the partial unique index). One open
/// payment per order across card payments and internal-account holds (see
/// `finance::sql::HOLD_TAKE`), and only while what is paid plus this payment stays within the
/// total: checked in this statement, so a parallel payment from the account cannot slip in.
pub const CARD_INSERT: &str = "INSERT OR IGNORE INTO card_payments (id, company_id, order_id, idempotence_key, amount_kop, status, created_by, created_at, updated_at) \
     SELECT ?1, ?2, ?3, ?4, ?5, 'creating', ?6, ?7, ?7 \
     WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE entity_type = 'order' AND entity_id = ?3 AND status IN ('pending', 'sent') AND answer IS NULL) \
       AND NOT EXISTS (SELECT 1 FROM outbox WHERE entity_type = 'order' AND entity_id = ?3 AND type = 'order.cancelled' AND status NOT IN ('rejected', 'failed') AND applied_at IS NULL) \
       AND NOT EXISTS (SELECT 1 FROM account_holds WHERE order_id = ?3 AND status = 'held') \
       AND EXISTS (SELECT 1 FROM orders WHERE id = ?3 AND company_id = ?2 AND paid_kop + ?5 <= total_kop)";

pub const CARD_CREATED: &str = "UPDATE card_payments SET provider_payment_id = ?, confirmation_url = ?, status = 'pending', updated_at = ? \
     WHERE id = ? AND status = 'creating'";

pub const CARD_CANCELED: &str =
    "UPDATE card_payments SET status = 'canceled', cancel_reason = ?, updated_at = ? \
     WHERE id = ? AND status IN ('creating', 'pending')";

/// A card payment by the acquirer's id, with what the change to 1C needs.
pub const CARD_BY_PROVIDER: &str = "SELECT cp.id, cp.company_id, cp.order_id, cp.amount_kop, cp.status, cp.created_by, \
       o.onec_id AS order_onec_id, o.version, o.status AS order_status, o.paid_kop, c.onec_id AS company_onec_id \
     FROM card_payments cp JOIN orders o ON o.id = cp.order_id JOIN companies c ON c.id = cp.company_id \
     WHERE cp.provider_payment_id = ?";

/// Succeeded once: the rest of the batch is guarded by the change id this writes.
pub const CARD_SUCCEEDED: &str =
    "UPDATE card_payments SET status = 'succeeded', change_id = ?, paid_at = ?, updated_at = ? \
     WHERE id = ? AND status IN ('creating', 'pending')";

pub const CARD_SUCCEEDED_GUARD: &str =
    "EXISTS (SELECT 1 FROM card_payments WHERE id = ? AND change_id = ?)";

/// The paid amount lands on the order at once (1C's next snapshot confirms it). Only an unshipped,
/// uncancelled order turns `paid`: anything else is 1C's to settle (with the money recorded).
pub const ORDER_PAID_BY_CARD: &str = "UPDATE orders SET paid_kop = paid_kop + ?1, payment_method = 'card', \
       status = CASE WHEN status IN ('draft', 'awaiting_payment', 'reserved') AND paid_kop + ?1 >= total_kop THEN 'paid' ELSE status END, updated_at = ?2 \
     WHERE id = ?3 AND company_id = ?4 AND EXISTS (SELECT 1 FROM card_payments WHERE id = ?5 AND change_id = ?6)";


/// The order page: the latest card payment of the order.
pub const CARD_OF_ORDER: &str = "SELECT id, status, amount_kop, confirmation_url, paid_at, cancel_reason, created_at FROM card_payments \
     WHERE order_id = ? AND company_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1";

pub const USER_CONTACT: &str = "SELECT email, phone FROM users WHERE id = ? AND company_id = ?";

/// A cancellation of the order that 1C has not refused and whose snapshot has not come yet: no
/// payment may start beside it (1C may be cancelling the very order).
/// `?3` = 1: only one 1C has answered (`received` or `accepted`); one still waiting for an answer
/// is the one-change-at-a-time rule's (`change-pending`).
pub const CANCELLATION_OPEN: &str = "SELECT id FROM outbox WHERE entity_type = 'order' AND entity_id = ?1 AND company_id = ?2 \
     AND type = 'order.cancelled' AND status NOT IN ('rejected', 'failed') AND applied_at IS NULL \
     AND (?3 = 0 OR answer IS NOT NULL OR status = 'accepted') LIMIT 1";
