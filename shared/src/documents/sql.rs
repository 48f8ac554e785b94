//! All SQL of the documents capability. Every query is scoped by the caller's company id.

/// `d` is the current version of its document: no active correction (ИУПД) of the same original
/// has a higher НомИспр (an original has 0; every correction names the original). Read, never
/// stored, so the order corrections arrive in does not matter; one `documents_correction_of`
/// probe per row.
#[macro_export]
macro_rules! current_document {
    () => {
        "NOT EXISTS (SELECT 1 FROM documents cv WHERE cv.company_id = d.company_id \
           AND cv.correction_of_onec_id = coalesce(d.correction_of_onec_id, d.onec_id) \
           AND cv.correction_no > d.correction_no AND cv.active = 1)"
    };
}

/// One page of the company's documents, newest first. Filters are optional (NULL = any):
/// `?2` kind, `?3`/`?4` date bounds (UTC text), `?5` order number fragment, `?6`/`?7` amount
/// range, `?8` number fragment (search form), `?9`/`?10` the cursor (date, id), `?11` limit,
/// `?12` the order fragment in upper case (SQLite's upper() folds only ASCII: both forms are tried).
pub const DOCUMENTS_PAGE: &str = concat!("SELECT d.id, d.kind, d.kind_name, d.number, d.doc_date, d.upd_status, d.amount_kop, d.vat_kop, d.edo_status, \
       d.edo_state, nullif(d.correction_no, 0) AS correction_no, d.correction_date, \
       le.id AS legal_entity_id, le.name AS legal_entity \
     FROM documents d LEFT JOIN legal_entities le ON le.onec_id = d.legal_entity_onec_id AND le.company_id = d.company_id \
     WHERE d.company_id = ?1 AND d.active = 1 AND ", crate::current_document!(), " \
       AND (?2 IS NULL OR d.kind = ?2) AND (?3 IS NULL OR d.doc_date >= ?3) AND (?4 IS NULL OR d.doc_date < ?4) \
       AND (?5 IS NULL OR EXISTS (SELECT 1 FROM document_orders dor JOIN orders o ON o.onec_id = dor.order_onec_id AND o.company_id = dor.company_id \
            WHERE dor.document_id = d.id AND (instr(o.number, ?5) > 0 OR instr(upper(o.number), ?12) > 0))) \
       AND (?6 IS NULL OR d.amount_kop >= ?6) AND (?7 IS NULL OR d.amount_kop <= ?7) \
       AND (?8 IS NULL OR instr(d.number_norm, ?8) > 0) \
       AND (?9 IS NULL OR d.doc_date < ?9 OR (d.doc_date = ?9 AND d.id < ?10)) \
     ORDER BY d.doc_date DESC, d.id DESC LIMIT ?11");

/// The orders of the given documents (a JSON array of ids), with the portal's order where known.
// `+dor.company_id`: the unary plus keeps SQLite (no statistics in D1) from reading all of the
// company's links through `document_orders_order` instead of the few documents' keys (18 ms
// against 0.1 ms for a company with 20,000 documents; docs/benchmarks.md). Still company-scoped.
pub const ORDERS_OF: &str = "SELECT dor.document_id, dor.order_onec_id, o.id AS order_id, o.number AS order_number \
     FROM document_orders dor LEFT JOIN orders o ON o.onec_id = dor.order_onec_id AND o.company_id = dor.company_id \
     WHERE +dor.company_id = ?1 AND dor.document_id IN (SELECT value FROM json_each(?2)) ORDER BY o.number";

/// The files of the given documents (a JSON array of ids); never the storage key.
pub const FILES_OF: &str = "SELECT id, document_id, file_no, name, content_type, size, role FROM document_files \
     WHERE company_id = ?1 AND document_id IN (SELECT value FROM json_each(?2)) ORDER BY document_id, file_no";

pub const DOCUMENT: &str = "SELECT d.id, d.onec_id, d.kind, d.kind_name, d.number, d.doc_date, d.upd_status, d.amount_kop, d.vat_kop, d.edo_status, \
       d.edo_state, nullif(d.correction_no, 0) AS correction_no, d.correction_date, coalesce(d.correction_of_onec_id, d.onec_id) AS root_onec_id, \
       d.lines_json, d.shipment_onec_id, le.id AS legal_entity_id, le.name AS legal_entity, le.inn AS legal_entity_inn \
     FROM documents d LEFT JOIN legal_entities le ON le.onec_id = d.legal_entity_onec_id AND le.company_id = d.company_id \
     WHERE d.id = ?1 AND d.company_id = ?2 AND d.active = 1";

