//! Card payment through the same handlers the Workers call, on real SQLite, with a fake YooKassa:
//! one payment per order however often asked, a receipt that adds up, notifications trusted only
//! after the payment is read back, the paid order sent to 1C once, refusals, another company's
//! order as 404.

use crate::helpers::{body, count, msg, order_id, orders};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::http::ApiResponse;
use shared::testing::TestPorts;

/// A notification as YooKassa posts it: no cookie, no Origin.
fn notify(p: &TestPorts, event: &str, object: Value) -> ApiResponse {
    let b = json!({"type": "notification", "event": event, "object": object});
    block_on(shared::orders::api::handle(
        p,
        shared::http::ApiRequest {
            method: "POST".into(),
            path: "/api/orders/card-notifications".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&b).unwrap(),
            origin: "http://127.0.0.1:8787".into(),
            client_ip: Some("185.71.76.1".into()),
            ..Default::default()
        },
    ))
}

fn order_msg(id: &str, entity: &str, number: &str, status: &str, method: &str) -> Value {
    msg(
        id,
        "order",
        entity,
        1,
        json!({
            "company_id": "A", "legal_entity_id": "LE-A", "number": number, "date": "2026-11-27T10:00:00",
            "status": status, "payment_method": method, "total": 1250.00, "vat_total": 41.67,
            "lines": [
                {"line_no": 1, "article": "A-1", "name": "Подшипник 6205-2RS", "quantity": 3, "unit": "шт", "price": 333.33, "amount": 1000.00, "vat_rate": null, "vat": 0},
                {"line_no": 2, "article": "A-2", "name": "Смазка Литол-24", "quantity": 2.5, "unit": "кг", "price": 100, "amount": 250.00, "vat_rate": 20, "vat": 41.67}]
        }),
    )
}

/// Company A with a buyer and an accountant, orders: O1 payable (reserved, invoice, 1250.00),
/// O2 shipped, O3 on credit; company B with an admin.
fn seeded() -> (TestPorts, String, String, String, String) {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Pull;
    p.send_from_1c(vec![
        msg("c1", "company", "A", 1, json!({"name": "Альфа", "legal_entities": [{"id": "LE-A", "name": "ООО Альфа", "inn": "7707083893"}]})),
        msg("c2", "company", "B", 1, json!({"name": "Бета", "legal_entities": []})),
    ]);
    p.send_from_1c(vec![
        msg("u1", "user", "uA", 1, json!({"company_id": "A", "email": "buyer@alfa.ru", "full_name": "Покупатель", "roles": ["buyer"]})),
        msg("u2", "user", "uA2", 1, json!({"company_id": "A", "email": "acc@alfa.ru", "full_name": "Бухгалтер", "roles": ["accountant"]})),
        msg("u3", "user", "uB", 1, json!({"company_id": "B", "email": "admin@beta.ru", "full_name": "Админ", "roles": ["admin"]})),
    ]);
    p.send_from_1c(vec![
        order_msg("o1", "O1", "ЗК-101", "reserved", "invoice"),
        order_msg("o2", "O2", "ЗК-102", "shipped", "invoice"),
        order_msg("o3", "O3", "ЗК-103", "reserved", "credit"),
    ]);
    let buyer = p.activate("buyer@alfa.ru");
    let acc = p.activate("acc@alfa.ru");
    let other = p.activate("admin@beta.ru");
    (p, buyer, acc, other, String::new())
}

fn pay(p: &TestPorts, order: &str, who: &str) -> ApiResponse {
    orders(
        p,
        "POST",
        &format!("/api/orders/orders/{order}/card-payments"),
        None,
        who,
    )
}

fn detail(p: &TestPorts, order: &str, who: &str) -> Value {
    body(&orders(
        p,
        "GET",
        &format!("/api/orders/orders/{order}"),
        None,
        who,
    ))
}

