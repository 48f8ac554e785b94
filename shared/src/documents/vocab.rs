//! The vocabularies 1C's documents carry (issue 17): the VAT rates of a line as the wire spells
//! them, the ОКЕИ unit code's shape, and 1С-ЭДО's own document states mapped to the portal's
//! `edo_status`. Pure: the message check, the apply step and the pages' API share one list each
//! (docs/exchange/1c-contract.md, `document`, holds the same tables).

use serde_json::Value;

/// A line's VAT rate on the wire, as 1C's СтавкаНДС names it: 22% from 2026, 20% before, the
/// reduced 10%, 0% (export), 5% and 7% (the УСН payers' rates since 2025), and `none` for
/// "Без НДС". Shown as sent ("22%", "без НДС").
pub const VAT_RATES: &[&str] = &["0%", "5%", "7%", "10%", "20%", "22%", "none"];

/// The wire text of a line's VAT rate, or None when it is not one of [`VAT_RATES`]. The older
/// wire form is still read: a bare integer (20) is "20%", null or absent is "none".
pub fn vat_rate(v: Option<&Value>) -> Option<&'static str> {
    match v {
        None | Some(Value::Null) => Some("none"),
        Some(Value::String(s)) => VAT_RATES.iter().copied().find(|r| *r == s.as_str()),
        Some(Value::Number(n)) => {
            let text = format!("{}%", n.as_u64()?);
            VAT_RATES.iter().copied().find(|r| *r == text)
        }
        Some(_) => None,
    }
}

/// Whether a line at this rate carries no VAT amount.
pub fn vat_free(rate: &str) -> bool {
    rate == "none" || rate == "0%"
}

/// An ОКЕИ code: 3 or 4 digits ("796" шт, "166" кг, "0055" м² ...).
pub fn okei_ok(code: &str) -> bool {
    (3..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

/// The portal's ЭДО statuses, in the order a document moves through them.
pub const EDO_STATUSES: &[&str] = &[
    "not_sent",
    "awaiting_signature",
    "awaiting_sending",
    "sent",
    "delivered",
    "correction_requested",
    "signed",
    "rejected",
    "annulment_requested",
    "cancelled",
    "delivery_error",
    "closed",
];

/// 1С-ЭДО's states of an outgoing document (СостоянияВерсийЭД / "Состояние ЭДО" in the document's
/// list) and the portal's status for each. 1C may send the presentation ("Ожидается подписание")
/// or the enumeration value's name ("ОжидаетсяПодписание"): both read the same ([`edo_key`]).
pub const EDO_STATES: &[(&str, &str)] = &[
    ("Не начат", "not_sent"),
    ("Не сформирован", "not_sent"),
    ("Ожидается утверждение", "awaiting_signature"),
    ("Ожидается подписание", "awaiting_signature"),
    ("Ожидается отправка", "awaiting_sending"),
    ("Ожидается извещение о получении", "sent"),
    ("Ожидается подтверждение оператора", "sent"),
    ("Ожидается ответная подпись", "delivered"),
    ("Ожидается исправление", "correction_requested"),
    ("Подписан", "signed"),
    ("Документооборот завершен", "signed"),
    ("Отклонен", "rejected"),
    ("Ожидается аннулирование", "annulment_requested"),
    ("Аннулирован", "cancelled"),
    ("Ошибка передачи", "delivery_error"),
    ("Закрыт принудительно", "closed"),
];

/// A state compared without case, spaces or the ё/е difference.
fn edo_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

/// The portal's status for a 1С-ЭДО state, or None for a state the contract does not list.
pub fn edo_status_of(state: &str) -> Option<&'static str> {
    let key = edo_key(state);
    EDO_STATES
        .iter()
        .find(|(s, _)| edo_key(s) == key)
        .map(|(_, status)| *status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn vat_rates_old_and_new_forms() {
        assert_eq!(vat_rate(Some(&json!("22%"))), Some("22%"));
        assert_eq!(vat_rate(Some(&json!("none"))), Some("none"));
        assert_eq!(vat_rate(Some(&json!(20))), Some("20%"));
        assert_eq!(vat_rate(None), Some("none"));
        assert_eq!(vat_rate(Some(&json!(null))), Some("none"));
        for bad in [
            json!("18%"),
            json!(18),
            json!(20.5),
            json!("20"),
            json!(-20),
            json!(true),
        ] {
            assert_eq!(vat_rate(Some(&bad)), None, "{bad}");
        }
    }

    #[test]
    fn okei_codes() {
        assert!(okei_ok("796") && okei_ok("0055"));
        assert!(!okei_ok("79") && !okei_ok("79a") && !okei_ok("79600") && !okei_ok("७९६"));
    }

    #[test]
    fn every_state_maps_to_a_known_status_and_both_spellings_read() {
        for (s, status) in EDO_STATES {
            assert!(EDO_STATUSES.contains(status), "{s}");
            assert_eq!(edo_status_of(s), Some(*status));
        }
        assert_eq!(
            edo_status_of("ОжидаетсяПодписание"),
            Some("awaiting_signature")
        );
        assert_eq!(edo_status_of("  отклонён "), Some("rejected"));
        assert_eq!(edo_status_of("Потерян"), None);
    }
}
