//! 1C's last contact, per kind of request, and the version of the 1C extension last seen (issue
//! 16): the monitor shows them so integration staff see when 1C last called and what it runs.
//! The upsert rides in a D1 batch the request writes anyway (the nonce record, or the inbox
//! insert of a batch of messages), so it costs no extra round trip.

use super::sql;
use crate::ports::Stmt;
use chrono::{DateTime, Utc};

/// The kinds of contact, as the monitor lists them.
pub const KINDS: [&str; 5] = ["messages", "pull", "ack", "files", "capabilities"];

/// Longest `extension_version` the envelope may carry.
pub const MAX_VERSION_LEN: usize = 50;

/// A version string: 1 to 50 of `[0-9A-Za-z._+-]` (semver with pre-release and build parts).
pub fn version_ok(v: &str) -> bool {
    (1..=MAX_VERSION_LEN).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
}

/// Records a contact of `kind` now; a `None` version keeps the one last seen for the kind.
pub fn record(kind: &'static str, now: DateTime<Utc>, version: Option<&str>) -> Stmt {
    Stmt::new(sql::ONEC_CONTACT_UPSERT)
        .bind(kind)
        .bind(now)
        .bind(version)
        .bind(true)
}

/// Like [`record`], but only when the statement just before it in the batch changed a row: after
/// the nonce insert, a replayed request (nonce seen before) is no contact.
pub fn record_after_nonce(kind: &'static str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(sql::ONEC_CONTACT_UPSERT)
        .bind(kind)
        .bind(now)
        .bind(None::<&str>)
        .bind(false)
}
