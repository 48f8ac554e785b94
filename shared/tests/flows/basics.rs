//! Whole-capability flows on real SQLite with the real migrations, through the same handlers the
//! Workers call: 1C data in, first access, sign-in, sessions, throttling, company scoping.

use crate::helpers::{body, sign_in, signed_in, token_from_mail, PW};
use chrono::Duration;
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::http::{ApiRequest, ApiResponse};
use shared::ports::{DatabaseExt, Stmt};
use shared::testing::{cookies_from, request, TestPorts};

fn signed(p: &TestPorts, payload: &Value) -> ApiRequest {
    p.signed_json("/exchange/v1/messages", payload)
}

fn send(p: &TestPorts, messages: Vec<Value>) -> Value {
    p.send_from_1c(messages)
}

fn company_msg(id: &str, seq: i64, entity: &str, name: &str) -> Value {
    json!({"id": id, "type": "company", "entity_id": entity, "seq": seq, "payload": {
        "name": name,
        "legal_entities": [{"id": format!("{entity}-le1"), "name": format!("ООО {name}"), "inn": "7707083893", "kpp": "773601001"}],
        "agreements": [{"id": format!("{entity}-ag1"), "legal_entity_id": format!("{entity}-le1"), "name": "Основной договор",
                        "credit_limit": 2500000.00, "deferral_days": 30, "price_type": {"id": "pt-opt", "name": "Оптовая"}}]
    }})
}

fn user_msg(
    id: &str,
    seq: i64,
    entity: &str,
    company: &str,
    email: &str,
    roles: &[&str],
    active: bool,
) -> Value {
    json!({"id": id, "type": "user", "entity_id": entity, "seq": seq, "payload": {
        "company_id": company, "email": email, "full_name": "Иванов Иван", "roles": roles, "active": active
    }})
}

fn set_password(p: &TestPorts, token: &str, password: &str) -> ApiResponse {
    block_on(shared::auth::api::handle(
        p,
        request(
            "POST",
            "/api/auth/password-resets",
            Some(json!({"token": token, "password": password})),
            "",
        ),
    ))
}

/// Two companies, an admin in each, a buyer in A; all with passwords set through their links.
fn seeded() -> TestPorts {
    let p = TestPorts::new();
    send(
        &p,
        vec![
            company_msg("m1", 1, "A", "Альфа Агро"),
            company_msg("m2", 1, "B", "Бета Фермы"),
            user_msg("m3", 1, "uA", "A", "admin@alfa.ru", &["admin"], true),
            user_msg("m4", 1, "uA2", "A", "buyer@alfa.ru", &["buyer"], true),
            user_msg(
                "m5",
                1,
                "uB",
                "B",
                "admin@beta.ru",
                &["admin", "accountant"],
                true,
            ),
        ],
    );
    for email in ["admin@alfa.ru", "buyer@alfa.ru", "admin@beta.ru"] {
        let t = token_from_mail(&p, email);
        assert_eq!(set_password(&p, &t, PW).status, 204);
    }
    p
}

fn get(p: &TestPorts, path: &str, cookies: &str) -> ApiResponse {
    let req = request("GET", path, None, cookies);
    if path.starts_with("/api/company") {
        block_on(shared::company::api::handle(p, req))
    } else {
        block_on(shared::auth::api::handle(p, req))
    }
}

#[test]
fn onec_data_arrives_and_first_access_works() {
    let p = seeded();
    let c = signed_in(&p, "admin@alfa.ru", PW);
    let me = get(&p, "/api/auth/me", &c);
    assert_eq!(me.status, 200);
    assert_eq!(body(&me)["company"]["name"], "Альфа Агро");
    assert_eq!(body(&me)["user"]["roles"], json!(["admin"]));
    let company = body(&get(&p, "/api/company/company", &c));
    assert_eq!(company["legal_entities"][0]["inn"], "7707083893");
    assert_eq!(company["agreements"][0]["credit_limit_kop"], 250000000);
    assert_eq!(company["agreements"][0]["price_type"], "Оптовая");
    // The link works once.
    let t = token_from_mail(&p, "admin@alfa.ru");
    assert_eq!(
        body(&set_password(&p, &t, "Другой-пароль-1"))["code"],
        "link-invalid"
    );
}

