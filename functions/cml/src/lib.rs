//! The `cml` Worker: consumer of the `portal-cml` queue, where CommerceML imports run in slices
//! (catalogue and offers files, `zip=yes` archives unpacked, thumbnails of the catalogue's
//! images). It has no route: the exchange Worker takes 1C's requests and enqueues the jobs. Kept
//! apart so the image decoders (`image`, zune-jpeg, png) are not in the exchange Worker that
//! answers every 1C request (docs/benchmarks.md, issue 23). All logic in `shared::exchange::cml`.

use adapter::{InboxWake, WorkerPorts, CML_IMPORT};
use worker::{event, Context, Env, MessageBatch, MessageExt, Result};

/// One job per message: slices within one invocation's budget, then the job is enqueued again
/// if more remain. Failures retry with a delay; after `max_retries` the message goes to the
/// dead-letter queue. Idempotent.
#[event(queue)]
async fn consume(batch: MessageBatch<InboxWake>, env: Env, _ctx: Context) -> Result<()> {
    let ports =
        WorkerPorts::new(&env, None).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let delay = worker::QueueRetryOptionsBuilder::new()
        .with_delay_seconds(10)
        .build();
    for m in batch.messages()? {
        if m.body().kind.as_deref() != Some(CML_IMPORT) {
            // Not an import (nothing else is sent to this queue): nothing to do with it.
            m.ack();
            continue;
        }
        let job = m.body().job.clone().unwrap_or_default();
        match shared::exchange::cml::run_queued(&ports, &job).await {
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
                m.retry_with_options(&delay);
            }
        }
    }
    Ok(())
}
