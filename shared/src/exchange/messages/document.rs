//! `document`: an accounting document of the company's orders (`entity_id`: 1C's document id):
//! invoice for payment, УПД (status 1 or 2), УКД, or any other kind 1C sends under its own name.
//! Its files are uploaded first; the document waits for them and for its company, then replaces
//! the stored document, its orders and its files.

use super::check::{files as check_files, one_of, required};
use super::common::{file_blob_key, ser_kop, ser_milli, yes, FileIn};
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::documents::DOCUMENT_KINDS;
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, milli_from_1c, Kopecks, Milli};
use crate::ports::{Ports, Stmt};
use serde::{Deserialize, Serialize};

pub const EDO_STATUSES: &[&str] = &[
    "not_sent",
    "sent",
    "delivered",
    "signed",
    "rejected",
    "cancelled",
];

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DocumentLineIn {
    pub line_no: u32,
    pub article: Option<String>,
    pub name: String,
    #[serde(deserialize_with = "milli_from_1c", serialize_with = "ser_milli")]
    pub quantity: Milli,
    pub unit: Option<String>,
    #[serde(deserialize_with = "kopecks_from_1c", serialize_with = "ser_kop")]
    pub price: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c", serialize_with = "ser_kop")]
    pub amount: Kopecks,
    pub vat_rate: Option<u32>,
    #[serde(deserialize_with = "kopecks_from_1c", serialize_with = "ser_kop")]
    pub vat: Kopecks,
}

/// An accounting document of the company's orders (`entity_id`: 1C's document id): invoice for
/// payment, УПД (status 1 or 2), УКД, or any other kind 1C sends under its own name.
#[derive(Debug, Clone, Deserialize)]
pub struct DocumentIn {
    pub company_id: String,
    pub legal_entity_id: Option<String>,
    pub kind: String,
    /// 1C's name of the kind: shown as is ("Счет на оплату", "УПД", "Акт").
    pub kind_name: String,
    pub number: String,
    #[serde(deserialize_with = "crate::time::datetime_from_1c")]
    pub date: chrono::DateTime<chrono::Utc>,
    /// УПД: 1 (invoice and transfer document) or 2 (transfer document only).
    pub upd_status: Option<u8>,
    /// УКД: the document it corrects.
    pub corrects_id: Option<String>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub vat: Kopecks,
    #[serde(default)]
    pub orders: Vec<String>,
    pub shipment_id: Option<String>,
    #[serde(default)]
    pub lines: Vec<DocumentLineIn>,
    #[serde(default)]
    pub files: Vec<FileIn>,
    pub edo_status: Option<String>,
    /// The supplier's organisation issuing it (1C id, see `organisation`); omitted: unknown.
    #[serde(default)]
    pub organisation_id: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

impl Inbound for DocumentIn {
    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        let d = self;
        required(errs, "company_id", &d.company_id, 100);
        required(errs, "number", &d.number, 50);
        required(errs, "kind_name", &d.kind_name, 200);
        if let Some(org) = &d.organisation_id {
            required(errs, "organisation_id", org, 100);
        }
        one_of(
            errs,
            "kind",
            &d.kind,
            DOCUMENT_KINDS,
            "unknown",
            "Неизвестный вид документа.",
            || {
                format!(
                    "Unknown document kind {:?}; use other with kind_name.",
                    d.kind
                )
            },
        );
        match (d.kind.as_str(), d.upd_status) {
            ("upd", Some(1 | 2)) | (_, None) => {}
            _ => errs.push(FieldError::new(
                "upd_status",
                "invalid",
                "Статус УПД: 1 или 2, только для УПД.",
                "upd_status is 1 or 2, for a УПД only.",
            )),
        }
        if d.kind == "ukd" && d.corrects_id.is_none() {
            errs.push(FieldError::new(
                "corrects_id",
                "required",
                "УКД ссылается на исправляемый документ.",
                "A УКД names the document it corrects.",
            ));
        }
        if let Some(e) = d.edo_status.as_deref() {
            one_of(
                errs,
                "edo_status",
                e,
                EDO_STATUSES,
                "unknown",
                "Неизвестный статус ЭДО.",
                || "Unknown e-document status.".into(),
            );
        }
        // УКД carries signed differences; everything else is not negative.
        if d.kind != "ukd" && (d.amount.0 < 0 || d.vat.0 < 0) {
            errs.push(FieldError::new(
                "amount",
                "negative",
                "Сумма не может быть отрицательной.",
                "Must not be negative.",
            ));
        }
        if !d.lines.is_empty() && d.kind != "ukd" {
            let sum: i64 = d.lines.iter().map(|l| l.amount.0).sum();
            if sum != d.amount.0 {
                errs.push(FieldError::new(
                    "amount",
                    "total-mismatch",
                    "Сумма не равна сумме строк.",
                    format!("Amount {} is not the sum of lines {}.", d.amount.0, sum),
                ));
            }
        }
        check_files(errs, &d.files);
    }

