//! `consignee.added`: a client added a consignee. Accepted, it keeps the id 1C gave it; refused,
//! it is archived, unless it changed again since.

use super::Answered;
use crate::exchange::sql;
use crate::ports::Stmt;

pub fn answered(a: &Answered<'_>) -> Vec<Stmt> {
    if a.accepted {
        return a
            .onec_id
            .map(|o| {
                Stmt::new(sql::CONSIGNEE_LINK_ONEC)
                    .bind(o)
                    .bind(a.portal_id)
            })
            .into_iter()
            .collect();
    }
    vec![crate::company::consignees::refused_activity_stmt(
        false,
        a.portal_id,
        a.base_version,
        a.now,
    )]
}
