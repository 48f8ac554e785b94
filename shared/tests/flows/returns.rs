//! Returns through the same handlers the Workers call, on real SQLite: quantity refusals, a line
//! return, the whole-order remainder, the in-batch guard, 1C's approval, completion and refund,
//! and another company's return as 404.

use crate::helpers::{body, msg, returns};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::http::ApiResponse;
use shared::ports::{Database, Stmt};
use shared::testing::TestPorts;

/// Company A with a buyer and an order of two lines: line 1 (5 pcs) shipped 3 in one shipment
/// and 1 in another, line 2 not shipped; company B with an admin.
fn seeded() -> (TestPorts, String, String, String) {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Pull;
    p.send_from_1c(vec![
        msg("c1", "company", "A", 1, json!({"name": "Альфа", "legal_entities": [{"id": "LE-A", "name": "ООО Альфа", "inn": "7707083893"}]})),
        msg("c2", "company", "B", 1, json!({"name": "Бета", "legal_entities": []})),
    ]);
    p.send_from_1c(vec![
        msg("u1", "user", "uA", 1, json!({"company_id": "A", "email": "buyer@alfa.ru", "full_name": "Покупатель", "roles": ["buyer"]})),
        msg("u2", "user", "uB", 1, json!({"company_id": "B", "email": "admin@beta.ru", "full_name": "Админ", "roles": ["admin"]})),
    ]);
    p.send_from_1c(vec![msg("o1", "order", "O1", 1, json!({
        "company_id": "A", "legal_entity_id": "LE-A", "number": "ЗК-101", "date": "2026-11-01T10:00:00", "status": "partly_shipped",
        "payment_method": "invoice", "total": 700, "vat_total": 0,
        "lines": [
            {"line_no": 1, "article": "A-1", "name": "Подшипник", "quantity": 5, "unit": "шт", "price": 100, "amount": 500, "vat": 0},
            {"line_no": 2, "article": "A-2", "name": "Ремень", "quantity": 2, "unit": "шт", "price": 100, "amount": 200, "vat": 0}],
        "shipments": [
            {"id": "S1", "number": "РН-1", "lines": [{"line_no": 1, "quantity": 3}]},
            {"id": "S2", "number": "РН-2", "lines": [{"line_no": 1, "quantity": 1}]}]
    }))]);
    let buyer = p.activate("buyer@alfa.ru");
    let other = p.activate("admin@beta.ru");
    let order: Value = body(&returns(
        &p,
        "GET",
        "/api/returns/returnable-orders?q=зк",
        None,
        &buyer,
    ));
    let order_id = order["items"][0]["id"]
        .as_str()
        .expect("a returnable order")
        .to_string();
    (p, buyer, other, order_id)
}

