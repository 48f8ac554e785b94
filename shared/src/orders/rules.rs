//! What a client may do with an order, by its state. Pure; tested natively.

/// Statuses in which the order is neither paid nor shipped: the client may still change or
/// cancel it.
pub const EDITABLE: &[&str] = &["draft", "awaiting_payment", "reserved"];

#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Paid, shipped or cancelled already.
    NotEditable,
    /// Something is paid: 1C must refund it first.
    PartlyPaid,
}

/// May the client cancel an order in this state?
pub fn can_cancel(status: &str, paid_kop: i64) -> Result<(), Refusal> {
    if !EDITABLE.contains(&status) {
        return Err(Refusal::NotEditable);
    }
    if paid_kop > 0 {
        return Err(Refusal::PartlyPaid);
    }
    Ok(())
}

/// The statuses a list filter may name.
pub fn known_status(s: &str) -> bool {
    crate::exchange::contract::ORDER_STATUSES.contains(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unpaid_unshipped_orders_can_be_cancelled() {
        assert_eq!(can_cancel("awaiting_payment", 0), Ok(()));
        assert_eq!(can_cancel("reserved", 0), Ok(()));
        assert_eq!(can_cancel("draft", 0), Ok(()));
        assert_eq!(can_cancel("reserved", 100), Err(Refusal::PartlyPaid));
        for s in ["paid", "partly_shipped", "shipped", "cancelled"] {
            assert_eq!(can_cancel(s, 0), Err(Refusal::NotEditable), "{s}");
        }
        assert!(known_status("shipped") && !known_status("lost"));
    }
}
