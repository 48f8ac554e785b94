//! `return.requested`: a client asked to return goods. Either verdict moves the request on
//! (accepted with 1C's id, or refused with its reason).

use super::Answered;
use crate::ports::Stmt;

pub fn answered(a: &Answered<'_>) -> Vec<Stmt> {
    crate::returns::requests::answer_stmts(a.accepted, a.portal_id, a.reason, a.onec_id, a.now)
}
