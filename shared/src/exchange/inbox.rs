//! The inbound path: store every message first (durable before anything else), wake the consumer,
//! and apply messages in as few database round trips as possible, newest snapshot per entity,
//! never an older sequence number after a newer one.

use super::apply::{self, ApplyContext, Decision};
use super::contract::{self, Payload, RawMessage, Rejection, Valid};
use super::messages::product;
use super::sql;
use crate::error::AppResult;
use crate::ports::{Database, DatabaseExt, Ports, Stmt, WakeQueue};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Outcome {
    pub id: String,
    /// `accepted`, `duplicate` or `rejected`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Validates and stores a batch in one transaction; rejected messages are stored too, for
/// inspection. Returns each message's outcome and the ids to hand to the consumer. `also` rides
/// in the same transaction (1C's contact record).
pub async fn store<P: Ports>(
    p: &P,
    batch_id: &str,
    messages: &[RawMessage],
    also: Option<Stmt>,
) -> AppResult<(Vec<Outcome>, Vec<String>)> {
    let now = p.now();
    // Which ids were received before: one query for the whole batch.
    let ids: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let known: HashSet<String> = p
        .db()
        .all::<Id>(Stmt::new(sql::INBOX_KNOWN).bind(serde_json::to_string(&ids)?))
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();

    let mut outcomes = Vec::with_capacity(messages.len());
    let mut to_apply = Vec::new();
    let mut rows: Vec<serde_json::Value> = Vec::with_capacity(messages.len());
    let mut seen = HashSet::new();
    for m in messages {
        // A repeated id (in this batch or earlier) is a duplicate, ignored.
        if known.contains(&m.id) || !seen.insert(m.id.clone()) {
            outcomes.push(Outcome {
                id: m.id.clone(),
                status: "duplicate",
                code: None,
                reason: None,
            });
            continue;
        }
        let verdict = contract::validate(m);
        let (status, reason) = match &verdict {
            Ok(_) => ("pending", None),
            Err(r) => ("rejected", Some(format!("{}: {}", r.code, r.reason))),
        };
        let id = if m.id.trim().is_empty() {
            crate::ids::new_id("bad")
        } else {
            m.id.clone()
        };
        rows.push(serde_json::json!({
            "id": id, "type": m.kind, "entity_id": m.entity_id, "seq": m.seq,
            "payload": serde_json::to_string(m)?, "status": status, "reason": reason,
        }));
        outcomes.push(match verdict {
            Ok(_) => {
                to_apply.push(m.id.clone());
                Outcome {
                    id: m.id.clone(),
                    status: "accepted",
                    code: None,
                    reason: None,
                }
            }
            Err(r) => Outcome {
                id: m.id.clone(),
                status: "rejected",
                code: Some(r.code),
                reason: Some(r.reason),
            },
        });
    }
    // Few statements: each inserts many rows from one JSON parameter (kept under D1's 2 MB
    // value limit), all in one transaction.
    let mut stmts = Vec::new();
    let mut chunk: Vec<&serde_json::Value> = Vec::new();
    let mut size = 0;
    for row in &rows {
        let len = row.to_string().len();
        if !chunk.is_empty() && size + len > INSERT_CHUNK_BYTES {
            stmts.push(
                Stmt::new(sql::INBOX_INSERT_MANY)
                    .bind(batch_id)
                    .bind(now)
                    .bind(serde_json::to_string(&chunk)?),
            );
            chunk.clear();
            size = 0;
        }
        size += len;
        chunk.push(row);
    }
    if !chunk.is_empty() {
        stmts.push(
            Stmt::new(sql::INBOX_INSERT_MANY)
                .bind(batch_id)
                .bind(now)
                .bind(serde_json::to_string(&chunk)?),
        );
    }
    stmts.extend(also);
    p.db().batch(stmts).await?;
    Ok((outcomes, to_apply))
}

/// Bytes of message JSON per insert statement.
const INSERT_CHUNK_BYTES: usize = 1_000_000;

/// Stores, then wakes the consumer. If the queue is unavailable the messages are still stored
/// and the sweeper re-enqueues them.
pub async fn receive<P: Ports>(
    p: &P,
    batch_id: &str,
    messages: &[RawMessage],
    also: Option<Stmt>,
) -> AppResult<Vec<Outcome>> {
    let (outcomes, ids) = store(p, batch_id, messages, also).await?;
    for chunk in ids.chunks(100) {
        if p.queue().send_inbox_ids(chunk.to_vec()).await.is_err() {
            break;
        }
    }
    Ok(outcomes)
}

#[derive(Deserialize)]
struct InboxRow {
    id: String,
    payload: String,
}

#[derive(Deserialize)]
struct SeqRow {
    entity_type: String,
    entity_id: String,
    seq: i64,
}

/// What happened to each message the consumer looked at.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProcessReport {
    pub applied: usize,
    pub stale: usize,
    pub waiting: usize,
    pub rejected: usize,
    /// Mails to deliver after the changes are committed.
    pub mail_ids: Vec<String>,
}

