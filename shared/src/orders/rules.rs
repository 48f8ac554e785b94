//! What a client may do with an order, by its state. Pure; tested natively.

use super::status::{editable, OrderStatus};

#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Paid, shipped or cancelled already.
    NotEditable,
    /// Something is paid: 1C must refund it first.
    PartlyPaid,
}

/// May the client cancel an order in this state?
pub fn can_cancel(status: &str, paid_kop: i64) -> Result<(), Refusal> {
    if !editable(status) {
        return Err(Refusal::NotEditable);
    }
    if paid_kop > 0 {
        return Err(Refusal::PartlyPaid);
    }
    Ok(())
}

/// Why a switch to paying on credit is refused: the shortfall is shown to the user.
#[derive(Debug, PartialEq, Eq)]
pub enum CreditRefusal {
    NoCredit,
    Blocked { amount_to_pay_kop: i64 },
    Short { shortfall_kop: i64 },
}

/// May an order of `due_kop` move to credit on an agreement with this position?
pub fn credit_allows(
    on_credit: bool,
    blocked: bool,
    amount_to_pay_kop: i64,
    available_kop: i64,
    due_kop: i64,
) -> Result<(), CreditRefusal> {
    if !on_credit {
        return Err(CreditRefusal::NoCredit);
    }
    if blocked {
        return Err(CreditRefusal::Blocked { amount_to_pay_kop });
    }
    if available_kop < due_kop {
        return Err(CreditRefusal::Short {
            shortfall_kop: due_kop - available_kop,
        });
    }
    Ok(())
}

/// Why an order cannot be paid by card.
#[derive(Debug, PartialEq, Eq)]
pub enum CardRefusal {
    /// Shipped, cancelled, or paid by 1C's reckoning.
    NotPayable,
    /// On credit or held on the internal account: that money is already arranged.
    OtherMethod,
    NothingDue,
}

/// May the order be paid by card now, and how much: what is still due.
pub fn card_payable(
    status: &str,
    payment_method: &str,
    total_kop: i64,
    paid_kop: i64,
) -> Result<i64, CardRefusal> {
    if !editable(status) {
        return Err(CardRefusal::NotPayable);
    }
    if !matches!(payment_method, "invoice" | "card") {
        return Err(CardRefusal::OtherMethod);
    }
    match total_kop - paid_kop {
        due if due > 0 => Ok(due),
        _ => Err(CardRefusal::NothingDue),
    }
}

/// The statuses a list filter may name.
pub fn known_status(s: &str) -> bool {
    OrderStatus::parse(s).is_some()
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

    #[test]
    fn card_pays_what_is_due_of_an_unshipped_invoice_order() {
        assert_eq!(card_payable("reserved", "invoice", 1000, 0), Ok(1000));
        assert_eq!(card_payable("awaiting_payment", "card", 1000, 400), Ok(600));
        assert_eq!(
            card_payable("reserved", "invoice", 1000, 1000),
            Err(CardRefusal::NothingDue)
        );
        assert_eq!(
            card_payable("reserved", "credit", 1000, 0),
            Err(CardRefusal::OtherMethod)
        );
        for s in ["paid", "partly_shipped", "shipped", "cancelled"] {
            assert_eq!(
                card_payable(s, "invoice", 1000, 0),
                Err(CardRefusal::NotPayable),
                "{s}"
            );
        }
    }

    #[test]
    fn credit_needs_a_limit_no_block_and_enough_available() {
        assert_eq!(credit_allows(true, false, 0, 1000, 1000), Ok(()));
        assert_eq!(
            credit_allows(true, false, 0, 999, 1000),
            Err(CreditRefusal::Short { shortfall_kop: 1 })
        );
        assert_eq!(
            credit_allows(true, true, 500, 5000, 1000),
            Err(CreditRefusal::Blocked {
                amount_to_pay_kop: 500
            })
        );
        assert_eq!(
            credit_allows(false, false, 0, 0, 1),
            Err(CreditRefusal::NoCredit)
        );
    }
}
