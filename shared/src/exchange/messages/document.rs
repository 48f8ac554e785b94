//! `document`: an accounting document of the company's orders (`entity_id`: 1C's document id):
//! invoice for payment, УПД (status 1 or 2), УКД, or any other kind 1C sends under its own name.
//! Its files are uploaded first; the document waits for them and for its company, then replaces
//! the stored document, its orders and its files. A corrected УПД (ИУПД) is its own document
//! naming the original (`correction_of`, НомИспр); a УКД names every УПД it corrects (`corrects`).
//! Neither waits for what it names: the current version and the corrections are found when read.

use super::check::{files as check_files, one_of, required};
use super::common::{file_blob_key, ser_kop, ser_milli, yes, FileIn};
use super::Inbound;
use crate::documents::vocab;
use crate::documents::DOCUMENT_KINDS;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, milli_from_1c, Kopecks, Milli};
use crate::ports::{Ports, Stmt};
use serde::{Deserialize, Serialize};

/// The portal's ЭДО statuses (1C may still send one as `edo_status` instead of its own state).
pub use vocab::EDO_STATUSES;

/// The most lines a document may carry, and the highest НомИспр (three digits in the ФНС format).
const MAX_LINES: usize = 10_000;
const MAX_CORRECTION_NO: i64 = 999;
/// The most УПД one УКД may correct.
const MAX_CORRECTS: usize = 100;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DocumentLineIn {
    pub line_no: u32,
    pub article: Option<String>,
    pub name: String,
    #[serde(deserialize_with = "milli_from_1c", serialize_with = "ser_milli")]
    pub quantity: Milli,
    pub unit: Option<String>,
    /// ОКЕИ code of the unit ("796" шт).
    #[serde(default)]
    pub unit_code: Option<String>,
    #[serde(deserialize_with = "kopecks_from_1c", serialize_with = "ser_kop")]
    pub price: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c", serialize_with = "ser_kop")]
    pub amount: Kopecks,
    /// One of [`vocab::VAT_RATES`] ("22%", "none"); an integer or null from older extensions.
    #[serde(default)]
    pub vat_rate: Option<serde_json::Value>,
    #[serde(deserialize_with = "kopecks_from_1c", serialize_with = "ser_kop")]
    pub vat: Kopecks,
    /// УКД: the УПД (`entity_id`, one of `corrects`) and its line this line corrects.
    #[serde(default)]
    pub base_id: Option<String>,
    #[serde(default)]
    pub base_line_no: Option<u32>,
}

