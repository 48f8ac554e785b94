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
//! Ownership is by 1C company id. A typical agreement (УТ 11's типовое соглашение) belongs to
//! every company whose snapshot links it: a message of a company may point at it once linked. A
//! company snapshot may link a typical agreement unless the id is another company's individual
//! agreement, and claim an individual one only if no other company has that id at all.

use super::contract::Valid;
use super::sql;
use crate::error::AppResult;
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::Deserialize;
use std::collections::HashMap;

/// The kinds of entity a message can refer to by 1C id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    LegalEntity,
    /// An agreement a message points at (an order, a credit state): the company must be linked.
    Agreement,
    /// A company snapshot claiming an individual agreement.
    IndividualAgreement,
    /// A company snapshot linking itself to a typical agreement.
    TypicalAgreement,
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
            Kind::IndividualAgreement => "individual agreement",
            Kind::TypicalAgreement => "agreement",
            Kind::Order => "order",
            Kind::Consignee => "consignee",
            Kind::Return => "return",
            Kind::Document => "document",
        }
    }

    fn owners_sql(self) -> &'static str {
        match self {
            Kind::LegalEntity => sql::LEGAL_ENTITY_OWNERS,
            Kind::Agreement | Kind::IndividualAgreement | Kind::TypicalAgreement => {
                sql::AGREEMENT_OWNERS
            }
            Kind::Order => sql::ORDER_OWNERS,
            Kind::Consignee => sql::CONSIGNEE_OWNERS,
            Kind::Return => sql::RETURN_OWNERS,
            Kind::Document => sql::DOCUMENT_OWNERS,
        }
    }
}

/// The 1C company a message speaks for, and every entity it names: what it writes (`own`: the
/// entity must be new or already this company's) and what it points at. Each message type says
/// (`Inbound::references`); users may move between companies, products, calendars and answers
/// belong to none.
pub type References<'a> = (&'a str, Vec<(Kind, &'a str)>);

fn references(v: &Valid) -> Option<References<'_>> {
    v.payload.inbound().references(v)
}

/// One owner of an entity: the 1C company, and for an agreement its kind.
#[derive(Debug, Clone)]
struct Owner {
    company: String,
    typical: bool,
}

/// The owners of every entity a set of messages names: stored ones from the database, new ones
/// from the messages that create them in the same set (first come, first served). Only a typical
/// agreement has several.
#[derive(Debug, Default)]
pub struct Owners(HashMap<(Kind, String), Vec<Owner>>);

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
            #[serde(default)]
            typical: Option<i64>,
        }
        for (kind, ids) in wanted {
            let rows: Vec<Row> = p
                .db()
                .all(Stmt::new(kind.owners_sql()).bind(serde_json::to_string(&ids)?))
                .await?;
            for r in rows {
                owners.0.entry((kind, r.onec_id)).or_default().push(Owner {
                    company: r.company,
                    typical: r.typical == Some(1),
                });
            }
        }
        // Entities created by this set of messages belong to the company that creates them; a
        // typical agreement also to every company linking it.
        for v in msgs {
            let created = v.payload.inbound().creates(v);
            for (k, id, company) in created {
                // A company snapshot names a typical agreement it links as TypicalAgreement.
                let typical = k == Kind::TypicalAgreement;
                let kinds: &[Kind] = if matches!(k, Kind::Agreement | Kind::TypicalAgreement) {
                    &[
                        Kind::Agreement,
                        Kind::IndividualAgreement,
                        Kind::TypicalAgreement,
                    ]
                } else {
                    std::slice::from_ref(&k)
                };
                for &k in kinds {
                    let list = owners.0.entry((k, id.to_string())).or_default();
                    if list.is_empty() || (typical && list.iter().all(|o| o.typical)) {
                        list.push(Owner {
                            company: company.to_string(),
                            typical,
                        });
                    }
                }
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
                .filter(|owners| !owners.is_empty())
                .filter(|owners| {
                    let other = |o: &&Owner| o.company != company;
                    match k {
                        // Claiming an individual agreement: nobody else may have that id.
                        Kind::IndividualAgreement => owners.iter().any(|o| other(&o)),
                        // Linking a typical one: not another company's individual agreement.
                        Kind::TypicalAgreement => owners.iter().any(|o| !o.typical && other(&o)),
                        // Pointing at an entity: it must be this company's (or linked to it).
                        _ => owners.iter().all(|o| other(&o)),
                    }
                })
                .map(|_| {
                    format!(
                        "foreign-reference: {} {id} belongs to another company, not to {company}",
                        k.name()
                    )
                })
        })
    }
}
