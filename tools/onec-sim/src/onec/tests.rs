//! The simulated 1C's decisions on its own, without a portal: what it sends after each change
//! and manager action, every message checked with the portal's own validation.

use super::apply::{run, Step};
use super::model::{kop, Model, Out};
use super::rules::Rule;
use serde_json::{json, Value};

fn valid(out: &Out) {
    for m in &out.messages {
        let raw: shared::exchange::contract::RawMessage =
            serde_json::from_value(m.clone()).unwrap();
        if let Err(e) = shared::exchange::contract::validate(&raw) {
            panic!("{}: {e:?}\n{m}", m["type"]);
        }
    }
    for f in &out.files {
        assert!(f.bytes.starts_with(b"%PDF"));
        assert!(out.messages.iter().any(|m| m.to_string().contains(&f.key)));
    }
}

fn of<'a>(out: &'a Out, kind: &str) -> Vec<&'a Value> {
    out.messages.iter().filter(|m| m["type"] == kind).collect()
}

fn model() -> Model {
    let mut m = Model::default();
    m.record(&[
        json!({"type": "company", "entity_id": "c1", "seq": 1, "payload": {"name": "К", "legal_entities": [{"id": "le1"}],
            "agreements": [{"id": "ag1", "legal_entity_id": "le1", "credit_limit": 1000, "price_type": {"id": "pt", "name": "Опт"}}]}}),
        json!({"type": "product", "entity_id": "p1", "seq": 1, "payload": {"article": "A-1", "name": "Фильтр", "unit": "шт",
            "prices": [{"price_type": {"id": "pt", "name": "Опт"}, "price": 100.5}]}}),
        json!({"type": "order", "entity_id": "o1", "seq": 1, "payload": {"company_id": "c1", "legal_entity_id": "le1", "agreement_id": "ag1",
            "number": "ЗК-1", "date": "2026-11-20T10:00:00", "status": "reserved", "payment_method": "credit", "paid": 0, "total": 201,
            "vat_total": 33.5, "lines": [{"line_no": 1, "product_id": "p1", "article": "A-1", "name": "Фильтр", "quantity": 2, "unit": "шт",
            "price": 100.5, "amount": 201, "vat_rate": 20, "vat": 33.5}], "shipments": []}}),
        json!({"type": "credit_state", "entity_id": "ag1", "seq": 1, "payload": {"company_id": "c1", "agreement_id": "ag1", "as_of": "2026-11-27T18:00:00",
            "limit": 1000, "debt": 100, "overdue_debt": 0, "reserve": 201, "reserve_orders": ["o1"], "blocked": false, "amount_to_pay": 0}}),
    ]);
    m
}

fn change(kind: &str, payload: Value) -> Step {
    Step::Change(
        json!({"id": "out_1", "type": kind, "entity_id": "o1", "payload": payload}),
        Rule::default(),
    )
}

#[test]
fn an_edit_comes_back_with_exact_amounts_a_higher_seq_and_the_credit_recomputed() {
    let mut m = model();
    let (out, next) = run(
        &mut m,
        change(
            "order.changed",
            json!({"company_id": "c1", "order_id": "o1", "planned_shipping_date": "2026-12-10T00:00:00",
                "delivery_method": "pickup", "delivery_address": null, "consignee_id": null, "consignee_portal_id": null, "total": 251.25,
                "lines": [{"line_no": 1, "product_id": "p1", "article": "A-1", "name": "Фильтр", "quantity": 2.5, "unit": "шт", "price": 100.5, "amount": 251.25, "vat_rate": 20}]}),
        ),
        0,
    );
    valid(&out);
    assert!(next.is_empty());
    let o = &of(&out, "order")[0];
    assert!(o["seq"].as_i64().unwrap() > 1);
    assert!(out
        .messages
        .iter()
        .all(|m| m["payload"]["change_ids"] == json!(["out_1"])));
    assert_eq!(kop(&o["payload"]["total"]), 25125);
    assert_eq!(o["payload"]["lines"][0]["quantity"], json!(2.5));
    assert_eq!(o["payload"]["planned_shipping_date"], "2026-12-10T00:00:00");
    let c = &of(&out, "credit_state")[0]["payload"];
    assert_eq!((kop(&c["reserve"]), kop(&c["debt"])), (25125, 10000));
}

