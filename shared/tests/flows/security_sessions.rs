//! Issue 13 (#13.8): access tokens name their issuer and audience, and a token without them, or
//! for another audience, is refused even when its signature is good.

use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{Duration, Utc};
use jwt_compact::alg::Ed25519;
use jwt_compact::{AlgorithmExt, Claims, Header};
use shared::auth::token::{KeyRing, SessionClaims};
use shared::config::Config;

fn claims() -> SessionClaims {
    SessionClaims {
        uid: "usr_1".into(),
        cid: "cmp_1".into(),
        sid: "ses_1".into(),
        roles: "admin".into(),
        ver: 1,
    }
}

/// A token signed with the configured key, with exactly the claims given (no iss/aud added).
fn forged<T: serde::Serialize>(cfg: &Config, custom: T) -> String {
    let (kid, seed) = cfg.session_signing_key.split_once(':').unwrap();
    let seed: [u8; 32] = B64.decode(seed).unwrap().try_into().unwrap();
    let pair = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(seed));
    let now = Utc::now();
    let mut c = Claims::new(custom);
    c.issued_at = Some(now);
    c.expiration = Some(now + Duration::seconds(60));
    Ed25519
        .token(&Header::empty().with_key_id(kid), &c, &pair.sk)
        .unwrap()
}

#[derive(serde::Serialize)]
struct WithIssAud {
    iss: String,
    aud: String,
    #[serde(flatten)]
    session: SessionClaims,
}

#[test]
fn access_tokens_carry_iss_and_aud() {
    let cfg = Config::for_tests();
    let ring = KeyRing::from_config(&cfg).unwrap();
    let t = ring.sign(&claims(), Utc::now(), 60).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(t.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["iss"], cfg.public_url.as_str());
    assert_eq!(payload["aud"], "portal-api");
    assert_eq!(ring.verify(&t, Utc::now()).unwrap(), claims());
}

#[test]
fn a_well_signed_token_without_or_with_other_iss_aud_is_refused() {
    let cfg = Config::for_tests();
    let ring = KeyRing::from_config(&cfg).unwrap();
    let now = Utc::now();
    let bare = forged(&cfg, claims());
    assert!(ring.verify(&bare, now).is_err(), "no iss/aud");
    let other_aud = forged(
        &cfg,
        WithIssAud {
            iss: cfg.public_url.clone(),
            aud: "another-service".into(),
            session: claims(),
        },
    );
    assert!(ring.verify(&other_aud, now).is_err(), "another audience");
    let other_iss = forged(
        &cfg,
        WithIssAud {
            iss: "https://staging.portal.example.ru".into(),
            aud: "portal-api".into(),
            session: claims(),
        },
    );
    assert!(ring.verify(&other_iss, now).is_err(), "another issuer");
    let right = forged(
        &cfg,
        WithIssAud {
            iss: cfg.public_url.clone(),
            aud: "portal-api".into(),
            session: claims(),
        },
    );
    assert_eq!(ring.verify(&right, now).unwrap(), claims());
}
