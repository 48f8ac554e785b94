//! Work a request leaves for after its answer has gone (the platform's `waitUntil`): the answer
//! neither waits for it nor shows, by its time, whether there was any. Mail delivery (a slow mail
//! provider never slows an answer) and the password-reset lookup (whether the address has an
//! account must not show in the answer's time) go here.

use crate::error::AppResult;
use crate::ports::Ports;

#[derive(Debug, Clone, PartialEq)]
pub enum Later {
    /// Deliver these queued mails; what fails stays queued for the sweeper.
    Mail(Vec<String>),
    /// Someone asked to reset the password of this address: a link if it belongs to an active
    /// account, nothing otherwise.
    PasswordReset { email: crate::validate::Email },
}

/// Hands `job` to the platform to run after the answer; where it cannot (native tests, a Worker
/// without its context) runs it now. Errors are the platform's to log: the answer is given.
pub async fn after_answer<P: Ports>(p: &P, job: Later) {
    if let Err(job) = p.defer(job) {
        let _ = run(p, job).await;
    }
}

/// Runs the jobs a request left, one after another (for each platform's `waitUntil`); answers a
/// log line for each that failed (mail that failed stays queued for the sweeper).
pub async fn run_all<P: Ports>(p: &P, jobs: Vec<Later>) -> Vec<String> {
    let mut failed = Vec::new();
    for job in jobs {
        let what = match &job {
            Later::Mail(_) => "mail",
            Later::PasswordReset { .. } => "password-reset",
        };
        if let Err(e) = run(p, job).await {
            failed.push(
                serde_json::json!({"after_answer": what, "error": e.to_string()}).to_string(),
            );
        }
    }
    failed
}

pub async fn run<P: Ports>(p: &P, job: Later) -> AppResult<()> {
    match job {
        Later::Mail(ids) => crate::mail::deliver(p, &ids).await.map(|_| ()),
        Later::PasswordReset { email } => crate::auth::api::reset_link(p, &email).await,
    }
}
