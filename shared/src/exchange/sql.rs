//! All SQL of the inbound exchange: the inbox, the sequence guard, and the tables 1C's snapshots
//! write (companies, legal entities, agreements, price types, users, roles, products).

pub const INBOX_KNOWN: &str = "SELECT id FROM inbox WHERE id IN (SELECT value FROM json_each(?))";

/// Many messages in one statement, from a JSON array parameter. OR IGNORE: a message another
/// request stored a moment ago stays as it was.
pub const INBOX_INSERT_MANY: &str = "INSERT OR IGNORE INTO inbox (id, batch_id, type, entity_id, seq, payload, status, reason, received_at) \
     SELECT json_extract(value, '$.id'), ?1, json_extract(value, '$.type'), json_extract(value, '$.entity_id'), \
            json_extract(value, '$.seq'), json_extract(value, '$.payload'), json_extract(value, '$.status'), \
            json_extract(value, '$.reason'), ?2 \
     FROM json_each(?3)";

pub const INBOX_LOAD: &str = "SELECT id, type AS kind, entity_id, seq, payload FROM inbox \
     WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'waiting')";

pub const INBOX_WAITING: &str =
    "SELECT id FROM inbox WHERE status = 'waiting' ORDER BY received_at LIMIT 100";

pub const INBOX_MARK: &str =
    "UPDATE inbox SET status = ?, reason = ?, attempts = attempts + 1, applied_at = ? WHERE id = ?";

pub const INBOX_STATUS: &str =
    "SELECT id, status, reason FROM inbox WHERE id IN (SELECT value FROM json_each(?))";

pub const SEQ_CURRENT: &str = "SELECT entity_type, entity_id, seq FROM inbound_seq \
     WHERE entity_type || ':' || entity_id IN (SELECT value FROM json_each(?))";

/// The sequence number only grows; the entity's 1C company (for a company-scoped manifest)
/// follows the newest snapshot (an employee moved to another company).
pub const SEQ_ADVANCE: &str = "INSERT INTO inbound_seq (entity_type, entity_id, seq, company_onec_id) VALUES (?, ?, ?, ?) \
     ON CONFLICT(entity_type, entity_id) DO UPDATE SET seq = excluded.seq, company_onec_id = excluded.company_onec_id \
     WHERE excluded.seq > inbound_seq.seq";

pub const COMPANY_UPSERT: &str = "INSERT INTO companies (id, onec_id, name, full_name, active, onec_seq, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
     ON CONFLICT(onec_id) DO UPDATE SET name = excluded.name, full_name = excluded.full_name, active = excluded.active, \
       onec_seq = excluded.onec_seq, updated_at = excluded.updated_at";

pub const COMPANIES_BY_ONEC: &str =
    "SELECT id, onec_id FROM companies WHERE onec_id IN (SELECT value FROM json_each(?))";

/// Bank accounts and contacts are kept when a snapshot omits them (older 1C extensions).
pub const LEGAL_ENTITY_UPSERT: &str = "INSERT INTO legal_entities (id, company_id, onec_id, name, full_name, inn, kpp, ogrn, legal_address, postal_address, active, updated_at, \
       bank_accounts, phone, email) \
     VALUES (?1, (SELECT id FROM companies WHERE onec_id = ?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, coalesce(?13, '[]'), ?14, ?15) \
     ON CONFLICT(onec_id) DO UPDATE SET company_id = excluded.company_id, name = excluded.name, full_name = excluded.full_name, \
       inn = excluded.inn, kpp = excluded.kpp, ogrn = excluded.ogrn, legal_address = excluded.legal_address, \
       postal_address = excluded.postal_address, active = excluded.active, updated_at = excluded.updated_at, \
       bank_accounts = coalesce(?13, legal_entities.bank_accounts), phone = coalesce(?14, legal_entities.phone), \
       email = coalesce(?15, legal_entities.email), version = legal_entities.version + 1";

/// Legal entities the snapshot no longer lists are archived, not deleted: orders refer to them.
pub const LEGAL_ENTITIES_ARCHIVE_MISSING: &str = "UPDATE legal_entities SET active = 0, updated_at = ? \
     WHERE company_id = (SELECT id FROM companies WHERE onec_id = ?) AND onec_id NOT IN (SELECT value FROM json_each(?))";

pub const PRICE_TYPE_UPSERT: &str = "INSERT INTO price_types (id, onec_id, name) VALUES (?, ?, ?) \
     ON CONFLICT(onec_id) DO UPDATE SET name = excluded.name";

/// One company's row of an agreement (a typical agreement has one per linked company, see
/// d1-migrations/0021): ?13 kind, ?14 the organisation's 1C id.
pub const AGREEMENT_UPSERT: &str = "INSERT INTO agreements (id, company_id, legal_entity_id, onec_id, name, number, signed_on, credit_limit_kop, deferral_days, price_type_id, active, updated_at, \
       kind, organisation_onec_id) \
     VALUES (?1, (SELECT id FROM companies WHERE onec_id = ?2), (SELECT id FROM legal_entities WHERE onec_id = ?3), ?4, ?5, ?6, ?7, ?8, ?9, \
             (SELECT id FROM price_types WHERE onec_id = ?10), ?11, ?12, ?13, ?14) \
     ON CONFLICT(onec_id, company_id) DO UPDATE SET legal_entity_id = excluded.legal_entity_id, name = excluded.name, \
       number = excluded.number, signed_on = excluded.signed_on, credit_limit_kop = excluded.credit_limit_kop, \
       deferral_days = excluded.deferral_days, price_type_id = excluded.price_type_id, active = excluded.active, updated_at = excluded.updated_at, \
       kind = excluded.kind, organisation_onec_id = excluded.organisation_onec_id";

/// A typical agreement's shared terms, the same in every linked company's row.
pub const AGREEMENT_SHARED_TERMS: &str = "UPDATE agreements SET name = ?2, number = ?3, signed_on = ?4, \
       price_type_id = (SELECT id FROM price_types WHERE onec_id = ?5), organisation_onec_id = ?6, updated_at = ?7 \
     WHERE onec_id = ?1 AND kind = 'typical'";

pub const AGREEMENTS_ARCHIVE_MISSING: &str = "UPDATE agreements SET active = 0, updated_at = ? \
     WHERE company_id = (SELECT id FROM companies WHERE onec_id = ?) AND onec_id NOT IN (SELECT value FROM json_each(?))";

/// One of the supplier's organisations (`organisation`), a full snapshot.
pub const ORGANISATION_UPSERT: &str = "INSERT INTO organisations (id, onec_id, name, full_name, inn, kpp, ogrn, address, bank_accounts, active, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
     ON CONFLICT(onec_id) DO UPDATE SET name = excluded.name, full_name = excluded.full_name, inn = excluded.inn, kpp = excluded.kpp, \
       ogrn = excluded.ogrn, address = excluded.address, bank_accounts = excluded.bank_accounts, active = excluded.active, \
       updated_at = excluded.updated_at";

pub const USERS_BY_ONEC: &str = "SELECT u.id, u.onec_id, u.company_id, u.active, u.email, u.full_name, u.position, u.phone, u.password_hash IS NOT NULL AS has_password, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u WHERE u.onec_id IN (SELECT value FROM json_each(?))";

/// Users the portal created (no 1C id yet) that a snapshot names by `portal_id`; `onec_id` is
/// the snapshot's entity id they are about to be linked to.
pub const USERS_BY_PORTAL_ID: &str = "SELECT u.id, json_extract(v.value, '$.onec') AS onec_id, u.company_id, u.active, u.email, u.full_name, u.position, u.phone, \
       u.password_hash IS NOT NULL AS has_password, (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM json_each(?) v JOIN users u ON u.id = json_extract(v.value, '$.portal') AND u.onec_id IS NULL";

pub const USER_INSERT: &str = "INSERT INTO users (id, company_id, onec_id, email, full_name, position, phone, active, language, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// `security_version` grows when access must be re-checked (deactivated, roles or company changed).
pub const USER_UPDATE: &str = "UPDATE users SET company_id = ?, email = ?, full_name = ?, position = ?, phone = ?, active = ?, version = version + 1, \
       security_version = security_version + ?, updated_at = ? WHERE id = ?";

pub const USER_ROLES_CLEAR: &str = "DELETE FROM user_roles WHERE user_id = ?";
pub const USER_ROLE_ADD: &str =
    "INSERT INTO user_roles (company_id, user_id, role) VALUES (?, ?, ?)";
pub const USER_SESSIONS_REVOKE: &str =
    "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";

/// A company deactivated by 1C: every session of its users ends (re-activation does not bring
/// them back). Only while the company is inactive, so it follows the upsert in the same batch.
pub const COMPANY_SESSIONS_REVOKE: &str = "UPDATE sessions SET revoked_at = ?1 \
     WHERE revoked_at IS NULL AND company_id = (SELECT id FROM companies WHERE onec_id = ?2 AND active = 0)";


