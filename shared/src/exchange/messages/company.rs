//! `company`: a client company (1C "партнёр") with its legal entities and agreements, a full
//! snapshot (`entity_id`: the company). Applying it upserts all three and archives the legal
//! entities and agreements the snapshot no longer lists; a deactivated company loses its sessions.
//!
//! The agreements are every one the company may buy under: its individual ones and the typical
//! ones (УТ 11's типовые соглашения, shared by many companies) it is linked to. A typical
//! agreement's shared terms (name, price type, organisation) are the same for every company and
//! are refreshed in every company's row; its limit and deferral are this company's own.

use super::check::{inn, non_negative, required};
use super::common::yes;
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, Kopecks};
use crate::ports::{Ports, Stmt};
use serde::Deserialize;

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

/// What an agreement is in УТ 11: `individual` (one partner) or `typical` (many partners).
pub const AGREEMENT_KINDS: &[&str] = &["individual", "typical"];

#[derive(Debug, Clone, Deserialize)]
pub struct AgreementIn {
    pub id: String,
    /// `individual` (the default: older extensions) or `typical`.
    #[serde(default = "individual")]
    pub kind: String,
    /// Required for an individual agreement; a typical one may leave it out (any of the
    /// company's legal entities buys under it).
    #[serde(default)]
    pub legal_entity_id: Option<String>,
    /// The supplier's organisation selling under the agreement (1C id; see `organisation`).
    #[serde(default)]
    pub organisation_id: Option<String>,
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

fn individual() -> String {
    "individual".to_string()
}

impl AgreementIn {
    pub fn is_typical(&self) -> bool {
        self.kind == "typical"
    }
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
    /// The portal changes (outbox ids) this snapshot results from: applied when it is.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub change_ids: Vec<String>,
}

impl Inbound for CompanyIn {
    fn change_ids<'a>(&'a self, v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        Some((&v.entity_id, &self.change_ids))
    }

    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        super::check::change_ids(errs, &self.change_ids);
        let c = self;
        required(errs, "name", &c.name, 300);
        for (i, le) in c.legal_entities.iter().enumerate() {
            required(errs, &format!("legal_entities[{i}].id"), &le.id, 100);
            required(errs, &format!("legal_entities[{i}].name"), &le.name, 300);
            if let Some(v) = &le.inn {
                inn(errs, &format!("legal_entities[{i}].inn"), v);
            }
        }
        for (i, a) in c.agreements.iter().enumerate() {
            required(errs, &format!("agreements[{i}].id"), &a.id, 100);
            required(errs, &format!("agreements[{i}].name"), &a.name, 300);
            super::check::one_of(
                errs,
                &format!("agreements[{i}].kind"),
                &a.kind,
                AGREEMENT_KINDS,
                "unknown-kind",
                "Вид соглашения: individual или typical.",
                || "kind: individual or typical.".to_string(),
            );
            if let Some(o) = &a.organisation_id {
                required(errs, &format!("agreements[{i}].organisation_id"), o, 100);
            }
            match &a.legal_entity_id {
                None if !a.is_typical() => errs.push(FieldError::new(
                    format!("agreements[{i}].legal_entity_id"),
                    "required",
                    "Индивидуальное соглашение заключено с контрагентом: укажите его.",
                    "An individual agreement names its legal entity.",
                )),
                Some(le) if !c.legal_entities.iter().any(|x| &x.id == le) => {
                    errs.push(FieldError::new(
                        format!("agreements[{i}].legal_entity_id"),
                        "unknown-legal-entity",
                        "Контрагент не входит в сообщение.",
                        "Not one of this company's legal entities in the message.",
                    ))
                }
                _ => {}
            }
            non_negative(
                errs,
                format!("agreements[{i}].credit_limit"),
                a.credit_limit,
                "Лимит не может быть отрицательным.",
            );
        }
    }

    fn needs<'a>(&'a self, v: &'a Valid, n: &mut Needs<'a>) {
        n.companies_in_batch.insert(v.entity_id.clone());
    }

    fn references<'a>(&'a self, v: &'a Valid) -> Option<References<'a>> {
        let mut r: Vec<(Kind, &str)> = Vec::new();
        for le in &self.legal_entities {
            r.push((Kind::LegalEntity, &le.id));
        }
        for a in &self.agreements {
            // A typical agreement is shared: the company links itself to it, unless it is
            // another company's individual agreement. An individual one is this company's only.
            let claim = if a.is_typical() {
                Kind::TypicalAgreement
            } else {
                Kind::IndividualAgreement
            };
            r.push((claim, &a.id));
            if let Some(le) = &a.legal_entity_id {
                r.push((Kind::LegalEntity, le));
            }
        }
        Some((v.entity_id.as_str(), r))
    }

    fn creates<'a>(&'a self, v: &'a Valid) -> Vec<(Kind, &'a str, &'a str)> {
        self.legal_entities
            .iter()
            .map(|le| (Kind::LegalEntity, le.id.as_str(), v.entity_id.as_str()))
            .chain(self.agreements.iter().map(|a| {
                let k = if a.is_typical() {
                    Kind::TypicalAgreement
                } else {
                    Kind::Agreement
                };
                (k, a.id.as_str(), v.entity_id.as_str())
            }))
            .collect()
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (c, v, now) = (self, a.v, a.now);
        let stmts = &mut a.stmts;
        stmts.push(
            Stmt::new(sql::COMPANY_UPSERT)
                .bind(crate::ids::new_id("cmp"))
                .bind(v.entity_id.as_str())
                .bind(c.name.trim())
                .bind(c.full_name.clone())
                .bind(c.active)
                .bind(v.seq)
                .bind(now),
        );
        if !c.active {
            stmts.push(
                Stmt::new(sql::COMPANY_SESSIONS_REVOKE)
                    .bind(now)
                    .bind(v.entity_id.as_str()),
            );
        }
        let le_ids: Vec<&str> = c.legal_entities.iter().map(|l| l.id.as_str()).collect();
        for le in &c.legal_entities {
            stmts.push(
                Stmt::new(sql::LEGAL_ENTITY_UPSERT)
                    .bind(crate::ids::new_id("le"))
                    .bind(v.entity_id.as_str())
                    .bind(le.id.as_str())
                    .bind(le.name.trim())
                    .bind(le.full_name.clone())
                    .bind(le.inn.clone())
                    .bind(le.kpp.clone())
                    .bind(le.ogrn.clone())
                    .bind(le.legal_address.clone())
                    .bind(le.postal_address.clone())
                    .bind(le.active)
                    .bind(now)
                    .bind(
                        le.bank_accounts
                            .as_ref()
                            .map(|b| serde_json::to_string(b).unwrap_or_default()),
                    )
                    .bind(le.phone.clone())
                    .bind(le.email.clone()),
            );
        }
        stmts.push(
            Stmt::new(sql::LEGAL_ENTITIES_ARCHIVE_MISSING)
                .bind(now)
                .bind(v.entity_id.as_str())
                .bind(serde_json::to_string(&le_ids).unwrap_or_default()),
        );
        let ag_ids: Vec<&str> = c.agreements.iter().map(|a| a.id.as_str()).collect();
        for a in &c.agreements {
            if let Some(pt) = &a.price_type {
                stmts.push(
                    Stmt::new(sql::PRICE_TYPE_UPSERT)
                        .bind(crate::ids::new_id("pt"))
                        .bind(pt.id.as_str())
                        .bind(pt.name.as_str()),
                );
            }
            stmts.push(
                Stmt::new(sql::AGREEMENT_UPSERT)
                    .bind(crate::ids::new_id("agr"))
                    .bind(v.entity_id.as_str())
                    .bind(a.legal_entity_id.clone())
                    .bind(a.id.as_str())
                    .bind(a.name.trim())
                    .bind(a.number.clone())
                    .bind(a.date.map(|d| d.to_string()))
                    .bind(a.credit_limit)
                    .bind(a.deferral_days)
                    .bind(a.price_type.as_ref().map(|pt| pt.id.clone()))
                    .bind(a.active)
                    .bind(now)
                    .bind(a.kind.as_str())
                    .bind(a.organisation_id.clone()),
            );
            if a.is_typical() {
                // The shared terms are one agreement's in 1C: every linked company sees the same.
                stmts.push(
                    Stmt::new(sql::AGREEMENT_SHARED_TERMS)
                        .bind(a.id.as_str())
                        .bind(a.name.trim())
                        .bind(a.number.clone())
                        .bind(a.date.map(|d| d.to_string()))
                        .bind(a.price_type.as_ref().map(|pt| pt.id.clone()))
                        .bind(a.organisation_id.clone())
                        .bind(now),
                );
            }
        }
        stmts.push(
            Stmt::new(sql::AGREEMENTS_ARCHIVE_MISSING)
                .bind(now)
                .bind(v.entity_id.as_str())
                .bind(serde_json::to_string(&ag_ids).unwrap_or_default()),
        );
        Ok(())
    }
}
