//! The demo companies' sales history as 1C would send it: orders (with lines and shipments),
//! payment schedules of the orders bought on credit, and the credit position of every agreement.
//!
//! Everything is computed in integer kopecks and thousandths and only written as decimal numbers
//! at the end, so amounts are exact (`amount` = `quantity` x `price` rounded to kopecks, `total` =
//! the sum of the lines) and the credit position agrees with the orders: `reserve` is the unpaid
//! part of the credit orders not yet shipped, `debt` what is shipped and not paid, `overdue_debt`
//! the part of it whose due date has passed.

use super::common::{as_of, delivery_address, fmt_1c, AS_OF};
use super::{companies, msg, quantity, rubles, users, Company, ProductSpec, Rng};
use chrono::{Datelike, Duration, NaiveDateTime};
use serde_json::{json, Value};
use std::collections::HashSet;

pub const STATUSES: &[&str] = &[
    "draft",
    "awaiting_payment",
    "reserved",
    "paid",
    "partly_shipped",
    "shipped",
    "cancelled",
];
pub const DELIVERY_METHODS: &[&str] = &["pickup", "delivery", "transport_company"];
pub const PAYMENT_METHODS: &[&str] = &["invoice", "credit", "internal_account", "card"];

/// Days of history the orders are spread over (two years up to `AS_OF`).
const HISTORY_DAYS: u64 = 730;
/// VAT included in the prices, percent.
pub const VAT_RATE: i64 = 20;

/// `a / b` rounded half up (both non-negative).
fn div_round(a: i64, b: i64) -> i64 {
    (a + b / 2) / b
}

/// A line amount: quantity (thousandths) x price (kopecks), rounded to kopecks.
pub fn line_amount(quantity_milli: i64, price_kopecks: i64) -> i64 {
    div_round(quantity_milli * price_kopecks, 1000)
}