pub const PRODUCT_UPSERT: &str = "INSERT INTO products (id, onec_id, article, article_norm, name, name_norm, unit, unit_code, vat_rate_bp, active, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
     ON CONFLICT(onec_id) DO UPDATE SET article = excluded.article, article_norm = excluded.article_norm, name = excluded.name, \
       name_norm = excluded.name_norm, unit = excluded.unit, unit_code = excluded.unit_code, vat_rate_bp = excluded.vat_rate_bp, \
       active = excluded.active, updated_at = excluded.updated_at";

pub const PRODUCT_PRICES_CLEAR: &str =
    "DELETE FROM product_prices WHERE product_id = (SELECT id FROM products WHERE onec_id = ?)";
pub const PRODUCT_PRICE_ADD: &str = "INSERT INTO product_prices (product_id, price_type_id, price_kop) \
     VALUES ((SELECT id FROM products WHERE onec_id = ?), (SELECT id FROM price_types WHERE onec_id = ?), ?)";
pub const PRODUCT_STOCK_CLEAR: &str =
    "DELETE FROM product_stock WHERE product_id = (SELECT id FROM products WHERE onec_id = ?)";
pub const PRODUCT_STOCK_ADD: &str = "INSERT INTO product_stock (product_id, warehouse, qty_milli) VALUES ((SELECT id FROM products WHERE onec_id = ?), ?, ?)";

/// Stored but not applied, older than the cutoff, oldest first; bounded per sweep.
pub const INBOX_UNFINISHED: &str =
    "SELECT id FROM inbox WHERE status IN ('pending', 'waiting') AND received_at < ? \
     ORDER BY received_at LIMIT 1000";

// ---- Outbound (portal -> 1C); the change's own row is `changes::sql` ----

/// Push: due changes, only the oldest undelivered one per entity (order per entity). Insertion
/// order is the rowid's: timestamps can tie.
pub const OUTBOX_DUE: &str = "SELECT o.id, o.payload, o.attempts, o.created_at FROM outbox o \
     WHERE o.status = 'pending' AND o.next_attempt_at <= ? \
       AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.entity_type = o.entity_type AND e.entity_id = o.entity_id \
         AND e.status IN ('pending', 'sent') AND e.answer IS NULL AND e.rowid < o.rowid) \
     ORDER BY o.rowid LIMIT ?";

/// Pull: pending changes, and sent ones never acknowledged, oldest undelivered per entity.
pub const OUTBOX_PULLABLE: &str = "SELECT o.id, o.payload, o.attempts, o.created_at FROM outbox o \
     WHERE (o.status = 'pending' OR (o.status = 'sent' AND o.sent_at < ? AND o.answer IS NULL)) \
       AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.entity_type = o.entity_type AND e.entity_id = o.entity_id \
         AND e.status IN ('pending', 'sent') AND e.answer IS NULL AND e.rowid < o.rowid) \
     ORDER BY o.rowid LIMIT ?";

pub const OUTBOX_MARK_SENT: &str =
    "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 \
     WHERE id IN (SELECT value FROM json_each(?))";

pub const OUTBOX_RETRY: &str =
    "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?";

pub const OUTBOX_DEAD: &str =
    "UPDATE outbox SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?";

pub const OUTBOX_ONE: &str = "SELECT type AS kind, entity_id, company_id, payload, before_json, status, answer FROM outbox WHERE id = ?";

pub const OUTBOX_ANSWER: &str =
    "UPDATE outbox SET status = ?, answer = ?, answered_at = ?, onec_id = coalesce(?, onec_id) \
     WHERE id = ? AND status IN ('pending', 'sent', 'failed')";

/// 1C stored the change and will decide later (an `answer` message): delivered, not re-sent,
/// and no longer holding back later changes to the same entity.
pub const OUTBOX_RECEIVED: &str =
    "UPDATE outbox SET status = 'sent', sent_at = ?1, answer = '{\"status\":\"received\"}' \
     WHERE id = ?2 AND status IN ('pending', 'sent', 'failed')";

pub const AUDIT_ANSWER: &str =
    "UPDATE audit_log SET onec_answer = ? WHERE id = ? AND company_id = ?";

/// Restores a profile 1C refused, only if nothing changed it since.
pub const USER_PROFILE_REVERT: &str = "UPDATE users SET full_name = ?, position = ?, phone = ?, version = version + 1, updated_at = ? \
     WHERE id = ? AND version = ?";

pub const OUTBOX_BACKLOG: &str =
    "SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sent')";

// ---- Monitor ----

pub const MONITOR_INBOUND: &str = "SELECT type, max(received_at) AS last_at, count(*) AS count FROM inbox GROUP BY type ORDER BY type";

pub const MONITOR_OUTBOUND: &str = "SELECT type, max(created_at) AS last_at, count(*) AS count FROM outbox GROUP BY type ORDER BY type";

pub const MONITOR_INBOX_BACKLOG: &str =
    "SELECT count(*) AS n FROM inbox WHERE status IN ('pending', 'waiting')";

pub const MONITOR_INBOX_PROBLEMS: &str =
    "SELECT id, type, entity_id, received_at AS at, status, reason FROM inbox \
     WHERE status = 'rejected' ORDER BY received_at DESC LIMIT 50";

pub const MONITOR_OUTBOX_PROBLEMS: &str =
    "SELECT id, type, entity_id, coalesce(answered_at, created_at) AS at, status, \
       coalesce(json_extract(answer, '$.reason'), last_error) AS reason \
     FROM outbox WHERE status IN ('failed', 'rejected') ORDER BY rowid DESC LIMIT 50";

/// A refused message gets a new chance; its sequence guard still protects newer data.
pub const MONITOR_INBOX_REPLAY: &str =
    "UPDATE inbox SET status = 'pending', reason = NULL WHERE id = ? AND status = 'rejected'";

pub const MONITOR_OUTBOX_REPLAY: &str = "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, created_at = ?, last_error = NULL \
     WHERE id = ? AND status = 'failed'";

// ---- Bulk apply: one statement per table for many product snapshots (JSON array parameter) ----

pub const SEQ_ADVANCE_MANY: &str = "INSERT INTO inbound_seq (entity_type, entity_id, seq) \
     SELECT json_extract(value, '$.type'), json_extract(value, '$.entity_id'), json_extract(value, '$.seq') FROM json_each(?) WHERE true \
     ON CONFLICT(entity_type, entity_id) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > inbound_seq.seq";

pub const PRODUCTS_UPSERT_MANY: &str = "INSERT INTO products (id, onec_id, article, article_norm, name, name_norm, unit, unit_code, vat_rate_bp, active, updated_at) \
     SELECT json_extract(value, '$.id'), json_extract(value, '$.onec_id'), json_extract(value, '$.article'), json_extract(value, '$.article_norm'), \
            json_extract(value, '$.name'), json_extract(value, '$.name_norm'), json_extract(value, '$.unit'), json_extract(value, '$.unit_code'), \
            json_extract(value, '$.vat_rate_bp'), json_extract(value, '$.active'), ?1 \
     FROM json_each(?2) WHERE true \
     ON CONFLICT(onec_id) DO UPDATE SET article = excluded.article, article_norm = excluded.article_norm, name = excluded.name, \
       name_norm = excluded.name_norm, unit = excluded.unit, unit_code = excluded.unit_code, vat_rate_bp = excluded.vat_rate_bp, \
       active = excluded.active, updated_at = excluded.updated_at";

pub const PRICE_TYPES_UPSERT_MANY: &str = "INSERT INTO price_types (id, onec_id, name) \
     SELECT json_extract(value, '$.id'), json_extract(value, '$.onec_id'), json_extract(value, '$.name') FROM json_each(?) WHERE true \
     ON CONFLICT(onec_id) DO UPDATE SET name = excluded.name";

pub const PRODUCT_PRICES_CLEAR_MANY: &str = "DELETE FROM product_prices WHERE product_id IN \
     (SELECT id FROM products WHERE onec_id IN (SELECT value FROM json_each(?)))";

pub const PRODUCT_PRICES_ADD_MANY: &str =
    "INSERT INTO product_prices (product_id, price_type_id, price_kop) \
     SELECT p.id, pt.id, json_extract(v.value, '$.kop') FROM json_each(?) v \
     JOIN products p ON p.onec_id = json_extract(v.value, '$.product') \
     JOIN price_types pt ON pt.onec_id = json_extract(v.value, '$.pt')";

pub const PRODUCT_STOCK_CLEAR_MANY: &str = "DELETE FROM product_stock WHERE product_id IN \
     (SELECT id FROM products WHERE onec_id IN (SELECT value FROM json_each(?)))";

pub const PRODUCT_STOCK_ADD_MANY: &str = "INSERT INTO product_stock (product_id, warehouse, qty_milli) \
     SELECT p.id, json_extract(v.value, '$.warehouse'), json_extract(v.value, '$.qty') FROM json_each(?) v \
     JOIN products p ON p.onec_id = json_extract(v.value, '$.product')";

