//! All SQL of the company capability. Every query is scoped by the caller's company id.

pub const COMPANY: &str = "SELECT id, name, full_name, timezone FROM companies WHERE id = ?";

pub const LEGAL_ENTITIES: &str =
    "SELECT id, name, full_name, inn, kpp, ogrn, legal_address, postal_address \
     FROM legal_entities WHERE company_id = ? AND active = 1 ORDER BY name";

pub const AGREEMENTS: &str = "SELECT a.id, a.legal_entity_id, a.name, a.number, a.signed_on, a.credit_limit_kop, a.deferral_days, \
       pt.name AS price_type \
     FROM agreements a LEFT JOIN price_types pt ON pt.id = a.price_type_id \
     WHERE a.company_id = ? AND a.active = 1 ORDER BY a.name";

pub const EMPLOYEES: &str =
    "SELECT u.id, u.email, u.full_name, u.position, u.phone, u.active, u.last_sign_in_at, \
       u.password_hash IS NOT NULL AS has_password, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u WHERE u.company_id = ? ORDER BY u.active DESC, u.full_name, u.id";

pub const EMPLOYEE: &str =
    "SELECT u.id, u.email, u.full_name, u.position, u.phone, u.active, u.last_sign_in_at, \
       u.password_hash IS NOT NULL AS has_password, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u WHERE u.company_id = ? AND u.id = ?";
