//! Reconciliation acts (Акт сверки взаиморасчетов) computed from the money side: the opening
//! balance, the documents (УПД +, УКД -) and the payments (-) of a legal entity over a period.

use super::common::{date_1c, day, file_json, legal_entity_name, money};
use super::documents::Document;
use super::ledger::{Ledger, Payment, PaymentKind};
use super::{msg, rubles};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

/// The act's period: the last full quarter before `AS_OF` (the third of 2026).
pub fn act_period() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
    )
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActOperation {
    pub date: NaiveDate,
    pub document: String,
    pub document_id: String,
    pub debit: i64,
    pub credit: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Act {
    pub id: String,
    pub number: String,
    pub company: &'static str,
    pub legal_entity: &'static str,
    pub agreement: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub opening: i64,
    pub operations: Vec<ActOperation>,
    pub debit: i64,
    pub credit: i64,
    pub closing: i64,
}

impl Act {
    pub fn file_key(&self) -> String {
        format!("{}.pdf", self.id)
    }
    pub fn file_name(&self) -> String {
        format!(
            "Акт сверки взаиморасчетов {} за {}-{}.pdf",
            self.number,
            day(self.from),
            day(self.to)
        )
    }
    pub fn pdf(&self) -> Vec<u8> {
        let title = format!(
            "Акт сверки взаиморасчетов № {} за период {} - {}",
            self.number,
            day(self.from),
            day(self.to)
        );
        super::pdf::document(
            &title,
            &[
                title.clone(),
                format!("Контрагент: {}", legal_entity_name(self.legal_entity)),
                format!("Сальдо начальное: {}", money(self.opening)),
                format!(
                    "Обороты: дебет {}, кредит {} ({} операций)",
                    money(self.debit),
                    money(self.credit),
                    self.operations.len()
                ),
                format!("Сальдо конечное: {}", money(self.closing)),
                "Демонстрационные данные имитатора 1С".into(),
            ],
        )
    }
}

/// Every settlement event of a legal entity, as the act shows it: УПД debit, УКД (a decrease)
/// credit, payments credit. Sorted by date.
pub fn settlements(
    legal_entity: &str,
    documents: &[Document],
    payments: &[Payment],
) -> Vec<(NaiveDateTime, ActOperation)> {
    let mut out = Vec::new();
    // A corrected УПД counts once: its highest correction (ИУПД), under the original's id.
    let newest = |d: &Document| {
        let root = d.correction.as_ref().map_or(&d.id, |c| &c.0);
        let no = d.correction.as_ref().map_or(0, |c| c.1);
        !documents.iter().any(|x| {
            x.correction
                .as_ref()
                .is_some_and(|c| &c.0 == root && c.1 > no)
        })
    };
    for d in documents
        .iter()
        .filter(|d| d.legal_entity == legal_entity && d.kind != "invoice" && newest(d))
    {
        let (text, debit, credit) = match d.kind {
            "upd" => ("Реализация (акт, накладная, УПД)", d.amount, 0),
            _ if d.amount < 0 => ("Корректировка реализации", 0, -d.amount),
            _ => ("Корректировка реализации", d.amount, 0),
        };
        out.push((
            d.date,
            ActOperation {
                date: d.date.date(),
                document: format!("{text} {} от {}", d.number, day(d.date.date())),
                document_id: d.correction.as_ref().map_or(&d.id, |c| &c.0).clone(),
                debit,
                credit,
            },
        ));
    }
    for p in payments.iter().filter(|p| p.legal_entity == legal_entity) {
        let text = match p.kind {
            PaymentKind::Bank => "Поступление на расчетный счет",
            PaymentKind::Card => "Оплата платежной картой",
        };
        out.push((
            p.date,
            ActOperation {
                date: p.date.date(),
                document: format!("{text} {} от {}", p.number, day(p.date.date())),
                document_id: p.id.clone(),
                debit: 0,
                credit: p.amount,
            },
        ));
    }
    out.sort_by(|a, b| (a.0, &a.1.document_id).cmp(&(b.0, &b.1.document_id)));
    out
}

/// One act per legal entity for `act_period()`, unasked (no request id).
pub fn acts(ledger: &Ledger, documents: &[Document]) -> Vec<Act> {
    let (from, to) = act_period();
    ledger
        .opening
        .iter()
        .enumerate()
        .map(|(i, ob)| {
            let ops = settlements(ob.legal_entity, documents, &ledger.payments);
            let before: i64 = ops
                .iter()
                .filter(|(_, o)| o.date < from)
                .map(|(_, o)| o.debit - o.credit)
                .sum();
            let operations: Vec<ActOperation> = ops
                .into_iter()
                .map(|(_, o)| o)
                .filter(|o| o.date >= from && o.date <= to)
                .collect();
            let opening = ob.balance + before;
            let debit: i64 = operations.iter().map(|o| o.debit).sum();
            let credit: i64 = operations.iter().map(|o| o.credit).sum();
            Act {
                id: format!("act-{}-{}-q{}", ob.legal_entity, to.year(), to.month() / 3),
                number: format!("АС-{:06}", i + 1),
                company: ob.company,
                legal_entity: ob.legal_entity,
                agreement: ob.agreement,
                from,
                to,
                opening,
                operations,
                debit,
                credit,
                closing: opening + debit - credit,
            }
        })
        .collect()
}

pub fn act_message(a: &Act, size: usize) -> Value {
    let operations: Vec<Value> = a
        .operations
        .iter()
        .map(|o| {
            json!({"date": date_1c(o.date), "document": o.document, "document_id": o.document_id,
                        "debit": rubles(o.debit), "credit": rubles(o.credit)})
        })
        .collect();
    msg(
        "reconciliation_act",
        &a.id,
        1,
        json!({"company_id": a.company, "request_id": null, "legal_entity_id": a.legal_entity, "agreement_id": a.agreement,
               "number": a.number, "period_from": date_1c(a.from), "period_to": date_1c(a.to),
               "opening_balance": rubles(a.opening), "operations": operations,
               "debit_total": rubles(a.debit), "credit_total": rubles(a.credit), "closing_balance": rubles(a.closing),
               "files": [file_json(a.file_key(), a.file_name(), size)]}),
    )
}