pub const INBOX_MARK_APPLIED_MANY: &str =
    "UPDATE inbox SET status = 'applied', reason = NULL, attempts = attempts + 1, applied_at = ?1 \
     WHERE id IN (SELECT value FROM json_each(?2))";

// ---- Stock CommerceML exchange ----

/// A new session (`checkauth`).
pub const CML_SESSION_START: &str = "INSERT INTO cml_sessions (id, token_hash, password_mark, client_ip, started_at, expires_at) \
     VALUES (?, ?, ?, ?, ?, ?)";

/// Sessions past their expiry (removed at each `checkauth`).
pub const CML_SESSIONS_PURGE: &str = "DELETE FROM cml_sessions WHERE expires_at <= ?";

/// The live session of a token signed in under the current password, its expiry moved on
/// (sliding): ?1 new expiry, ?2 token hash, ?3 password mark, ?4 now.
pub const CML_SESSION_TOUCH: &str = "UPDATE cml_sessions SET expires_at = ?1 \
     WHERE token_hash = ?2 AND password_mark = ?3 AND expires_at > ?4 \
     RETURNING id, version, started_at";

/// The CommerceML version agreed at `init`.
pub const CML_SESSION_VERSION: &str = "UPDATE cml_sessions SET version = ? WHERE id = ?";

/// The files of a session (for the classifier-first order).
pub const CML_SESSION_UPLOADS: &str =
    "SELECT name, bytes FROM cml_files WHERE session = ? ORDER BY name";

pub const CML_FILE: &str = "SELECT chunks, bytes, status, result, chunk_sizes FROM cml_files WHERE session = ? AND name = ?";

/// One more chunk of a file being uploaded; a name uploaded again after its import starts over.
pub const CML_FILE_CHUNK: &str = "INSERT INTO cml_files (session, name, chunks, bytes, status, updated_at, chunk_sizes) \
     VALUES (?1, ?2, 1, ?3, 'uploading', ?4, json_array(CAST(?3 AS INTEGER))) \
     ON CONFLICT(session, name) DO UPDATE SET \
       chunks = CASE WHEN status = 'uploading' THEN chunks + 1 ELSE 1 END, \
       bytes = CASE WHEN status = 'uploading' THEN bytes + excluded.bytes ELSE excluded.bytes END, \
       chunk_sizes = CASE WHEN status = 'uploading' THEN json_insert(chunk_sizes, '$[#]', CAST(excluded.bytes AS INTEGER)) ELSE excluded.chunk_sizes END, \
       status = 'uploading', result = NULL, updated_at = excluded.updated_at";

/// A file unpacked from the session's archive (`cml::unzip`), whole: its chunks are stored.
pub const CML_FILE_UNPACKED: &str = "INSERT INTO cml_files (session, name, chunks, bytes, status, updated_at, chunk_sizes) \
     VALUES (?1, ?2, ?3, ?4, 'uploading', ?5, ?6) \
     ON CONFLICT(session, name) DO UPDATE SET chunks = excluded.chunks, bytes = excluded.bytes, \
       chunk_sizes = excluded.chunk_sizes, status = 'uploading', result = NULL, updated_at = excluded.updated_at";

/// The archives of a session (`zip=yes`).
pub const CML_SESSION_ARCHIVES: &str =
    "SELECT name, bytes FROM cml_files WHERE session = ? AND lower(name) LIKE '%.zip' ORDER BY name";

pub const CML_FILE_DONE: &str =
    "UPDATE cml_files SET status = ?, result = ?, updated_at = ? WHERE session = ? AND name = ?";

/// Price types named by any file of an exchange (`ТипыЦен` of the classifier or the offers
/// package, else only by id in a price). A name the JSON contract gave is kept; a placeholder
/// (the id) is replaced once a file names the type. The type's currency is kept for prices of
/// later files that name none.
pub const CML_PRICE_TYPES_ADD: &str = "INSERT INTO price_types (id, onec_id, name, currency) \
     SELECT json_extract(value, '$.id'), json_extract(value, '$.onec_id'), json_extract(value, '$.name'), json_extract(value, '$.currency') \
     FROM json_each(?) WHERE true \
     ON CONFLICT(onec_id) DO UPDATE SET \
       name = CASE WHEN price_types.name = price_types.onec_id AND excluded.name <> excluded.onec_id THEN excluded.name ELSE price_types.name END, \
       currency = coalesce(excluded.currency, price_types.currency)";

/// Warehouses named by `Склады` (classifier or offers package); a name replaces an earlier one,
/// never by a bare id.
pub const CML_WAREHOUSES_ADD: &str = "INSERT INTO cml_warehouses (onec_id, name) \
     SELECT json_extract(value, '$.id'), json_extract(value, '$.name') FROM json_each(?) WHERE true \
     ON CONFLICT(onec_id) DO UPDATE SET name = excluded.name WHERE excluded.name <> excluded.onec_id";

/// Products from `import.xml`, upserted by 1C id: the file is the source of a product's own
/// fields. VAT the file leaves out stays as it was (new: 20%); `active` is 0 for a deletion mark;
/// `properties` are its `ЗначенияСвойств`, readable (JSON `[[name, value], ...]`).
pub const CML_PRODUCTS_UPSERT: &str = "INSERT INTO products (id, onec_id, article, article_norm, name, name_norm, unit, unit_code, vat_rate_bp, active, updated_at, cml_listed_at, properties) \
     SELECT json_extract(value, '$.id'), json_extract(value, '$.onec_id'), json_extract(value, '$.article'), json_extract(value, '$.article_norm'), \
            json_extract(value, '$.name'), json_extract(value, '$.name_norm'), json_extract(value, '$.unit'), json_extract(value, '$.unit_code'), \
            coalesce(json_extract(value, '$.vat_rate_bp'), (SELECT vat_rate_bp FROM products WHERE onec_id = json_extract(value, '$.onec_id')), 2000), \
            json_extract(value, '$.active'), ?1, ?1, json_extract(value, '$.properties') \
     FROM json_each(?2) WHERE true \
     ON CONFLICT(onec_id) DO UPDATE SET article = excluded.article, article_norm = excluded.article_norm, name = excluded.name, \
       name_norm = excluded.name_norm, unit = excluded.unit, unit_code = excluded.unit_code, vat_rate_bp = excluded.vat_rate_bp, \
       active = excluded.active, updated_at = excluded.updated_at, cml_listed_at = excluded.cml_listed_at, properties = excluded.properties";

/// After [`CML_PRODUCTS_UPSERT`] of the same rows: a product the file lists with no picture has
/// none (one with pictures keeps its image until the new thumbnails are in).
pub const CML_PRODUCTS_NO_IMAGE: &str = "UPDATE products SET image = NULL WHERE image IS NOT NULL AND onec_id IN \
     (SELECT json_extract(value, '$.onec_id') FROM json_each(?1) WHERE NOT json_extract(value, '$.has_image'))";

/// After [`CML_PRODUCTS_UPSERT`] of the same rows: the variants of those products
/// (`onec_id` between `id#` and `id$`: `id#...`, by the unique index) take their unit, VAT, and
/// deletion. A variant's own name, article and deletion mark stay.
pub const CML_VARIANTS_FOLLOW: &str = "UPDATE products SET unit = b.unit, unit_code = b.unit_code, vat_rate_bp = b.vat_rate_bp, \
       active = CASE WHEN b.active = 0 THEN 0 ELSE products.active END, updated_at = ?1 \
     FROM products b \
     WHERE b.onec_id IN (SELECT json_extract(value, '$.onec_id') FROM json_each(?2)) \
       AND products.onec_id > b.onec_id || '#' AND products.onec_id < b.onec_id || '$'";

/// Named offers: an offer never changes a product it shares its id with (the product's own
/// fields come from `import.xml`; an offer has no article, unit or VAT of its own). An offer of
/// a product the portal does not know yet creates it (2.09 sends goods only as offers). A
/// characteristic (`guid#guid`) is a variant row under its own id: its name, the product's article
/// (unless it has its own), unit and VAT, active while the product is and it is not deleted.
pub const CML_OFFER_PRODUCTS: &str = "INSERT INTO products (id, onec_id, article, article_norm, name, name_norm, unit, unit_code, vat_rate_bp, active, updated_at, properties) \
     SELECT json_extract(v.value, '$.pid'), json_extract(v.value, '$.id'), \
            coalesce(json_extract(v.value, '$.article'), b.article, ''), coalesce(json_extract(v.value, '$.article_norm'), b.article_norm, ''), \
            json_extract(v.value, '$.name'), json_extract(v.value, '$.name_norm'), coalesce(b.unit, 'шт'), b.unit_code, coalesce(b.vat_rate_bp, 2000), \
            CASE WHEN json_extract(v.value, '$.deleted') THEN 0 ELSE coalesce(b.active, 1) END, ?1, json_extract(v.value, '$.props') \
     FROM json_each(?2) v LEFT JOIN products b ON b.onec_id = json_extract(v.value, '$.base') AND json_extract(v.value, '$.base') <> json_extract(v.value, '$.id') \
     WHERE json_extract(v.value, '$.name') IS NOT NULL \
     ON CONFLICT(onec_id) DO UPDATE SET article = excluded.article, article_norm = excluded.article_norm, name = excluded.name, \
       name_norm = excluded.name_norm, unit = excluded.unit, unit_code = excluded.unit_code, vat_rate_bp = excluded.vat_rate_bp, \
       active = excluded.active, updated_at = excluded.updated_at, properties = excluded.properties \
     WHERE instr(excluded.onec_id, '#') > 0";

