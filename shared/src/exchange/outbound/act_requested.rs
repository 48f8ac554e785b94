//! `act.requested`: an accountant asked for a reconciliation act. Refused, the request shows
//! 1C's reason; accepted, the act itself comes later as its own message.

use super::Answered;
use crate::ports::Stmt;

pub fn answered(a: &Answered<'_>) -> Vec<Stmt> {
    if a.accepted {
        return Vec::new();
    }
    vec![crate::documents::acts::rejected_stmt(
        a.portal_id,
        a.reason,
        a.now,
    )]
}