#[test]
fn duplicates_stale_and_invalid_messages() {
    let p = seeded();
    // Same message id again: a duplicate, nothing changes.
    let r = send(&p, vec![company_msg("m1", 1, "A", "Переименовано")]);
    assert_eq!(r["results"][0]["status"], "duplicate");
    // A newer snapshot applies; an older one after it is ignored.
    send(&p, vec![company_msg("m10", 5, "A", "Альфа Агро Плюс")]);
    send(&p, vec![company_msg("m11", 4, "A", "Старое имя")]);
    let c = signed_in(&p, "admin@alfa.ru", PW);
    assert_eq!(
        body(&get(&p, "/api/company/company", &c))["company"]["name"],
        "Альфа Агро Плюс"
    );
    let st = block_on(shared::exchange::inbox::status(&p, &["m11".to_string()])).unwrap();
    assert_eq!(st[0].status, "stale");
    // Invalid messages are rejected with a reason and kept; valid ones in the batch still apply.
    let r = send(
        &p,
        vec![
            json!({"id": "m12", "type": "user", "entity_id": "uX", "seq": 1, "payload": {"company_id": "A", "email": "bad", "full_name": "X", "roles": []}}),
            json!({"id": "m13", "type": "teleport", "entity_id": "x", "seq": 1, "payload": {}}),
            json!({"id": "m14", "type": "product", "entity_id": "p1", "seq": 1, "payload": {"article": "RM-6205", "name": "Подшипник 6205", "unit": "шт", "vat_rate": 20,
                   "prices": [{"price_type": {"id": "pt-opt", "name": "Оптовая"}, "price": 1234.56}], "stock": [{"warehouse": "Краснодар", "quantity": 12.5}]}}),
        ],
    );
    assert_eq!(r["results"][0]["status"], "rejected");
    assert_eq!(r["results"][1]["code"], "unknown-type");
    assert_eq!(r["results"][2]["status"], "accepted");
    #[derive(serde::Deserialize)]
    struct P {
        price_kop: i64,
        qty_milli: i64,
        name_norm: String,
    }
    let prod: P = block_on(p.db.first(Stmt::new(
        "SELECT pp.price_kop, ps.qty_milli, p.name_norm FROM products p JOIN product_prices pp ON pp.product_id = p.id JOIN product_stock ps ON ps.product_id = p.id WHERE p.onec_id = 'p1'",
    )))
    .unwrap()
    .unwrap();
    assert_eq!(
        (prod.price_kop, prod.qty_milli, prod.name_norm.as_str()),
        (123456, 12500, "подшипник 6205")
    );
    let kept = block_on(shared::exchange::inbox::status(
        &p,
        &["m12".to_string(), "m13".to_string()],
    ))
    .unwrap();
    assert!(kept
        .iter()
        .all(|k| k.status == "rejected" && k.reason.is_some()));
}

#[test]
fn forged_and_replayed_batches_are_refused() {
    let p = TestPorts::new();
    let batch = json!({"batch_id": "b1", "sent_at": "2026-11-28T12:00:00", "messages": [company_msg("m1", 1, "A", "Альфа")]});
    let mut forged = signed(&p, &batch);
    forged.body = serde_json::to_vec(&json!({"batch_id": "b1", "sent_at": "x", "messages": [company_msg("m1", 1, "A", "Подмена")]})).unwrap();
    let r = block_on(shared::exchange::api::handle(&p, forged));
    assert_eq!(
        (r.status, body(&r)["reason"].as_str()),
        (401, Some("signature-invalid"))
    );
    let replay = signed(&p, &batch);
    p.advance(Duration::minutes(10));
    let r = block_on(shared::exchange::api::handle(&p, replay));
    assert_eq!(
        (r.status, body(&r)["reason"].as_str()),
        (401, Some("timestamp-out-of-range"))
    );
    assert!(p.queue.0.borrow().is_empty());
}

#[test]
fn users_wait_for_their_company() {
    let p = TestPorts::new();
    send(
        &p,
        vec![user_msg("u1", 1, "uZ", "Z", "z@zeta.ru", &["buyer"], true)],
    );
    let st = block_on(shared::exchange::inbox::status(&p, &["u1".to_string()])).unwrap();
    assert_eq!(st[0].status, "waiting");
    send(&p, vec![company_msg("c1", 1, "Z", "Зета")]);
    let st = block_on(shared::exchange::inbox::status(&p, &["u1".to_string()])).unwrap();
    assert_eq!(st[0].status, "applied");
    assert!(p.last_mail_to("z@zeta.ru").is_some());
}

