//! Money in integer kopecks and quantities in integer thousandths: never floating point.
//! 1C writes amounts as decimal numbers (`1234.5`), sometimes as text with a space as the
//! thousands separator and a comma as the decimal mark (`23 000,50`); both parse exactly here.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// An amount in kopecks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Kopecks(pub i64);

/// A quantity in thousandths of the unit (3 decimals: kg, m, pieces).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Milli(pub i64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalError {
    Empty,
    Invalid,
    TooManyDecimals,
    Overflow,
}

/// Parses a decimal written by 1C or a person into an integer scaled by 10^`scale`.
/// Accepts `-`, spaces (also no-break) as thousands separators, `.` or `,` as the decimal mark.
/// Refuses more decimals than `scale` rather than rounding money silently.
pub fn parse_scaled(text: &str, scale: u32) -> Result<i64, DecimalError> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if cleaned.is_empty() {
        return Err(DecimalError::Empty);
    }
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let mut parts = digits.splitn(2, ['.', ',']);
    let int_part = parts.next().unwrap_or("");
    let frac_part = parts.next().unwrap_or("");
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(DecimalError::Invalid);
    }
    if !int_part.chars().all(|c| c.is_ascii_digit())
        || !frac_part.chars().all(|c| c.is_ascii_digit())
    {
        return Err(DecimalError::Invalid);
    }
    // Trailing zeros beyond the scale are harmless (`12.500` as kopecks is fine).
    let frac_trimmed = frac_part.trim_end_matches('0');
    if frac_trimmed.len() > scale as usize {
        return Err(DecimalError::TooManyDecimals);
    }
    let mut value: i64 = 0;
    for c in int_part.chars() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add((c as u8 - b'0') as i64))
            .ok_or(DecimalError::Overflow)?;
    }
    let mut frac_value: i64 = 0;
    for i in 0..scale as usize {
        let d = frac_trimmed
            .as_bytes()
            .get(i)
            .map(|b| (b - b'0') as i64)
            .unwrap_or(0);
        frac_value = frac_value * 10 + d;
    }
    let scaled = value
        .checked_mul(10i64.pow(scale))
        .and_then(|v| v.checked_add(frac_value))
        .ok_or(DecimalError::Overflow)?;
    Ok(if negative { -scaled } else { scaled })
}

impl Kopecks {
    pub fn parse(text: &str) -> Result<Kopecks, DecimalError> {
        parse_scaled(text, 2).map(Kopecks)
    }

    /// `1234567.89` style, for 1C and CSV.
    pub fn to_decimal_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Russian display: `1 234 567,89 ₽` (no-break spaces between groups).
    pub fn format_ru(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!(
            "{sign}{},{:02}\u{a0}₽",
            group_thousands(abs / 100),
            abs % 100
        )
    }
}

impl Milli {
    pub fn parse(text: &str) -> Result<Milli, DecimalError> {
        parse_scaled(text, 3).map(Milli)
    }

    /// `12.500`, the API's decimal string form.
    pub fn to_decimal_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:03}", abs / 1000, abs % 1000)
    }
}

fn group_thousands(mut n: u64) -> String {
    let mut groups = Vec::new();
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    let mut out = groups.pop().map(|g| g.to_string()).unwrap_or_default();
    while let Some(g) = groups.pop() {
        out.push('\u{a0}');
        out.push_str(&format!("{g:03}"));
    }
    out
}

impl fmt::Display for Kopecks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string())
    }
}

/// A JSON number or string as 1C writes it, read exactly. A JSON number goes through its
/// shortest text form, which for the up-to-15-significant-digit amounts 1C writes is the digits
/// 1C wrote.
fn decimal_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Num(serde_json::Number),
        Text(String),
    }
    Ok(match NumOrText::deserialize(d)? {
        NumOrText::Num(n) => n.to_string(),
        NumOrText::Text(t) => t,
    })
}