fn fields(r: &ApiResponse) -> Vec<(String, String)> {
    body(r)["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn quantities_are_refused_per_line_and_a_line_return_goes_to_1c() {
    let (p, buyer, _, order) = seeded();
    let r = returns(
        &p,
        "POST",
        "/api/returns/returns",
        Some(
            json!({"order_id": order, "lines": [{"line_no": 1, "quantity": "4.5"}, {"line_no": 2, "quantity": 1}], "reason": "other"}),
        ),
        &buyer,
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        fields(&r),
        [
            ("comment".into(), "required".into()),
            (
                "lines[0].quantity".into(),
                "quantity-exceeds-returnable".into()
            ),
            ("lines[1].quantity".into(), "not-shipped".into())
        ]
    );
    assert!(body(&r)["field_errors"][1]["message_ru"]
        .as_str()
        .unwrap()
        .contains("не больше 4 шт"));

    let r = returns(
        &p,
        "POST",
        "/api/returns/returns",
        Some(
            json!({"order_id": order, "lines": [{"line_no": 1, "quantity": "1,5"}], "reason": "defect", "comment": "трещина"}),
        ),
        &buyer,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let ret = body(&r);
    assert_eq!(ret["return"]["status"], "requested");
    assert_eq!(ret["lines"][0]["requested_milli"], 1500);
    assert_eq!(ret["history"][0]["kind"], "return.requested");
    // The answer is built before the write (so it can be stored under an Idempotency-Key): it is
    // exactly the return's page read right after.
    let id = ret["return"]["id"].as_str().unwrap();
    let page = returns(&p, "GET", &format!("/api/returns/returns/{id}"), None, &buyer);
    assert_eq!(ret, body(&page));
    // 1C receives the change with its own ids and exact decimals.
    let pulled = block_on(shared::exchange::api::handle(
        &p,
        p.signed_json("/exchange/v1/changes/pull", &json!({"limit": 10})),
    ));
    let change = &body(&pulled)["items"][0];
    assert_eq!(change["type"], "return.requested");
    assert_eq!(change["payload"]["order_id"], "O1");
    assert_eq!(change["payload"]["company_id"], "A");
    assert_eq!(change["payload"]["lines"][0]["quantity"].to_string(), "1.5");
    // What is left: 4 shipped - 1.5 requested.
    let left = body(&returns(
        &p,
        "GET",
        &format!("/api/returns/returnable-orders/{order}"),
        None,
        &buyer,
    ));
    assert_eq!(left["lines"][0]["returnable_milli"], 2500);
    assert_eq!(left["lines"][1]["returnable_milli"], 0);
}

#[test]
fn the_batch_guard_refuses_a_request_for_a_remainder_already_taken() {
    let (p, buyer, _, order) = seeded();
    let id = returns(
        &p,
        "POST",
        "/api/returns/returns",
        Some(json!({"order_id": order, "whole": true, "reason": "surplus"})),
        &buyer,
    );
    assert_eq!(id.status, 201);
    assert_eq!(body(&id)["lines"][0]["requested_milli"], 4000);
    // A second writer that checked before the first committed: its batch's guard refuses it.
    let lines = json!([{"line_no": 1, "qty": 1000}]).to_string();
    let res = block_on(p.db.batch(
        vec![Stmt::new(shared::returns::sql::RETURN_INSERT_IF_RETURNABLE)
        .bind(order.as_str())
        .bind(company_id(&p))
        .bind("ret_race")
        .bind("surplus")
        .bind(None::<String>)
        .bind(None::<String>)
        .bind("2026-11-28T09:00:00Z")
        .bind(lines)],
    ))
    .unwrap();
    assert_eq!(res[0].changes, 0);
    // Through the API: nothing left, so the whole order is refused.
    let r = returns(
        &p,
        "POST",
        "/api/returns/returns",
        Some(json!({"order_id": order, "whole": true, "reason": "surplus"})),
        &buyer,
    );
    assert_eq!(r.status, 422);
    assert_eq!(fields(&r), [("whole".into(), "nothing-returnable".into())]);
}

fn company_id(p: &TestPorts) -> String {
    use shared::ports::DatabaseExt;
    #[derive(serde::Deserialize)]
    struct C {
        id: String,
    }
    block_on(p.db.first::<C>(Stmt::new("SELECT id FROM companies WHERE onec_id = 'A'")))
        .unwrap()
        .unwrap()
        .id
}

#[test]
fn approved_then_completed_with_the_refund_and_hidden_from_others() {
    let (p, buyer, other, order) = seeded();
    let r = returns(
        &p,
        "POST",
        "/api/returns/returns",
        Some(
            json!({"order_id": order, "lines": [{"line_no": 1, "quantity": 3}], "reason": "defect"}),
        ),
        &buyer,
    );
    let id = body(&r)["return"]["id"].as_str().unwrap().to_string();
    p.send_from_1c(vec![msg("r1", "return", "R1", 1, json!({"company_id": "A", "portal_id": id, "order_id": "O1", "number": "ВЗ-7",
        "date": "2026-11-28T12:00:00", "status": "approved", "lines": [{"line_no": 1, "quantity": 2}], "refund_amount": 200}))]);
    // 1C approved 2 of 3: one more piece becomes returnable again (4 shipped - 2).
    let left = body(&returns(
        &p,
        "GET",
        &format!("/api/returns/returnable-orders/{order}"),
        None,
        &buyer,
    ));
    assert_eq!(left["lines"][0]["returnable_milli"], 2000);
    p.send_from_1c(vec![
        msg("r2", "return", "R1", 2, json!({"company_id": "A", "portal_id": id, "order_id": "O1", "number": "ВЗ-7",
            "date": "2026-11-28T12:00:00", "status": "completed", "lines": [{"line_no": 1, "quantity": 2}], "refund_amount": 200})),
        msg("m1", "account_movement", "MV1", 1, json!({"company_id": "A", "date": "2026-11-28T13:00:00", "kind": "refund", "amount": 200, "return_id": "R1"})),
    ]);
    let d = body(&returns(
        &p,
        "GET",
        &format!("/api/returns/returns/{id}"),
        None,
        &buyer,
    ));
    assert_eq!(d["return"]["status"], "completed");
    assert_eq!(d["return"]["number"], "ВЗ-7");
    assert_eq!(d["lines"][0]["approved_milli"], 2000);
    assert_eq!(d["refunds"][0]["id"], "MV1");
    assert_eq!(d["refunded_kop"], 20000);
    let kinds: Vec<&str> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "return.requested",
            "return.status_by_1c",
            "return.status_by_1c"
        ]
    );
    let list = body(&returns(
        &p,
        "GET",
        "/api/returns/returns?status=completed",
        None,
        &buyer,
    ));
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0]["order_number"], "ЗК-101");
    assert_eq!(
        body(&returns(
            &p,
            "GET",
            "/api/returns/returns?status=requested",
            None,
            &buyer
        ))["items"],
        json!([])
    );
    // Another company: 404 for the return, an empty list, its order unknown.
    assert_eq!(
        returns(
            &p,
            "GET",
            &format!("/api/returns/returns/{id}"),
            None,
            &other
        )
        .status,
        404
    );
    assert_eq!(
        body(&returns(&p, "GET", "/api/returns/returns", None, &other))["items"],
        json!([])
    );
    let r = returns(
        &p,
        "POST",
        "/api/returns/returns",
        Some(json!({"order_id": order, "whole": true, "reason": "defect"})),
        &other,
    );
    assert_eq!(fields(&r), [("order_id".into(), "unknown-order".into())]);
}
