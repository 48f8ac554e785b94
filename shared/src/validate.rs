//! Field rules shared by capabilities: Russian tax ids, e-mail, search normalisation.

use crate::error::FieldError;

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

fn weighted(d: &[u32], weights: &[u32]) -> u32 {
    d.iter().zip(weights).map(|(a, b)| a * b).sum::<u32>() % 11 % 10
}

/// ИНН: 10 digits (organisation) or 12 (individual), with the check digits of the FNS rule.
pub fn inn(s: &str) -> Result<(), FieldError> {
    let bad = || {
        FieldError::new(
            "inn",
            "invalid-inn",
            "ИНН указан неверно: 10 или 12 цифр с верными контрольными цифрами.",
            "Invalid INN: 10 or 12 digits with valid check digits.",
        )
    };
    let d = digits(s.trim()).ok_or_else(bad)?;
    let ok = match d.len() {
        10 => weighted(&d, &[2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[9],
        12 => {
            weighted(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[10]
                && weighted(&d, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[11]
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// A plausible address: one `@`, something on both sides, a dot in the domain, no spaces.
pub fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Search text: lowercase (Cyrillic too), `ё` as `е`, single spaces. SQLite's lower() folds only
/// ASCII, so the portal stores this form and searches it.
pub fn search_text(s: &str) -> String {
    let lowered: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Article form for partial matching: letters and digits only, lowercase.
pub fn article_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inn_check_digits() {
        assert!(inn("7707083893").is_ok()); // Sberbank
        assert!(inn("7707083894").is_err());
        assert!(inn("500100732259").is_ok());
        assert!(inn("500100732258").is_err());
        assert!(inn("77070838").is_err());
        assert!(inn("77070838AB").is_err());
    }

    #[test]
    fn emails() {
        assert!(email_ok("buyer@agro.ru"));
        assert!(!email_ok("buyer@agro"));
        assert!(!email_ok("bu yer@agro.ru"));
        assert!(!email_ok("@agro.ru"));
    }

    #[test]
    fn search_forms() {
        assert_eq!(
            search_text("  Подшипник  ЁЛКА 6205 "),
            "подшипник елка 6205"
        );
        assert_eq!(article_key("AZ-12 345.b/Ё"), "az12345bе");
    }
}