/// Messages applied per D1 batch: products go in multi-row statements, others a dozen
/// statements each, so one transaction stays at a few hundred statements.
const APPLY_CHUNK: usize = 100;

/// Applies stored messages by id (the queue consumer's work). Safe to call again with the same
/// ids: applied messages are skipped.
pub async fn process<P: Ports>(p: &P, ids: &[String]) -> AppResult<ProcessReport> {
    let mut report = ProcessReport::default();
    for chunk in ids.chunks(APPLY_CHUNK) {
        let r = process_once(p, chunk).await?;
        report.applied += r.applied;
        report.stale += r.stale;
        report.waiting += r.waiting;
        report.rejected += r.rejected;
        report.mail_ids.extend(r.mail_ids);
    }
    // A company just applied may unblock users that were waiting for it.
    if report.applied > 0 {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let waiting: Vec<Id> = p.db().all(Stmt::new(sql::INBOX_WAITING)).await?;
        let waiting: Vec<String> = waiting.into_iter().map(|w| w.id).collect();
        if !waiting.is_empty() {
            let more = process_once(p, &waiting).await?;
            report.applied += more.applied;
            report.stale += more.stale;
            report.rejected += more.rejected;
            report.waiting = more.waiting;
            report.mail_ids.extend(more.mail_ids);
        }
    }
    if !report.mail_ids.is_empty() {
        let _ = crate::mail::deliver(p, &report.mail_ids).await;
    }
    // What the batch told users goes now rather than at the next sweep (after the commit).
    if report.applied > 0 {
        let _ = crate::notify::send::pending(p).await;
    }
    Ok(report)
}

