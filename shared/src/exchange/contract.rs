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
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Omitted: the portal keeps what it has.
    pub bank_accounts: Option<Vec<crate::company::rules::BankAccount>>,
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
    /// The portal's id of an employee a client admin added (sent as `employee.added`).
    pub portal_id: Option<String>,
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

pub use crate::orders::methods::{DELIVERY_METHODS, PAYMENT_METHODS};
pub use crate::orders::status::ORDER_STATUSES;

/// An order with its lines and shipments: a full snapshot (`entity_id`: the order).
#[derive(Debug, Clone, Deserialize)]
pub struct OrderIn {
    pub company_id: String,
    /// The portal's id of an order a client created in the portal (sent as `order.created`).
    pub portal_id: Option<String>,
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

/// A consignee (грузополучатель) of a company: a full snapshot (`entity_id`: 1C's id).
/// `portal_id` links a consignee the portal created (sent as `consignee.added`) to 1C's record.
#[derive(Debug, Clone, Deserialize)]
pub struct ConsigneeIn {
    pub company_id: String,
    pub portal_id: Option<String>,
    pub name: String,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub address: String,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

/// The days the warehouse ships (`entity_id`: the calendar, e.g. the warehouse). Every day from
/// `from` to `to` ships except `days_off`; days outside the range are unknown, so not offered.
#[derive(Debug, Clone, Deserialize)]
pub struct ShippingCalendarIn {
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub from: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub to: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub days_off: Vec<String>,
}

/// Longest range one calendar message may cover.
pub const MAX_CALENDAR_DAYS: i64 = 3 * 366;

/// The balance of mutual settlements at the start of a date, per legal entity and (optionally)
/// agreement (`entity_id`: 1C's id of that pair). Positive: the client owes the supplier.
#[derive(Debug, Clone, Deserialize)]
pub struct OpeningBalanceIn {
    pub company_id: String,
    pub legal_entity_id: String,
    pub agreement_id: Option<String>,
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub date: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub balance: Kopecks,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AllocationIn {
    pub order_id: String,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount: Kopecks,
}

/// A payment the supplier received from the client by bank transfer (`entity_id`: the 1C
/// document "Поступление безналичных денежных средств"), with the orders it paid.
#[derive(Debug, Clone, Deserialize)]
pub struct PaymentIn {
    pub company_id: String,
    pub legal_entity_id: Option<String>,
    pub agreement_id: Option<String>,
    pub number: String,
    #[serde(deserialize_with = "crate::time::datetime_from_1c")]
    pub date: chrono::DateTime<chrono::Utc>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount: Kopecks,
    pub purpose: Option<String>,
    #[serde(default)]
    pub allocations: Vec<AllocationIn>,
    #[serde(default = "yes")]
    pub posted: bool,
}

pub const RETURN_STATUSES: &[&str] = &["requested", "approved", "rejected", "completed"];

#[derive(Debug, Clone, Deserialize)]
pub struct ReturnLineIn {
    pub line_no: u32,
    #[serde(deserialize_with = "milli_from_1c")]
    pub quantity: Milli,
}

/// The state of a return (`entity_id`: 1C's id of the return). `portal_id` is the portal's id of a
/// return the client requested in the portal; a return registered by a manager has none.
#[derive(Debug, Clone, Deserialize)]
pub struct ReturnIn {
    pub company_id: String,
    pub portal_id: Option<String>,
    pub order_id: String,
    pub number: Option<String>,
    #[serde(deserialize_with = "crate::time::datetime_from_1c")]
    pub date: chrono::DateTime<chrono::Utc>,
    pub status: String,
    /// Why 1C rejected it (required when `rejected`).
    pub reason: Option<String>,
    /// The accepted lines and quantities (what will be or was refunded).
    #[serde(default)]
    pub lines: Vec<ReturnLineIn>,
    #[serde(default, deserialize_with = "kopecks_from_1c")]
    pub refund_amount: Kopecks,
}

pub const MOVEMENT_KINDS: &[&str] = &["refund", "order_payment", "correction"];

/// One movement of the client's internal account (`entity_id`: 1C's id of the movement).
/// `amount` is signed: positive in (a refund), negative out (an order paid from the account).
#[derive(Debug, Clone, Deserialize)]
pub struct AccountMovementIn {
    pub company_id: String,
    pub legal_entity_id: Option<String>,
    #[serde(deserialize_with = "crate::time::datetime_from_1c")]
    pub date: chrono::DateTime<chrono::Utc>,
    pub kind: String,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount: Kopecks,
    pub return_id: Option<String>,
    pub order_id: Option<String>,
    /// The portal change (`order.paid_from_account`) this movement settles, when there was one.
    pub change_id: Option<String>,
    pub comment: Option<String>,
}

pub use crate::documents::DOCUMENT_KINDS;
pub const EDO_STATUSES: &[&str] = &[
    "not_sent",
    "sent",
    "delivered",
    "signed",
    "rejected",
    "cancelled",
];
pub const FILE_ROLES: &[&str] = &["print", "fns_xml", "other"];
/// Largest file 1C may upload for a document or act.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// A file 1C uploaded first (`PUT /exchange/v1/files/{key}`) and now refers to by key.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FileIn {
    pub key: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    #[serde(default = "print_role")]
    pub role: String,
}

fn print_role() -> String {
    "print".into()
}

/// A key 1C chose for an uploaded file: one path segment, safe in a storage key and a URL.
pub fn file_key_ok(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && !key.starts_with('.')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Where an uploaded file lives in the blob store.
pub fn file_blob_key(key: &str) -> String {
    format!("onec/{key}")
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DocumentLineIn {
    pub line_no: u32,
    pub article: Option<String>,
    pub name: String,
    #[serde(deserialize_with = "milli_from_1c", serialize_with = "ser_milli")]
    pub quantity: Milli,
    pub unit: Option<String>,
    #[serde(deserialize_with = "kopecks_from_1c", serialize_with = "ser_kop")]
    pub price: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c", serialize_with = "ser_kop")]
    pub amount: Kopecks,
    pub vat_rate: Option<u32>,
    #[serde(deserialize_with = "kopecks_from_1c", serialize_with = "ser_kop")]
    pub vat: Kopecks,
}

fn ser_kop<S: serde::Serializer>(v: &Kopecks, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(v.0)
}
fn ser_milli<S: serde::Serializer>(v: &Milli, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(v.0)
}

/// An accounting document of the company's orders (`entity_id`: 1C's document id): invoice for
/// payment, УПД (status 1 or 2), УКД, or any other kind 1C sends under its own name.
#[derive(Debug, Clone, Deserialize)]
pub struct DocumentIn {
    pub company_id: String,
    pub legal_entity_id: Option<String>,
    pub kind: String,
    /// 1C's name of the kind: shown as is ("Счет на оплату", "УПД", "Акт").
    pub kind_name: String,
    pub number: String,
    #[serde(deserialize_with = "crate::time::datetime_from_1c")]
    pub date: chrono::DateTime<chrono::Utc>,
    /// УПД: 1 (invoice and transfer document) or 2 (transfer document only).
    pub upd_status: Option<u8>,
    /// УКД: the document it corrects.
    pub corrects_id: Option<String>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub vat: Kopecks,
    #[serde(default)]
    pub orders: Vec<String>,
    pub shipment_id: Option<String>,
    #[serde(default)]
    pub lines: Vec<DocumentLineIn>,
    #[serde(default)]
    pub files: Vec<FileIn>,
    pub edo_status: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ActOperationIn {
    #[serde(
        deserialize_with = "crate::time::date_from_1c",
        serialize_with = "ser_date"
    )]
    pub date: Option<chrono::NaiveDate>,
    /// The document as 1C names it in the act ("Реализация (акт, накладная, УПД) 123 от 05.03.2026").
    pub document: String,
    pub document_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "kopecks_from_1c",
        serialize_with = "ser_kop"
    )]
    pub debit: Kopecks,
    #[serde(
        default,
        deserialize_with = "kopecks_from_1c",
        serialize_with = "ser_kop"
    )]
    pub credit: Kopecks,
}