/// Rows an offers, prices or stock file listed (the offer's own row and its product's) are seen
/// by this exchange: what a full exchange or `mode=deactivate` did not see is deactivated.
pub const CML_OFFERS_SEEN: &str = "UPDATE products SET cml_seen_at = ?1 WHERE onec_id IN \
     (SELECT json_extract(value, '$.id') FROM json_each(?2) UNION SELECT json_extract(value, '$.base') FROM json_each(?2))";

/// Offers 1C marked deleted (`ПометкаУдаления`, `Статус` Удален): their rows are no longer offered.
pub const CML_OFFERS_DELETED: &str = "UPDATE products SET active = 0, updated_at = ?1 \
     WHERE active = 1 AND onec_id IN (SELECT value FROM json_each(?2))";

/// The product an offer's prices and stock attach to: its own row, else the product it is a
/// characteristic of (`guid#guid`).
macro_rules! offer_product {
    () => {
        "p.onec_id = coalesce((SELECT onec_id FROM products WHERE onec_id = json_extract(v.value, '$.id')), json_extract(v.value, '$.base'))"
    };
}

/// Prices of earlier imports and of the JSON contract go; those this import (?1) wrote stay, so
/// characteristics read in different slices accumulate.
pub const CML_PRICES_CLEAR: &str = concat!(
    "DELETE FROM product_prices WHERE cml_import IS NOT ?1 AND product_id IN (SELECT p.id FROM json_each(?2) v JOIN products p ON ",
    offer_product!(),
    " WHERE json_extract(v.value, '$.prices'))"
);

pub const CML_STOCK_CLEAR: &str = concat!(
    "DELETE FROM product_stock WHERE cml_import IS NOT ?1 AND product_id IN (SELECT p.id FROM json_each(?2) v JOIN products p ON ",
    offer_product!(),
    " WHERE json_extract(v.value, '$.stock'))"
);

/// A price without its own `Валюта` (nor its file's `ТипыЦен`) takes its price type's currency
/// from any earlier file (`price_types.currency`).
pub const CML_PRICES_ADD: &str = concat!(
    "INSERT INTO product_prices (product_id, price_type_id, price_kop, currency, coefficient_milli, cml_import) \
     SELECT p.id, pt.id, json_extract(v.value, '$.kop'), coalesce(json_extract(v.value, '$.cur'), pt.currency), json_extract(v.value, '$.coef'), ?1 \
     FROM json_each(?2) v JOIN products p ON ",
    offer_product!(),
    " JOIN price_types pt ON pt.onec_id = json_extract(v.value, '$.pt') WHERE true \
     ON CONFLICT(product_id, price_type_id) DO UPDATE SET price_kop = excluded.price_kop, currency = excluded.currency, \
       coefficient_milli = excluded.coefficient_milli, cml_import = excluded.cml_import"
);

/// Stock from a catalogue exchange: per warehouse (its 1C id, named by `cml_warehouses`) when
/// 1C sent it so, else a total ('Все склады'); rows of one import (?1) add up (nameless
/// characteristics attached to their product).
pub const CML_STOCK_ADD: &str = concat!(
    "INSERT INTO product_stock (product_id, warehouse, qty_milli, cml_import) \
     SELECT p.id, coalesce(json_extract(v.value, '$.wh'), 'Все склады'), json_extract(v.value, '$.qty'), ?1 FROM json_each(?2) v JOIN products p ON ",
    offer_product!(),
    " WHERE true \
     ON CONFLICT(product_id, warehouse) DO UPDATE SET \
       qty_milli = CASE WHEN product_stock.cml_import IS excluded.cml_import THEN product_stock.qty_milli + excluded.qty_milli ELSE excluded.qty_milli END, \
       cml_import = excluded.cml_import"
);

pub const CML_IMPORT_BY_FILE: &str = "SELECT job, session, name, kind, status, bytes, slice, checkpoint, items, prices, stock, result, updated_at \
     FROM cml_imports WHERE session = ? AND name = ?";

pub const CML_IMPORT_BY_JOB: &str = "SELECT job, session, name, kind, status, bytes, slice, checkpoint, items, prices, stock, result, updated_at \
     FROM cml_imports WHERE job = ?";

/// A new import of a file replaces the earlier one's row (same session and name).
pub const CML_IMPORT_START: &str = "INSERT OR REPLACE INTO cml_imports (job, session, name, kind, status, bytes, started_at, updated_at) \
     VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?6)";

/// A file uploaded again: its earlier import is forgotten (a slice still running fails its guard).
pub const CML_IMPORT_FORGET: &str = "DELETE FROM cml_imports WHERE session = ? AND name = ?";

/// First statement of a slice's batch: fails (CHECK) unless the import is still running at slice ?2.
pub const CML_IMPORT_GUARD: &str = "INSERT INTO cml_import_guard (ok) SELECT count(*) FROM cml_imports WHERE job = ?1 AND slice = ?2 AND status = 'running'";

pub const CML_IMPORT_GUARD_END: &str = "DELETE FROM cml_import_guard";

pub const CML_IMPORT_ADVANCE: &str = "UPDATE cml_imports SET slice = slice + 1, checkpoint = ?2, items = items + ?3, prices = prices + ?4, \
       stock = stock + ?5, status = ?6, result = ?7, updated_at = ?8, full = coalesce(?9, full) WHERE job = ?1";

/// The catalogue imports of an exchange session: how many, how many not done, and whether a
/// products or an offers file of it was a full exchange.
pub const CML_SESSION_IMPORTS: &str = "SELECT count(*) AS imports, coalesce(sum(status <> 'done'), 0) AS unfinished, \
       coalesce(max(kind = 'products' AND full = 1), 0) AS full_products, coalesce(max(kind = 'offers' AND full = 1), 0) AS full_offers, \
       group_concat(CASE WHEN status <> 'done' THEN name || ': ' || status END, '; ') AS problems \
     FROM cml_imports WHERE session = ?";

/// A full `import.xml`: products (no `#`) from CommerceML it did not list since the exchange
/// began (?2) are no longer offered.
pub const CML_DEACTIVATE_UNLISTED: &str = "UPDATE products SET active = 0, updated_at = ?1 \
     WHERE active = 1 AND instr(onec_id, '#') = 0 AND (cml_listed_at IS NOT NULL OR cml_seen_at IS NOT NULL) \
       AND (cml_listed_at IS NULL OR cml_listed_at < ?2)";

/// A full offers package: characteristics (`guid#guid`) it did not list since ?2 go.
pub const CML_DEACTIVATE_UNSEEN_VARIANTS: &str = "UPDATE products SET active = 0, updated_at = ?1 \
     WHERE active = 1 AND instr(onec_id, '#') > 0 AND (cml_seen_at IS NULL OR cml_seen_at < ?2)";

/// `mode=deactivate&timestamp=?2` (as the Bitrix site does): every row from CommerceML no file of
/// the exchange touched since the timestamp of `checkauth`.
pub const CML_DEACTIVATE_UNTOUCHED: &str = "UPDATE products SET active = 0, updated_at = ?1 \
     WHERE active = 1 AND (cml_listed_at IS NOT NULL OR cml_seen_at IS NOT NULL) \
       AND coalesce(cml_listed_at, '') < ?2 AND coalesce(cml_seen_at, '') < ?2";

/// After a deactivation: characteristics of a product no longer offered go with it.
pub const CML_DEACTIVATE_VARIANTS_OF_INACTIVE: &str = "UPDATE products SET active = 0, updated_at = ?1 \
     WHERE active = 1 AND instr(onec_id, '#') > 0 AND (cml_listed_at IS NOT NULL OR cml_seen_at IS NOT NULL) \
       AND EXISTS (SELECT 1 FROM products b WHERE b.onec_id = substr(products.onec_id, 1, instr(products.onec_id, '#') - 1) AND b.active = 0)";

/// A slice that cannot be read ends the import, unless another run has moved it on meanwhile.
pub const CML_IMPORT_FAIL: &str =
    "UPDATE cml_imports SET status = 'failed', result = ?3, updated_at = ?4 \
     WHERE job = ?1 AND slice = ?2 AND status = 'running'";

pub const CML_IMPORT_TOUCH: &str = "UPDATE cml_imports SET updated_at = ? WHERE job = ?";

/// Imports no consumer has moved on for a while (a lost queue message, a restart).
pub const CML_IMPORTS_STALLED: &str = "SELECT job FROM cml_imports WHERE status = 'running' AND updated_at < ? ORDER BY updated_at LIMIT 50";

