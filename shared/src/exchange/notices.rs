//! What an inbound snapshot tells users (`crate::notify`): the exchange knows the message, the
//! notify module the recipients. `before` statements compare with the stored state and go ahead
//! of the message's own; `after` ones read what it stored. All in the same D1 batch.

use super::contract::Valid;
use super::messages::Payload;
use crate::notify::record;
use crate::ports::Stmt;
use chrono::{DateTime, Utc};

pub fn statements(v: &Valid, now: DateTime<Utc>) -> (Vec<Stmt>, Vec<Stmt>) {
    let id = v.entity_id.as_str();
    match &v.payload {
        Payload::Document(_) => (vec![], vec![record::document_arrived(id, now)]),
        Payload::Return(_) => (vec![], vec![record::return_decided(id, now)]),
        Payload::ReconciliationAct(_) => (vec![], vec![record::act_ready(id, now)]),
        Payload::CreditState(c) => (
            vec![record::credit_changed(
                &c.agreement_id,
                &c.company_id,
                c.blocked,
                now,
            )],
            vec![],
        ),
        _ => (vec![], vec![]),
    }
}