/// The VAT included in an amount at `VAT_RATE`, rounded to kopecks.
pub fn included_vat(amount: i64) -> i64 {
    div_round(amount * VAT_RATE, 100 + VAT_RATE)
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub product_id: String,
    pub article: String,
    pub name: String,
    pub unit: &'static str,
    /// Thousandths of the unit.
    pub quantity: i64,
    /// Kopecks, VAT included.
    pub price: i64,
    pub amount: i64,
    pub vat: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Shipment {
    pub date: NaiveDateTime,
    pub vehicle: Option<String>,
    /// (line number from 1, quantity in thousandths)
    pub lines: Vec<(usize, i64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub due: NaiveDateTime,
    pub amount: i64,
    pub paid: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    /// The order's number in 1C (`ЗК-000123`), growing with the date.
    pub number: usize,
    pub company: &'static str,
    pub legal_entity: &'static str,
    pub agreement: &'static str,
    pub date: NaiveDateTime,
    pub author_email: Option<String>,
    pub status: &'static str,
    pub delivery: &'static str,
    pub address: Option<&'static str>,
    pub payment: &'static str,
    /// Kopecks paid so far.
    pub paid: i64,
    pub planned_shipping: NaiveDateTime,
    pub lines: Vec<Line>,
    pub shipments: Vec<Shipment>,
    /// The payment schedule: only for orders on credit that are not cancelled.
    pub stages: Vec<Stage>,
}

impl Order {
    pub fn id(&self) -> String {
        format!("o-{}-{:06}", self.date.year(), self.number)
    }
    pub fn total(&self) -> i64 {
        self.lines.iter().map(|l| l.amount).sum()
    }
    pub fn vat_total(&self) -> i64 {
        self.lines.iter().map(|l| l.vat).sum()
    }
    /// The consignee (1C id) of an order the supplier delivers; none for pickup or a carrier.
    pub fn consignee(&self) -> Option<&'static str> {
        if self.delivery == "delivery" {
            super::common::delivery_consignee(self.legal_entity)
        } else {
            None
        }
    }
    pub fn is_shipping(&self) -> bool {
        matches!(self.status, "shipped" | "partly_shipped")
    }
    /// Counted in the agreement's credit reserve: on credit, not fully paid, goods reserved and
    /// not shipped yet.
    pub fn in_reserve(&self) -> bool {
        self.payment == "credit" && self.status == "reserved" && self.paid < self.total()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreditState {
    pub company: &'static str,
    pub agreement: &'static str,
    pub limit: i64,
    pub debt: i64,
    pub overdue_debt: i64,
    pub reserve: i64,
    pub reserve_orders: Vec<String>,
    pub blocked: bool,
    pub amount_to_pay: i64,
}

/// What an order will be, before its lines are drawn.
struct Plan {
    company: usize,
    agreement: usize,
    date: NaiveDateTime,
    payment: &'static str,
    delivery: &'static str,
    status: &'static str,
    /// Nothing paid (for an overdue order: only part of what is due), so the credit positions
    /// show debt, reserve and a block whatever the random draw.
    unpaid: bool,
    /// Shipped by three vehicles.
    multi: bool,
}

fn weighted<T: Copy>(rng: &mut Rng, items: &[(T, u64)]) -> T {
    let total: u64 = items.iter().map(|i| i.1).sum();
    let mut r = rng.below(total);
    for (item, w) in items {
        if r < *w {
            return *item;
        }
        r -= w;
    }
    unreachable!()
}

/// A working-hours moment `age` days before `AS_OF` (so always before it).
fn moment(rng: &mut Rng, age: u64) -> NaiveDateTime {
    let day = as_of().date() - Duration::days(age as i64);
    day.and_hms_opt(
        8 + rng.below(10) as u32,
        rng.below(60) as u32,
        rng.below(60) as u32,
    )
    .unwrap()
}

/// Orders every status, delivery and payment method needs, and the credit positions the demo
/// shows (the farm's agreement blocked for an overdue order; the holding's with debt and a
/// reserve): (company, agreement, payment, delivery, status, age in days, unpaid, multi).
const SHOWCASE: &[(&str, usize, &str, &str, &str, u64, bool, bool)] = &[
    (
        "c-kuban", 0, "credit", "delivery", "shipped", 12, true, true,
    ),
    (
        "c-kuban",
        1,
        "credit",
        "transport_company",
        "reserved",
        1,
        true,
        false,
    ),
    (
        "c-kuban",
        0,
        "invoice",
        "pickup",
        "awaiting_payment",
        0,
        false,
        false,
    ),
    (
        "c-kuban",
        0,
        "internal_account",
        "delivery",
        "paid",
        4,
        false,
        false,
    ),
    ("c-kuban", 1, "card", "pickup", "draft", 0, false, false),
    (
        "c-kuban",
        0,
        "credit",
        "delivery",
        "partly_shipped",
        9,
        true,
        false,
    ),
    (
        "c-petrov", 0, "credit", "delivery", "shipped", 75, true, false,
    ),
    (
        "c-step",
        0,
        "invoice",
        "transport_company",
        "shipped",
        25,
        false,
        true,
    ),
    ("c-step", 0, "card", "pickup", "cancelled", 40, false, false),
    (
        "c-step",
        0,
        "internal_account",
        "delivery",
        "paid",
        3,
        false,
        false,
    ),
    (
        "c-petrov",
        0,
        "card",
        "pickup",
        "awaiting_payment",
        2,
        false,
        false,
    ),
    ("c-kuban", 0, "credit", "pickup", "reserved", 3, true, false),
    (
        "c-kuban", 1, "credit", "delivery", "shipped", 20, true, false,
    ),
];

fn random_status(rng: &mut Rng, age: u64, credit: bool) -> &'static str {
    // Orders on credit go straight to reserved; others wait for payment (or a reservation).
    let pending = if credit || rng.below(4) == 0 {
        "reserved"
    } else {
        "awaiting_payment"
    };
    let table: &[(&str, u64)] = if age <= 2 {
        &[("draft", 3), ("pending", 4), ("paid", 2), ("cancelled", 1)]
    } else if age <= 6 {
        &[("draft", 1), ("pending", 3), ("paid", 4), ("cancelled", 1)]
    } else if age <= 20 {
        &[
            ("paid", 1),
            ("partly_shipped", 2),
            ("shipped", 6),
            ("cancelled", 1),
        ]
    } else if age <= 60 {
        &[("partly_shipped", 1), ("shipped", 17), ("cancelled", 2)]
    } else {
        &[("shipped", 9), ("cancelled", 1)]
    };
    match weighted(rng, table) {
        "pending" => pending,
        s => s,
    }
}

/// Busier in the field season.
const MONTH_WEIGHT: [u64; 12] = [3, 4, 7, 9, 9, 10, 10, 9, 7, 6, 4, 3];

fn random_plan(rng: &mut Rng, cs: &[Company]) -> Plan {
    let company = weighted(rng, &[(0usize, 6), (1, 2), (2, 2)]);
    let c = &cs[company];
    let agreement = if c.agreements.len() > 1 {
        weighted(rng, &[(0usize, 65), (1, 35)])
    } else {
        0
    };
    let age = loop {
        let age = rng.below(HISTORY_DAYS);
        let month = (as_of().date() - Duration::days(age as i64)).month0() as usize;
        if rng.below(10) < MONTH_WEIGHT[month] {
            break age;
        }
    };
    let date = moment(rng, age);
    let has_credit = c.agreements[agreement].3 > 0.0;
    let payment = match c.entity_id {
        "c-kuban" => weighted(
            rng,
            &[
                ("credit", 50),
                ("invoice", 30),
                ("internal_account", 12),
                ("card", 8),
            ],
        ),
        // The farm's credit is stopped: its recent orders are paid up front.
        "c-petrov" if age >= 30 => weighted(
            rng,
            &[
                ("credit", 45),
                ("invoice", 25),
                ("card", 25),
                ("internal_account", 5),
            ],
        ),
        _ => weighted(
            rng,
            &[("invoice", 60), ("card", 25), ("internal_account", 15)],
        ),
    };
    assert!(payment != "credit" || has_credit);
    let delivery = match c.entity_id {
        "c-kuban" => weighted(
            rng,
            &[("delivery", 50), ("pickup", 35), ("transport_company", 15)],
        ),
        "c-petrov" => weighted(
            rng,
            &[("pickup", 60), ("delivery", 35), ("transport_company", 5)],
        ),
        _ => weighted(
            rng,
            &[("transport_company", 50), ("delivery", 25), ("pickup", 25)],
        ),
    };
    let status = random_status(rng, age, payment == "credit");
    Plan {
        company,
        agreement,
        date,
        payment,
        delivery,
        status,
        unpaid: false,
        multi: false,
    }
}

/// A Russian registration plate: `А123ВС 93`.
fn plate(rng: &mut Rng, region: &str) -> String {
    const L: &[char] = &['А', 'В', 'Е', 'К', 'М', 'Н', 'О', 'Р', 'С', 'Т', 'У', 'Х'];
    format!(
        "{}{:03}{}{} {region}",
        rng.pick(L),
        1 + rng.below(999),
        rng.pick(L),
        rng.pick(L)
    )
}

fn random_quantity(rng: &mut Rng, unit: &str) -> i64 {
    match unit {
        "м" => (1 + rng.below(20) as i64) * 500,
        "кг" => 500 + rng.below(19_500) as i64,
        "компл" => (1 + rng.below(2) as i64) * 1000,
        _ => {
            weighted(
                rng,
                &[
                    (1i64, 40),
                    (2, 25),
                    (3, 12),
                    (4, 10),
                    (5, 5),
                    (6, 3),
                    (8, 2),
                    (10, 3),
                ],
            ) * 1000
        }
    }
}

/// Splits lines (number, quantity) over `k` shipments, each getting at least one line; with
/// several vehicles a line is sometimes split between two of them.
fn spread(rng: &mut Rng, lines: &[(usize, i64)], k: usize) -> Vec<Vec<(usize, i64)>> {
    let mut out = vec![Vec::new(); k];
    for (i, &(no, q)) in lines.iter().enumerate() {
        let s = if i < k {
            i
        } else {
            rng.below(k as u64) as usize
        };
        if k > 1 && q >= 2000 && q % 1000 == 0 && rng.below(5) == 0 {
            let first = q / 2000 * 1000;
            out[s].push((no, first));
            out[(s + 1) % k].push((no, q - first));
        } else {
            out[s].push((no, q));
        }
    }
    for s in &mut out {
        s.sort();
    }
    out
}

/// The orders: `count` of them (none without products), numbered in date order.
pub fn orders(products: &[ProductSpec], count: usize) -> Vec<Order> {
    if products.is_empty() {
        return Vec::new();
    }
    let cs = companies();
    let all_users = users();
    let mut rng = Rng::new(1_000_001);
    let mut plans: Vec<Plan> = Vec::with_capacity(count);
    for &(company, agreement, payment, delivery, status, age, unpaid, multi) in
        SHOWCASE.iter().take(count)
    {
        let company = cs.iter().position(|c| c.entity_id == company).unwrap();
        let date = moment(&mut rng, age);
        plans.push(Plan {
            company,
            agreement,
            date,
            payment,
            delivery,
            status,
            unpaid,
            multi,
        });
    }
    while plans.len() < count {
        let p = random_plan(&mut rng, &cs);
        plans.push(p);
    }
    plans.sort_by_key(|p| p.date);

    let as_of = as_of();
    plans
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let c = &cs[p.company];
            let (agreement, legal_entity, _, _, deferral, price_type) = c.agreements[p.agreement];
            let buyers: Vec<&str> = all_users
                .iter()
                .filter(|u| u.company == c.entity_id && u.roles.contains(&"buyer"))
                .map(|u| u.email.as_str())
                .collect();
            let author_email = if rng.below(10) == 0 || buyers.is_empty() {
                None
            } else {
                Some(rng.pick(&buyers).to_string())
            };

            // Lines: distinct products at the agreement's price type.
            let mut n = weighted(
                &mut rng,
                &[
                    (1usize, 20),
                    (2, 18),
                    (3, 15),
                    (4, 12),
                    (5, 9),
                    (6, 7),
                    (7, 5),
                    (8, 4),
                    (9, 3),
                    (10, 3),
                    (11, 2),
                    (12, 2),
                ],
            );
            if p.status == "partly_shipped" {
                n = n.max(2);
            }
            if p.multi {
                n = n.max(3);
            }
            let n = n.min(products.len());
            let mut used = HashSet::new();
            let mut lines = Vec::with_capacity(n);
            while lines.len() < n {
                let k = rng.below(products.len() as u64) as usize;
                if !used.insert(k) {
                    continue;
                }
                let pr = &products[k];
                let quantity = random_quantity(&mut rng, pr.unit);
                let price = pr.price(price_type);
                let amount = line_amount(quantity, price);
                lines.push(Line {
                    product_id: pr.entity_id.clone(),
                    article: pr.article.clone(),
                    name: pr.name.clone(),
                    unit: pr.unit,
                    quantity,
                    price,
                    amount,
                    vat: included_vat(amount),
                });
            }
            let total: i64 = lines.iter().map(|l| l.amount).sum();
            let planned_shipping = (p.date.date() + Duration::days(1 + rng.below(3) as i64))
                .and_hms_opt(0, 0, 0)
                .unwrap();

            // Shipments: all lines of a shipped order, part of a partly shipped one.
            let numbered: Vec<(usize, i64)> = lines
                .iter()
                .enumerate()
                .map(|(j, l)| (j + 1, l.quantity))
                .collect();
            let groups: Vec<Vec<(usize, i64)>> = match p.status {
                "shipped" => {
                    let k = if p.multi {
                        3
                    } else {
                        weighted(&mut rng, &[(1usize, 70), (2, 20), (3, 10)])
                    };
                    spread(&mut rng, &numbered, k.min(numbered.len()))
                }
                "partly_shipped" => {
                    let mut part: Vec<(usize, i64)> = numbered
                        .iter()
                        .copied()
                        .filter(|_| rng.below(2) == 0)
                        .collect();
                    if part.is_empty() {
                        part.push(numbered[0]);
                    }
                    if part.len() == numbered.len() {
                        part.pop();
                    }
                    let k = weighted(&mut rng, &[(1usize, 4), (2, 1)]).min(part.len());
                    spread(&mut rng, &part, k)
                }
                _ => Vec::new(),
            };
            let region = match c.entity_id {
                "c-kuban" => "93",
                "c-petrov" => "61",
                _ => "26",
            };
            let mut day = planned_shipping.date() + Duration::days(rng.below(2) as i64);
            let shipments: Vec<Shipment> = groups
                .into_iter()
                .enumerate()
                .map(|(j, lines)| {
                    if j > 0 {
                        day += Duration::days(rng.below(2) as i64);
                    }
                    let date = day
                        .and_hms_opt(
                            9 + 3 * j as u32 + rng.below(3) as u32,
                            rng.below(60) as u32,
                            0,
                        )
                        .unwrap();
                    let vehicle = match p.delivery {
                        "pickup" => Some(plate(&mut rng, region)),
                        "delivery" => Some(plate(&mut rng, "23")),
                        _ => None,
                    };
                    Shipment {
                        date,
                        vehicle,
                        lines,
                    }
                })
                .collect();

            // The payment schedule of a credit order: the deferral from the order date, sometimes
            // in two halves fifteen days apart.
            let mut stages: Vec<Stage> = Vec::new();
            if p.payment == "credit" && p.status != "cancelled" {
                let due = (p.date.date() + Duration::days(deferral as i64))
                    .and_hms_opt(0, 0, 0)
                    .unwrap();
                if rng.below(10) < 3 {
                    let first = total / 2;
                    stages.push(Stage {
                        due,
                        amount: first,
                        paid: 0,
                    });
                    stages.push(Stage {
                        due: due + Duration::days(15),
                        amount: total - first,
                        paid: 0,
                    });
                } else {
                    stages.push(Stage {
                        due,
                        amount: total,
                        paid: 0,
                    });
                }
            }

            // Paid so far, consistent with the status. Paid up front unless on credit; on credit
            // the holding pays everything due, the farm has let some of it fall overdue.
            let pct = |amount: i64, p: u64| amount * p as i64 / 100;
            let age_days = (as_of.date() - p.date.date()).num_days();
            let paid = match p.status {
                "draft" | "cancelled" => 0,
                "paid" => total,
                "awaiting_payment" => {
                    if p.payment == "invoice" && rng.below(4) == 0 {
                        pct(total, 10 + rng.below(50))
                    } else {
                        0
                    }
                }
                "reserved" => {
                    if p.payment == "credit" && !p.unpaid && rng.below(5) == 0 {
                        pct(total, 10 + rng.below(40))
                    } else {
                        0
                    }
                }
                _ if p.payment != "credit" => total,
                _ => {
                    let due: i64 = stages
                        .iter()
                        .filter(|s| s.due < as_of)
                        .map(|s| s.amount)
                        .sum();
                    let rest = total - due;
                    if p.unpaid {
                        pct(due, 30)
                    } else if c.entity_id == "c-petrov"
                        && due > 0
                        && age_days < 100
                        && rng.below(8) == 0
                    {
                        pct(due, rng.below(80))
                    } else {
                        due + match rng.below(4) {
                            0 | 1 => rest,
                            2 => 0,
                            _ => pct(rest, rng.below(100)),
                        }
                    }
                }
            };
            let mut left = paid;
            for s in &mut stages {
                s.paid = left.min(s.amount);
                left -= s.paid;
            }

            Order {
                number: i + 1,
                company: c.entity_id,
                legal_entity,
                agreement,
                date: p.date,
                author_email,
                status: p.status,
                delivery: p.delivery,
                address: delivery_address(legal_entity, p.delivery),
                payment: p.payment,
                paid,
                planned_shipping,
                lines,
                shipments,
                stages,
            }
        })
        .collect()
}

