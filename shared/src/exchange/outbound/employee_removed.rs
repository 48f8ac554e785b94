//! `employee.removed`: an administrator removed a user. The verdict changes nothing beyond the
//! outbox row and the audit entry: the user stays removed in the portal.

use super::Answered;
use crate::ports::Stmt;

pub fn answered(_: &Answered<'_>) -> Vec<Stmt> {
    Vec::new()
}
