//! The client-change record: what a capability writes, in the same D1 batch as its own rows,
//! when a client changes something 1C must hear of (an outbox row, or for an order also the mark
//! a stock 1C's CommerceML exchange picks it up by), then the wake after commit, and the page's
//! view of the newest change's fate. Every capability uses it; the exchange
//! (`exchange::outbox`) reads these rows and delivers them. It sits below the capabilities and
//! imports none of them, so no capability has to import the exchange.

mod kind;
pub mod sql;
pub mod stock_only;
pub mod wire;

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

/// What became of a change, as its outbox row records it: the page's state is computed from it
/// ([`Fate::state`]), the same way for every page that shows one.
#[derive(Debug, Deserialize, Clone)]
pub struct Fate {
    pub status: String,
    pub answer: Option<String>,
    pub created_at: String,
    pub answered_at: Option<String>,
    /// When a snapshot from 1C naming the change (`change_ids`) was applied.
    pub applied_at: Option<String>,
}

/// The states a client change shows, in the order a change normally passes them.
pub const STATES: [&str; 6] = [
    "waiting", "received", "accepted", "applied", "rejected", "failed",
];

/// Shown beside a change 1C has not answered in time (down, or its job stopped): the portal keeps
/// retrying until the give-up time.
pub const WAITING_OVERDUE_RU: &str =
    "1С пока не ответила на изменения. Портал повторяет отправку, изменения не потеряются; если это срочно, свяжитесь с менеджером.";
pub const WAITING_OVERDUE_EN: &str =
    "1C has not answered the changes yet. The portal keeps sending them and nothing is lost; if it is urgent, contact your manager.";

/// Shown beside an accepted change whose data has not come from 1C in time.
pub const OVERDUE_RU: &str =
    "1С приняла изменения, но обновлённые данные из 1С ещё не пришли. Мы сообщили интеграторам; если это важно, свяжитесь с менеджером.";
pub const OVERDUE_EN: &str =
    "1C accepted the changes, but its updated data has not arrived yet. The integration staff see it; if it is urgent, contact your manager.";

impl Fate {
    /// `waiting` (not delivered, or delivered and not answered), `received` (1C stored it, a
    /// manager decides), `accepted` (1C's data is on its way), `applied` (a snapshot naming it
    /// was applied), `rejected` (1C's reason), `failed` (undeliverable after the retry period).
    pub fn state(&self) -> &'static str {
        match self.status.as_str() {
            "rejected" => "rejected",
            "failed" => "failed",
            _ if self.applied_at.is_some() => "applied",
            "accepted" => "accepted",
            "sent" if self.answer.is_some() => "received",
            _ => "waiting",
        }
    }

    /// 1C's reason for a refusal.
    pub fn reason(&self) -> Option<String> {
        self.answer
            .as_deref()
            .and_then(|a| serde_json::from_str::<Value>(a).ok())
            .and_then(|a| a["reason"].as_str().map(str::to_string))
    }

    /// Waiting for 1C's answer longer than `deadline_secs` since it was made, or accepted and no
    /// snapshot naming it within `deadline_secs` of the acceptance. A `received` change is a
    /// manager's to decide in their own time, and a decided one is closed: never overdue.
    pub fn overdue(&self, now: DateTime<Utc>, deadline_secs: i64) -> bool {
        let since = match self.state() {
            "waiting" => Some(&self.created_at),
            "accepted" => self.answered_at.as_ref(),
            _ => None,
        };
        since
            .and_then(|s| crate::time::from_db(s))
            .is_some_and(|at| now - at > chrono::Duration::seconds(deadline_secs))
    }

    /// The page's view of the change.
    pub fn view(&self, now: DateTime<Utc>, deadline_secs: i64) -> SyncState {
        let overdue = self.overdue(now, deadline_secs);
        SyncState {
            state: self.state().into(),
            reason: self.reason(),
            since: self
                .applied_at
                .clone()
                .or_else(|| self.answered_at.clone())
                .unwrap_or_else(|| self.created_at.clone()),
            overdue,
            overdue_message: overdue.then(|| match self.state() {
                "waiting" => Message {
                    ru: WAITING_OVERDUE_RU.into(),
                    en: WAITING_OVERDUE_EN.into(),
                },
                _ => Message {
                    ru: OVERDUE_RU.into(),
                    en: OVERDUE_EN.into(),
                },
            }),
        }
    }
}

/// A text for the user in both languages.
#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
pub struct Message {
    pub ru: String,
    pub en: String,
}

