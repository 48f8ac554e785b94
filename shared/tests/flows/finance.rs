//! Money through the same handlers the Workers call, on real SQLite: the credit position with the
//! portal's own reserve moves reconciled against 1C's next figures (never counted twice), the
//! blocked notice, the payment schedule by a clock the test sets, and internal-account payments.

use crate::helpers::{body, finance, msg, order_id, pull_and_answer, signed_in, PW};
use chrono::Duration;
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::ports::{Database, DatabaseExt, Stmt};
use shared::testing::TestPorts;

fn order(id: &str, seq: i64, status: &str, total: f64, paid: f64, method: &str) -> Value {
    msg(
        &format!("{id}-{seq}"),
        "order",
        id,
        seq,
        json!({
            "company_id": "C1", "legal_entity_id": "LE1", "agreement_id": "AG1", "number": format!("ЗК-{id}"), "date": "2026-10-01T10:00:00",
            "status": status, "payment_method": method, "paid": paid, "total": total, "vat_total": 0,
            "lines": [{"line_no": 1, "article": "A", "name": "Деталь", "quantity": 1, "unit": "шт", "price": total, "amount": total, "vat": 0}]
        }),
    )
}

fn credit_state(
    id: &str,
    seq: i64,
    reserve: f64,
    reserve_orders: &[&str],
    blocked: bool,
    to_pay: f64,
) -> Value {
    msg(
        id,
        "credit_state",
        "AG1",
        seq,
        json!({"company_id": "C1", "agreement_id": "AG1", "as_of": "2026-11-27T18:00:00",
        "limit": 1000, "debt": 200, "overdue_debt": if blocked { 150.0 } else { 0.0 }, "reserve": reserve, "reserve_orders": reserve_orders,
        "blocked": blocked, "amount_to_pay": to_pay}),
    )
}

/// Company C1 (one legal entity, one credit agreement), an accountant and a buyer, three orders.
fn seeded() -> (TestPorts, String, String) {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Pull;
    p.now.set("2026-11-26T09:00:00Z".parse().unwrap());
    p.send_from_1c(vec![msg("c1", "company", "C1", 1, json!({"name": "Альфа", "legal_entities": [{"id": "LE1", "name": "ООО Альфа"}],
        "agreements": [{"id": "AG1", "legal_entity_id": "LE1", "name": "Договор 1", "credit_limit": 1000, "deferral_days": 30}]}))]);
    p.send_from_1c(vec![
        msg("u1", "user", "U1", 1, json!({"company_id": "C1", "email": "acc@alfa.ru", "full_name": "Бухгалтер", "roles": ["accountant"]})),
        msg("u2", "user", "U2", 1, json!({"company_id": "C1", "email": "buy@alfa.ru", "full_name": "Закупщик", "roles": ["buyer"]})),
        order("O1", 1, "reserved", 100.0, 0.0, "credit"),
        order("O2", 1, "awaiting_payment", 50.0, 0.0, "invoice"),
        order("O3", 1, "awaiting_payment", 60.0, 0.0, "invoice"),
    ]);
    let acc = p.activate("acc@alfa.ru");
    let buy = p.activate("buy@alfa.ru");
    (p, acc, buy)
}

fn company(p: &TestPorts) -> String {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    block_on(p.db.first::<Id>(Stmt::new("SELECT id FROM companies WHERE onec_id = 'C1'")))
        .unwrap()
        .unwrap()
        .id
}

fn agreement(p: &TestPorts) -> String {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    block_on(p.db.first::<Id>(Stmt::new("SELECT id FROM agreements WHERE onec_id = 'AG1'")))
        .unwrap()
        .unwrap()
        .id
}

fn position(p: &TestPorts, c: &str) -> Value {
    body(&finance(p, "GET", "/api/finance/credit", None, c))["agreements"][0].clone()
}

