//! What a supplier's manager does in 1C, by command or `/control/manager`: edit an order's lines
//! or date, take a phone order, ship an order (shipments, УПД with PDFs, possibly by several
//! vehicles), block or unblock credit (`agreement_id`, and `company_id` for a typical agreement,
//! which serves several companies with a credit position each), record a bank payment. Each
//! becomes snapshots to send.

use super::apply::{add_paid, send_order};
use super::model::{day_1c, kop, milli, now_1c, Model, Out};
use crate::data::rubles;
use serde_json::{json, Value};

/// Runs an action; answers what it did (for the caller) and what 1C sends.
pub fn act(m: &mut Model, a: &Value) -> Result<(Value, Out), String> {
    match a["action"].as_str().unwrap_or("") {
        "edit_order" => edit_order(m, a),
        "phone_order" => phone_order(m, a),
        "ship" => ship(m, a),
        "block_credit" => block(m, a, true),
        "unblock_credit" => block(m, a, false),
        "bank_payment" => bank_payment(m, a),
        other => Err(format!(
            "unknown action {other:?}: edit_order, phone_order, ship, block_credit, unblock_credit, bank_payment"
        )),
    }
}

fn order(m: &Model, a: &Value) -> Result<(String, Value), String> {
    let id = a["order_id"].as_str().ok_or("order_id is required")?;
    m.payload("order", id)
        .map(|o| (id.to_string(), o))
        .ok_or_else(|| format!("1C has no order {id}"))
}

/// New quantities (by `line_no`) or new lines (by `product_id`), and a new date.
fn edit_order(m: &mut Model, a: &Value) -> Result<(Value, Out), String> {
    let (id, mut o) = order(m, a)?;
    if let Some(edits) = a["lines"].as_array() {
        let mut lines: Vec<(Value, i64, i64, i64)> = o["lines"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|l| {
                let (q, p, r) = (
                    milli(&l["quantity"]),
                    kop(&l["price"]),
                    l["vat_rate"].as_i64().unwrap_or(20),
                );
                (l, q, p, r)
            })
            .collect();
        let pt = o["agreement_id"].as_str().and_then(|ag| m.price_type(ag));
        for e in edits {
            let q = milli(&e["quantity"]);
            if let Some(no) = e["line_no"].as_u64() {
                let line = lines
                    .get_mut(no as usize - 1)
                    .ok_or(format!("no line {no}"))?;
                line.1 = q;
            } else if let Some(pid) = e["product_id"].as_str() {
                let price = m
                    .price(pid, pt.as_deref())
                    .ok_or(format!("1C has no price of {pid}"))?;
                lines.push((m.product_line(pid), q, price, 20));
            }
        }
        lines.retain(|l| l.1 > 0);
        Model::set_lines(&mut o, lines);
    }
    if let Some(d) = a["planned_shipping_date"].as_str() {
        o["planned_shipping_date"] = json!(day_1c(d));
    }
    Ok((json!({"order_id": id}), send_order(m, &id, o, false)))
}

/// An order a manager takes by phone: priced at the agreement's price type, no author.
fn phone_order(m: &mut Model, a: &Value) -> Result<(Value, Out), String> {
    let company = a["company_id"].as_str().ok_or("company_id is required")?;
    let (le, ag) = m
        .first_agreement(company)
        .ok_or(format!("1C has no company {company} with an agreement"))?;
    let pt = m.price_type(&ag);
    let mut lines = Vec::new();
    for l in a["lines"].as_array().ok_or("lines are required")? {
        let pid = l["product_id"]
            .as_str()
            .ok_or("lines[].product_id is required")?;
        let price = match l.get("price") {
            Some(p) if !p.is_null() => kop(p),
            _ => m
                .price(pid, pt.as_deref())
                .ok_or(format!("1C has no price of {pid}"))?,
        };
        lines.push((m.product_line(pid), milli(&l["quantity"]), price, 20));
    }
    let id = format!("o-phone-{}", chrono::Utc::now().timestamp_millis());
    let method = a["payment_method"].as_str().unwrap_or("invoice");
    let mut o = json!({"company_id": company, "legal_entity_id": le, "agreement_id": ag, "number": m.number("ЗК"),
        "date": now_1c(), "author_email": null, "status": if method == "credit" { "reserved" } else { "awaiting_payment" },
        "delivery_method": "pickup", "delivery_address": null, "consignee_id": null, "payment_method": method, "paid": 0,
        "planned_shipping_date": a["planned_shipping_date"].as_str().map(day_1c), "shipments": []});
    Model::set_lines(&mut o, lines);
    Ok((json!({"order_id": id}), send_order(m, &id, o, false)))
}