/// The documents a УКД corrects, by 1C's id; one not received yet has no portal id.
pub const CORRECTED: &str = "SELECT dc.corrected_onec_id AS onec_id, d.id, d.kind, d.kind_name, d.number, d.doc_date \
     FROM document_corrects dc LEFT JOIN documents d ON d.onec_id = dc.corrected_onec_id AND d.company_id = dc.company_id AND d.active = 1 \
     WHERE dc.document_id = ?1 AND dc.company_id = ?2 ORDER BY d.doc_date, d.number";

/// The corrections (УКД) of the documents with the given 1C ids (a JSON array: an original's id
/// and its ИУПД's), with the id each corrects.
pub const CORRECTIONS: &str = "SELECT dc.corrected_onec_id, d.id, d.kind, d.kind_name, d.number, d.doc_date, d.amount_kop \
     FROM document_corrects dc JOIN documents d ON d.id = dc.document_id AND d.company_id = dc.company_id \
     WHERE dc.company_id = ?1 AND dc.corrected_onec_id IN (SELECT value FROM json_each(?2)) AND d.active = 1 ORDER BY d.doc_date, d.number";

/// Every version of a document (`?1`: the original's 1C id): the original and its ИУПД, oldest
/// correction first.
pub const VERSIONS: &str = "SELECT id, kind_name, number, doc_date, nullif(correction_no, 0) AS correction_no, correction_date FROM documents \
     WHERE company_id = ?2 AND active = 1 AND (onec_id = ?1 OR correction_of_onec_id = ?1) ORDER BY correction_no, doc_date, id";

pub const SHIPMENT: &str = "SELECT s.number, s.shipped_at, s.vehicle FROM shipments s WHERE s.onec_id = ?1 AND s.company_id = ?2";

/// A file to download: only the owner company's, only of a current document.
/// With the file's recorded length and CRC-32 (none for a file uploaded before they were kept).
pub const FILE: &str = "SELECT f.blob_key, f.name, f.content_type, c.size AS stored_size, c.crc32 FROM document_files f \
       JOIN documents d ON d.id = f.document_id LEFT JOIN blob_checksums c ON c.blob_key = f.blob_key \
     WHERE f.id = ?1 AND f.company_id = ?2 AND d.company_id = ?2 AND d.active = 1";

pub const ORDER: &str = "SELECT id, onec_id, number, ordered_at, status, total_kop FROM orders WHERE id = ?1 AND company_id = ?2";

pub const ORDER_SHIPMENTS: &str = "SELECT onec_id, number, shipped_at, vehicle FROM shipments WHERE order_id = ?1 AND company_id = ?2 ORDER BY shipped_at, number";

/// Every current document of an order (an ИУПД in place of what it corrects), oldest first.
pub const ORDER_DOCUMENTS: &str = concat!("SELECT d.id, d.kind, d.kind_name, d.number, d.doc_date, d.upd_status, d.amount_kop, d.vat_kop, d.edo_status, \
       d.edo_state, nullif(d.correction_no, 0) AS correction_no, d.correction_date, d.onec_id, coalesce(d.correction_of_onec_id, d.onec_id) AS root_onec_id, \
       d.shipment_onec_id, le.id AS legal_entity_id, le.name AS legal_entity \
     FROM document_orders dor JOIN documents d ON d.id = dor.document_id AND d.company_id = dor.company_id \
       LEFT JOIN legal_entities le ON le.onec_id = d.legal_entity_onec_id AND le.company_id = d.company_id \
     WHERE dor.order_onec_id = ?1 AND dor.company_id = ?2 AND d.active = 1 AND ", crate::current_document!(), " ORDER BY d.doc_date, d.kind, d.number");

