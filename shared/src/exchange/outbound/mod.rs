//! The outbound change kinds, one module each ([`ChangeKind`]): what 1C's final verdict on a
//! change does to the portal beyond the outbox row and its audit entry (those are
//! `outbox::answer_plan`'s). Adding a kind: a `ChangeKind` variant, a module here, and its arm
//! in [`answered`] (the compiler asks for it).

mod act_requested;
mod company_changed;
mod consignee_added;
mod consignee_archived;
mod consignee_changed;
mod employee_added;
mod employee_changed;
mod employee_removed;
mod order_cancelled;
mod order_changed;
mod order_created;
mod order_paid_by_card;
mod order_paid_from_account;
mod order_payment_method_changed;
mod order_shipments_consolidation_requested;
mod resync_requested;
mod return_requested;

use crate::changes::ChangeKind;
use crate::error::AppResult;
use crate::ports::Stmt;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// 1C's final verdict on one change, with what the outbox row remembers of it.
pub struct Answered<'a> {
    /// The change's id (the outbox row's).
    pub change_id: &'a str,
    pub accepted: bool,
    pub reason: Option<&'a str>,
    /// The id 1C gave an entity the portal created.
    pub onec_id: Option<&'a str>,
    /// The portal's id of the entity.
    pub portal_id: &'a str,
    /// The entity's version the change was based on.
    pub base_version: i64,
    /// The change's payload as sent.
    pub payload: &'a Value,
    /// The entity before the change (JSON), for a revert.
    pub before_json: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// The statements the verdict adds for this kind of change.
pub fn answered(kind: ChangeKind, a: &Answered<'_>) -> AppResult<Vec<Stmt>> {
    match kind {
        ChangeKind::CompanyChanged => Ok(company_changed::answered(a)),
        ChangeKind::EmployeeAdded => Ok(employee_added::answered(a)),
        ChangeKind::EmployeeChanged => employee_changed::answered(a),
        ChangeKind::EmployeeRemoved => Ok(employee_removed::answered(a)),
        ChangeKind::ConsigneeAdded => Ok(consignee_added::answered(a)),
        ChangeKind::ConsigneeChanged => consignee_changed::answered(a),
        ChangeKind::ConsigneeArchived => Ok(consignee_archived::answered(a)),
        ChangeKind::OrderCreated => Ok(order_created::answered(a)),
        ChangeKind::OrderChanged => Ok(order_changed::answered(a)),
        ChangeKind::OrderCancelled => Ok(order_cancelled::answered(a)),
        ChangeKind::OrderShipmentsConsolidationRequested => {
            Ok(order_shipments_consolidation_requested::answered(a))
        }
        ChangeKind::OrderPaymentMethodChanged => Ok(order_payment_method_changed::answered(a)),
        ChangeKind::OrderPaidFromAccount => Ok(order_paid_from_account::answered(a)),
        ChangeKind::OrderPaidByCard => Ok(order_paid_by_card::answered(a)),
        ChangeKind::ReturnRequested => Ok(return_requested::answered(a)),
        ChangeKind::ActRequested => Ok(act_requested::answered(a)),
        ChangeKind::ResyncRequested => Ok(resync_requested::answered(a)),
    }
}

/// What every refused order change undoes: whatever credit reserve it moved comes back (an
/// order's cancellation, a switch to credit).
fn order_refused(a: &Answered<'_>) -> Vec<Stmt> {
    if a.accepted {
        return Vec::new();
    }
    vec![Stmt::new(crate::finance::sql::RESERVES_OF_CHANGE_UNDO).bind(a.change_id)]
}
