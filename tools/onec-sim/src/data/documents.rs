//! The accounting documents of the demo orders, each with its printed form (a small PDF):
//! an invoice for payment ("Счет на оплату клиенту") per order, an УПД (status 1) per shipment
//! ("Реализация товаров и услуг"), so an order shipped by three vehicles has three, and an УКД
//! ("Корректировка реализации") per completed return, correcting the УПД that shipped the line.

use super::common::{as_of, day, file_json, fmt_1c, legal_entity_name, money};
use super::ledger::Return;
use super::orders::{included_vat, line_amount, Order, VAT_RATE};
use super::{msg, quantity, rubles};
use chrono::Datelike;
use chrono::{Duration, NaiveDateTime};
use serde_json::{json, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct DocLine {
    pub article: String,
    pub name: String,
    pub unit: &'static str,
    /// Thousandths (negative in an УКД: the decrease).
    pub quantity: i64,
    pub price: i64,
    pub amount: i64,
    pub vat: i64,
    /// As the wire spells it: "20%", "22%", "none".
    pub vat_rate: String,
    /// УКД: the УПД (1C id) this line corrects and its line.
    pub base: Option<(String, usize)>,
}

/// The ОКЕИ code of the demo catalogue's units.
pub fn okei(unit: &str) -> &'static str {
    match unit {
        "м" => "006",
        "кг" => "166",
        "компл" => "839",
        _ => "796",
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub id: String,
    pub company: &'static str,
    pub legal_entity: &'static str,
    pub kind: &'static str,
    pub kind_name: &'static str,
    pub number: String,
    pub date: NaiveDateTime,
    pub upd_status: Option<u8>,
    /// УКД: the УПД it corrects (1C ids).
    pub corrects: Vec<String>,
    /// ИУПД: the original УПД's id, НомИспр and its date.
    pub correction: Option<(String, u32, NaiveDateTime)>,
    pub amount: i64,
    pub vat: i64,
    pub orders: Vec<String>,
    pub shipment: Option<String>,
    pub lines: Vec<DocLine>,
    /// 1С-ЭДО's state, as 1C names it.
    pub edo: Option<&'static str>,
}

impl Document {
    pub fn title(&self) -> String {
        let fix = match &self.correction {
            Some((_, no, date)) => format!(", исправление № {no} от {}", day(date.date())),
            None => String::new(),
        };
        format!(
            "{} № {} от {}{fix}",
            self.kind_name,
            self.number,
            day(self.date.date())
        )
    }
    pub fn file_key(&self) -> String {
        format!("{}.pdf", self.id)
    }
    pub fn file_name(&self) -> String {
        format!("{}.pdf", self.title())
    }
    pub fn pdf(&self) -> Vec<u8> {
        let title = self.title();
        super::pdf::document(
            &title,
            &[
                title.clone(),
                format!("Покупатель: {}", legal_entity_name(self.legal_entity)),
                format!(
                    "Сумма: {} руб., в т.ч. НДС {} ({} строк)",
                    money(self.amount),
                    money(self.vat),
                    self.lines.len()
                ),
                "Демонстрационные данные имитатора 1С".into(),
            ],
        )
    }
}

/// 1С-ЭДО's states the contract maps (docs/exchange/1c-contract.md, `document`).
pub const EDO_STATES: &[&str] = &[
    "Не начат",
    "Не сформирован",
    "Ожидается утверждение",
    "Ожидается подписание",
    "Ожидается отправка",
    "Ожидается извещение о получении",
    "Ожидается подтверждение оператора",
    "Ожидается ответная подпись",
    "Ожидается исправление",
    "Подписан",
    "Документооборот завершен",
    "Отклонен",
    "Ожидается аннулирование",
    "Аннулирован",
    "Ошибка передачи",
    "Закрыт принудительно",
];

/// ЭДО state by age: recent ones are on their way, older ones signed by both sides.
fn edo(date: NaiveDateTime) -> &'static str {
    match (as_of() - date).num_days() {
        d if d > 10 => "Документооборот завершен",
        d if d > 3 => "Ожидается ответная подпись",
        _ => "Ожидается извещение о получении",
    }
}

