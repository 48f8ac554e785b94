//! The `audit_log` row's insert, shared by every capability that records a change (company,
//! auth, orders, finance); the admin's view of the log is `company::audit`. It sits below the
//! capabilities so none has to import another for it.

/// An audit row, for a caller that appends ` WHERE <guard>` (` WHERE 1` when unguarded).
/// Binds, in order: id, company_id, user_id, at, kind, entity_type, entity_id, before_json,
/// after_json, then the guard's parameters.
pub const INSERT_SELECT: &str = "INSERT INTO audit_log (id, company_id, user_id, at, kind, entity_type, entity_id, before_json, after_json) \
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?";