/// Orders changed in the portal that 1C has not confirmed, oldest first.
pub const CML_SALE_DUE: &str = "SELECT o.id, o.onec_id, o.number, o.ordered_at, o.status, o.delivery_method, o.delivery_address, \
       o.consignee_onec_id, o.payment_method, o.paid_kop, o.planned_shipping_date, o.total_kop, o.vat_kop, o.cml_change, \
       c.onec_id AS company_onec_id, c.name AS company_name, le.onec_id AS le_onec_id, le.name AS le_name, \
       le.full_name AS le_full_name, le.inn AS le_inn, le.kpp AS le_kpp, a.onec_id AS agreement_onec_id, \
       a.name AS agreement_name, a.number AS agreement_number \
     FROM orders o JOIN companies c ON c.id = o.company_id \
       LEFT JOIN legal_entities le ON le.id = o.legal_entity_id LEFT JOIN agreements a ON a.id = o.agreement_id \
     WHERE o.cml_change > o.cml_confirmed ORDER BY o.rowid LIMIT ?";

pub const CML_SALE_LINES: &str = "SELECT order_id, line_no, product_onec_id, article, name, qty_milli, unit, price_kop, amount_kop, vat_rate_bp, vat_kop \
     FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, line_no";

/// The last query wins: what an earlier one handed out and 1C never confirmed is due anyway.
pub const CML_HANDOUT_CLEAR: &str = "DELETE FROM cml_sale_handout";

pub const CML_HANDOUT_ADD: &str = "INSERT INTO cml_sale_handout (order_id, change, session, queried_at) \
     SELECT json_extract(value, '$.id'), json_extract(value, '$.change'), ?1, ?2 FROM json_each(?3)";

/// `mode=success`: confirms the change each order carried when handed out, not a later one.
pub const CML_HANDOUT_CONFIRM: &str = "UPDATE orders SET cml_confirmed = max(cml_confirmed, \
       (SELECT h.change FROM cml_sale_handout h WHERE h.order_id = orders.id)) \
     WHERE id IN (SELECT order_id FROM cml_sale_handout WHERE session = ?)";

pub const CML_HANDOUT_DONE: &str = "DELETE FROM cml_sale_handout WHERE session = ?";

/// The portal orders 1C's order file names: by id (1C's or the portal's), or by number; `pending`
/// while a portal change is not yet confirmed by 1C's `success`.
pub const CML_ORDERS_FIND: &str = "SELECT id, onec_id, number, status, payment_method, company_id, total_kop, \
       (cml_change > cml_confirmed) AS pending, cml_before_cancel FROM orders \
     WHERE onec_id IN (SELECT value FROM json_each(?1)) OR id IN (SELECT value FROM json_each(?1)) \
       OR number IN (SELECT value FROM json_each(?2)) OR id IN (SELECT value FROM json_each(?2))";

/// The orders of payment and shipment documents 1C's file sends again without `Основание` (and
/// without an order in their `Контейнер`): known by their own 1C id, as Bitrix finds them by
/// `ID_1C`.
pub const CML_DOCUMENT_ORDERS: &str = "SELECT onec_id, order_id FROM cml_order_payments WHERE onec_id IN (SELECT value FROM json_each(?1)) \
     UNION ALL SELECT onec_id, order_id FROM shipments WHERE onec_id IN (SELECT value FROM json_each(?1))";

/// The companies the counterparties of 1C's new orders are: by 1C id (a legal entity's or the
/// company's), else by INN (the caller matches the KPP).
pub const CML_COUNTERPARTIES_FIND: &str = "SELECT le.onec_id AS onec_id, NULL AS inn, NULL AS kpp, le.company_id, le.id AS legal_entity_id \
     FROM legal_entities le WHERE le.onec_id IN (SELECT value FROM json_each(?1)) \
     UNION ALL SELECT c.onec_id, NULL, NULL, c.id, NULL FROM companies c WHERE c.onec_id IN (SELECT value FROM json_each(?1)) \
     UNION ALL SELECT NULL, le.inn, le.kpp, le.company_id, le.id FROM legal_entities le \
       WHERE le.active = 1 AND le.inn IN (SELECT value FROM json_each(?2))";

/// An order a manager entered in 1C (a phone order), for a known counterparty: 1C's document
/// `Ид` is its 1C id; its agreement is the company's first active one.
pub const CML_ORDER_NEW: &str = "INSERT INTO orders (id, company_id, onec_id, legal_entity_id, agreement_id, number, number_norm, ordered_at, status, \
       payment_method, paid_kop, total_kop, vat_kop, onec_number, updated_at) \
     VALUES (?1, ?2, ?3, ?4, (SELECT id FROM agreements WHERE company_id = ?2 AND active = 1 \
         AND (?4 IS NULL OR legal_entity_id IS NULL OR legal_entity_id = ?4) ORDER BY name LIMIT 1), \
       ?5, ?6, ?7, ?8, 'invoice', 0, ?9, ?10, ?11, ?12) \
     ON CONFLICT(onec_id) DO NOTHING";

/// What 1C's order file says of many orders at once (JSON array; null leaves a value as it is):
/// requisites, the sum, a payment in full; the portal changes it closes (`close`: the order
/// had none open when the file came); and 1C's own `Ид` of an order placed in the portal
/// (`onec_id`, replacing `portal:<id>` unless another order has it).
pub const CML_ORDERS_FROM_1C: &str = "UPDATE orders SET status = coalesce(v.status, orders.status), \
       onec_number = coalesce(v.onec_number, orders.onec_number), onec_posted = coalesce(v.posted, orders.onec_posted), \
       total_kop = coalesce(v.total, orders.total_kop), vat_kop = coalesce(v.vat, orders.vat_kop), \
       paid_kop = CASE WHEN v.paid THEN max(orders.paid_kop, coalesce(v.total, orders.total_kop)) ELSE orders.paid_kop END, \
       onec_paid_at = coalesce(v.paid_at, orders.onec_paid_at), onec_payment_number = coalesce(v.payment_number, orders.onec_payment_number), \
       cml_closed = CASE WHEN v.close THEN max(orders.cml_closed, orders.cml_confirmed) ELSE orders.cml_closed END, \
       onec_id = CASE WHEN v.onec_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders x WHERE x.onec_id = v.onec_id) \
         THEN v.onec_id ELSE orders.onec_id END, \
       version = orders.version + 1, updated_at = ?1 \
     FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.status') AS status, \
             json_extract(value, '$.onec_number') AS onec_number, json_extract(value, '$.posted') AS posted, \
             json_extract(value, '$.paid') AS paid, json_extract(value, '$.paid_at') AS paid_at, \
             json_extract(value, '$.payment_number') AS payment_number, json_extract(value, '$.total') AS total, \
             json_extract(value, '$.vat') AS vat, json_extract(value, '$.close') AS close, \
             json_extract(value, '$.onec_id') AS onec_id FROM json_each(?2)) AS v \
     WHERE orders.id = v.id";

/// The lines of orders 1C's file replaces (JSON array of order ids).
pub const CML_ORDER_LINES_CLEAR: &str =
    "DELETE FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?))";

/// 1C's lines of its orders: the product by 1C id, else by article.
pub const CML_ORDER_LINES_ADD: &str = "INSERT INTO order_lines (order_id, company_id, line_no, product_id, product_onec_id, article, name, qty_milli, unit, price_kop, amount_kop, vat_rate_bp, vat_kop, search) \
     SELECT o.id, o.company_id, json_extract(v.value, '$.line_no'), p.id, coalesce(p.onec_id, json_extract(v.value, '$.product')), \
       coalesce(nullif(json_extract(v.value, '$.article'), ''), p.article, ''), coalesce(json_extract(v.value, '$.name'), p.name, ''), \
       json_extract(v.value, '$.qty'), coalesce(json_extract(v.value, '$.unit'), p.unit, 'шт'), json_extract(v.value, '$.price'), \
       json_extract(v.value, '$.amount'), coalesce(json_extract(v.value, '$.vat_rate_bp'), p.vat_rate_bp), json_extract(v.value, '$.vat'), \
       json_extract(v.value, '$.search') \
     FROM json_each(?) v JOIN orders o ON o.id = json_extract(v.value, '$.order') \
       LEFT JOIN products p ON p.id = coalesce((SELECT id FROM products WHERE onec_id = json_extract(v.value, '$.product')), \
         (SELECT id FROM products WHERE article_norm = json_extract(v.value, '$.article_norm') AND article_norm <> '' LIMIT 1))";

