//! A client change's states as the page shows them (issue 15, part B): waiting -> received ->
//! accepted -> applied when a snapshot from 1C names it in `change_ids` (only the same company's
//! changes; unknown ids ignored; idempotent), `overdue` when accepted and not applied within
//! `ONEC_APPLY_DEADLINE_SECS` (also counted by the monitor), no payment action while a
//! cancellation or a payment is open, and the order page's ETag / 304.

use crate::helpers::{body, msg, orders, pull_and_answer};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::testing::{request, TestPorts};

fn order_msg(id: &str, company: &str, seq: i64, delivery: &str, change_ids: Value) -> Value {
    msg(
        &format!("m-{id}-{seq}-{}", shared::ids::new_id("x")),
        "order",
        id,
        seq,
        json!({
            "company_id": company, "legal_entity_id": format!("{company}-LE1"), "agreement_id": format!("{company}-AG"),
            "number": format!("ЗК-{id}"), "date": "2026-11-20T10:00:00", "author_email": "ivanov@a.ru", "status": "awaiting_payment",
            "payment_method": "invoice", "total": 500.0, "vat_total": 0, "planned_shipping_date": "2026-12-01", "delivery_method": delivery,
            "lines": [{"line_no": 1, "article": "AZ-1", "name": "Подшипник", "quantity": 1, "unit": "шт", "price": 500.0, "amount": 500.0, "vat": 0}],
            "change_ids": change_ids
        }),
    )
}

fn seeded() -> (TestPorts, String, String) {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Pull;
    let company = |id: &str| {
        msg(
            &format!("c-{id}"),
            "company",
            id,
            1,
            json!({"name": id, "legal_entities": [{"id": format!("{id}-LE1"), "name": "ООО Один"}],
        "agreements": [{"id": format!("{id}-AG"), "legal_entity_id": format!("{id}-LE1"), "name": "Договор", "credit_limit": 100000, "deferral_days": 30, "price_type": {"id": "PT1", "name": "Опт"}}]}),
        )
    };
    p.send_from_1c(vec![company("A"), company("B")]);
    p.send_from_1c(vec![
        msg("u1", "user", "UA1", 1, json!({"company_id": "A", "email": "ivanov@a.ru", "full_name": "Иванов", "roles": ["buyer"]})),
        msg("u3", "user", "UB1", 1, json!({"company_id": "B", "email": "b@b.ru", "full_name": "Бэ", "roles": ["admin"]})),
    ]);
    p.send_from_1c(vec![
        order_msg("O1", "A", 1, "pickup", Value::Null),
        order_msg("O2", "A", 1, "pickup", Value::Null),
        order_msg("OB", "B", 1, "pickup", Value::Null),
    ]);
    let a = p.activate("ivanov@a.ru");
    (p, a, "B".into())
}

fn page(p: &TestPorts, a: &str, onec: &str) -> Value {
    let id = crate::helpers::order_id(p, onec);
    body(&orders(
        p,
        "GET",
        &format!("/api/orders/orders/{id}"),
        None,
        a,
    ))
}

