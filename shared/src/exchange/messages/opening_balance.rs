//! `opening_balance`: the balance of mutual settlements at the start of a date, per legal entity
//! and (optionally) agreement (`entity_id`: 1C's id of that pair). Positive: the client owes the
//! supplier. It waits for its company.

use super::check::required;
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, Kopecks};
use crate::ports::{Ports, Stmt};
use serde::Deserialize;

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

impl Inbound for OpeningBalanceIn {
    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        let b = self;
        required(errs, "company_id", &b.company_id, 100);
        required(errs, "legal_entity_id", &b.legal_entity_id, 100);
        if b.date.is_none() {
            errs.push(FieldError::new(
                "date",
                "required",
                "Укажите дату остатка.",
                "Date required.",
            ));
        }
    }

    fn needs<'a>(&'a self, _v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
    }

    fn references<'a>(&'a self, _v: &'a Valid) -> Option<References<'a>> {
        let b = self;
        let mut r: Vec<(Kind, &str)> = vec![(Kind::LegalEntity, &b.legal_entity_id)];
        r.extend(b.agreement_id.as_deref().map(|id| (Kind::Agreement, id)));
        Some((&b.company_id, r))
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (b, ctx, v, now) = (self, a.ctx, a.v, a.now);
        let company_id = ctx.company_or_wait(&b.company_id)?;
        a.stmts.push(
            Stmt::new(sql::OPENING_BALANCE_UPSERT)
                .bind(v.entity_id.as_str())
                .bind(&company_id)
                .bind(b.legal_entity_id.as_str())
                .bind(b.agreement_id.clone())
                .bind(b.date.map(|d| d.to_string()))
                .bind(b.balance)
                .bind(now),
        );
        Ok(())
    }
}
