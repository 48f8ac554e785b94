//! The money side of the demo history, derived from the orders so that everything agrees:
//!
//! - opening balances of mutual settlements per legal entity at `HISTORY_START`, each settled
//!   by a payment soon after;
//! - payments received ("Поступление безналичных ДС", card payments): for every order not paid
//!   from the internal account, the allocations to it add up to exactly what the order says is
//!   paid; credit orders paid on the same day under one agreement share one payment;
//! - returns of a few shipped orders (approved, rejected, completed);
//! - the internal account: refunds of completed returns, payments of orders paid from it, and
//!   advances moved onto it ("correction") whenever an order needs more than it holds, and a
//!   recent one of 100 000 rubles per company, each a bank payment without allocations; so the
//!   balance never goes below zero and every company has money on it.
//!
//! The reconciliation acts computed from it are in `acts.rs`.

use super::common::{as_of, date_1c, day, fmt_1c, money};
use super::orders::{included_vat, line_amount, Order};
use super::{companies, msg, quantity, rubles, Rng};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The start of the history: the date of the opening balances.
pub fn history_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 11, 1).unwrap()
}

fn at(d: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap())
}

#[derive(Clone, Debug, PartialEq)]
pub struct OpeningBalance {
    pub id: String,
    pub company: &'static str,
    pub legal_entity: &'static str,
    pub agreement: &'static str,
    pub date: NaiveDate,
    /// Kopecks; positive: the client owes the supplier.
    pub balance: i64,
}

/// The balances 1C carried over when the history starts (kopecks).
const OPENING: &[(&str, i64)] = &[
    ("le-kuban-1", 128_435_040),
    ("le-kuban-2", 31_200_000),
    ("le-petrov-1", 9_648_050),
    ("le-step-1", 1_870_000),
];