    fn needs<'a>(&'a self, _v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
        n.file_keys
            .extend(self.files.iter().map(|f| f.key.as_str()));
    }

    fn references<'a>(&'a self, v: &'a Valid) -> Option<References<'a>> {
        let d = self;
        let mut r: Vec<(Kind, &str)> = vec![(Kind::Document, &v.entity_id)];
        r.extend(
            d.legal_entity_id
                .as_deref()
                .map(|id| (Kind::LegalEntity, id)),
        );
        r.extend(d.corrects_id.as_deref().map(|id| (Kind::Document, id)));
        r.extend(d.orders.iter().map(|id| (Kind::Order, id.as_str())));
        Some((&d.company_id, r))
    }

    fn creates<'a>(&'a self, v: &'a Valid) -> Vec<(Kind, &'a str, &'a str)> {
        vec![(Kind::Document, &v.entity_id, &self.company_id)]
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (d, ctx, v, now) = (self, a.ctx, a.v, a.now);
        let stmts = &mut a.stmts;
        let company_id = ctx.company_or_wait(&d.company_id)?;
        if let Some(missing) = d.files.iter().find(|f| !ctx.files.contains(&f.key)) {
            return Err(Hold::Wait(format!("file {} not uploaded yet", missing.key)));
        }
        stmts.push(
            Stmt::new(sql::DOCUMENT_UPSERT)
                .bind(crate::ids::new_id("doc"))
                .bind(&company_id)
                .bind(v.entity_id.as_str())
                .bind(d.legal_entity_id.clone())
                .bind(d.kind.as_str())
                .bind(d.kind_name.trim())
                .bind(d.number.trim())
                .bind(crate::validate::search_text(&d.number))
                .bind(d.date)
                .bind(d.upd_status.map(|s| s as i64))
                .bind(d.corrects_id.clone())
                .bind(d.shipment_id.clone())
                .bind(d.amount)
                .bind(d.vat)
                .bind(d.edo_status.clone())
                .bind(serde_json::to_string(&d.lines).unwrap_or_default())
                .bind(d.active)
                .bind(now),
        );
        let onec = v.entity_id.as_str();
        stmts.push(
            Stmt::new(sql::DOCUMENT_ORGANISATION)
                .bind(onec)
                .bind(d.organisation_id.clone()),
        );
        stmts.push(Stmt::new(sql::DOCUMENT_ORDERS_CLEAR).bind(onec));
        stmts.push(
            Stmt::new(sql::DOCUMENT_ORDERS_ADD)
                .bind(onec)
                .bind(&company_id)
                .bind(serde_json::to_string(&d.orders).unwrap_or_default()),
        );
        let files: Vec<serde_json::Value> = d
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                serde_json::json!({"id": crate::ids::new_id("fil"), "no": i + 1, "blob_key": file_blob_key(&f.key), "name": f.name.trim(),
                    "content_type": f.content_type, "size": f.size, "role": f.role})
            })
            .collect();
        stmts.push(
            Stmt::new(sql::DOCUMENT_FILES_UPSERT)
                .bind(onec)
                .bind(&company_id)
                .bind(serde_json::to_string(&files).unwrap_or_default()),
        );
        stmts.push(
            Stmt::new(sql::DOCUMENT_FILES_TRIM)
                .bind(onec)
                .bind(files.len() as i64),
        );
        Ok(())
    }
}