#[test]
fn a_cancellation_releases_the_reserve_and_a_company_1c_does_not_hold_gets_nothing() {
    let mut m = model();
    let (out, _) = run(
        &mut m,
        change(
            "order.cancelled",
            json!({"company_id": "c1", "order_id": "o1"}),
        ),
        0,
    );
    valid(&out);
    assert_eq!(of(&out, "order")[0]["payload"]["status"], "cancelled");
    let c = &of(&out, "credit_state")[0]["payload"];
    assert_eq!(
        (kop(&c["reserve"]), c["reserve_orders"].clone()),
        (0, json!([]))
    );
    let (none, _) = run(
        &mut m,
        change(
            "order.cancelled",
            json!({"company_id": "c9", "order_id": "o1"}),
        ),
        0,
    );
    assert!(none.is_empty());
}

#[test]
fn an_account_payment_is_one_movement_naming_the_change_and_a_paid_order() {
    let mut m = model();
    let (out, _) = run(
        &mut m,
        change(
            "order.paid_from_account",
            json!({"company_id": "c1", "order_id": "o1", "amount": 201}),
        ),
        0,
    );
    valid(&out);
    let mv = &of(&out, "account_movement");
    assert_eq!(mv.len(), 1);
    assert_eq!(mv[0]["payload"]["change_id"], "out_1");
    assert_eq!(kop(&mv[0]["payload"]["amount"]), -20100);
    assert_eq!(of(&out, "order")[0]["payload"]["status"], "paid");
}

#[test]
fn an_act_from_the_ledger_and_a_partly_approved_return_completed_later() {
    let mut m = model();
    m.record(&[
        json!({"type": "opening_balance", "entity_id": "ob", "seq": 1, "payload": {"company_id": "c1", "legal_entity_id": "le1", "date": "2026-07-01T00:00:00", "balance": 500}}),
        json!({"type": "document", "entity_id": "upd1", "seq": 1, "payload": {"company_id": "c1", "legal_entity_id": "le1", "kind": "upd", "number": "1",
            "date": "2026-06-20T10:00:00", "amount": 50, "orders": ["o1"]}}),
        json!({"type": "document", "entity_id": "upd2", "seq": 1, "payload": {"company_id": "c1", "legal_entity_id": "le1", "kind": "upd", "number": "2",
            "date": "2026-08-03T10:00:00", "amount": 1000, "orders": ["o1"]}}),
        json!({"type": "payment", "entity_id": "pay", "seq": 1, "payload": {"company_id": "c1", "legal_entity_id": "le1", "number": "7",
            "date": "2026-08-20T10:00:00", "amount": 1200, "posted": true}}),
    ]);
    let (out, _) = run(
        &mut m,
        change(
            "act.requested",
            json!({"company_id": "c1", "portal_id": "act_1", "legal_entity_id": "le1", "agreement_id": null,
                "period_from": "2026-07-01T00:00:00", "period_to": "2026-09-30T00:00:00"}),
        ),
        0,
    );
    valid(&out);
    let a = &of(&out, "reconciliation_act")[0]["payload"];
    assert_eq!(a["request_id"], "act_1");
    assert_eq!(
        [
            &a["opening_balance"],
            &a["debit_total"],
            &a["credit_total"],
            &a["closing_balance"]
        ]
        .map(kop),
        [50000, 100000, 120000, 30000],
        "the УПД before the opening balance's date is in it already"
    );

    let rule = Rule {
        decision: Some("partly".into()),
        ..Default::default()
    };
    let ret = json!({"id": "out_2", "type": "return.requested", "entity_id": "", "payload": {"company_id": "c1", "portal_id": "ret_1",
        "order_id": "o1", "reason_code": "defect", "lines": [{"line_no": 1, "quantity": 2}]}});
    let (out, next) = run(&mut m, Step::Change(ret, rule), 5);
    valid(&out);
    let r = &of(&out, "return")[0];
    assert_eq!(
        (r["entity_id"].as_str(), r["payload"]["status"].as_str()),
        (Some("r-ret_1"), Some("approved"))
    );
    assert_eq!(
        r["payload"]["lines"],
        json!([{"line_no": 1, "quantity": 1}])
    );
    assert_eq!(kop(&r["payload"]["refund_amount"]), 10050);
    let [(5, step)] = <[_; 1]>::try_from(next).unwrap() else {
        panic!("completed 5 ms later")
    };
    let (done, _) = run(&mut m, step, 0);
    valid(&done);
    assert_eq!(of(&done, "return")[0]["payload"]["status"], "completed");
    assert_eq!(
        kop(&of(&done, "account_movement")[0]["payload"]["amount"]),
        10050
    );
    let ukd = &of(&done, "document")[0]["payload"];
    assert_eq!(
        (ukd["kind"].as_str(), kop(&ukd["amount"])),
        (Some("ukd"), -10050)
    );
    assert!(["upd1", "upd2"].contains(&ukd["corrects"][0].as_str().unwrap()));
}

