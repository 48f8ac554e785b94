//! The inbound contract (1C -> portal), as 1C writes it: see docs/exchange/1c-contract.md and the
//! JSON Schemas in docs/exchange/schemas/. Amounts are decimal numbers in rubles, quantities
//! decimal numbers, dates Moscow time without a zone; the portal converts on the way in.
//!
//! This file is the frame every message shares: signing, the envelope, the message types and the
//! message-level checks. Each type's payload (its struct, checks and plan) is one module in
//! `exchange::messages`; the names below are re-exported so callers keep one path.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub use super::messages::account_movement::{AccountMovementIn, MOVEMENT_KINDS};
pub use super::messages::answer::AnswerIn;
pub use super::messages::common::{file_blob_key, file_key_ok, FileIn, FILE_ROLES, MAX_FILE_BYTES};
pub use super::messages::company::{AgreementIn, CompanyIn, LegalEntityIn, PriceTypeIn};
pub use super::messages::consignee::ConsigneeIn;
pub use super::messages::credit_state::CreditStateIn;
pub use super::messages::document::{DocumentIn, DocumentLineIn, EDO_STATUSES};
pub use super::messages::opening_balance::OpeningBalanceIn;
pub use super::messages::organisation::{OrgBankAccountIn, OrganisationIn};
pub use super::messages::order::{OrderIn, OrderLineIn, ShipmentIn, ShipmentLineIn};
pub use super::messages::payment::{AllocationIn, PaymentIn};
pub use super::messages::payment_schedule::{ScheduleIn, StageIn};
pub use super::messages::product::{PriceIn, ProductIn, StockIn};
pub use super::messages::r#return::{ReturnIn, ReturnLineIn, RETURN_STATUSES};
pub use super::messages::reconciliation_act::{ActOperationIn, ReconciliationActIn};
pub use super::messages::shipping_calendar::{ShippingCalendarIn, MAX_CALENDAR_DAYS};
pub use super::messages::user::UserIn;
pub use super::messages::Payload;

/// The contract's version, as in the paths (`/exchange/v1/...`); the capabilities endpoint
/// tells 1C.
pub const CONTRACT_VERSION: &str = "v1";

/// Most messages one request may carry.
pub const MAX_MESSAGES_PER_BATCH: usize = 500;
/// Largest request body 1C may send (bigger payloads go through R2 by key).
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

pub const TIMESTAMP_HEADER: &str = "x-onec-timestamp";
pub const SIGNATURE_HEADER: &str = "x-onec-signature";
/// v2: a fresh value per request (16..64 of `[A-Za-z0-9_-]`), kept by the portal for twice the
/// allowed skew so the same signed request is taken once.
pub const NONCE_HEADER: &str = "x-onec-nonce";

pub use crate::config::SignatureVersions;

/// Whether a nonce has the allowed form.
pub fn nonce_ok(nonce: &str) -> bool {
    (16..=64).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `v2=` + lowercase hex HMAC-SHA256 of
/// `"v2" LF timestamp LF METHOD LF path-and-query LF nonce LF body` (docs/exchange/1c-contract.md).
pub fn sign_v2(
    secret: &str,
    timestamp: i64,
    method: &str,
    path_and_query: &str,
    nonce: &str,
    body: &[u8],
) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    for part in [
        "v2",
        &timestamp.to_string(),
        &method.to_ascii_uppercase(),
        path_and_query,
        nonce,
    ] {
        mac.update(part.as_bytes());
        mac.update(b"\n");
    }
    mac.update(body);
    format!("v2={}", hex(&mac.finalize().into_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The path and query of an absolute URL as a client puts them on the request line (`/` when
/// the URL has no path), for signing a request the portal sends.
pub fn path_and_query_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split('#').next().unwrap_or(rest);
    match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => rest[i..].to_string(),
        Some(i) => format!("/{}", &rest[i..]),
        None => "/".into(),
    }
}

/// What a signed request carries, as received.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    pub method: &'a str,
    /// The path with its query exactly as on the request line.
    pub path_and_query: &'a str,
    pub timestamp: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub body: &'a [u8],
}

/// Checks a request signed v2 (or v1 when `versions` takes it): the signature in constant time,
/// the nonce's form and the timestamp against the allowed skew. Answers the nonce the caller
/// must record (v2) so the same request is not taken twice; `None` for v1 (no nonce).
pub fn verify_request(
    secret: &str,
    versions: SignatureVersions,
    r: &Signed,
    now_unix: i64,
    max_skew: i64,
) -> Result<Option<String>, &'static str> {
    let given = r.signature.ok_or("signature-missing")?.trim();
    if given.starts_with("v1=") {
        if !versions.v1 {
            return Err("signature-version-refused");
        }
        return verify(secret, r.timestamp, Some(given), r.body, now_unix, max_skew).map(|()| None);
    }
    if !given.starts_with("v2=") || !versions.v2 {
        return Err("signature-version-refused");
    }
    let ts: i64 = r
        .timestamp
        .and_then(|t| t.trim().parse().ok())
        .ok_or("timestamp-missing")?;
    let nonce = r.nonce.map(str::trim).ok_or("nonce-missing")?;
    if !nonce_ok(nonce) {
        return Err("nonce-invalid");
    }
    let expected = sign_v2(secret, ts, r.method, r.path_and_query, nonce, r.body);
    if !crate::auth::password::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err("signature-invalid");
    }
    if (now_unix - ts).abs() > max_skew {
        return Err("timestamp-out-of-range");
    }
    Ok(Some(nonce.to_string()))
}

