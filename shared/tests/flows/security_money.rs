//! Issue 13, items 1 and 3, sequentially through the same handlers the Workers call (the races
//! themselves are in tests/api/security-money.test.mjs): a card payment and a payment from the
//! internal account exclude each other; a raise of a credit order's total is reserved at once,
//! undone by 1C's refusal and settled by 1C's next credit state after it accepted.

use crate::helpers::{body, finance, msg, order_id, orders, pull_and_answer};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::ports::{Database, Stmt};
use shared::testing::TestPorts;

/// An order of `qty` pieces of AZ-1 at 1000.00.
fn order(entity: &str, seq: i64, method: &str, qty: i64) -> Value {
    let total = 1000 * qty;
    msg(
        &format!("m-{entity}-{seq}"),
        "order",
        entity,
        seq,
        json!({
            "company_id": "A", "legal_entity_id": "A-LE", "agreement_id": "A-AG", "number": format!("ЗК-{entity}"), "date": "2026-11-20T10:00:00",
            "status": "awaiting_payment", "payment_method": method, "total": total, "vat_total": 0, "planned_shipping_date": "2026-12-01",
            "lines": [{"line_no": 1, "article": "AZ-1", "name": "Подшипник", "quantity": qty, "unit": "шт", "price": 1000, "amount": total, "vat": 0}]
        }),
    )
}

fn credit_state(seq: i64, reserve: i64) -> Value {
    msg(
        &format!("cs-{seq}"),
        "credit_state",
        "A-AG",
        seq,
        json!({"company_id": "A", "agreement_id": "A-AG", "as_of": "2026-11-27T18:00:00", "limit": 10000, "debt": 0, "overdue_debt": 0,
            "reserve": reserve, "reserve_orders": ["O1", "O2"], "blocked": false, "amount_to_pay": 0}),
    )
}

/// Company A: a buyer and an accountant, product AZ-1 at 1000.00, orders O1 and O2 per `orders`.
fn seeded(orders: Vec<Value>) -> (TestPorts, String, String) {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Pull;
    p.send_from_1c(vec![msg("c", "company", "A", 1, json!({"name": "Альфа",
        "legal_entities": [{"id": "A-LE", "name": "ООО Альфа", "inn": "7707083893"}],
        "agreements": [{"id": "A-AG", "legal_entity_id": "A-LE", "name": "Договор", "credit_limit": 10000, "deferral_days": 30, "price_type": {"id": "PT1", "name": "Опт"}}]}))]);
    p.send_from_1c(vec![
        msg("u1", "user", "U1", 1, json!({"company_id": "A", "email": "buyer@a.ru", "full_name": "Покупатель", "roles": ["buyer"]})),
        msg("u2", "user", "U2", 1, json!({"company_id": "A", "email": "acc@a.ru", "full_name": "Бухгалтер", "roles": ["accountant"]})),
        msg("p1", "product", "P1", 1, json!({"article": "AZ-1", "name": "Подшипник", "unit": "шт", "vat_rate": 20,
            "prices": [{"price_type": {"id": "PT1", "name": "Опт"}, "price": 1000}], "stock": []})),
    ]);
    p.send_from_1c(orders);
    let buyer = p.activate("buyer@a.ru");
    let acc = p.activate("acc@a.ru");
    (p, buyer, acc)
}

fn n(p: &TestPorts, sql: &'static str, id: &str) -> i64 {
    let r = block_on(p.db.run(Stmt::new(sql).bind(id))).unwrap();
    r.rows[0]["n"].as_i64().unwrap()
}

