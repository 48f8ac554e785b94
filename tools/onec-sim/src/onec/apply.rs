//! What 1C does with a change it accepted: applies it to what it holds and returns the snapshots
//! it sends (an order with its new lines, date, consignee, payment method or status and a higher
//! seq; the agreement's recomputed credit position; the internal-account movement; the act; the
//! return's decision, refund and УКД). A change about a company 1C does not hold is only answered.

use super::model::{day_1c, included_vat, kop, milli, now_1c, Model, Out};
use super::rules::Rule;
use crate::data::{quantity, rubles};
use serde_json::{json, Value};

/// Work the simulated 1C does after a decision, possibly in several steps.
#[derive(Debug)]
pub enum Step {
    /// Apply an accepted change (by its rule).
    Change(Value, Rule),
    /// A return approved earlier: the goods came back, the money is credited.
    ReturnCompleted(String),
    /// Messages computed already (a manager's action).
    Send(Out),
}

/// The 1C id 1C gives an entity a change creates (an order, a return), told in the verdict.
pub fn onec_id_for(change: &Value) -> Option<String> {
    let portal = change["payload"]["portal_id"].as_str()?;
    match change["type"].as_str()? {
        "order.created" => Some(format!("o-{portal}")),
        "return.requested" => Some(format!("r-{portal}")),
        "consignee.added" => Some(format!("k-{portal}")),
        "employee.added" => Some(format!("u-{portal}")),
        _ => None,
    }
}

