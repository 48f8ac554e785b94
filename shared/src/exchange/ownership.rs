//! Which company each 1C entity belongs to, so that no message ties entities of different
//! companies together: an order of one company pointing at another's agreement or legal entity,
//! a payment allocated to another company's order, a company snapshot claiming another's legal
//! entity. Such a message is rejected with a reason (`foreign-reference: ...`) and changes
//! nothing; the 1C integrator sees it in the monitor.
//!
//! Moving an entity between companies by naming it under another company (the upserts key on the
//! 1C id) is refused the same way. Users are the exception: 1C may move an employee to another
//! company, and the inbox handles that (sessions revoked).
//!
//! Ownership is by 1C company id. One agreement serving several companies (УТ 11's typical
//! agreements) needs an explicit link first; until then an agreement belongs to one company.

use super::contract::{Payload, Valid};
use super::sql;
use crate::error::AppResult;
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::Deserialize;
use std::collections::HashMap;

/// The kinds of entity a message can refer to by 1C id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    LegalEntity,
    Agreement,
    Order,
    Consignee,
    Return,
    Document,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::LegalEntity => "legal_entity",
            Kind::Agreement => "agreement",
            Kind::Order => "order",
            Kind::Consignee => "consignee",
            Kind::Return => "return",
            Kind::Document => "document",
        }
    }

    fn owners_sql(self) -> &'static str {
        match self {
            Kind::LegalEntity => sql::LEGAL_ENTITY_OWNERS,
            Kind::Agreement => sql::AGREEMENT_OWNERS,
            Kind::Order => sql::ORDER_OWNERS,
            Kind::Consignee => sql::CONSIGNEE_OWNERS,
            Kind::Return => sql::RETURN_OWNERS,
            Kind::Document => sql::DOCUMENT_OWNERS,
        }
    }
}

/// The 1C company a message speaks for, and every entity it names: what it writes (`own`: the
/// entity must be new or already this company's) and what it points at.
fn references(v: &Valid) -> Option<(&str, Vec<(Kind, &str)>)> {
    let mut r: Vec<(Kind, &str)> = Vec::new();
    let company = match &v.payload {
        Payload::Company(c) => {
            for le in &c.legal_entities {
                r.push((Kind::LegalEntity, &le.id));
            }
            for a in &c.agreements {
                r.push((Kind::Agreement, &a.id));
                r.push((Kind::LegalEntity, &a.legal_entity_id));
            }
            v.entity_id.as_str()
        }
        Payload::CreditState(c) => {
            r.push((Kind::Agreement, &c.agreement_id));
            &c.company_id
        }
        Payload::Order(o) => {
            r.push((Kind::Order, &v.entity_id));
            r.extend(
                o.legal_entity_id
                    .as_deref()
                    .map(|id| (Kind::LegalEntity, id)),
            );
            r.extend(o.agreement_id.as_deref().map(|id| (Kind::Agreement, id)));
            r.extend(o.consignee_id.as_deref().map(|id| (Kind::Consignee, id)));
            &o.company_id
        }
        Payload::PaymentSchedule(s) => {
            r.push((Kind::Order, &s.order_id));
            r.extend(s.agreement_id.as_deref().map(|id| (Kind::Agreement, id)));
            &s.company_id
        }
        Payload::Consignee(c) => {
            r.push((Kind::Consignee, &v.entity_id));
            &c.company_id
        }
        Payload::OpeningBalance(b) => {
            r.push((Kind::LegalEntity, &b.legal_entity_id));
            r.extend(b.agreement_id.as_deref().map(|id| (Kind::Agreement, id)));
            &b.company_id
        }
        Payload::Payment(pm) => {
            r.extend(
                pm.legal_entity_id
                    .as_deref()
                    .map(|id| (Kind::LegalEntity, id)),
            );
            r.extend(pm.agreement_id.as_deref().map(|id| (Kind::Agreement, id)));
            r.extend(
                pm.allocations
                    .iter()
                    .map(|a| (Kind::Order, a.order_id.as_str())),
            );
            &pm.company_id
        }
        Payload::Return(ret) => {
            r.push((Kind::Return, &v.entity_id));
            r.push((Kind::Order, &ret.order_id));
            &ret.company_id
        }
        Payload::AccountMovement(a) => {
            r.extend(
                a.legal_entity_id
                    .as_deref()
                    .map(|id| (Kind::LegalEntity, id)),
            );
            r.extend(a.return_id.as_deref().map(|id| (Kind::Return, id)));
            r.extend(a.order_id.as_deref().map(|id| (Kind::Order, id)));
            &a.company_id
        }
        Payload::Document(d) => {
            r.push((Kind::Document, &v.entity_id));
            r.extend(
                d.legal_entity_id
                    .as_deref()
                    .map(|id| (Kind::LegalEntity, id)),
            );
            r.extend(d.corrects_id.as_deref().map(|id| (Kind::Document, id)));
            r.extend(d.orders.iter().map(|id| (Kind::Order, id.as_str())));
            &d.company_id
        }
        Payload::ReconciliationAct(a) => {
            r.push((Kind::LegalEntity, &a.legal_entity_id));
            r.extend(a.agreement_id.as_deref().map(|id| (Kind::Agreement, id)));
            &a.company_id
        }
        // Users may move between companies; products, calendars and answers belong to none.
        Payload::User(_)
        | Payload::Product(_)
        | Payload::ShippingCalendar(_)
        | Payload::Answer(_) => return None,
    };
    Some((company, r))
}