fn ser_date<S: serde::Serializer>(v: &Option<chrono::NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

/// A reconciliation act (акт сверки) as 1C prepared it (`entity_id`: 1C's id). `request_id` is
/// the portal's request it answers (absent when a manager sent one unasked). Balances from the
/// supplier's side: debit = the client owes more (shipments), credit = less (payments).
#[derive(Debug, Clone, Deserialize)]
pub struct ReconciliationActIn {
    pub company_id: String,
    pub request_id: Option<String>,
    pub legal_entity_id: String,
    pub agreement_id: Option<String>,
    pub number: Option<String>,
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub period_from: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub period_to: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub opening_balance: Kopecks,
    #[serde(default)]
    pub operations: Vec<ActOperationIn>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub debit_total: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub credit_total: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub closing_balance: Kopecks,
    #[serde(default)]
    pub files: Vec<FileIn>,
}

/// 1C's verdict on a portal change, when it is decided after the delivery was acknowledged
/// (`entity_id`: the change's id). `onec_id`: the id 1C gave an entity the change created.
#[derive(Debug, Clone, Deserialize)]
pub struct AnswerIn {
    pub change_id: String,
    pub status: String,
    pub reason: Option<String>,
    pub onec_id: Option<String>,
}

pub use crate::money::line_amount;

#[derive(Debug, Clone)]
pub enum Payload {
    Company(CompanyIn),
    User(UserIn),
    Product(ProductIn),
    CreditState(CreditStateIn),
    Order(OrderIn),
    PaymentSchedule(ScheduleIn),
    Consignee(ConsigneeIn),
    ShippingCalendar(ShippingCalendarIn),
    OpeningBalance(OpeningBalanceIn),
    Payment(PaymentIn),
    Return(ReturnIn),
    AccountMovement(AccountMovementIn),
    Document(DocumentIn),
    ReconciliationAct(ReconciliationActIn),
    Answer(AnswerIn),
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
    Rejection {
        code,
        reason: reason.into(),
    }
}

fn field_reasons(errs: &[FieldError]) -> String {
    errs.iter()
        .map(|e| format!("{}: {}", e.field, e.message_en))
        .collect::<Vec<_>>()
        .join("; ")
}

fn required(errs: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        errs.push(FieldError::new(
            field,
            "required",
            "Поле обязательно.",
            "Required.",
        ));
    } else if value.chars().count() > max {
        errs.push(FieldError::new(
            field,
            "too-long",
            format!("Не длиннее {max} символов."),
            format!("At most {max} characters."),
        ));
    }
}