#[test]
fn a_card_payment_and_a_payment_from_the_account_exclude_each_other() {
    let (p, buyer, acc) = seeded(vec![
        order("O1", 1, "invoice", 1),
        order("O2", 1, "invoice", 1),
    ]);
    p.send_from_1c(vec![msg(
        "mv",
        "account_movement",
        "MV1",
        1,
        json!({"company_id": "A", "date": "2026-11-01T10:00:00", "kind": "refund", "amount": 5000}),
    )]);
    let (o1, o2) = (order_id(&p, "O1"), order_id(&p, "O2"));
    let account_pay = |id: &str| {
        finance(
            &p,
            "POST",
            "/api/finance/account/payments",
            Some(json!({"order_id": id})),
            &buyer,
        )
    };
    let card_pay = |id: &str| {
        orders(
            &p,
            "POST",
            &format!("/api/orders/orders/{id}/card-payments"),
            None,
            &buyer,
        )
    };
    let payable = || {
        body(&finance(&p, "GET", "/api/finance/account", None, &acc))["payable_orders"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(payable(), 2);

    // Card first: the account payment is refused and holds nothing.
    let r = card_pay(&o1);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let r = account_pay(&o1);
    assert_eq!(r.status, 409, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(body(&r)["code"], "card-payment-open");
    assert_eq!(
        n(
            &p,
            "SELECT count(*) AS n FROM account_holds WHERE order_id = ?",
            &o1
        ),
        0
    );

    // The account first: the card payment is refused and opens nothing.
    let r = account_pay(&o2);
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let r = card_pay(&o2);
    assert_eq!(r.status, 409, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(body(&r)["code"], "payment-pending");
    assert_eq!(
        n(
            &p,
            "SELECT count(*) AS n FROM card_payments WHERE order_id = ?",
            &o2
        ),
        0
    );
    // Neither is offered for payment from the account any more.
    assert_eq!(payable(), 0);

    // 1C refuses the account payment: the card may pay the order now.
    pull_and_answer(&p, "rejected", "Нет");
    assert_eq!(card_pay(&o2).status, 201);
}

#[test]
fn a_paid_order_whose_total_1c_raised_can_be_paid_the_difference() {
    let (p, buyer, _) = seeded(vec![order("O1", 1, "invoice", 1)]);
    p.send_from_1c(vec![msg(
        "mv",
        "account_movement",
        "MV1",
        1,
        json!({"company_id": "A", "date": "2026-11-01T10:00:00", "kind": "refund", "amount": 5000}),
    )]);
    let mut raised = order("O1", 2, "invoice", 2);
    raised["payload"]["paid"] = json!(1000);
    p.send_from_1c(vec![raised]);
    let o1 = order_id(&p, "O1");
    let r = finance(
        &p,
        "POST",
        "/api/finance/account/payments",
        Some(json!({"order_id": o1})),
        &buyer,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(body(&r)["held_kop"], 100000);
}

#[test]
fn a_raise_of_a_credit_order_is_reserved_until_1c_settles_it() {
    // Limit 10,000.00, 1C's reserve 2,000.00 (O1 and O2): 8,000.00 left.
    let (p, buyer, acc) = seeded(vec![
        order("O1", 1, "credit", 1),
        order("O2", 1, "credit", 1),
    ]);
    p.send_from_1c(vec![credit_state(1, 2000)]);
    let (o1, o2) = (order_id(&p, "O1"), order_id(&p, "O2"));
    let available = || {
        body(&finance(&p, "GET", "/api/finance/credit", None, &acc))["agreements"][0]
            ["available_kop"]
            .as_i64()
            .unwrap()
    };
    let edit = |id: &str, qty: i64| {
        let v = body(&orders(
            &p,
            "GET",
            &format!("/api/orders/orders/{id}"),
            None,
            &buyer,
        ))["order"]["version"]
            .clone();
        orders(
            &p,
            "PATCH",
            &format!("/api/orders/orders/{id}"),
            Some(json!({"version": v, "lines": [{"article": "AZ-1", "quantity": qty}]})),
            &buyer,
        )
    };
    assert_eq!(available(), 800000);
    // O1 to 6 pieces: 5,000.00 more, reserved at once.
    let r = edit(&o1, 6);
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(available(), 300000);
    // O2 by as much does not fit any more.
    let r = edit(&o2, 6);
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(body(&r)["field_errors"][0]["code"], "credit-insufficient");
    // 1C refuses O1's change: the raise is undone.
    pull_and_answer(&p, "rejected", "Нет");
    assert_eq!(available(), 800000);
    // Asked again and accepted: reserved until 1C's next credit state, which then counts it.
    assert_eq!(edit(&o1, 6).status, 202);
    pull_and_answer(&p, "accepted", "Нет");
    assert_eq!(available(), 300000);
    p.send_from_1c(vec![order("O1", 2, "credit", 6), credit_state(2, 7000)]);
    assert_eq!(available(), 300000);
    assert_eq!(
        n(
            &p,
            "SELECT count(*) AS n FROM local_credit_reserves WHERE kind = ?",
            "raise"
        ),
        0
    );
}
