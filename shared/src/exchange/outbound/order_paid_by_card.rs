//! `order.paid_by_card`: the acquirer confirmed a card payment (a refund is the manager's). Refused,
//! whatever credit reserve the change moved comes back, like any order change.

use super::Answered;
use crate::ports::Stmt;

pub fn answered(a: &Answered<'_>) -> Vec<Stmt> {
    super::order_refused(a)
}
