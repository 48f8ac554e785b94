//! The outbound path: every client change is written with an outbox row in the same D1 batch
//! (`crate::changes`, which the capabilities use); delivery to 1C happens afterwards, by push
//! (the portal calls 1C) or pull (1C polls and acknowledges). Changes to one entity go in order: a later one waits while an earlier one is
//! undelivered. Push retries with exponential backoff until `onec_give_up_hours`, then the change
//! is dead-lettered (`failed`) for the monitor.

use super::sql;
use crate::changes::{ChangeKind, OutboundChange};
use crate::config::Delivery;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::ports::{Database, DatabaseExt, HttpClient, Ports, Stmt};
use chrono::Duration;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct Row {
    id: String,
    payload: String,
    attempts: i64,
    created_at: String,
}

/// The wait before retry `attempt` (1-based): 30 s doubling, at most 30 minutes.
pub fn backoff(attempt: i64) -> Duration {
    let secs = 30i64.saturating_mul(1i64 << attempt.clamp(1, 20).saturating_sub(1));
    Duration::seconds(secs.min(30 * 60))
}

#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct DeliveryReport {
    pub accepted: usize,
    pub rejected: usize,
    pub received: usize,
    pub retrying: usize,
    pub dead_lettered: usize,
}

/// 1C's answer to a change.
#[derive(Debug, Deserialize)]
pub struct Answer {
    pub status: String,
    pub reason: Option<String>,
    pub onec_id: Option<String>,
}

/// Push: delivers every due change (oldest per entity first), one request each.
pub async fn deliver_due<P: Ports>(p: &P) -> AppResult<DeliveryReport> {
    let cfg = p.config();
    let mut report = DeliveryReport::default();
    if cfg.onec_delivery != Delivery::Push {
        return Ok(report);
    }
    let url = cfg
        .onec_push_url
        .clone()
        .ok_or_else(|| AppError::internal("ONEC_PUSH_URL is not set"))?;
    let secret = cfg
        .onec_push_secret
        .clone()
        .ok_or_else(|| AppError::internal("ONEC_PUSH_SECRET is not set"))?;
    let endpoint = format!("{url}/changes");
    let target = super::contract::path_and_query_of(&endpoint);
    let now = p.now();
    let rows: Vec<Row> = p
        .db()
        .all(Stmt::new(sql::OUTBOX_DUE).bind(now).bind(50))
        .await?;
    for row in rows {
        let ts = p.wall_clock().timestamp();
        let body = row.payload.clone().into_bytes();
        let nonce = crate::ids::new_id("n");
        let headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            (
                super::contract::TIMESTAMP_HEADER.to_string(),
                ts.to_string(),
            ),
            (super::contract::NONCE_HEADER.to_string(), nonce.clone()),
            (
                super::contract::SIGNATURE_HEADER.to_string(),
                super::contract::sign_v2(&secret, ts, "POST", &target, &nonce, &body),
            ),
        ];
        let outcome = match p.http().post_json(&endpoint, &headers, body).await {
            Ok(reply) if reply.status == 200 => match serde_json::from_slice::<Answer>(&reply.body)
            {
                Ok(a) if Verdict::parse(&a.status).is_some() => Ok(a),
                _ => Err(format!(
                    "1C answered 200 with an unreadable body: {}",
                    String::from_utf8_lossy(&reply.body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                )),
            },
            Ok(reply) => Err(format!("1C answered HTTP {}", reply.status)),
            Err(e) => Err(e.internal.unwrap_or_else(|| e.code.to_string())),
        };
        match outcome {
            Ok(answer) => {
                let verdict = Verdict::parse(&answer.status).unwrap_or(Verdict::Received);
                apply_answer(
                    p,
                    &row.id,
                    verdict,
                    answer.reason.as_deref(),
                    answer.onec_id.as_deref(),
                )
                .await?;
                match verdict {
                    Verdict::Accepted => report.accepted += 1,
                    Verdict::Rejected => report.rejected += 1,
                    Verdict::Received => report.received += 1,
                }
            }
            Err(error) => {
                let attempts = row.attempts + 1;
                let created = crate::time::from_db(&row.created_at).unwrap_or(now);
                if now - created >= Duration::hours(cfg.onec_give_up_hours) {
                    p.db()
                        .exec(
                            Stmt::new(sql::OUTBOX_DEAD)
                                .bind(attempts)
                                .bind(&error)
                                .bind(&row.id),
                        )
                        .await?;
                    report.dead_lettered += 1;
                } else {
                    p.db()
                        .exec(
                            Stmt::new(sql::OUTBOX_RETRY)
                                .bind(attempts)
                                .bind(now + backoff(attempts))
                                .bind(&error)
                                .bind(&row.id),
                        )
                        .await?;
                    report.retrying += 1;
                }
            }
        }
    }
    Ok(report)
}

#[derive(Deserialize)]
struct Sent {
    kind: String,
    entity_id: String,
    company_id: String,
    payload: String,
    before_json: Option<String>,
    status: String,
    answer: Option<String>,
}

