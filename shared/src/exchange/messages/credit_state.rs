//! `credit_state`: the credit position of one company under one agreement as 1C computes it. It
//! replaces the stored position and the orders its reserve covers; it waits for its company and
//! for the company's link to the agreement.
//!
//! `entity_id` (what 1C numbers `seq` by): the agreement id for an individual agreement; for a
//! typical one, shared by many companies, `<agreement_id>/<company_id>`, since each company's
//! position is its own (УТ 11 keeps the limit and the debt per partner).

use super::check::{required, same_as_entity};
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, Kopecks};
use crate::ports::{Ports, Stmt};
use serde::Deserialize;

/// The credit position of one company under one agreement (`entity_id`: see the module doc).
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
    /// The portal changes (outbox ids) this snapshot results from: applied when it is.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub change_ids: Vec<String>,
}

/// The `entity_id` of a company's credit state under a typical agreement.
pub fn entity_of_typical(agreement_id: &str, company_id: &str) -> String {
    format!("{agreement_id}/{company_id}")
}

impl Inbound for CreditStateIn {
    fn change_ids<'a>(&'a self, _v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        Some((&self.company_id, &self.change_ids))
    }

    fn check(&self, m: &RawMessage, errs: &mut Vec<FieldError>) {
        super::check::change_ids(errs, &self.change_ids);
        let c = self;
        required(errs, "company_id", &c.company_id, 100);
        required(errs, "agreement_id", &c.agreement_id, 100);
        if m.entity_id != entity_of_typical(&c.agreement_id, &c.company_id) {
            same_as_entity(errs, "agreement_id", &c.agreement_id, m);
        }
        // Debt may be negative: an advance payment.
        for (f, v) in [
            ("limit", c.limit),
            ("overdue_debt", c.overdue_debt),
            ("reserve", c.reserve),
            ("amount_to_pay", c.amount_to_pay),
        ] {
            super::check::non_negative(errs, f, v, "Не может быть отрицательным.");
        }
    }

    fn needs<'a>(&'a self, _v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
        n.agreement_ids.push(&self.agreement_id);
    }

    fn references<'a>(&'a self, _v: &'a Valid) -> Option<References<'a>> {
        Some((
            &self.company_id,
            vec![(Kind::Agreement, &self.agreement_id)],
        ))
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (c, ctx, now) = (self, a.ctx, a.now);
        let stmts = &mut a.stmts;
        let company_id = ctx.company_or_wait(&c.company_id)?;
        let key = (c.agreement_id.clone(), c.company_id.clone());
        match ctx.agreements.get(&key) {
            None => {
                return Err(Hold::Wait(format!(
                    "agreement {} not received yet for company {}",
                    c.agreement_id, c.company_id
                )))
            }
            // Numbered by the agreement alone, two companies' positions would drop each other's.
            Some(true) if a.v.entity_id == c.agreement_id => {
                return Err(Hold::Reject(format!(
                    "typical-agreement-entity: agreement {} is typical; a credit state's entity_id is {}",
                    c.agreement_id,
                    entity_of_typical(&c.agreement_id, &c.company_id)
                )))
            }
            Some(_) => {}
        }
        stmts.push(
            Stmt::new(sql::CREDIT_STATE_UPSERT)
                .bind(c.agreement_id.as_str())
                .bind(&company_id)
                .bind(c.limit)
                .bind(c.debt)
                .bind(c.overdue_debt)
                .bind(c.reserve)
                .bind(c.blocked)
                .bind(c.amount_to_pay)
                .bind(c.as_of)
                .bind(now),
        );
        stmts.push(
            Stmt::new(sql::CREDIT_RESERVE_CLEAR)
                .bind(c.agreement_id.as_str())
                .bind(&company_id),
        );
        stmts.push(
            Stmt::new(sql::CREDIT_RESERVE_ADD)
                .bind(c.agreement_id.as_str())
                .bind(&company_id)
                .bind(serde_json::to_string(&c.reserve_orders).unwrap_or_default()),
        );
        stmts.push(crate::finance::credit::settled_stmt(
            &c.agreement_id,
            &company_id,
        ));
        Ok(())
    }
}