impl DocumentLineIn {
    /// The line as stored in `documents.lines_json`: the VAT rate as its wire text.
    fn stored(&self) -> serde_json::Value {
        serde_json::json!({"line_no": self.line_no, "article": self.article, "name": self.name, "quantity": self.quantity.0,
            "unit": self.unit, "unit_code": self.unit_code, "price": self.price.0, "amount": self.amount.0,
            "vat_rate": vocab::vat_rate(self.vat_rate.as_ref()), "vat": self.vat.0,
            "base_id": self.base_id, "base_line_no": self.base_line_no})
    }
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
    /// УКД: the document it corrects (the older form of `corrects`).
    pub corrects_id: Option<String>,
    /// УКД: every УПД (`entity_id`) it corrects; one or more.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub corrects: Vec<String>,
    /// ИУПД: the original УПД (`entity_id`) this corrects, НомИспр and ДатаИспр.
    #[serde(default)]
    pub correction_of: Option<String>,
    #[serde(default)]
    pub correction_no: Option<i64>,
    #[serde(default, deserialize_with = "crate::time::opt_datetime_from_1c")]
    pub correction_date: Option<chrono::DateTime<chrono::Utc>>,
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
    /// The state in 1С-ЭДО as 1C names it; the portal maps it ([`vocab::EDO_STATES`]).
    #[serde(default)]
    pub edo_state: Option<String>,
    /// The supplier's organisation issuing it (1C id, see `organisation`); omitted: unknown.
    #[serde(default)]
    pub organisation_id: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

impl Inbound for DocumentIn {
    fn check(&self, m: &RawMessage, errs: &mut Vec<FieldError>) {
        let d = self;
        required(errs, "company_id", &d.company_id, 100);
        // 1C ids this document names: not blank, at most 100 characters.
        let ids = [
            ("legal_entity_id", &d.legal_entity_id),
            ("shipment_id", &d.shipment_id),
        ];
        for (field, id) in ids {
            if let Some(id) = id {
                required(errs, field, id, 100);
            }
        }
        for (i, o) in d.orders.iter().enumerate() {
            required(errs, &format!("orders[{i}]"), o, 100);
        }
        if d.correction_of.as_deref() == Some(m.entity_id.as_str()) {
            errs.push(FieldError::new(
                "correction_of",
                "self",
                "Исправление не может исправлять само себя.",
                "A correction names another document (the original УПД).",
            ));
        }
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
        d.check_corrects(errs);
        d.check_correction(errs);
        d.check_edo(errs);
        d.check_lines(errs);
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
        r.extend(d.corrected().into_iter().map(|id| (Kind::Document, id)));
        r.extend(d.correction_of.as_deref().map(|id| (Kind::Document, id)));
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
                .bind(d.corrected().first().map(|s| s.to_string()))
                .bind(d.shipment_id.clone())
                .bind(d.amount)
                .bind(d.vat)
                .bind(d.edo_status())
                .bind(
                    serde_json::to_string(
                        &d.lines
                            .iter()
                            .map(DocumentLineIn::stored)
                            .collect::<Vec<_>>(),
                    )
                    .unwrap_or_default(),
                )
                .bind(d.active)
                .bind(now),
        );
        let onec = v.entity_id.as_str();
        stmts.push(
            Stmt::new(sql::DOCUMENT_UT11_SET)
                .bind(onec)
                .bind(d.correction_of.clone())
                .bind(d.correction_no.unwrap_or(0))
                .bind(d.correction_date)
                .bind(d.edo_state.as_deref().map(str::trim)),
        );
        stmts.push(Stmt::new(sql::DOCUMENT_CORRECTS_CLEAR).bind(onec));
        stmts.push(
            Stmt::new(sql::DOCUMENT_CORRECTS_ADD)
                .bind(onec)
                .bind(&company_id)
                .bind(serde_json::to_string(&d.corrected()).unwrap_or_default()),
        );
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

impl DocumentIn {
    /// The УПД a УКД corrects: `corrects`, or the older single `corrects_id`.
    pub fn corrected(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.corrects.iter().map(String::as_str).collect();
        out.extend(self.corrects_id.as_deref());
        out.dedup();
        out
    }

    /// The portal's ЭДО status: 1C's state mapped, or the status an older extension sent.
    fn edo_status(&self) -> Option<String> {
        match self.edo_state.as_deref() {
            Some(s) => vocab::edo_status_of(s).map(str::to_string),
            None => self.edo_status.clone(),
        }
    }

    fn check_corrects(&self, errs: &mut Vec<FieldError>) {
        let err = |code, ru: &str, en: &str| FieldError::new("corrects", code, ru, en);
        if self.kind != "ukd" {
            if !self.corrects.is_empty() || self.corrects_id.is_some() {
                errs.push(err(
                    "not-a-ukd",
                    "Исправляемые документы указывает только УКД.",
                    "Only a УКД names documents it corrects.",
                ));
            }
            return;
        }
        if !self.corrects.is_empty() && self.corrects_id.is_some() {
            errs.push(err(
                "both",
                "Укажите corrects или corrects_id, не оба.",
                "Give corrects or the older corrects_id, not both.",
            ));
        } else if self.corrected().is_empty() {
            errs.push(err(
                "required",
                "УКД ссылается на исправляемые документы.",
                "A УКД names the documents it corrects (corrects).",
            ));
        } else if self.corrects.len() > MAX_CORRECTS {
            errs.push(err(
                "too-many",
                "Слишком много исправляемых документов.",
                "At most 100 corrected documents.",
            ));
        }
        for (i, id) in self.corrects.iter().enumerate() {
            required(errs, &format!("corrects[{i}]"), id, 100);
        }
        if let Some(id) = &self.corrects_id {
            required(errs, "corrects_id", id, 100);
        }
    }

