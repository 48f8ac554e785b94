//! A reconciliation act 1C prepares on request, from what it holds, by the same rules as the
//! demo acts: the opening balance, then УПД/УКД (debit, or credit for a decrease) and posted
//! payments (credit) of the legal entity; before the period they make the opening balance.

use super::model::{day_1c, kop, Model, Out};
use crate::data::rubles;
use serde_json::{json, Value};

/// (date `YYYY-MM-DD`, text, 1C id, debit, credit) of every settlement of a legal entity.
fn settlements(
    m: &Model,
    le: &str,
    agreement: Option<&str>,
) -> Vec<(String, String, String, i64, i64)> {
    let mut out = Vec::new();
    for (id, d) in m.all_where("document", "legal_entity_id", le) {
        let amount = kop(&d["amount"]);
        let (text, debit, credit) = match d["kind"].as_str() {
            Some("upd") => ("Реализация (акт, накладная, УПД)", amount, 0),
            Some("ukd") if amount < 0 => ("Корректировка реализации", 0, -amount),
            Some("ukd") => ("Корректировка реализации", amount, 0),
            _ => continue,
        };
        if d["active"] == false {
            continue;
        }
        let date = d["date"]
            .as_str()
            .unwrap_or("")
            .chars()
            .take(10)
            .collect::<String>();
        out.push((
            date.clone(),
            format!("{text} {} от {date}", d["number"].as_str().unwrap_or("")),
            id,
            debit,
            credit,
        ));
    }
    for (id, p) in m.all_where("payment", "legal_entity_id", le) {
        if p["posted"] == false
            || agreement.is_some_and(|a| p["agreement_id"].as_str().is_some_and(|x| x != a))
        {
            continue;
        }
        let date = p["date"]
            .as_str()
            .unwrap_or("")
            .chars()
            .take(10)
            .collect::<String>();
        out.push((
            date.clone(),
            format!(
                "Поступление на расчетный счет {} от {date}",
                p["number"].as_str().unwrap_or("")
            ),
            id,
            0,
            kop(&p["amount"]),
        ));
    }
    out.sort();
    out
}

/// The act answering an `act.requested` change (its payload), with its PDF.
pub fn act(m: &mut Model, p: &Value) -> Out {
    let (Some(le), Some(from), Some(to)) = (
        p["legal_entity_id"].as_str(),
        p["period_from"].as_str(),
        p["period_to"].as_str(),
    ) else {
        return Out::default();
    };
    let agreement = p["agreement_id"].as_str();
    let (from, to) = (&from[..10], &to[..10]);
    // The opening balance message at or before the period (for the agreement, or all of them).
    let mut opening = 0;
    let mut since = String::new();
    for (_, ob) in m.all_where("opening_balance", "legal_entity_id", le) {
        let date: String = ob["date"].as_str().unwrap_or("").chars().take(10).collect();
        if date.as_str() <= from && agreement.is_none_or(|a| ob["agreement_id"] == a) {
            opening += kop(&ob["balance"]);
            since = since.max(date);
        }
    }
    let ops = settlements(m, le, agreement);
    opening += ops
        .iter()
        .filter(|o| o.0.as_str() >= since.as_str() && o.0.as_str() < from)
        .map(|o| o.3 - o.4)
        .sum::<i64>();
    let during: Vec<_> = ops
        .into_iter()
        .filter(|o| o.0.as_str() >= from && o.0.as_str() <= to)
        .collect();
    let debit: i64 = during.iter().map(|o| o.3).sum();
    let credit: i64 = during.iter().map(|o| o.4).sum();
    let closing = opening + debit - credit;
    let portal = p["portal_id"].as_str().unwrap_or("x");
    let id = format!("act-{portal}");
    let number = m.number("АС");
    let title = format!("Акт сверки взаиморасчетов № {number} за период {from} - {to}");
    let (file, entry) = Model::pdf(
        format!("{id}.pdf"),
        format!("Акт сверки {number} за {from}-{to}.pdf"),
        &title,
        &[
            title.clone(),
            format!("Сальдо начальное: {}", rubles(opening)),
            format!(
                "Обороты: дебет {}, кредит {}",
                rubles(debit),
                rubles(credit)
            ),
            format!("Сальдо конечное: {}", rubles(closing)),
        ],
    );
    let operations: Vec<Value> = during
        .iter()
        .map(|o| json!({"date": day_1c(&o.0), "document": o.1, "document_id": o.2, "debit": rubles(o.3), "credit": rubles(o.4)}))
        .collect();
    let mut out = Out::default();
    out.files.push(file);
    out.messages.push(m.put(
        "reconciliation_act",
        &id,
        json!({"company_id": p["company_id"], "request_id": portal, "legal_entity_id": le, "agreement_id": agreement,
               "number": number, "period_from": day_1c(from), "period_to": day_1c(to), "opening_balance": rubles(opening),
               "operations": operations, "debit_total": rubles(debit), "credit_total": rubles(credit),
               "closing_balance": rubles(closing), "files": [entry]}),
    ));
    out
}
