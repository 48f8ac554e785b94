//! All SQL of the auth capability.

/// `active` is the user's and the company's together: a company deactivated by 1C ends every
/// session of its users at the next request.
pub const SESSION_STATE: &str =
    "SELECT u.active * c.active AS active, u.security_version, s.revoked_at, s.expires_at \
     FROM sessions s JOIN users u ON u.id = s.user_id JOIN companies c ON c.id = s.company_id \
     WHERE s.id = ? AND s.user_id = ? AND s.company_id = ?";

/// The user signing in, with roles as `admin,buyer`; `active` only while their company is too.
pub const USER_BY_EMAIL: &str =
    "SELECT u.id, u.company_id, u.active * c.active AS active, u.password_hash, u.security_version, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u JOIN companies c ON c.id = u.company_id WHERE u.email = ?";

pub const INSERT_SESSION: &str = "INSERT INTO sessions (id, company_id, user_id, refresh_hash, created_at, last_used_at, expires_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?)";

pub const TOUCH_SIGN_IN: &str = "UPDATE users SET last_sign_in_at = ? WHERE id = ?";

/// The session a refresh token belongs to, as its current token or the one it replaced
/// (`current` tells which), with the user's (and company's) current state and roles.
pub const SESSION_BY_REFRESH: &str =
    "SELECT s.id AS session_id, s.expires_at, s.revoked_at, s.last_used_at, s.rotated_at, \
       s.refresh_hash = ?1 AS current, u.id AS user_id, u.company_id, \
       u.active * c.active AS active, u.security_version, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM sessions s JOIN users u ON u.id = s.user_id JOIN companies c ON c.id = s.company_id \
     WHERE s.refresh_hash = ?1 OR s.prev_refresh_hash = ?1 LIMIT 1";

/// Rotates the refresh token, only if the presented one is still the current one: of two
/// refreshes with the same token, one rotates and the other is the replay within the grace.
pub const ROTATE_REFRESH: &str =
    "UPDATE sessions SET prev_refresh_hash = refresh_hash, refresh_hash = ?1, \
       rotated_at = ?2, last_used_at = ?2 \
     WHERE id = ?3 AND refresh_hash = ?4 AND revoked_at IS NULL";

pub const REVOKE_SESSION: &str =
    "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";

pub const REVOKE_SESSION_BY_REFRESH: &str = "UPDATE sessions SET revoked_at = ?1 \
     WHERE (refresh_hash = ?2 OR prev_refresh_hash = ?2) AND revoked_at IS NULL";

pub const REVOKE_USER_SESSIONS: &str =
    "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";

pub const ME: &str = "SELECT u.id, u.email, u.full_name, u.position, u.phone, u.language, u.last_sign_in_at, u.version, \
       c.id AS company_id, c.name AS company_name, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u JOIN companies c ON c.id = u.company_id WHERE u.id = ? AND u.company_id = ?";

pub const ACTIVE_USER_BY_EMAIL: &str =
    "SELECT id, company_id, full_name, language FROM users WHERE email = ? AND active = 1";

pub const RECENT_RESET_COUNT: &str = "SELECT count(*) AS n FROM one_time_tokens WHERE user_id = ? AND purpose = 'password_reset' AND created_at > ?";

pub const INSERT_ONE_TIME_TOKEN: &str = "INSERT INTO one_time_tokens (token_hash, company_id, user_id, purpose, created_at, expires_at) \
     VALUES (?, ?, ?, ?, ?, ?)";

pub const ONE_TIME_TOKEN: &str =
    "SELECT t.user_id, t.company_id, t.purpose, t.expires_at, t.used_at, u.active \
     FROM one_time_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?";

/// Marks the link used only if nobody used it first: the change is applied only when this
/// statement changed a row.
pub const USE_ONE_TIME_TOKEN: &str =
    "UPDATE one_time_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL";

/// Sets the password only while the link just claimed is this statement's (same batch).
pub const SET_PASSWORD: &str =
    "UPDATE users SET password_hash = ?, security_version = security_version + 1, updated_at = ? \
     WHERE id = ? AND EXISTS (SELECT 1 FROM one_time_tokens WHERE token_hash = ? AND used_at = ?)";