#[test]
fn managers_ship_by_two_vehicles_block_credit_and_take_phone_orders() {
    let mut m = model();
    let (_, out) = super::manager::act(
        &mut m,
        &json!({"action": "ship", "order_id": "o1", "vehicles": 2}),
    )
    .unwrap();
    valid(&out);
    assert_eq!(of(&out, "order")[0]["payload"]["status"], "shipped");
    // One line cannot go in two vehicles: one shipment.
    assert_eq!(of(&out, "document").len(), 1);
    let c = &of(&out, "credit_state")[0]["payload"];
    assert_eq!((kop(&c["reserve"]), kop(&c["debt"])), (0, 30100));
    let (_, out) = super::manager::act(
        &mut m,
        &json!({"action": "block_credit", "agreement_id": "ag1", "amount_to_pay": 50}),
    )
    .unwrap();
    valid(&out);
    assert_eq!(of(&out, "credit_state")[0]["payload"]["blocked"], true);
    let (made, out) = super::manager::act(
        &mut m,
        &json!({"action": "phone_order", "company_id": "c1", "lines": [{"product_id": "p1", "quantity": 3}]}),
    )
    .unwrap();
    valid(&out);
    let o = &of(&out, "order")[0];
    assert_eq!(o["entity_id"], made["order_id"]);
    assert_eq!(kop(&o["payload"]["total"]), 30150);
    assert!(super::manager::act(&mut m, &json!({"action": "ship", "order_id": "nope"})).is_err());
}

#[test]
fn orders_shipped_together_get_one_day_the_warehouse_ships() {
    let mut m = model();
    let mut o2 = m.payload("order", "o1").unwrap();
    o2["planned_shipping_date"] = json!("2026-12-04T00:00:00");
    m.record(&[
        json!({"type": "order", "entity_id": "o2", "seq": 1, "payload": o2}),
        json!({"type": "shipping_calendar", "entity_id": "main", "seq": 1, "payload": {"from": "2026-12-01T00:00:00",
            "to": "2026-12-31T00:00:00", "days_off": ["2026-12-05T00:00:00", "2026-12-06T00:00:00"]}}),
    ]);
    let step = change(
        "order.shipments_consolidation_requested",
        json!({"company_id": "c1", "orders": ["o1", "o2"], "planned_shipping_date": "2026-12-05T00:00:00"}),
    );
    let (out, _) = run(&mut m, step, 0);
    valid(&out);
    let days: Vec<&Value> = of(&out, "order")
        .iter()
        .map(|o| &o["payload"]["planned_shipping_date"])
        .collect();
    assert_eq!(
        days,
        [&json!("2026-12-07T00:00:00"), &json!("2026-12-07T00:00:00")]
    );
    // Without a day: the latest of theirs.
    let (out, _) = run(
        &mut m,
        change(
            "order.shipments_consolidation_requested",
            json!({"company_id": "c1", "orders": ["o1", "o2"]}),
        ),
        0,
    );
    assert_eq!(
        of(&out, "order")[0]["payload"]["planned_shipping_date"],
        "2026-12-07T00:00:00"
    );
}

#[test]
fn an_added_employee_and_consignee_come_back_with_1c_ids_and_the_portal_ids() {
    let mut m = model();
    let add = json!({"id": "out_5", "type": "employee.added", "entity_id": "", "payload": {"company_id": "c1", "portal_id": "usr_1",
        "email": "a@b.ru", "full_name": "Иванов Иван", "position": null, "phone": null, "roles": ["buyer"]}});
    let (out, _) = run(&mut m, Step::Change(add, Rule::default()), 0);
    valid(&out);
    assert_eq!(
        (
            out.messages[0]["entity_id"].as_str(),
            out.messages[0]["payload"]["portal_id"].as_str()
        ),
        (Some("u-usr_1"), Some("usr_1"))
    );
    let gone = json!({"id": "out_6", "type": "employee.removed", "entity_id": "u-usr_1", "payload": {"company_id": "c1", "portal_id": "usr_1"}});
    let (out, _) = run(&mut m, Step::Change(gone, Rule::default()), 0);
    assert_eq!(out.messages[0]["payload"]["active"], false);
    let k = json!({"id": "out_7", "type": "consignee.added", "entity_id": "", "payload": {"company_id": "c1", "consignee_id": null, "portal_id": "csg_1",
        "name": "Склад", "address": "Кореновск, ул. Мира, 1", "inn": null, "kpp": null, "contact_person": null, "phone": null}});
    let (out, _) = run(&mut m, Step::Change(k, Rule::default()), 0);
    valid(&out);
    assert_eq!(out.messages[0]["entity_id"], "k-csg_1");
}