/// `v1=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the shared secret.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    format!(
        "v1={}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Checks the signature in constant time and the timestamp against the allowed skew, so a
/// captured request cannot be replayed later.
pub fn verify(
    secret: &str,
    timestamp_header: Option<&str>,
    signature_header: Option<&str>,
    body: &[u8],
    now_unix: i64,
    max_skew: i64,
) -> Result<(), &'static str> {
    let ts: i64 = timestamp_header
        .and_then(|t| t.trim().parse().ok())
        .ok_or("timestamp-missing")?;
    let given = signature_header.ok_or("signature-missing")?.trim();
    let expected = sign(secret, ts, body);
    if !crate::auth::password::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err("signature-invalid");
    }
    if (now_unix - ts).abs() > max_skew {
        return Err("timestamp-out-of-range");
    }
    Ok(())
}

/// The request body.
#[derive(Debug, Deserialize, Serialize)]
pub struct Envelope {
    pub batch_id: String,
    pub sent_at: String,
    pub messages: Vec<RawMessage>,
    /// The 1C extension's version (`[0-9A-Za-z._+-]`, up to 50): the monitor shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_version: Option<String>,
}

/// A message before its payload is checked: stored as received, even when rejected.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RawMessage {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub entity_id: String,
    pub seq: i64,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MessageType {
    // Ordered: a batch applies what others refer to first (companies before their users and
    // orders, orders before their payment schedules).
    Organisation,
    Company,
    Consignee,
    User,
    Product,
    ShippingCalendar,
    CreditState,
    OpeningBalance,
    Order,
    PaymentSchedule,
    Payment,
    Return,
    AccountMovement,
    Document,
    ReconciliationAct,
    Answer,
}

/// Every inbound type, for documentation and tests.
pub const MESSAGE_TYPES: &[MessageType] = &[
    MessageType::Organisation,
    MessageType::Company,
    MessageType::Consignee,
    MessageType::User,
    MessageType::Product,
    MessageType::ShippingCalendar,
    MessageType::CreditState,
    MessageType::OpeningBalance,
    MessageType::Order,
    MessageType::PaymentSchedule,
    MessageType::Payment,
    MessageType::Return,
    MessageType::AccountMovement,
    MessageType::Document,
    MessageType::ReconciliationAct,
    MessageType::Answer,
];

impl MessageType {
    pub fn parse(s: &str) -> Option<MessageType> {
        MESSAGE_TYPES.iter().copied().find(|t| t.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Organisation => "organisation",
            MessageType::Company => "company",
            MessageType::Consignee => "consignee",
            MessageType::User => "user",
            MessageType::Product => "product",
            MessageType::ShippingCalendar => "shipping_calendar",
            MessageType::CreditState => "credit_state",
            MessageType::OpeningBalance => "opening_balance",
            MessageType::Order => "order",
            MessageType::PaymentSchedule => "payment_schedule",
            MessageType::Payment => "payment",
            MessageType::Return => "return",
            MessageType::AccountMovement => "account_movement",
            MessageType::Document => "document",
            MessageType::ReconciliationAct => "reconciliation_act",
            MessageType::Answer => "answer",
        }
    }
}