/// The files an order's archive holds (its current set), with their storage keys and recorded
/// lengths and CRC-32s.
pub const ORDER_FILES: &str = concat!(
    "SELECT f.blob_key, f.name, c.size AS stored_size, c.crc32 FROM document_orders dor \
       JOIN documents d ON d.id = dor.document_id AND d.company_id = dor.company_id \
       JOIN document_files f ON f.document_id = d.id AND f.company_id = d.company_id \
       LEFT JOIN blob_checksums c ON c.blob_key = f.blob_key \
     WHERE dor.order_onec_id = ?1 AND dor.company_id = ?2 AND d.active = 1 AND ",
    crate::current_document!(),
    " ORDER BY d.doc_date, d.kind, d.number, f.file_no"
);

// ---- Stored files' checksums (`checksums`) ----

/// A stored file's recorded length and CRC-32.
pub const CHECKSUM: &str = "SELECT size AS stored_size, crc32 FROM blob_checksums WHERE blob_key = ?1";

/// Before an object is replaced: a failed upload must not leave the old file's checksum.
pub const CHECKSUM_FORGET: &str = "DELETE FROM blob_checksums WHERE blob_key = ?1";

pub const CHECKSUM_PUT: &str = "INSERT INTO blob_checksums (blob_key, size, crc32) VALUES (?1, ?2, ?3) \
     ON CONFLICT(blob_key) DO UPDATE SET size = excluded.size, crc32 = excluded.crc32";

// ---- Reconciliation acts ----

pub const LEGAL_ENTITY: &str = "SELECT le.id, le.onec_id, le.name, c.onec_id AS company_onec_id FROM legal_entities le JOIN companies c ON c.id = le.company_id \
     WHERE le.id = ?1 AND le.company_id = ?2 AND le.active = 1";

/// The company's agreement for an act with this legal entity: its own (individual) or a typical
/// one, which names no legal entity and serves all of the company's.
pub const AGREEMENT: &str = "SELECT id, onec_id, name FROM agreements WHERE id = ?1 AND company_id = ?2 \
       AND (legal_entity_id = ?3 OR legal_entity_id IS NULL) AND active = 1";

/// The same request still waiting: asking again sends nothing new.
pub const OPEN_REQUEST: &str = "SELECT id FROM act_requests WHERE company_id = ?1 AND legal_entity_id = ?2 AND coalesce(agreement_id, '') = coalesce(?3, '') \
       AND period_from = ?4 AND period_to = ?5 AND status = 'waiting'";

/// The request, written only for an active legal entity of the company.
pub const REQUEST_INSERT: &str = "INSERT INTO act_requests (id, company_id, legal_entity_id, agreement_id, period_from, period_to, status, requested_by, requested_at, updated_at) \
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, 'waiting', ?7, ?8, ?8 \
     WHERE EXISTS (SELECT 1 FROM legal_entities WHERE id = ?3 AND company_id = ?2 AND active = 1)";

pub const REQUEST_EXISTS: &str = "EXISTS (SELECT 1 FROM act_requests WHERE id = ?)";

/// 1C refused the request: the reason is shown as written.
pub const REQUEST_REJECT: &str = "UPDATE act_requests SET status = 'rejected', reason = ?1, updated_at = ?2 WHERE id = ?3 AND status = 'waiting'";

/// The history: requests (with their act when it came) and acts 1C sent unasked, newest first.
pub const HISTORY: &str = "SELECT r.id, r.status, r.reason, r.period_from, r.period_to, r.requested_at, le.name AS legal_entity, ag.name AS agreement, \
       u.full_name AS requested_by, a.number AS act_number, a.received_at, a.closing_kop \
     FROM act_requests r JOIN legal_entities le ON le.id = r.legal_entity_id LEFT JOIN agreements ag ON ag.id = r.agreement_id \
       LEFT JOIN users u ON u.id = r.requested_by LEFT JOIN reconciliation_acts a ON a.onec_id = r.act_onec_id AND a.company_id = r.company_id \
     WHERE r.company_id = ?1 \
     UNION ALL \
     SELECT a.onec_id AS id, 'ready' AS status, NULL AS reason, a.period_from, a.period_to, a.received_at AS requested_at, le.name AS legal_entity, \
       ag.name AS agreement, NULL AS requested_by, a.number AS act_number, a.received_at, a.closing_kop \
     FROM reconciliation_acts a LEFT JOIN legal_entities le ON le.onec_id = a.legal_entity_onec_id AND le.company_id = a.company_id \
       LEFT JOIN agreements ag ON ag.onec_id = a.agreement_onec_id AND ag.company_id = a.company_id \
     WHERE a.company_id = ?1 AND (a.request_id IS NULL OR NOT EXISTS (SELECT 1 FROM act_requests r WHERE r.id = a.request_id AND r.company_id = a.company_id)) \
     ORDER BY requested_at DESC LIMIT 200";