/// The state of the newest change to an entity, for the page ([`Fate::view`]).
#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
pub struct SyncState {
    pub state: String,
    pub reason: Option<String>,
    pub since: String,
    /// Waiting for 1C's answer, or accepted and not applied, longer than
    /// `ONEC_APPLY_DEADLINE_SECS`: the state stays, flagged with `overdue_message`.
    pub overdue: bool,
    pub overdue_message: Option<Message>,
}

pub async fn sync_state<P: Ports>(
    p: &P,
    company_id: &str,
    entity_type: &str,
    portal_id: &str,
) -> AppResult<Option<SyncState>> {
    let fate = p
        .db()
        .first::<Fate>(
            Stmt::new(sql::OUTBOX_LATEST)
                .bind(company_id)
                .bind(entity_type)
                .bind(portal_id),
        )
        .await?;
    Ok(fate.map(|f| f.view(p.now(), p.config().onec_apply_deadline_secs)))
}

/// The statement marking the changes a snapshot from 1C results from as applied: only changes of
/// the company the snapshot speaks for (by its 1C id), never refused or dead-lettered ones, each
/// once (a repeat keeps the first time); ids that match nothing are ignored.
pub fn applied_stmt(company_onec_id: &str, change_ids: &[String], now: DateTime<Utc>) -> Stmt {
    Stmt::new(sql::OUTBOX_APPLIED)
        .bind(now)
        .bind(company_onec_id)
        .bind(serde_json::to_string(change_ids).unwrap_or_else(|_| "[]".into()))
}

#[cfg(test)]
mod tests {
    use super::Fate;

    fn fate(status: &str, answer: Option<&str>, applied: bool) -> Fate {
        Fate {
            status: status.into(),
            answer: answer.map(str::to_string),
            created_at: "2026-11-28T10:00:00Z".into(),
            answered_at: Some("2026-11-28T10:00:05Z".into()),
            applied_at: applied.then(|| "2026-11-28T10:00:09Z".into()),
        }
    }

    #[test]
    fn every_stored_fate_has_one_state() {
        assert_eq!(fate("pending", None, false).state(), "waiting");
        assert_eq!(fate("sent", None, false).state(), "waiting");
        assert_eq!(
            fate("sent", Some(r#"{"status":"received"}"#), false).state(),
            "received"
        );
        assert_eq!(fate("accepted", None, false).state(), "accepted");
        assert_eq!(fate("accepted", None, true).state(), "applied");
        // A snapshot may land before the verdict does.
        assert_eq!(fate("sent", None, true).state(), "applied");
        assert_eq!(
            fate("rejected", Some(r#"{"reason":"нет"}"#), false).state(),
            "rejected"
        );
        assert_eq!(fate("failed", None, false).state(), "failed");
    }

    #[test]
    fn waiting_or_accepted_too_long_is_overdue_with_its_own_message() {
        let at = |s: &str| crate::time::from_db(&format!("{}Z", s.replace(' ', "T"))).unwrap();
        // Created 10:00:00, answered 10:00:05; deadline 60 s.
        let waiting = fate("pending", None, false);
        assert!(!waiting.overdue(at("2026-11-28 10:00:59"), 60));
        assert!(waiting.overdue(at("2026-11-28 10:01:01"), 60));
        let v = waiting.view(at("2026-11-28 10:01:01"), 60);
        assert!(v.overdue_message.unwrap().ru.contains("не ответила"));
        let accepted = fate("accepted", None, false);
        assert!(!accepted.overdue(at("2026-11-28 10:01:04"), 60));
        assert!(accepted.overdue(at("2026-11-28 10:01:06"), 60));
        let v = accepted.view(at("2026-11-28 10:01:06"), 60);
        assert!(v.overdue_message.unwrap().ru.contains("приняла"));
        // A manager decides in their own time; decided changes are never overdue.
        assert!(!fate("sent", Some(r#"{"status":"received"}"#), false).overdue(at("2026-12-28 10:00:00"), 60));
        assert!(!fate("accepted", None, true).overdue(at("2026-12-28 10:00:00"), 60));
        assert!(!fate("rejected", None, false).overdue(at("2026-12-28 10:00:00"), 60));
        assert!(!fate("failed", None, false).overdue(at("2026-12-28 10:00:00"), 60));
        assert_eq!(
            fate("rejected", Some(r#"{"reason":"нет"}"#), false)
                .reason()
                .as_deref(),
            Some("нет")
        );
    }
}
