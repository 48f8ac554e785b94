//! The queues on one server: in-process channels that wake the same consumers the exchange
//! Worker runs, with the same batching (up to 20 ids or 1 s), retries with a delay and a limit.
//! Nothing is lost with a wake: the inbox, the outbox and the CommerceML imports are rows in the
//! database, and the sweeper (every `SWEEP_SECS`) wakes whatever is stored but not done, after a
//! restart too: exactly the Workers' design, where a queue message is only a wake-up.

use crate::ports::{NativePorts, Thread};
use shared::ports::WakeQueue;
use shared::AppResult;
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// A queue message: what it wakes, and how many times it has been tried (as a Queues message's
/// `attempts`).
type Wake<T> = (T, u32);

/// The producers' side, cloned into every serving thread.
#[derive(Clone)]
pub struct Channels {
    inbox: UnboundedSender<Wake<Vec<String>>>,
    outbox: UnboundedSender<Vec<String>>,
    cml: UnboundedSender<Wake<String>>,
}

/// The consumers' side, run on one thread.
pub struct Consumers {
    inbox: UnboundedReceiver<Wake<Vec<String>>>,
    outbox: UnboundedReceiver<Vec<String>>,
    cml: UnboundedReceiver<Wake<String>>,
}

pub fn channels() -> (Channels, Consumers) {
    let (inbox, inbox_rx) = unbounded_channel();
    let (outbox, outbox_rx) = unbounded_channel();
    let (cml, cml_rx) = unbounded_channel();
    (
        Channels { inbox, outbox, cml },
        Consumers {
            inbox: inbox_rx,
            outbox: outbox_rx,
            cml: cml_rx,
        },
    )
}

impl WakeQueue for Channels {
    async fn send_inbox_ids(&self, ids: Vec<String>) -> AppResult<()> {
        // A closed channel means the process is stopping: the rows stay for the sweeper.
        let _ = self.inbox.send((ids, 0));
        Ok(())
    }
    async fn send_outbox_ids(&self, ids: Vec<String>) -> AppResult<()> {
        let _ = self.outbox.send(ids);
        Ok(())
    }
    async fn send_cml_import(&self, job: &str) -> AppResult<()> {
        let _ = self.cml.send((job.to_string(), 0));
        Ok(())
    }
}

const BATCH: usize = 20;
const BATCH_WAIT: Duration = Duration::from_secs(1);
const RETRY_DELAY: Duration = Duration::from_secs(10);

fn log(line: serde_json::Value) {
    println!("{line}");
}

/// Up to [`BATCH`] waiting items, waiting at most [`BATCH_WAIT`] after the first.
async fn next_batch<T>(rx: &mut UnboundedReceiver<T>) -> Option<Vec<T>> {
    let first = rx.recv().await?;
    let mut batch = vec![first];
    let deadline = tokio::time::Instant::now() + BATCH_WAIT;
    while batch.len() < BATCH {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(item)) => batch.push(item),
            _ => break,
        }
    }
    Some(batch)
}

/// Puts a failed message back after [`RETRY_DELAY`] without holding up the ones behind it, as
/// `retry_with_options` does on Queues; past `max` attempts it is dropped from the queue (the
/// dead-letter queue's place): its rows stay, and the sweeper or the monitor takes it up.
fn retry_later<T: 'static>(tx: &UnboundedSender<Wake<T>>, item: T, attempt: u32, max: u32) -> bool {
    if attempt + 1 >= max {
        return false;
    }
    let tx = tx.clone();
    tokio::task::spawn_local(async move {
        tokio::time::sleep(RETRY_DELAY).await;
        let _ = tx.send((item, attempt + 1));
    });
    true
}

/// Runs the consumers and the sweeper on the current thread's `LocalSet`.
pub fn spawn_consumers(thread: Rc<Thread>, consumers: Consumers) {
    let Consumers {
        mut inbox,
        mut outbox,
        mut cml,
    } = consumers;
    let t = thread.clone();
    let resend = thread.queue.inbox.clone();
    tokio::task::spawn_local(async move {
        while let Some(batch) = next_batch(&mut inbox).await {
            let ids: Vec<String> = batch.iter().flat_map(|(ids, _)| ids.clone()).collect();
            let ports = NativePorts::background(t.clone());
            match shared::exchange::inbox::process(&ports, &ids).await {
                Ok(r) => log(
                    serde_json::json!({"consumer": "inbox", "messages": ids.len(), "applied": r.applied, "stale": r.stale, "waiting": r.waiting, "rejected": r.rejected}),
                ),
                Err(e) => {
                    log(
                        serde_json::json!({"consumer": "inbox", "messages": ids.len(), "error": e.to_string()}),
                    );
                    // As `max_retries = 10` on the inbox queue.
                    for (ids, attempt) in batch {
                        retry_later(&resend, ids, attempt, 10);
                    }
                }
            }
        }
    });
    let t = thread.clone();
    tokio::task::spawn_local(async move {
        while next_batch(&mut outbox).await.is_some() {
            let ports = NativePorts::background(t.clone());
            // Failed deliveries are rescheduled in the outbox itself; the sweeper picks them up.
            match shared::exchange::outbox::deliver_due(&ports).await {
                Ok(report) => log(serde_json::json!({"consumer": "outbox", "report": report})),
                Err(e) => log(serde_json::json!({"consumer": "outbox", "error": e.to_string()})),
            }
        }
    });
    let t = thread.clone();
    let resend = thread.queue.cml.clone();
    tokio::task::spawn_local(async move {
        while let Some((job, attempt)) = cml.recv().await {
            let ports = NativePorts::background(t.clone());
            match shared::exchange::cml::run_queued(&ports, &job).await {
                Ok(more) => log(serde_json::json!({"consumer": "cml", "job": job, "more": more})),
                Err(e) => {
                    log(
                        serde_json::json!({"consumer": "cml", "job": job, "attempt": attempt, "error": e.to_string()}),
                    );
                    // As `max_retries = 5` on the CommerceML queue.
                    retry_later(&resend, job, attempt, 5);
                }
            }
        }
    });
    let hours = thread.settings.backup_every_hours;
    if hours > 0 {
        let s = thread.settings.clone();
        let s3 = match &thread.blobs {
            crate::blobs::NativeBlobs::S3(b) => Some(b.clone()),
            crate::blobs::NativeBlobs::Fs(_) => None,
        };
        tokio::task::spawn_local(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(hours * 3600));
            tick.tick().await;
            loop {
                tick.tick().await;
                let (db, dir, keep) = (s.database.clone(), s.blob_dir.clone(), s.backup_keep);
                let s3 = s3.clone();
                // On the blocking pool: a large copy must not stall this thread's requests.
                let done = tokio::task::spawn_blocking(move || {
                    crate::backup::periodic_off_site(&db, &dir, keep, s3.as_ref())
                })
                .await;
                match done {
                    Ok(Ok(path)) => log(serde_json::json!({"backup": path.display().to_string()})),
                    Ok(Err(e)) => log(serde_json::json!({"backup": "failed", "error": e})),
                    Err(e) => log(serde_json::json!({"backup": "failed", "error": e.to_string()})),
                }
            }
        });
    }
    let t = thread;
    tokio::task::spawn_local(async move {
        let every = Duration::from_secs(t.settings.sweep_secs.max(1));
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let ports = NativePorts::background(t.clone());
            match shared::exchange::sweep(&ports).await {
                Ok(report) => log(serde_json::json!({"sweeper": report})),
                Err(e) => log(serde_json::json!({"sweeper": "failed", "error": e.to_string()})),
            }
        }
    });
}
