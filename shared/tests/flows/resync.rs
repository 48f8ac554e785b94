//! Issue 16, full resync: 1C's manifest (what the portal lacks, holds stale or ahead, and for a
//! complete manifest of one company what 1C did not list), its bounds and strictness, its
//! company scope (which follows an employee who moved); the monitor's request that 1C resend a
//! company (`resync.requested`): its wire shape, its idempotency key, and a verdict that
//! leaves nothing overdue.

use crate::helpers::{body, count, msg, pull_and_answer, text};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::config::Delivery;
use shared::http::{ApiRequest, ApiResponse};
use shared::testing::{request, TestPorts};

fn handle(p: &TestPorts, req: ApiRequest) -> ApiResponse {
    block_on(shared::exchange::api::handle(p, req))
}

fn manifest(p: &TestPorts, m: Value) -> ApiResponse {
    handle(p, p.signed_json("/exchange/v1/manifest", &m))
}

fn ok(r: ApiResponse) -> Value {
    assert_eq!(r.status, 200, "{}", text(&r));
    body(&r)
}

fn codes(r: &ApiResponse) -> Vec<String> {
    body(r)["field_errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{}:{}",
                e["field"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn company(id: &str, seq: i64) -> Value {
    msg(
        &format!("m-{id}-{seq}"),
        "company",
        id,
        seq,
        json!({"name": id, "legal_entities": []}),
    )
}

fn user(id: &str, seq: i64, company: &str) -> Value {
    msg(
        &format!("m-{id}-{seq}"),
        "user",
        id,
        seq,
        json!({"company_id": company, "email": format!("{}@x.ru", id.to_lowercase()), "full_name": "Тест", "roles": ["buyer"]}),
    )
}

/// C1 with U1 (seq 3), U2 (seq 2), U4 (seq 5); C2 with U9.
fn setup(p: &TestPorts) {
    p.send_from_1c(vec![
        company("C1", 5),
        company("C2", 1),
        user("U1", 3, "C1"),
        user("U2", 2, "C1"),
        user("U4", 5, "C1"),
        user("U9", 1, "C2"),
    ]);
    assert_eq!(count(p, "SELECT count(*) AS n FROM users"), 4);
}

#[test]
fn a_manifest_names_what_the_portal_lacks_holds_stale_or_holds_ahead() {
    let p = TestPorts::new();
    setup(&p);
    let a = ok(manifest(
        &p,
        json!({"entity_type": "user", "items": [
            {"id": "U1", "seq": 4}, {"id": "U2", "seq": 2}, {"id": "U3", "seq": 1}, {"id": "U4", "seq": 4}]}),
    ));
    assert_eq!(a["entity_type"], "user");
    assert_eq!(a["missing"], json!(["U3"]));
    assert_eq!(a["stale"], json!([{"id": "U1", "seq": 3}]));
    assert_eq!(a["ahead"], json!([{"id": "U4", "seq": 5}]));
    // Not complete: the portal does not guess what 1C left out.
    assert!(a.get("unknown").is_none(), "{a}");
    // Another type's ids are not this type's.
    let a = ok(manifest(
        &p,
        json!({"entity_type": "company", "items": [{"id": "U1", "seq": 1}, {"id": "C1", "seq": 5}]}),
    ));
    assert_eq!(a["missing"], json!(["U1"]));
    assert_eq!(a["stale"], json!([]));
}

#[test]
fn a_complete_manifest_of_one_company_names_what_1c_did_not_list() {
    let p = TestPorts::new();
    setup(&p);
    let a = ok(manifest(
        &p,
        json!({"entity_type": "user", "company_id": "C1", "complete": true, "items": [{"id": "U1", "seq": 3}]}),
    ));
    assert_eq!(a["missing"], json!([]));
    assert_eq!(a["unknown"], json!(["U2", "U4"]), "C2's U9 is not C1's");
    // An empty complete manifest: 1C holds nothing of the company's users.
    let a = ok(manifest(
        &p,
        json!({"entity_type": "user", "company_id": "C2", "complete": true, "items": []}),
    ));
    assert_eq!(a["unknown"], json!(["U9"]));
    // The company itself is in its own scope.
    let a = ok(manifest(
        &p,
        json!({"entity_type": "company", "company_id": "C1", "complete": true, "items": []}),
    ));
    assert_eq!(a["unknown"], json!(["C1"]));
    // An employee 1C moves to C2 is C2's from then on.
    p.send_from_1c(vec![user("U2", 3, "C2")]);
    let a = ok(manifest(
        &p,
        json!({"entity_type": "user", "company_id": "C2", "complete": true, "items": [{"id": "U9", "seq": 1}]}),
    ));
    assert_eq!(a["unknown"], json!(["U2"]));
    let a = ok(manifest(
        &p,
        json!({"entity_type": "user", "company_id": "C1", "complete": true, "items": [{"id": "U1", "seq": 3}]}),
    ));
    assert_eq!(a["unknown"], json!(["U4"]));
}

#[test]
fn a_manifest_is_signed_bounded_and_closed() {
    let p = TestPorts::new();
    setup(&p);
    let unsigned = handle(
        &p,
        request(
            "POST",
            "/exchange/v1/manifest",
            Some(json!({"entity_type": "user", "items": []})),
            "",
        ),
    );
    assert_eq!(unsigned.status, 401);
    let refused = |m: Value| {
        let r = manifest(&p, m);
        assert_eq!(r.status, 422, "{}", text(&r));
        assert_eq!(
            r.headers
                .iter()
                .find(|(k, _)| k == "content-type")
                .map(|(_, v)| v.as_str()),
            Some("application/problem+json; charset=utf-8")
        );
        codes(&r)
    };
    assert_eq!(
        refused(json!({"entity_type": "user", "items": [], "compelte": true})),
        ["compelte:unknown-field"]
    );
    assert_eq!(
        refused(json!({"entity_type": "user", "items": [{"id": "U1", "seq": 1, "hash": "x"}]})),
        ["items[0].hash:unknown-field"]
    );
    assert_eq!(
        refused(json!({"entity_type": "answer", "items": []})),
        ["entity_type:invalid-entity-type"]
    );
    assert_eq!(
        refused(json!({"entity_type": "orders", "items": []})),
        ["entity_type:invalid-entity-type"]
    );
    assert_eq!(
        refused(json!({"entity_type": "product", "company_id": "C1", "items": []})),
        ["company_id:not-company-scoped"]
    );
    // The supplier's own organisations are no company's either.
    assert_eq!(
        refused(json!({"entity_type": "organisation", "company_id": "C1", "items": []})),
        ["company_id:not-company-scoped"]
    );
    assert_eq!(
        refused(json!({"entity_type": "user", "complete": true, "items": []})),
        ["complete:needs-company"]
    );
    assert_eq!(
        refused(
            json!({"entity_type": "user", "items": [{"id": "U1", "seq": 1}, {"id": "U1", "seq": 2}, {"id": "U2", "seq": 0}]})
        ),
        ["items[1].id:duplicate", "items[2].seq:out-of-range"]
    );
    assert_eq!(
        refused(json!({"entity_type": "user", "items": [{"id": "x".repeat(201), "seq": 1}]})),
        ["items[0].id:too-long"]
    );
    let items = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"id": format!("U{i}"), "seq": 1}))
            .collect()
    };
    assert_eq!(
        refused(json!({"entity_type": "user", "items": items(1001)})),
        ["items:too-many"]
    );
    let a = ok(manifest(
        &p,
        json!({"entity_type": "user", "items": items(1000)}),
    ));
    assert_eq!(
        a["missing"].as_array().unwrap().len(),
        996,
        "U1, U2, U4 and U9 are held"
    );
    // As every 1C request: a leading BOM is 1C's, not an error.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(
        serde_json::to_vec(&json!({"entity_type": "company", "items": [{"id": "C9", "seq": 1}]}))
            .unwrap(),
    );
    let a = ok(handle(
        &p,
        p.signed("POST", "/exchange/v1/manifest", "application/json", bytes),
    ));
    assert_eq!(a["missing"], json!(["C9"]));
}