#[test]
fn one_payment_per_order_with_a_receipt_that_adds_up() {
    let (p, buyer, _, _, _) = seeded();
    let o1 = order_id(&p, "O1");
    assert_eq!(detail(&p, &o1, &buyer)["can_pay_by_card"], true);
    let r = pay(&p, &o1, &buyer);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let created = body(&r);
    assert_eq!(created["amount_kop"], 125000);
    assert_eq!(created["payment_id"], "yk-1");
    assert_eq!(
        created["confirmation_url"],
        "https://yoomoney.test/checkout/yk-1"
    );
    let sent = p.onec.yookassa.creates.borrow()[0].clone();
    assert_eq!(
        sent["amount"],
        json!({"value": "1250.00", "currency": "RUB"})
    );
    assert_eq!(sent["capture"], true);
    assert_eq!(
        sent["confirmation"]["return_url"],
        format!("http://127.0.0.1:8787/#/orders/{o1}?card=return")
    );
    assert_eq!(sent["metadata"]["order_id"], o1.as_str());
    assert_eq!(sent["receipt"]["customer"]["email"], "buyer@alfa.ru");
    let items = sent["receipt"]["items"].as_array().unwrap();
    // 1000.00 for 3 pcs: 2 at 333.33 and 1 at 333.34; 2.5 kg: one item at the line's amount.
    let brief: Vec<(String, String, i64)> = items
        .iter()
        .map(|i| {
            (
                i["quantity"].as_str().unwrap().to_string(),
                i["amount"]["value"].as_str().unwrap().to_string(),
                i["vat_code"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        brief,
        [
            ("2.000".into(), "333.33".into(), 1),
            ("1.000".into(), "333.34".into(), 1),
            ("1.000".into(), "250.00".into(), 4)
        ]
    );
    assert_eq!(items[2]["description"], "Смазка Литол-24 (2.5 кг)");
    assert!(items
        .iter()
        .all(|i| i["payment_mode"] == "full_payment" && i["payment_subject"] == "commodity"));

    // A second click: the same payment, no second create.
    let again = pay(&p, &o1, &buyer);
    assert_eq!(again.status, 200);
    assert_eq!(body(&again)["payment_id"], "yk-1");
    assert_eq!(p.onec.yookassa.creates.borrow().len(), 1);
    let d = detail(&p, &o1, &buyer);
    assert_eq!(d["card_payment"]["status"], "pending");
}

#[test]
fn an_unanswered_create_is_retried_with_the_same_key() {
    let (p, buyer, _, _, _) = seeded();
    let o1 = order_id(&p, "O1");
    *p.onec.yookassa.mode.borrow_mut() = "down".into();
    let r = pay(&p, &o1, &buyer);
    assert_eq!(r.status, 503);
    assert_eq!(body(&r)["code"], "acquirer-unavailable");
    *p.onec.yookassa.mode.borrow_mut() = "error".into();
    assert_eq!(pay(&p, &o1, &buyer).status, 503);
    *p.onec.yookassa.mode.borrow_mut() = String::new();
    let r = pay(&p, &o1, &buyer);
    assert_eq!(r.status, 201);
    assert_eq!(p.onec.yookassa.payments.borrow().len(), 1);
    assert_eq!(p.onec.yookassa.keys.borrow().len(), 1, "one key throughout");
    assert_eq!(count(&p, "SELECT count(*) AS n FROM card_payments"), 1);
}

#[test]
fn forged_notifications_change_nothing_and_success_pays_the_order_once() {
    let (p, buyer, _, _, _) = seeded();
    let o1 = order_id(&p, "O1");
    let id = body(&pay(&p, &o1, &buyer))["payment_id"]
        .as_str()
        .unwrap()
        .to_string();

    // The body claims success, the API says pending: ignored.
    let forged = json!({"id": id, "status": "succeeded", "paid": true, "amount": {"value": "1250.00", "currency": "RUB"}});
    let r = notify(&p, "payment.succeeded", forged.clone());
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["status"], "ignored");
    let d = detail(&p, &o1, &buyer);
    assert_eq!(d["order"]["paid_kop"], 0);
    assert_eq!(d["card_payment"]["status"], "pending");
    // An id nobody asked for: 200 so it is not retried, nothing written.
    assert_eq!(
        body(&notify(&p, "payment.succeeded", json!({"id": "yk-999"})))["status"],
        "unknown"
    );
    // Garbage is refused.
    assert_eq!(notify(&p, "payment.succeeded", json!({})).status, 400);

    // The acquirer cannot be read: 503, so it notifies again.
    p.onec.yookassa.settle(&id, "succeeded");
    *p.onec.yookassa.mode.borrow_mut() = "down".into();
    assert_eq!(
        notify(&p, "payment.succeeded", json!({"id": id})).status,
        503
    );
    *p.onec.yookassa.mode.borrow_mut() = String::new();
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM outbox WHERE type = 'order.paid_by_card'"
        ),
        0
    );

    let r = notify(&p, "payment.succeeded", json!({"id": id}));
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["status"], "succeeded");
    let d = detail(&p, &o1, &buyer);
    assert_eq!(d["order"]["paid_kop"], 125000);
    assert_eq!(d["order"]["status"], "paid");
    assert_eq!(d["order"]["payment_method"], "card");
    assert_eq!(d["card_payment"]["status"], "succeeded");
    assert_eq!(d["can_pay_by_card"], false);
    assert_eq!(d["history"][0]["kind"], "order.paid_by_card");

    // The change to 1C, with 1C's ids and the exact amount.
    let pulled = block_on(shared::exchange::outbox::pull(&p, 10)).unwrap();
    let change = pulled
        .iter()
        .find(|c| c.kind == "order.paid_by_card")
        .expect("the change to 1C");
    assert_eq!(change.entity_id, "O1");
    assert_eq!(change.payload["order_id"], "O1");
    assert_eq!(change.payload["company_id"], "A");
    assert_eq!(change.payload["amount"], json!(1250), "rubles as a JSON number");
    assert_eq!(change.payload["transaction_id"], id.as_str());
    assert!(change.payload["paid_at"].is_string());

    // The same notification again: nothing more.
    let r = notify(&p, "payment.succeeded", json!({"id": id}));
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["status"], "already-processed");
    assert_eq!(detail(&p, &o1, &buyer)["order"]["paid_kop"], 125000);
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM outbox WHERE type = 'order.paid_by_card'"
        ),
        1
    );
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM audit_log WHERE kind = 'order.paid_by_card'"
        ),
        1
    );
    // Paid: no more card payments.
    assert_eq!(body(&pay(&p, &o1, &buyer))["code"], "not-payable");
}

