//! A D1 error at any statement, on the way in from 1C and on the way out to it: the failed call
//! is retried as the platform would retry it (1C sends the batch again, the queue redelivers
//! the message ids, the sweep delivers the change again), and the end state is exactly the one
//! of a run without the error. Every statement of each run is made to fail in turn.

use crate::helpers::msg;
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::http::ApiResponse;
use shared::ports::{DatabaseExt, Stmt};
use shared::testing::{request, TestPorts, TEST_PASSWORD};
use std::collections::BTreeMap;

fn order(id: &str, entity: &str, seq: i64, company: &str, status: &str, total: f64) -> Value {
    msg(
        id,
        "order",
        entity,
        seq,
        json!({
            "company_id": company, "legal_entity_id": format!("LE-{company}"), "number": format!("ЗК-{entity}"),
            "date": "2026-11-27T10:00:00", "status": status, "payment_method": "invoice", "total": total, "vat_total": 0,
            "lines": [{"line_no": 1, "article": "A-1", "name": "Подшипник 6205-2RS", "quantity": 2, "unit": "шт",
                       "price": total / 2.0, "amount": total, "vat_rate": null, "vat": 0}]
        }),
    )
}

fn company(id: &str, entity: &str, seq: i64, name: &str) -> Value {
    msg(
        id,
        "company",
        entity,
        seq,
        json!({"name": name, "legal_entities": [{"id": format!("LE-{entity}"), "name": format!("ООО {name}"), "inn": "7707083893"}]}),
    )
}

fn user(id: &str, entity: &str, company: &str, email: &str) -> Value {
    msg(
        id,
        "user",
        entity,
        1,
        json!({"company_id": company, "email": email, "full_name": "Иванов Иван", "roles": ["buyer"]}),
    )
}

/// Two batches as 1C sends them: the second repeats a message of the first, updates an order,
/// and brings an order update out of order (seq 3 before seq 2).
fn batches() -> Vec<Value> {
    vec![
        json!({"batch_id": "b1", "sent_at": "2026-11-28T12:00:00", "messages": [
            company("m1", "A", 1, "Альфа"), user("m2", "uA1", "A", "a1@alfa.ru"), user("m3", "uA2", "A", "a2@alfa.ru"),
            order("m4", "O1", 1, "A", "reserved", 1000.0), order("m5", "O2", 1, "A", "awaiting_payment", 500.0),
        ]}),
        json!({"batch_id": "b2", "sent_at": "2026-11-28T12:00:00", "messages": [
            company("m1", "A", 1, "Альфа"), company("m6", "B", 1, "Бета"), user("m7", "uB1", "B", "b1@beta.ru"),
            order("m8", "O1", 3, "A", "shipped", 1000.0), order("m9", "O1", 2, "A", "paid", 1000.0),
            order("m10", "O3", 1, "B", "reserved", 700.0),
        ]}),
    ]
}

/// What the portal holds, in a form two runs can be compared by.
fn snapshot(p: &TestPorts) -> Value {
    let q = |sql: &'static str| block_on(p.db.all::<Value>(Stmt::new(sql))).expect(sql);
    // Mail is at least once: a send whose "sent" mark then fails goes out again (the same
    // message, the same link). Compared: who got which mails.
    let mut mails: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for m in p.mail.0.borrow().iter() {
        mails
            .entry(m.to.clone())
            .or_default()
            .insert(m.subject.clone());
    }
    json!({
        "companies": q("SELECT onec_id, name FROM companies ORDER BY onec_id"),
        "users": q("SELECT onec_id, email, full_name, active FROM users ORDER BY onec_id"),
        "orders": q("SELECT onec_id, number, status, total_kop FROM orders ORDER BY onec_id"),
        "lines": q("SELECT o.onec_id, l.line_no, l.qty_milli FROM order_lines l JOIN orders o ON o.id = l.order_id ORDER BY 1, 2"),
        "inbox": q("SELECT id, status FROM inbox ORDER BY id"),
        "mails": mails,
    })
}

/// Sends both batches and runs the consumer, retrying each failed call as 1C and the queue do.
fn inbound_run(p: &TestPorts) {
    for batch in batches() {
        let mut tries = 0;
        loop {
            let req = p.signed_json("/exchange/v1/messages", &batch);
            let r = block_on(shared::exchange::api::handle(p, req));
            if r.status == 200 {
                break;
            }
            assert!(
                r.status >= 500,
                "only a server error is retried: {}",
                r.status
            );
            tries += 1;
            assert!(tries < 5, "1C's batch keeps failing");
        }
        let woken: Vec<Vec<String>> = p.queue.0.borrow_mut().drain(..).collect();
        for ids in woken {
            let mut tries = 0;
            while block_on(shared::exchange::inbox::process(p, &ids)).is_err() {
                tries += 1;
                assert!(tries < 5, "the queue's redelivery keeps failing");
            }
        }
    }
    // Later, the scheduled sweep (retried if it fails too) finishes what is left, such as mail.
    p.advance(chrono::Duration::minutes(1));
    let mut tries = 0;
    while block_on(shared::exchange::sweep(p)).is_err() {
        tries += 1;
        assert!(tries < 5, "the sweep keeps failing");
    }
    let woken: Vec<Vec<String>> = p.queue.0.borrow_mut().drain(..).collect();
    for ids in woken {
        block_on(shared::exchange::inbox::process(p, &ids)).expect("consumer");
    }
}

