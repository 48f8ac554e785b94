//! `employee.added`: an administrator added a user. Accepted, the user keeps the id 1C gave it,
//! so later snapshots find it by that id.

use super::Answered;
use crate::exchange::sql;
use crate::ports::Stmt;

pub fn answered(a: &Answered<'_>) -> Vec<Stmt> {
    if !a.accepted {
        return Vec::new();
    }
    a.onec_id
        .map(|o| Stmt::new(sql::USER_LINK_ONEC).bind(o).bind(a.portal_id))
        .into_iter()
        .collect()
}
