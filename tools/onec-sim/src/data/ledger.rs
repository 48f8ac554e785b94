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
//!   balance never goes below zero and every company has money on it;
//! - a reconciliation act per legal entity for the last full quarter before `AS_OF`, computed
//!   from the opening balance, the documents (УПД +, УКД -) and the payments (-).

use super::documents::Document;
use super::orders::{as_of, fmt_1c, included_vat, line_amount, Order};
use super::{companies, msg, quantity, rubles, Rng};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The start of the history: the date of the opening balances.
pub fn history_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 11, 1).unwrap()
}

/// The act's period: the last full quarter before `AS_OF` (the third of 2026).
pub fn act_period() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
    )
}

fn at(d: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap())
}

pub fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

pub fn date_1c(d: NaiveDate) -> String {
    format!("{}T00:00:00", d.format("%Y-%m-%d"))
}

/// Kopecks as text for the printed forms: `2469.00`.
pub fn money(k: i64) -> String {
    let sign = if k < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", k.abs() / 100, k.abs() % 100)
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

pub fn legal_entity_name(id: &str) -> &'static str {
    companies()
        .iter()
        .flat_map(|c| c.legal_entities.iter())
        .find(|le| le.0 == id)
        .map_or("", |le| le.1)
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

/// Every settlement event of a legal entity, as the act shows it: УПД debit, УКД (a decrease)
/// credit, payments credit. Sorted by date.
pub fn settlements(
    legal_entity: &str,
    documents: &[Document],
    payments: &[Payment],
) -> Vec<(NaiveDateTime, ActOperation)> {
    let mut out = Vec::new();
    for d in documents
        .iter()
        .filter(|d| d.legal_entity == legal_entity && d.kind != "invoice")
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
                document_id: d.id.clone(),
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

pub fn file_json(key: String, name: String, size: usize) -> Value {
    json!({"key": key, "name": name, "content_type": "application/pdf", "size": size, "role": "print"})
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

#[cfg(test)]
mod tests {
    use super::super::{demo_set, DemoSet};
    use super::*;
    use shared::exchange::contract::{file_key_ok, validate, RawMessage};
    use shared::money::Kopecks;
    use std::collections::{HashMap, HashSet};

    fn k(v: &Value) -> i64 {
        assert!(v.is_number(), "{v}");
        Kopecks::parse(&v.to_string()).unwrap().0
    }
    fn t(v: &Value) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(v.as_str().unwrap(), "%Y-%m-%dT%H:%M:%S").unwrap()
    }
    fn of<'a>(set: &'a DemoSet, kind: &str) -> Vec<&'a Value> {
        set.messages.iter().filter(|m| m["type"] == kind).collect()
    }

    /// Every rule, checked on the messages and files as sent.
    fn check(products: usize, orders: usize) -> DemoSet {
        let set = demo_set(products, orders);
        let ids: HashSet<&str> = set
            .messages
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), set.messages.len(), "unique message ids");
        for m in &set.messages {
            let raw: RawMessage = serde_json::from_value(m.clone()).unwrap();
            if let Err(e) = validate(&raw) {
                panic!("{}: {e:?}", m["id"]);
            }
        }
        assert_eq!(of(&set, "consignee").len(), 7);
        assert_eq!(of(&set, "shipping_calendar").len(), 1);
        assert_eq!(of(&set, "opening_balance").len(), 4);
        assert_eq!(of(&set, "reconciliation_act").len(), 4);

        // Files: every one named is uploaded, with its size; keys are what the portal takes.
        let files: HashMap<&str, usize> = set
            .files
            .iter()
            .map(|f| (f.key.as_str(), f.bytes.len()))
            .collect();
        assert_eq!(files.len(), set.files.len());
        let mut named = 0;
        for m in &set.messages {
            for f in m["payload"]["files"].as_array().into_iter().flatten() {
                let key = f["key"].as_str().unwrap();
                assert!(file_key_ok(key), "{key}");
                assert_eq!(
                    Some(&(f["size"].as_u64().unwrap() as usize)),
                    files.get(key)
                );
                named += 1;
            }
        }
        assert_eq!(named, files.len(), "no file uploaded for nothing");
        for f in &set.files {
            assert!(f.bytes.starts_with(b"%PDF-1.4") && f.bytes.len() < 2000);
        }

        let orders: HashMap<&str, &Value> = of(&set, "order")
            .into_iter()
            .map(|m| (m["entity_id"].as_str().unwrap(), &m["payload"]))
            .collect();
        let as_of = as_of();

        // Payments: what each order says is paid, exactly.
        let mut allocated: HashMap<&str, i64> = HashMap::new();
        for m in of(&set, "payment") {
            let p = &m["payload"];
            let date = t(&p["date"]);
            assert!(date <= as_of && date.date() >= history_start());
            let mut sum = 0;
            for a in p["allocations"].as_array().unwrap() {
                let o = orders[a["order_id"].as_str().unwrap()];
                assert!(date > t(&o["date"]), "paid after ordering");
                assert_eq!(o["company_id"], p["company_id"]);
                assert_eq!(o["legal_entity_id"], p["legal_entity_id"]);
                assert_ne!(o["payment_method"], "internal_account");
                *allocated
                    .entry(a["order_id"].as_str().unwrap())
                    .or_default() += k(&a["amount"]);
                sum += k(&a["amount"]);
            }
            assert!(sum == k(&p["amount"]) || sum == 0, "{}", m["id"]);
        }
        let mut from_account: HashMap<&str, i64> = HashMap::new();
        let mut balance: HashMap<&str, i64> = HashMap::new();
        let mut prev = None;
        for m in of(&set, "account_movement") {
            let mv = &m["payload"];
            let date = t(&mv["date"]);
            assert!(prev <= Some(date), "in date order");
            prev = Some(date);
            assert!(date <= as_of);
            let b = balance
                .entry(mv["company_id"].as_str().unwrap())
                .or_default();
            *b += k(&mv["amount"]);
            assert!(*b >= 0, "{}: the account never goes negative", m["id"]);
            if mv["kind"] == "order_payment" {
                let id = mv["order_id"].as_str().unwrap();
                assert_eq!(orders[id]["payment_method"], "internal_account");
                *from_account.entry(id).or_default() -= k(&mv["amount"]);
            }
        }
        for (id, o) in &orders {
            let paid = k(&o["paid"]);
            let got = if o["payment_method"] == "internal_account" {
                from_account.get(id).copied().unwrap_or(0)
            } else {
                allocated.get(id).copied().unwrap_or(0)
            };
            assert_eq!(got, paid, "{id}: {} paid", o["payment_method"]);
        }
        for c in ["c-kuban", "c-petrov", "c-step"] {
            assert!(
                balance.get(c).copied().unwrap_or(0) >= 10_000_000,
                "{c} has money on its internal account: {balance:?}"
            );
        }

        // Documents: an invoice per order, an УПД per shipment adding up to a shipped order's
        // total, an УКД per completed return.
        let docs: HashMap<&str, &Value> = of(&set, "document")
            .into_iter()
            .map(|m| (m["entity_id"].as_str().unwrap(), &m["payload"]))
            .collect();
        let shipments: usize = orders
            .values()
            .map(|o| o["shipments"].as_array().unwrap().len())
            .sum();
        let count = |kind: &str| docs.values().filter(|d| d["kind"] == kind).count();
        assert_eq!(count("invoice"), orders.len());
        assert_eq!(count("upd"), shipments);
        let mut upd_sum: HashMap<&str, i64> = HashMap::new();
        for d in docs.values() {
            let order = d["orders"][0].as_str().unwrap();
            let o = orders[order];
            match d["kind"].as_str().unwrap() {
                "invoice" => {
                    assert_eq!(k(&d["amount"]), k(&o["total"]));
                    assert_eq!(k(&d["vat"]), k(&o["vat_total"]));
                }
                "upd" => {
                    let sh = o["shipments"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|s| s["id"] == d["shipment_id"])
                        .expect("its shipment");
                    assert_eq!(d["date"], sh["date"]);
                    let text = format!("УПД № {} от ", d["number"].as_str().unwrap());
                    assert!(sh["documents"][0].as_str().unwrap().starts_with(&text));
                    *upd_sum.entry(order).or_default() += k(&d["amount"]);
                }
                _ => {
                    let upd = docs[d["corrects_id"].as_str().unwrap()];
                    assert_eq!(upd["kind"], "upd");
                    assert_eq!(upd["orders"][0], order);
                    assert!(k(&d["amount"]) < 0 && k(&d["vat"]) < 0);
                }
            }
        }
        for (id, o) in &orders {
            if o["status"] == "shipped" {
                assert_eq!(upd_sum[id], k(&o["total"]), "{id}");
            }
        }
        // Returns: of shipped orders; what is refunded is credited and corrected.
        let returns = of(&set, "return");
        assert!(returns.len() >= 6);
        for c in ["c-kuban", "c-petrov", "c-step"] {
            assert!(returns
                .iter()
                .any(|r| r["payload"]["company_id"] == c && r["payload"]["status"] == "completed"));
        }
        for s in ["approved", "rejected", "completed"] {
            assert!(returns.iter().any(|r| r["payload"]["status"] == s), "{s}");
        }
        for m in &returns {
            let r = &m["payload"];
            let o = orders[r["order_id"].as_str().unwrap()];
            assert_eq!(o["status"], "shipped");
            let refund = k(&r["refund_amount"]);
            let refunds: Vec<&Value> = of(&set, "account_movement")
                .into_iter()
                .filter(|mv| mv["payload"]["return_id"] == m["entity_id"])
                .collect();
            let ukd = docs.get(format!("d-ukd-{}", m["entity_id"].as_str().unwrap()).as_str());
            match r["status"].as_str().unwrap() {
                "completed" => {
                    assert_eq!(refunds.len(), 1);
                    assert_eq!(k(&refunds[0]["payload"]["amount"]), refund);
                    assert_eq!(k(&ukd.unwrap()["amount"]), -refund);
                    assert!(refund > 0);
                }
                "approved" => assert!(refunds.is_empty() && ukd.is_none() && refund > 0),
                _ => assert!(refunds.is_empty() && ukd.is_none() && refund == 0),
            }
        }

        // Acts: closing = opening + debit - credit, and opening = the opening balance plus
        // everything before the period, recomputed here from the documents and payments sent.
        let (from, to) = act_period();
        for m in of(&set, "reconciliation_act") {
            let a = &m["payload"];
            let le = a["legal_entity_id"].as_str().unwrap();
            let ob = of(&set, "opening_balance")
                .into_iter()
                .find(|b| b["payload"]["legal_entity_id"] == le)
                .unwrap();
            let mut events: Vec<(NaiveDate, i64)> = Vec::new();
            for d in docs.values().filter(|d| d["legal_entity_id"] == le) {
                if d["kind"] != "invoice" {
                    events.push((t(&d["date"]).date(), k(&d["amount"])));
                }
            }
            for p in of(&set, "payment") {
                if p["payload"]["legal_entity_id"] == le {
                    events.push((t(&p["payload"]["date"]).date(), -k(&p["payload"]["amount"])));
                }
            }
            let opening = k(&ob["payload"]["balance"])
                + events
                    .iter()
                    .filter(|e| e.0 < from)
                    .map(|e| e.1)
                    .sum::<i64>();
            let during: Vec<i64> = events
                .iter()
                .filter(|e| e.0 >= from && e.0 <= to)
                .map(|e| e.1)
                .collect();
            let ops = a["operations"].as_array().unwrap();
            assert_eq!(ops.len(), during.len(), "{le}");
            assert!(
                !ops.is_empty() || orders.len() < 100,
                "{le}: a quarter with operations"
            );
            assert_eq!(k(&a["opening_balance"]), opening, "{le}");
            let debit: i64 = during.iter().filter(|x| **x > 0).sum();
            let credit: i64 = -during.iter().filter(|x| **x < 0).sum::<i64>();
            assert_eq!(
                (k(&a["debit_total"]), k(&a["credit_total"])),
                (debit, credit)
            );
            assert_eq!(
                k(&a["closing_balance"]),
                k(&a["opening_balance"]) + k(&a["debit_total"]) - k(&a["credit_total"])
            );
            assert!(a["request_id"].is_null());
        }
        set
    }

    #[test]
    fn demo_money_and_documents() {
        check(300, 60);
    }

    #[test]
    fn seed_money_and_documents() {
        let set = check(5000, 2000);
        assert_eq!(of(&set, "return").len(), 8);
        let again = demo_set(5000, 2000);
        assert_eq!(set.messages, again.messages, "deterministic");
        assert_eq!(set.files, again.files);
        // Orders shipped by several vehicles have several УПД.
        assert!(of(&set, "document")
            .iter()
            .any(|d| d["entity_id"].as_str().unwrap().ends_with("-3")));
    }
}