#[test]
fn local_reserve_moves_are_dropped_once_1c_counts_them() {
    let (p, acc, _) = seeded();
    p.send_from_1c(vec![credit_state("cs1", 1, 100.0, &["O1"], false, 0.0)]);
    let (ag, co) = (agreement(&p), company(&p));
    let pos = position(&p, &acc);
    assert_eq!(
        (pos["reserve_kop"].as_i64(), pos["available_kop"].as_i64()),
        (Some(10000), Some(70000))
    );

    // The portal switches O2 to credit: reserved at once.
    block_on(p.db.batch(shared::finance::credit::reserve(
        &co,
        &ag,
        "O2",
        5000,
        None,
        p.now.get(),
        None,
    )))
    .unwrap();
    let pos = position(&p, &acc);
    assert_eq!(
        (
            pos["reserve_kop"].as_i64(),
            pos["local_reserve_kop"].as_i64(),
            pos["available_kop"].as_i64()
        ),
        (Some(15000), Some(5000), Some(65000))
    );
    // 1C's next figures include O2: its reserve counts once, from 1C.
    p.send_from_1c(vec![credit_state(
        "cs2",
        2,
        150.0,
        &["O1", "O2"],
        false,
        0.0,
    )]);
    let pos = position(&p, &acc);
    assert_eq!(
        (
            pos["reserve_kop"].as_i64(),
            pos["local_reserve_kop"].as_i64()
        ),
        (Some(15000), Some(0))
    );

    // O1 cancelled in the portal: released at once, until 1C's figures drop it.
    block_on(p.db.batch(shared::finance::credit::release(
        &co,
        &ag,
        "O1",
        10000,
        None,
        p.now.get(),
        None,
    )))
    .unwrap();
    assert_eq!(position(&p, &acc)["reserve_kop"].as_i64(), Some(5000));
    // A stale 1C state that still counts O1 changes nothing; the one without O1 takes over.
    p.send_from_1c(vec![credit_state(
        "cs3",
        3,
        150.0,
        &["O1", "O2"],
        false,
        0.0,
    )]);
    assert_eq!(position(&p, &acc)["reserve_kop"].as_i64(), Some(5000));
    p.send_from_1c(vec![credit_state("cs4", 4, 50.0, &["O2"], false, 0.0)]);
    let pos = position(&p, &acc);
    assert_eq!(
        (
            pos["reserve_kop"].as_i64(),
            pos["local_reserve_kop"].as_i64(),
            pos["available_kop"].as_i64()
        ),
        (Some(5000), Some(0), Some(75000))
    );

    // Reserved and released before 1C ever heard of it: nothing remains.
    block_on(p.db.batch(shared::finance::credit::reserve(
        &co,
        &ag,
        "O3",
        6000,
        None,
        p.now.get(),
        None,
    )))
    .unwrap();
    block_on(p.db.batch(shared::finance::credit::release(
        &co,
        &ag,
        "O3",
        6000,
        None,
        p.now.get(),
        None,
    )))
    .unwrap();
    assert_eq!(position(&p, &acc)["reserve_kop"].as_i64(), Some(5000));
    #[derive(serde::Deserialize)]
    struct N {
        n: i64,
    }
    let left =
        block_on(p.db.first::<N>(Stmt::new("SELECT count(*) AS n FROM local_credit_reserves")))
            .unwrap()
            .unwrap();
    assert_eq!(left.n, 0, "settled adjustments are cleaned up");
}

#[test]
fn blocked_credit_shows_the_amount_to_pay_and_the_overdue_entries() {
    let (p, acc, buy) = seeded();
    p.send_from_1c(vec![
        credit_state("cs1", 1, 0.0, &[], true, 150.0),
        msg(
            "s1",
            "payment_schedule",
            "O1",
            1,
            json!({"company_id": "C1", "order_id": "O1", "agreement_id": "AG1",
            "stages": [{"due_date": "2026-11-20", "amount": 100, "paid": 0}]}),
        ),
    ]);
    let full = body(&finance(&p, "GET", "/api/finance/credit", None, &acc));
    assert_eq!(full["view"], "full");
    assert_eq!(full["totals"]["blocked"], true);
    assert_eq!(full["totals"]["amount_to_pay_kop"], 15000);
    assert_eq!(full["overdue"][0]["order_number"], "ЗК-O1");
    assert_eq!(full["overdue"][0]["days_left"], -6);
    // A buyer sees what matters for choosing a payment method, and no debt.
    let brief = body(&finance(&p, "GET", "/api/finance/credit", None, &buy));
    assert_eq!(brief["view"], "brief");
    assert_eq!(brief["totals"]["blocked"], true);
    assert!(brief["agreements"][0].get("debt_kop").is_none());
    assert_eq!(
        finance(&p, "GET", "/api/finance/schedule", None, &buy).status,
        403
    );
}