/// The VAT rate of a shipment on `date`: 22% from 2026 (the demo orders price at 20%, so their
/// own documents say so; the ИУПД below correct one to 22%).
fn rate_text(rate: i64) -> String {
    format!("{rate}%")
}

fn line(o: &Order, j: usize, qty: i64, amount: i64) -> DocLine {
    let l = &o.lines[j];
    DocLine {
        article: l.article.clone(),
        name: l.name.clone(),
        unit: l.unit,
        quantity: qty,
        price: l.price,
        amount,
        vat: if amount < 0 {
            -included_vat(-amount)
        } else {
            included_vat(amount)
        },
        vat_rate: rate_text(VAT_RATE),
        base: None,
    }
}

/// The VAT included in an amount at `rate` percent, rounded to kopecks (signed).
fn vat_at(amount: i64, rate: i64) -> i64 {
    let v = (amount.abs() * rate + (100 + rate) / 2) / (100 + rate);
    v * amount.signum()
}

fn document(
    o: &Order,
    id: String,
    kind: &'static str,
    number: String,
    date: NaiveDateTime,
    lines: Vec<DocLine>,
) -> Document {
    let amount = lines.iter().map(|l| l.amount).sum();
    let vat = lines.iter().map(|l| l.vat).sum();
    Document {
        id,
        company: o.company,
        legal_entity: o.legal_entity,
        kind,
        kind_name: match kind {
            "invoice" => "Счет на оплату",
            "upd" => "УПД",
            _ => "УКД",
        },
        number,
        date,
        upd_status: (kind == "upd").then_some(1),
        corrects: Vec::new(),
        correction: None,
        amount,
        vat,
        orders: vec![o.id()],
        shipment: None,
        lines,
        edo: None,
    }
}

pub fn documents(orders: &[Order], returns: &[Return]) -> Vec<Document> {
    let mut out = Vec::new();
    for o in orders {
        // The invoice: the order's lines as they are.
        let mut inv = document(
            o,
            format!("d-inv-{:06}", o.number),
            "invoice",
            format!("СЧ-{:06}", o.number),
            o.date + Duration::minutes(2),
            (0..o.lines.len())
                .map(|j| line(o, j, o.lines[j].quantity, o.lines[j].amount))
                .collect(),
        );
        inv.vat = o.vat_total();
        for (l, ol) in inv.lines.iter_mut().zip(&o.lines) {
            l.vat = ol.vat;
        }
        out.push(inv);

        // An УПД per shipment; the shipment that completes a line takes the rest of its amount,
        // so the УПД of a shipped order add up to its total.
        let mut shipped = vec![(0i64, 0i64); o.lines.len()];
        let several = o.shipments.len() > 1;
        for (k, s) in o.shipments.iter().enumerate() {
            let lines = s
                .lines
                .iter()
                .map(|&(no, q)| {
                    let j = no - 1;
                    let ol = &o.lines[j];
                    shipped[j].0 += q;
                    let amount = if shipped[j].0 == ol.quantity {
                        ol.amount - shipped[j].1
                    } else {
                        line_amount(q, ol.price)
                    };
                    shipped[j].1 += amount;
                    line(o, j, q, amount)
                })
                .collect();
            let suffix = if several {
                format!("-{}", k + 1)
            } else {
                String::new()
            };
            let mut upd = document(
                o,
                format!("d-upd-{:06}-{}", o.number, k + 1),
                "upd",
                format!("{}{suffix}", o.number),
                s.date,
                lines,
            );
            upd.shipment = Some(format!("sh-{:06}-{}", o.number, k + 1));
            upd.edo = Some(edo(s.date));
            out.push(upd);
        }
    }
    // An УКД per completed return: the returned quantity off the УПД that shipped it.
    for (n, r) in returns
        .iter()
        .filter(|r| r.status == "completed")
        .enumerate()
    {
        let o = orders.iter().find(|o| o.id() == r.order_id).expect("order");
        let &(no, q) = r.lines.first().expect("a completed return has lines");
        let k = o
            .shipments
            .iter()
            .position(|s| s.lines.iter().any(|l| l.0 == no))
            .expect("the line was shipped");
        let date = r.date + Duration::days(1);
        let mut ukd = document(
            o,
            format!("d-ukd-{}", r.id),
            "ukd",
            format!("КУ-{:06}", n + 1),
            date,
            vec![line(o, no - 1, -q, -r.refund)],
        );
        ukd.corrects = vec![format!("d-upd-{:06}-{}", o.number, k + 1)];
        ukd.edo = Some(edo(date));
        out.push(ukd);
    }
    ut11(orders, &mut out);
    // Every 1С-ЭДО state on the first УПД and УКД, so each one shows somewhere.
    for (d, state) in out
        .iter_mut()
        .filter(|d| d.kind != "invoice")
        .zip(EDO_STATES)
    {
        d.edo = Some(state);
    }
    out
}