/// The credit position of every agreement as of `AS_OF`, from the orders.
pub fn credit_states(orders: &[Order]) -> Vec<CreditState> {
    let as_of = as_of();
    let mut out = Vec::new();
    for c in companies() {
        for &(agreement, _, _, limit, _, _) in &c.agreements {
            let mine: Vec<&Order> = orders.iter().filter(|o| o.agreement == agreement).collect();
            let debt: i64 = mine
                .iter()
                .filter(|o| o.is_shipping())
                .map(|o| o.total() - o.paid)
                .sum();
            let overdue_debt: i64 = mine
                .iter()
                .filter(|o| o.is_shipping())
                .flat_map(|o| o.stages.iter())
                .filter(|s| s.due < as_of)
                .map(|s| s.amount - s.paid)
                .sum();
            let reserved: Vec<&&Order> = mine.iter().filter(|o| o.in_reserve()).collect();
            let blocked = overdue_debt > 0;
            out.push(CreditState {
                company: c.entity_id,
                agreement,
                limit: (limit * 100.0).round() as i64,
                debt,
                overdue_debt,
                reserve: reserved.iter().map(|o| o.total() - o.paid).sum(),
                reserve_orders: reserved.iter().map(|o| o.id()).collect(),
                blocked,
                amount_to_pay: if blocked { overdue_debt } else { 0 },
            });
        }
    }
    out
}

