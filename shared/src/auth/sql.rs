//! All SQL of the auth capability.

pub const SESSION_STATE: &str = "SELECT u.active, u.security_version, s.revoked_at, s.expires_at \
     FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.id = ? AND s.user_id = ? AND s.company_id = ?";

/// The user signing in, with roles as `admin,buyer`.
pub const USER_BY_EMAIL: &str =
    "SELECT u.id, u.company_id, u.active, u.password_hash, u.security_version, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u WHERE u.email = ?";

pub const INSERT_SESSION: &str = "INSERT INTO sessions (id, company_id, user_id, refresh_hash, created_at, last_used_at, expires_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?)";

pub const TOUCH_SIGN_IN: &str = "UPDATE users SET last_sign_in_at = ? WHERE id = ?";

/// The session a refresh cookie belongs to, with the user's current state and roles.
pub const SESSION_BY_REFRESH: &str =
    "SELECT s.id AS session_id, s.expires_at, s.revoked_at, u.id AS user_id, u.company_id, \
       u.active, u.security_version, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.refresh_hash = ?";

pub const TOUCH_SESSION: &str = "UPDATE sessions SET last_used_at = ? WHERE id = ?";

pub const REVOKE_SESSION: &str =
    "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";

pub const REVOKE_SESSION_BY_REFRESH: &str =
    "UPDATE sessions SET revoked_at = ? WHERE refresh_hash = ? AND revoked_at IS NULL";

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

pub const THROTTLE_ROWS: &str =
    "SELECT key, window_start, failures FROM sign_in_throttle WHERE key IN (?, ?)";

/// Counts a failure; a window older than the cutoff starts again at 1.
pub const THROTTLE_FAIL: &str =
    "INSERT INTO sign_in_throttle (key, window_start, failures) VALUES (?1, ?2, 1) \
     ON CONFLICT(key) DO UPDATE SET \
       failures = CASE WHEN window_start <= ?3 THEN 1 ELSE failures + 1 END, \
       window_start = CASE WHEN window_start <= ?3 THEN ?2 ELSE window_start END";

pub const THROTTLE_CLEAR: &str = "DELETE FROM sign_in_throttle WHERE key = ?";

pub const PROFILE: &str =
    "SELECT u.onec_id, c.onec_id AS company_onec_id, u.full_name, u.position, u.phone, u.version \
     FROM users u JOIN companies c ON c.id = u.company_id WHERE u.id = ? AND u.company_id = ?";

/// Applies only to the version the edit was based on; writes this request's write id, which the
/// batch's other statements require ([`USER_WRITE_IS`]).
pub const PROFILE_UPDATE: &str = "UPDATE users SET full_name = ?, position = ?, phone = ?, version = version + 1, updated_at = ?, write_id = ? \
     WHERE id = ? AND company_id = ? AND version = ?";

/// The batch's update took effect: the user row carries this request's write id ("the version is
/// now base + 1" would also hold after a parallel request's update).
pub const USER_WRITE_IS: &str = "EXISTS (SELECT 1 FROM users WHERE id = ? AND write_id = ?)";

/// An audit row, for a caller that appends ` WHERE <guard>`.
pub const AUDIT_INSERT_SELECT: &str = "INSERT INTO audit_log (id, company_id, user_id, at, kind, entity_type, entity_id, before_json, after_json) \
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?";