    fn check_correction(&self, errs: &mut Vec<FieldError>) {
        let any = self.correction_of.is_some()
            || self.correction_no.is_some()
            || self.correction_date.is_some();
        if !any {
            return;
        }
        match self.correction_of.as_deref() {
            _ if self.kind != "upd" => errs.push(FieldError::new(
                "correction_of",
                "not-a-upd",
                "Исправление (ИУПД) бывает только у УПД.",
                "Only a УПД is corrected by an ИУПД (correction_of).",
            )),
            None => errs.push(FieldError::new(
                "correction_of",
                "required",
                "Исправление ссылается на исходный УПД.",
                "A correction names the original УПД (correction_of).",
            )),
            Some(id) => required(errs, "correction_of", id, 100),
        }
        match self.correction_no {
            Some(1..=MAX_CORRECTION_NO) => {}
            _ => errs.push(FieldError::new(
                "correction_no",
                "invalid",
                "Номер исправления: целое число от 1 до 999.",
                "correction_no (НомИспр) is a whole number from 1 to 999.",
            )),
        }
        if self.correction_date.is_none() {
            errs.push(FieldError::new(
                "correction_date",
                "required",
                "Укажите дату исправления.",
                "A correction has its date (correction_date).",
            ));
        }
    }

    fn check_edo(&self, errs: &mut Vec<FieldError>) {
        if let Some(state) = self.edo_state.as_deref() {
            if self.edo_status.is_some() {
                errs.push(FieldError::new(
                    "edo_status",
                    "both",
                    "Укажите состояние ЭДО (edo_state) или статус (edo_status), не оба.",
                    "Give edo_state (1С-ЭДО's state) or the older edo_status, not both.",
                ));
            }
            if state.chars().count() > 100 {
                required(errs, "edo_state", state, 100);
            } else if vocab::edo_status_of(state).is_none() {
                errs.push(FieldError::new(
                    "edo_state",
                    "unknown",
                    "Неизвестное состояние 1С-ЭДО.",
                    format!("Unknown 1С-ЭДО state {state:?}: see the contract's mapping table."),
                ));
            }
        }
        if let Some(e) = self.edo_status.as_deref() {
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
    }

    fn check_lines(&self, errs: &mut Vec<FieldError>) {
        if self.lines.len() > MAX_LINES {
            errs.push(FieldError::new(
                "lines",
                "too-many",
                "Слишком много строк.",
                "At most 10000 lines.",
            ));
            return;
        }
        let corrected = self.corrected();
        for (i, l) in self.lines.iter().enumerate() {
            let f = |name: &str| format!("lines[{i}].{name}");
            required(errs, &f("name"), &l.name, 1000);
            if let Some(a) = &l.article {
                if a.chars().count() > 100 {
                    required(errs, &f("article"), a, 100);
                }
            }
            if let Some(u) = &l.unit {
                if u.chars().count() > 50 {
                    required(errs, &f("unit"), u, 50);
                }
            }
            if let Some(b) = &l.base_id {
                required(errs, &f("base_id"), b, 100);
            }
            if l.unit_code.as_deref().is_some_and(|c| !vocab::okei_ok(c)) {
                errs.push(FieldError::new(
                    f("unit_code"),
                    "invalid",
                    "Код ОКЕИ: 3 или 4 цифры.",
                    "An ОКЕИ code is 3 or 4 digits.",
                ));
            }
            match vocab::vat_rate(l.vat_rate.as_ref()) {
                None => errs.push(FieldError::new(
                    f("vat_rate"),
                    "unknown",
                    "Ставка НДС: 0%, 5%, 7%, 10%, 20%, 22% или none (без НДС).",
                    "vat_rate is one of 0%, 5%, 7%, 10%, 20%, 22%, none.",
                )),
                Some(r) if vocab::vat_free(r) && l.vat.0 != 0 => errs.push(FieldError::new(
                    f("vat"),
                    "not-zero",
                    "Без НДС и при ставке 0% сумма НДС равна нулю.",
                    "A line without VAT or at 0% has no VAT amount.",
                )),
                Some(_) => {}
            }
            match l.base_id.as_deref() {
                Some(_) if self.kind != "ukd" => errs.push(FieldError::new(
                    f("base_id"),
                    "not-a-ukd",
                    "Документ-основание строки указывает только УКД.",
                    "Only a УКД's lines name the УПД they correct.",
                )),
                Some(b) if !corrected.contains(&b) => errs.push(FieldError::new(
                    f("base_id"),
                    "not-corrected",
                    "Строка исправляет документ, которого нет в corrects.",
                    "The line's base_id is not one of the documents the УКД corrects.",
                )),
                None if self.kind == "ukd" && corrected.len() > 1 => errs.push(FieldError::new(
                    f("base_id"),
                    "required",
                    "УКД по нескольким УПД: у каждой строки свой документ-основание.",
                    "A УКД over several УПД names each line's УПД (base_id).",
                )),
                _ => {}
            }
        }
    }
}
