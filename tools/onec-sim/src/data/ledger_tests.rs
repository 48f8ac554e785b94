use super::super::acts::act_period;
use super::super::common::as_of;
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
    assert_eq!(
        count("upd"),
        shipments + 2,
        "one УПД per shipment and two ИУПД"
    );
    let corrected: Vec<&&Value> = docs
        .values()
        .filter(|d| !d["correction_of"].is_null())
        .collect();
    assert_eq!(corrected.len(), 2);
    for f in &corrected {
        let original = docs[f["correction_of"].as_str().unwrap()];
        assert_eq!(
            (f["number"].clone(), k(&f["amount"])),
            (original["number"].clone(), k(&original["amount"]))
        );
    }
    assert!(
        docs.values()
            .any(|d| d["corrects"].as_array().is_some_and(|c| c.len() == 2)),
        "a УКД over two УПД"
    );
    // Every 1С-ЭДО state the contract maps, lines at 22% and "без НДС", ОКЕИ codes on every line.
    for state in crate::data::documents::EDO_STATES {
        assert!(docs.values().any(|d| d["edo_state"] == *state), "{state}");
    }
    let lines: Vec<&Value> = docs
        .values()
        .flat_map(|d| d["lines"].as_array().unwrap())
        .collect();
    for rate in ["20%", "22%", "none"] {
        assert!(lines.iter().any(|l| l["vat_rate"] == rate), "{rate}");
    }
    assert!(lines
        .iter()
        .all(|l| l["unit_code"].as_str().is_some_and(|c| c.len() == 3)));
    let mut upd_sum: HashMap<&str, i64> = HashMap::new();
    for d in docs.values() {
        let order = d["orders"][0].as_str().unwrap();
        let o = orders[order];
        match d["kind"].as_str().unwrap() {
            "invoice" => {
                assert_eq!(k(&d["amount"]), k(&o["total"]));
                assert_eq!(k(&d["vat"]), k(&o["vat_total"]));
            }
            "upd" if !d["correction_of"].is_null() => {}
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
                for id in d["corrects"].as_array().unwrap() {
                    let upd = docs[id.as_str().unwrap()];
                    assert_eq!(upd["kind"], "upd");
                    assert_eq!(upd["orders"][0], order);
                }
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
        // An ИУПД keeps its original's amount here: the original stands for it.
        for d in docs.values().filter(|d| d["legal_entity_id"] == le) {
            if d["kind"] != "invoice" && d["correction_of"].is_null() {
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
