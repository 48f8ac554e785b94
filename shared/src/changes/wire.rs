//! How values are written in a change's payload, in one place: amounts as JSON numbers in rubles
//! (at most 2 decimals) and quantities as JSON numbers (at most 3), as 1C's `ЗаписатьJSON`
//! writes numbers and `ПрочитатьJSON` reads them into a Число; days as 1C reads a Дата
//! (`2026-07-01T00:00:00`, Moscow, no zone). The numbers are formatted from the integers
//! (kopecks, thousandths), never computed in floating point. The shapes themselves are in
//! docs/exchange/schemas/changes/.

use crate::money::{Kopecks, Milli};
use chrono::NaiveDate;
use serde_json::{json, Number, Value};

/// `scaled` / 10^`scale` as the shortest exact JSON number: `1234.5`, `50`, `-0.05`.
fn decimal(scaled: i64, scale: u32) -> Value {
    let unit = 10i64.pow(scale).unsigned_abs();
    let abs = scaled.unsigned_abs();
    let (int, frac) = (abs / unit, abs % unit);
    if frac == 0 {
        return if scaled < 0 {
            Value::Number(Number::from(-(int as i64)))
        } else {
            Value::Number(Number::from(int))
        };
    }
    let digits = format!("{frac:0width$}", width = scale as usize);
    let sign = if scaled < 0 { "-" } else { "" };
    let text = format!("{sign}{int}.{}", digits.trim_end_matches('0'));
    // A decimal of at most 15 significant digits reads back to the same shortest text.
    serde_json::from_str::<Number>(&text)
        .map(Value::Number)
        .unwrap_or(Value::String(text))
}

/// An amount in rubles: `Kopecks(123450)` is `1234.5`.
pub fn amount(k: Kopecks) -> Value {
    decimal(k.0, 2)
}

/// A quantity: `Milli(2500)` is `2.5`.
pub fn quantity(q: Milli) -> Value {
    decimal(q.0, 3)
}

/// A VAT rate in basis points as 1C's percent: `2000` is `20`, `1000` is `10`.
pub fn vat_rate(bp: i64) -> Value {
    decimal(bp, 2)
}

/// A calendar day as 1C reads a Дата: `2026-07-01T00:00:00`.
pub fn day(d: NaiveDate) -> String {
    format!("{d}T00:00:00")
}

/// A day stored as `YYYY-MM-DD` (or a 1C date-time whose day it is), as [`day`]; `None` when it
/// is no date.
pub fn day_text(s: Option<&str>) -> Option<String> {
    let s = s?;
    crate::time::parse_ymd(s.get(..10)?).map(day)
}

/// An employee as `employee.added` and `employee.changed` carry them, whoever made the change
/// (the employee in their profile, an administrator, the e-mail confirmation): the full record.
#[allow(clippy::too_many_arguments)]
pub fn employee(
    company_onec_id: &str,
    portal_id: &str,
    email: &str,
    full_name: &str,
    position: Option<&str>,
    phone: Option<&str>,
    roles: &[String],
) -> Value {
    json!({"company_id": company_onec_id, "portal_id": portal_id, "email": email, "full_name": full_name,
        "position": position, "phone": phone, "roles": roles})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_quantities_are_exact_numbers() {
        let text = |v: Value| v.to_string();
        assert_eq!(text(amount(Kopecks(123450))), "1234.5");
        assert_eq!(text(amount(Kopecks(5000))), "50");
        assert_eq!(text(amount(Kopecks(7))), "0.07");
        assert_eq!(text(amount(Kopecks(-5))), "-0.05");
        assert_eq!(text(amount(Kopecks(-300))), "-3");
        assert_eq!(text(amount(Kopecks(99_999_999_999_99))), "99999999999.99");
        assert_eq!(text(quantity(Milli(2500))), "2.5");
        assert_eq!(text(quantity(Milli(1))), "0.001");
        assert_eq!(text(quantity(Milli(12000))), "12");
        assert_eq!(text(quantity(Milli(123_456_789_012))), "123456789.012");
        assert_eq!(text(vat_rate(2000)), "20");
        assert_eq!(
            day(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
            "2026-07-01T00:00:00"
        );
        assert_eq!(
            day_text(Some("2026-12-04")).as_deref(),
            Some("2026-12-04T00:00:00")
        );
        assert_eq!(
            day_text(Some("2026-12-04T00:00:00")).as_deref(),
            Some("2026-12-04T00:00:00")
        );
        assert_eq!(day_text(None), None);
    }
}