/// 1C's verdict on a change: final (`accepted`, `rejected`), or `received`: stored on 1C's
/// side, the decision follows later as an `answer` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Received,
    Accepted,
    Rejected,
}

impl Verdict {
    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "received" => Some(Verdict::Received),
            "accepted" => Some(Verdict::Accepted),
            "rejected" => Some(Verdict::Rejected),
            _ => None,
        }
    }
}

/// The statements that record 1C's verdict on a change: `None` if there is no such change,
/// empty if it was decided before (a repeated answer changes nothing). What the verdict does
/// beyond the row and the audit entry is the change kind's (`exchange::outbound`).
pub async fn answer_plan<P: Ports>(
    p: &P,
    id: &str,
    verdict: Verdict,
    reason: Option<&str>,
    onec_id: Option<&str>,
) -> AppResult<Option<Vec<Stmt>>> {
    let now = p.now();
    let Some(row) = p
        .db()
        .first::<Sent>(Stmt::new(sql::OUTBOX_ONE).bind(id))
        .await?
    else {
        return Ok(None);
    };
    if row.status == "accepted" || row.status == "rejected" {
        return Ok(Some(Vec::new()));
    }
    if verdict == Verdict::Received {
        if row.answer.is_some() {
            return Ok(Some(Vec::new()));
        }
        return Ok(Some(vec![Stmt::new(sql::OUTBOX_RECEIVED)
            .bind(now)
            .bind(id)]));
    }
    let accepted = verdict == Verdict::Accepted;
    let answer = serde_json::json!({"status": if accepted { "accepted" } else { "rejected" }, "reason": reason, "onec_id": onec_id}).to_string();
    let mut stmts = vec![
        Stmt::new(sql::OUTBOX_ANSWER)
            .bind(if accepted { "accepted" } else { "rejected" })
            .bind(&answer)
            .bind(now)
            .bind(onec_id.map(str::to_string))
            .bind(id),
        Stmt::new(sql::AUDIT_ANSWER)
            .bind(&answer)
            .bind(id)
            .bind(&row.company_id),
    ];
    if !accepted {
        // Its author hears of it (issue 22).
        stmts.push(crate::notify::record::change_rejected(id, now));
    }
    let wire: OutboundChange = serde_json::from_str(&row.payload)?;
    // A kind no longer known (none so far) only gets its row and audit entry settled.
    if let Some(kind) = ChangeKind::parse(&row.kind) {
        stmts.extend(super::outbound::answered(
            kind,
            &super::outbound::Answered {
                change_id: id,
                accepted,
                reason,
                onec_id,
                portal_id: &row.entity_id,
                base_version: wire.base_version,
                payload: &wire.payload,
                before_json: row.before_json.as_deref(),
                now,
            },
        )?);
    }
    Ok(Some(stmts))
}

/// Records 1C's verdict on a change; false if unknown or decided before.
pub async fn apply_answer<P: Ports>(
    p: &P,
    id: &str,
    verdict: Verdict,
    reason: Option<&str>,
    onec_id: Option<&str>,
) -> AppResult<bool> {
    match answer_plan(p, id, verdict, reason, onec_id).await? {
        Some(stmts) if !stmts.is_empty() => {
            p.db().batch(stmts).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Pull: hands 1C the next changes in order (the oldest undelivered per entity), marking them
/// sent. A change sent and not acknowledged within `onec_pull_redeliver_secs` is handed out again.
pub async fn pull<P: Ports>(p: &P, limit: i64) -> AppResult<Vec<OutboundChange>> {
    if p.config().onec_delivery != Delivery::Pull {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "delivery-mode-push",
            "Портал сам отправляет изменения в 1С (режим push).",
            "The portal pushes changes to 1C (push mode).",
        ));
    }
    let now = p.now();
    let stale_before = now - Duration::seconds(p.config().onec_pull_redeliver_secs);
    let rows: Vec<Row> = p
        .db()
        .all(
            Stmt::new(sql::OUTBOX_PULLABLE)
                .bind(stale_before)
                .bind(limit),
        )
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    p.db()
        .exec(
            Stmt::new(sql::OUTBOX_MARK_SENT)
                .bind(now)
                .bind(serde_json::to_string(&ids)?),
        )
        .await?;
    rows.into_iter()
        .map(|r| serde_json::from_str(&r.payload).map_err(AppError::from))
        .collect()
}

/// How many changes wait for 1C, for the sweeper's log and the monitor.
pub async fn backlog<P: Ports>(p: &P) -> AppResult<i64> {
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    Ok(p.db()
        .first::<N>(Stmt::new(sql::OUTBOX_BACKLOG))
        .await?
        .map(|n| n.n)
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(12), Duration::minutes(30));
        assert_eq!(backoff(100), Duration::minutes(30));
        // Over 24 hours that is about 50 attempts.
        let mut t = Duration::zero();
        let mut n = 0;
        while t < Duration::hours(24) {
            n += 1;
            t += backoff(n);
        }
        assert!((45..60).contains(&n), "{n}");
    }
}