pub const REQUEST: &str = "SELECT r.id, r.status, r.reason, r.period_from, r.period_to, r.requested_at, r.act_onec_id, \
       le.id AS legal_entity_id, le.onec_id AS legal_entity_onec_id, le.name AS legal_entity, \
       ag.id AS agreement_id, ag.onec_id AS agreement_onec_id, ag.name AS agreement, u.full_name AS requested_by \
     FROM act_requests r JOIN legal_entities le ON le.id = r.legal_entity_id LEFT JOIN agreements ag ON ag.id = r.agreement_id \
       LEFT JOIN users u ON u.id = r.requested_by WHERE r.id = ?1 AND r.company_id = ?2";

/// The delivery state of the request's change to 1C.
pub const REQUEST_DELIVERY: &str = "SELECT status FROM outbox WHERE company_id = ?1 AND entity_type = 'reconciliation_act' AND entity_id = ?2 ORDER BY rowid DESC LIMIT 1";

pub const ACT: &str = "SELECT a.onec_id, a.request_id, a.legal_entity_onec_id, a.agreement_onec_id, a.number, a.period_from, a.period_to, \
       a.opening_kop, a.debit_kop, a.credit_kop, a.closing_kop, a.operations_json, a.files_json, a.received_at, \
       le.id AS legal_entity_id, le.name AS legal_entity, ag.id AS agreement_id, ag.name AS agreement \
     FROM reconciliation_acts a LEFT JOIN legal_entities le ON le.onec_id = a.legal_entity_onec_id AND le.company_id = a.company_id \
       LEFT JOIN agreements ag ON ag.onec_id = a.agreement_onec_id AND ag.company_id = a.company_id \
     WHERE a.onec_id = ?1 AND a.company_id = ?2";

/// The opening balances of a legal entity (and agreement, when the act is per agreement).
pub const OPENINGS: &str = "SELECT as_of, balance_kop FROM opening_balances WHERE company_id = ?1 AND legal_entity_onec_id = ?2 \
       AND (?3 IS NULL OR agreement_onec_id = ?3) AND as_of <= ?4";

/// Shipment and correction documents of a legal entity up to `?4` (UTC, exclusive), from `?5`;
/// per agreement: those of its orders. A corrected УПД counts once, as its current version, under
/// the original's 1C id (what 1C's act names).
pub const SETTLEMENT_DOCUMENTS: &str = concat!("SELECT coalesce(d.correction_of_onec_id, d.onec_id) AS onec_id, d.kind_name, d.number, d.doc_date, d.amount_kop FROM documents d \
     WHERE d.company_id = ?1 AND d.legal_entity_onec_id = ?2 AND d.kind IN ('upd', 'ukd') AND d.active = 1 AND ", crate::current_document!(), " \
       AND d.doc_date < ?4 AND (?5 IS NULL OR d.doc_date >= ?5) \
       AND (?3 IS NULL OR EXISTS (SELECT 1 FROM document_orders dor JOIN orders o ON o.onec_id = dor.order_onec_id AND o.company_id = dor.company_id \
            JOIN agreements ag ON ag.id = o.agreement_id WHERE dor.document_id = d.id AND ag.onec_id = ?3))");

pub const SETTLEMENT_PAYMENTS: &str = "SELECT onec_id, number, paid_at, amount_kop FROM payments_received \
     WHERE company_id = ?1 AND legal_entity_onec_id = ?2 AND (?3 IS NULL OR agreement_onec_id = ?3) AND posted = 1 \
       AND paid_at < ?4 AND (?5 IS NULL OR paid_at >= ?5)";

/// Legal entities and agreements for the request form.
pub const LEGAL_ENTITIES: &str =
    "SELECT id, name FROM legal_entities WHERE company_id = ?1 AND active = 1 ORDER BY name";
pub const AGREEMENTS: &str = "SELECT id, legal_entity_id, name FROM agreements WHERE company_id = ?1 AND active = 1 ORDER BY name";
