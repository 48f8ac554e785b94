//! `company.changed`: a client proposed new details of a legal entity. Accepted, the portal
//! takes them (1C's snapshot would bring them too, later); refused, nothing is written.

use super::Answered;
use crate::ports::Stmt;

pub fn answered(a: &Answered<'_>) -> Vec<Stmt> {
    if !a.accepted {
        return Vec::new();
    }
    crate::company::legal::accepted_stmt(a.portal_id, a.payload, a.now)
        .into_iter()
        .collect()
}