#[test]
fn deactivated_or_changed_user_is_refused_on_next_request() {
    let p = seeded();
    let c = signed_in(&p, "buyer@alfa.ru", PW);
    assert_eq!(get(&p, "/api/auth/me", &c).status, 200);
    // Roles changed in 1C: the next request is refused; a refresh gives the new roles.
    send(
        &p,
        vec![user_msg(
            "m20",
            2,
            "uA2",
            "A",
            "buyer@alfa.ru",
            &["buyer", "accountant"],
            true,
        )],
    );
    assert_eq!(
        body(&get(&p, "/api/auth/me", &c))["code"],
        "session-expired"
    );
    let r = block_on(shared::auth::api::handle(
        &p,
        request("POST", "/api/auth/refresh", None, &c),
    ));
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["roles"], json!(["buyer", "accountant"]));
    // The refresh rotated the refresh token too: the new cookies carry both.
    let c2 = cookies_from(&r);
    assert!(c2.contains("__Secure-portal_rt="));
    assert_eq!(get(&p, "/api/auth/me", &c2).status, 200);
    // Deactivated: refused, and cannot refresh or sign in.
    send(
        &p,
        vec![user_msg(
            "m21",
            3,
            "uA2",
            "A",
            "buyer@alfa.ru",
            &["buyer"],
            false,
        )],
    );
    assert_eq!(get(&p, "/api/auth/me", &c2).status, 401);
    assert_eq!(
        block_on(shared::auth::api::handle(
            &p,
            request("POST", "/api/auth/refresh", None, &c2)
        ))
        .status,
        401
    );
    assert_eq!(
        body(&sign_in(&p, "buyer@alfa.ru", PW))["code"],
        "invalid-credentials"
    );
}

#[test]
fn sign_out_ends_the_session() {
    let p = seeded();
    let c = signed_in(&p, "admin@alfa.ru", PW);
    let r = block_on(shared::auth::api::handle(
        &p,
        request("POST", "/api/auth/sign-out", None, &c),
    ));
    assert_eq!(r.status, 204);
    assert!(r
        .headers
        .iter()
        .any(|(k, v)| k == "set-cookie" && v.contains("Max-Age=0")));
    assert_eq!(get(&p, "/api/auth/me", &c).status, 401);
}

#[test]
fn throttling_per_account_and_per_ip() {
    let mut p = seeded();
    p.config.throttle_account_max = 3;
    p.config.throttle_ip_max = 5;
    // Per account: 3 failures lock this account, even with the right password; another account
    // from the same IP still signs in.
    for _ in 0..3 {
        assert_eq!(sign_in(&p, "admin@alfa.ru", "wrong-password-1").status, 401);
    }
    let locked = sign_in(&p, "admin@alfa.ru", PW);
    assert_eq!(
        (locked.status, body(&locked)["code"].as_str()),
        (429, Some("too-many-attempts"))
    );
    assert!(locked.header("retry-after").is_some());
    assert_eq!(sign_in(&p, "buyer@alfa.ru", PW).status, 200);
    // The window ends: the account works again.
    p.advance(Duration::minutes(16));
    assert_eq!(sign_in(&p, "admin@alfa.ru", PW).status, 200);
    // Per IP: failures spread over accounts (none reaching its own limit) lock the IP.
    for email in ["x1@a.ru", "x2@a.ru", "x3@a.ru", "x4@a.ru", "x5@a.ru"] {
        assert_eq!(sign_in(&p, email, "nope-nope-1").status, 401);
    }
    assert_eq!(sign_in(&p, "buyer@alfa.ru", PW).status, 429);
    // Unknown and known accounts get the same answers.
    assert_eq!(
        body(&sign_in(&p, "ghost@a.ru", "x"))["code"],
        "too-many-attempts"
    );
}