/// Other links of the user stop working once one is used.
pub const EXPIRE_OTHER_TOKENS: &str = "UPDATE one_time_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL AND token_hash <> ?";

// The throttle's counting statement, in parts: ?1 now and ?2 the window (unix seconds), keys
// as `excluded.*`. A key starts again after its window, or, when its delays grow, a full window
// after its last delay ended.
macro_rules! reset {
    () => {
        "(CASE WHEN excluded.grows = 1 AND locked_until > 0 THEN locked_until + ?2 <= ?1 \
          ELSE window_start <= ?1 - ?2 END)"
    };
}
macro_rules! new_failures {
    () => {
        concat!("(CASE WHEN ", reset!(), " THEN 1 ELSE failures + 1 END)")
    };
}
macro_rules! new_window_start {
    () => {
        concat!("(CASE WHEN ", reset!(), " THEN ?1 ELSE window_start END)")
    };
}

/// Counts one attempt on every key of `?3` (a JSON array of `[key, limit, grows]`), or on none
/// when any of them is locked: 0 changes means refused. One statement, so parallel attempts
/// cannot all pass a check made before any of them is counted. Reaching the limit locks a key
/// to the end of its window, or, for a key whose delays grow, for 2 s doubling with every
/// further attempt up to the window.
pub const THROTTLE_ADMIT: &str = concat!(
    "INSERT INTO sign_in_throttle (key, window_start, failures, max_failures, grows, locked_until) \
     SELECT json_extract(value, '$[0]'), ?1, 1, json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
       CASE WHEN json_extract(value, '$[1]') > 1 THEN 0 WHEN json_extract(value, '$[2]') = 1 THEN ?1 + 2 ELSE ?1 + ?2 END \
     FROM json_each(?3) \
     WHERE NOT EXISTS (SELECT 1 FROM sign_in_throttle t WHERE t.locked_until > ?1 \
       AND t.key IN (SELECT json_extract(value, '$[0]') FROM json_each(?3))) \
     ON CONFLICT(key) DO UPDATE SET failures = ",
    new_failures!(),
    ", window_start = ",
    new_window_start!(),
    ", max_failures = excluded.max_failures, grows = excluded.grows, locked_until = CASE WHEN ",
    new_failures!(),
    " < excluded.max_failures THEN 0 WHEN excluded.grows = 1 THEN ?1 + min(?2, 1 << min(",
    new_failures!(),
    " - excluded.max_failures + 1, 30)) ELSE ",
    new_window_start!(),
    " + ?2 END"
);

/// When the latest lock among the keys of `?1` (as for `THROTTLE_ADMIT`) ends.
pub const THROTTLE_LOCKED_UNTIL: &str = "SELECT max(locked_until) AS until FROM sign_in_throttle \
     WHERE key IN (SELECT json_extract(value, '$[0]') FROM json_each(?1)) AND locked_until > ?2";

/// A right password gives its attempt back to the keys of `?1` (a JSON array of keys).
pub const THROTTLE_GIVE_BACK: &str = "UPDATE sign_in_throttle \
     SET locked_until = CASE WHEN failures - 1 < max_failures THEN 0 ELSE locked_until END, \
       failures = max(failures - 1, 0) \
     WHERE key IN (SELECT value FROM json_each(?1))";

pub const THROTTLE_CLEAR: &str = "DELETE FROM sign_in_throttle WHERE key = ?";

/// Spent counters: the window (`?2` seconds) is over and no lock runs past `?1` (now).
pub const THROTTLE_PURGE: &str =
    "DELETE FROM sign_in_throttle WHERE window_start <= ?1 - ?2 AND locked_until <= ?1";

pub const PROFILE: &str =
    "SELECT u.onec_id, c.onec_id AS company_onec_id, u.full_name, u.position, u.phone, u.version, u.email, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u JOIN companies c ON c.id = u.company_id WHERE u.id = ? AND u.company_id = ?";

