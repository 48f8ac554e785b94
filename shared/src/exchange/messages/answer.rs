//! `answer`: 1C's verdict on a portal change, when it is decided after the delivery was
//! acknowledged (`entity_id`: the change's id). What recording the verdict takes is the outbox's
//! business (`outbox::answer_plan`, looked up before planning); a verdict on a change the portal
//! never sent is refused.

use super::check::{reason_if_rejected, same_as_entity};
use super::Inbound;
use crate::error::{AppResult, FieldError};
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::outbox::{answer_plan, Verdict};
use crate::ports::{Ports, Stmt};
use serde::Deserialize;

/// 1C's verdict on a portal change, when it is decided after the delivery was acknowledged
/// (`entity_id`: the change's id). `onec_id`: the id 1C gave an entity the change created.
#[derive(Debug, Clone, Deserialize)]
pub struct AnswerIn {
    pub change_id: String,
    pub status: String,
    pub reason: Option<String>,
    pub onec_id: Option<String>,
}

impl AnswerIn {
    /// The statements that record this verdict (None: no such portal change).
    pub async fn lookup<P: Ports>(&self, p: &P) -> AppResult<Option<Vec<Stmt>>> {
        let verdict = if self.status == "accepted" {
            Verdict::Accepted
        } else {
            Verdict::Rejected
        };
        answer_plan(
            p,
            &self.change_id,
            verdict,
            self.reason.as_deref(),
            self.onec_id.as_deref(),
        )
        .await
    }
}

impl Inbound for AnswerIn {
    fn check(&self, m: &RawMessage, errs: &mut Vec<FieldError>) {
        let a = self;
        same_as_entity(errs, "change_id", &a.change_id, m);
        if a.status != "accepted" && a.status != "rejected" {
            errs.push(FieldError::new(
                "status",
                "invalid",
                "accepted или rejected.",
                "accepted or rejected.",
            ));
        }
        reason_if_rejected(errs, &a.status, a.reason.as_deref());
    }

    fn needs<'a>(&'a self, _v: &'a Valid, n: &mut Needs<'a>) {
        n.answers.push(self);
    }

    fn plan<P: Ports>(&self, ap: &mut Apply<'_, P>) -> Result<(), Hold> {
        match ap.ctx.answers.get(&self.change_id) {
            Some(Some(answer)) => ap.stmts.extend(answer.iter().cloned()),
            _ => {
                return Err(Hold::Reject(format!(
                    "unknown-change: no portal change {}",
                    self.change_id
                )))
            }
        }
        Ok(())
    }
}