#[test]
fn forgot_password_through_mail_and_link_expiry() {
    let p = seeded();
    let before = p.mail.0.borrow().len();
    let r = block_on(shared::auth::api::handle(
        &p,
        request(
            "POST",
            "/api/auth/password-reset-requests",
            Some(json!({"email": "nobody@x.ru"})),
            "",
        ),
    ));
    assert_eq!(r.status, 202);
    assert_eq!(
        p.mail.0.borrow().len(),
        before,
        "no mail for an unknown address"
    );
    let r = block_on(shared::auth::api::handle(
        &p,
        request(
            "POST",
            "/api/auth/password-reset-requests",
            Some(json!({"email": "Admin@Alfa.ru"})),
            "",
        ),
    ));
    assert_eq!(r.status, 202);
    let t = token_from_mail(&p, "admin@alfa.ru");
    // Expired after its lifetime (2 hours), with the clock the test sets.
    p.advance(Duration::hours(3));
    assert_eq!(
        body(&set_password(&p, &t, "Новый-пароль-77"))["code"],
        "link-invalid"
    );
    block_on(shared::auth::api::handle(
        &p,
        request(
            "POST",
            "/api/auth/password-reset-requests",
            Some(json!({"email": "admin@alfa.ru"})),
            "",
        ),
    ));
    let t = token_from_mail(&p, "admin@alfa.ru");
    let weak = set_password(&p, &t, "short");
    assert_eq!(body(&weak)["field_errors"][0]["code"], "too-short");
    assert_eq!(set_password(&p, &t, "Новый-пароль-77").status, 204);
    assert_eq!(sign_in(&p, "admin@alfa.ru", PW).status, 401);
    assert_eq!(sign_in(&p, "admin@alfa.ru", "Новый-пароль-77").status, 200);
}

