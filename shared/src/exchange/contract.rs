//! The inbound contract (1C -> portal), as 1C writes it: see docs/exchange/1c-contract.md and the
//! JSON Schemas in docs/exchange/schemas/. Amounts are decimal numbers in rubles, quantities
//! decimal numbers, dates Moscow time without a zone; the portal converts on the way in.

use crate::auth::roles::Role;
use crate::error::FieldError;
use crate::money::{kopecks_from_1c, milli_from_1c, Kopecks, Milli};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::HashSet;

/// Most messages one request may carry.
pub const MAX_MESSAGES_PER_BATCH: usize = 500;
/// Largest request body 1C may send (bigger payloads go through R2 by key).
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

pub const TIMESTAMP_HEADER: &str = "x-onec-timestamp";
pub const SIGNATURE_HEADER: &str = "x-onec-signature";

/// `v1=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the shared secret.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    format!("v1={}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Checks the signature in constant time and the timestamp against the allowed skew, so a
/// captured request cannot be replayed later.
pub fn verify(secret: &str, timestamp_header: Option<&str>, signature_header: Option<&str>, body: &[u8], now_unix: i64, max_skew: i64) -> Result<(), &'static str> {
    let ts: i64 = timestamp_header.and_then(|t| t.trim().parse().ok()).ok_or("timestamp-missing")?;
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
    User,
    Product,
    CreditState,
    Order,
    PaymentSchedule,
}

