//! Password hashing: PBKDF2-HMAC-SHA256, a per-user salt, the iteration count stored with the
//! hash (`pbkdf2-sha256$<iterations>$<salt>$<hash>`) so the cost can be raised later and old
//! hashes still verify. Pure Rust: the same code runs in the Worker and natively.
//!
//! Cost: 100,000 iterations, below OWASP's 600,000 for this construction. Cloudflare's WebCrypto
//! refuses more than 100,000; this pure-Rust version has no such cap, but each sign-in then costs
//! that much more Worker CPU. See docs/security.md for the measured figure.

use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use sha2::Sha256;

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_BYTES: usize = 512;

pub fn hash_password(password: &str, iterations: u32) -> String {
    let mut salt = [0u8; 16];
    crate::ids::random_bytes(&mut salt);
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, iterations, &mut out);
    format!(
        "pbkdf2-sha256${iterations}${}${}",
        B64.encode(salt),
        B64.encode(out)
    )
}

/// Constant-time comparison; a malformed stored hash never verifies.
pub fn verify_password(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(iter), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(iterations), Ok(salt), Ok(expected)) =
        (iter.parse::<u32>(), B64.decode(salt), B64.decode(hash))
    else {
        return false;
    };
    if iterations == 0 || expected.len() != 32 || password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, iterations, &mut out);
    constant_time_eq(&out, &expected)
}

/// A hash to verify against when the account does not exist, so a missing e-mail costs the same
/// time as a wrong password.
pub fn dummy_hash(iterations: u32) -> String {
    format!("pbkdf2-sha256${iterations}$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The password rule, as field errors: at least 10 characters, not all of one kind.
pub fn check_password_strength(password: &str) -> Result<(), crate::error::FieldError> {
    use crate::error::FieldError;
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            "password",
            "too-short",
            "Пароль должен быть не короче 10 символов.",
            "The password must be at least 10 characters long.",
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(FieldError::new(
            "password",
            "too-long",
            "Пароль слишком длинный.",
            "The password is too long.",
        ));
    }
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_other = password.chars().any(|c| !c.is_alphabetic());
    if !(has_letter && has_other) {
        return Err(FieldError::new(
            "password",
            "too-simple",
            "Пароль должен содержать буквы и цифры или знаки.",
            "The password must mix letters with digits or symbols.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_and_is_salted() {
        let a = hash_password("Секрет-2026!", 1000);
        let b = hash_password("Секрет-2026!", 1000);
        assert_ne!(a, b);
        assert!(a.starts_with("pbkdf2-sha256$1000$"));
        assert!(verify_password("Секрет-2026!", &a));
        assert!(!verify_password("Секрет-2026?", &a));
        assert!(!verify_password("x", "garbage"));
        assert!(!verify_password("x", &dummy_hash(1000)));
    }

    #[test]
    fn known_vector() {
        // RFC 7914 section 11 test vector for PBKDF2-HMAC-SHA256 (1 iteration, "salt").
        let mut out = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(b"passwd", b"salt", 1, &mut out);
        assert_eq!(out[..4], [0x55, 0xac, 0x04, 0x6e]);
    }

    #[test]
    fn strength_rule() {
        assert!(check_password_strength("short1").is_err());
        assert!(check_password_strength("onlyletterslong").is_err());
        assert!(check_password_strength("ПарольДлинный1").is_ok());
    }
}
