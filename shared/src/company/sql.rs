//! All SQL of the company capability. Every query is scoped by the caller's company id.

pub const COMPANY: &str = "SELECT id, name, full_name, timezone FROM companies WHERE id = ?";

pub const LEGAL_ENTITIES: &str =
    "SELECT id, name, full_name, inn, kpp, ogrn, legal_address, postal_address, phone, email, bank_accounts, version \
     FROM legal_entities WHERE company_id = ? AND active = 1 ORDER BY name";

pub const AGREEMENTS: &str = "SELECT a.id, a.legal_entity_id, a.name, a.number, a.signed_on, a.credit_limit_kop, a.deferral_days, \
       pt.name AS price_type \
     FROM agreements a LEFT JOIN price_types pt ON pt.id = a.price_type_id \
     WHERE a.company_id = ? AND a.active = 1 ORDER BY a.name";

/// Names only (the order list's filter by who placed an order), former employees too.
pub const EMPLOYEE_NAMES: &str =
    "SELECT u.id, u.full_name FROM users u WHERE u.company_id = ? ORDER BY u.full_name, u.id";

pub const EMPLOYEES: &str =
    "SELECT u.id, u.email, u.full_name, u.position, u.phone, u.active, u.last_sign_in_at, u.version, \
       u.password_hash IS NOT NULL AS has_password, u.erased_at IS NOT NULL AS erased, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u WHERE u.company_id = ? ORDER BY u.active DESC, u.full_name, u.id";

pub const EMPLOYEE: &str =
    "SELECT u.id, u.email, u.full_name, u.position, u.phone, u.active, u.last_sign_in_at, u.version, \
       u.password_hash IS NOT NULL AS has_password, u.erased_at IS NOT NULL AS erased, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u WHERE u.company_id = ? AND u.id = ?";

pub const LEGAL_ENTITY: &str = "SELECT le.id, le.onec_id, c.onec_id AS company_onec_id, le.name, le.full_name, le.inn, le.kpp, le.ogrn, \
       le.legal_address, le.postal_address, le.phone, le.email, le.bank_accounts, le.version \
     FROM legal_entities le JOIN companies c ON c.id = le.company_id WHERE le.id = ? AND le.company_id = ? AND le.active = 1";

/// The newest change of each of the company's entities of a type that 1C has not accepted yet
/// (waiting, refused or dead-lettered): shown beside the accepted values.
pub const OPEN_CHANGES: &str = "SELECT o.entity_id, o.status, o.payload, o.answer, o.created_at, o.answered_at FROM outbox o \
     WHERE o.company_id = ?1 AND o.entity_type = ?2 \
       AND o.rowid = (SELECT max(rowid) FROM outbox x WHERE x.company_id = o.company_id AND x.entity_type = o.entity_type AND x.entity_id = o.entity_id) \
       AND o.status IN ('pending', 'sent', 'rejected', 'failed')";

/// Guard for a new change to an entity: based on the current version, and nothing else waiting.
pub const NO_OPEN_CHANGE_AND_VERSION: &str = "NOT EXISTS (SELECT 1 FROM outbox WHERE company_id = ? AND entity_type = ? AND entity_id = ? AND status IN ('pending', 'sent')) \
     AND EXISTS (SELECT 1 FROM legal_entities WHERE id = ? AND version = ?)";

// ---- Consignees ----

pub const CONSIGNEES: &str = "SELECT id, name, inn, kpp, address, contact_person, phone, active, version, onec_id IS NOT NULL AS known_to_1c \
     FROM consignees WHERE company_id = ? AND (active = 1 OR ? = 1) ORDER BY active DESC, name, id";

pub const CONSIGNEE: &str = "SELECT c.id, c.onec_id, co.onec_id AS company_onec_id, c.name, c.inn, c.kpp, c.address, c.contact_person, c.phone, c.active, c.version \
     FROM consignees c JOIN companies co ON co.id = c.company_id WHERE c.id = ? AND c.company_id = ?";

pub const CONSIGNEE_INSERT: &str = "INSERT INTO consignees (id, company_id, name, inn, kpp, address, contact_person, phone, active, version, updated_at, write_id) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?)";

pub const CONSIGNEE_UPDATE: &str = "UPDATE consignees SET name = ?, inn = ?, kpp = ?, address = ?, contact_person = ?, phone = ?, active = ?, \
       version = version + 1, updated_at = ?, write_id = ? WHERE id = ? AND company_id = ? AND version = ?";

/// The rest of a consignee write applies only if this request's own write did (`write_id`).
pub const CONSIGNEE_WRITTEN_BY: &str =
    "EXISTS (SELECT 1 FROM consignees WHERE id = ? AND write_id = ?)";

// ---- Employees ----

/// Whose account an address signs in to, if anyone's.
pub const EMAIL_OWNER: &str = "SELECT company_id, language FROM users WHERE email = ?";