#[test]
fn capabilities_tell_1c_about_the_manifest() {
    let p = TestPorts::new();
    let c = ok(handle(
        &p,
        p.signed(
            "GET",
            "/exchange/v1/capabilities",
            "application/json",
            vec![],
        ),
    ));
    assert_eq!(c["manifest"]["path"], "/exchange/v1/manifest");
    assert_eq!(c["manifest"]["max_items"], 1000);
    let types = c["manifest"]["entity_types"].as_array().unwrap();
    assert!(
        types.contains(&json!("order")) && !types.contains(&json!("answer")),
        "{types:?}"
    );
    let scoped = c["manifest"]["company_types"].as_array().unwrap();
    assert!(
        scoped.contains(&json!("document")) && !scoped.contains(&json!("product")),
        "{scoped:?}"
    );
}

fn resync(p: &TestPorts, b: Value, key: Option<&str>) -> ApiResponse {
    let mut req = request("POST", "/exchange/v1/monitor/resyncs", Some(b), "");
    req.headers
        .push(("authorization".into(), "Bearer monitor-test-token".into()));
    if let Some(k) = key {
        req.headers.push(("idempotency-key".into(), k.into()));
    }
    handle(p, req)
}

#[test]
fn the_monitor_asks_1c_to_resend_a_company_once_per_key() {
    let mut p = TestPorts::new();
    p.config.onec_delivery = Delivery::Pull;
    setup(&p);
    // Only with the monitor's credential.
    let r = handle(
        &p,
        request(
            "POST",
            "/exchange/v1/monitor/resyncs",
            Some(json!({"company_id": "C1"})),
            "",
        ),
    );
    assert_eq!(r.status, 401);
    let r = resync(
        &p,
        json!({"company_id": "C1", "entity_types": ["order", "company", "document"], "reason": "restore"}),
        Some("k-1"),
    );
    assert_eq!(r.status, 201, "{}", text(&r));
    let first = body(&r);
    assert_eq!(
        first["entity_types"],
        json!(["company", "order", "document"]),
        "in the contract's order"
    );
    // The same key again: the first answer again, nothing new.
    let r = resync(
        &p,
        json!({"company_id": "C1", "entity_types": ["order", "company", "document"], "reason": "restore"}),
        Some("k-1"),
    );
    assert_eq!(r.status, 201, "{}", text(&r));
    assert_eq!(body(&r), first);
    assert_eq!(r.header("idempotency-replayed"), Some("true"));
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM outbox WHERE type = 'resync.requested'"
        ),
        1
    );
    // The same key for another company is refused, not a silent answer.
    let r = resync(&p, json!({"company_id": "C2"}), Some("k-1"));
    assert_eq!(r.status, 422, "{}", text(&r));
    assert_eq!(body(&r)["code"], "idempotency-key-reused");
    // A company the portal no longer holds (lost in a restore) can be asked for; all types.
    let r = resync(&p, json!({"company_id": "C-lost"}), None);
    assert_eq!(r.status, 201, "{}", text(&r));
    let all = body(&r)["entity_types"].clone();
    assert!(
        all.as_array().unwrap().contains(&json!("credit_state"))
            && !all.as_array().unwrap().contains(&json!("product"))
            && !all.as_array().unwrap().contains(&json!("organisation")),
        "{all}"
    );
    // Closed and checked.
    for (b, code) in [
        (
            json!({"company_id": "C1", "entity_type": ["order"]}),
            "entity_type:unknown-field",
        ),
        (
            json!({"company_id": "C1", "entity_types": ["product"]}),
            "entity_types[0]:invalid-entity-type",
        ),
        (
            json!({"company_id": "C1", "entity_types": []}),
            "entity_types:required",
        ),
        (json!({"company_id": " "}), "company_id:required"),
    ] {
        let r = resync(&p, b.clone(), None);
        assert_eq!(r.status, 422, "{b}: {}", text(&r));
        assert_eq!(codes(&r), [code], "{b}");
    }
    let r = resync(&p, json!({"company_id": "C1"}), Some("a key with spaces"));
    assert_eq!(codes(&r), ["Idempotency-Key:invalid"]);
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM outbox WHERE type = 'resync.requested'"
        ),
        2
    );

    // 1C gets them as changes of kind resync.requested about the company.
    let items = pull_and_answer(&p, "accepted", None);
    let sent: Vec<&Value> = items
        .iter()
        .filter(|i| i["type"] == "resync.requested")
        .collect();
    assert_eq!(sent.len(), 2, "{items:?}");
    let c1 = sent.iter().find(|i| i["entity_id"] == "C1").expect("C1's");
    assert_eq!(c1["id"], first["id"]);
    assert_eq!(c1["entity_type"], "company");
    assert_eq!(
        c1["payload"],
        json!({"company_id": "C1", "entity_types": ["company", "order", "document"], "reason": "restore"})
    );
    // Accepted, it is done: nothing overdue after the deadline (no snapshot names it).
    p.advance(chrono::Duration::days(2));
    let mut req = request("GET", "/exchange/v1/monitor", None, "");
    req.headers
        .push(("authorization".into(), "Bearer monitor-test-token".into()));
    let m = ok(handle(&p, req));
    assert_eq!(m["accepted_overdue"], 0, "{m}");
    assert_eq!(
        count(&p, "SELECT count(*) AS n FROM outbox WHERE type = 'resync.requested' AND status = 'accepted'"),
        2
    );
}