fn edit(p: &TestPorts, a: &str, onec: &str) -> String {
    let id = crate::helpers::order_id(p, onec);
    let v = page(p, a, onec)["order"]["version"].as_i64().unwrap();
    let r = orders(
        p,
        "PATCH",
        &format!("/api/orders/orders/{id}"),
        Some(
            json!({"version": v, "delivery_method": "delivery", "delivery_address": "Тимашевск, ул. Ленина, 1"}),
        ),
        a,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let b = body(&r);
    assert_eq!(b["state"], "waiting");
    b["change_id"].as_str().unwrap().to_string()
}

fn answer(p: &TestPorts, change_id: &str, status: &str) -> Value {
    p.send_from_1c(vec![msg(
        &shared::ids::new_id("a"),
        "answer",
        change_id,
        1,
        json!({"change_id": change_id, "status": status, "reason": if status == "rejected" { json!("Нет машины") } else { Value::Null }}),
    )])
}

fn status_of(p: &TestPorts, message_id: &str) -> String {
    let r = block_on(shared::exchange::api::handle(
        p,
        p.signed_json("/exchange/v1/message-status", &json!({"ids": [message_id]})),
    ));
    body(&r)["items"][0]["status"].as_str().unwrap().to_string()
}

#[test]
fn a_change_goes_waiting_received_accepted_applied_and_only_its_own_company_applies_it() {
    let (p, a, _) = seeded();
    let change = edit(&p, &a, "O1");
    assert_eq!(page(&p, &a, "O1")["change"]["state"], "waiting");

    // 1C stores it, a manager decides.
    pull_and_answer(&p, "received", "");
    assert_eq!(page(&p, &a, "O1")["change"]["state"], "received");

    answer(&p, &change, "accepted");
    let now = page(&p, &a, "O1");
    assert_eq!(now["change"]["state"], "accepted");
    assert_eq!(now["change"]["overdue"], false);
    assert_eq!(
        now["order"]["delivery_method"], "pickup",
        "1C's values until its snapshot"
    );

    // Another company's snapshot naming this change does not apply it.
    let foreign = order_msg("OB", "B", 2, "pickup", json!([change]));
    let foreign_id = foreign["id"].as_str().unwrap().to_string();
    p.send_from_1c(vec![foreign]);
    assert_eq!(
        status_of(&p, &foreign_id),
        "applied",
        "an id it cannot use is ignored, never an error"
    );
    assert_eq!(page(&p, &a, "O1")["change"]["state"], "accepted");

    // The snapshot naming it (and an id nobody knows): applied, the page shows 1C's new values.
    let snap = order_msg(
        "O1",
        "A",
        2,
        "delivery",
        json!([change, "out_nobody_knows"]),
    );
    let snap_id = snap["id"].as_str().unwrap().to_string();
    p.send_from_1c(vec![snap]);
    assert_eq!(status_of(&p, &snap_id), "applied");
    let now = page(&p, &a, "O1");
    assert_eq!(now["change"]["state"], "applied");
    assert_eq!(now["order"]["delivery_method"], "delivery");
    let since = now["change"]["since"].clone();

    // Again (a resent snapshot, a later one naming it too): nothing moves.
    p.send_from_1c(vec![order_msg("O1", "A", 3, "delivery", json!([change]))]);
    let again = page(&p, &a, "O1");
    assert_eq!(again["change"]["state"], "applied");
    assert_eq!(again["change"]["since"], since);
}

#[test]
fn accepted_and_not_applied_in_time_is_flagged_and_counted_by_the_monitor() {
    let (mut p, a, _) = seeded();
    // Shorter than the session, so the same signed-in buyer looks again after it.
    p.config.onec_apply_deadline_secs = 120;
    let change = edit(&p, &a, "O1");
    pull_and_answer(&p, "accepted", "");
    let now = page(&p, &a, "O1");
    assert_eq!(now["change"]["state"], "accepted");
    assert_eq!(now["change"]["overdue"], false);
    let before = block_on(shared::exchange::monitor::overview(&p)).unwrap();
    assert_eq!(before.accepted_overdue, 0);

    p.advance(chrono::Duration::seconds(
        p.config.onec_apply_deadline_secs + 1,
    ));
    let late = page(&p, &a, "O1");
    assert_eq!(late["change"]["state"], "accepted", "the state stays");
    assert_eq!(late["change"]["overdue"], true);
    assert!(late["change"]["overdue_message"]["ru"]
        .as_str()
        .unwrap()
        .contains("1С"));
    assert!(!late["change"]["overdue_message"]["en"]
        .as_str()
        .unwrap()
        .is_empty());
    let during = block_on(shared::exchange::monitor::overview(&p)).unwrap();
    assert_eq!(during.accepted_overdue, 1);

    // 1C's snapshot arrives late: applied, no longer counted.
    p.send_from_1c(vec![order_msg("O1", "A", 2, "delivery", json!([change]))]);
    let done = page(&p, &a, "O1");
    assert_eq!(done["change"]["state"], "applied");
    assert_eq!(done["change"]["overdue"], false);
    assert_eq!(
        block_on(shared::exchange::monitor::overview(&p))
            .unwrap()
            .accepted_overdue,
        0
    );
}

#[test]
fn a_rejected_change_shows_the_reason_and_the_previous_values() {
    let (p, a, _) = seeded();
    let change = edit(&p, &a, "O1");
    pull_and_answer(&p, "received", "");
    answer(&p, &change, "rejected");
    let now = page(&p, &a, "O1");
    assert_eq!(now["change"]["state"], "rejected");
    assert_eq!(now["change"]["reason"], "Нет машины");
    assert_eq!(now["order"]["delivery_method"], "pickup");
    // A snapshot naming a rejected change does not make it applied.
    p.send_from_1c(vec![order_msg("O1", "A", 2, "pickup", json!([change]))]);
    assert_eq!(page(&p, &a, "O1")["change"]["state"], "rejected");
}

#[test]
fn no_other_payment_action_while_a_cancellation_or_a_payment_is_open() {
    let (p, a, _) = seeded();
    let fresh = page(&p, &a, "O2");
    assert_eq!(fresh["can_pay_by_card"], true);
    assert_eq!(fresh["can_pay_from_account"], true);
    let id = crate::helpers::order_id(&p, "O2");
    let v = fresh["order"]["version"].as_i64().unwrap();
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{id}/cancellation"),
        Some(json!({"version": v, "reason": "Передумали"})),
        &a,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let open = page(&p, &a, "O2");
    assert_eq!(open["can_pay_by_card"], false);
    assert_eq!(open["can_pay_from_account"], false);
    // Accepted but not applied yet: the order is still unpaid on the page, still no payment.
    pull_and_answer(&p, "accepted", "");
    let accepted = page(&p, &a, "O2");
    assert_eq!(accepted["change"]["state"], "accepted");
    assert_eq!(accepted["can_pay_by_card"], false);
    assert_eq!(accepted["can_pay_from_account"], false);
    // The API refuses them too, whatever the page offers: the cancellation is open.
    let card = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{id}/card-payments"),
        None,
        &a,
    );
    assert_eq!(card.status, 409, "{}", String::from_utf8_lossy(&card.body));
    assert_eq!(body(&card)["code"], "cancellation-open");
    let account = crate::helpers::finance(
        &p,
        "POST",
        "/api/finance/account/payments",
        Some(json!({"order_id": id})),
        &a,
    );
    assert_eq!(
        account.status,
        409,
        "{}",
        String::from_utf8_lossy(&account.body)
    );
    assert_eq!(body(&account)["code"], "cancellation-open");
}

