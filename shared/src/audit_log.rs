//! The `audit_log` row's insert, shared by every capability that records a change (company,
//! auth, orders, finance, documents, returns); the admin's view of the log is `company::audit`.
//! It sits below the capabilities and imports none, so none has to import another for it.

use crate::ports::{SqlValue, Stmt};
use chrono::{DateTime, Utc};

/// An audit row, for a caller that appends ` WHERE <guard>` (` WHERE 1` when unguarded).
/// Binds, in order: id, company_id, user_id, at, kind, entity_type, entity_id, before_json,
/// after_json, then the guard's parameters.
pub const INSERT_SELECT: &str = "INSERT INTO audit_log (id, company_id, user_id, at, kind, entity_type, entity_id, before_json, after_json) \
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?";

/// The guard of a row nothing in its batch can refuse.
pub const ALWAYS: (&str, Vec<SqlValue>) = ("1", Vec::new());

/// What one audit row records.
pub struct Entry<'a> {
    pub id: &'a str,
    pub company_id: &'a str,
    /// Who made the change; `None` for 1C (a manager's action arrives without a portal user).
    pub user_id: Option<&'a str>,
    pub kind: &'static str,
    pub entity_type: &'static str,
    pub entity_id: &'a str,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// The audit row, written only when `guard` (an SQL condition with its parameters) holds, so a
/// change refused inside its batch leaves no trace ([`ALWAYS`] when nothing can refuse it).
pub fn record(e: &Entry<'_>, now: DateTime<Utc>, guard: (&str, Vec<SqlValue>)) -> Stmt {
    let mut stmt = Stmt::dynamic(format!("{} WHERE {}", INSERT_SELECT, guard.0))
        .bind(e.id)
        .bind(e.company_id)
        .bind(e.user_id)
        .bind(now)
        .bind(e.kind)
        .bind(e.entity_type)
        .bind(e.entity_id)
        .bind((!e.before.is_null()).then(|| e.before.to_string()))
        .bind(e.after.to_string());
    for v in guard.1 {
        stmt = stmt.bind(v);
    }
    stmt
}
