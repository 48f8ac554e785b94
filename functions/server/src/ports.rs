//! The ports on one server: what each serving thread owns (its SQLite connection, the settings,
//! the queue channels, the blob folder, the outgoing client) and the per-request view of it
//! (the request's clock, work held for after the answer), the counterpart of the Workers'
//! `WorkerPorts`.

use crate::blobs::{FsBlobs, NativeBlobs};
use crate::outbound::{HttpMail, NativeMail, Ureq};
use crate::queue::Channels;
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use shared::config::Config;
use shared::later::Later;
use shared::ports::Ports;
use shared::sqlite::SqliteDb;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// What one serving thread owns for all its requests.
pub struct Thread {
    pub db: SqliteDb,
    pub settings: Arc<Settings>,
    pub queue: Channels,
    pub blobs: NativeBlobs,
    pub http: Ureq,
    pub mail: NativeMail,
}

impl Thread {
    pub fn new(settings: Arc<Settings>, queue: Channels) -> Result<Thread, String> {
        let db = SqliteDb::open_shared_file(&settings.database).map_err(|e| e.to_string())?;
        let timeout = std::time::Duration::from_secs(settings.config.outbound_timeout_secs as u64);
        let http = Ureq::new(timeout);
        Ok(Thread {
            db,
            blobs: match &settings.s3 {
                Some(s3) => NativeBlobs::S3(crate::s3::S3Blobs::new(s3.clone(), timeout)),
                None => NativeBlobs::Fs(FsBlobs::new(&settings.blob_dir)),
            },
            mail: match &settings.smtp {
                Some(smtp) => NativeMail::Smtp(crate::smtp::SmtpMail::new(smtp, timeout)?),
                None => NativeMail::Http(HttpMail {
                    url: settings.mail_url.clone(),
                    token: settings.mail_token.clone(),
                    http: http.clone(),
                }),
            },
            http,
            queue,
            settings,
        })
    }
}

pub struct NativePorts {
    thread: Rc<Thread>,
    now: DateTime<Utc>,
    /// Work for after the answer (`Some` while a request is being served), run on the thread's
    /// `LocalSet` once the answer is built, as `waitUntil` runs it on Workers.
    later: RefCell<Option<Vec<Later>>>,
}

impl NativePorts {
    /// A request's ports: the wall clock, or `x-test-now` where the test clock is allowed
    /// (`ALLOW_TEST_CLOCK`, never in production), exactly as on Workers.
    pub fn for_request(thread: Rc<Thread>, test_now: Option<&str>) -> NativePorts {
        let mut now = Utc::now();
        if thread.settings.config.allow_test_clock {
            if let Some(t) = test_now.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
                now = t.with_timezone(&Utc);
            }
        }
        NativePorts {
            thread,
            now,
            later: RefCell::new(Some(Vec::new())),
        }
    }

    /// The ports of a consumer or the sweeper: no request, nothing held for later.
    pub fn background(thread: Rc<Thread>) -> NativePorts {
        NativePorts {
            thread,
            now: Utc::now(),
            later: RefCell::new(None),
        }
    }

    pub fn take_later(&self) -> Vec<Later> {
        self.later
            .borrow_mut()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

/// Runs work left for after the answer; failures go to the log (mail that failed stays queued
/// for the sweeper).
pub async fn run_later(ports: NativePorts, jobs: Vec<Later>) {
    for line in shared::later::run_all(&ports, jobs).await {
        eprintln!("{line}");
    }
}

impl Ports for NativePorts {
    type Db = SqliteDb;
    type Mail = NativeMail;
    type Queue = Channels;
    type Blobs = NativeBlobs;
    type Http = Ureq;
    fn db(&self) -> &SqliteDb {
        &self.thread.db
    }
    fn mailer(&self) -> &NativeMail {
        &self.thread.mail
    }
    fn queue(&self) -> &Channels {
        &self.thread.queue
    }
    fn blobs(&self) -> &NativeBlobs {
        &self.thread.blobs
    }
    fn http(&self) -> &Ureq {
        &self.thread.http
    }
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn wall_clock(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn config(&self) -> &Config {
        &self.thread.settings.config
    }
    fn defer(&self, job: Later) -> Result<(), Later> {
        match self.later.borrow_mut().as_mut() {
            Some(held) => {
                held.push(job);
                Ok(())
            }
            None => Err(job),
        }
    }
}