pub fn opening_balances() -> Vec<OpeningBalance> {
    let mut out = Vec::new();
    for c in companies() {
        for &(agreement, le, ..) in &c.agreements {
            let balance = OPENING.iter().find(|o| o.0 == le).map_or(0, |o| o.1);
            out.push(OpeningBalance {
                id: format!("ob-{le}"),
                company: c.entity_id,
                legal_entity: le,
                agreement,
                date: history_start(),
                balance,
            });
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentKind {
    /// Поступление безналичных денежных средств (a bank transfer).
    Bank,
    /// Операция по платежной карте (card acquiring).
    Card,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Payment {
    pub id: String,
    pub number: String,
    pub kind: PaymentKind,
    pub company: &'static str,
    pub legal_entity: &'static str,
    pub agreement: &'static str,
    pub date: NaiveDateTime,
    pub amount: i64,
    pub purpose: String,
    /// (order id, kopecks)
    pub allocations: Vec<(String, i64)>,
    /// Internal: what it was generated for (ties a top-up to its movement before numbering).
    key: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Return {
    pub id: String,
    pub number: String,
    pub company: &'static str,
    pub legal_entity: &'static str,
    pub order_id: String,
    pub order_number: usize,
    pub date: NaiveDateTime,
    pub status: &'static str,
    pub reason: Option<&'static str>,
    /// (order line number from 1, thousandths) accepted by 1C.
    pub lines: Vec<(usize, i64)>,
    pub refund: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Movement {
    pub id: String,
    pub company: &'static str,
    pub legal_entity: &'static str,
    pub date: NaiveDateTime,
    pub kind: &'static str,
    /// Signed kopecks: + in, - out.
    pub amount: i64,
    pub return_id: Option<String>,
    pub order_id: Option<String>,
    pub comment: String,
}

fn agreement_number(agreement: &str) -> &'static str {
    companies()
        .iter()
        .flat_map(|c| c.agreements.iter())
        .find(|a| a.0 == agreement)
        .map_or("", |a| a.2.split("№ ").nth(1).unwrap_or(a.2))
}

/// Everything the money side holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    pub opening: Vec<OpeningBalance>,
    pub payments: Vec<Payment>,
    pub returns: Vec<Return>,
    pub movements: Vec<Movement>,
}

fn clamp(t: NaiveDateTime, order: &Order) -> NaiveDateTime {
    t.max(order.date + Duration::minutes(1)).min(as_of())
}

/// What each order says is paid, as payments (orders paid from the internal account excluded).
fn order_payments(orders: &[Order], rng: &mut Rng) -> Vec<Payment> {
    let mut out = Vec::new();
    // Credit payments grouped by (legal entity, agreement, moment).
    let mut credit: BTreeMap<(&str, &str, NaiveDateTime), Vec<(String, usize, i64)>> =
        BTreeMap::new();
    for o in orders.iter().filter(|o| o.paid > 0) {
        let order_no = format!("ЗК-{:06}", o.number);
        let invoice = format!("СЧ-{:06} от {}", o.number, day(o.date.date()));
        match o.payment {
            "invoice" => {
                let date = clamp(
                    at(
                        o.date.date() + Duration::days(1 + rng.below(3) as i64),
                        10 + rng.below(6) as u32,
                        rng.below(60) as u32,
                    ),
                    o,
                );
                out.push(Payment {
                    id: String::new(),
                    number: String::new(),
                    kind: PaymentKind::Bank,
                    company: o.company,
                    legal_entity: o.legal_entity,
                    agreement: o.agreement,
                    date,
                    amount: o.paid,
                    purpose: format!(
                        "Оплата по счету № {invoice} за запасные части. Сумма {}, в т.ч. НДС (20%) {}",
                        money(o.paid),
                        money(included_vat(o.paid))
                    ),
                    allocations: vec![(o.id(), o.paid)],
                    key: format!("order-{}", o.id()),
                });
            }
            "card" => out.push(Payment {
                id: String::new(),
                number: String::new(),
                kind: PaymentKind::Card,
                company: o.company,
                legal_entity: o.legal_entity,
                agreement: o.agreement,
                date: clamp(o.date + Duration::minutes(3), o),
                amount: o.paid,
                purpose: format!("Оплата банковской картой по заказу {order_no}"),
                allocations: vec![(o.id(), o.paid)],
                key: format!("order-{}", o.id()),
            }),
            "credit" => {
                for s in o.stages.iter().filter(|s| s.paid > 0) {
                    // Paid shortly before the due date, on the Wednesday of that week.
                    let d = s.due.date() - Duration::days(rng.below(8) as i64);
                    let wednesday = d - Duration::days(d.weekday().num_days_from_monday() as i64)
                        + Duration::days(2);
                    let date = clamp(at(wednesday, 11, 0), o);
                    credit
                        .entry((o.legal_entity, o.agreement, date))
                        .or_default()
                        .push((o.id(), o.number, s.paid));
                }
            }
            _ => {}
        }
    }
    for ((le, agreement, date), allocs) in credit {
        let order = orders
            .iter()
            .find(|o| o.id() == allocs[0].0)
            .expect("allocated order");
        let mut merged: Vec<(String, i64)> = Vec::new();
        let mut invoices: Vec<String> = Vec::new();
        for (id, number, amount) in allocs {
            match merged.iter_mut().find(|m| m.0 == id) {
                Some(m) => m.1 += amount,
                None => {
                    merged.push((id, amount));
                    invoices.push(format!("СЧ-{number:06}"));
                }
            }
        }
        let amount: i64 = merged.iter().map(|m| m.1).sum();
        out.push(Payment {
            id: String::new(),
            number: String::new(),
            kind: PaymentKind::Bank,
            company: order.company,
            legal_entity: le,
            agreement,
            date,
            amount,
            purpose: format!(
                "Оплата по договору № {} по счетам № {}. Сумма {}, в т.ч. НДС (20%) {}",
                agreement_number(agreement),
                invoices.join(", "),
                money(amount),
                money(included_vat(amount))
            ),
            allocations: merged,
            key: format!("credit-{le}-{}", fmt_1c(date)),
        });
    }
    out
}

/// Which returns each company has (the first is always completed, so every company has money
/// on its internal account).
const RETURN_PLAN: &[(&str, &[&str])] = &[
    (
        "c-kuban",
        &["completed", "completed", "approved", "rejected"],
    ),
    ("c-petrov", &["completed", "rejected"]),
    ("c-step", &["completed", "approved"]),
];

const REJECT_REASON: &str =
    "Товар был в эксплуатации (следы установки); заводской брак не подтвержден.";

fn returns(orders: &[Order], rng: &mut Rng) -> Vec<Return> {
    let as_of = as_of();
    let mut out = Vec::new();
    for &(company, plan) in RETURN_PLAN {
        // Shipped and fully paid orders of the last year, shipped at least 12 days ago.
        let mut candidates: Vec<&Order> = orders
            .iter()
            .filter(|o| {
                o.company == company
                    && o.status == "shipped"
                    && o.paid == o.total()
                    && o.shipments
                        .iter()
                        .all(|s| s.date <= as_of - Duration::days(12))
                    && o.date >= as_of - Duration::days(365)
            })
            .collect();
        for &status in plan {
            if candidates.is_empty() {
                break;
            }
            let o = candidates.remove(rng.below(candidates.len() as u64) as usize);
            let last = o.shipments.iter().map(|s| s.date).max().expect("shipped");
            let date = at(
                last.date() + Duration::days(2 + rng.below(7) as i64),
                10,
                rng.below(60) as u32,
            );
            let j = rng.below(o.lines.len() as u64) as usize;
            let l = &o.lines[j];
            let q = if l.quantity >= 2000 { 1000 } else { l.quantity };
            let refund = if q == l.quantity {
                l.amount
            } else {
                line_amount(q, l.price)
            };
            let rejected = status == "rejected";
            out.push(Return {
                id: format!("ret-{:06}", o.number),
                number: String::new(),
                company,
                legal_entity: o.legal_entity,
                order_id: o.id(),
                order_number: o.number,
                date,
                status,
                reason: rejected.then_some(REJECT_REASON),
                lines: if rejected {
                    Vec::new()
                } else {
                    vec![(j + 1, q)]
                },
                refund: if rejected { 0 } else { refund },
            });
        }
    }
    out.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    for (i, r) in out.iter_mut().enumerate() {
        r.number = format!("ВЗ-{:06}", i + 1);
    }
    out
}

/// The internal account's movements, with the advances (top-up payments) they need.
fn internal_account(
    orders: &[Order],
    returns: &[Return],
) -> (Vec<Movement>, Vec<Payment>, Vec<(usize, String)>) {
    // (date, company, legal entity, amount, return, order, comment)
    struct Event<'a> {
        date: NaiveDateTime,
        company: &'static str,
        legal_entity: &'static str,
        agreement: &'static str,
        amount: i64,
        ret: Option<&'a Return>,
        order: Option<&'a Order>,
    }
    let mut events: Vec<Event> = Vec::new();
    for r in returns.iter().filter(|r| r.status == "completed") {
        let o = orders.iter().find(|o| o.id() == r.order_id).expect("order");
        events.push(Event {
            date: at(r.date.date() + Duration::days(2), 12, 0),
            company: r.company,
            legal_entity: r.legal_entity,
            agreement: o.agreement,
            amount: r.refund,
            ret: Some(r),
            order: Some(o),
        });
    }
    for o in orders
        .iter()
        .filter(|o| o.payment == "internal_account" && o.paid > 0)
    {
        events.push(Event {
            date: o.date + Duration::minutes(2),
            company: o.company,
            legal_entity: o.legal_entity,
            agreement: o.agreement,
            amount: -o.paid,
            ret: None,
            order: Some(o),
        });
    }
    events.sort_by(|a, b| (a.date, a.amount).cmp(&(b.date, b.amount)));
    let mut balances: BTreeMap<&str, i64> = BTreeMap::new();
    let mut movements = Vec::new();
    let mut topups = Vec::new();
    // Movement index -> the key of the top-up payment its comment names.
    let mut topup_refs = Vec::new();
    for e in events {
        let balance = balances.entry(e.company).or_default();
        if e.amount < 0 && *balance + e.amount < 0 {
            // An advance: paid by bank the day before, moved onto the internal account.
            let need = -(*balance + e.amount);
            let step = 5_000_000; // 50 000 rubles
            let amount = (need + step - 1) / step * step;
            let date = at(
                (e.date.date() - Duration::days(1)).max(history_start()),
                10,
                0,
            );
            let key = format!("topup-{}-{}", e.company, fmt_1c(e.date));
            topups.push(Payment {
                id: String::new(),
                number: String::new(),
                kind: PaymentKind::Bank,
                company: e.company,
                legal_entity: e.legal_entity,
                agreement: e.agreement,
                date,
                amount,
                purpose: format!(
                    "Аванс по договору № {} (на внутренний счет). Сумма {}, в т.ч. НДС (20%) {}",
                    agreement_number(e.agreement),
                    money(amount),
                    money(included_vat(amount))
                ),
                allocations: Vec::new(),
                key: key.clone(),
            });
            topup_refs.push((movements.len(), key));
            movements.push(Movement {
                id: String::new(),
                company: e.company,
                legal_entity: e.legal_entity,
                date: date + Duration::minutes(30),
                kind: "correction",
                amount,
                return_id: None,
                order_id: None,
                comment: String::new(),
            });
            *balance += amount;
        }
        *balance += e.amount;
        let order_no = e.order.map(|o| format!("ЗК-{:06}", o.number));
        movements.push(match e.ret {
            Some(r) => Movement {
                id: String::new(),
                company: e.company,
                legal_entity: e.legal_entity,
                date: e.date,
                kind: "refund",
                amount: e.amount,
                return_id: Some(r.id.clone()),
                order_id: Some(r.order_id.clone()),
                comment: format!(
                    "Возврат средств по возврату {} от {} (заказ {})",
                    r.number,
                    day(r.date.date()),
                    order_no.unwrap_or_default()
                ),
            },
            None => Movement {
                id: String::new(),
                company: e.company,
                legal_entity: e.legal_entity,
                date: e.date,
                kind: "order_payment",
                amount: e.amount,
                return_id: None,
                order_id: e.order.map(|o| o.id()),
                comment: format!(
                    "Оплата заказа {} с внутреннего счета",
                    order_no.unwrap_or_default()
                ),
            },
        });
    }
    // And a recent advance of 100 000 rubles each, so every company has money to spend.
    for c in companies() {
        let (agreement, legal_entity, ..) = c.agreements[0];
        let date = at(as_of().date() - Duration::days(6), 10, 0);
        let amount = 10_000_000;
        let key = format!("advance-{}", c.entity_id);
        topups.push(Payment {
            id: String::new(),
            number: String::new(),
            kind: PaymentKind::Bank,
            company: c.entity_id,
            legal_entity,
            agreement,
            date,
            amount,
            purpose: format!(
                "Аванс по договору № {} (на внутренний счет). Сумма {}, в т.ч. НДС (20%) {}",
                agreement_number(agreement),
                money(amount),
                money(included_vat(amount))
            ),
            allocations: Vec::new(),
            key: key.clone(),
        });
        topup_refs.push((movements.len(), key));
        movements.push(Movement {
            id: String::new(),
            company: c.entity_id,
            legal_entity,
            date: date + Duration::minutes(30),
            kind: "correction",
            amount,
            return_id: None,
            order_id: None,
            comment: String::new(),
        });
    }
    (movements, topups, topup_refs)
}

pub fn ledger(orders: &[Order]) -> Ledger {
    let mut rng = Rng::new(3_000_017);
    let opening = opening_balances();
    let mut payments = Vec::new();
    // The opening debt is paid off within the first weeks.
    for (i, ob) in opening.iter().enumerate().filter(|(_, ob)| ob.balance > 0) {
        payments.push(Payment {
            id: String::new(),
            number: String::new(),
            kind: PaymentKind::Bank,
            company: ob.company,
            legal_entity: ob.legal_entity,
            agreement: ob.agreement,
            date: at(ob.date + Duration::days(8 + 3 * i as i64), 11, 30),
            amount: ob.balance,
            purpose: format!(
                "Погашение задолженности по договору № {} по состоянию на {}",
                agreement_number(ob.agreement),
                day(ob.date)
            ),
            allocations: Vec::new(),
            key: format!("opening-{}", ob.legal_entity),
        });
    }
    payments.extend(order_payments(orders, &mut rng));
    let returns = returns(orders, &mut rng);
    let (mut movements, topups, topup_refs) = internal_account(orders, &returns);
    payments.extend(topups);

    // 1C numbers documents in date order, per kind.
    payments.sort_by(|a, b| (a.date, &a.key).cmp(&(b.date, &b.key)));
    let (mut bank, mut card) = (0, 0);
    for (i, p) in payments.iter_mut().enumerate() {
        p.id = format!("pay-{:06}", i + 1);
        p.number = match p.kind {
            PaymentKind::Bank => {
                bank += 1;
                format!("БП-{bank:06}")
            }
            PaymentKind::Card => {
                card += 1;
                format!("ЭК-{card:06}")
            }
        };
    }
    for (index, key) in topup_refs {
        let p = payments.iter().find(|p| p.key == key).expect("top-up");
        movements[index].comment = format!(
            "Зачисление аванса по платежу {} от {} на внутренний счет",
            p.number,
            day(p.date.date())
        );
    }
    movements.sort_by(|a, b| (a.date, a.amount).cmp(&(b.date, b.amount)));
    for (i, m) in movements.iter_mut().enumerate() {
        m.id = format!("mv-{:06}", i + 1);
    }
    Ledger {
        opening,
        payments,
        returns,
        movements,
    }
}

pub fn opening_balance_message(ob: &OpeningBalance) -> Value {
    msg(
        "opening_balance",
        &ob.id,
        1,
        json!({"company_id": ob.company, "legal_entity_id": ob.legal_entity, "agreement_id": ob.agreement,
               "date": date_1c(ob.date), "balance": rubles(ob.balance)}),
    )
}

pub fn payment_message(p: &Payment) -> Value {
    let allocations: Vec<Value> = p
        .allocations
        .iter()
        .map(|(o, a)| json!({"order_id": o, "amount": rubles(*a)}))
        .collect();
    msg(
        "payment",
        &p.id,
        1,
        json!({"company_id": p.company, "legal_entity_id": p.legal_entity, "agreement_id": p.agreement, "number": p.number,
               "date": fmt_1c(p.date), "amount": rubles(p.amount), "purpose": p.purpose, "allocations": allocations, "posted": true}),
    )
}

pub fn return_message(r: &Return) -> Value {
    let lines: Vec<Value> = r
        .lines
        .iter()
        .map(|(no, q)| json!({"line_no": no, "quantity": quantity(*q)}))
        .collect();
    msg(
        "return",
        &r.id,
        1,
        json!({"company_id": r.company, "portal_id": null, "order_id": r.order_id, "number": r.number, "date": fmt_1c(r.date),
               "status": r.status, "reason": r.reason, "lines": lines, "refund_amount": rubles(r.refund)}),
    )
}

pub fn movement_message(m: &Movement) -> Value {
    msg(
        "account_movement",
        &m.id,
        1,
        json!({"company_id": m.company, "legal_entity_id": m.legal_entity, "date": fmt_1c(m.date), "kind": m.kind,
               "amount": rubles(m.amount), "return_id": m.return_id, "order_id": m.order_id, "change_id": null, "comment": m.comment}),
    )
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
