use super::*;
use shared::money::{Kopecks, Milli};
use std::collections::HashMap;

/// An amount exactly as the portal reads it (refusing more than 2 decimals).
fn k(v: &Value) -> i64 {
    assert!(v.is_number(), "{v}");
    Kopecks::parse(&v.to_string())
        .unwrap_or_else(|e| panic!("{v}: {e:?}"))
        .0
}
fn q(v: &Value) -> i64 {
    assert!(v.is_number(), "{v}");
    Milli::parse(&v.to_string())
        .unwrap_or_else(|e| panic!("{v}: {e:?}"))
        .0
}
fn t(v: &Value) -> NaiveDateTime {
    let s = v.as_str().unwrap();
    assert!(shared::time::parse_1c_datetime(s).unwrap().is_some(), "{s}");
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
}

fn of_type<'a>(msgs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    msgs.iter().filter(|m| m["type"] == kind).collect()
}

/// Every rule of the brief, checked on the JSON as sent.
fn check(products: usize, count: usize) -> Vec<Value> {
    let msgs = sales_messages(products, count);
    let states = of_type(&msgs, "credit_state");
    let orders = of_type(&msgs, "order");
    let schedules = of_type(&msgs, "payment_schedule");
    assert_eq!(states.len(), 4);
    assert_eq!(orders.len(), count);
    assert_eq!(states.len() + orders.len() + schedules.len(), msgs.len());
    let ids: HashSet<&str> = msgs.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), msgs.len(), "message ids are unique");
    for m in &msgs {
        assert_eq!(m["seq"], 1);
        assert_eq!(
            m["id"],
            format!(
                "sim-{}-{}-1",
                m["type"].as_str().unwrap(),
                m["entity_id"].as_str().unwrap()
            )
        );
    }

    let cs = companies();
    let agreement = |id: &str| {
        cs.iter()
            .flat_map(|c| c.agreements.iter().map(move |a| (c.entity_id, a)))
            .find(|(_, a)| a.0 == id)
            .unwrap()
    };
    let by_id: HashMap<&str, &Value> = orders
        .iter()
        .map(|m| (m["entity_id"].as_str().unwrap(), &m["payload"]))
        .collect();
    let as_of = as_of();
    let mut numbers = HashSet::new();
    let mut prev_date = None;
    for m in &orders {
        let o = &m["payload"];
        let id = m["entity_id"].as_str().unwrap();
        let date = t(&o["date"]);
        let number: usize = o["number"]
            .as_str()
            .unwrap()
            .strip_prefix("ЗК-")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(id, format!("o-{}-{number:06}", date.year()));
        assert!(numbers.insert(number));
        assert!(prev_date <= Some(date), "numbered in date order");
        prev_date = Some(date);
        assert!(
            date < as_of && date >= as_of - Duration::days(HISTORY_DAYS as i64 + 1),
            "{id}"
        );
        assert!(t(&o["planned_shipping_date"]) > date, "{id}");
        let (company, ag) = agreement(o["agreement_id"].as_str().unwrap());
        assert_eq!(o["company_id"], company);
        assert_eq!(o["legal_entity_id"], ag.1);
        let status = o["status"].as_str().unwrap();
        let payment = o["payment_method"].as_str().unwrap();
        assert!(STATUSES.contains(&status) && PAYMENT_METHODS.contains(&payment));
        assert!(DELIVERY_METHODS.contains(&o["delivery_method"].as_str().unwrap()));
        assert_eq!(
            o["delivery_address"].is_null(),
            o["delivery_method"] == "pickup"
        );
        if let Some(email) = o["author_email"].as_str() {
            assert!(
                users().iter().any(|u| u.email == email
                    && u.company == company
                    && u.roles.contains(&"buyer")),
                "{email}"
            );
        }

        // Lines: exact amounts, at the agreement's price type.
        let lines = o["lines"].as_array().unwrap();
        assert!((1..=12).contains(&lines.len()));
        let (mut total, mut vat_total) = (0, 0);
        for (j, l) in lines.iter().enumerate() {
            assert_eq!(l["line_no"], j + 1);
            let (qty, price, amount) = (q(&l["quantity"]), k(&l["price"]), k(&l["amount"]));
            assert!(qty > 0 && price > 0);
            assert_eq!(
                amount,
                (qty as i128 * price as i128 * 2 + 1000).div_euclid(2000) as i64,
                "{id} line {j}: round(qty x price)"
            );
            assert_eq!(
                k(&l["vat"]),
                (amount * 2 * 20 + 120) / 240,
                "{id} line {j}: vat"
            );
            total += amount;
            vat_total += k(&l["vat"]);
        }
        assert_eq!(k(&o["total"]), total, "{id}");
        assert_eq!(k(&o["vat_total"]), vat_total, "{id}");

        // Paid agrees with the status.
        let paid = k(&o["paid"]);
        assert!((0..=total).contains(&paid), "{id}");
        match status {
            "draft" | "cancelled" => assert_eq!(paid, 0, "{id}"),
            "paid" => assert_eq!(paid, total, "{id}"),
            "shipped" | "partly_shipped" if payment != "credit" => {
                assert_eq!(paid, total, "{id}")
            }
            "awaiting_payment" | "reserved" => assert!(paid < total, "{id}"),
            _ => {}
        }

        // Shipments cover all lines of a shipped order, part of a partly shipped one.
        let mut shipped = vec![0i64; lines.len()];
        let ships = o["shipments"].as_array().unwrap();
        for s in ships {
            let sd = t(&s["date"]);
            assert!(sd > date && sd < as_of, "{id}");
            assert!(!s["documents"].as_array().unwrap().is_empty());
            assert!(!s["lines"].as_array().unwrap().is_empty());
            for sl in s["lines"].as_array().unwrap() {
                shipped[sl["line_no"].as_u64().unwrap() as usize - 1] += q(&sl["quantity"]);
            }
        }
        let ordered: Vec<i64> = lines.iter().map(|l| q(&l["quantity"])).collect();
        match status {
            "shipped" => {
                assert!((1..=3).contains(&ships.len()), "{id}");
                assert_eq!(shipped, ordered, "{id}");
            }
            "partly_shipped" => {
                assert!(!ships.is_empty(), "{id}");
                assert!(shipped.iter().zip(&ordered).all(|(s, o)| s <= o), "{id}");
                assert!(shipped.iter().any(|s| *s > 0) && shipped != ordered, "{id}");
            }
            _ => assert!(ships.is_empty(), "{id}"),
        }
    }

    // Coverage of every status, delivery and payment method; the dealer never on credit.
    for (field, values) in [
        ("status", STATUSES),
        ("delivery_method", DELIVERY_METHODS),
        ("payment_method", PAYMENT_METHODS),
    ] {
        for v in values {
            assert!(
                orders.iter().any(|m| m["payload"][field] == *v),
                "{field} {v} missing"
            );
        }
    }
    assert!(!orders
        .iter()
        .any(|m| m["payload"]["company_id"] == "c-step"
            && m["payload"]["payment_method"] == "credit"));
    for c in ["c-kuban", "c-petrov", "c-step"] {
        assert!(orders.iter().any(|m| m["payload"]["company_id"] == c));
    }
    let kuban = orders
        .iter()
        .filter(|m| m["payload"]["company_id"] == "c-kuban")
        .count();
    assert!(kuban * 2 > count, "most orders are the holding's");

    // Payment schedules: exactly the credit orders not cancelled; stages sum to the total.
    let credit: HashSet<&str> = orders
        .iter()
        .filter(|m| {
            m["payload"]["payment_method"] == "credit" && m["payload"]["status"] != "cancelled"
        })
        .map(|m| m["entity_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        schedules
            .iter()
            .map(|m| m["entity_id"].as_str().unwrap())
            .collect::<HashSet<_>>(),
        credit
    );
    for m in &schedules {
        let s = &m["payload"];
        let o = by_id[m["entity_id"].as_str().unwrap()];
        assert_eq!(s["order_id"], m["entity_id"]);
        assert_eq!(s["agreement_id"], o["agreement_id"]);
        assert_eq!(s["company_id"], o["company_id"]);
        let stages = s["stages"].as_array().unwrap();
        assert!((1..=2).contains(&stages.len()));
        assert_eq!(
            stages.iter().map(|st| k(&st["amount"])).sum::<i64>(),
            k(&o["total"])
        );
        assert_eq!(
            stages.iter().map(|st| k(&st["paid"])).sum::<i64>(),
            k(&o["paid"])
        );
        let deferral = agreement(o["agreement_id"].as_str().unwrap()).1 .4 as i64;
        for (j, st) in stages.iter().enumerate() {
            assert!(k(&st["paid"]) >= 0 && k(&st["paid"]) <= k(&st["amount"]));
            let expected = t(&o["date"]).date() + Duration::days(deferral + 15 * j as i64);
            assert_eq!(t(&st["due_date"]), expected.and_hms_opt(0, 0, 0).unwrap());
        }
    }

    // Credit positions agree with the orders.
    let mut blocked = 0;
    for m in &states {
        let s = &m["payload"];
        let ag_id = s["agreement_id"].as_str().unwrap();
        assert_eq!(m["entity_id"], ag_id);
        let (company, ag) = agreement(ag_id);
        assert_eq!(s["company_id"], company);
        assert_eq!(s["as_of"], AS_OF);
        assert_eq!(k(&s["limit"]), (ag.3 * 100.0) as i64);
        let listed: Vec<&str> = s["reserve_orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut reserve = 0;
        for id in &listed {
            let o = by_id[id];
            assert_eq!(o["agreement_id"], ag_id);
            assert_eq!(o["payment_method"], "credit");
            assert!(k(&o["paid"]) < k(&o["total"]), "{id} unpaid");
            assert!(
                o["shipments"].as_array().unwrap().is_empty(),
                "{id} not shipped"
            );
            assert!(
                !matches!(
                    o["status"].as_str().unwrap(),
                    "shipped" | "partly_shipped" | "cancelled" | "draft" | "paid"
                ),
                "{id}"
            );
            reserve += k(&o["total"]) - k(&o["paid"]);
        }
        assert_eq!(k(&s["reserve"]), reserve, "{ag_id}");
        // And every such order is listed.
        let expected: HashSet<&str> = orders
            .iter()
            .filter(|m| {
                m["payload"]["agreement_id"] == ag_id
                    && m["payload"]["payment_method"] == "credit"
                    && m["payload"]["status"] == "reserved"
            })
            .filter(|m| k(&m["payload"]["paid"]) < k(&m["payload"]["total"]))
            .map(|m| m["entity_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            listed.iter().copied().collect::<HashSet<_>>(),
            expected,
            "{ag_id}"
        );
        let (debt, overdue, to_pay) =
            (k(&s["debt"]), k(&s["overdue_debt"]), k(&s["amount_to_pay"]));
        assert!(debt >= overdue && overdue >= 0, "{ag_id}");
        if s["blocked"] == true {
            blocked += 1;
            assert_eq!(company, "c-petrov");
            assert!(to_pay > 0 && to_pay == overdue, "{ag_id}");
        } else {
            assert_eq!((overdue, to_pay), (0, 0), "{ag_id}");
        }
        match company {
            "c-step" => {
                assert_eq!((debt, reserve, s["blocked"].as_bool()), (0, 0, Some(false)))
            }
            "c-kuban" => {
                assert!(debt > 0 && reserve > 0, "{ag_id}: some debt and a reserve");
                assert!(
                    debt + reserve <= k(&s["limit"]),
                    "{ag_id}: within the limit ({debt} + {reserve})"
                );
            }
            _ => {}
        }
    }
    assert_eq!(blocked, 1, "the farm's agreement is blocked");
    msgs
}

#[test]
fn demo_sales_history() {
    check(300, 60);
}

#[test]
fn seed_sales_history() {
    let msgs = check(5000, 2000);
    assert_eq!(msgs, sales_messages(5000, 2000), "deterministic");
}

#[test]
fn small_catalogues_and_counts() {
    assert_eq!(sales_messages(0, 60).len(), 4, "no orders without products");
    assert_eq!(of_type(&sales_messages(2, 5), "order").len(), 5);
    assert_eq!(of_type(&sales_messages(300, 0), "credit_state").len(), 4);
}
