//! `order.shipments_consolidation_requested`: a client asked to ship orders together. Refused, whatever credit reserve
//! the change moved comes back.

use super::Answered;
use crate::ports::Stmt;

pub fn answered(a: &Answered<'_>) -> Vec<Stmt> {
    super::order_refused(a)
}