#[test]
fn the_schedule_counts_days_by_the_clock() {
    let (p, acc, _) = seeded();
    p.send_from_1c(vec![msg("s1", "payment_schedule", "O1", 1, json!({"company_id": "C1", "order_id": "O1", "agreement_id": "AG1",
        "stages": [{"due_date": "2026-11-20", "amount": 40, "paid": 10}, {"due_date": "2026-11-29", "amount": 30, "paid": 0}, {"due_date": "2026-12-10", "amount": 30, "paid": 0}]}))]);
    let s = body(&finance(&p, "GET", "/api/finance/schedule", None, &acc));
    let days: Vec<i64> = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["days_left"].as_i64().unwrap())
        .collect();
    assert_eq!(days, [-6, 3, 14]);
    assert_eq!(
        s["totals"],
        json!({"overdue_kop": 3000, "this_week_kop": 3000, "this_month_kop": 3000, "total_kop": 9000})
    );
    // A week later the second stage is overdue too.
    p.advance(Duration::days(7));
    let acc = signed_in(&p, "acc@alfa.ru", PW);
    let s = body(&finance(&p, "GET", "/api/finance/schedule", None, &acc));
    assert_eq!(s["totals"]["overdue_kop"], 6000);
    assert_eq!(s["items"][1]["overdue"], true);
    let csv = finance(&p, "GET", "/api/finance/schedule?format=csv", None, &acc);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    assert!(
        text.starts_with('\u{feff}')
            && text.contains("ЗК-O1;ООО Альфа;Договор 1;29.11.2026;30,00;0,00;30,00;-4;да"),
        "{text}"
    );
}

#[test]
fn paying_from_the_internal_account_holds_then_settles_or_releases() {
    let (p, acc, buy) = seeded();
    p.send_from_1c(vec![msg(
        "m1",
        "account_movement",
        "MV1",
        1,
        json!({"company_id": "C1", "date": "2026-11-01T10:00:00", "kind": "refund", "amount": 100}),
    )]);
    let (o2, o3) = (order_id(&p, "O2"), order_id(&p, "O3"));
    let r = finance(
        &p,
        "POST",
        "/api/finance/account/payments",
        Some(json!({"order_id": o2})),
        &buy,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let a = body(&finance(&p, "GET", "/api/finance/account", None, &acc));
    assert_eq!(
        (
            a["balance_kop"].as_i64(),
            a["held_kop"].as_i64(),
            a["available_kop"].as_i64()
        ),
        (Some(10000), Some(5000), Some(5000))
    );
    // Short by 10 rubles: refused with the shortfall; the same order twice: refused.
    let r = finance(
        &p,
        "POST",
        "/api/finance/account/payments",
        Some(json!({"order_id": o3})),
        &buy,
    );
    assert_eq!(r.status, 422);
    assert_eq!(body(&r)["code"], "insufficient-balance");
    assert_eq!(body(&r)["shortfall_kop"], 1000);
    assert_eq!(
        finance(
            &p,
            "POST",
            "/api/finance/account/payments",
            Some(json!({"order_id": o2})),
            &buy
        )
        .status,
        409
    );
    assert_eq!(
        finance(
            &p,
            "POST",
            "/api/finance/account/payments",
            Some(json!({"order_id": "ord_other"})),
            &buy
        )
        .status,
        404
    );

    // 1C refuses: the money is free again.
    let sent = pull_and_answer(&p, "rejected", "Нет в 1С");
    assert_eq!(sent[0]["type"], "order.paid_from_account");
    assert_eq!(sent[0]["payload"]["amount"], json!(50), "rubles as a JSON number");
    assert_eq!(
        body(&finance(&p, "GET", "/api/finance/account", None, &acc))["available_kop"],
        10000
    );

    // Paid again, accepted, and 1C posts the movement: the hold becomes the movement.
    let r = finance(
        &p,
        "POST",
        "/api/finance/account/payments",
        Some(json!({"order_id": o2})),
        &buy,
    );
    let change = body(&r)["change_id"].as_str().unwrap().to_string();
    pull_and_answer(&p, "accepted", "Нет в 1С");
    assert_eq!(
        body(&finance(&p, "GET", "/api/finance/account", None, &acc))["available_kop"],
        5000,
        "held until 1C posts it"
    );
    p.send_from_1c(vec![msg(
        "m2",
        "account_movement",
        "MV2",
        1,
        json!({"company_id": "C1", "date": "2026-11-26T10:00:00", "kind": "order_payment",
        "amount": -50, "order_id": "O2", "change_id": change}),
    )]);
    let a = body(&finance(&p, "GET", "/api/finance/account", None, &acc));
    assert_eq!(
        (
            a["balance_kop"].as_i64(),
            a["held_kop"].as_i64(),
            a["available_kop"].as_i64()
        ),
        (Some(5000), Some(0), Some(5000))
    );
    assert_eq!(a["items"][0]["order_number"], "ЗК-O2");
    assert_eq!(a["items"][0]["amount_kop"], -5000);
}