pub const EMPLOYEE_EDITABLE: &str = "SELECT u.id, u.onec_id, c.onec_id AS company_onec_id, u.email, u.full_name, u.position, u.phone, u.active, u.version, u.language, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u JOIN companies c ON c.id = u.company_id WHERE u.id = ? AND u.company_id = ?";

pub const EMPLOYEE_INSERT: &str = "INSERT INTO users (id, company_id, email, full_name, position, phone, active, language, version, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, 1, ?, 1, ?, ?)";

pub const ROLE_ADD: &str = "INSERT INTO user_roles (company_id, user_id, role) VALUES (?, ?, ?)";

/// Edits an employee based on the version the admin saw. `?6` = 1 when the edit takes the admin
/// role away: then it applies only while another active admin remains (checked inside the
/// transaction, so two admins demoting each other at once cannot both succeed). `?10`: this
/// request's write id, which the batch's other statements require (`USER_WRITE_IS`).
pub const EMPLOYEE_UPDATE: &str = concat!(
    "UPDATE users SET full_name = ?7, position = ?8, phone = ?9, version = version + 1, \
       security_version = security_version + ?5, updated_at = ?1, write_id = ?10 \
     WHERE id = ?2 AND company_id = ?3 AND version = ?4 AND active = 1 AND (?6 = 0 OR ",
    "EXISTS (SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id \
     WHERE r.company_id = ?3 AND r.role = 'admin' AND u.active = 1 AND u.id <> ?2)",
    ")"
);

/// Removes (deactivates) an employee: never the last active admin. `?5`: the write id.
pub const EMPLOYEE_DEACTIVATE: &str = concat!(
    "UPDATE users SET active = 0, version = version + 1, security_version = security_version + 1, updated_at = ?1, write_id = ?5 \
     WHERE id = ?2 AND company_id = ?3 AND version = ?4 AND active = 1 AND (NOT EXISTS (SELECT 1 FROM user_roles WHERE user_id = ?2 AND role = 'admin') OR ",
    "EXISTS (SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id \
     WHERE r.company_id = ?3 AND r.role = 'admin' AND u.active = 1 AND u.id <> ?2)",
    ")"
);

/// A new employee's batch: the row this batch inserted (a fresh id, version 1).
pub const USER_VERSION_IS: &str = "EXISTS (SELECT 1 FROM users WHERE id = ? AND version = ?)";

/// The update of this batch took effect: the user row carries this request's write id. ("The
/// version is now base + 1" would also hold after a parallel request's update.)
pub const USER_WRITE_IS: &str = "EXISTS (SELECT 1 FROM users WHERE id = ? AND write_id = ?)";

pub const ROLES_CLEAR_IF: &str = "DELETE FROM user_roles WHERE user_id = ?1 AND EXISTS (SELECT 1 FROM users WHERE id = ?1 AND write_id = ?2)";

pub const ROLE_ADD_IF: &str = "INSERT INTO user_roles (company_id, user_id, role) SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2 AND write_id = ?4)";

pub const SESSIONS_REVOKE_IF: &str =
    "UPDATE sessions SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL \
     AND EXISTS (SELECT 1 FROM users WHERE id = ?2 AND write_id = ?3)";

// ---- Audit log ----

/// Newest first (insertion order within one instant); filters are optional (NULL = any);
/// `(at, rowid)` below the cursor.
pub const AUDIT_PAGE: &str = "SELECT a.rowid AS seq, a.id, a.at, a.user_id, u.full_name AS user_name, a.kind, a.entity_type, a.entity_id, \
       a.before_json, a.after_json, a.onec_answer \
     FROM audit_log a LEFT JOIN users u ON u.id = a.user_id \
     WHERE a.company_id = ?1 AND (?2 IS NULL OR a.user_id = ?2) AND (?3 IS NULL OR substr(a.kind, 1, length(?3)) = ?3) \
       AND (?4 IS NULL OR a.at >= ?4) AND (?5 IS NULL OR a.at < ?5) \
       AND (?6 IS NULL OR a.at < ?6 OR (a.at = ?6 AND a.rowid < ?7)) \
     ORDER BY a.at DESC, a.rowid DESC LIMIT ?8";

pub const LEGAL_ENTITY_APPLY: &str = "UPDATE legal_entities SET name = ?, full_name = ?, inn = ?, kpp = ?, ogrn = ?, legal_address = ?, postal_address = ?, \
       phone = ?, email = ?, bank_accounts = ?, version = version + 1, updated_at = ? WHERE id = ?";

pub const CONSIGNEE_ACTIVE_IF: &str = "UPDATE consignees SET active = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?";

pub const CONSIGNEE_REVERT: &str = "UPDATE consignees SET name = ?, inn = ?, kpp = ?, address = ?, contact_person = ?, phone = ?, \
       version = version + 1, updated_at = ? WHERE id = ? AND version = ?";
