//! One module per inbound 1C message type: its wire struct(s) (`*In`, as 1C writes them), its
//! checks (run at the door, before anything is stored as accepted) and its plan (the statements
//! that apply it). The envelope, signing and the message-level checks (id, type, entity, seq)
//! stay in `contract`; storing, batching and the sequence rule in `inbox`; the reads a plan
//! needs in `apply`.
//!
//! A new type: a file here implementing [`Inbound`], a variant in `contract::MessageType` (and
//! its name in `as_str` and `MESSAGE_TYPES`) and in [`Payload`], and one line in each of the three
//! matches below (`decode`, `Payload::inbound`, `plan`).

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
pub mod organisation;
pub mod payment;
pub mod payment_schedule;
pub mod product;
pub mod reconciliation_act;
pub mod r#return;
pub mod shipping_calendar;
pub mod user;

use super::apply::{Apply, Hold, Needs};
use super::contract::{reject, MessageType, RawMessage, Rejection, Valid};
use super::ownership::{Kind, References};
use crate::error::FieldError;
use crate::ports::Ports;

/// What every inbound message type provides.
pub trait Inbound {
    /// The checks after decoding: each problem one `FieldError`, all of them reported at once.
    /// `m` is the whole message (some payloads must repeat its `entity_id`).
    fn check(&self, m: &RawMessage, errs: &mut Vec<FieldError>);

    /// What the apply step must read first (companies, users, orders, files ... it refers to).
    fn needs<'a>(&'a self, _v: &'a Valid, _n: &mut Needs<'a>) {}

    /// The company the message speaks for and the entities it names, so that it cannot tie two
    /// companies together (see `ownership`). None: it belongs to no company.
    fn references<'a>(&'a self, _v: &'a Valid) -> Option<References<'a>> {
        None
    }

    /// The 1C company the entity belongs to, kept beside its sequence number (a company-scoped
    /// manifest lists what the portal holds of one company). By default the company the message
    /// speaks for; None: it belongs to none (products, calendars, answers).
    fn company<'a>(&'a self, v: &'a Valid) -> Option<&'a str> {
        self.references(v).map(|(company, _)| company)
    }

    /// The entities the message creates, with their 1C company: (kind, 1C id, company).
    fn creates<'a>(&'a self, _v: &'a Valid) -> Vec<(Kind, &'a str, &'a str)> {
        Vec::new()
    }

    /// The portal changes the snapshot results from (`change_ids`), with the 1C company they must
    /// be of: the apply frame marks them applied (`changes::applied_stmt`). None: the type names
    /// no portal changes.
    fn change_ids<'a>(&'a self, _v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        None
    }

    /// The statements that apply the message, pushed to `a.stmts` (after the sequence advance),
    /// or why it must wait or is refused.
    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold>
    where
        Self: Sized;
}

/// A checked payload, one variant per message type.
#[derive(Debug, Clone)]
pub enum Payload {
    Organisation(organisation::OrganisationIn),
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
        MessageType::Organisation => Payload::Organisation(checked(m, e)?),
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

fn checked<T: Inbound + serde::de::DeserializeOwned>(
    m: &RawMessage,
    errs: &mut Vec<FieldError>,
) -> Result<T, Rejection> {
    let x: T = serde_json::from_value(m.payload.clone())
        .map_err(|e| reject("invalid-payload", format!("payload: {e}")))?;
    x.check(m, errs);
    Ok(x)
}

impl Payload {
    /// The message type's checks, lookups and references, whatever the type.
    pub fn inbound(&self) -> &dyn Inbound {
        match self {
            Payload::Organisation(x) => x,
            Payload::Company(x) => x,
            Payload::User(x) => x,
            Payload::Product(x) => x,
            Payload::CreditState(x) => x,
            Payload::Order(x) => x,
            Payload::PaymentSchedule(x) => x,
            Payload::Consignee(x) => x,
            Payload::ShippingCalendar(x) => x,
            Payload::OpeningBalance(x) => x,
            Payload::Payment(x) => x,
            Payload::Return(x) => x,
            Payload::AccountMovement(x) => x,
            Payload::Document(x) => x,
            Payload::ReconciliationAct(x) => x,
            Payload::Answer(x) => x,
        }
    }
}

/// The message type's own statements (see [`super::apply::plan`] for the frame around them).
pub fn plan<P: Ports>(payload: &Payload, a: &mut Apply<'_, P>) -> Result<(), Hold> {
    match payload {
        Payload::Organisation(x) => x.plan(a),
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