impl MessageType {
    pub fn parse(s: &str) -> Option<MessageType> {
        match s {
            "company" => Some(MessageType::Company),
            "user" => Some(MessageType::User),
            "product" => Some(MessageType::Product),
            "credit_state" => Some(MessageType::CreditState),
            "order" => Some(MessageType::Order),
            "payment_schedule" => Some(MessageType::PaymentSchedule),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Company => "company",
            MessageType::User => "user",
            MessageType::Product => "product",
            MessageType::CreditState => "credit_state",
            MessageType::Order => "order",
            MessageType::PaymentSchedule => "payment_schedule",
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
pub struct PriceTypeIn {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LegalEntityIn {
    pub id: String,
    pub name: String,
    pub full_name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub ogrn: Option<String>,
    pub legal_address: Option<String>,
    pub postal_address: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AgreementIn {
    pub id: String,
    pub legal_entity_id: String,
    pub name: String,
    pub number: Option<String>,
    #[serde(default, deserialize_with = "crate::time::date_from_1c")]
    pub date: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub credit_limit: Kopecks,
    pub deferral_days: u32,
    pub price_type: Option<PriceTypeIn>,
    #[serde(default = "yes")]
    pub active: bool,
}

/// A company (1C "партнёр") with its legal entities and agreements: a full snapshot.
#[derive(Debug, Clone, Deserialize)]
pub struct CompanyIn {
    pub name: String,
    pub full_name: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    pub legal_entities: Vec<LegalEntityIn>,
    #[serde(default)]
    pub agreements: Vec<AgreementIn>,
}

/// An employee of a client company, as 1C knows them: a full snapshot.
#[derive(Debug, Clone, Deserialize)]
pub struct UserIn {
    pub company_id: String,
    pub email: String,
    pub full_name: String,
    pub position: Option<String>,
    pub phone: Option<String>,
    pub roles: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
    pub language: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PriceIn {
    pub price_type: PriceTypeIn,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub price: Kopecks,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StockIn {
    pub warehouse: String,
    #[serde(deserialize_with = "milli_from_1c")]
    pub quantity: Milli,
}

/// A product with its prices per price type and stock per warehouse: a full snapshot.
#[derive(Debug, Clone, Deserialize)]
pub struct ProductIn {
    pub article: String,
    pub name: String,
    pub unit: String,
    pub unit_code: Option<String>,
    /// VAT rate in percent (20, 10, 0); `null` for goods without VAT.
    pub vat_rate: Option<u32>,
    #[serde(default)]
    pub prices: Vec<PriceIn>,
    #[serde(default)]
    pub stock: Vec<StockIn>,
    #[serde(default = "yes")]
    pub active: bool,
}

/// The credit position of one agreement as 1C computes it (`entity_id`: the agreement).
#[derive(Debug, Clone, Deserialize)]
pub struct CreditStateIn {
    pub company_id: String,
    pub agreement_id: String,
    #[serde(deserialize_with = "crate::time::datetime_from_1c")]
    pub as_of: chrono::DateTime<chrono::Utc>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub limit: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub debt: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub overdue_debt: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub reserve: Kopecks,
    #[serde(default)]
    pub reserve_orders: Vec<String>,
    pub blocked: bool,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount_to_pay: Kopecks,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OrderLineIn {
    pub line_no: u32,
    pub product_id: Option<String>,
    pub article: String,
    pub name: String,
    #[serde(deserialize_with = "milli_from_1c")]
    pub quantity: Milli,
    pub unit: String,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub price: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount: Kopecks,
    pub vat_rate: Option<u32>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub vat: Kopecks,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ShipmentLineIn {
    pub line_no: u32,
    #[serde(deserialize_with = "milli_from_1c")]
    pub quantity: Milli,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ShipmentIn {
    pub id: String,
    pub number: String,
    pub date: Option<String>,
    pub vehicle: Option<String>,
    #[serde(default)]
    pub documents: Vec<String>,
    #[serde(default)]
    pub lines: Vec<ShipmentLineIn>,
}

pub const ORDER_STATUSES: &[&str] = &["draft", "awaiting_payment", "reserved", "paid", "partly_shipped", "shipped", "cancelled"];
pub const DELIVERY_METHODS: &[&str] = &["pickup", "delivery", "transport_company"];
pub const PAYMENT_METHODS: &[&str] = &["invoice", "credit", "internal_account", "card"];

/// An order with its lines and shipments: a full snapshot (`entity_id`: the order).
#[derive(Debug, Clone, Deserialize)]
pub struct OrderIn {
    pub company_id: String,
    pub legal_entity_id: Option<String>,
    pub agreement_id: Option<String>,
    pub number: String,
    #[serde(deserialize_with = "crate::time::datetime_from_1c")]
    pub date: chrono::DateTime<chrono::Utc>,
    pub author_email: Option<String>,
    pub status: String,
    pub delivery_method: Option<String>,
    pub delivery_address: Option<String>,
    pub consignee_id: Option<String>,
    pub payment_method: String,
    #[serde(default, deserialize_with = "kopecks_from_1c")]
    pub paid: Kopecks,
    #[serde(default, deserialize_with = "crate::time::date_from_1c")]
    pub planned_shipping_date: Option<chrono::NaiveDate>,
    pub lines: Vec<OrderLineIn>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub total: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub vat_total: Kopecks,
    #[serde(default)]
    pub shipments: Vec<ShipmentIn>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StageIn {
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub due_date: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount: Kopecks,
    #[serde(default, deserialize_with = "kopecks_from_1c")]
    pub paid: Kopecks,
}

/// What is due for an order bought on credit (`entity_id`: the order).
#[derive(Debug, Clone, Deserialize)]
pub struct ScheduleIn {
    pub company_id: String,
    pub order_id: String,
    pub agreement_id: Option<String>,
    pub stages: Vec<StageIn>,
}

/// `quantity` x `price`, rounded half up to kopecks.
pub fn line_amount(quantity: Milli, price: Kopecks) -> Kopecks {
    let raw = quantity.0 as i128 * price.0 as i128;
    Kopecks(((raw + 500) / 1000) as i64)
}

#[derive(Debug, Clone)]
pub enum Payload {
    Company(CompanyIn),
    User(UserIn),
    Product(ProductIn),
    CreditState(CreditStateIn),
    Order(OrderIn),
    PaymentSchedule(ScheduleIn),
}

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

fn reject(code: &'static str, reason: impl Into<String>) -> Rejection {
    Rejection { code, reason: reason.into() }
}

fn field_reasons(errs: &[FieldError]) -> String {
    errs.iter().map(|e| format!("{}: {}", e.field, e.message_en)).collect::<Vec<_>>().join("; ")
}

fn required(errs: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        errs.push(FieldError::new(field, "required", "Поле обязательно.", "Required."));
    } else if value.chars().count() > max {
        errs.push(FieldError::new(field, "too-long", format!("Не длиннее {max} символов."), format!("At most {max} characters.")));
    }
}

/// Checks a message fully, before anything is written.
pub fn validate(m: &RawMessage) -> Result<Valid, Rejection> {
    if m.id.trim().is_empty() || m.id.len() > 100 {
        return Err(reject("invalid-id", "message id must be 1..100 characters"));
    }
    let kind = MessageType::parse(&m.kind).ok_or_else(|| reject("unknown-type", format!("unknown message type {:?}", m.kind)))?;
    if m.entity_id.trim().is_empty() || m.entity_id.len() > 100 {
        return Err(reject("invalid-entity-id", "entity_id must be 1..100 characters"));
    }
    if m.seq < 1 {
        return Err(reject("invalid-seq", "seq must be a positive integer that grows per entity"));
    }
    let decode_err = |e: serde_json::Error| reject("invalid-payload", format!("payload: {e}"));
    let mut errs = Vec::new();
    let payload = match kind {
        MessageType::Company => {
            let c: CompanyIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "name", &c.name, 300);
            for (i, le) in c.legal_entities.iter().enumerate() {
                required(&mut errs, &format!("legal_entities[{i}].id"), &le.id, 100);
                required(&mut errs, &format!("legal_entities[{i}].name"), &le.name, 300);
                if let Some(inn) = &le.inn {
                    if let Err(e) = crate::validate::inn(inn) {
                        errs.push(FieldError { field: format!("legal_entities[{i}].inn"), ..e });
                    }
                }
            }
            for (i, a) in c.agreements.iter().enumerate() {
                required(&mut errs, &format!("agreements[{i}].id"), &a.id, 100);
                required(&mut errs, &format!("agreements[{i}].name"), &a.name, 300);
                if !c.legal_entities.iter().any(|le| le.id == a.legal_entity_id) {
                    errs.push(FieldError::new(format!("agreements[{i}].legal_entity_id"), "unknown-legal-entity", "Контрагент не входит в сообщение.", "Not one of this company's legal entities in the message."));
                }
                if a.credit_limit.0 < 0 {
                    errs.push(FieldError::new(format!("agreements[{i}].credit_limit"), "negative", "Лимит не может быть отрицательным.", "Must not be negative."));
                }
            }
            Payload::Company(c)
        }
        MessageType::User => {
            let u: UserIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &u.company_id, 100);
            required(&mut errs, "full_name", &u.full_name, 300);
            let email = crate::auth::normalize_email(&u.email);
            if !crate::validate::email_ok(&email) {
                errs.push(FieldError::new("email", "invalid", "Некорректный e-mail.", "Not a valid e-mail."));
            }
            for r in &u.roles {
                if Role::parse(r).is_none() {
                    errs.push(FieldError::new("roles", "unknown-role", format!("Неизвестная роль {r}."), format!("Unknown role {r:?}.")));
                }
            }
            if let Some(l) = &u.language {
                if crate::error::Lang::parse(l).is_none() {
                    errs.push(FieldError::new("language", "invalid", "Язык: ru или en.", "Language must be ru or en."));
                }
            }
            Payload::User(u)
        }
        MessageType::Product => {
            let p: ProductIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "article", &p.article, 100);
            required(&mut errs, "name", &p.name, 500);
            required(&mut errs, "unit", &p.unit, 20);
            if let Some(v) = p.vat_rate {
                if v > 100 {
                    errs.push(FieldError::new("vat_rate", "invalid", "Ставка НДС в процентах.", "VAT rate is a percentage."));
                }
            }
            for (i, pr) in p.prices.iter().enumerate() {
                required(&mut errs, &format!("prices[{i}].price_type.id"), &pr.price_type.id, 100);
                if pr.price.0 < 0 {
                    errs.push(FieldError::new(format!("prices[{i}].price"), "negative", "Цена не может быть отрицательной.", "Must not be negative."));
                }
            }
            for (i, s) in p.stock.iter().enumerate() {
                required(&mut errs, &format!("stock[{i}].warehouse"), &s.warehouse, 200);
            }
            Payload::Product(p)
        }
        MessageType::CreditState => {
            let c: CreditStateIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &c.company_id, 100);
            required(&mut errs, "agreement_id", &c.agreement_id, 100);
            if c.agreement_id != m.entity_id {
                errs.push(FieldError::new("agreement_id", "entity-mismatch", "Должен совпадать с entity_id.", "Must equal entity_id."));
            }
            // Debt may be negative: an advance payment.
            for (f, v) in [("limit", c.limit), ("overdue_debt", c.overdue_debt), ("reserve", c.reserve), ("amount_to_pay", c.amount_to_pay)] {
                if v.0 < 0 {
                    errs.push(FieldError::new(f, "negative", "Не может быть отрицательным.", "Must not be negative."));
                }
            }
            Payload::CreditState(c)
        }
        MessageType::Order => {
            let o: OrderIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &o.company_id, 100);
            required(&mut errs, "number", &o.number, 50);
            if !ORDER_STATUSES.contains(&o.status.as_str()) {
                errs.push(FieldError::new("status", "unknown-status", "Неизвестный статус.", format!("Unknown status {:?}.", o.status)));
            }
            if !PAYMENT_METHODS.contains(&o.payment_method.as_str()) {
                errs.push(FieldError::new("payment_method", "unknown", "Неизвестный способ оплаты.", "Unknown payment method."));
            }
            if o.delivery_method.as_deref().is_some_and(|d| !DELIVERY_METHODS.contains(&d)) {
                errs.push(FieldError::new("delivery_method", "unknown", "Неизвестный способ доставки.", "Unknown delivery method."));
            }
            let mut line_nos = HashSet::new();
            let mut sum = 0i64;
            for (i, l) in o.lines.iter().enumerate() {
                if !line_nos.insert(l.line_no) {
                    errs.push(FieldError::new(format!("lines[{i}].line_no"), "duplicate", "Номер строки повторяется.", "Duplicate line number."));
                }
                required(&mut errs, &format!("lines[{i}].name"), &l.name, 500);
                if l.quantity.0 <= 0 || l.price.0 < 0 {
                    errs.push(FieldError::new(format!("lines[{i}].quantity"), "invalid", "Количество должно быть больше нуля, цена не отрицательной.", "Quantity must be positive and price not negative."));
                }
                if (l.amount.0 - line_amount(l.quantity, l.price).0).abs() > 1 {
                    errs.push(FieldError::new(format!("lines[{i}].amount"), "amount-mismatch", "Сумма строки не равна количеству на цену.", "Line amount is not quantity times price."));
                }
                sum += l.amount.0;
            }
            if sum != o.total.0 {
                errs.push(FieldError::new("total", "total-mismatch", "Итог не равен сумме строк.", format!("Total {} is not the sum of lines {}.", o.total.0, sum)));
            }
            for (i, sh) in o.shipments.iter().enumerate() {
                required(&mut errs, &format!("shipments[{i}].id"), &sh.id, 100);
                if sh.lines.iter().any(|l| !line_nos.contains(&l.line_no)) {
                    errs.push(FieldError::new(format!("shipments[{i}].lines"), "unknown-line", "Отгрузка ссылается на несуществующую строку.", "Shipment refers to a line the order lacks."));
                }
            }
            Payload::Order(o)
        }
        MessageType::PaymentSchedule => {
            let sc: ScheduleIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &sc.company_id, 100);
            if sc.order_id != m.entity_id {
                errs.push(FieldError::new("order_id", "entity-mismatch", "Должен совпадать с entity_id.", "Must equal entity_id."));
            }
            for (i, st) in sc.stages.iter().enumerate() {
                if st.due_date.is_none() {
                    errs.push(FieldError::new(format!("stages[{i}].due_date"), "required", "Укажите дату платежа.", "Due date required."));
                }
                if st.amount.0 < 0 || st.paid.0 < 0 || st.paid.0 > st.amount.0 {
                    errs.push(FieldError::new(format!("stages[{i}].paid"), "invalid", "Оплачено больше суммы этапа или сумма отрицательна.", "Paid exceeds the stage amount, or a negative amount."));
                }
            }
            Payload::PaymentSchedule(sc)
        }
    };
    if !errs.is_empty() {
        return Err(reject("invalid-payload", field_reasons(&errs)));
    }
    Ok(Valid { id: m.id.clone(), kind, entity_id: m.entity_id.clone(), seq: m.seq, payload })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(kind: &str, payload: serde_json::Value) -> RawMessage {
        RawMessage { id: "m1".into(), kind: kind.into(), entity_id: "e1".into(), seq: 1, payload }
    }

    #[test]
    fn signature_and_skew() {
        let body = br#"{"a":1}"#;
        let sig = sign("s3cret", 1_700_000_000, body);
        assert!(verify("s3cret", Some("1700000000"), Some(&sig), body, 1_700_000_100, 300).is_ok());
        assert_eq!(verify("other", Some("1700000000"), Some(&sig), body, 1_700_000_100, 300), Err("signature-invalid"));
        assert_eq!(verify("s3cret", Some("1700000000"), Some(&sig), br#"{"a":2}"#, 1_700_000_100, 300), Err("signature-invalid"));
        assert_eq!(verify("s3cret", Some("1700000000"), Some(&sig), body, 1_700_000_301, 300), Err("timestamp-out-of-range"));
        assert_eq!(verify("s3cret", None, Some(&sig), body, 0, 300), Err("timestamp-missing"));
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
        let Payload::Company(c) = v.payload else { panic!() };
        assert_eq!(c.agreements[0].credit_limit, Kopecks(150000050));
        assert_eq!(c.agreements[0].date.unwrap().to_string(), "2025-01-15");
    }

    #[test]
    fn bad_messages_are_rejected_with_reasons() {
        let r = validate(&msg("teleport", json!({}))).unwrap_err();
        assert_eq!(r.code, "unknown-type");
        let r = validate(&msg("order", json!({}))).unwrap_err();
        assert_eq!(r.code, "invalid-payload");
        let r = validate(&msg("user", json!({"company_id": "c", "email": "nope", "full_name": "X", "roles": ["root"]}))).unwrap_err();
        assert_eq!(r.code, "invalid-payload");
        assert!(r.reason.contains("email") && r.reason.contains("roles"), "{}", r.reason);
        let r = validate(&msg("company", json!({"name": "X", "legal_entities": [{"id": "le1", "name": "A", "inn": "7707083894"}]}))).unwrap_err();
        assert!(r.reason.contains("inn"), "{}", r.reason);
        let r = validate(&msg("product", json!({"article": "A", "name": "B", "unit": "шт", "vat_rate": 20, "prices": [{"price_type": {"id": "p", "name": "P"}, "price": 1.001}]}))).unwrap_err();
        assert_eq!(r.code, "invalid-payload");
        let mut m = msg("product", json!({}));
        m.seq = 0;
        assert_eq!(validate(&m).unwrap_err().code, "invalid-seq");
    }
}