#[test]
fn a_d1_error_at_any_statement_of_the_inbound_path_changes_nothing_in_the_end() {
    let clean = TestPorts::new();
    inbound_run(&clean);
    let statements = clean.db.statements_run();
    let expected = snapshot(&clean);
    assert_eq!(
        expected["orders"][0]["status"], "shipped",
        "seq 3 wins over the late seq 2"
    );
    assert_eq!(expected["orders"].as_array().unwrap().len(), 3);
    assert_eq!(
        expected["mails"].as_object().unwrap().len(),
        3,
        "one invitation per user"
    );
    assert!(statements > 20, "{statements} statements");
    for nth in 1..=statements {
        let p = TestPorts::new();
        p.db.fail_statement(nth);
        inbound_run(&p);
        assert!(
            p.db.statements_run() >= nth,
            "statement {nth}: only {} ran",
            p.db.statements_run()
        );
        assert_eq!(
            snapshot(&p),
            expected,
            "D1 error at statement {nth} of {statements}"
        );
    }
}

fn first_user_session(p: &TestPorts) -> String {
    p.send_from_1c(vec![
        company("m1", "A", 1, "Альфа"),
        user("m2", "uA1", "A", "a1@alfa.ru"),
    ]);
    let c = p.activate("a1@alfa.ru");
    assert!(!c.is_empty(), "signed in with {TEST_PASSWORD}");
    c
}

fn edit(p: &TestPorts, c: &str, version: i64) -> ApiResponse {
    block_on(shared::auth::api::handle(
        p,
        request(
            "PATCH",
            "/api/auth/profile",
            Some(
                json!({"full_name": "Иванов Иван Петрович", "phone": "+7 (861) 200-00-00", "version": version}),
            ),
            c,
        ),
    ))
}

fn me(p: &TestPorts, c: &str) -> Value {
    let r = block_on(shared::auth::api::handle(
        p,
        request("GET", "/api/auth/me", None, c),
    ));
    serde_json::from_slice(&r.body).expect("json")
}

/// A profile change from the page to 1C: the edit (repeated by the user after a server error)
/// and its delivery (repeated by the queue or the sweep after a failure).
/// Returns how many statements ran from the moment the error was armed.
fn outbound_run(p: &TestPorts, c: &str, fail_at: Option<u64>) -> u64 {
    let v = me(p, c)["user"]["version"].as_i64().expect("version");
    if let Some(nth) = fail_at {
        p.db.fail_statement(nth);
    }
    let armed = p.db.statements_run();
    let mut r = edit(p, c, v);
    let _ = &mut r;
    if r.status >= 500 {
        // The error may come before the change was committed or after (a read that follows it):
        // either nothing is left, or the whole change with its way to 1C. Never half of it.
        let now = me(p, c);
        if now["user"]["version"] == v {
            assert_eq!(
                now["user"]["full_name"], "Иванов Иван",
                "nothing left: {now}"
            );
            assert!(p.onec.received.borrow().is_empty());
            r = edit(p, c, v);
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        } else {
            assert_eq!(now["user"]["full_name"], "Иванов Иван Петрович", "{now}");
            assert_eq!(
                now["user"]["sync"]["state"], "waiting",
                "on its way to 1C: {now}"
            );
            // The user, repeating the edit, is told it is already there.
            assert_eq!(edit(p, c, v).status, 409);
        }
    } else {
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
    let mut tries = 0;
    loop {
        match block_on(shared::exchange::outbox::deliver_due(p)) {
            Ok(report) if report.accepted + report.rejected + report.retrying == 0 => {
                // Nothing (left) to deliver: done once 1C has the change.
                if !p.onec.received.borrow().is_empty() {
                    break;
                }
            }
            _ => {}
        }
        tries += 1;
        assert!(tries < 6, "the change never settles");
    }
    p.db.statements_run() - armed
}

#[test]
fn a_d1_error_at_any_statement_of_a_change_to_1c_delivers_it_once_in_effect() {
    let clean = TestPorts::new();
    let c = first_user_session(&clean);
    let statements = outbound_run(&clean, &c, None);
    let expected = me(&clean, &c);
    assert_eq!(expected["user"]["sync"]["state"], "accepted");
    for nth in 1..=statements {
        let p = TestPorts::new();
        let c = first_user_session(&p);
        assert!(
            outbound_run(&p, &c, Some(nth)) >= nth,
            "statement {nth} was reached"
        );
        let got = me(&p, &c);
        assert_eq!(
            got["user"]["full_name"], expected["user"]["full_name"],
            "statement {nth}: {got}"
        );
        assert_eq!(
            got["user"]["version"], expected["user"]["version"],
            "statement {nth}"
        );
        assert_eq!(
            got["user"]["sync"]["state"], "accepted",
            "statement {nth}: {got}"
        );
        let received = p.onec.received.borrow();
        let ids: std::collections::BTreeSet<&str> =
            received.iter().filter_map(|m| m["id"].as_str()).collect();
        assert_eq!(
            ids.len(),
            1,
            "statement {nth}: one change, under one id: {received:?}"
        );
    }
}