/// Payments 1C's file reports (3.1 payment documents), each stored once by its 1C id.
pub const CML_PAYMENTS_UPSERT: &str = "INSERT INTO cml_order_payments (onec_id, order_id, company_id, number, paid_at, amount_kop, deleted, updated_at) \
     SELECT json_extract(v.value, '$.onec_id'), o.id, o.company_id, json_extract(v.value, '$.number'), json_extract(v.value, '$.at'), \
       json_extract(v.value, '$.amount'), json_extract(v.value, '$.deleted'), ?1 \
     FROM json_each(?2) v JOIN orders o ON o.id = json_extract(v.value, '$.order') WHERE true \
     ON CONFLICT(onec_id) DO UPDATE SET amount_kop = excluded.amount_kop, deleted = excluded.deleted, number = excluded.number, \
       paid_at = excluded.paid_at, updated_at = excluded.updated_at";

/// An order's paid amount is the sum of its payments; paid in full before shipping, it is paid.
pub const CML_PAYMENTS_TOTAL: &str = "UPDATE orders SET \
       paid_kop = (SELECT coalesce(sum(amount_kop), 0) FROM cml_order_payments WHERE order_id = orders.id AND deleted = 0), \
       status = CASE WHEN orders.total_kop > 0 AND orders.status IN ('draft', 'awaiting_payment', 'reserved') \
           AND (SELECT coalesce(sum(amount_kop), 0) FROM cml_order_payments WHERE order_id = orders.id AND deleted = 0) >= orders.total_kop \
         THEN 'paid' ELSE orders.status END, \
       version = orders.version + 1, updated_at = ?1 \
     WHERE id IN (SELECT value FROM json_each(?2))";

/// A shipment 1C's order file reports (`Номер отгрузки по 1С`), without lines.
pub const CML_SHIPMENTS_FROM_1C: &str = "INSERT INTO shipments (id, company_id, order_id, onec_id, number, shipped_at) \
     SELECT json_extract(v.value, '$.id'), o.company_id, o.id, json_extract(v.value, '$.onec_id'), json_extract(v.value, '$.number'), \
       json_extract(v.value, '$.at') FROM json_each(?) v JOIN orders o ON o.id = json_extract(v.value, '$.order') WHERE true \
     ON CONFLICT(onec_id) DO UPDATE SET number = excluded.number, shipped_at = coalesce(excluded.shipped_at, shipments.shipped_at)";

// ---- Orders, credit states, payment schedules (1C snapshots) ----

/// The company rows of the named agreements: (1C agreement id, 1C company id, typical).
pub const AGREEMENTS_BY_ONEC: &str = "SELECT a.onec_id, c.onec_id AS company, a.kind = 'typical' AS typical \
     FROM agreements a JOIN companies c ON c.id = a.company_id WHERE a.onec_id IN (SELECT value FROM json_each(?))";
pub const ORDERS_IDS_BY_ONEC: &str =
    "SELECT id FROM orders WHERE onec_id IN (SELECT value FROM json_each(?))";
pub const ORDERS_BY_ONEC: &str =
    "SELECT onec_id FROM orders WHERE onec_id IN (SELECT value FROM json_each(?))";

pub const CREDIT_STATE_UPSERT: &str = "INSERT INTO credit_states (agreement_id, company_id, limit_kop, debt_kop, overdue_kop, reserve_kop, blocked, amount_to_pay_kop, as_of, updated_at) \
     SELECT a.id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM agreements a WHERE a.onec_id = ?1 AND a.company_id = ?2 \
     ON CONFLICT(agreement_id) DO UPDATE SET company_id = excluded.company_id, limit_kop = excluded.limit_kop, debt_kop = excluded.debt_kop, \
       overdue_kop = excluded.overdue_kop, reserve_kop = excluded.reserve_kop, blocked = excluded.blocked, \
       amount_to_pay_kop = excluded.amount_to_pay_kop, as_of = excluded.as_of, updated_at = excluded.updated_at";

pub const CREDIT_RESERVE_CLEAR: &str = "DELETE FROM credit_reserve_orders WHERE agreement_id = (SELECT id FROM agreements WHERE onec_id = ?1 AND company_id = ?2)";

pub const CREDIT_RESERVE_ADD: &str =
    "INSERT OR IGNORE INTO credit_reserve_orders (agreement_id, company_id, order_onec_id) \
     SELECT (SELECT id FROM agreements WHERE onec_id = ?1 AND company_id = ?2), ?2, value FROM json_each(?3)";

/// An order snapshot; `version` grows with every change so a client edit based on an older one
/// is refused. The author is found by e-mail within the order's company.
pub const ORDER_UPSERT: &str = "INSERT INTO orders (id, company_id, onec_id, legal_entity_id, agreement_id, number, ordered_at, author_user_id, status, \
       delivery_method, delivery_address, consignee_onec_id, payment_method, paid_kop, planned_shipping_date, total_kop, vat_kop, updated_at) \
     VALUES (?1, ?2, ?3, (SELECT id FROM legal_entities WHERE onec_id = ?4), (SELECT id FROM agreements WHERE onec_id = ?5 AND company_id = ?2), ?6, ?7, \
       (SELECT id FROM users WHERE email = ?8 AND company_id = ?2), ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) \
     ON CONFLICT(onec_id) DO UPDATE SET company_id = excluded.company_id, legal_entity_id = excluded.legal_entity_id, \
       agreement_id = excluded.agreement_id, number = excluded.number, ordered_at = excluded.ordered_at, \
       author_user_id = excluded.author_user_id, status = excluded.status, delivery_method = excluded.delivery_method, \
       delivery_address = excluded.delivery_address, consignee_onec_id = excluded.consignee_onec_id, \
       payment_method = excluded.payment_method, paid_kop = excluded.paid_kop, planned_shipping_date = excluded.planned_shipping_date, \
       total_kop = excluded.total_kop, vat_kop = excluded.vat_kop, version = orders.version + 1, updated_at = excluded.updated_at";

/// The organisation (1C id) the order is sold from; omitted (NULL): kept, or the agreement's.
pub const ORDER_ORGANISATION: &str =
    "UPDATE orders SET organisation_onec_id = coalesce(?2, organisation_onec_id) WHERE onec_id = ?1";

pub const ORDER_LINES_CLEAR: &str =
    "DELETE FROM order_lines WHERE order_id = (SELECT id FROM orders WHERE onec_id = ?)";

pub const ORDER_LINES_ADD: &str = "INSERT INTO order_lines (order_id, company_id, line_no, product_id, product_onec_id, article, name, qty_milli, unit, price_kop, amount_kop, vat_rate_bp, vat_kop, search) \
     SELECT (SELECT id FROM orders WHERE onec_id = ?1), ?2, json_extract(v.value, '$.line_no'), \
       (SELECT id FROM products WHERE onec_id = json_extract(v.value, '$.product')), json_extract(v.value, '$.product'), \
       json_extract(v.value, '$.article'), json_extract(v.value, '$.name'), json_extract(v.value, '$.qty'), json_extract(v.value, '$.unit'), \
       json_extract(v.value, '$.price'), json_extract(v.value, '$.amount'), json_extract(v.value, '$.vat_rate_bp'), json_extract(v.value, '$.vat'), \
       json_extract(v.value, '$.search') \
     FROM json_each(?3) v";

pub const ORDER_NUMBER_NORM: &str = "UPDATE orders SET number_norm = ?1 WHERE onec_id = ?2";

pub const SHIPMENT_LINES_CLEAR: &str = "DELETE FROM shipment_lines WHERE shipment_id IN \
     (SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id WHERE o.onec_id = ?)";

pub const SHIPMENTS_CLEAR: &str =
    "DELETE FROM shipments WHERE order_id = (SELECT id FROM orders WHERE onec_id = ?)";

pub const SHIPMENTS_ADD: &str = "INSERT INTO shipments (id, company_id, order_id, onec_id, number, shipped_at, vehicle, documents) \
     SELECT json_extract(v.value, '$.id'), ?2, (SELECT id FROM orders WHERE onec_id = ?1), json_extract(v.value, '$.onec_id'), \
       json_extract(v.value, '$.number'), json_extract(v.value, '$.at'), json_extract(v.value, '$.vehicle'), json_extract(v.value, '$.documents') \
     FROM json_each(?3) v";

pub const SHIPMENT_LINES_ADD: &str = "INSERT INTO shipment_lines (shipment_id, company_id, line_no, qty_milli) \
     SELECT (SELECT id FROM shipments WHERE onec_id = json_extract(v.value, '$.shipment')), ?1, json_extract(v.value, '$.line_no'), json_extract(v.value, '$.qty') \
     FROM json_each(?2) v";

pub const SCHEDULE_CLEAR: &str =
    "DELETE FROM payment_schedule WHERE order_id = (SELECT id FROM orders WHERE onec_id = ?)";

pub const SCHEDULE_ADD: &str = "INSERT INTO payment_schedule (order_id, company_id, agreement_id, stage_no, due_date, amount_kop, paid_kop) \
     SELECT (SELECT id FROM orders WHERE onec_id = ?1), ?2, (SELECT id FROM agreements WHERE onec_id = ?3 AND company_id = ?2), json_extract(v.value, '$.stage_no'), \
       json_extract(v.value, '$.due'), json_extract(v.value, '$.amount'), json_extract(v.value, '$.paid') \
     FROM json_each(?4) v";