/// `#[serde(deserialize_with = "kopecks_from_1c")]` for 1C amounts (rubles with kopecks).
pub fn kopecks_from_1c<'de, D: Deserializer<'de>>(d: D) -> Result<Kopecks, D::Error> {
    let text = decimal_text(d)?;
    Kopecks::parse(&text).map_err(|e| serde::de::Error::custom(format!("amount {text:?}: {e:?}")))
}

/// `#[serde(deserialize_with = "milli_from_1c")]` for 1C quantities.
pub fn milli_from_1c<'de, D: Deserializer<'de>>(d: D) -> Result<Milli, D::Error> {
    let text = decimal_text(d)?;
    Milli::parse(&text).map_err(|e| serde::de::Error::custom(format!("quantity {text:?}: {e:?}")))
}

/// `quantity` x `price`, rounded half up to kopecks: an order line's amount, as 1C computes it.
pub fn line_amount(quantity: Milli, price: Kopecks) -> Kopecks {
    let raw = quantity.0 as i128 * price.0 as i128;
    Kopecks(((raw + 500) / 1000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_1c_amounts_exactly() {
        assert_eq!(Kopecks::parse("1234.56"), Ok(Kopecks(123456)));
        assert_eq!(Kopecks::parse("1234,5"), Ok(Kopecks(123450)));
        assert_eq!(Kopecks::parse("23 000"), Ok(Kopecks(2300000)));
        assert_eq!(Kopecks::parse("23\u{a0}000,01"), Ok(Kopecks(2300001)));
        assert_eq!(Kopecks::parse("-0.01"), Ok(Kopecks(-1)));
        assert_eq!(Kopecks::parse("12.500"), Ok(Kopecks(1250)));
        assert_eq!(Kopecks::parse(".5"), Ok(Kopecks(50)));
        // Above 2^31 kopecks stays exact.
        assert_eq!(Kopecks::parse("98765432109.87"), Ok(Kopecks(9876543210987)));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        assert_eq!(Kopecks::parse(""), Err(DecimalError::Empty));
        assert_eq!(Kopecks::parse("12.345"), Err(DecimalError::TooManyDecimals));
        assert_eq!(Kopecks::parse("1e5"), Err(DecimalError::Invalid));
        assert_eq!(Kopecks::parse("12.3.4"), Err(DecimalError::Invalid));
        assert_eq!(Kopecks::parse("-"), Err(DecimalError::Invalid));
        assert_eq!(
            Kopecks::parse("99999999999999999999"),
            Err(DecimalError::Overflow)
        );
    }

    #[test]
    fn json_numbers_from_1c_are_exact() {
        #[derive(Deserialize)]
        struct A {
            #[serde(deserialize_with = "kopecks_from_1c")]
            sum: Kopecks,
            #[serde(deserialize_with = "milli_from_1c")]
            qty: Milli,
        }
        let a: A = serde_json::from_str(r#"{"sum": 0.29, "qty": 12.5}"#).unwrap();
        assert_eq!(a.sum, Kopecks(29));
        assert_eq!(a.qty, Milli(12500));
        let a: A = serde_json::from_str(r#"{"sum": 1500000.1, "qty": "3"}"#).unwrap();
        assert_eq!(a.sum, Kopecks(150000010));
        assert_eq!(a.qty, Milli(3000));
        assert!(serde_json::from_str::<A>(r#"{"sum": 0.001, "qty": 1}"#).is_err());
    }

    #[test]
    fn russian_format() {
        assert_eq!(
            Kopecks(123456789).format_ru(),
            "1\u{a0}234\u{a0}567,89\u{a0}₽"
        );
        assert_eq!(Kopecks(5).format_ru(), "0,05\u{a0}₽");
        assert_eq!(Kopecks(-100000).format_ru(), "-1\u{a0}000,00\u{a0}₽");
        assert_eq!(Milli(12500).to_decimal_string(), "12.500");
        assert_eq!(Kopecks(-5).to_decimal_string(), "-0.05");
    }
}