/// Ships what is left of an order by `vehicles` vehicles (lines dealt out in turn), each with
/// its УПД and PDF; a credit order's amount moves from the reserve into the debt.
fn ship(m: &mut Model, a: &Value) -> Result<(Value, Out), String> {
    let (id, mut o) = order(m, a)?;
    let lines = o["lines"].as_array().cloned().unwrap_or_default();
    if lines.is_empty() {
        return Err("the order has no lines".into());
    }
    let vehicles = (a["vehicles"].as_u64().unwrap_or(1) as usize).clamp(1, lines.len());
    let mut shipments = o["shipments"].as_array().cloned().unwrap_or_default();
    let mut out = Out::default();
    let n = shipments.len();
    let number = o["number"].as_str().unwrap_or("").to_string();
    for k in 0..vehicles {
        let part: Vec<&Value> = lines.iter().skip(k).step_by(vehicles).collect();
        let sid = format!("sh-{id}-{}", n + k + 1);
        let date = now_1c();
        let doc_no = format!("{}-{}", number.trim_start_matches("ЗК-"), n + k + 1);
        let title = format!("УПД № {doc_no} от {}", &date[..10]);
        shipments.push(json!({"id": sid, "number": format!("РН-{doc_no}"), "date": date, "vehicle": format!("А{:03}ВС 93", 100 + k),
            "documents": [title], "lines": part.iter().map(|l| json!({"line_no": l["line_no"], "quantity": l["quantity"]})).collect::<Vec<_>>()}));
        let amount: i64 = part.iter().map(|l| kop(&l["amount"])).sum();
        let doc_id = format!("d-upd-{id}-{}", n + k + 1);
        let (file, entry) = Model::pdf(
            format!("{doc_id}.pdf"),
            format!("{title}.pdf"),
            &title,
            &[title.clone(), format!("Сумма: {}", rubles(amount))],
        );
        out.files.push(file);
        let doc_lines: Vec<Value> = part
            .iter()
            .map(|l| json!({"line_no": l["line_no"], "article": l["article"], "name": l["name"], "quantity": l["quantity"], "unit": l["unit"],
                            "unit_code": crate::data::documents::okei(l["unit"].as_str().unwrap_or("")), "price": l["price"], "amount": l["amount"],
                            "vat_rate": vat_text(&l["vat_rate"]), "vat": l["vat"]}))
            .collect();
        let msg = m.put("document", &doc_id, json!({"company_id": o["company_id"], "legal_entity_id": o["legal_entity_id"], "kind": "upd",
            "kind_name": "УПД", "number": doc_no, "date": date, "upd_status": 1, "amount": rubles(amount),
            "vat": rubles(part.iter().map(|l| kop(&l["vat"])).sum::<i64>()), "orders": [id], "shipment_id": sid,
            "lines": doc_lines, "files": [entry], "edo_state": "Ожидается извещение о получении", "active": true}));
        out.messages.push(msg);
    }
    o["shipments"] = json!(shipments);
    o["status"] = json!("shipped");
    if o["payment_method"] == "credit" {
        if let Some(ag) = o["agreement_id"].as_str().map(str::to_string) {
            let company = o["company_id"].as_str().unwrap_or_default().to_string();
            m.move_debt(&company, &ag, kop(&o["total"]) - kop(&o["paid"]));
        }
    }
    let mut all = send_order(m, &id, o, false);
    all.extend(out);
    Ok((json!({"order_id": id, "shipments": vehicles}), all))
}