// ---- The rest of the inbound contract (migration 0003) ----

/// A consignee the portal created, now known to 1C: link it before the snapshot is applied.
pub const CONSIGNEE_LINK: &str =
    "UPDATE consignees SET onec_id = ?1 WHERE id = ?2 AND company_id = ?3 AND onec_id IS NULL";

pub const CONSIGNEE_UPSERT: &str = "INSERT INTO consignees (id, company_id, onec_id, name, inn, kpp, address, contact_person, phone, active, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
     ON CONFLICT(onec_id) DO UPDATE SET company_id = excluded.company_id, name = excluded.name, inn = excluded.inn, kpp = excluded.kpp, \
       address = excluded.address, contact_person = excluded.contact_person, phone = excluded.phone, active = excluded.active, \
       version = consignees.version + 1, updated_at = excluded.updated_at";

pub const CALENDAR_UPSERT: &str = "INSERT INTO shipping_calendars (calendar, from_date, to_date, updated_at) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT(calendar) DO UPDATE SET from_date = excluded.from_date, to_date = excluded.to_date, updated_at = excluded.updated_at";

pub const CALENDAR_DAYS_CLEAR: &str = "DELETE FROM shipping_days_off WHERE calendar = ?";

pub const CALENDAR_DAYS_ADD: &str = "INSERT OR IGNORE INTO shipping_days_off (calendar, day) SELECT ?1, substr(value, 1, 10) FROM json_each(?2)";

pub const OPENING_BALANCE_UPSERT: &str = "INSERT INTO opening_balances (onec_id, company_id, legal_entity_onec_id, agreement_onec_id, as_of, balance_kop, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
     ON CONFLICT(onec_id) DO UPDATE SET company_id = excluded.company_id, legal_entity_onec_id = excluded.legal_entity_onec_id, \
       agreement_onec_id = excluded.agreement_onec_id, as_of = excluded.as_of, balance_kop = excluded.balance_kop, updated_at = excluded.updated_at";

pub const PAYMENT_UPSERT: &str = "INSERT INTO payments_received (onec_id, company_id, legal_entity_onec_id, agreement_onec_id, number, paid_at, amount_kop, purpose, posted, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
     ON CONFLICT(onec_id) DO UPDATE SET company_id = excluded.company_id, legal_entity_onec_id = excluded.legal_entity_onec_id, \
       agreement_onec_id = excluded.agreement_onec_id, number = excluded.number, paid_at = excluded.paid_at, amount_kop = excluded.amount_kop, \
       purpose = excluded.purpose, posted = excluded.posted, updated_at = excluded.updated_at";

pub const PAYMENT_ALLOCATIONS_CLEAR: &str =
    "DELETE FROM payment_allocations WHERE payment_onec_id = ?";

pub const PAYMENT_ALLOCATIONS_ADD: &str = "INSERT INTO payment_allocations (payment_onec_id, company_id, order_onec_id, amount_kop) \
     SELECT ?1, ?2, json_extract(value, '$.order'), sum(json_extract(value, '$.kop')) FROM json_each(?3) GROUP BY json_extract(value, '$.order')";

/// A return the client requested in the portal, now registered in 1C.
pub const RETURN_LINK: &str =
    "UPDATE returns SET onec_id = ?1 WHERE id = ?2 AND company_id = ?3 AND onec_id IS NULL";

pub const RETURN_UPSERT: &str = "INSERT INTO returns (id, company_id, onec_id, order_id, number, status, reject_reason, refund_kop, created_at, updated_at) \
     VALUES (?1, ?2, ?3, (SELECT id FROM orders WHERE onec_id = ?4 AND company_id = ?2), ?5, ?6, ?7, ?8, ?9, ?10) \
     ON CONFLICT(onec_id) DO UPDATE SET number = excluded.number, status = excluded.status, reject_reason = excluded.reject_reason, \
       refund_kop = excluded.refund_kop, version = returns.version + 1, updated_at = excluded.updated_at";

pub const RETURN_LINES_UNAPPROVE: &str = "UPDATE return_lines SET approved_milli = NULL WHERE return_id = (SELECT id FROM returns WHERE onec_id = ?)";

/// 1C's accepted quantities; a line 1C added (a return registered in 1C) is requested = accepted.
pub const RETURN_LINES_APPROVE: &str = "INSERT INTO return_lines (return_id, company_id, line_no, qty_milli, approved_milli) \
     SELECT (SELECT id FROM returns WHERE onec_id = ?1), ?2, json_extract(value, '$.line_no'), json_extract(value, '$.qty'), json_extract(value, '$.qty') \
     FROM json_each(?3) WHERE true \
     ON CONFLICT(return_id, line_no) DO UPDATE SET approved_milli = excluded.approved_milli";

pub const MOVEMENT_UPSERT: &str = "INSERT INTO account_movements (onec_id, company_id, legal_entity_onec_id, at, kind, amount_kop, return_onec_id, order_onec_id, change_id, comment, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
     ON CONFLICT(onec_id) DO UPDATE SET company_id = excluded.company_id, legal_entity_onec_id = excluded.legal_entity_onec_id, at = excluded.at, \
       kind = excluded.kind, amount_kop = excluded.amount_kop, return_onec_id = excluded.return_onec_id, order_onec_id = excluded.order_onec_id, \
       change_id = excluded.change_id, comment = excluded.comment, updated_at = excluded.updated_at";

/// The balance is the sum of the movements: recomputed, never incremented, so a re-sent or
/// corrected movement cannot count twice.
pub const ACCOUNT_BALANCE_RECOMPUTE: &str = "INSERT INTO internal_accounts (company_id, balance_kop, updated_at) \
     SELECT ?1, coalesce(sum(amount_kop), 0), ?2 FROM account_movements WHERE company_id = ?1 \
     ON CONFLICT(company_id) DO UPDATE SET balance_kop = excluded.balance_kop, updated_at = excluded.updated_at";

pub const DOCUMENT_UPSERT: &str = "INSERT INTO documents (id, company_id, onec_id, legal_entity_onec_id, kind, kind_name, number, number_norm, doc_date, \
       upd_status, corrects_onec_id, shipment_onec_id, amount_kop, vat_kop, edo_status, lines_json, active, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) \
     ON CONFLICT(onec_id) DO UPDATE SET company_id = excluded.company_id, legal_entity_onec_id = excluded.legal_entity_onec_id, kind = excluded.kind, \
       kind_name = excluded.kind_name, number = excluded.number, number_norm = excluded.number_norm, doc_date = excluded.doc_date, \
       upd_status = excluded.upd_status, corrects_onec_id = excluded.corrects_onec_id, shipment_onec_id = excluded.shipment_onec_id, \
       amount_kop = excluded.amount_kop, vat_kop = excluded.vat_kop, edo_status = excluded.edo_status, lines_json = excluded.lines_json, \
       active = excluded.active, updated_at = excluded.updated_at";

/// A document's correction (ИУПД: the original's 1C id, НомИспр, its date) and its 1С-ЭДО state as
/// 1C named it; after DOCUMENT_UPSERT, by 1C's id.
pub const DOCUMENT_UT11_SET: &str = "UPDATE documents SET correction_of_onec_id = ?2, correction_no = ?3, correction_date = ?4, edo_state = ?5 \
     WHERE onec_id = ?1";

pub const DOCUMENT_CORRECTS_CLEAR: &str =
    "DELETE FROM document_corrects WHERE document_id = (SELECT id FROM documents WHERE onec_id = ?)";

/// The УПД a УКД corrects (a JSON array of 1C ids); they need not have arrived.
pub const DOCUMENT_CORRECTS_ADD: &str =
    "INSERT OR IGNORE INTO document_corrects (document_id, company_id, corrected_onec_id) \
     SELECT (SELECT id FROM documents WHERE onec_id = ?1), ?2, value FROM json_each(?3)";

/// The supplier's organisation (1C id) issuing a document (issue 17).
pub const DOCUMENT_ORGANISATION: &str =
    "UPDATE documents SET organisation_onec_id = ?2 WHERE onec_id = ?1";

pub const DOCUMENT_ORDERS_CLEAR: &str =
    "DELETE FROM document_orders WHERE document_id = (SELECT id FROM documents WHERE onec_id = ?)";

pub const DOCUMENT_ORDERS_ADD: &str =
    "INSERT OR IGNORE INTO document_orders (document_id, company_id, order_onec_id) \
     SELECT (SELECT id FROM documents WHERE onec_id = ?1), ?2, value FROM json_each(?3)";

