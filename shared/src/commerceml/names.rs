//! The names of the portal's order statuses, payment methods and delivery methods in 1C's
//! language: one list each, written in the orders `query` hands out (`write`) and listed by
//! `mode=info` (`exchange::cml::info`), so the names 1C is offered to map are the ones it reads.

/// Order statuses: code, name (the order status settings of 1C show these).
pub const STATUSES: &[(&str, &str)] = &[
    ("draft", "Черновик"),
    ("awaiting_payment", "Ожидает оплаты"),
    ("reserved", "Зарезервирован"),
    ("paid", "Оплачен"),
    ("partly_shipped", "Частично отгружен"),
    ("shipped", "Отгружен"),
    ("cancelled", "Отменен"),
];

/// Payment methods: code, name.
pub const PAYMENT_METHODS: &[(&str, &str)] = &[
    ("invoice", "Безналичный расчет по счету"),
    ("credit", "Отсрочка платежа"),
    ("internal_account", "Внутренний счет"),
    ("card", "Банковская карта"),
];

/// Delivery methods: code, name.
pub const DELIVERY_METHODS: &[(&str, &str)] = &[
    ("pickup", "Самовывоз"),
    ("delivery", "Доставка"),
    ("transport_company", "Транспортная компания"),
];

/// The name of `code` in `list`; an unknown code is written as is.
pub fn name_of<'a>(list: &[(&str, &'static str)], code: &'a str) -> &'a str {
    list.iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_code_and_unknown_codes_as_written() {
        assert_eq!(name_of(STATUSES, "cancelled"), "Отменен");
        assert_eq!(name_of(PAYMENT_METHODS, "credit"), "Отсрочка платежа");
        assert_eq!(name_of(DELIVERY_METHODS, "pickup"), "Самовывоз");
        assert_eq!(name_of(DELIVERY_METHODS, "drone"), "drone");
    }
}