fn shipment_json(o: &Order, j: usize, s: &Shipment) -> Value {
    let several = o.shipments.len() > 1;
    let suffix = if several {
        format!("-{}", j + 1)
    } else {
        String::new()
    };
    let day = s.date.format("%d.%m.%Y");
    let mut documents = vec![format!("УПД № {}{suffix} от {day}", o.number)];
    if o.delivery == "transport_company" {
        documents.push(format!("ТН № {}{suffix} от {day}", o.number));
    }
    json!({"id": format!("sh-{:06}-{}", o.number, j + 1), "number": format!("РН-{:06}{suffix}", o.number), "date": fmt_1c(s.date),
           "vehicle": s.vehicle, "documents": documents,
           "lines": s.lines.iter().map(|(no, q)| json!({"line_no": no, "quantity": quantity(*q)})).collect::<Vec<_>>()})
}

pub fn order_message(o: &Order) -> Value {
    debug_assert!(
        STATUSES.contains(&o.status)
            && DELIVERY_METHODS.contains(&o.delivery)
            && PAYMENT_METHODS.contains(&o.payment)
    );
    let lines: Vec<Value> = o
        .lines
        .iter()
        .enumerate()
        .map(|(j, l)| {
            json!({"line_no": j + 1, "product_id": l.product_id, "article": l.article, "name": l.name, "quantity": quantity(l.quantity),
                   "unit": l.unit, "price": rubles(l.price), "amount": rubles(l.amount), "vat_rate": VAT_RATE, "vat": rubles(l.vat)})
        })
        .collect();
    let shipments: Vec<Value> = o
        .shipments
        .iter()
        .enumerate()
        .map(|(j, s)| shipment_json(o, j, s))
        .collect();
    msg(
        "order",
        &o.id(),
        1,
        json!({"company_id": o.company, "legal_entity_id": o.legal_entity, "agreement_id": o.agreement,
               "number": format!("ЗК-{:06}", o.number), "date": fmt_1c(o.date), "author_email": o.author_email,
               "status": o.status, "delivery_method": o.delivery, "delivery_address": o.address, "consignee_id": o.consignee(),
               "payment_method": o.payment, "paid": rubles(o.paid), "planned_shipping_date": fmt_1c(o.planned_shipping),
               "lines": lines, "total": rubles(o.total()), "vat_total": rubles(o.vat_total()), "shipments": shipments}),
    )
}

