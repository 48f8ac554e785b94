//! The `exchange` Worker: 1C's signed messages in (fetch), the consumer that applies them
//! (queue), and the sweeper that re-enqueues what was stored but not applied (scheduled).
//! All logic in `shared::exchange`.

use adapter::{InboxWake, WorkerPorts};
use worker::{
    event, Context, Env, MessageBatch, Request, Response, Result, ScheduleContext, ScheduledEvent,
};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    adapter::serve!(req, env, shared::exchange::api::handle)
}

/// `portal-inbox`: applies woken inbound messages. `portal-outbox`: delivers due changes to 1C
/// (push). Failures retry the whole batch with a delay; after `max_retries` the queue moves it to
/// the dead-letter queue. Both are idempotent.
#[event(queue)]
async fn consume(batch: MessageBatch<InboxWake>, env: Env, _ctx: Context) -> Result<()> {
    let ports =
        WorkerPorts::new(&env, None).map_err(|e| worker::Error::RustError(e.to_string()))?;
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
        batch.ack_all();
        return Ok(());
    }
    let mut ids = Vec::new();
    for m in batch.messages()? {
        ids.extend(m.body().ids.iter().cloned());
    }
    match shared::exchange::inbox::process(&ports, &ids).await {
        Ok(report) => {
            worker::console_log!(
                "{}",
                serde_json::json!({"consumer": "inbox", "messages": ids.len(), "applied": report.applied, "stale": report.stale, "waiting": report.waiting, "rejected": report.rejected})
            );
            batch.ack_all();
            Ok(())
        }
        Err(e) => {
            worker::console_error!(
                "{}",
                serde_json::json!({"consumer": "inbox", "error": e.to_string()})
            );
            let delay = worker::QueueRetryOptionsBuilder::new()
                .with_delay_seconds(10)
                .build();
            batch.retry_all_with_options(&delay);
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
