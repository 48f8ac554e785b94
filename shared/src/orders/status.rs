//! An order's status, as 1C sets it and the portal shows it: one enum, so the rules that depend
//! on it (may the client still change it, may it be consolidated) match every status.

/// Where an order stands in 1C.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Draft,
    AwaitingPayment,
    Reserved,
    Paid,
    PartlyShipped,
    Shipped,
    Cancelled,
}

/// Every status's spelling, as 1C's `order` message and the list's filter name them.
pub const ORDER_STATUSES: &[&str] = &[
    OrderStatus::Draft.as_str(),
    OrderStatus::AwaitingPayment.as_str(),
    OrderStatus::Reserved.as_str(),
    OrderStatus::Paid.as_str(),
    OrderStatus::PartlyShipped.as_str(),
    OrderStatus::Shipped.as_str(),
    OrderStatus::Cancelled.as_str(),
];

impl OrderStatus {
    /// The spelling on the wire and in `orders.status`.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Reserved => "reserved",
            OrderStatus::Paid => "paid",
            OrderStatus::PartlyShipped => "partly_shipped",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// The status a stored or sent spelling names; `None` for one no status has.
    pub fn parse(s: &str) -> Option<OrderStatus> {
        match s {
            "draft" => Some(OrderStatus::Draft),
            "awaiting_payment" => Some(OrderStatus::AwaitingPayment),
            "reserved" => Some(OrderStatus::Reserved),
            "paid" => Some(OrderStatus::Paid),
            "partly_shipped" => Some(OrderStatus::PartlyShipped),
            "shipped" => Some(OrderStatus::Shipped),
            "cancelled" => Some(OrderStatus::Cancelled),
            _ => None,
        }
    }

    /// Neither paid nor shipped: the client may still change or cancel the order.
    pub fn is_editable(self) -> bool {
        match self {
            OrderStatus::Draft | OrderStatus::AwaitingPayment | OrderStatus::Reserved => true,
            OrderStatus::Paid
            | OrderStatus::PartlyShipped
            | OrderStatus::Shipped
            | OrderStatus::Cancelled => false,
        }
    }

    /// Shipped or cancelled: nothing more leaves the warehouse for it.
    pub fn is_finished(self) -> bool {
        match self {
            OrderStatus::Shipped | OrderStatus::Cancelled => true,
            OrderStatus::Draft
            | OrderStatus::AwaitingPayment
            | OrderStatus::Reserved
            | OrderStatus::Paid
            | OrderStatus::PartlyShipped => false,
        }
    }

    /// The status in words, for the CSV (the page has its own, in both languages).
    pub fn ru(self) -> &'static str {
        match self {
            OrderStatus::Draft => "черновик",
            OrderStatus::AwaitingPayment => "ожидает оплаты",
            OrderStatus::Reserved => "в резерве",
            OrderStatus::Paid => "оплачен",
            OrderStatus::PartlyShipped => "отгружен частично",
            OrderStatus::Shipped => "отгружен",
            OrderStatus::Cancelled => "отменён",
        }
    }
}

/// Is a stored status one in which the client may still change or cancel the order?
pub fn editable(status: &str) -> bool {
    OrderStatus::parse(status).is_some_and(OrderStatus::is_editable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_parses_back_from_its_spelling() {
        for s in ORDER_STATUSES {
            assert_eq!(OrderStatus::parse(s).map(OrderStatus::as_str), Some(*s));
        }
        assert_eq!(ORDER_STATUSES.len(), 7);
        assert_eq!(OrderStatus::parse("lost"), None);
    }
}
