//! `consignee.archived`: a client archived a consignee. Refused, it is active again, unless it
//! changed again since.

use super::Answered;
use crate::ports::Stmt;

pub fn answered(a: &Answered<'_>) -> Vec<Stmt> {
    if a.accepted {
        return Vec::new();
    }
    vec![crate::company::consignees::refused_activity_stmt(
        true,
        a.portal_id,
        a.base_version,
        a.now,
    )]
}