pub use crate::documents::DOCUMENT_KINDS;
pub use crate::money::line_amount;
pub use crate::orders::methods::{DELIVERY_METHODS, PAYMENT_METHODS};
pub use crate::orders::status::ORDER_STATUSES;

/// A message that passed every check and can be applied.
#[derive(Debug, Clone)]
pub struct Valid {
    pub id: String,
    pub kind: MessageType,
    pub entity_id: String,
    pub seq: i64,
    pub payload: Payload,
}

/// Why a message was refused: a code and a readable reason, kept in the inbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    pub code: &'static str,
    pub reason: String,
}

pub(crate) fn reject(code: &'static str, reason: impl Into<String>) -> Rejection {
    Rejection {
        code,
        reason: reason.into(),
    }
}

/// Checks a message fully, before anything is written.
pub fn validate(m: &RawMessage) -> Result<Valid, Rejection> {
    if m.id.trim().is_empty() || m.id.len() > 100 {
        return Err(reject("invalid-id", "message id must be 1..100 characters"));
    }
    let kind = MessageType::parse(&m.kind)
        .ok_or_else(|| reject("unknown-type", format!("unknown message type {:?}", m.kind)))?;
    if m.entity_id.trim().is_empty() || m.entity_id.len() > 100 {
        return Err(reject(
            "invalid-entity-id",
            "entity_id must be 1..100 characters",
        ));
    }
    if m.seq < 1 {
        return Err(reject(
            "invalid-seq",
            "seq must be a positive integer that grows per entity",
        ));
    }
    let payload = super::messages::decode(kind, m)?;
    Ok(Valid {
        id: m.id.clone(),
        kind,
        entity_id: m.entity_id.clone(),
        seq: m.seq,
        payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Kopecks;
    use serde_json::json;

    fn msg(kind: &str, payload: serde_json::Value) -> RawMessage {
        RawMessage {
            id: "m1".into(),
            kind: kind.into(),
            entity_id: "e1".into(),
            seq: 1,
            payload,
        }
    }

    #[test]
    fn signature_and_skew() {
        let body = br#"{"a":1}"#;
        let sig = sign("s3cret", 1_700_000_000, body);
        assert!(verify(
            "s3cret",
            Some("1700000000"),
            Some(&sig),
            body,
            1_700_000_100,
            300
        )
        .is_ok());
        assert_eq!(
            verify(
                "other",
                Some("1700000000"),
                Some(&sig),
                body,
                1_700_000_100,
                300
            ),
            Err("signature-invalid")
        );
        assert_eq!(
            verify(
                "s3cret",
                Some("1700000000"),
                Some(&sig),
                br#"{"a":2}"#,
                1_700_000_100,
                300
            ),
            Err("signature-invalid")
        );
        assert_eq!(
            verify(
                "s3cret",
                Some("1700000000"),
                Some(&sig),
                body,
                1_700_000_301,
                300
            ),
            Err("timestamp-out-of-range")
        );
        assert_eq!(
            verify("s3cret", None, Some(&sig), body, 0, 300),
            Err("timestamp-missing")
        );
    }

    /// A v2 request signed now, as 1C sends it.
    fn v2<'a>(sig: &'a str, nonce: &'a str, body: &'a [u8]) -> Signed<'a> {
        Signed {
            method: "PUT",
            path_and_query: "/exchange/v1/files/a.pdf",
            timestamp: Some("1700000000"),
            nonce: Some(nonce),
            signature: Some(sig),
            body,
        }
    }

    #[test]
    fn signature_v2_covers_method_path_nonce_and_body() {
        let body = b"\xEF\xBB\xBF{\"a\":1}";
        let nonce = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let sig = sign_v2(
            "s3cret",
            1_700_000_000,
            "PUT",
            "/exchange/v1/files/a.pdf",
            nonce,
            body,
        );
        assert!(sig.starts_with("v2=") && sig.len() == 67, "{sig}");
        let ok = v2(&sig, nonce, body);
        let at = 1_700_000_100;
        assert_eq!(
            verify_request("s3cret", SignatureVersions::V2_ONLY, &ok, at, 300),
            Ok(Some(nonce.to_string()))
        );
        let refused = |r: Signed| verify_request("s3cret", SignatureVersions::V2_ONLY, &r, at, 300);
        assert_eq!(
            refused(Signed {
                path_and_query: "/exchange/v1/files/b.pdf",
                ..ok
            }),
            Err("signature-invalid")
        );
        assert_eq!(
            refused(Signed {
                method: "POST",
                ..ok
            }),
            Err("signature-invalid")
        );
        assert_eq!(
            refused(Signed {
                nonce: Some("1f8fad5b-d9cb-469f-a165-70867728950e"),
                ..ok
            }),
            Err("signature-invalid")
        );
        assert_eq!(
            refused(Signed {
                body: &body[3..],
                ..ok
            }),
            Err("signature-invalid")
        );
        assert_eq!(refused(Signed { nonce: None, ..ok }), Err("nonce-missing"));
        assert_eq!(
            verify_request("s3cret", SignatureVersions::V2_ONLY, &ok, at + 201, 300),
            Err("timestamp-out-of-range")
        );
        // A v1 signature is refused unless the migration window is open.
        let v1 = sign("s3cret", 1_700_000_000, body);
        let old = Signed {
            signature: Some(&v1),
            nonce: None,
            ..ok
        };
        assert_eq!(refused(old), Err("signature-version-refused"));
        let both = SignatureVersions::parse("v1, v2").unwrap();
        assert_eq!(verify_request("s3cret", both, &old, at, 300), Ok(None));
        assert_eq!(
            verify_request("s3cret", both, &ok, at, 300),
            Ok(Some(nonce.into()))
        );
    }

    #[test]
    fn path_and_query_of_a_push_url() {
        assert_eq!(
            path_and_query_of("http://1c.test:8080/base/hs/portal/v1/changes"),
            "/base/hs/portal/v1/changes"
        );
        assert_eq!(path_and_query_of("https://h/x?a=1&b=%2F"), "/x?a=1&b=%2F");
        assert_eq!(path_and_query_of("https://h?a=1"), "/?a=1");
        assert_eq!(path_and_query_of("https://h"), "/");
    }

    #[test]
    fn nonce_form_and_versions_setting() {
        assert!(nonce_ok("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(nonce_ok("abcdefghij_KLMNOP"));
        assert!(!nonce_ok("short"));
        assert!(!nonce_ok(&"a".repeat(65)));
        assert!(!nonce_ok("{0f8fad5b-d9cb-469f-a165-70867728950e}"));
        let sig = sign_v2(
            "k",
            1_700_000_000,
            "PUT",
            "/exchange/v1/files/a.pdf",
            "bad nonce!",
            b"",
        );
        let r = v2(&sig, "bad nonce!", b"");
        assert_eq!(
            verify_request("k", SignatureVersions::V2_ONLY, &r, 1_700_000_000, 300),
            Err("nonce-invalid")
        );
        assert_eq!(SignatureVersions::parse(""), Ok(SignatureVersions::V2_ONLY));
        assert_eq!(
            SignatureVersions::parse("v2"),
            Ok(SignatureVersions::V2_ONLY)
        );
        assert_eq!(
            SignatureVersions::parse("v2,v1"),
            Ok(SignatureVersions { v1: true, v2: true })
        );
        assert!(SignatureVersions::parse("v3").is_err());
        assert!(SignatureVersions::parse("v1").is_ok());
    }

    /// Every known-answer vector of docs/exchange/1c/vectors.json (computed independently from
    /// the spec, the bridge to the 1C module that cannot run here) signs to its signature.
    #[test]
    fn known_answer_vectors() {
        use base64::Engine;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/exchange/1c/vectors.json"
        );
        let text = std::fs::read_to_string(path).expect("docs/exchange/1c/vectors.json");
        let vectors: Vec<serde_json::Value> = serde_json::from_str(&text).expect("vectors json");
        assert!(vectors.len() >= 6, "too few vectors: {}", vectors.len());
        let mut seen_v1 = false;
        for v in &vectors {
            let name = v["name"].as_str().expect("name");
            let field = |k: &str| v[k].as_str().unwrap_or_else(|| panic!("{name}: {k}"));
            let ts: i64 = match &v["timestamp"] {
                serde_json::Value::String(s) => s.parse().expect("timestamp"),
                n => n.as_i64().expect("timestamp"),
            };
            let body = base64::engine::general_purpose::STANDARD
                .decode(field("body_base64"))
                .expect("body_base64");
            let got = if v["version"].as_str() == Some("v1") {
                seen_v1 = true;
                sign(field("secret"), ts, &body)
            } else {
                sign_v2(
                    field("secret"),
                    ts,
                    field("method"),
                    field("path"),
                    field("nonce"),
                    &body,
                )
            };
            assert_eq!(got, field("signature"), "vector {name}");
        }
        assert!(seen_v1, "a v1 vector for the migration window");
        // The cases the contract promises are there.
        let has = |f: &dyn Fn(&serde_json::Value, &[u8]) -> bool| {
            vectors.iter().any(|v| {
                let body = base64::engine::general_purpose::STANDARD
                    .decode(v["body_base64"].as_str().unwrap_or(""))
                    .unwrap_or_default();
                v["version"].as_str() != Some("v1") && f(v, &body)
            })
        };
        assert!(
            has(&|v, _| v["secret"].as_str().unwrap().len() > 64),
            "a secret longer than the block"
        );
        assert!(
            has(&|_, b| b.starts_with(b"\xEF\xBB\xBF")),
            "a body with a BOM"
        );
        assert!(has(&|_, b| b.is_empty()), "an empty body");
        assert!(
            has(&|_, b| std::str::from_utf8(b).is_ok_and(|t| t
                .chars()
                .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap())))),
            "a Cyrillic body"
        );
        assert!(
            has(&|v, b| v["method"] == "PUT"
                && v["path"].as_str().unwrap().contains('%')
                && b.contains(&0)
                && b.contains(&0xFF)),
            "a binary PUT of a percent-encoded key"
        );
    }

    #[test]
    fn company_message_validates() {
        let ok = msg(
            "company",
            json!({"name": "Агрохолдинг", "legal_entities": [{"id": "le1", "name": "ООО Ромашка", "inn": "7707083893"}],
                   "agreements": [{"id": "a1", "legal_entity_id": "le1", "name": "Основной", "credit_limit": 1500000.5, "deferral_days": 30,
                                   "date": "2025-01-15T00:00:00", "price_type": {"id": "pt1", "name": "Опт"}}]}),
        );
        let v = validate(&ok).unwrap();
        let Payload::Company(c) = v.payload else {
            panic!()
        };
        assert_eq!(c.agreements[0].credit_limit, Kopecks(150000050));
        assert_eq!(c.agreements[0].date.unwrap().to_string(), "2025-01-15");
    }

    #[test]
    fn bad_messages_are_rejected_with_reasons() {
        let r = validate(&msg("teleport", json!({}))).unwrap_err();
        assert_eq!(r.code, "unknown-type");
        let r = validate(&msg("order", json!({}))).unwrap_err();
        assert_eq!(r.code, "invalid-payload");
        let r = validate(&msg(
            "user",
            json!({"company_id": "c", "email": "nope", "full_name": "X", "roles": ["root"]}),
        ))
        .unwrap_err();
        assert_eq!(r.code, "invalid-payload");
        assert!(
            r.reason.contains("email") && r.reason.contains("roles"),
            "{}",
            r.reason
        );
        let r = validate(&msg("company", json!({"name": "X", "legal_entities": [{"id": "le1", "name": "A", "inn": "7707083894"}]}))).unwrap_err();
        assert!(r.reason.contains("inn"), "{}", r.reason);
        let r = validate(&msg("product", json!({"article": "A", "name": "B", "unit": "шт", "vat_rate": 20, "prices": [{"price_type": {"id": "p", "name": "P"}, "price": 1.001}]}))).unwrap_err();
        assert_eq!(r.code, "invalid-payload");
        let mut m = msg("product", json!({}));
        m.seq = 0;
        assert_eq!(validate(&m).unwrap_err().code, "invalid-seq");
    }
}