#[test]
fn the_order_page_answers_304_while_nothing_changed() {
    let (p, a, _) = seeded();
    let id = crate::helpers::order_id(&p, "O1");
    let path = format!("/api/orders/orders/{id}");
    let first = orders(&p, "GET", &path, None, &a);
    let etag = first
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("etag"))
        .map(|(_, v)| v.clone())
        .expect("an ETag");
    let mut again = request("GET", &path, None, &a);
    again.headers.push(("if-none-match".into(), etag.clone()));
    let r = block_on(shared::orders::api::handle(&p, again.clone()));
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());

    // A change: a new ETag, the full page.
    edit(&p, &a, "O1");
    let r = block_on(shared::orders::api::handle(&p, again));
    assert_eq!(r.status, 200);
    let etag2 = r
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("etag"))
        .map(|(_, v)| v.clone())
        .unwrap();
    assert_ne!(etag, etag2);
}

#[test]
fn change_ids_of_a_bad_shape_are_refused_at_the_door() {
    let (p, _, _) = seeded();
    let answer = p.send_from_1c(vec![
        order_msg("O1", "A", 2, "pickup", json!(["out_ok", " "])),
        order_msg("O2", "A", 2, "pickup", json!("out_1")),
        order_msg("OB", "B", 2, "pickup", json!(null)),
    ]);
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "rejected", "{answer}");
    assert!(
        results[0]["reason"]
            .as_str()
            .unwrap()
            .contains("change_ids[1]"),
        "{answer}"
    );
    assert_eq!(results[1]["status"], "rejected", "{answer}");
    assert_eq!(results[2]["status"], "accepted", "null is none: {answer}");
}

#[test]
fn no_edit_or_payment_method_switch_while_an_accepted_cancellation_waits_for_its_snapshot() {
    let (p, a, _) = seeded();
    let id = crate::helpers::order_id(&p, "O2");
    let v = page(&p, &a, "O2")["order"]["version"].as_i64().unwrap();
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{id}/cancellation"),
        Some(json!({"version": v, "reason": "Передумали"})),
        &a,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    pull_and_answer(&p, "accepted", "");
    assert_eq!(page(&p, &a, "O2")["change"]["state"], "accepted");
    // 1C cancelled the order; a change sent now would only be refused there.
    let sent = crate::helpers::count(&p, "SELECT count(*) AS n FROM outbox");
    let v = page(&p, &a, "O2")["order"]["version"].as_i64().unwrap();
    let edit = orders(
        &p,
        "PATCH",
        &format!("/api/orders/orders/{id}"),
        Some(json!({"version": v, "delivery_method": "delivery", "delivery_address": "Тимашевск, ул. Ленина, 1"})),
        &a,
    );
    assert_eq!(edit.status, 409, "{}", String::from_utf8_lossy(&edit.body));
    assert_eq!(body(&edit)["code"], "cancellation-open");
    let switch = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{id}/payment-method"),
        Some(json!({"version": v, "payment_method": "credit"})),
        &a,
    );
    assert_eq!(switch.status, 409, "{}", String::from_utf8_lossy(&switch.body));
    assert_eq!(body(&switch)["code"], "cancellation-open");
    // Nothing new went to 1C.
    assert_eq!(
        crate::helpers::count(&p, "SELECT count(*) AS n FROM outbox"),
        sent
    );
}