#[test]
fn a_resync_resends_what_1c_holds_of_the_company_at_its_seq() {
    let mut m = model();
    m.record(&[
        json!({"type": "company", "entity_id": "c2", "seq": 4, "payload": {"name": "Другая", "legal_entities": []}}),
        json!({"type": "order", "entity_id": "o2", "seq": 7, "payload": {"company_id": "c2", "number": "ЗК-2"}}),
        json!({"type": "order", "entity_id": "o1", "seq": 3, "payload": {"company_id": "c1", "legal_entity_id": "le1", "agreement_id": "ag1",
            "number": "ЗК-1", "date": "2026-11-20T10:00:00", "status": "reserved", "payment_method": "credit", "paid": 0, "total": 201,
            "vat_total": 33.5, "lines": [{"line_no": 1, "product_id": "p1", "article": "A-1", "name": "Фильтр", "quantity": 2, "unit": "шт",
            "price": 100.5, "amount": 201, "vat_rate": 20, "vat": 33.5}], "shipments": [], "change_ids": ["out_old"]}}),
    ]);
    let change = json!({"id": "out_rs1", "type": "resync.requested", "entity_type": "company", "entity_id": "c1", "base_version": 0,
        "payload": {"company_id": "c1", "entity_types": ["company", "credit_state", "order"], "reason": "restore"}});
    let (out, next) = run(&mut m, Step::Change(change.clone(), Rule::default()), 0);
    assert!(next.is_empty());
    // (Not `valid`: this model's fixture company is sketchy; the messages are what it holds.)
    let sent: Vec<(String, String, i64)> = out
        .messages
        .iter()
        .map(|x| {
            (
                x["type"].as_str().unwrap().into(),
                x["entity_id"].as_str().unwrap().into(),
                x["seq"].as_i64().unwrap(),
            )
        })
        .collect();
    // Only c1's, in the asked order, each at the seq 1C holds (not renumbered); no product.
    assert_eq!(
        sent,
        [
            ("company".into(), "c1".into(), 1),
            ("credit_state".into(), "ag1".into(), 1),
            ("order".into(), "o1".into(), 3)
        ]
    );
    // Nothing names a change; message ids are new, and the same for the same request.
    assert!(out
        .messages
        .iter()
        .all(|x| x["payload"].get("change_ids").is_none()));
    let (again, _) = run(&mut m, Step::Change(change, Rule::default()), 0);
    assert_eq!(again.messages[0]["id"], out.messages[0]["id"]);
    assert!(out
        .messages
        .iter()
        .all(|x| x["id"].as_str().unwrap().len() <= 100));
    // A company 1C does not hold: nothing.
    let lost = json!({"id": "out_rs2", "type": "resync.requested", "payload": {"company_id": "c9", "entity_types": ["company"]}});
    assert!(run(&mut m, Step::Change(lost, Rule::default()), 0)
        .0
        .messages
        .is_empty());
    // The manifest lists one company's ids with their seq.
    assert_eq!(
        m.manifest("order", Some("c1")),
        vec![json!({"id": "o1", "seq": 3})]
    );
    assert_eq!(
        m.manifest("company", Some("c2")),
        vec![json!({"id": "c2", "seq": 4})]
    );
}

#[test]
fn a_manager_blocks_one_companys_credit_under_a_typical_agreement() {
    let mut m = Model::default();
    let company = |c: &str, limit: i64| {
        json!({"type": "company", "entity_id": c, "seq": 1, "payload": {"name": c, "legal_entities": [{"id": format!("le-{c}")}],
            "agreements": [{"id": "ta", "kind": "typical", "name": "Типовое", "credit_limit": limit, "deferral_days": 14}]}})
    };
    m.record(&[company("c1", 1000), company("c2", 500)]);
    // Which company's credit: a typical agreement serves both.
    assert!(super::manager::act(
        &mut m,
        &json!({"action": "block_credit", "agreement_id": "ta"})
    )
    .is_err());
    let (_, out) = super::manager::act(
        &mut m,
        &json!({"action": "block_credit", "agreement_id": "ta", "company_id": "c2", "amount_to_pay": 50}),
    )
    .unwrap();
    valid(&out);
    let s = of(&out, "credit_state")[0];
    assert_eq!(s["entity_id"], "ta/c2");
    assert_eq!(s["payload"]["company_id"], "c2");
    assert_eq!(s["payload"]["blocked"], true);
    assert_eq!(s["payload"]["limit"], 500);
    assert!(!s["id"].as_str().unwrap().contains('/'));
    // c1's position is its own and untouched.
    assert_eq!(
        m.credit_state("c1", "ta").unwrap()["payload"]["blocked"],
        false
    );
}
