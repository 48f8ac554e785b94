//! The exchange monitor for the supplier's integration staff: what crossed to and from 1C and
//! when, what waits, what was refused or dead-lettered, and a replay action. Protected by its
//! own credential (`MONITOR_TOKEN`, checked by `auth::monitor`), never by client roles.

use super::sql;
use crate::error::{AppError, AppResult};
use crate::ports::{Database, DatabaseExt, Ports, Stmt, WakeQueue};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct LastByType {
    pub r#type: String,
    pub last_at: Option<String>,
    pub count: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Problem {
    pub id: String,
    pub r#type: String,
    pub entity_id: String,
    pub at: String,
    pub status: String,
    pub reason: Option<String>,
}

/// 1C's last contact of one kind (`messages`, `pull`, `ack`, `files`, `capabilities`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Contact {
    pub kind: String,
    pub last_at: String,
    pub extension_version: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    /// The 1C extension's version as its latest batch of messages told (`None`: never told).
    pub extension_version: Option<String>,
    /// When 1C last called, per kind of request (kinds it never called are absent).
    pub onec_contacts: Vec<Contact>,
    pub inbound: Vec<LastByType>,
    pub outbound: Vec<LastByType>,
    pub inbox_backlog: i64,
    pub outbox_backlog: i64,
    /// Changes 1C accepted whose snapshot (naming them in `change_ids`) has not come within
    /// `ONEC_APPLY_DEADLINE_SECS`: the users see them flagged.
    pub accepted_overdue: i64,
    /// Changes 1C has not answered within `ONEC_APPLY_DEADLINE_SECS` (1C down or its exchange
    /// job stopped): the users see them flagged, the portal keeps retrying.
    pub waiting_overdue: i64,
    /// Inbound messages refused (invalid or failed to apply), newest first.
    pub inbox_problems: Vec<Problem>,
    /// Outbound changes dead-lettered after the give-up time or refused by 1C, newest first.
    pub outbox_problems: Vec<Problem>,
}

#[derive(Deserialize)]
struct N {
    n: i64,
}

pub async fn overview<P: Ports>(p: &P) -> AppResult<Overview> {
    let db = p.db();
    let inbound: Vec<LastByType> = db.all(Stmt::new(sql::MONITOR_INBOUND)).await?;
    let outbound: Vec<LastByType> = db.all(Stmt::new(sql::MONITOR_OUTBOUND)).await?;
    let inbox_backlog = db
        .first::<N>(Stmt::new(sql::MONITOR_INBOX_BACKLOG))
        .await?
        .map(|n| n.n)
        .unwrap_or(0);
    let outbox_backlog = super::outbox::backlog(p).await?;
    let deadline = p.now() - chrono::Duration::seconds(p.config().onec_apply_deadline_secs);
    let accepted_overdue = db
        .first::<N>(Stmt::new(crate::changes::sql::OUTBOX_ACCEPTED_OVERDUE).bind(deadline))
        .await?
        .map(|n| n.n)
        .unwrap_or(0);
    let waiting_overdue = db
        .first::<N>(Stmt::new(crate::changes::sql::OUTBOX_WAITING_OVERDUE).bind(deadline))
        .await?
        .map(|n| n.n)
        .unwrap_or(0);
    let inbox_problems: Vec<Problem> = db.all(Stmt::new(sql::MONITOR_INBOX_PROBLEMS)).await?;
    let outbox_problems: Vec<Problem> = db.all(Stmt::new(sql::MONITOR_OUTBOX_PROBLEMS)).await?;
    let onec_contacts: Vec<Contact> = db.all(Stmt::new(sql::MONITOR_CONTACTS)).await?;
    // Only batches carry the version; the `messages` row keeps the last one told.
    let extension_version = onec_contacts
        .iter()
        .find(|c| c.kind == "messages")
        .and_then(|c| c.extension_version.clone());
    Ok(Overview {
        extension_version,
        onec_contacts,
        inbound,
        outbound,
        inbox_backlog,
        outbox_backlog,
        accepted_overdue,
        waiting_overdue,
        inbox_problems,
        outbox_problems,
    })
}

#[derive(Debug, Deserialize)]
pub struct Replay {
    /// `inbox` (apply a refused message again) or `outbox` (deliver a dead-lettered change again).
    pub direction: String,
    pub id: String,
}
// Under /exchange/: unknown fields are tolerated, as for 1C (docs/exchange/1c-contract.md).
impl crate::body::Body for Replay {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::choice("direction"),
        crate::body::Field::text("id", crate::body::ID),
    ];
    const TOLERANT: bool = true;
}

/// Puts a refused inbound message or a dead-lettered change back in line. A message that is still
/// invalid is refused again, with its reason.
pub async fn replay<P: Ports>(p: &P, r: &Replay) -> AppResult<()> {
    let now = p.now();
    let changed = match r.direction.as_str() {
        "inbox" => {
            let n = p
                .db()
                .run(Stmt::new(sql::MONITOR_INBOX_REPLAY).bind(&r.id))
                .await?
                .changes;
            if n > 0 {
                p.queue().send_inbox_ids(vec![r.id.clone()]).await?;
            }
            n
        }
        "outbox" => {
            let n = p
                .db()
                .run(
                    Stmt::new(sql::MONITOR_OUTBOX_REPLAY)
                        .bind(now)
                        .bind(now)
                        .bind(&r.id),
                )
                .await?
                .changes;
            if n > 0 {
                crate::changes::wake(p, &r.id).await;
            }
            n
        }
        _ => {
            return Err(AppError::bad_request(
                "invalid-direction",
                "direction: inbox или outbox.",
                "direction must be inbox or outbox.",
            ))
        }
    };
    if changed == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}