fn block(m: &mut Model, a: &Value, blocked: bool) -> Result<(Value, Out), String> {
    let ag = a["agreement_id"]
        .as_str()
        .ok_or("agreement_id is required")?;
    // A typical agreement serves many companies: which one's credit (`company_id`).
    let company = match a["company_id"].as_str() {
        Some(c) => c.to_string(),
        None if m.is_typical(ag) => return Err(format!("{ag} is typical: company_id is required")),
        None => m
            .company_of_agreement(ag)
            .ok_or(format!("1C has no agreement {ag}"))?,
    };
    let mut s = m
        .credit_state(&company, ag)
        .ok_or(format!("1C has no agreement {ag}"))?["payload"]
        .clone();
    s["blocked"] = json!(blocked);
    let to_pay = if blocked {
        a.get("amount_to_pay")
            .map(kop)
            .unwrap_or_else(|| kop(&s["overdue_debt"]))
    } else {
        0
    };
    s["amount_to_pay"] = rubles(to_pay);
    if blocked && kop(&s["overdue_debt"]) < to_pay {
        s["overdue_debt"] = rubles(to_pay);
        if kop(&s["debt"]) < to_pay {
            s["debt"] = rubles(to_pay);
        }
    }
    if !blocked {
        s["overdue_debt"] = json!(0);
    }
    let mut out = Out::default();
    let key = m.credit_key(&company, ag);
    out.messages.push(m.put("credit_state", &key, s));
    Ok((
        json!({"agreement_id": ag, "company_id": company, "blocked": blocked}),
        out,
    ))
}

/// A bank payment (ПоступлениеБезналичныхДенежныхСредств) allocated to an order.
fn bank_payment(m: &mut Model, a: &Value) -> Result<(Value, Out), String> {
    let (id, mut o) = order(m, a)?;
    let amount = match a.get("amount") {
        Some(v) if !v.is_null() => kop(v),
        _ => kop(&o["total"]) - kop(&o["paid"]),
    };
    if amount <= 0 {
        return Err("nothing to pay".into());
    }
    let pay_id = format!("pay-bank-{}", chrono::Utc::now().timestamp_millis());
    let number = m.number("БП");
    let pay = m.put("payment", &pay_id, json!({"company_id": o["company_id"], "legal_entity_id": o["legal_entity_id"],
        "agreement_id": o["agreement_id"], "number": number, "date": now_1c(), "amount": rubles(amount),
        "purpose": format!("Оплата по заказу {}", o["number"].as_str().unwrap_or("")),
        "allocations": [{"order_id": id, "amount": rubles(amount)}], "posted": true}));
    let shipped_on_credit = o["payment_method"] == "credit"
        && matches!(o["status"].as_str(), Some("shipped" | "partly_shipped"));
    add_paid(&mut o, amount);
    if shipped_on_credit {
        if let Some(ag) = o["agreement_id"].as_str().map(str::to_string) {
            let company = o["company_id"].as_str().unwrap_or_default().to_string();
            m.move_debt(&company, &ag, -amount);
        }
    }
    let mut out = Out::default();
    out.messages.push(pay);
    out.extend(send_order(m, &id, o, false));
    Ok((json!({"payment_id": pay_id, "order_id": id}), out))
}

/// A line's VAT rate as a document carries it ("20%"; "none" without VAT), from the order's.
fn vat_text(rate: &Value) -> String {
    match rate.as_i64() {
        Some(r) => format!("{r}%"),
        None => "none".into(),
    }
}
