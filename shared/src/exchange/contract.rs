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
pub use super::messages::order::{OrderIn, OrderLineIn, ShipmentIn, ShipmentLineIn};
pub use super::messages::payment::{AllocationIn, PaymentIn};
pub use super::messages::payment_schedule::{ScheduleIn, StageIn};
pub use super::messages::product::{PriceIn, ProductIn, StockIn};
pub use super::messages::r#return::{ReturnIn, ReturnLineIn, RETURN_STATUSES};
pub use super::messages::reconciliation_act::{ActOperationIn, ReconciliationActIn};
pub use super::messages::shipping_calendar::{ShippingCalendarIn, MAX_CALENDAR_DAYS};
pub use super::messages::user::UserIn;
pub use super::messages::Payload;

/// Most messages one request may carry.
pub const MAX_MESSAGES_PER_BATCH: usize = 500;
/// Largest request body 1C may send (bigger payloads go through R2 by key).
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

pub const TIMESTAMP_HEADER: &str = "x-onec-timestamp";
pub const SIGNATURE_HEADER: &str = "x-onec-signature";

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
