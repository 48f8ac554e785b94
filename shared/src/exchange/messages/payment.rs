//! `payment`: a payment the supplier received from the client by bank transfer (`entity_id`: the
//! 1C document "Поступление безналичных денежных средств"), with the orders it paid. It replaces
//! the payment and its allocations; it waits for its company.

use super::check::{positive, required};
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
    /// The portal changes (outbox ids) this snapshot results from: applied when it is.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub change_ids: Vec<String>,
}

impl Inbound for PaymentIn {
    fn change_ids<'a>(&'a self, _v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        Some((&self.company_id, &self.change_ids))
    }

    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        super::check::change_ids(errs, &self.change_ids);
        let pm = self;
        required(errs, "company_id", &pm.company_id, 100);
        required(errs, "number", &pm.number, 50);
        positive(
            errs,
            "amount",
            pm.amount,
            "Сумма платежа должна быть больше нуля.",
            "Amount must be positive.",
        );
        let mut allocated = 0i64;
        for (i, a) in pm.allocations.iter().enumerate() {
            required(
                errs,
                &format!("allocations[{i}].order_id"),
                &a.order_id,
                100,
            );
            positive(
                errs,
                format!("allocations[{i}].amount"),
                a.amount,
                "Сумма должна быть больше нуля.",
                "Must be positive.",
            );
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
    }

    fn needs<'a>(&'a self, _v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
    }

    fn references<'a>(&'a self, _v: &'a Valid) -> Option<References<'a>> {
        let pm = self;
        let mut r: Vec<(Kind, &str)> = Vec::new();
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
        Some((&pm.company_id, r))
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (pm, ctx, v, now) = (self, a.ctx, a.v, a.now);
        let stmts = &mut a.stmts;
        let company_id = ctx.company_or_wait(&pm.company_id)?;
        stmts.push(
            Stmt::new(sql::PAYMENT_UPSERT)
                .bind(v.entity_id.as_str())
                .bind(&company_id)
                .bind(pm.legal_entity_id.clone())
                .bind(pm.agreement_id.clone())
                .bind(pm.number.trim())
                .bind(pm.date)
                .bind(pm.amount)
                .bind(pm.purpose.clone())
                .bind(pm.posted)
                .bind(now),
        );
        let allocations: Vec<serde_json::Value> = pm
            .allocations
            .iter()
            .map(|a| serde_json::json!({"order": a.order_id, "kop": a.amount.0}))
            .collect();
        stmts.push(Stmt::new(sql::PAYMENT_ALLOCATIONS_CLEAR).bind(v.entity_id.as_str()));
        stmts.push(
            Stmt::new(sql::PAYMENT_ALLOCATIONS_ADD)
                .bind(v.entity_id.as_str())
                .bind(&company_id)
                .bind(serde_json::to_string(&allocations).unwrap_or_default()),
        );
        Ok(())
    }
}
