//! Recording: the statements that write notifications where the event happens. The inbound
//! apply puts them into the same D1 batch as the snapshot (the exchange calls these with what the
//! message names), 1C's verdict into the batch that records it, and the sweeper records the
//! payment reminders. Each is an `INSERT OR IGNORE ... SELECT` resolving its recipients in SQL,
//! so nothing is read before the batch and nothing is written for nobody.

use super::events::{Event, DUE_SOON_DAYS, OVERDUE_WINDOW_DAYS, SEND_HOUR};
use super::{sql, zone};
use crate::error::AppResult;
use crate::ports::{Database, DatabaseExt, Ports, Stmt};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

/// A document arrived (after the document's own statements).
pub fn document_arrived(document_onec_id: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(sql::DOCUMENT_ARRIVED)
        .bind(document_onec_id)
        .bind(zone::event_day(now))
        .bind(now)
        .bind(now - Duration::days(DOCUMENT_NEWS_DAYS))
}

/// A document dated more than this many days ago is history (a first full load), not news.
pub const DOCUMENT_NEWS_DAYS: i64 = 7;

/// Credit blocked or unblocked: put it BEFORE the credit state's statements (it compares with
/// the stored state).
pub fn credit_changed(
    agreement_onec_id: &str,
    company_onec_id: &str,
    blocked: bool,
    now: DateTime<Utc>,
) -> Stmt {
    Stmt::new(sql::CREDIT_CHANGED)
        .bind(agreement_onec_id)
        .bind(company_onec_id)
        .bind(blocked)
        .bind(zone::event_day(now))
        .bind(now)
}

/// A return decided (after the return's statements).
pub fn return_decided(return_onec_id: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(sql::RETURN_DECIDED)
        .bind(return_onec_id)
        .bind(zone::event_day(now))
        .bind(now)
}

/// An act ready (after the act's statements).
pub fn act_ready(act_onec_id: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(sql::ACT_READY)
        .bind(act_onec_id)
        .bind(zone::event_day(now))
        .bind(now)
}

/// Client changes a snapshot applied (after `changes::applied_stmt` with the same `now`).
pub fn changes_applied(company_onec_id: &str, change_ids: &[String], now: DateTime<Utc>) -> Stmt {
    Stmt::new(sql::CHANGES_APPLIED)
        .bind(company_onec_id)
        .bind(serde_json::to_string(change_ids).unwrap_or_else(|_| "[]".into()))
        .bind(now)
        .bind(zone::event_day(now))
}

/// 1C refused a client change (after the statement that records the verdict).
pub fn change_rejected(change_id: &str, now: DateTime<Utc>) -> Stmt {
    Stmt::new(sql::CHANGE_REJECTED)
        .bind(change_id)
        .bind(zone::event_day(now))
        .bind(now)
}

#[derive(Deserialize)]
struct Stage {
    order_id: String,
    stage_no: i64,
    due_date: String,
    amount_kop: i64,
    paid_kop: i64,
    company_id: String,
    timezone: String,
    order_number: Option<String>,
}

/// Which reminder a stage gets on the local `today`, if any: due in 0..=N days, or overdue by at
/// most the window.
pub fn reminder_for(due: NaiveDate, today: NaiveDate) -> Option<Event> {
    let days = (due - today).num_days();
    if (0..=DUE_SOON_DAYS).contains(&days) {
        Some(Event::PaymentDue)
    } else if days < 0 && -days <= OVERDUE_WINDOW_DAYS {
        Some(Event::PaymentOverdue)
    } else {
        None
    }
}

/// The payment reminders due now (the sweeper's): for each unpaid stage whose company's local
/// time is past the morning hour, a `payment_due` or `payment_overdue` to the company's admins
/// and accountants, once per stage and event however often the sweeper runs. Answers how many
/// statements wrote a row.
pub async fn reminders<P: Ports>(p: &P) -> AppResult<usize> {
    let now = p.now();
    let today = now.date_naive();
    // Wide enough for every zone (UTC-1 .. UTC+12 days apart at most by one).
    let from = today - Duration::days(OVERDUE_WINDOW_DAYS + 2);
    let to = today + Duration::days(DUE_SOON_DAYS + 2);
    let stages: Vec<Stage> = p
        .db()
        .all(
            Stmt::new(sql::STAGES_AROUND)
                .bind(from.to_string())
                .bind(to.to_string())
                // Not overdue anywhere before this date (zones run at most a day ahead of UTC).
                .bind((today + Duration::days(1)).to_string()),
        )
        .await?;
    let mut stmts = Vec::new();
    for s in stages {
        let (local_day, hour) = zone::local(now, &s.timezone);
        if hour < SEND_HOUR {
            continue;
        }
        let Some(due) = crate::time::parse_ymd(&s.due_date) else {
            continue;
        };
        let Some(event) = reminder_for(due, local_day) else {
            continue;
        };
        let object = format!("{}:{}:{}", s.order_id, s.stage_no, s.due_date);
        let data = serde_json::json!({"order_number": s.order_number, "due_date": s.due_date,
            "left_kop": s.amount_kop - s.paid_kop, "page": "#/finance"});
        stmts.push(
            Stmt::new(sql::REMINDER)
                .bind(&s.company_id)
                .bind(event.as_str())
                .bind(object)
                .bind(local_day.to_string())
                .bind(data.to_string())
                .bind(now),
        );
    }
    if stmts.is_empty() {
        return Ok(0);
    }
    let results = p.db().batch(stmts).await?;
    Ok(results.iter().filter(|r| r.changes > 0).count())
}