fn check_files(errs: &mut Vec<FieldError>, files: &[FileIn]) {
    for (i, f) in files.iter().enumerate() {
        if !file_key_ok(&f.key) {
            errs.push(FieldError::new(
                format!("files[{i}].key"),
                "invalid",
                "Ключ файла: латиница, цифры, . _ -",
                "File key: letters, digits, . _ - only.",
            ));
        }
        required(errs, &format!("files[{i}].name"), &f.name, 255);
        if f.size == 0 || f.size > MAX_FILE_BYTES {
            errs.push(FieldError::new(
                format!("files[{i}].size"),
                "invalid",
                "Размер файла от 1 байта до 20 МБ.",
                "File size must be 1 byte..20 MB.",
            ));
        }
        if !FILE_ROLES.contains(&f.role.as_str()) || !f.content_type.contains('/') {
            errs.push(FieldError::new(
                format!("files[{i}].role"),
                "invalid",
                "Роль файла: print, fns_xml, other; тип содержимого MIME.",
                "Role is print, fns_xml or other; content_type a MIME type.",
            ));
        }
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
    let decode_err = |e: serde_json::Error| reject("invalid-payload", format!("payload: {e}"));
    let mut errs = Vec::new();
    let payload = match kind {
        MessageType::Company => {
            let c: CompanyIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "name", &c.name, 300);
            for (i, le) in c.legal_entities.iter().enumerate() {
                required(&mut errs, &format!("legal_entities[{i}].id"), &le.id, 100);
                required(
                    &mut errs,
                    &format!("legal_entities[{i}].name"),
                    &le.name,
                    300,
                );
                if let Some(inn) = &le.inn {
                    if let Err(e) = crate::validate::inn(inn) {
                        errs.push(FieldError {
                            field: format!("legal_entities[{i}].inn"),
                            ..e
                        });
                    }
                }
            }
            for (i, a) in c.agreements.iter().enumerate() {
                required(&mut errs, &format!("agreements[{i}].id"), &a.id, 100);
                required(&mut errs, &format!("agreements[{i}].name"), &a.name, 300);
                if !c.legal_entities.iter().any(|le| le.id == a.legal_entity_id) {
                    errs.push(FieldError::new(
                        format!("agreements[{i}].legal_entity_id"),
                        "unknown-legal-entity",
                        "Контрагент не входит в сообщение.",
                        "Not one of this company's legal entities in the message.",
                    ));
                }
                if a.credit_limit.0 < 0 {
                    errs.push(FieldError::new(
                        format!("agreements[{i}].credit_limit"),
                        "negative",
                        "Лимит не может быть отрицательным.",
                        "Must not be negative.",
                    ));
                }
            }
            Payload::Company(c)
        }
        MessageType::User => {
            let u: UserIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &u.company_id, 100);
            required(&mut errs, "full_name", &u.full_name, 300);
            if crate::validate::Email::parse(&u.email).is_none() {
                errs.push(FieldError::new(
                    "email",
                    "invalid",
                    "Некорректный e-mail.",
                    "Not a valid e-mail.",
                ));
            }
            for r in &u.roles {
                if Role::parse(r).is_none() {
                    errs.push(FieldError::new(
                        "roles",
                        "unknown-role",
                        format!("Неизвестная роль {r}."),
                        format!("Unknown role {r:?}."),
                    ));
                }
            }
            if let Some(l) = &u.language {
                if crate::error::Lang::parse(l).is_none() {
                    errs.push(FieldError::new(
                        "language",
                        "invalid",
                        "Язык: ru или en.",
                        "Language must be ru or en.",
                    ));
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
                    errs.push(FieldError::new(
                        "vat_rate",
                        "invalid",
                        "Ставка НДС в процентах.",
                        "VAT rate is a percentage.",
                    ));
                }
            }
            for (i, pr) in p.prices.iter().enumerate() {
                required(
                    &mut errs,
                    &format!("prices[{i}].price_type.id"),
                    &pr.price_type.id,
                    100,
                );
                if pr.price.0 < 0 {
                    errs.push(FieldError::new(
                        format!("prices[{i}].price"),
                        "negative",
                        "Цена не может быть отрицательной.",
                        "Must not be negative.",
                    ));
                }
            }
            for (i, s) in p.stock.iter().enumerate() {
                required(
                    &mut errs,
                    &format!("stock[{i}].warehouse"),
                    &s.warehouse,
                    200,
                );
            }
            Payload::Product(p)
        }
        MessageType::CreditState => {
            let c: CreditStateIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &c.company_id, 100);
            required(&mut errs, "agreement_id", &c.agreement_id, 100);
            if c.agreement_id != m.entity_id {
                errs.push(FieldError::new(
                    "agreement_id",
                    "entity-mismatch",
                    "Должен совпадать с entity_id.",
                    "Must equal entity_id.",
                ));
            }
            // Debt may be negative: an advance payment.
            for (f, v) in [
                ("limit", c.limit),
                ("overdue_debt", c.overdue_debt),
                ("reserve", c.reserve),
                ("amount_to_pay", c.amount_to_pay),
            ] {
                if v.0 < 0 {
                    errs.push(FieldError::new(
                        f,
                        "negative",
                        "Не может быть отрицательным.",
                        "Must not be negative.",
                    ));
                }
            }
            Payload::CreditState(c)
        }
        MessageType::Order => {
            let o: OrderIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &o.company_id, 100);
            required(&mut errs, "number", &o.number, 50);
            if !ORDER_STATUSES.contains(&o.status.as_str()) {
                errs.push(FieldError::new(
                    "status",
                    "unknown-status",
                    "Неизвестный статус.",
                    format!("Unknown status {:?}.", o.status),
                ));
            }
            if !PAYMENT_METHODS.contains(&o.payment_method.as_str()) {
                errs.push(FieldError::new(
                    "payment_method",
                    "unknown",
                    "Неизвестный способ оплаты.",
                    "Unknown payment method.",
                ));
            }
            if o.delivery_method
                .as_deref()
                .is_some_and(|d| !DELIVERY_METHODS.contains(&d))
            {
                errs.push(FieldError::new(
                    "delivery_method",
                    "unknown",
                    "Неизвестный способ доставки.",
                    "Unknown delivery method.",
                ));
            }
            let mut line_nos = HashSet::new();
            let mut sum = 0i64;
            for (i, l) in o.lines.iter().enumerate() {
                if !line_nos.insert(l.line_no) {
                    errs.push(FieldError::new(
                        format!("lines[{i}].line_no"),
                        "duplicate",
                        "Номер строки повторяется.",
                        "Duplicate line number.",
                    ));
                }
                required(&mut errs, &format!("lines[{i}].name"), &l.name, 500);
                if l.quantity.0 <= 0 || l.price.0 < 0 {
                    errs.push(FieldError::new(
                        format!("lines[{i}].quantity"),
                        "invalid",
                        "Количество должно быть больше нуля, цена не отрицательной.",
                        "Quantity must be positive and price not negative.",
                    ));
                }
                if (l.amount.0 - line_amount(l.quantity, l.price).0).abs() > 1 {
                    errs.push(FieldError::new(
                        format!("lines[{i}].amount"),
                        "amount-mismatch",
                        "Сумма строки не равна количеству на цену.",
                        "Line amount is not quantity times price.",
                    ));
                }
                sum += l.amount.0;
            }
            if sum != o.total.0 {
                errs.push(FieldError::new(
                    "total",
                    "total-mismatch",
                    "Итог не равен сумме строк.",
                    format!("Total {} is not the sum of lines {}.", o.total.0, sum),
                ));
            }
            for (i, sh) in o.shipments.iter().enumerate() {
                required(&mut errs, &format!("shipments[{i}].id"), &sh.id, 100);
                if sh.lines.iter().any(|l| !line_nos.contains(&l.line_no)) {
                    errs.push(FieldError::new(
                        format!("shipments[{i}].lines"),
                        "unknown-line",
                        "Отгрузка ссылается на несуществующую строку.",
                        "Shipment refers to a line the order lacks.",
                    ));
                }
            }
            Payload::Order(o)
        }
        MessageType::PaymentSchedule => {
            let sc: ScheduleIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &sc.company_id, 100);
            if sc.order_id != m.entity_id {
                errs.push(FieldError::new(
                    "order_id",
                    "entity-mismatch",
                    "Должен совпадать с entity_id.",
                    "Must equal entity_id.",
                ));
            }
            for (i, st) in sc.stages.iter().enumerate() {
                if st.due_date.is_none() {
                    errs.push(FieldError::new(
                        format!("stages[{i}].due_date"),
                        "required",
                        "Укажите дату платежа.",
                        "Due date required.",
                    ));
                }
                if st.amount.0 < 0 || st.paid.0 < 0 || st.paid.0 > st.amount.0 {
                    errs.push(FieldError::new(
                        format!("stages[{i}].paid"),
                        "invalid",
                        "Оплачено больше суммы этапа или сумма отрицательна.",
                        "Paid exceeds the stage amount, or a negative amount.",
                    ));
                }
            }
            Payload::PaymentSchedule(sc)
        }
        MessageType::Consignee => {
            let c: ConsigneeIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &c.company_id, 100);
            required(&mut errs, "name", &c.name, 300);
            required(&mut errs, "address", &c.address, 1000);
            if let Some(inn) = c.inn.as_deref().filter(|i| !i.trim().is_empty()) {
                if let Err(e) = crate::validate::inn(inn) {
                    errs.push(FieldError {
                        field: "inn".into(),
                        ..e
                    });
                }
            }
            Payload::Consignee(c)
        }
        MessageType::ShippingCalendar => {
            let c: ShippingCalendarIn =
                serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            match (c.from, c.to) {
                (Some(from), Some(to))
                    if from <= to && (to - from).num_days() < MAX_CALENDAR_DAYS =>
                {
                    for (i, d) in c.days_off.iter().enumerate() {
                        match chrono::NaiveDate::parse_from_str(
                            d.split('T').next().unwrap_or(d),
                            "%Y-%m-%d",
                        ) {
                            Ok(day) if day >= from && day <= to => {}
                            _ => errs.push(FieldError::new(
                                format!("days_off[{i}]"),
                                "invalid",
                                "Дата вне периода календаря.",
                                "Not a date within from..to.",
                            )),
                        }
                    }
                }
                _ => errs.push(FieldError::new(
                    "to",
                    "invalid-range",
                    "Период календаря: from не позже to, не длиннее трёх лет.",
                    "from must not be after to; at most three years.",
                )),
            }
            Payload::ShippingCalendar(c)
        }
        MessageType::OpeningBalance => {
            let b: OpeningBalanceIn =
                serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &b.company_id, 100);
            required(&mut errs, "legal_entity_id", &b.legal_entity_id, 100);
            if b.date.is_none() {
                errs.push(FieldError::new(
                    "date",
                    "required",
                    "Укажите дату остатка.",
                    "Date required.",
                ));
            }
            Payload::OpeningBalance(b)
        }
        MessageType::Payment => {
            let pm: PaymentIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &pm.company_id, 100);
            required(&mut errs, "number", &pm.number, 50);
            if pm.amount.0 <= 0 {
                errs.push(FieldError::new(
                    "amount",
                    "not-positive",
                    "Сумма платежа должна быть больше нуля.",
                    "Amount must be positive.",
                ));
            }
            let mut allocated = 0i64;
            for (i, a) in pm.allocations.iter().enumerate() {
                required(
                    &mut errs,
                    &format!("allocations[{i}].order_id"),
                    &a.order_id,
                    100,
                );
                if a.amount.0 <= 0 {
                    errs.push(FieldError::new(
                        format!("allocations[{i}].amount"),
                        "not-positive",
                        "Сумма должна быть больше нуля.",
                        "Must be positive.",
                    ));
                }
                allocated += a.amount.0;
            }
            if allocated > pm.amount.0 {
                errs.push(FieldError::new(
                    "allocations",
                    "over-allocated",
                    "Распределено больше суммы платежа.",
                    "Allocations exceed the payment amount.",
                ));
            }
            Payload::Payment(pm)
        }
        MessageType::Return => {
            let r: ReturnIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &r.company_id, 100);
            required(&mut errs, "order_id", &r.order_id, 100);
            if !RETURN_STATUSES.contains(&r.status.as_str()) {
                errs.push(FieldError::new(
                    "status",
                    "unknown-status",
                    "Неизвестный статус возврата.",
                    format!("Unknown return status {:?}.", r.status),
                ));
            }
            if r.status == "rejected" && r.reason.as_deref().is_none_or(|x| x.trim().is_empty()) {
                errs.push(FieldError::new(
                    "reason",
                    "required",
                    "Укажите причину отказа.",
                    "A rejection needs a reason.",
                ));
            }
            if r.refund_amount.0 < 0 {
                errs.push(FieldError::new(
                    "refund_amount",
                    "negative",
                    "Не может быть отрицательной.",
                    "Must not be negative.",
                ));
            }
            let mut nos = HashSet::new();
            for (i, l) in r.lines.iter().enumerate() {
                if !nos.insert(l.line_no) || l.quantity.0 <= 0 {
                    errs.push(FieldError::new(
                        format!("lines[{i}]"),
                        "invalid",
                        "Строка повторяется или количество не больше нуля.",
                        "Duplicate line or a quantity that is not positive.",
                    ));
                }
            }
            Payload::Return(r)
        }
        MessageType::AccountMovement => {
            let a: AccountMovementIn =
                serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &a.company_id, 100);
            if !MOVEMENT_KINDS.contains(&a.kind.as_str()) {
                errs.push(FieldError::new(
                    "kind",
                    "unknown",
                    "Неизвестный вид движения.",
                    format!("Unknown movement kind {:?}.", a.kind),
                ));
            }
            let sign_ok = match a.kind.as_str() {
                "refund" => a.amount.0 > 0,
                "order_payment" => a.amount.0 < 0,
                _ => a.amount.0 != 0,
            };
            if !sign_ok {
                errs.push(FieldError::new(
                    "amount",
                    "wrong-sign",
                    "Возврат зачисляется (+), оплата заказа списывается (−), сумма не ноль.",
                    "A refund is positive, an order payment negative, never zero.",
                ));
            }
            if a.kind == "order_payment" && a.order_id.is_none() {
                errs.push(FieldError::new(
                    "order_id",
                    "required",
                    "Укажите оплаченный заказ.",
                    "The order paid is required.",
                ));
            }
            Payload::AccountMovement(a)
        }
        MessageType::Document => {
            let d: DocumentIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &d.company_id, 100);
            required(&mut errs, "number", &d.number, 50);
            required(&mut errs, "kind_name", &d.kind_name, 200);
            if !DOCUMENT_KINDS.contains(&d.kind.as_str()) {
                errs.push(FieldError::new(
                    "kind",
                    "unknown",
                    "Неизвестный вид документа.",
                    format!(
                        "Unknown document kind {:?}; use other with kind_name.",
                        d.kind
                    ),
                ));
            }
            match (d.kind.as_str(), d.upd_status) {
                ("upd", Some(1 | 2)) | (_, None) => {}
                _ => errs.push(FieldError::new(
                    "upd_status",
                    "invalid",
                    "Статус УПД: 1 или 2, только для УПД.",
                    "upd_status is 1 or 2, for a УПД only.",
                )),
            }
            if d.kind == "ukd" && d.corrects_id.is_none() {
                errs.push(FieldError::new(
                    "corrects_id",
                    "required",
                    "УКД ссылается на исправляемый документ.",
                    "A УКД names the document it corrects.",
                ));
            }
            if d.edo_status
                .as_deref()
                .is_some_and(|e| !EDO_STATUSES.contains(&e))
            {
                errs.push(FieldError::new(
                    "edo_status",
                    "unknown",
                    "Неизвестный статус ЭДО.",
                    "Unknown e-document status.",
                ));
            }
            // УКД carries signed differences; everything else is not negative.
            if d.kind != "ukd" && (d.amount.0 < 0 || d.vat.0 < 0) {
                errs.push(FieldError::new(
                    "amount",
                    "negative",
                    "Сумма не может быть отрицательной.",
                    "Must not be negative.",
                ));
            }
            if !d.lines.is_empty() && d.kind != "ukd" {
                let sum: i64 = d.lines.iter().map(|l| l.amount.0).sum();
                if sum != d.amount.0 {
                    errs.push(FieldError::new(
                        "amount",
                        "total-mismatch",
                        "Сумма не равна сумме строк.",
                        format!("Amount {} is not the sum of lines {}.", d.amount.0, sum),
                    ));
                }
            }
            check_files(&mut errs, &d.files);
            Payload::Document(d)
        }
        MessageType::ReconciliationAct => {
            let a: ReconciliationActIn =
                serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            required(&mut errs, "company_id", &a.company_id, 100);
            required(&mut errs, "legal_entity_id", &a.legal_entity_id, 100);
            match (a.period_from, a.period_to) {
                (Some(f), Some(t)) if f <= t => {}
                _ => errs.push(FieldError::new(
                    "period_to",
                    "invalid-range",
                    "Период: начало не позже конца.",
                    "period_from must not be after period_to.",
                )),
            }
            let debit: i64 = a.operations.iter().map(|o| o.debit.0).sum();
            let credit: i64 = a.operations.iter().map(|o| o.credit.0).sum();
            if debit != a.debit_total.0 || credit != a.credit_total.0 {
                errs.push(FieldError::new(
                    "debit_total",
                    "total-mismatch",
                    "Обороты не равны сумме операций.",
                    format!(
                        "Turnovers {}/{} are not the operations' sums {debit}/{credit}.",
                        a.debit_total.0, a.credit_total.0
                    ),
                ));
            }
            if a.opening_balance.0 + a.debit_total.0 - a.credit_total.0 != a.closing_balance.0 {
                errs.push(FieldError::new(
                    "closing_balance",
                    "balance-mismatch",
                    "Конечное сальдо не равно начальному плюс обороты.",
                    "Closing balance is not opening + debit - credit.",
                ));
            }
            check_files(&mut errs, &a.files);
            Payload::ReconciliationAct(a)
        }
        MessageType::Answer => {
            let a: AnswerIn = serde_json::from_value(m.payload.clone()).map_err(decode_err)?;
            if a.change_id != m.entity_id {
                errs.push(FieldError::new(
                    "change_id",
                    "entity-mismatch",
                    "Должен совпадать с entity_id.",
                    "Must equal entity_id.",
                ));
            }
            if a.status != "accepted" && a.status != "rejected" {
                errs.push(FieldError::new(
                    "status",
                    "invalid",
                    "accepted или rejected.",
                    "accepted or rejected.",
                ));
            }
            if a.status == "rejected" && a.reason.as_deref().is_none_or(|x| x.trim().is_empty()) {
                errs.push(FieldError::new(
                    "reason",
                    "required",
                    "Укажите причину отказа.",
                    "A rejection needs a reason.",
                ));
            }
            Payload::Answer(a)
        }
    };
    if !errs.is_empty() {
        return Err(reject("invalid-payload", field_reasons(&errs)));
    }
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