/// The owners of every entity a set of messages names: stored ones from the database, new ones
/// from the messages that create them in the same set (first come, first served).
#[derive(Debug, Default)]
pub struct Owners(HashMap<(Kind, String), String>);

impl Owners {
    pub async fn load<P: Ports>(p: &P, msgs: &[Valid]) -> AppResult<Owners> {
        let mut wanted: HashMap<Kind, Vec<&str>> = HashMap::new();
        for v in msgs {
            if let Some((_, refs)) = references(v) {
                for (k, id) in refs {
                    wanted.entry(k).or_default().push(id);
                }
            }
        }
        let mut owners = Owners::default();
        if wanted.is_empty() {
            return Ok(owners);
        }
        #[derive(Deserialize)]
        struct Row {
            onec_id: String,
            company: String,
        }
        for (kind, ids) in wanted {
            let rows: Vec<Row> = p
                .db()
                .all(Stmt::new(kind.owners_sql()).bind(serde_json::to_string(&ids)?))
                .await?;
            for r in rows {
                owners.0.insert((kind, r.onec_id), r.company);
            }
        }
        // Entities created by this set of messages belong to the company that creates them.
        for v in msgs {
            let created: Vec<(Kind, &str, &str)> = match &v.payload {
                Payload::Company(c) => c
                    .legal_entities
                    .iter()
                    .map(|le| (Kind::LegalEntity, le.id.as_str(), v.entity_id.as_str()))
                    .chain(
                        c.agreements
                            .iter()
                            .map(|a| (Kind::Agreement, a.id.as_str(), v.entity_id.as_str())),
                    )
                    .collect(),
                Payload::Order(o) => vec![(Kind::Order, &v.entity_id, &o.company_id)],
                Payload::Consignee(c) => vec![(Kind::Consignee, &v.entity_id, &c.company_id)],
                Payload::Return(r) => vec![(Kind::Return, &v.entity_id, &r.company_id)],
                Payload::Document(d) => vec![(Kind::Document, &v.entity_id, &d.company_id)],
                _ => Vec::new(),
            };
            for (k, id, company) in created {
                owners
                    .0
                    .entry((k, id.to_string()))
                    .or_insert_with(|| company.to_string());
            }
        }
        Ok(owners)
    }

    /// Why the message may not be applied, if it names an entity of another company.
    pub fn foreign_reference(&self, v: &Valid) -> Option<String> {
        let (company, refs) = references(v)?;
        refs.into_iter().find_map(|(k, id)| {
            self.0
                .get(&(k, id.to_string()))
                .filter(|owner| owner.as_str() != company)
                .map(|_| {
                    format!(
                        "foreign-reference: {} {id} belongs to another company, not to {company}",
                        k.name()
                    )
                })
        })
    }
}