async fn process_once<P: Ports>(p: &P, ids: &[String]) -> AppResult<ProcessReport> {
    let now = p.now();
    let mut report = ProcessReport::default();
    if ids.is_empty() {
        return Ok(report);
    }
    let rows: Vec<InboxRow> = p
        .db()
        .all(Stmt::new(sql::INBOX_LOAD).bind(serde_json::to_string(ids)?))
        .await?;

    // Decode; anything that no longer validates (it did at the door) is rejected here too.
    let mut valid: Vec<Valid> = Vec::new();
    let mut marks: Vec<Stmt> = Vec::new();
    for r in rows {
        let raw: Result<RawMessage, _> = serde_json::from_str(&r.payload);
        match raw
            .map_err(|e| Rejection {
                code: "invalid-payload",
                reason: e.to_string(),
            })
            .and_then(|m| contract::validate(&m))
        {
            Ok(v) => valid.push(v),
            Err(rej) => {
                report.rejected += 1;
                marks.push(mark(
                    &r.id,
                    "rejected",
                    Some(format!("{}: {}", rej.code, rej.reason)),
                    now,
                ));
            }
        }
    }

    // Newest message per entity wins; the others in this batch are superseded.
    valid.sort_by(|a, b| (a.kind, &a.entity_id, b.seq).cmp(&(b.kind, &b.entity_id, a.seq)));
    let mut newest: Vec<Valid> = Vec::new();
    for v in valid {
        match newest.last() {
            Some(last) if last.kind == v.kind && last.entity_id == v.entity_id => {
                report.stale += 1;
                marks.push(mark(
                    &v.id,
                    "stale",
                    Some(format!("superseded by seq {}", last.seq)),
                    now,
                ));
            }
            _ => newest.push(v),
        }
    }

    // One read for the current sequence numbers of every entity in the batch.
    let keys: Vec<String> = newest
        .iter()
        .map(|v| format!("{}:{}", v.kind.as_str(), v.entity_id))
        .collect();
    let current: Vec<SeqRow> = p
        .db()
        .all(Stmt::new(sql::SEQ_CURRENT).bind(serde_json::to_string(&keys)?))
        .await?;
    let current: HashMap<(String, String), i64> = current
        .into_iter()
        .map(|s| ((s.entity_type, s.entity_id), s.seq))
        .collect();
    let mut fresh = Vec::new();
    for v in newest {
        match current.get(&(v.kind.as_str().to_string(), v.entity_id.clone())) {
            Some(&seen) if seen >= v.seq => {
                report.stale += 1;
                marks.push(mark(
                    &v.id,
                    "stale",
                    Some(format!(
                        "seq {} is not newer than applied seq {seen}",
                        v.seq
                    )),
                    now,
                ));
            }
            _ => fresh.push(v),
        }
    }

    // Reads the apply step needs: companies referred to by users, and users as they are now.
    let ctx = ApplyContext::load(p, &fresh).await?;
    let mut plans: Vec<(Valid, Vec<Stmt>, Vec<String>)> = Vec::new();
    for v in fresh {
        match apply::plan(p, &ctx, &v, now) {
            Decision::Apply(stmts, mails) => plans.push((v, stmts, mails)),
            Decision::Wait(reason) => {
                report.waiting += 1;
                marks.push(mark(&v.id, "waiting", Some(reason), now));
            }
            Decision::Reject(reason) => {
                report.rejected += 1;
                marks.push(mark(&v.id, "rejected", Some(reason), now));
            }
        }
    }

    // Everything in one transaction; if it fails, one message at a time so a bad one blocks
    // no other. Products (most of the traffic) go in a few multi-row statements.
    let mut all: Vec<Stmt> = marks.clone();
    let products: Vec<&Valid> = plans
        .iter()
        .map(|(v, _, _)| v)
        .filter(|v| matches!(v.payload, Payload::Product(_)))
        .collect();
    all.extend(product::plan_many(&products, now)?);
    for (v, stmts, _) in plans
        .iter()
        .filter(|(v, _, _)| !matches!(v.payload, Payload::Product(_)))
    {
        all.extend(stmts.iter().cloned());
        all.push(mark(&v.id, "applied", None, now));
    }
    if p.db().batch(all).await.is_ok() {
        report.applied += plans.len();
        for (_, _, mails) in plans {
            report.mail_ids.extend(mails);
        }
        return Ok(report);
    }
    // Everything above was rolled back: the marks again, then each plan on its own.
    let mut retry_report = ProcessReport {
        rejected: report.rejected,
        stale: report.stale,
        waiting: report.waiting,
        ..Default::default()
    };
    p.db().batch(marks).await?;
    for (v, stmts, mails) in plans {
        let mut one = stmts;
        one.push(mark(&v.id, "applied", None, now));
        match p.db().batch(one).await {
            Ok(_) => {
                retry_report.applied += 1;
                retry_report.mail_ids.extend(mails);
            }
            Err(e) => {
                retry_report.rejected += 1;
                let reason = format!("apply-failed: {}", e.internal.as_deref().unwrap_or(&e.code));
                p.db()
                    .exec(mark(&v.id, "rejected", Some(reason), now))
                    .await?;
            }
        }
    }
    Ok(retry_report)
}

fn mark(id: &str, status: &str, reason: Option<String>, now: DateTime<Utc>) -> Stmt {
    let applied_at = (status == "applied").then_some(now);
    Stmt::new(sql::INBOX_MARK)
        .bind(status)
        .bind(reason)
        .bind(applied_at)
        .bind(id)
}

#[derive(Debug, Deserialize, Serialize, PartialEq)]
pub struct InboxStatus {
    pub id: String,
    pub status: String,
    pub reason: Option<String>,
}

/// The state of given messages: 1C (and the simulator) can ask what became of what it sent.
pub async fn status<P: Ports>(p: &P, ids: &[String]) -> AppResult<Vec<InboxStatus>> {
    p.db()
        .all(Stmt::new(sql::INBOX_STATUS).bind(serde_json::to_string(ids)?))
        .await
}

/// Re-enqueues messages stored but not applied (the queue lost them, or they wait for another
/// entity). Part of the scheduled sweeper. Returns how many were re-enqueued.
pub async fn sweep<P: Ports>(p: &P) -> AppResult<usize> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let cutoff = p.now() - Duration::seconds(30);
    let ids: Vec<Id> = p
        .db()
        .all(Stmt::new(sql::INBOX_UNFINISHED).bind(cutoff))
        .await?;
    let ids: Vec<String> = ids.into_iter().map(|i| i.id).collect();
    for chunk in ids.chunks(100) {
        p.queue().send_inbox_ids(chunk.to_vec()).await?;
    }
    Ok(ids.len())
}