/// The corrected УПД and the УКД over two УПД (see the module's doc), on the first order shipped
/// by at least two vehicles.
fn ut11(orders: &[Order], out: &mut Vec<Document>) {
    let Some(o) = orders.iter().find(|o| o.shipments.len() >= 2) else {
        return;
    };
    let upd = |k: usize| format!("d-upd-{:06}-{}", o.number, k);
    let Some(first) = out.iter().find(|d| d.id == upd(1)).cloned() else {
        return;
    };
    let second = out
        .iter()
        .find(|d| d.id == upd(2))
        .cloned()
        .expect("second УПД");
    for no in 1..=2u32 {
        let mut fix = first.clone();
        fix.id = format!("{}-fix{no}", first.id);
        let date = first.date + Duration::days(3 * no as i64);
        fix.correction = Some((first.id.clone(), no, date));
        let last = fix.lines.len() - 1;
        for (i, l) in fix.lines.iter_mut().enumerate() {
            let exempt = no == 2 && i == last && i > 0;
            l.vat_rate = if exempt { "none".into() } else { rate_text(22) };
            l.vat = if exempt { 0 } else { vat_at(l.amount, 22) };
        }
        fix.vat = fix.lines.iter().map(|l| l.vat).sum();
        fix.edo = Some(edo(date));
        out.push(fix);
    }
    // A price agreement: 1% off the first line of each of the two УПД.
    let date = second.date + Duration::days(2);
    let lines: Vec<DocLine> = [&first, &second]
        .iter()
        .map(|u| {
            let l = &u.lines[0];
            let amount = -(l.amount / 100).max(1);
            DocLine {
                quantity: 0,
                price: -(l.price / 100).max(1),
                amount,
                vat: -included_vat(-amount),
                base: Some((u.id.clone(), 1)),
                ..l.clone()
            }
        })
        .collect();
    let mut ukd = document(
        o,
        format!("d-ukd-price-{:06}", o.number),
        "ukd",
        format!("КУ-{:06}-{}", o.number, date.year() % 100),
        date,
        lines,
    );
    ukd.corrects = vec![first.id.clone(), second.id.clone()];
    ukd.edo = Some(edo(date));
    out.push(ukd);
}

pub fn document_message(d: &Document, size: usize) -> Value {
    let lines: Vec<Value> = d
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut line = json!({"line_no": i + 1, "article": l.article, "name": l.name, "quantity": quantity(l.quantity), "unit": l.unit,
                   "unit_code": okei(l.unit), "price": rubles(l.price), "amount": rubles(l.amount), "vat_rate": l.vat_rate, "vat": rubles(l.vat)});
            if let Some((base, no)) = &l.base {
                line["base_id"] = json!(base);
                line["base_line_no"] = json!(no);
            }
            line
        })
        .collect();
    let mut payload = json!({"company_id": d.company, "legal_entity_id": d.legal_entity, "kind": d.kind, "kind_name": d.kind_name,
           "number": d.number, "date": fmt_1c(d.date), "upd_status": d.upd_status,
           "amount": rubles(d.amount), "vat": rubles(d.vat), "orders": d.orders, "shipment_id": d.shipment,
           "lines": lines, "files": [file_json(d.file_key(), d.file_name(), size)], "edo_state": d.edo, "active": true});
    if d.kind == "ukd" {
        payload["corrects"] = json!(d.corrects);
    }
    if let Some((of, no, date)) = &d.correction {
        payload["correction_of"] = json!(of);
        payload["correction_no"] = json!(no);
        payload["correction_date"] = json!(fmt_1c(*date));
    }
    msg("document", &d.id, 1, payload)
}