pub fn payment_schedule_message(o: &Order) -> Value {
    let stages: Vec<Value> = o.stages.iter().map(|s| json!({"due_date": fmt_1c(s.due), "amount": rubles(s.amount), "paid": rubles(s.paid)})).collect();
    msg(
        "payment_schedule",
        &o.id(),
        1,
        json!({"company_id": o.company, "order_id": o.id(), "agreement_id": o.agreement, "stages": stages}),
    )
}

pub fn credit_state_message(s: &CreditState) -> Value {
    msg(
        "credit_state",
        s.agreement,
        1,
        json!({"company_id": s.company, "agreement_id": s.agreement, "as_of": AS_OF, "limit": rubles(s.limit), "debt": rubles(s.debt),
               "overdue_debt": rubles(s.overdue_debt), "reserve": rubles(s.reserve), "reserve_orders": s.reserve_orders,
               "blocked": s.blocked, "amount_to_pay": rubles(s.amount_to_pay)}),
    )
}

/// The messages after the catalogue: credit positions, orders, payment schedules (in the order
/// the portal applies the types). Orders are priced from the catalogue of `products` items.
#[cfg(test)]
pub fn sales_messages(products: usize, count: usize) -> Vec<Value> {
    sales_messages_of(&orders(&super::product_specs(products), count))
}

/// The credit positions, orders and payment schedules of given orders.
pub fn sales_messages_of(orders: &[Order]) -> Vec<Value> {
    let mut v: Vec<Value> = credit_states(orders)
        .iter()
        .map(credit_state_message)
        .collect();
    v.extend(orders.iter().map(order_message));
    v.extend(
        orders
            .iter()
            .filter(|o| !o.stages.is_empty())
            .map(payment_schedule_message),
    );
    v
}

#[cfg(test)]
#[path = "orders_tests.rs"]
mod tests;