/// Applies only to the version the edit was based on; writes this request's write id, which the
/// batch's other statements require ([`USER_WRITE_IS`]).
pub const PROFILE_UPDATE: &str = "UPDATE users SET full_name = ?, position = ?, phone = ?, version = version + 1, updated_at = ?, write_id = ? \
     WHERE id = ? AND company_id = ? AND version = ?";

/// The batch's update took effect: the user row carries this request's write id ("the version is
/// now base + 1" would also hold after a parallel request's update).
pub const USER_WRITE_IS: &str = "EXISTS (SELECT 1 FROM users WHERE id = ? AND write_id = ?)";

// 152-ФЗ (super::personal): consent, export, erasure, retention purges.

pub const CONSENT_OF: &str = "SELECT pd_consent_version, pd_consent_at FROM users WHERE id = ? AND company_id = ?";

/// Idempotent: accepting the version already accepted keeps the first time.
pub const CONSENT_SET: &str = "UPDATE users SET pd_consent_version = ?1, pd_consent_at = ?2 \
     WHERE id = ?3 AND company_id = ?4 AND pd_consent_version IS NOT ?1";

pub const EXPORT_PROFILE: &str = "SELECT u.id, u.email, u.full_name, u.position, u.phone, u.language, u.active, \
       u.last_sign_in_at, u.created_at, u.updated_at, u.pd_consent_version, u.pd_consent_at, \
       c.id AS company_id, c.name AS company_name, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u JOIN companies c ON c.id = u.company_id WHERE u.id = ? AND u.company_id = ?";

/// No token or token hash: only what tells the user where and when they were signed in.
pub const EXPORT_SESSIONS: &str = "SELECT id, created_at, last_used_at, expires_at, revoked_at FROM sessions \
     WHERE user_id = ? AND company_id = ? ORDER BY created_at DESC LIMIT 1000";

pub const EXPORT_PREFS: &str = "SELECT event, choice, updated_at FROM notification_prefs \
     WHERE user_id = ? AND company_id = ? ORDER BY event";

/// Entries made by the user or about the user, in their own company only.
pub const EXPORT_AUDIT: &str = "SELECT id, at, kind, entity_type, entity_id, COALESCE(user_id = ?1, 0) AS by_user, before_json, after_json \
     FROM audit_log WHERE company_id = ?2 AND (user_id = ?1 OR (entity_type = 'user' AND entity_id = ?1)) \
     ORDER BY at DESC LIMIT 5000";

pub const EXPORT_ORDERS: &str = "SELECT id, number, ordered_at FROM orders WHERE author_user_id = ? AND company_id = ? \
     ORDER BY ordered_at DESC LIMIT 100000";

pub const TARGET: &str =
    "SELECT email, active, erased_at, version FROM users WHERE id = ? AND company_id = ?";

pub const GUARD: &str = "EXISTS (SELECT 1 FROM users WHERE id = ? AND write_id = ?)";

/// Only a removed employee (access already ended, 1C told by `employee.removed`) is erased.
pub const ERASE_USER: &str = "UPDATE users SET email = ?1, full_name = '—', position = NULL, phone = NULL, \
       password_hash = NULL, erased_at = ?2, updated_at = ?2, version = version + 1, \
       security_version = security_version + 1, write_id = ?3 \
     WHERE id = ?4 AND company_id = ?5 AND version = ?6 AND active = 0 AND erased_at IS NULL";

pub const PURGE_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at < ?1 OR revoked_at < ?1";

pub const PURGE_MAIL: &str = "DELETE FROM mail_outbox WHERE (sent_at IS NOT NULL AND sent_at < ?1) \
     OR (sent_at IS NULL AND attempts >= 20 AND created_at < ?1)";

pub const PURGE_AUDIT: &str = "UPDATE audit_log SET before_json = NULL, after_json = NULL \
     WHERE at < ? AND entity_type IN ('user', 'consignee') \
       AND (before_json IS NOT NULL OR after_json IS NOT NULL)";
