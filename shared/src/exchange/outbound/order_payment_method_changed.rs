//! `order.payment_method_changed`: a client switched an order's payment method (e.g. to credit). Refused, whatever credit reserve
//! the change moved comes back.

use super::Answered;
use crate::ports::Stmt;

pub fn answered(a: &Answered<'_>) -> Vec<Stmt> {
    super::order_refused(a)
}
