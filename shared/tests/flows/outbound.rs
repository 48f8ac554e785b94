//! Changes travelling to 1C: recorded with the change, delivered by push (with retries while 1C
//! is down, in order per entity, dead-lettered after the give-up time) or by pull with
//! acknowledgements; the user sees the state; a refused change is rolled back.

use crate::helpers::{body, PW};
use chrono::Duration;
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::config::Delivery;
use shared::http::{ApiRequest, ApiResponse};
use shared::testing::{cookies_from, request, TestPorts};

fn signed(p: &TestPorts, path: &str, payload: &Value) -> ApiRequest {
    p.signed_json(path, payload)
}

/// A company with one user who has set a password; returns the session cookies.
fn setup(p: &TestPorts) -> String {
    let batch = json!({"batch_id": "b", "sent_at": "2026-11-28T12:00:00", "messages": [
        {"id": "c", "type": "company", "entity_id": "C1", "seq": 1, "payload": {"name": "Альфа", "legal_entities": []}},
        {"id": "u", "type": "user", "entity_id": "U1", "seq": 1, "payload": {"company_id": "C1", "email": "u@alfa.ru", "full_name": "Иванов Иван", "roles": ["buyer"]}}
    ]});
    assert_eq!(
        block_on(shared::exchange::api::handle(
            p,
            signed(p, "/exchange/v1/messages", &batch)
        ))
        .status,
        200
    );
    let ids: Vec<String> = p.queue.0.borrow_mut().drain(..).flatten().collect();
    block_on(shared::exchange::inbox::process(p, &ids)).unwrap();
    let mail = p.last_mail_to("u@alfa.ru").unwrap();
    let token = mail
        .text
        .split("#token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let r = block_on(shared::auth::api::handle(
        p,
        request(
            "POST",
            "/api/auth/password-resets",
            Some(json!({"token": token, "password": PW})),
            "",
        ),
    ));
    assert_eq!(r.status, 204);
    let r = block_on(shared::auth::api::handle(
        p,
        request(
            "POST",
            "/api/auth/sign-in",
            Some(json!({"email": "u@alfa.ru", "password": PW})),
            "",
        ),
    ));
    cookies_from(&r)
}

fn me(p: &TestPorts, c: &str) -> Value {
    body(&block_on(shared::auth::api::handle(
        p,
        request("GET", "/api/auth/me", None, c),
    )))
}

fn edit(p: &TestPorts, c: &str, name: &str, version: i64) -> ApiResponse {
    block_on(shared::auth::api::handle(
        p,
        request(
            "PATCH",
            "/api/auth/profile",
            Some(
                json!({"full_name": name, "position": "Снабженец", "phone": "+7 (861) 200-00-00", "version": version}),
            ),
            c,
        ),
    ))
}

fn sweep(p: &TestPorts) -> Value {
    let r = block_on(shared::exchange::api::handle(
        p,
        signed(p, "/exchange/v1/sweep", &json!({})),
    ));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    body(&r)
}

