//! The kinds of change the portal sends 1C (docs/exchange/1c-contract.md, section 6). One enum,
//! so every place that treats kinds differently matches them all; the wire spelling is
//! [`ChangeKind::as_str`].

/// What a client change is, as 1C reads it in the change's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    CompanyChanged,
    EmployeeAdded,
    EmployeeChanged,
    EmployeeRemoved,
    ConsigneeAdded,
    ConsigneeChanged,
    ConsigneeArchived,
    OrderCreated,
    OrderChanged,
    OrderCancelled,
    OrderShipmentsConsolidationRequested,
    OrderPaymentMethodChanged,
    OrderPaidFromAccount,
    OrderPaidByCard,
    ReturnRequested,
    ActRequested,
    ResyncRequested,
}

impl ChangeKind {
    /// Every kind, in the contract's order.
    pub const ALL: [ChangeKind; 17] = [
        ChangeKind::CompanyChanged,
        ChangeKind::EmployeeAdded,
        ChangeKind::EmployeeChanged,
        ChangeKind::EmployeeRemoved,
        ChangeKind::ConsigneeAdded,
        ChangeKind::ConsigneeChanged,
        ChangeKind::ConsigneeArchived,
        ChangeKind::OrderCreated,
        ChangeKind::OrderChanged,
        ChangeKind::OrderCancelled,
        ChangeKind::OrderShipmentsConsolidationRequested,
        ChangeKind::OrderPaymentMethodChanged,
        ChangeKind::OrderPaidFromAccount,
        ChangeKind::OrderPaidByCard,
        ChangeKind::ReturnRequested,
        ChangeKind::ActRequested,
        ChangeKind::ResyncRequested,
    ];

    /// The wire spelling (the outbox row's `type`, the change's `type`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ChangeKind::CompanyChanged => "company.changed",
            ChangeKind::EmployeeAdded => "employee.added",
            ChangeKind::EmployeeChanged => "employee.changed",
            ChangeKind::EmployeeRemoved => "employee.removed",
            ChangeKind::ConsigneeAdded => "consignee.added",
            ChangeKind::ConsigneeChanged => "consignee.changed",
            ChangeKind::ConsigneeArchived => "consignee.archived",
            ChangeKind::OrderCreated => "order.created",
            ChangeKind::OrderChanged => "order.changed",
            ChangeKind::OrderCancelled => "order.cancelled",
            ChangeKind::OrderShipmentsConsolidationRequested => {
                "order.shipments_consolidation_requested"
            }
            ChangeKind::OrderPaymentMethodChanged => "order.payment_method_changed",
            ChangeKind::OrderPaidFromAccount => "order.paid_from_account",
            ChangeKind::OrderPaidByCard => "order.paid_by_card",
            ChangeKind::ReturnRequested => "return.requested",
            ChangeKind::ActRequested => "act.requested",
            ChangeKind::ResyncRequested => "resync.requested",
        }
    }

    /// The kind a stored `type` names; `None` for a spelling no kind has.
    pub fn parse(s: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ChangeKind;

    #[test]
    fn every_kind_parses_back_from_its_spelling() {
        for k in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ChangeKind::parse("order.shipped"), None);
    }
}
