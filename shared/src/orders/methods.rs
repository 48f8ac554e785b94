//! How an order is delivered and paid: the spellings 1C and the portal share (1C's `order`
//! message, the order form, `orders.delivery_method` / `orders.payment_method`).

pub const DELIVERY_METHODS: &[&str] = &["pickup", "delivery", "transport_company"];
pub const PAYMENT_METHODS: &[&str] = &["invoice", "credit", "internal_account", "card"];
