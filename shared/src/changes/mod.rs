//! The client-change record: what a capability writes, in the same D1 batch as its own rows,
//! when a client changes something 1C must hear of (an outbox row, or for an order also the mark
//! a stock 1C's CommerceML exchange picks it up by), then the wake after commit, and the page's
//! view of the newest change's fate. Every capability uses it; the exchange
//! (`exchange::outbox`) reads these rows and delivers them. It sits below the capabilities and
//! imports none of them, so no capability has to import the exchange.

mod kind;
pub mod sql;

pub use kind::ChangeKind;

use crate::config::Delivery;
use crate::error::AppResult;
use crate::ports::{DatabaseExt, Ports, SqlValue, Stmt, WakeQueue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A change as 1C receives it (push body, or one item of a pull); stored as the outbox row's
/// payload when the change is recorded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutboundChange {
    /// Unique per change: 1C ignores a repeat.
    pub id: String,
    /// `employee.changed`, ... ([`ChangeKind::as_str`]; docs/exchange/1c-contract.md, section 6).
    #[serde(rename = "type")]
    pub kind: String,
    pub entity_type: String,
    /// 1C's id of the entity.
    pub entity_id: String,
    /// The entity's version the change was based on; 1C may refuse a change based on an old one.
    pub base_version: i64,
    /// Moscow time without a zone, as 1C reads dates.
    pub created_at: String,
    pub payload: Value,
}

/// What the capability hands over when it records a change.
pub struct NewChange<'a> {
    pub company_id: &'a str,
    pub user_id: Option<&'a str>,
    pub kind: ChangeKind,
    pub entity_type: &'static str,
    /// Portal id of the entity (for the page's sync state and the revert).
    pub portal_id: &'a str,
    pub onec_entity_id: &'a str,
    pub base_version: i64,
    pub payload: Value,
    pub before: Value,
}

/// The statement recording a change; `guard` is an SQL condition (with its parameters) that must
/// hold for the row to be written, so a change refused by its own batch leaves no outbox row.
pub fn record(
    change: &NewChange<'_>,
    now: DateTime<Utc>,
    guard: Option<(&'static str, Vec<SqlValue>)>,
) -> (String, Stmt) {
    record_with_id(change, &crate::ids::new_id("out"), now, guard)
}

/// As [`record`], with the change's id chosen by the caller (when other statements of the batch
/// refer to it).
pub fn record_with_id(
    change: &NewChange<'_>,
    id: &str,
    now: DateTime<Utc>,
    guard: Option<(&'static str, Vec<SqlValue>)>,
) -> (String, Stmt) {
    let id = id.to_string();
    let wire = OutboundChange {
        id: id.clone(),
        kind: change.kind.as_str().to_string(),
        entity_type: change.entity_type.to_string(),
        entity_id: change.onec_entity_id.to_string(),
        base_version: change.base_version,
        created_at: crate::time::to_1c(now),
        payload: change.payload.clone(),
    };
    let (sql_text, extra) = match guard {
        None => (sql::OUTBOX_INSERT.to_string(), Vec::new()),
        Some((cond, params)) => (
            format!("{} WHERE {cond}", sql::OUTBOX_INSERT_SELECT),
            params,
        ),
    };
    let mut stmt = Stmt::dynamic(sql_text)
        .bind(&id)
        .bind(change.company_id)
        .bind(change.kind.as_str())
        .bind(change.entity_type)
        .bind(change.portal_id)
        .bind(change.base_version)
        .bind(serde_json::to_string(&wire).unwrap_or_default())
        .bind(now)
        .bind(now)
        .bind(change.user_id.map(str::to_string))
        .bind(change.before.to_string());
    for p in extra {
        stmt = stmt.bind(p);
    }
    (id, stmt)
}

/// After the change's batch committed: wake the delivery consumer (push). Failure is harmless:
/// the sweeper finds the row.
pub async fn wake<P: Ports>(p: &P, id: &str) {
    if p.config().onec_delivery == Delivery::Push {
        let _ = p.queue().send_outbox_ids(vec![id.to_string()]).await;
    }
}

/// The statement that makes a stock 1C's next CommerceML `type=sale&mode=query` carry the order
/// (`orders.id`): put it into the batch of any portal change to an order, or of a new one.
pub fn mark_order_changed_stmt(order_id: &str) -> Stmt {
    Stmt::new(sql::ORDER_CML_CHANGED).bind(order_id)
}

/// The state of the newest change to an entity, for the page: `pending` until 1C answers.
#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
pub struct SyncState {
    pub state: String,
    pub reason: Option<String>,
    pub since: String,
}

pub async fn sync_state<P: Ports>(
    p: &P,
    company_id: &str,
    entity_type: &str,
    portal_id: &str,
) -> AppResult<Option<SyncState>> {
    #[derive(Deserialize)]
    struct S {
        status: String,
        answer: Option<String>,
        created_at: String,
        answered_at: Option<String>,
    }
    let Some(s) = p
        .db()
        .first::<S>(
            Stmt::new(sql::OUTBOX_LATEST)
                .bind(company_id)
                .bind(entity_type)
                .bind(portal_id),
        )
        .await?
    else {
        return Ok(None);
    };
    let reason = s
        .answer
        .as_deref()
        .and_then(|a| serde_json::from_str::<Value>(a).ok())
        .and_then(|a| a["reason"].as_str().map(str::to_string));
    let state = match s.status.as_str() {
        "accepted" => "accepted",
        "rejected" => "rejected",
        "failed" => "failed",
        _ => "pending",
    };
    Ok(Some(SyncState {
        state: state.into(),
        reason,
        since: s.answered_at.unwrap_or(s.created_at),
    }))
}