#[test]
fn profile_change_is_pushed_and_accepted() {
    let p = TestPorts::new();
    let c = setup(&p);
    let v = me(&p, &c)["user"]["version"].as_i64().unwrap();
    let r = edit(&p, &c, "Иванов Иван Петрович", v);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(body(&r)["user"]["full_name"], "Иванов Иван Петрович");
    assert_eq!(body(&r)["user"]["sync"]["state"], "waiting");
    assert_eq!(
        p.queue.1.borrow().len(),
        1,
        "the delivery consumer was woken"
    );
    let report = block_on(shared::exchange::outbox::deliver_due(&p)).unwrap();
    assert_eq!(report.accepted, 1);
    let sent = p.onec.received.borrow()[0].clone();
    assert_eq!(sent["type"], "employee.changed");
    assert_eq!(sent["entity_id"], "U1");
    assert_eq!(sent["base_version"], v);
    assert_eq!(sent["payload"]["company_id"], "C1");
    assert_eq!(sent["payload"]["full_name"], "Иванов Иван Петрович");
    // The same shape as an administrator's edit of the employee: the full record.
    assert_eq!(
        crate::helpers::keys(&sent["payload"]),
        ["company_id", "email", "full_name", "phone", "portal_id", "position", "roles"]
    );
    assert_eq!(me(&p, &c)["user"]["sync"]["state"], "accepted");
    // An edit based on the old version is refused with the current profile.
    let stale = edit(&p, &c, "Другое имя", v);
    assert_eq!(
        (stale.status, body(&stale)["code"].as_str()),
        (409, Some("version-conflict"))
    );
    assert_eq!(body(&stale)["current"]["full_name"], "Иванов Иван Петрович");
    let bad = block_on(shared::auth::api::handle(
        &p,
        request(
            "PATCH",
            "/api/auth/profile",
            Some(json!({"full_name": " ", "phone": "позвоните", "version": v + 1})),
            &c,
        ),
    ));
    assert_eq!(bad.status, 422);
    let bad = body(&bad);
    let fields: Vec<&str> = bad["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["full_name", "phone"]);
}

#[test]
fn while_1c_is_down_changes_wait_and_drain_in_order() {
    let p = TestPorts::new();
    let c = setup(&p);
    p.onec.set("down");
    let v = me(&p, &c)["user"]["version"].as_i64().unwrap();
    assert_eq!(edit(&p, &c, "Первое", v).status, 200);
    assert_eq!(edit(&p, &c, "Второе", v + 1).status, 200);
    let first = sweep(&p);
    assert_eq!(
        first["outbox"]["retrying"], 1,
        "only the older change of the entity is tried"
    );
    assert_eq!(first["outbox_backlog"], 2);
    // 1C answers 500 for a while, then comes back.
    p.onec.set("error");
    p.advance(Duration::minutes(2));
    assert_eq!(sweep(&p)["outbox"]["retrying"], 1);
    p.onec.set("accept");
    // Not due yet: the backoff holds it.
    assert_eq!(sweep(&p)["outbox"]["accepted"], 0);
    p.advance(Duration::hours(1));
    assert_eq!(sweep(&p)["outbox"]["accepted"], 1);
    assert_eq!(sweep(&p)["outbox"]["accepted"], 1);
    let names: Vec<String> = p
        .onec
        .received
        .borrow()
        .iter()
        .filter(|r| r["id"].is_string())
        .map(|r| r["payload"]["full_name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.last().unwrap(), "Второе");
    let pos_first = names.iter().rposition(|n| n == "Первое").unwrap();
    assert!(
        pos_first < names.len() - 1,
        "Первое delivered before Второе: {names:?}"
    );
    assert_eq!(sweep(&p)["outbox_backlog"], 0);
}

/// An edit made while 1C is down, then 30 hours of sweeps every half hour.
fn edit_while_1c_is_down_for_30_hours(p: &TestPorts, c: &str) {
    p.onec.set("down");
    let v = me(p, c)["user"]["version"].as_i64().unwrap();
    assert_eq!(edit(p, c, "Новое", v).status, 200);
    for _ in 0..60 {
        sweep(p);
        p.advance(Duration::minutes(30));
    }
}

#[test]
fn a_change_1c_never_takes_is_dead_lettered_after_24_hours() {
    let p = TestPorts::new();
    let c = setup(&p);
    edit_while_1c_is_down_for_30_hours(&p, &c);
    // Long after the session expired: sign in again to look.
    let r = block_on(shared::auth::api::handle(
        &p,
        request(
            "POST",
            "/api/auth/sign-in",
            Some(json!({"email": "u@alfa.ru", "password": PW})),
            "",
        ),
    ));
    assert_eq!(me(&p, &cookies_from(&r))["user"]["sync"]["state"], "failed");
    assert_eq!(sweep(&p)["outbox_backlog"], 0);
}

#[test]
fn a_refused_change_is_rolled_back_with_1cs_reason() {
    let p = TestPorts::new();
    let c = setup(&p);
    *p.onec.reason.borrow_mut() = "ФИО меняет только отдел кадров".into();
    p.onec.set("reject");
    let v = me(&p, &c)["user"]["version"].as_i64().unwrap();
    assert_eq!(edit(&p, &c, "Самозванец", v).status, 200);
    assert_eq!(sweep(&p)["outbox"]["rejected"], 1);
    let user = me(&p, &c)["user"].clone();
    assert_eq!(user["full_name"], "Иванов Иван");
    assert_eq!(user["sync"]["state"], "rejected");
    assert_eq!(user["sync"]["reason"], "ФИО меняет только отдел кадров");
}

#[test]
fn pull_mode_hands_out_changes_in_order_with_acknowledgements() {
    let mut p = TestPorts::new();
    p.config.onec_delivery = Delivery::Pull;
    let c = setup(&p);
    let v = me(&p, &c)["user"]["version"].as_i64().unwrap();
    assert_eq!(edit(&p, &c, "Первое", v).status, 200);
    assert_eq!(edit(&p, &c, "Второе", v + 1).status, 200);
    assert!(
        p.queue.1.borrow().is_empty(),
        "pull mode wakes no push consumer"
    );
    assert_eq!(
        sweep(&p)["outbox"]["accepted"],
        0,
        "the sweeper pushes nothing in pull mode"
    );
    let pull = |p: &TestPorts| {
        body(&block_on(shared::exchange::api::handle(
            p,
            signed(p, "/exchange/v1/changes/pull", &json!({"limit": 10})),
        )))
    };
    let first = pull(&p);
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        1,
        "one change per entity at a time"
    );
    assert_eq!(first["items"][0]["payload"]["full_name"], "Первое");
    assert_eq!(
        pull(&p)["items"].as_array().unwrap().len(),
        0,
        "sent, not yet acknowledged"
    );
    // Not acknowledged in time: handed out again.
    p.advance(Duration::minutes(11));
    let again = pull(&p);
    assert_eq!(again["items"][0]["id"], first["items"][0]["id"]);
    let ack = json!({"results": [{"id": first["items"][0]["id"], "status": "accepted"}]});
    let r = block_on(shared::exchange::api::handle(
        &p,
        signed(&p, "/exchange/v1/changes/ack", &ack),
    ));
    assert_eq!(body(&r)["updated"], 1);
    let second = pull(&p);
    assert_eq!(second["items"][0]["payload"]["full_name"], "Второе");
    // A repeated acknowledgement changes nothing.
    let r = block_on(shared::exchange::api::handle(
        &p,
        signed(&p, "/exchange/v1/changes/ack", &ack),
    ));
    assert_eq!(body(&r)["updated"], 0);
}

#[test]
fn the_sweep_route_exists_only_where_test_hooks_are_allowed() {
    let mut p = TestPorts::new();
    p.config.allow_test_clock = false;
    let r = block_on(shared::exchange::api::handle(
        &p,
        signed(&p, "/exchange/v1/sweep", &json!({})),
    ));
    assert_eq!(r.status, 404);
}

fn monitor(
    p: &TestPorts,
    method: &str,
    path: &str,
    token: &str,
    payload: Option<Value>,
) -> ApiResponse {
    let mut req = request(method, path, payload, "");
    req.headers
        .push(("authorization".into(), format!("Bearer {token}")));
    block_on(shared::exchange::api::handle(p, req))
}

#[test]
fn the_monitor_shows_problems_and_replays_them() {
    let p = TestPorts::new();
    let c = setup(&p);
    // A refused inbound message and a dead-lettered change.
    let bad = json!({"batch_id": "b2", "sent_at": "2026-11-28T12:00:00", "messages": [
        {"id": "bad-1", "type": "user", "entity_id": "U9", "seq": 1, "payload": {"company_id": "C1", "email": "nope", "full_name": "X", "roles": []}}]});
    block_on(shared::exchange::api::handle(
        &p,
        signed(&p, "/exchange/v1/messages", &bad),
    ));
    edit_while_1c_is_down_for_30_hours(&p, &c);
    // Its own credential: client sessions and wrong keys get nothing.
    assert_eq!(
        monitor(&p, "GET", "/exchange/v1/monitor", "wrong", None).status,
        401
    );
    let r = block_on(shared::exchange::api::handle(
        &p,
        request("GET", "/exchange/v1/monitor", None, &c),
    ));
    assert_eq!(r.status, 401);
    let m = body(&monitor(
        &p,
        "GET",
        "/exchange/v1/monitor",
        "monitor-test-token",
        None,
    ));
    assert_eq!(m["inbox_problems"][0]["id"], "bad-1");
    assert!(m["inbox_problems"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("email"));
    assert_eq!(m["outbox_problems"][0]["status"], "failed");
    assert!(m["outbound"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["type"] == "employee.changed"));
    assert!(m["inbound"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["type"] == "user" && t["count"] == 2));
    // Replay: 1C is back, the dead-lettered change goes through.
    p.onec.set("accept");
    let id = m["outbox_problems"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        monitor(
            &p,
            "POST",
            "/exchange/v1/monitor/replays",
            "monitor-test-token",
            Some(json!({"direction": "outbox", "id": id}))
        )
        .status,
        204
    );
    assert_eq!(sweep(&p)["outbox"]["accepted"], 1);
    // Replaying the still-invalid message refuses it again; an unknown id is a 404.
    assert_eq!(
        monitor(
            &p,
            "POST",
            "/exchange/v1/monitor/replays",
            "monitor-test-token",
            Some(json!({"direction": "inbox", "id": "bad-1"}))
        )
        .status,
        204
    );
    let ids: Vec<String> = p.queue.0.borrow_mut().drain(..).flatten().collect();
    assert_eq!(
        block_on(shared::exchange::inbox::process(&p, &ids))
            .unwrap()
            .rejected,
        1
    );
    assert_eq!(
        monitor(
            &p,
            "POST",
            "/exchange/v1/monitor/replays",
            "monitor-test-token",
            Some(json!({"direction": "inbox", "id": "nope"}))
        )
        .status,
        404
    );
}
