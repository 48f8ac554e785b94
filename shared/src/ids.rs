//! Opaque ids: 128 random bits, so one company cannot count or guess another's records.

use base64::Engine;

/// Fills `buf` from the platform's secure random source.
pub fn random_bytes(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the platform provides secure randomness");
}

/// A new id: a short type prefix and 26 characters of lowercase base32 (128 bits).
pub fn new_id(prefix: &str) -> String {
    let mut b = [0u8; 16];
    random_bytes(&mut b);
    format!("{prefix}_{}", base32(&b))
}

/// A secret token for links and refresh cookies: 256 bits, URL-safe.
pub fn new_secret_token() -> String {
    let mut b = [0u8; 32];
    random_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_random_and_fixed_length() {
        let a = new_id("usr");
        let b = new_id("usr");
        assert_ne!(a, b);
        assert!(a.starts_with("usr_"));
        assert_eq!(a.len(), 4 + 26);
        assert!(a[4..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)));
        assert_eq!(new_secret_token().len(), 43);
    }
}