#[test]
fn company_scoping_and_roles() {
    let p = seeded();
    let a_admin = signed_in(&p, "admin@alfa.ru", PW);
    let a_buyer = signed_in(&p, "buyer@alfa.ru", PW);
    let b_admin = signed_in(&p, "admin@beta.ru", PW);
    let list = body(&get(&p, "/api/company/employees", &a_admin));
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let a_employee = list["items"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/company/employees/{a_employee}");
    assert_eq!(get(&p, &path, &a_admin).status, 200);
    assert_eq!(
        get(&p, &path, &b_admin).status,
        404,
        "another company's employee is a 404"
    );
    assert_eq!(get(&p, &path, &a_buyer).status, 403);
    assert_eq!(get(&p, &path, "").status, 401);
    assert_eq!(
        get(&p, "/api/company/employees/usr_nonexistent", &a_admin).status,
        404
    );
}

#[test]
fn csrf_origin_is_checked() {
    let p = seeded();
    let mut req = request(
        "POST",
        "/api/auth/sign-in",
        Some(json!({"email": "admin@alfa.ru", "password": PW})),
        "",
    );
    req.headers.retain(|(k, _)| k != "origin");
    req.headers
        .push(("origin".into(), "https://evil.example".into()));
    let r = block_on(shared::auth::api::handle(&p, req));
    assert_eq!(
        (r.status, body(&r)["code"].as_str()),
        (403, Some("csrf-origin-mismatch"))
    );
}

#[test]
fn the_sweeper_re_enqueues_what_was_stored_but_not_applied() {
    let p = TestPorts::new();
    // Stored, but the queue "lost" the wake-up (a local queue restarting, say).
    let batch = json!({"batch_id": "b1", "sent_at": "2026-11-28T12:00:00", "messages": [company_msg("c1", 1, "Z", "Зета")]});
    let resp = block_on(shared::exchange::api::handle(&p, signed(&p, &batch)));
    assert_eq!(resp.status, 200);
    p.queue.0.borrow_mut().clear();
    // Too fresh to sweep: the consumer may still be on it.
    assert_eq!(block_on(shared::exchange::inbox::sweep(&p)).unwrap(), 0);
    p.advance(Duration::minutes(1));
    assert_eq!(block_on(shared::exchange::inbox::sweep(&p)).unwrap(), 1);
    let ids = p
        .queue
        .0
        .borrow_mut()
        .drain(..)
        .flatten()
        .collect::<Vec<_>>();
    assert_eq!(ids, vec!["c1".to_string()]);
    let report = block_on(shared::exchange::inbox::process(&p, &ids)).unwrap();
    assert_eq!(report.applied, 1);
    // Applying again is a no-op: applied messages are skipped.
    let again = block_on(shared::exchange::inbox::process(&p, &ids)).unwrap();
    assert_eq!((again.applied, again.stale, again.rejected), (0, 0, 0));
    assert_eq!(block_on(shared::exchange::inbox::sweep(&p)).unwrap(), 0);
}

fn product_msg(id: &str, seq: i64, entity: &str, prices: Value, stock: Value) -> Value {
    json!({"id": id, "type": "product", "entity_id": entity, "seq": seq, "payload": {"article": "RM 6205-2RS", "name": "Подшипник 6205", "unit": "шт", "vat_rate": 20, "prices": prices, "stock": stock}})
}

#[test]
fn product_snapshots_replace_prices_and_stock() {
    let p = TestPorts::new();
    send(
        &p,
        vec![product_msg(
            "p1",
            1,
            "P",
            json!([{"price_type": {"id": "a", "name": "A"}, "price": 10}, {"price_type": {"id": "b", "name": "B"}, "price": 20}]),
            json!([{"warehouse": "Краснодар", "quantity": 5}, {"warehouse": "Краснодар", "quantity": 2.5}]),
        )],
    );
    send(
        &p,
        vec![product_msg(
            "p2",
            2,
            "P",
            json!([{"price_type": {"id": "b", "name": "B2"}, "price": 25.5}]),
            json!([]),
        )],
    );
    #[derive(serde::Deserialize)]
    struct R {
        n_prices: i64,
        price: i64,
        pt_name: String,
        n_stock: i64,
        article_norm: String,
    }
    let r: R = block_on(p.db.first(Stmt::new(
        "SELECT (SELECT count(*) FROM product_prices) AS n_prices, (SELECT price_kop FROM product_prices) AS price, \
         (SELECT name FROM price_types WHERE onec_id = 'b') AS pt_name, (SELECT count(*) FROM product_stock) AS n_stock, \
         (SELECT article_norm FROM products) AS article_norm",
    )))
    .unwrap()
    .unwrap();
    assert_eq!(
        (
            r.n_prices,
            r.price,
            r.pt_name.as_str(),
            r.n_stock,
            r.article_norm.as_str()
        ),
        (1, 2550, "B2", 0, "rm62052rs")
    );
}

#[test]
fn one_message_failing_to_apply_blocks_no_other() {
    let p = seeded();
    // Two different 1C users with one e-mail: the second breaks the unique e-mail. The batch
    // falls back to one message at a time: the good ones apply, the bad one is rejected.
    let r = send(
        &p,
        vec![
            user_msg("x1", 1, "uNew1", "A", "same@alfa.ru", &["buyer"], true),
            user_msg("x2", 1, "uNew2", "A", "same@alfa.ru", &["buyer"], true),
            company_msg("x3", 1, "A", "Старое"),
            product_msg("x4", 1, "P9", json!([]), json!([])),
        ],
    );
    assert!(r["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["status"] == "accepted"));
    let st = block_on(shared::exchange::inbox::status(
        &p,
        &["x1".into(), "x2".into(), "x3".into(), "x4".into()],
    ))
    .unwrap();
    let by: std::collections::HashMap<_, _> = st
        .iter()
        .map(|s| (s.id.as_str(), (s.status.as_str(), s.reason.clone())))
        .collect();
    assert_eq!(by["x1"].0, "applied");
    assert_eq!(by["x2"].0, "rejected");
    assert!(by["x2"].1.as_deref().unwrap().contains("apply-failed"));
    assert_eq!(by["x3"].0, "stale", "the stale mark survives the fallback");
    assert_eq!(by["x4"].0, "applied");
}

fn order_msg(
    id: &str,
    seq: i64,
    entity: &str,
    company: &str,
    lines: Value,
    total: f64,
    shipments: Value,
) -> Value {
    json!({"id": id, "type": "order", "entity_id": entity, "seq": seq, "payload": {
        "company_id": company, "legal_entity_id": format!("{company}-le1"), "agreement_id": format!("{company}-ag1"),
        "number": "ЗК-000123", "date": "2026-03-01T10:00:00", "author_email": "Buyer@Alfa.ru", "status": "shipped",
        "delivery_method": "delivery", "delivery_address": "ст. Каневская", "payment_method": "credit", "paid": 0,
        "planned_shipping_date": "2026-03-05T00:00:00", "lines": lines, "total": total, "vat_total": 0.0, "shipments": shipments
    }})
}

#[test]
fn orders_credit_states_and_schedules_arrive() {
    let p = seeded();
    let lines = json!([
        {"line_no": 1, "product_id": "p1", "article": "AZ1", "name": "Подшипник", "quantity": 2, "unit": "шт", "price": 1234.5, "amount": 2469.0, "vat_rate": 20, "vat": 411.5},
        {"line_no": 2, "product_id": null, "article": "AZ2", "name": "Смазка", "quantity": 1.5, "unit": "кг", "price": 100.01, "amount": 150.02, "vat_rate": 20, "vat": 25.0}
    ]);
    let ships = json!([{"id": "sh1", "number": "РН-1", "date": "2026-03-05T14:00:00", "vehicle": "А123ВС 93", "documents": ["УПД № 1"], "lines": [{"line_no": 1, "quantity": 2}]},
                       {"id": "sh2", "number": "РН-2", "date": "2026-03-06T09:00:00", "vehicle": "В456ОР 93", "documents": ["УПД № 2"], "lines": [{"line_no": 2, "quantity": 1.5}]}]);
    // The schedule arrives before its order: it waits, then applies.
    let sched = json!({"id": "s1", "type": "payment_schedule", "entity_id": "O1", "seq": 1, "payload": {"company_id": "A", "order_id": "O1", "agreement_id": "A-ag1",
        "stages": [{"due_date": "2026-04-01T00:00:00", "amount": 1000, "paid": 1000}, {"due_date": "2026-04-15T00:00:00", "amount": 1619.02, "paid": 0}]}});
    send(&p, vec![sched]);
    assert_eq!(
        block_on(shared::exchange::inbox::status(&p, &["s1".into()])).unwrap()[0].status,
        "waiting"
    );
    let r = send(
        &p,
        vec![
            order_msg("o1", 1, "O1", "A", lines.clone(), 2619.02, ships),
            json!({"id": "k1", "type": "credit_state", "entity_id": "A-ag1", "seq": 1, "payload": {"company_id": "A", "agreement_id": "A-ag1", "as_of": "2026-11-27T18:00:00",
            "limit": 2500000, "debt": 120000.5, "overdue_debt": 20000, "reserve": 2619.02, "reserve_orders": ["O1"], "blocked": true, "amount_to_pay": 20000}}),
        ],
    );
    assert!(
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["status"] == "accepted"),
        "{r}"
    );
    let st = block_on(shared::exchange::inbox::status(
        &p,
        &["o1".into(), "k1".into(), "s1".into()],
    ))
    .unwrap();
    assert!(st.iter().all(|s| s.status == "applied"), "{st:?}");
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct O {
        total_kop: i64,
        lines: i64,
        qty: i64,
        shipments: i64,
        ship_lines: i64,
        author: i64,
        le: i64,
        stages: i64,
        due: i64,
        blocked: i64,
        to_pay: i64,
        reserve_orders: i64,
    }
    let q = "SELECT o.total_kop, (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) AS lines, \
               (SELECT sum(qty_milli) FROM order_lines l WHERE l.order_id = o.id) AS qty, \
               (SELECT count(*) FROM shipments s WHERE s.order_id = o.id) AS shipments, \
               (SELECT count(*) FROM shipment_lines) AS ship_lines, \
               (o.author_user_id IS NOT NULL) AS author, (o.legal_entity_id IS NOT NULL) AS le, \
               (SELECT count(*) FROM payment_schedule ps WHERE ps.order_id = o.id) AS stages, \
               (SELECT sum(amount_kop - paid_kop) FROM payment_schedule ps WHERE ps.order_id = o.id) AS due, \
               (SELECT blocked FROM credit_states) AS blocked, (SELECT amount_to_pay_kop FROM credit_states) AS to_pay, \
               (SELECT count(*) FROM credit_reserve_orders) AS reserve_orders \
             FROM orders o WHERE o.onec_id = 'O1'";
    let got: O = block_on(p.db.first(Stmt::new(q))).unwrap().unwrap();
    assert_eq!(
        got,
        O {
            total_kop: 261902,
            lines: 2,
            qty: 3500,
            shipments: 2,
            ship_lines: 2,
            author: 1,
            le: 1,
            stages: 2,
            due: 161902,
            blocked: 1,
            to_pay: 2000000,
            reserve_orders: 1
        }
    );
    // A newer snapshot with one line replaces the lines and shipments.
    let one = json!([{"line_no": 1, "product_id": "p1", "article": "AZ1", "name": "Подшипник", "quantity": 1, "unit": "шт", "price": 1234.5, "amount": 1234.5, "vat_rate": 20, "vat": 205.75}]);
    send(
        &p,
        vec![order_msg("o2", 2, "O1", "A", one, 1234.5, json!([]))],
    );
    let got: O = block_on(p.db.first(Stmt::new(q))).unwrap().unwrap();
    assert_eq!(
        (got.total_kop, got.lines, got.shipments, got.ship_lines),
        (123450, 1, 0, 0)
    );
    // Totals that do not add up are refused at the door.
    let bad = send(
        &p,
        vec![order_msg("o3", 3, "O1", "A", lines, 9999.0, json!([]))],
    );
    assert_eq!(bad["results"][0]["status"], "rejected");
    assert!(bad["results"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("total"));
}
