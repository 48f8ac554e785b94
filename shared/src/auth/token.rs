//! Session access tokens: EdDSA-signed JWTs carrying a key id, so keys can rotate (new tokens
//! signed with the current key; tokens of earlier keys verify until they expire).

use crate::config::Config;
use crate::error::{AppError, AppResult};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use jwt_compact::alg::Ed25519;
use jwt_compact::{AlgorithmExt, Claims, Header, UntrustedToken};
use serde::{Deserialize, Serialize};

type SecretKey = <Ed25519 as jwt_compact::Algorithm>::SigningKey;
type PublicKey = <Ed25519 as jwt_compact::Algorithm>::VerifyingKey;

/// What the access token asserts. The roles and `ver` are checked against the database on every
/// request, so a deactivated user or a changed role is refused at once, not at expiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// User id.
    pub uid: String,
    /// Company id.
    pub cid: String,
    /// Session id (the refresh family).
    pub sid: String,
    /// Roles as `admin,buyer`.
    pub roles: String,
    /// The user's security version when the token was issued.
    pub ver: i64,
}

/// The access token's audience: the portal's own API, so a token made for another service that
/// happens to trust the same key is not taken here (and the other way round).
pub const AUDIENCE: &str = "portal-api";

/// The claims as signed: the session's, plus the issuer (the portal's public origin, so a
/// staging token is not a production one) and the audience.
#[derive(Serialize, Deserialize)]
struct Wire {
    iss: String,
    aud: String,
    #[serde(flatten)]
    session: SessionClaims,
}

pub struct KeyRing {
    /// `iss` of the tokens this ring signs and accepts: the portal's public URL.
    issuer: String,
    current_kid: String,
    signing: SecretKey,
    verifying: Vec<(String, PublicKey)>,
    /// Tokens whose signature this ring has checked, with their claims and expiry. A page makes
    /// many calls with the same access token; the Ed25519 check in wasm is the largest part of a
    /// request's own CPU after D1, so each token's signature is checked once per isolate. Keyed
    /// by the whole token text: only a token that verified can hit. Expiry is still checked on
    /// every use, and the session's state in D1 too (by `authenticate`). A changed key set
    /// builds a new ring (see `cached`), so a removed key's tokens are checked afresh.
    verified: std::cell::RefCell<std::collections::HashMap<String, (SessionClaims, DateTime<Utc>)>>,
}

/// How many verified tokens a ring keeps; when full it starts again (one isolate rarely sees
/// this many live tokens within their 15 minutes).
const VERIFIED_CAP: usize = 4096;

fn split_kid(s: &str) -> AppResult<(&str, Vec<u8>)> {
    let (kid, b64) = s
        .trim()
        .split_once(':')
        .ok_or_else(|| AppError::internal("session key must be kid:base64"))?;
    let bytes = B64
        .decode(b64.trim())
        .map_err(|_| AppError::internal("session key is not base64"))?;
    Ok((kid, bytes))
}

impl KeyRing {
    /// The ring for `cfg`, built once per isolate (thread) and kept while the keys stay the same:
    /// deriving the public key from the seed is an elliptic-curve multiplication that every
    /// signed-in request would otherwise pay.
    pub fn cached(cfg: &Config) -> AppResult<std::rc::Rc<KeyRing>> {
        use std::cell::RefCell;
        use std::rc::Rc;
        type Cached = Option<(String, String, Rc<KeyRing>)>;
        thread_local! {
            static RING: RefCell<Cached> = const { RefCell::new(None) };
        }
        RING.with(|r| {
            let mut r = r.borrow_mut();
            if let Some((sign, verify, ring)) = r.as_ref() {
                if *sign == cfg.session_signing_key
                    && *verify == cfg.session_verify_keys
                    && ring.issuer == cfg.public_url
                {
                    return Ok(ring.clone());
                }
            }
            let ring = Rc::new(KeyRing::from_config(cfg)?);
            *r = Some((
                cfg.session_signing_key.clone(),
                cfg.session_verify_keys.clone(),
                ring.clone(),
            ));
            Ok(ring)
        })
    }

