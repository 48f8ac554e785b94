//! The ports of one request on Workers: the bindings of this Worker, the request's clock, the
//! isolate's settings, and work held for after the answer.

use crate::blobs::R2;
use crate::d1::D1;
use crate::js::internal;
use crate::mail::HttpMail;
use crate::outbound_http::Fetch;
use crate::queue::Queue;
use crate::settings::settings;
use chrono::{DateTime, Utc};
use shared::config::Config;
use shared::later::Later;
use shared::ports::Ports;
use shared::AppResult;
use worker::Env;

pub struct WorkerPorts {
    env: Env,
    db: D1,
    mail: HttpMail,
    /// The queue producers and the bucket are looked up on first use: most requests use
    /// neither, and each lookup is a call into JS (and an error value for a binding this Worker
    /// does not have).
    queue: std::cell::OnceCell<Queue>,
    blobs: std::cell::OnceCell<R2>,
    http: Fetch,
    now: DateTime<Utc>,
    config: std::rc::Rc<Config>,
    /// Work for after the answer, where the Worker hands it to `waitUntil` (`serve` with the
    /// context); `None`: the domain runs it at once.
    later: std::cell::RefCell<Option<Vec<Later>>>,
}

impl WorkerPorts {
    /// Binds the ports this Worker has (`DB` always; `INBOX_QUEUE` and `FILES` where bound).
    /// `now` is the wall clock, or the `x-test-now` header where the test clock is allowed.
    pub fn new(env: &Env, test_now: Option<&str>) -> AppResult<WorkerPorts> {
        let settings = settings(env)?;
        let config = settings.config.clone();
        let mut now = Utc::now();
        if config.allow_test_clock {
            if let Some(t) = test_now.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
                now = t.with_timezone(&Utc);
            }
        }
        let timeout = std::time::Duration::from_secs(config.outbound_timeout_secs as u64);
        Ok(WorkerPorts {
            db: D1::new(env.d1("DB").map_err(internal)?),
            mail: HttpMail {
                url: settings.mail_url.clone(),
                token: settings.mail_token.clone(),
                http: Fetch { timeout },
            },
            env: env.clone(),
            queue: std::cell::OnceCell::new(),
            blobs: std::cell::OnceCell::new(),
            http: Fetch { timeout },
            now,
            config,
            later: std::cell::RefCell::new(None),
        })
    }

    /// Work left for after the answer is collected, for [`run_later`] under `waitUntil`.
    pub fn allow_later(&self) {
        self.later.borrow_mut().get_or_insert_with(Vec::new);
    }

    pub fn take_later(&self) -> Vec<Later> {
        self.later
            .borrow_mut()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

/// Runs work left for after the answer (inside `waitUntil`); failures go to the log (mail that
/// failed stays queued for the sweeper).
pub async fn run_later(ports: WorkerPorts, jobs: Vec<Later>) {
    for line in shared::later::run_all(&ports, jobs).await {
        worker::console_error!("{}", line);
    }
}

impl Ports for WorkerPorts {
    type Db = D1;
    type Mail = HttpMail;
    type Queue = Queue;
    type Blobs = R2;
    type Http = Fetch;
    fn db(&self) -> &D1 {
        &self.db
    }
    fn mailer(&self) -> &HttpMail {
        &self.mail
    }
    fn queue(&self) -> &Queue {
        self.queue.get_or_init(|| Queue {
            inbox: self.env.queue("INBOX_QUEUE").ok(),
            outbox: self.env.queue("OUTBOX_QUEUE").ok(),
            cml: self.env.queue("CML_QUEUE").ok(),
        })
    }
    fn blobs(&self) -> &R2 {
        self.blobs.get_or_init(|| R2(self.env.bucket("FILES").ok()))
    }
    fn http(&self) -> &Fetch {
        &self.http
    }
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn wall_clock(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn config(&self) -> &Config {
        &self.config
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
