//! The `exchange` Worker: 1C's signed messages in (fetch), the consumers that apply them and
//! deliver changes (queue), and the sweeper that re-enqueues what was stored but not done
//! (scheduled). All logic in `shared::exchange`. CommerceML imports run in the `cml` Worker
//! (the `portal-cml` queue's consumer), so the image decoders stay out of this one.

use adapter::{InboxWake, WorkerPorts, CML_IMPORT};
use shared::ports::{Ports, WakeQueue};
use worker::{
    event, web_sys, Context, Env, MessageBatch, MessageExt, Result, ScheduleContext, ScheduledEvent,
};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    adapter::serve(
        req,
        env,
        ctx,
        shared::exchange::api::handle,
        shared::exchange::api::body_limit,
    )
    .await
}

/// `portal-inbox`: applies woken inbound messages. `portal-outbox`: delivers due changes to 1C
/// (push). Failures retry with a delay; after `max_retries` the queue moves them to the
/// dead-letter queue. All are idempotent. A CommerceML import job (`kind` `cml-import`) is not
/// run here: should one arrive on these queues it is passed on to `portal-cml`.
#[event(queue)]
async fn consume(batch: MessageBatch<InboxWake>, env: Env, _ctx: Context) -> Result<()> {
    let ports =
        WorkerPorts::new(&env, None).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let delay = worker::QueueRetryOptionsBuilder::new()
        .with_delay_seconds(10)
        .build();
    let (jobs, messages): (Vec<_>, Vec<_>) = batch
        .messages()?
        .into_iter()
        .partition(|m| m.body().kind.as_deref() == Some(CML_IMPORT));
    for m in &jobs {
        let job = m.body().job.clone().unwrap_or_default();
        match ports.queue().send_cml_import(&job).await {
            Ok(()) => m.ack(),
            Err(_) => m.retry_with_options(&delay),
        }
    }
    if messages.is_empty() {
        return Ok(());
    }
    if batch.queue().starts_with("portal-outbox") {
        match shared::exchange::outbox::deliver_due(&ports).await {
            Ok(report) => worker::console_log!(
                "{}",
                serde_json::json!({"consumer": "outbox", "report": report})
            ),
            Err(e) => worker::console_error!(
                "{}",
                serde_json::json!({"consumer": "outbox", "error": e.to_string()})
            ),
        }
        // Failed deliveries are rescheduled in the outbox itself; the sweeper picks them up.
        messages.iter().for_each(|m| m.ack());
        return Ok(());
    }
    let mut ids = Vec::new();
    for m in &messages {
        ids.extend(m.body().ids.iter().cloned());
    }
    match shared::exchange::inbox::process(&ports, &ids).await {
        Ok(report) => {
            worker::console_log!(
                "{}",
                serde_json::json!({"consumer": "inbox", "messages": ids.len(), "applied": report.applied, "stale": report.stale, "waiting": report.waiting, "rejected": report.rejected})
            );
            messages.iter().for_each(|m| m.ack());
            Ok(())
        }
        Err(e) => {
            worker::console_error!(
                "{}",
                serde_json::json!({"consumer": "inbox", "error": e.to_string()})
            );
            messages.iter().for_each(|m| m.retry_with_options(&delay));
            Ok(())
        }
    }
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let result = async {
        let ports = WorkerPorts::new(&env, None)?;
        shared::exchange::sweep(&ports).await
    }
    .await;
    match result {
        Ok(report) => worker::console_log!("{}", serde_json::json!({"sweeper": report})),
        Err(e) => worker::console_error!(
            "{}",
            serde_json::json!({"sweeper": "failed", "error": e.to_string()})
        ),
    }
}