/// Files keep their id across re-sent snapshots, so download links stay valid.
pub const DOCUMENT_FILES_UPSERT: &str = "INSERT INTO document_files (id, document_id, company_id, file_no, blob_key, name, content_type, size, role) \
     SELECT json_extract(value, '$.id'), (SELECT id FROM documents WHERE onec_id = ?1), ?2, json_extract(value, '$.no'), json_extract(value, '$.blob_key'), \
       json_extract(value, '$.name'), json_extract(value, '$.content_type'), json_extract(value, '$.size'), json_extract(value, '$.role') \
     FROM json_each(?3) WHERE true \
     ON CONFLICT(document_id, file_no) DO UPDATE SET blob_key = excluded.blob_key, name = excluded.name, content_type = excluded.content_type, \
       size = excluded.size, role = excluded.role";

pub const DOCUMENT_FILES_TRIM: &str = "DELETE FROM document_files WHERE document_id = (SELECT id FROM documents WHERE onec_id = ?1) AND file_no > ?2";

pub const ACT_UPSERT: &str = "INSERT INTO reconciliation_acts (onec_id, company_id, request_id, legal_entity_onec_id, agreement_onec_id, number, period_from, period_to, \
       opening_kop, debit_kop, credit_kop, closing_kop, operations_json, files_json, received_at, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15) \
     ON CONFLICT(onec_id) DO UPDATE SET company_id = excluded.company_id, request_id = excluded.request_id, \
       legal_entity_onec_id = excluded.legal_entity_onec_id, agreement_onec_id = excluded.agreement_onec_id, number = excluded.number, \
       period_from = excluded.period_from, period_to = excluded.period_to, opening_kop = excluded.opening_kop, debit_kop = excluded.debit_kop, \
       credit_kop = excluded.credit_kop, closing_kop = excluded.closing_kop, operations_json = excluded.operations_json, \
       files_json = excluded.files_json, updated_at = excluded.updated_at";

/// The portal's request the act answers is ready.
pub const ACT_REQUEST_READY: &str = "UPDATE act_requests SET status = 'ready', reason = NULL, act_onec_id = ?1, updated_at = ?2 WHERE id = ?3 AND company_id = ?4";

pub const RETURNS_BY_PORTAL_ID: &str =
    "SELECT id FROM returns WHERE id IN (SELECT value FROM json_each(?))";

pub const USER_LINK_ONEC: &str = "UPDATE users SET onec_id = ? WHERE id = ? AND onec_id IS NULL";

pub const CONSIGNEE_LINK_ONEC: &str =
    "UPDATE consignees SET onec_id = ? WHERE id = ? AND onec_id IS NULL";

/// Orders created in the portal carry `portal:<id>` as their 1C id until 1C names them.
pub const ORDER_LINK_ONEC: &str =
    "UPDATE orders SET onec_id = ?1 WHERE id = ?2 AND company_id = ?3 AND onec_id LIKE 'portal:%'";

/// The 1C company owning each named entity of one kind (see `ownership`); `?` a JSON array of
/// 1C ids. One statement per table: D1 limits compound SELECTs to a few terms.
macro_rules! owners_of {
    ($table:literal) => {
        concat!(
            "SELECT t.onec_id, c.onec_id AS company FROM ",
            $table,
            " t JOIN companies c ON c.id = t.company_id \
           WHERE t.onec_id IN (SELECT value FROM json_each(?))"
        )
    };
}
pub const LEGAL_ENTITY_OWNERS: &str = owners_of!("legal_entities");
/// Every company row of each agreement (a typical one has several), with its kind.
pub const AGREEMENT_OWNERS: &str = "SELECT t.onec_id, c.onec_id AS company, t.kind = 'typical' AS typical \
     FROM agreements t JOIN companies c ON c.id = t.company_id WHERE t.onec_id IN (SELECT value FROM json_each(?))";
pub const ORDER_OWNERS: &str = owners_of!("orders");
pub const CONSIGNEE_OWNERS: &str = owners_of!("consignees");
pub const RETURN_OWNERS: &str = owners_of!("returns");
pub const DOCUMENT_OWNERS: &str = owners_of!("documents");

/// Signature v2: records a request's nonce; no row changed means it was seen before (a replay).
pub const NONCE_RECORD: &str =
    "INSERT INTO onec_nonces (nonce, seen_at) VALUES (?1, ?2) ON CONFLICT (nonce) DO NOTHING";

/// Nonces older than `?2` seconds before `?1` (now): twice the skew, past which the timestamp
/// check refuses the request anyway.
pub const NONCE_PURGE: &str = "DELETE FROM onec_nonces WHERE seen_at <= ?1 - ?2";

/// 1C's last contact of a kind (?1) at ?2 with the extension version ?3 (NULL keeps the last
/// seen). ?4 false: only if the statement before it in the batch (the nonce insert) changed a
/// row, so a replay is not recorded.
pub const ONEC_CONTACT_UPSERT: &str =
    "INSERT INTO onec_contacts (kind, last_at, extension_version) \
     SELECT ?1, ?2, ?3 WHERE ?4 OR changes() > 0 \
     ON CONFLICT (kind) DO UPDATE SET last_at = excluded.last_at, \
     extension_version = coalesce(excluded.extension_version, onec_contacts.extension_version)";

/// The monitor: 1C's last contact per kind.
pub const MONITOR_CONTACTS: &str =
    "SELECT kind, last_at, extension_version FROM onec_contacts ORDER BY kind";

// ---- Full resync (`manifest`) ----

/// The sequence numbers held for the ids of a manifest (`?2`, a JSON array) of one type.
pub const MANIFEST_HELD: &str = "SELECT entity_id AS id, seq FROM inbound_seq \
     WHERE entity_type = ?1 AND entity_id IN (SELECT value FROM json_each(?2))";

/// What the portal holds of one type for one 1C company (`?2`) that a complete manifest (`?3`)
/// did not list, at most `?4`.
pub const MANIFEST_UNKNOWN: &str = "SELECT entity_id AS id, seq FROM inbound_seq \
     WHERE company_onec_id = ?2 AND entity_type = ?1 AND entity_id NOT IN (SELECT value FROM json_each(?3)) \
     ORDER BY entity_id LIMIT ?4";

pub const COMPANY_ID_BY_ONEC: &str = "SELECT id FROM companies WHERE onec_id = ?";


/// The images (`Картинка`) of a slice's products (`?4`: JSON `[{product, position, path}]`), to
/// be made into thumbnails by the import's job `?1` after its products are in.
pub const CML_IMAGES_ADD: &str = "INSERT OR IGNORE INTO cml_images (job, session, product, position, path, base, updated_at) \
     SELECT ?1, ?2, json_extract(value, '$.product'), json_extract(value, '$.position'), json_extract(value, '$.path'), \
            json_extract(value, '$.base'), ?3 \
     FROM json_each(?4)";

/// Pending images of an import whose file 1C did not upload in the exchange (by path or base
/// name): noted as missing in one statement, so a catalogue sent without its pictures costs no
/// per-image work.
pub const CML_IMAGES_MISSING: &str = "UPDATE cml_images SET status = 'missing', note = 'not uploaded in this exchange', updated_at = ?2 \
     WHERE job = ?1 AND status = 'pending' AND NOT EXISTS (SELECT 1 FROM cml_files f \
       WHERE f.session = cml_images.session AND f.name IN (cml_images.path, cml_images.base))";

/// The next images of an import still to be made into thumbnails.
pub const CML_IMAGES_NEXT: &str = "SELECT session, product, position, path, base, attempts FROM cml_images \
     WHERE job = ?1 AND status = 'pending' ORDER BY product, position LIMIT ?2";

/// Images of an import: how many are still pending, and in all.
pub const CML_IMAGES_COUNT: &str = "SELECT coalesce(sum(status = 'pending'), 0) AS pending, count(*) AS total FROM cml_images WHERE job = ?1";

/// One more try at an image (counted before decoding: a try that kills the isolate counts too).
pub const CML_IMAGE_ATTEMPT: &str = "UPDATE cml_images SET attempts = attempts + 1, updated_at = ?1 \
     WHERE job = ?2 AND product = ?3 AND position = ?4";

/// What became of an image: status, its thumbnails' content id, a note.
pub const CML_IMAGE_SET: &str = "UPDATE cml_images SET status = ?1, image = ?2, note = ?3, updated_at = ?4 \
     WHERE job = ?5 AND product = ?6 AND position = ?7";

/// A product's main image (JSON of its 160 px thumbnail), set when its thumbnails are in R2.
pub const CML_PRODUCT_IMAGE: &str = "UPDATE products SET image = ?1 WHERE onec_id = ?2";

/// The uploaded file an image path names in the exchange: the path as written, else its base
/// name (the upload keeps the subfolders or not): its stored name, size and chunk sizes.
pub const CML_IMAGE_FILE: &str = "SELECT name, bytes, chunk_sizes FROM cml_files \
     WHERE session = ?1 AND name IN (?2, ?3) ORDER BY name = ?2 DESC LIMIT 1";

/// Finished product imports whose images no consumer has moved on for a while.
pub const CML_IMAGES_STALLED: &str = "SELECT DISTINCT i.job FROM cml_images i JOIN cml_imports j ON j.job = i.job \
     WHERE i.status = 'pending' AND j.status = 'done' AND j.updated_at < ?1 LIMIT 50";
