//! The exchange with 1C: the JSON contract both ways, and the stock CommerceML exchange.

pub mod api;
pub mod apply;
pub mod cml;
pub mod contact;
pub mod contract;
pub mod inbox;
pub mod manifest;
pub mod messages;
pub mod monitor;
pub mod notices;
pub mod outbound;
pub mod outbox;
pub mod ownership;
pub mod sql;

use crate::error::AppResult;
use crate::ports::Ports;
use serde::Serialize;

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct SweepReport {
    pub inbox_re_enqueued: usize,
    pub outbox: outbox::DeliveryReport,
    pub outbox_backlog: i64,
    pub mail_sent: usize,
    /// CommerceML imports no slice had moved on for a while, woken again.
    pub cml_imports_woken: usize,
    /// Spent sign-in throttle counters removed.
    pub throttle_purged: u64,
    /// 1C request nonces older than twice the allowed skew, forgotten.
    pub nonces_purged: u64,
    /// Notifications: reminders recorded, mails and digests sent (crate::notify).
    pub notifications: crate::notify::send::SendReport,
    /// `Idempotency-Key` rows past their 24 hours, forgotten.
    pub idempotency_purged: u64,
    /// 152-ФЗ retention: ended sessions, sent mail and audit entries' personal fields past their
    /// periods (crate::auth::personal::purge).
    pub personal_data_purged: crate::auth::personal::PurgeReport,
}

/// The scheduled sweeper: re-enqueues inbound messages stored but not applied, delivers due
/// changes to 1C (push), retries unsent mail, wakes stalled CommerceML imports, forgets spent
/// sign-in throttle counters, 1C request nonces and idempotency keys past their window, purges
/// personal data past its retention period (152-ФЗ), records
/// payment reminders and sends notifications. Safe to run at
/// any time, as often as wanted.
pub async fn sweep<P: Ports>(p: &P) -> AppResult<SweepReport> {
    let inbox_re_enqueued = inbox::sweep(p).await?;
    let outbox = outbox::deliver_due(p).await?;
    let outbox_backlog = outbox::backlog(p).await?;
    let mail_sent = crate::mail::deliver(p, &[]).await.unwrap_or(0);
    let cml_imports_woken = cml::sweep_stalled(p).await?;
    let throttle_purged = crate::auth::throttle::purge(p).await?;
    let nonces_purged = api::purge_nonces(p).await?;
    let idempotency_purged = crate::idempotency::purge(p).await?;
    let personal_data_purged = crate::auth::personal::purge(p).await?;
    let notifications = crate::notify::send::sweep(p).await.unwrap_or_default();
    Ok(SweepReport {
        personal_data_purged,
        notifications,
        idempotency_purged,
        throttle_purged,
        nonces_purged,
        inbox_re_enqueued,
        outbox,
        outbox_backlog,
        mail_sent,
        cml_imports_woken,
    })
}
