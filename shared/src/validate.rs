//! Field rules shared by capabilities: Russian tax ids, e-mail (and [`Email`], the address as
//! the portal keeps it), search normalisation.

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

/// ОГРН: 13 digits (organisation; the 13th is the first 12 mod 11, mod 10) or ОГРНИП: 15 digits
/// (the 15th is the first 14 mod 13, mod 10).
pub fn ogrn(s: &str) -> Result<(), FieldError> {
    let s = s.trim();
    let check = |n: usize, m: u64| -> bool {
        s.len() == n
            && s.bytes().all(|b| b.is_ascii_digit())
            && s[..n - 1].parse::<u64>().map(|v| v % m % 10)
                == Ok(u64::from(s.as_bytes()[n - 1] - b'0'))
    };
    if check(13, 11) || check(15, 13) {
        Ok(())
    } else {
        Err(FieldError::new(
            "ogrn",
            "invalid-ogrn",
            "ОГРН указан неверно: 13 цифр (ОГРНИП — 15) с верной контрольной цифрой.",
            "Invalid OGRN: 13 digits (15 for an individual entrepreneur) with a valid check digit.",
        ))
    }
}

/// КПП: 9 characters, `NNNNPPNNN` where the reason code `PP` may hold capital Latin letters.
pub fn kpp(s: &str) -> Result<(), FieldError> {
    let b = s.trim().as_bytes();
    let ok = b.len() == 9
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4..6]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && b[6..].iter().all(u8::is_ascii_digit);
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "kpp",
            "invalid-kpp",
            "КПП указан неверно: 9 знаков.",
            "Invalid KPP: 9 characters.",
        ))
    }
}

/// БИК of a Russian bank: 9 digits starting with 04.
pub fn bik(s: &str) -> Result<(), FieldError> {
    let s = s.trim();
    if s.len() == 9 && s.starts_with("04") && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(FieldError::new(
            "bik",
            "invalid-bik",
            "БИК указан неверно: 9 цифр, начинается с 04.",
            "Invalid BIK: 9 digits starting with 04.",
        ))
    }
}

/// The Bank of Russia control key: 3 digits of the БИК before the 20-digit account, weights
/// 7-1-3 repeated, the sum of the products' last digits ends in 0.
fn account_key_ok(prefix: &str, account: &str) -> bool {
    let digits: Vec<u32> = prefix
        .chars()
        .chain(account.chars())
        .filter_map(|c| c.to_digit(10))
        .collect();
    digits.len() == 23
        && digits
            .iter()
            .enumerate()
            .map(|(i, d)| d * [7, 1, 3][i % 3] % 10)
            .sum::<u32>()
            % 10
            == 0
}

fn twenty_digits(s: &str) -> bool {
    s.len() == 20 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A correspondent account (301...): its control key against "0" + БИК digits 5-6.
pub fn corr_account(s: &str, bik_value: &str) -> Result<(), FieldError> {
    let (s, b) = (s.trim(), bik_value.trim());
    if twenty_digits(s)
        && s.starts_with("301")
        && b.len() == 9
        && account_key_ok(&format!("0{}", &b[4..6]), s)
    {
        Ok(())
    } else {
        Err(FieldError::new(
            "corr_account",
            "invalid-corr-account",
            "Корреспондентский счёт не сходится с БИК: 20 цифр, начинается с 301, верный контрольный ключ.",
            "The correspondent account does not match the BIK: 20 digits starting with 301, valid control key.",
        ))
    }
}

/// A settlement account: its control key against БИК digits 7-9.
pub fn settlement_account(s: &str, bik_value: &str) -> Result<(), FieldError> {
    let (s, b) = (s.trim(), bik_value.trim());
    if twenty_digits(s) && b.len() == 9 && account_key_ok(&b[6..9], s) {
        Ok(())
    } else {
        Err(FieldError::new(
            "account",
            "invalid-account",
            "Расчётный счёт не сходится с БИК: 20 цифр с верным контрольным ключом.",
            "The settlement account does not match the BIK: 20 digits with a valid control key.",
        ))
    }
}

/// A phone as people type it: digits, spaces and `+ ( ) -`, 5 to 15 digits.
pub fn phone_ok(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=15).contains(&digits) && s.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c))
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

/// An e-mail address as the portal keeps and looks it up: trimmed and lowercased, so one address
/// is one account whatever case it was typed in. Made once, where the address comes in; reads as
/// a `&str`, binds as text, serializes as a string.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Normalized and checked to be plausible ([`email_ok`]): an address the portal will store
    /// or write to. `None`: the caller answers with its own field error.
    pub fn parse(s: &str) -> Option<Email> {
        let email = Email::normalized(s);
        email_ok(&email.0).then_some(email)
    }

    /// Normalized only: an address to look an account up by (a malformed one finds nothing),
    /// or one already checked where it came in.
    pub fn normalized(s: &str) -> Email {
        Email(s.trim().to_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Email {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<String> for Email {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<Email> for String {
    fn eq(&self, other: &Email) -> bool {
        self == &other.0
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl From<&Email> for crate::ports::SqlValue {
    fn from(e: &Email) -> Self {
        crate::ports::SqlValue::Text(e.0.clone())
    }
}

impl From<Email> for crate::ports::SqlValue {
    fn from(e: Email) -> Self {
        crate::ports::SqlValue::Text(e.0)
    }
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
    fn ogrn_kpp_bik_and_accounts() {
        assert!(ogrn("1027700132195").is_ok()); // Sberbank
        assert!(ogrn("1027700132196").is_err());
        assert!(ogrn("304500116000157").is_ok()); // an ОГРНИП
        assert!(ogrn("304500116000158").is_err());
        assert!(ogrn("10277001321").is_err());
        assert!(kpp("773601001").is_ok());
        assert!(kpp("7736AB001").is_ok());
        assert!(kpp("77360100").is_err());
        assert!(kpp("7736ab001").is_err());
        assert!(bik("044525225").is_ok());
        assert!(bik("144525225").is_err());
        assert!(bik("04452522").is_err());
        assert!(corr_account("30101810400000000225", "044525225").is_ok());
        assert!(corr_account("30101810400000000226", "044525225").is_err());
        assert!(
            corr_account("30101810400000000225", "044525226").is_ok(),
            "digits 5-6 of the БИК only"
        );
        assert!(settlement_account("40702819938000001234", "044525225").is_ok());
        assert!(settlement_account("40702810938000001234", "044525225").is_err());
        assert!(settlement_account("40702819938000001234", "044525226").is_err());
        assert_eq!(
            settlement_account("4070281993800000123", "044525225")
                .unwrap_err()
                .code,
            "invalid-account"
        );
    }

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
        assert_eq!(
            Email::parse("  Buyer@AGRO.ru ").as_deref(),
            Some("buyer@agro.ru")
        );
        assert_eq!(Email::parse(" buyer@agro "), None);
        assert_eq!(
            Email::normalized(" Not An E-mail ").as_str(),
            "not an e-mail"
        );
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