    pub fn from_config(cfg: &Config) -> AppResult<KeyRing> {
        let (kid, seed) = split_kid(&cfg.session_signing_key)?;
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| AppError::internal("session signing key must be a 32-byte seed"))?;
        let pair = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(seed));
        let mut verifying = vec![(kid.to_string(), pair.pk)];
        for entry in cfg
            .session_verify_keys
            .split(',')
            .filter(|s| !s.trim().is_empty())
        {
            let (k, pk) = split_kid(entry)?;
            let pk = ed25519_compact::PublicKey::from_slice(&pk)
                .map_err(|_| AppError::internal("bad verify key"))?;
            verifying.push((k.to_string(), pk));
        }
        Ok(KeyRing {
            issuer: cfg.public_url.clone(),
            current_kid: kid.to_string(),
            signing: pair.sk,
            verifying,
            verified: Default::default(),
        })
    }

    pub fn sign(
        &self,
        claims: &SessionClaims,
        now: DateTime<Utc>,
        ttl_secs: i64,
    ) -> AppResult<String> {
        let header = Header::empty().with_key_id(self.current_kid.clone());
        let mut c = Claims::new(Wire {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_string(),
            session: claims.clone(),
        });
        c.issued_at = Some(now);
        c.expiration = Some(now + Duration::seconds(ttl_secs));
        Ed25519
            .token(&header, &c, &self.signing)
            .map_err(|e| AppError::internal(format!("sign token: {e}")))
    }

    /// Verifies signature, key id and expiry. Any failure is "not signed in".
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> AppResult<SessionClaims> {
        let remembered = self.verified.borrow().get(token).cloned();
        let (claims, exp) = match remembered {
            Some(hit) => hit,
            None => {
                let fresh = self.verify_signature(token)?;
                let mut verified = self.verified.borrow_mut();
                if verified.len() >= VERIFIED_CAP {
                    verified.clear();
                }
                verified.insert(token.to_string(), fresh.clone());
                fresh
            }
        };
        if exp > now {
            Ok(claims)
        } else {
            Err(AppError::session_expired())
        }
    }

    /// The claims and expiry of a token signed by a key of this ring.
    fn verify_signature(&self, token: &str) -> AppResult<(SessionClaims, DateTime<Utc>)> {
        let untrusted = UntrustedToken::new(token).map_err(|_| AppError::unauthorized())?;
        if untrusted.algorithm() != "EdDSA" {
            return Err(AppError::unauthorized());
        }
        let kid = untrusted
            .header()
            .key_id
            .as_deref()
            .ok_or_else(AppError::unauthorized)?;
        let (_, key) = self
            .verifying
            .iter()
            .find(|(k, _)| k == kid)
            .ok_or_else(AppError::unauthorized)?;
        let token = Ed25519
            .validator::<Wire>(key)
            .validate(&untrusted)
            .map_err(|_| AppError::unauthorized())?;
        let claims = token.claims();
        if claims.custom.iss != self.issuer || claims.custom.aud != AUDIENCE {
            return Err(AppError::unauthorized());
        }
        match claims.expiration {
            Some(exp) => Ok((claims.custom.session.clone(), exp)),
            None => Err(AppError::session_expired()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> SessionClaims {
        SessionClaims {
            uid: "usr_1".into(),
            cid: "cmp_1".into(),
            sid: "ses_1".into(),
            roles: "admin".into(),
            ver: 1,
        }
    }

    #[test]
    fn sign_verify_expire() {
        let ring = KeyRing::from_config(&Config::for_tests()).unwrap();
        let now = Utc::now();
        let t = ring.sign(&claims(), now, 60).unwrap();
        assert_eq!(ring.verify(&t, now).unwrap(), claims());
        assert_eq!(
            ring.verify(&t, now + Duration::seconds(61))
                .unwrap_err()
                .code,
            "session-expired"
        );
        // A flipped character in the signature fails.
        let mut bad = t.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(ring.verify(&bad, now).unwrap_err().code, "unauthenticated");
    }

    #[test]
    fn a_checked_token_is_remembered_until_it_expires_and_no_longer() {
        let ring = KeyRing::from_config(&Config::for_tests()).unwrap();
        let now = Utc::now();
        let t = ring.sign(&claims(), now, 60).unwrap();
        // An expired token is refused on its first check and on later (remembered) ones.
        let gone = ring
            .sign(&claims(), now - Duration::seconds(120), 60)
            .unwrap();
        for _ in 0..2 {
            assert_eq!(ring.verify(&gone, now).unwrap_err().code, "session-expired");
            assert_eq!(ring.verify(&t, now).unwrap(), claims());
        }
        assert_eq!(
            ring.verify(&t, now + Duration::seconds(60))
                .unwrap_err()
                .code,
            "session-expired"
        );
        // A full cache starts again; every token still verifies.
        let many: Vec<String> = (0..VERIFIED_CAP + 5)
            .map(|i| {
                let mut c = claims();
                c.ver = i as i64;
                ring.sign(&c, now, 60).unwrap()
            })
            .collect();
        for (i, token) in many.iter().enumerate() {
            assert_eq!(ring.verify(token, now).unwrap().ver, i as i64);
        }
        assert!(ring.verified.borrow().len() <= VERIFIED_CAP);
        // Another ring (another key set) has its own memory: the token is checked against its keys.
        let mut other = Config::for_tests();
        other.session_signing_key = format!("k2:{}", B64.encode([9u8; 32]));
        assert_eq!(
            KeyRing::from_config(&other)
                .unwrap()
                .verify(&t, now)
                .unwrap_err()
                .code,
            "unauthenticated"
        );
    }

    #[test]
    fn rotated_keys_still_verify_old_tokens() {
        let old_cfg = Config::for_tests();
        let old = KeyRing::from_config(&old_cfg).unwrap();
        let now = Utc::now();
        let t = old.sign(&claims(), now, 60).unwrap();
        let old_pk = B64.encode(old.verifying[0].1.as_ref());
        let mut new_cfg = Config::for_tests();
        new_cfg.session_signing_key = format!("k2:{}", B64.encode([7u8; 32]));
        // Without the old key listed, the old token is refused; with it, accepted.
        assert!(KeyRing::from_config(&new_cfg)
            .unwrap()
            .verify(&t, now)
            .is_err());
        new_cfg.session_verify_keys = format!("k1:{old_pk}");
        assert!(KeyRing::from_config(&new_cfg)
            .unwrap()
            .verify(&t, now)
            .is_ok());
    }

    #[test]
    fn the_cached_ring_follows_a_key_change() {
        let old_cfg = Config::for_tests();
        let now = Utc::now();
        let t = KeyRing::cached(&old_cfg)
            .unwrap()
            .sign(&claims(), now, 60)
            .unwrap();
        assert!(KeyRing::cached(&old_cfg).unwrap().verify(&t, now).is_ok());
        let mut new_cfg = Config::for_tests();
        new_cfg.session_signing_key = format!("k2:{}", B64.encode([7u8; 32]));
        assert!(
            KeyRing::cached(&new_cfg).unwrap().verify(&t, now).is_err(),
            "a new key set is not answered from the old cache"
        );
    }
}
