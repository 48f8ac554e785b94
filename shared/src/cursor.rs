//! Page cursors sealed to one company: clients get an opaque string, the server reads back the
//! keyset position (sort key, row id) it wrote. The position may hold a global row number (the
//! audit log and the account movements page by rowid), which must not tell a client how busy
//! the whole portal is, and a cursor one company got must mean nothing to another.
//!
//! Deterministic authenticated encryption in the SIV shape (Rogaway and Shrimpton), with
//! HMAC-SHA256 as the PRF: `tag = PRF(k, company || position)` truncated to 16 bytes, then the
//! position XORed with `PRF(k, tag || counter)` blocks. The same position gives the same cursor
//! (harmless: the client saw that page), and opening checks the tag against the caller's company,
//! so a cursor from another company, or altered, is refused. The crates already present (hmac,
//! sha2) suffice; an AEAD crate would add a nonce and a dependency for no gain here.
//!
//! The key is derived from the session signing key, so rotating that key also retires old
//! cursors: a client then gets `invalid-cursor` and starts again from the first page.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;
const TAG_LEN: usize = 16;

/// Seals and opens the cursors of one company.
pub struct CursorSeal {
    key: [u8; 32],
    company_id: String,
}

impl CursorSeal {
    /// The seal of the caller's company, keyed from the session signing key.
    pub fn for_company(cfg: &crate::config::Config, company_id: &str) -> CursorSeal {
        CursorSeal::new(&cfg.session_signing_key, company_id)
    }

    pub fn new(secret: &str, company_id: &str) -> CursorSeal {
        let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(b"portal page cursor v1");
        CursorSeal {
            key: mac.finalize().into_bytes().into(),
            company_id: company_id.to_string(),
        }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("any key length")
    }

    fn tag_mac(&self, plain: &[u8]) -> HmacSha256 {
        let mut mac = self.mac();
        mac.update(b"tag");
        mac.update(&(self.company_id.len() as u64).to_be_bytes());
        mac.update(self.company_id.as_bytes());
        mac.update(plain);
        mac
    }

    /// XORs `data` with the key stream that `tag` selects (encrypts and decrypts alike).
    fn apply_stream(&self, tag: &[u8], data: &mut [u8]) {
        for (counter, chunk) in data.chunks_mut(32).enumerate() {
            let mut mac = self.mac();
            mac.update(b"stream");
            mac.update(tag);
            mac.update(&(counter as u64).to_be_bytes());
            let block = mac.finalize().into_bytes();
            for (b, k) in chunk.iter_mut().zip(block.iter()) {
                *b ^= k;
            }
        }
    }

    pub fn seal(&self, plain: &str) -> String {
        use base64::Engine;
        let tag = self.tag_mac(plain.as_bytes()).finalize().into_bytes();
        let tag = &tag[..TAG_LEN];
        let mut out = tag.to_vec();
        let mut body = plain.as_bytes().to_vec();
        self.apply_stream(tag, &mut body);
        out.extend(body);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
    }

    /// The position sealed in `cursor`, if this company sealed it and nobody altered it.
    pub fn open(&self, cursor: &str) -> Option<String> {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()?;
        if raw.len() < TAG_LEN {
            return None;
        }
        let (tag, body) = raw.split_at(TAG_LEN);
        let mut plain = body.to_vec();
        self.apply_stream(tag, &mut plain);
        // Constant-time comparison of the truncated tag.
        self.tag_mac(&plain).verify_truncated_left(tag).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::CursorSeal;

    #[test]
    fn opens_what_it_sealed_for_the_same_company_only() {
        let a = CursorSeal::new("k1:secret", "cmp_a");
        let b = CursorSeal::new("k1:secret", "cmp_b");
        let c = a.seal("2026-12-01T10:00:00.000Z|12345");
        assert_eq!(
            a.open(&c).as_deref(),
            Some("2026-12-01T10:00:00.000Z|12345")
        );
        assert_eq!(b.open(&c), None);
        assert_eq!(CursorSeal::new("k2:other", "cmp_a").open(&c), None);
        assert!(!c.contains("2026"));
    }

    #[test]
    fn refuses_altered_short_and_garbage_cursors() {
        use base64::Engine;
        let a = CursorSeal::new("k1:secret", "cmp_a");
        let c = a.seal("2026-12-01T10:00:00.000Z|ord_abcdefghijklmnopqrstuvwxyz0123456789");
        let mut raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&c)
            .unwrap();
        for i in 0..raw.len() {
            raw[i] ^= 0x01;
            let altered = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
            assert_eq!(a.open(&altered), None, "byte {i}");
            raw[i] ^= 0x01;
        }
        assert_eq!(a.open(""), None);
        assert_eq!(a.open("AAAA"), None);
        assert_eq!(a.open("%%%"), None);
        assert_eq!(a.open(&"A".repeat(5000)), None);
    }
}
