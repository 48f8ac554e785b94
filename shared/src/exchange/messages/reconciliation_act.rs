//! `reconciliation_act`: a reconciliation act (акт сверки) as 1C prepared it (`entity_id`: 1C's
//! id). `request_id` is the portal's request it answers (absent when a manager sent one unasked);
//! that request becomes ready. Balances from the supplier's side: debit = the client owes more
//! (shipments), credit = less (payments). It waits for its company and files.

use super::check::{files as check_files, required};
use super::common::{file_blob_key, ser_date, ser_kop, FileIn};
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, Kopecks};
use crate::ports::{Ports, Stmt};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ActOperationIn {
    #[serde(
        deserialize_with = "crate::time::date_from_1c",
        serialize_with = "ser_date"
    )]
    pub date: Option<chrono::NaiveDate>,
    /// The document as 1C names it in the act ("Реализация (акт, накладная, УПД) 123 от 05.03.2026").
    pub document: String,
    pub document_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "kopecks_from_1c",
        serialize_with = "ser_kop"
    )]
    pub debit: Kopecks,
    #[serde(
        default,
        deserialize_with = "kopecks_from_1c",
        serialize_with = "ser_kop"
    )]
    pub credit: Kopecks,
}

/// A reconciliation act (акт сверки) as 1C prepared it (`entity_id`: 1C's id). `request_id` is
/// the portal's request it answers (absent when a manager sent one unasked). Balances from the
/// supplier's side: debit = the client owes more (shipments), credit = less (payments).
#[derive(Debug, Clone, Deserialize)]
pub struct ReconciliationActIn {
    pub company_id: String,
    pub request_id: Option<String>,
    pub legal_entity_id: String,
    pub agreement_id: Option<String>,
    pub number: Option<String>,
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub period_from: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub period_to: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub opening_balance: Kopecks,
    #[serde(default)]
    pub operations: Vec<ActOperationIn>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub debit_total: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub credit_total: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub closing_balance: Kopecks,
    #[serde(default)]
    pub files: Vec<FileIn>,
    /// The portal changes (outbox ids) this snapshot results from: applied when it is.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub change_ids: Vec<String>,
}

impl Inbound for ReconciliationActIn {
    fn change_ids<'a>(&'a self, _v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        Some((&self.company_id, &self.change_ids))
    }

    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        super::check::change_ids(errs, &self.change_ids);
        let a = self;
        required(errs, "company_id", &a.company_id, 100);
        required(errs, "legal_entity_id", &a.legal_entity_id, 100);
        match (a.period_from, a.period_to) {
            (Some(f), Some(t)) if f <= t => {}
            _ => errs.push(FieldError::new(
                "period_to",
                "invalid-range",
                "Период: начало не позже конца.",
                "period_from must not be after period_to.",
            )),
        }
        let debit: i64 = a.operations.iter().map(|o| o.debit.0).sum();
        let credit: i64 = a.operations.iter().map(|o| o.credit.0).sum();
        if debit != a.debit_total.0 || credit != a.credit_total.0 {
            errs.push(FieldError::new(
                "debit_total",
                "total-mismatch",
                "Обороты не равны сумме операций.",
                format!(
                    "Turnovers {}/{} are not the operations' sums {debit}/{credit}.",
                    a.debit_total.0, a.credit_total.0
                ),
            ));
        }
        if a.opening_balance.0 + a.debit_total.0 - a.credit_total.0 != a.closing_balance.0 {
            errs.push(FieldError::new(
                "closing_balance",
                "balance-mismatch",
                "Конечное сальдо не равно начальному плюс обороты.",
                "Closing balance is not opening + debit - credit.",
            ));
        }
        check_files(errs, &a.files);
    }

    fn needs<'a>(&'a self, _v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
        n.file_keys
            .extend(self.files.iter().map(|f| f.key.as_str()));
    }

    fn references<'a>(&'a self, _v: &'a Valid) -> Option<References<'a>> {
        let a = self;
        let mut r: Vec<(Kind, &str)> = vec![(Kind::LegalEntity, &a.legal_entity_id)];
        r.extend(a.agreement_id.as_deref().map(|id| (Kind::Agreement, id)));
        Some((&a.company_id, r))
    }

    fn plan<P: Ports>(&self, ap: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (a, ctx, v, now) = (self, ap.ctx, ap.v, ap.now);
        let stmts = &mut ap.stmts;
        let company_id = ctx.company_or_wait(&a.company_id)?;
        if let Some(missing) = a.files.iter().find(|f| !ctx.files.contains(&f.key)) {
            return Err(Hold::Wait(format!("file {} not uploaded yet", missing.key)));
        }
        let files: Vec<serde_json::Value> = a
            .files
            .iter()
            .map(|f| serde_json::json!({"blob_key": file_blob_key(&f.key), "name": f.name.trim(), "content_type": f.content_type, "size": f.size, "role": f.role}))
            .collect();
        stmts.push(
            Stmt::new(sql::ACT_UPSERT)
                .bind(v.entity_id.as_str())
                .bind(&company_id)
                .bind(a.request_id.clone())
                .bind(a.legal_entity_id.as_str())
                .bind(a.agreement_id.clone())
                .bind(a.number.clone())
                .bind(a.period_from.map(|d| d.to_string()))
                .bind(a.period_to.map(|d| d.to_string()))
                .bind(a.opening_balance)
                .bind(a.debit_total)
                .bind(a.credit_total)
                .bind(a.closing_balance)
                .bind(serde_json::to_string(&a.operations).unwrap_or_default())
                .bind(serde_json::to_string(&files).unwrap_or_default())
                .bind(now),
        );
        if let Some(request_id) = &a.request_id {
            stmts.push(
                Stmt::new(sql::ACT_REQUEST_READY)
                    .bind(v.entity_id.as_str())
                    .bind(now)
                    .bind(request_id.as_str())
                    .bind(&company_id),
            );
        }
        Ok(())
    }
}
