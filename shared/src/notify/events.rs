//! The events vocabulary: what the portal tells a user about, who may be told (the roles that can
//! open the page it links to), and each role's default choice when the user has chosen nothing.
//! The names are stable: they are stored (`notifications.event`, `notification_prefs.event`),
//! sent in the API and signed into unsubscribe links.

use crate::auth::roles::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A document (by its kind: invoice, УПД, УКД...) arrived for one of the company's orders.
    DocumentArrived,
    /// 1C applied a client's change (its data came back).
    ChangeApplied,
    /// 1C refused a client's change.
    ChangeRejected,
    /// 1C decided a return (approved, rejected, completed).
    ReturnDecided,
    /// The company's credit was blocked or unblocked.
    CreditChanged,
    /// A payment of the schedule falls due in [`DUE_SOON_DAYS`] days.
    PaymentDue,
    /// A payment of the schedule is overdue.
    PaymentOverdue,
    /// A reconciliation act the user requested is ready.
    ActReady,
}

/// How many days before a payment falls due the reminder goes.
pub const DUE_SOON_DAYS: i64 = 3;
/// An overdue reminder goes within this many days after the due date (not for years-old debt).
pub const OVERDUE_WINDOW_DAYS: i64 = 7;
/// The local hour reminders and digests go at (the company's time zone).
pub const SEND_HOUR: u32 = 9;

pub const ALL_EVENTS: [Event; 8] = [
    Event::DocumentArrived,
    Event::ChangeApplied,
    Event::ChangeRejected,
    Event::ReturnDecided,
    Event::CreditChanged,
    Event::PaymentDue,
    Event::PaymentOverdue,
    Event::ActReady,
];

/// What a user chose for an event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Off,
    Digest,
    Mail,
}

impl Choice {
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Off => "off",
            Choice::Digest => "digest",
            Choice::Mail => "mail",
        }
    }

    pub fn parse(s: &str) -> Option<Choice> {
        match s {
            "off" => Some(Choice::Off),
            "digest" => Some(Choice::Digest),
            "mail" => Some(Choice::Mail),
            _ => None,
        }
    }
}

const MONEY: &[Role] = &[Role::Admin, Role::Accountant];
const REQUESTERS: &[Role] = &[Role::Admin, Role::Buyer];

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::DocumentArrived => "document_arrived",
            Event::ChangeApplied => "change_applied",
            Event::ChangeRejected => "change_rejected",
            Event::ReturnDecided => "return_decided",
            Event::CreditChanged => "credit_changed",
            Event::PaymentDue => "payment_due",
            Event::PaymentOverdue => "payment_overdue",
            Event::ActReady => "act_ready",
        }
    }

    pub fn parse(s: &str) -> Option<Event> {
        ALL_EVENTS.into_iter().find(|e| e.as_str() == s)
    }

    /// The roles that may be told (those that can open the page the mail links to); `None`: any.
    pub fn audience(self) -> Option<&'static [Role]> {
        match self {
            Event::DocumentArrived | Event::ChangeApplied | Event::ChangeRejected => None,
            Event::ReturnDecided => Some(REQUESTERS),
            Event::CreditChanged | Event::PaymentDue | Event::PaymentOverdue | Event::ActReady => {
                Some(MONEY)
            }
        }
    }

    /// Whether a user holding `roles` may be told at all.
    pub fn reaches(self, roles: &[Role]) -> bool {
        self.audience()
            .is_none_or(|allowed| roles.iter().any(|r| allowed.contains(r)))
    }

    /// Whether the event is told only to the author of its object (the change, the return, the
    /// act request): then a choice applies to the user's own objects only.
    pub fn owner_only(self) -> bool {
        matches!(
            self,
            Event::ChangeApplied | Event::ChangeRejected | Event::ReturnDecided | Event::ActReady
        )
    }

    /// The choice of one role when the user chose nothing. `owner`: the user authored the object
    /// (the order a document is for, the change, the return, the act request).
    fn role_default(self, role: Role, owner: bool) -> Choice {
        match (self, role) {
            // The author of the order hears of its documents; others choose to.
            (Event::DocumentArrived, _) => {
                if owner {
                    Choice::Mail
                } else {
                    Choice::Off
                }
            }
            (
                Event::ChangeApplied
                | Event::ChangeRejected
                | Event::ReturnDecided
                | Event::ActReady,
                _,
            ) => Choice::Mail,
            (Event::CreditChanged | Event::PaymentOverdue, Role::Admin | Role::Accountant) => {
                Choice::Mail
            }
            // The accountant pays; the admin sees what falls due in the morning's digest.
            (Event::PaymentDue, Role::Accountant) => Choice::Mail,
            (Event::PaymentDue, Role::Admin) => Choice::Digest,
            _ => Choice::Off,
        }
    }

    /// The default for a user holding `roles`: the most any of them would get, nothing for a
    /// user the event does not reach.
    pub fn default_for(self, roles: &[Role], owner: bool) -> Choice {
        if !self.reaches(roles) {
            return Choice::Off;
        }
        roles
            .iter()
            .map(|r| self.role_default(*r, owner))
            .max()
            .unwrap_or(Choice::Off)
    }
}

/// What a user gets: their choice if they made one (never beyond the event's audience), else the
/// role's default.
pub fn effective(event: Event, roles: &[Role], owner: bool, chosen: Option<Choice>) -> Choice {
    if !event.reaches(roles) {
        return Choice::Off;
    }
    chosen.unwrap_or_else(|| event.default_for(roles, owner))
}