/// Runs a step: the messages to send now, and the steps to run later (after `ms`).
pub fn run(m: &mut Model, step: Step, later_ms: u64) -> (Out, Vec<(u64, Step)>) {
    match step {
        Step::Send(out) => (out, Vec::new()),
        Step::ReturnCompleted(id) => (return_completed(m, &id), Vec::new()),
        Step::Change(change, rule) => {
            let p = &change["payload"];
            if !p["company_id"].as_str().is_some_and(|c| m.knows_company(c)) {
                return (Out::default(), Vec::new());
            }
            let mut out = Out::default();
            let mut next = Vec::new();
            // A resync resends what 1C holds of the company, each entity at its current seq; the
            // snapshots result from no change (no `change_ids`).
            if change["type"] == "resync.requested" {
                let company = p["company_id"].as_str().unwrap_or("");
                let types: Vec<String> = p["entity_types"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect();
                let tag = change["id"].as_str().unwrap_or("");
                out.messages = m.resend_company(company, &types, tag);
                return (out, next);
            }
            match change["type"].as_str().unwrap_or("") {
                "order.changed" => out = order_changed(m, p),
                "order.cancelled" => out = order_status(m, p, "cancelled"),
                "order.payment_method_changed" => out = payment_method(m, p),
                "order.paid_from_account" => out = paid_from_account(m, &change),
                "order.paid_by_card" => out = paid_by_card(m, p),
                "order.shipments_consolidation_requested" => out = consolidated(m, p),
                "order.created" => out = order_created(m, &change),
                "act.requested" => out = super::acts::act(m, p),
                "return.requested" => {
                    let (o, approved) = return_decided(m, &change, &rule);
                    out = o;
                    if let Some(id) = approved {
                        next.push((later_ms, Step::ReturnCompleted(id)));
                    }
                }
                "employee.changed" => out = employee_changed(m, &change),
                "employee.added" | "employee.removed" => out = employee(m, &change),
                "consignee.added" | "consignee.changed" | "consignee.archived" => {
                    out = consignee(m, &change)
                }
                _ => {}
            }
            // The snapshots name the change they result from: the portal marks it applied
            // (`change_ids`, docs/exchange/1c-contract.md section 4).
            for msg in &mut out.messages {
                msg["payload"]["change_ids"] = json!([change["id"]]);
            }
            (out, next)
        }
    }
}

fn order_of(m: &Model, p: &Value) -> Option<(String, Value)> {
    let id = p["order_id"].as_str()?.to_string();
    m.payload("order", &id).map(|o| (id, o))
}

/// Sends an order and, when it is or was on credit, its agreement's position.
pub fn send_order(m: &mut Model, id: &str, o: Value, was_credit: bool) -> Out {
    let mut out = Out::default();
    let credit = o["payment_method"] == "credit" || was_credit;
    out.messages.push(m.put("order", id, o.clone()));
    if credit {
        out.messages.extend(m.credit_of(&o, true));
    }
    out
}

fn order_changed(m: &mut Model, p: &Value) -> Out {
    let Some((id, mut o)) = order_of(m, p) else {
        return Out::default();
    };
    if let Some(lines) = p["lines"].as_array() {
        let new: Vec<(Value, i64, i64, i64)> = lines
            .iter()
            .map(|l| {
                let t = json!({"product_id": l["product_id"], "article": l["article"], "name": l["name"], "unit": l["unit"]});
                (t, milli(&l["quantity"]), kop(&l["price"]), l["vat_rate"].as_i64().unwrap_or(20))
            })
            .collect();
        Model::set_lines(&mut o, new);
    }
    // The change is the order's full new state (its editable part): 1C rewrites, never merges.
    for f in ["delivery_method", "delivery_address", "consignee_id"] {
        o[f] = p[f].clone();
    }
    if o["delivery_method"] == "pickup" {
        o["delivery_address"] = Value::Null;
        o["consignee_id"] = Value::Null;
    }
    o["planned_shipping_date"] = match p["planned_shipping_date"].as_str() {
        Some(d) => json!(day_1c(d)),
        None => Value::Null,
    };
    send_order(m, &id, o, false)
}

fn order_status(m: &mut Model, p: &Value, status: &str) -> Out {
    let Some((id, mut o)) = order_of(m, p) else {
        return Out::default();
    };
    o["status"] = json!(status);
    send_order(m, &id, o, false)
}

fn payment_method(m: &mut Model, p: &Value) -> Out {
    let Some((id, mut o)) = order_of(m, p) else {
        return Out::default();
    };
    let was_credit = o["payment_method"] == "credit";
    let method = p["payment_method"].as_str().unwrap_or("invoice");
    // An urgent shipment is a manager's call in 1C: the simulated one only notes the request
    // (the change itself stays in the log of changes received).
    if p["ship_today"] == true {
        eprintln!("onec-sim: order {id} asks to ship today");
    }
    o["payment_method"] = json!(method);
    // On credit the goods are reserved at once; by invoice they wait for the payment.
    if matches!(o["status"].as_str(), Some("awaiting_payment" | "reserved")) {
        o["status"] = json!(if method == "credit" {
            "reserved"
        } else {
            "awaiting_payment"
        });
    }
    send_order(m, &id, o, was_credit)
}

/// Paid `amount` kopecks: `paid` grows, and the order is paid once nothing is left.
pub fn add_paid(o: &mut Value, amount: i64) {
    let paid = kop(&o["paid"]) + amount;
    o["paid"] = rubles(paid);
    if paid >= kop(&o["total"])
        && matches!(
            o["status"].as_str(),
            Some("draft" | "awaiting_payment" | "reserved")
        )
    {
        o["status"] = json!("paid");
    }
}

fn paid_from_account(m: &mut Model, change: &Value) -> Out {
    let p = &change["payload"];
    let Some((id, mut o)) = order_of(m, p) else {
        return Out::default();
    };
    let amount = kop(&p["amount"]);
    let mv_id = format!("mv-{}", change["id"].as_str().unwrap_or(""));
    let number = o["number"].as_str().unwrap_or("").to_string();
    let mv = m.put(
        "account_movement",
        &mv_id,
        json!({"company_id": o["company_id"], "legal_entity_id": o["legal_entity_id"], "date": now_1c(), "kind": "order_payment",
               "amount": rubles(-amount), "order_id": id, "change_id": change["id"], "return_id": null,
               "comment": format!("Оплата заказа {number} с внутреннего счета")}),
    );
    add_paid(&mut o, amount);
    let mut out = Out::default();
    out.messages.push(mv);
    out.extend(send_order(m, &id, o, false));
    out
}

fn paid_by_card(m: &mut Model, p: &Value) -> Out {
    let Some((id, mut o)) = order_of(m, p) else {
        return Out::default();
    };
    let amount = kop(&p["amount"]);
    let pay_id = format!(
        "pay-card-{}",
        p["transaction_id"].as_str().unwrap_or(&id).replace(' ', "")
    );
    let number = m.number("ЭК");
    let pay = m.put(
        "payment",
        &pay_id,
        json!({"company_id": o["company_id"], "legal_entity_id": o["legal_entity_id"], "agreement_id": o["agreement_id"],
               "number": number, "date": now_1c(), "amount": rubles(amount),
               "purpose": format!("Оплата банковской картой по заказу {}", o["number"].as_str().unwrap_or("")),
               "allocations": [{"order_id": id, "amount": rubles(amount)}], "posted": true}),
    );
    add_paid(&mut o, amount);
    let mut out = Out::default();
    out.messages.push(pay);
    out.extend(send_order(m, &id, o, false));
    out
}

fn consolidated(m: &mut Model, p: &Value) -> Out {
    let ids: Vec<String> = p["orders"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let orders: Vec<(String, Value)> = ids
        .iter()
        .filter_map(|id| m.payload("order", id).map(|o| (id.clone(), o)))
        .collect();
    // One day for all: the one asked for, else the latest of theirs.
    let day = p["planned_shipping_date"].as_str().map(day_1c).or_else(|| {
        orders
            .iter()
            .filter_map(|(_, o)| o["planned_shipping_date"].as_str().map(str::to_string))
            .max()
    });
    // A day the warehouse does not ship (its calendar, as 1C holds it) moves to the next one.
    let day = day.map(|d| next_shipping_day(m, &d));
    let mut out = Out::default();
    for (id, mut o) in orders {
        if let Some(d) = &day {
            o["planned_shipping_date"] = json!(d);
        }
        out.messages.push(m.put("order", &id, o));
    }
    out
}

/// `day` (a 1C date), or the first day after it the warehouse ships.
fn next_shipping_day(m: &Model, day: &str) -> String {
    let off: Vec<String> = m
        .payload("shipping_calendar", crate::data::reference::CALENDAR_ID)
        .and_then(|c| c["days_off"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d.as_str().map(day_1c))
        .collect();
    let Ok(mut d) = chrono::NaiveDate::parse_from_str(&day[..10.min(day.len())], "%Y-%m-%d") else {
        return day.to_string();
    };
    while off.contains(&day_1c(&d.to_string())) {
        d += chrono::Duration::days(1);
    }
    day_1c(&d.to_string())
}

fn order_created(m: &mut Model, change: &Value) -> Out {
    let p = &change["payload"];
    let Some(id) = onec_id_for(change) else {
        return Out::default();
    };
    let company = p["company_id"].as_str().unwrap_or("").to_string();
    // The change names the legal entity and agreement the order is made on.
    let (le, ag) = match (p["legal_entity_id"].as_str(), p["agreement_id"].as_str()) {
        (Some(le), Some(ag)) => (le.to_string(), ag.to_string()),
        _ => m.first_agreement(&company).unwrap_or_default(),
    };
    let lines: Vec<(Value, i64, i64, i64)> = p["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let pid = l["product_id"].as_str().unwrap_or("");
            (
                m.product_line(pid),
                milli(&l["quantity"]),
                kop(&l["price"]),
                20,
            )
        })
        .collect();
    let mut o = json!({"company_id": company, "portal_id": p["portal_id"], "legal_entity_id": le, "agreement_id": ag,
        "number": m.number("ЗК"), "date": now_1c(), "author_email": null, "status": "awaiting_payment",
        "delivery_method": p["delivery_method"], "delivery_address": p["delivery_address"], "consignee_id": p["consignee_id"],
        "payment_method": p["payment_method"].as_str().unwrap_or("invoice"), "paid": 0,
        "planned_shipping_date": p["planned_shipping_date"].as_str().map(day_1c), "shipments": []});
    Model::set_lines(&mut o, lines);
    send_order(m, &id, o, false)
}

fn employee_changed(m: &mut Model, change: &Value) -> Out {
    let p = &change["payload"];
    let Some(id) = change["entity_id"].as_str() else {
        return Out::default();
    };
    let Some(mut u) = m.payload("user", id) else {
        return Out::default();
    };
    // The employee's full record, whoever changed it.
    for f in ["email", "full_name", "position", "phone", "roles"] {
        u[f] = p[f].clone();
    }
    let mut out = Out::default();
    out.messages.push(m.put("user", id, u));
    out
}

/// An employee the company's admin added (1C registers them, with the portal's id) or removed.
fn employee(m: &mut Model, change: &Value) -> Out {
    let p = &change["payload"];
    let id = match change["entity_id"].as_str().filter(|e| !e.is_empty()) {
        Some(e) => e.to_string(),
        None => match onec_id_for(change) {
            Some(id) => id,
            None => return Out::default(),
        },
    };
    let u = match (change["type"].as_str(), m.payload("user", &id)) {
        (Some("employee.removed"), Some(mut u)) => {
            u["active"] = json!(false);
            u
        }
        (Some("employee.added"), _) => {
            json!({"company_id": p["company_id"], "portal_id": p["portal_id"], "email": p["email"], "full_name": p["full_name"],
                   "position": p["position"], "phone": p["phone"], "roles": p["roles"], "active": true})
        }
        _ => return Out::default(),
    };
    let mut out = Out::default();
    out.messages.push(m.put("user", &id, u));
    out
}

/// A consignee the client added, changed or archived: 1C's snapshot with the portal's id.
fn consignee(m: &mut Model, change: &Value) -> Out {
    let p = &change["payload"];
    let id = match p["consignee_id"].as_str().filter(|e| !e.is_empty()) {
        Some(e) => e.to_string(),
        None => match onec_id_for(change) {
            Some(id) => id,
            None => return Out::default(),
        },
    };
    let d = p;
    let mut k = m
        .payload("consignee", &id)
        .unwrap_or_else(|| json!({"company_id": p["company_id"], "active": true}));
    k["portal_id"] = p["portal_id"].clone();
    for f in ["name", "inn", "kpp", "address", "contact_person", "phone"] {
        if !d[f].is_null() {
            k[f] = d[f].clone();
        }
    }
    if change["type"] == "consignee.archived" {
        k["active"] = json!(false);
    }
    if k["name"].is_null() || k["address"].is_null() {
        return Out::default();
    }
    let mut out = Out::default();
    out.messages.push(m.put("consignee", &id, k));
    out
}

/// 1C's decision on a return by the rule: approved (all, or `partly`: a unit less of the first
/// line), or rejected with the reason. Returns the id of an approved return, to complete later.
fn return_decided(m: &mut Model, change: &Value, rule: &Rule) -> (Out, Option<String>) {
    let p = &change["payload"];
    let Some(id) = onec_id_for(change) else {
        return (Out::default(), None);
    };
    let Some((order_id, o)) = order_of(m, p) else {
        return (Out::default(), None);
    };
    let decision = rule.decision.as_deref().unwrap_or("approve");
    let mut lines: Vec<(i64, i64)> = p["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| (l["line_no"].as_i64().unwrap_or(1), milli(&l["quantity"])))
        .collect();
    if decision == "partly" {
        if let Some(first) = lines.first_mut() {
            first.1 = if first.1 > 1000 {
                first.1 - 1000
            } else {
                first.1 / 2
            };
        }
        lines.retain(|l| l.1 > 0);
    }
    let price = |no: i64| {
        o["lines"]
            .as_array()
            .and_then(|ls| ls.iter().find(|l| l["line_no"] == no))
            .map_or(0, |l| kop(&l["price"]))
    };
    let refund: i64 = lines
        .iter()
        .map(|(no, q)| (q * price(*no) + 500) / 1000)
        .sum();
    let rejected = decision == "reject";
    let number = m.number("ВЗ");
    let ret = json!({"company_id": p["company_id"], "portal_id": p["portal_id"], "order_id": order_id, "number": number,
        "date": now_1c(), "status": if rejected { "rejected" } else { "approved" },
        "reason": if rejected { json!(rule.reason) } else { Value::Null },
        "lines": if rejected { json!([]) } else { json!(lines.iter().map(|(no, q)| json!({"line_no": no, "quantity": quantity(*q)})).collect::<Vec<_>>()) },
        "refund_amount": rubles(if rejected { 0 } else { refund })});
    let mut out = Out::default();
    out.messages.push(m.put("return", &id, ret));
    (out, (!rejected).then_some(id))
}

/// A return completed: its status, the refund on the internal account, the УКД with its PDF.
fn return_completed(m: &mut Model, id: &str) -> Out {
    let Some(mut r) = m.payload("return", id) else {
        return Out::default();
    };
    let order_id = r["order_id"].as_str().unwrap_or("").to_string();
    let o = m.payload("order", &order_id).unwrap_or(Value::Null);
    let refund = kop(&r["refund_amount"]);
    r["status"] = json!("completed");
    let mut out = Out::default();
    out.messages.push(m.put("return", id, r.clone()));
    out.messages.push(m.put(
        "account_movement",
        &format!("mv-{id}"),
        json!({"company_id": r["company_id"], "legal_entity_id": o["legal_entity_id"], "date": now_1c(), "kind": "refund",
               "amount": rubles(refund), "return_id": id, "order_id": order_id, "change_id": null,
               "comment": format!("Возврат средств по возврату {}", r["number"].as_str().unwrap_or(""))}),
    ));
    // The УКД corrects the order's first УПД 1C holds.
    let corrects = m
        .all_where("document", "kind", "upd")
        .into_iter()
        .find(|(_, d)| {
            d["orders"]
                .as_array()
                .is_some_and(|os| os.iter().any(|x| x == &json!(order_id)))
        })
        .map(|(d, _)| d)
        .unwrap_or_else(|| format!("upd-{order_id}"));
    let lines: Vec<Value> = r["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let ol = o["lines"]
                .as_array()
                .and_then(|ls| ls.iter().find(|x| x["line_no"] == l["line_no"]))
                .cloned()
                .unwrap_or(Value::Null);
            let q = milli(&l["quantity"]);
            let amount = -((q * kop(&ol["price"]) + 500) / 1000);
            json!({"line_no": l["line_no"], "article": ol["article"], "name": ol["name"], "quantity": quantity(-q), "unit": ol["unit"],
                   "unit_code": crate::data::documents::okei(ol["unit"].as_str().unwrap_or("")),
                   "price": ol["price"], "amount": rubles(amount), "vat_rate": "20%", "vat": rubles(included_vat(amount, 20))})
        })
        .collect();
    let number = m.number("КУ");
    let doc_id = format!("d-ukd-{id}");
    let title = format!("УКД № {number} от {}", &now_1c()[..10]);
    let (file, entry) = Model::pdf(
        format!("{doc_id}.pdf"),
        format!("{title}.pdf"),
        &title,
        &[title.clone(), format!("Сумма: {}", rubles(-refund))],
    );
    out.files.push(file);
    out.messages.push(m.put(
        "document",
        &doc_id,
        json!({"company_id": r["company_id"], "legal_entity_id": o["legal_entity_id"], "kind": "ukd", "kind_name": "УКД",
               "number": number, "date": now_1c(), "upd_status": null, "corrects": [corrects],
               "amount": rubles(-refund), "vat": rubles(included_vat(-refund, 20)), "orders": [order_id], "shipment_id": null,
               "lines": lines, "files": [entry], "edo_state": "Ожидается извещение о получении", "active": true}),
    ));
    out
}