#[test]
fn a_canceled_payment_closes_and_a_new_one_can_start() {
    let (p, buyer, _, _, _) = seeded();
    let o1 = order_id(&p, "O1");
    let id = body(&pay(&p, &o1, &buyer))["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    // A canceled notice the API does not confirm changes nothing.
    notify(
        &p,
        "payment.canceled",
        json!({"id": id, "status": "canceled"}),
    );
    assert_eq!(detail(&p, &o1, &buyer)["card_payment"]["status"], "pending");

    p.onec.yookassa.settle(&id, "canceled");
    let r = notify(&p, "payment.canceled", json!({"id": id}));
    assert_eq!(body(&r)["status"], "canceled");
    let d = detail(&p, &o1, &buyer);
    assert_eq!(d["card_payment"]["status"], "canceled");
    assert_eq!(
        d["card_payment"]["cancel_reason"],
        "expired_on_confirmation"
    );
    assert_eq!(d["order"]["paid_kop"], 0);
    assert_eq!(d["can_pay_by_card"], true);
    // A later success notice for a canceled payment is not believed either (the API says canceled).
    notify(&p, "payment.succeeded", json!({"id": id}));
    assert_eq!(detail(&p, &o1, &buyer)["order"]["paid_kop"], 0);

    let r = pay(&p, &o1, &buyer);
    assert_eq!(r.status, 201);
    assert_eq!(body(&r)["payment_id"], "yk-2");
}

#[test]
fn a_success_of_another_amount_is_not_believed() {
    let (p, buyer, _, _, _) = seeded();
    let o1 = order_id(&p, "O1");
    let id = body(&pay(&p, &o1, &buyer))["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    p.onec.yookassa.settle(&id, "succeeded");
    for pay in p.onec.yookassa.payments.borrow_mut().iter_mut() {
        pay["amount"]["value"] = "1.00".into();
    }
    assert_eq!(
        body(&notify(&p, "payment.succeeded", json!({"id": id})))["status"],
        "ignored"
    );
    assert_eq!(detail(&p, &o1, &buyer)["order"]["paid_kop"], 0);
}

#[test]
fn unpayable_orders_roles_and_other_companies_are_refused() {
    let (mut p, buyer, acc, other, _) = seeded();
    let (o1, o2, o3) = (order_id(&p, "O1"), order_id(&p, "O2"), order_id(&p, "O3"));
    let r = pay(&p, &o2, &buyer);
    assert_eq!(
        (r.status, body(&r)["code"].clone()),
        (409, json!("not-payable"))
    );
    let r = pay(&p, &o3, &buyer);
    assert_eq!(
        (r.status, body(&r)["code"].clone()),
        (409, json!("card-other-method"))
    );
    assert_eq!(pay(&p, &o1, &acc).status, 403);
    assert_eq!(pay(&p, &o1, &other).status, 404);
    assert_eq!(pay(&p, "ord_none", &buyer).status, 404);
    assert_eq!(pay(&p, &o1, "").status, 401);
    assert!(p.onec.yookassa.creates.borrow().is_empty());
    // The switch of payment method points at the card payment.
    let v = detail(&p, &o1, &buyer)["order"]["version"].clone();
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{o1}/payment-method"),
        Some(json!({"version": v, "payment_method": "card"})),
        &buyer,
    );
    assert_eq!(body(&r)["code"], "use-card-payment");
    // Not configured: refused as unavailable.
    p.config.yookassa_secret_key = None;
    let r = pay(&p, &o1, &buyer);
    assert_eq!(
        (r.status, body(&r)["code"].clone()),
        (503, json!("card-unavailable"))
    );
    assert_eq!(detail(&p, &o1, &buyer)["can_pay_by_card"], false);
}

#[test]
fn a_change_waiting_for_1c_blocks_a_new_payment() {
    let (p, buyer, _, _, _) = seeded();
    let o1 = order_id(&p, "O1");
    let v = detail(&p, &o1, &buyer)["order"]["version"].clone();
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{o1}/cancellation"),
        Some(json!({"version": v})),
        &buyer,
    );
    assert_eq!(r.status, 202);
    let r = pay(&p, &o1, &buyer);
    assert_eq!(
        (r.status, body(&r)["code"].clone()),
        (409, json!("change-pending"))
    );
    assert!(p.onec.yookassa.creates.borrow().is_empty());
}

#[test]
fn an_open_card_payment_holds_other_changes_of_the_order() {
    let (p, buyer, _, _, _) = seeded();
    let o1 = order_id(&p, "O1");
    let id = body(&pay(&p, &o1, &buyer))["payment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let v = detail(&p, &o1, &buyer)["order"]["version"].clone();
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{o1}/cancellation"),
        Some(json!({"version": v})),
        &buyer,
    );
    assert_eq!(
        (r.status, body(&r)["code"].clone()),
        (409, json!("card-payment-open"))
    );
    let r = orders(
        &p,
        "PATCH",
        &format!("/api/orders/orders/{o1}"),
        Some(json!({"version": v, "planned_shipping_date": "2026-12-01"})),
        &buyer,
    );
    assert_eq!(body(&r)["code"], "card-payment-open");
    // Cancelled on the page: the order may change again.
    p.onec.yookassa.settle(&id, "canceled");
    notify(&p, "payment.canceled", json!({"id": id}));
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{o1}/cancellation"),
        Some(json!({"version": v})),
        &buyer,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
}
