//! The accounting documents of the demo orders, each with its printed form (a small PDF):
//! an invoice for payment ("Счет на оплату клиенту") per order, an УПД (status 1) per shipment
//! ("Реализация товаров и услуг"), so an order shipped by three vehicles has three, and an УКД
//! ("Корректировка реализации") per completed return, correcting the УПД that shipped the line.

use super::common::{as_of, day, file_json, fmt_1c, legal_entity_name, money};
use super::ledger::Return;
use super::orders::{included_vat, line_amount, Order, VAT_RATE};
use super::{msg, quantity, rubles};
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
    pub corrects: Option<String>,
    pub amount: i64,
    pub vat: i64,
    pub orders: Vec<String>,
    pub shipment: Option<String>,
    pub lines: Vec<DocLine>,
    pub edo: Option<&'static str>,
}

impl Document {
    pub fn title(&self) -> String {
        format!(
            "{} № {} от {}",
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

/// ЭДО state by age: recent ones are on their way, older ones signed by both sides.
fn edo(date: NaiveDateTime) -> &'static str {
    match (as_of() - date).num_days() {
        d if d > 10 => "signed",
        d if d > 3 => "delivered",
        _ => "sent",
    }
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
    }
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
        corrects: None,
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
        ukd.corrects = Some(format!("d-upd-{:06}-{}", o.number, k + 1));
        ukd.edo = Some(edo(date));
        out.push(ukd);
    }
    out
}

pub fn document_message(d: &Document, size: usize) -> Value {
    let lines: Vec<Value> = d
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({"line_no": i + 1, "article": l.article, "name": l.name, "quantity": quantity(l.quantity), "unit": l.unit,
                   "price": rubles(l.price), "amount": rubles(l.amount), "vat_rate": VAT_RATE, "vat": rubles(l.vat)})
        })
        .collect();
    msg(
        "document",
        &d.id,
        1,
        json!({"company_id": d.company, "legal_entity_id": d.legal_entity, "kind": d.kind, "kind_name": d.kind_name,
               "number": d.number, "date": fmt_1c(d.date), "upd_status": d.upd_status, "corrects_id": d.corrects,
               "amount": rubles(d.amount), "vat": rubles(d.vat), "orders": d.orders, "shipment_id": d.shipment,
               "lines": lines, "files": [file_json(d.file_key(), d.file_name(), size)], "edo_status": d.edo, "active": true}),
    )
}
