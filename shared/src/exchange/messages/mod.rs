//! One module per inbound 1C message type: its wire struct(s) (`*In`, as 1C writes them), its
//! checks (run at the door, before anything is stored as accepted) and its plan (the statements
//! that apply it). The envelope, signing and the message-level checks (id, type, entity, seq)
//! stay in `contract`; storing, batching and the sequence rule in `inbox`; the reads a plan
//! needs in `apply`.
//!
//! A new type: a file here implementing [`Inbound`], a variant in `contract::MessageType` and in
//! [`Payload`], and one line in each match below.

pub mod account_movement;
pub mod answer;
pub mod check;
pub mod common;
pub mod company;
pub mod consignee;
pub mod credit_state;
pub mod document;
pub mod opening_balance;
pub mod order;
pub mod payment;
pub mod payment_schedule;
pub mod product;
pub mod reconciliation_act;
pub mod r#return;
pub mod shipping_calendar;
pub mod user;

use super::apply::{Apply, Hold, Needs};
use super::contract::{reject, MessageType, RawMessage, Rejection, Valid};
use crate::error::FieldError;
use crate::ports::Ports;

/// What every inbound message type provides.
pub trait Inbound: serde::de::DeserializeOwned {
    /// The checks after decoding: each problem one `FieldError`, all of them reported at once.
    /// `m` is the whole message (some payloads must repeat its `entity_id`).
    fn check(&self, m: &RawMessage, errs: &mut Vec<FieldError>);

    /// What the apply step must read first (companies, users, orders, files ... it refers to).
    fn needs<'a>(&'a self, _v: &'a Valid, _n: &mut Needs<'a>) {}

    /// The statements that apply the message, pushed to `a.stmts` (after the sequence advance),
    /// or why it must wait or is refused.
    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold>;
}

/// A checked payload, one variant per message type.
#[derive(Debug, Clone)]
pub enum Payload {
    Company(company::CompanyIn),
    User(user::UserIn),
    Product(product::ProductIn),
    CreditState(credit_state::CreditStateIn),
    Order(order::OrderIn),
    PaymentSchedule(payment_schedule::ScheduleIn),
    Consignee(consignee::ConsigneeIn),
    ShippingCalendar(shipping_calendar::ShippingCalendarIn),
    OpeningBalance(opening_balance::OpeningBalanceIn),
    Payment(payment::PaymentIn),
    Return(r#return::ReturnIn),
    AccountMovement(account_movement::AccountMovementIn),
    Document(document::DocumentIn),
    ReconciliationAct(reconciliation_act::ReconciliationActIn),
    Answer(answer::AnswerIn),
}

/// Decodes and checks the payload of a message of a known type.
pub fn decode(kind: MessageType, m: &RawMessage) -> Result<Payload, Rejection> {
    let mut errs = Vec::new();
    let e = &mut errs;
    let payload = match kind {
        MessageType::Company => Payload::Company(checked(m, e)?),
        MessageType::User => Payload::User(checked(m, e)?),
        MessageType::Product => Payload::Product(checked(m, e)?),
        MessageType::CreditState => Payload::CreditState(checked(m, e)?),
        MessageType::Order => Payload::Order(checked(m, e)?),
        MessageType::PaymentSchedule => Payload::PaymentSchedule(checked(m, e)?),
        MessageType::Consignee => Payload::Consignee(checked(m, e)?),
        MessageType::ShippingCalendar => Payload::ShippingCalendar(checked(m, e)?),
        MessageType::OpeningBalance => Payload::OpeningBalance(checked(m, e)?),
        MessageType::Payment => Payload::Payment(checked(m, e)?),
        MessageType::Return => Payload::Return(checked(m, e)?),
        MessageType::AccountMovement => Payload::AccountMovement(checked(m, e)?),
        MessageType::Document => Payload::Document(checked(m, e)?),
        MessageType::ReconciliationAct => Payload::ReconciliationAct(checked(m, e)?),
        MessageType::Answer => Payload::Answer(checked(m, e)?),
    };
    if !errs.is_empty() {
        return Err(reject("invalid-payload", check::field_reasons(&errs)));
    }
    Ok(payload)
}

fn checked<T: Inbound>(m: &RawMessage, errs: &mut Vec<FieldError>) -> Result<T, Rejection> {
    let x: T = serde_json::from_value(m.payload.clone())
        .map_err(|e| reject("invalid-payload", format!("payload: {e}")))?;
    x.check(m, errs);
    Ok(x)
}

/// Collects what the message's plan will read.
pub fn needs<'a>(v: &'a Valid, n: &mut Needs<'a>) {
    match &v.payload {
        Payload::Company(x) => x.needs(v, n),
        Payload::User(x) => x.needs(v, n),
        Payload::Product(x) => x.needs(v, n),
        Payload::CreditState(x) => x.needs(v, n),
        Payload::Order(x) => x.needs(v, n),
        Payload::PaymentSchedule(x) => x.needs(v, n),
        Payload::Consignee(x) => x.needs(v, n),
        Payload::ShippingCalendar(x) => x.needs(v, n),
        Payload::OpeningBalance(x) => x.needs(v, n),
        Payload::Payment(x) => x.needs(v, n),
        Payload::Return(x) => x.needs(v, n),
        Payload::AccountMovement(x) => x.needs(v, n),
        Payload::Document(x) => x.needs(v, n),
        Payload::ReconciliationAct(x) => x.needs(v, n),
        Payload::Answer(x) => x.needs(v, n),
    }
}

/// The message type's own statements (see [`super::apply::plan`] for the frame around them).
pub fn plan<P: Ports>(payload: &Payload, a: &mut Apply<'_, P>) -> Result<(), Hold> {
    match payload {
        Payload::Company(x) => x.plan(a),
        Payload::User(x) => x.plan(a),
        Payload::Product(x) => x.plan(a),
        Payload::CreditState(x) => x.plan(a),
        Payload::Order(x) => x.plan(a),
        Payload::PaymentSchedule(x) => x.plan(a),
        Payload::Consignee(x) => x.plan(a),
        Payload::ShippingCalendar(x) => x.plan(a),
        Payload::OpeningBalance(x) => x.plan(a),
        Payload::Payment(x) => x.plan(a),
        Payload::Return(x) => x.plan(a),
        Payload::AccountMovement(x) => x.plan(a),
        Payload::Document(x) => x.plan(a),
        Payload::ReconciliationAct(x) => x.plan(a),
        Payload::Answer(x) => x.plan(a),
    }
}
