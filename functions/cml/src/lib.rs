//! The `cml` Worker: the exchange's work that is not 1C's JSON-contract request. It serves the
//! stock CommerceML exchange (`/exchange/1c/`, routed here by the entry Worker) and the dev-only
//! sweeper route, consumes the three exchange queues (`portal-inbox`: applying 1C's stored
//! messages; `portal-outbox`: delivering changes to 1C; `portal-cml`: CommerceML imports in
//! slices, `zip=yes` archives, thumbnails) and runs the cron sweeper. Kept apart from the
//! exchange Worker so that one holds only verify, validate, store and enqueue (docs/benchmarks.md,
//! issue 23). All logic in `shared::exchange`.

use adapter::{InboxWake, WorkerPorts, CML_IMPORT};
use shared::exchange::api::{self, COMMERCEML, SWEEP};
use worker::{
    event, web_sys, Context, Env, Message, MessageBatch, MessageExt, Result, ScheduleContext,
    ScheduledEvent,
};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    adapter::serve(
        req,
        env,
        ctx,
        api::handle_part::<_, { COMMERCEML | SWEEP }>,
        api::body_limit,
    )
    .await
}

/// `portal-inbox`: applies woken inbound messages. `portal-outbox`: delivers due changes to 1C
/// (push). `portal-cml`: one import job per message, slices within one invocation's budget, then
/// the job is enqueued again if more remain. Failures retry with a delay; after `max_retries` the
/// queue moves them to the dead-letter queue. All are idempotent.
#[event(queue)]
async fn consume(batch: MessageBatch<InboxWake>, env: Env, _ctx: Context) -> Result<()> {
    let ports =
        WorkerPorts::new(&env, None).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let delay = worker::QueueRetryOptionsBuilder::new()
        .with_delay_seconds(10)
        .build();
    // A CommerceML import job is run whatever queue it arrives on; the rest are wakes.
    let (jobs, messages): (Vec<_>, Vec<_>) = batch
        .messages()?
        .into_iter()
        .partition(|m| m.body().kind.as_deref() == Some(CML_IMPORT));
    for m in &jobs {
        import(&ports, m, &delay).await;
    }
    if messages.is_empty() || batch.queue().starts_with("portal-cml") {
        // Nothing but imports is sent to `portal-cml`: anything else there has nothing to do.
        messages.iter().for_each(|m| m.ack());
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
        }
        Err(e) => {
            worker::console_error!(
                "{}",
                serde_json::json!({"consumer": "inbox", "error": e.to_string()})
            );
            messages.iter().for_each(|m| m.retry_with_options(&delay));
        }
    }
    Ok(())
}

/// One CommerceML import job's invocation.
async fn import(ports: &WorkerPorts, m: &Message<InboxWake>, delay: &worker::QueueRetryOptions) {
    let job = m.body().job.clone().unwrap_or_default();
    match shared::exchange::cml::run_queued(ports, &job).await {
        Ok(more) => {
            worker::console_log!(
                "{}",
                serde_json::json!({"consumer": "cml", "job": job, "more": more})
            );
            m.ack();
        }
        Err(e) => {
            worker::console_error!(
                "{}",
                serde_json::json!({"consumer": "cml", "job": job, "error": e.to_string()})
            );
            m.retry_with_options(delay);
        }
    }
}

/// The cron sweeper: re-enqueues what was stored but not done, delivers due changes, retries
/// mail, wakes stalled imports, purges what is past its time (`shared::exchange::sweep`).
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
