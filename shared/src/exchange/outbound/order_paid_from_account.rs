//! `order.paid_from_account`: a client paid an order from the company's internal account.
//! Refused, the reserve comes back and the held money is released.

use super::Answered;
use crate::ports::Stmt;

pub fn answered(a: &Answered<'_>) -> Vec<Stmt> {
    let mut stmts = super::order_refused(a);
    if !a.accepted {
        stmts.push(
            Stmt::new(crate::finance::sql::HOLD_RELEASE)
                .bind(a.now)
                .bind(a.change_id),
        );
    }
    stmts
}
