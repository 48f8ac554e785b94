//! Issue 16, versions: what the capabilities endpoint tells 1C (derived from the code's own
//! lists), the extension's version carried by each batch, and 1C's last contact per kind as the
//! monitor shows it.

use crate::helpers::body;
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::changes::ChangeKind;
use shared::exchange::contract;
use shared::http::{ApiRequest, ApiResponse};
use shared::ports::Ports;
use shared::testing::{request, TestPorts};

fn handle(p: &TestPorts, req: ApiRequest) -> ApiResponse {
    block_on(shared::exchange::api::handle(p, req))
}

fn monitor(p: &TestPorts) -> Value {
    let mut req = request("GET", "/exchange/v1/monitor", None, "");
    req.headers
        .push(("authorization".into(), "Bearer monitor-test-token".into()));
    let r = handle(p, req);
    assert_eq!(r.status, 200);
    body(&r)
}

fn batch(version: Option<&str>) -> Value {
    let mut b = json!({"batch_id": shared::ids::new_id("b"), "sent_at": "2026-11-28T12:00:00", "messages": [
        {"id": shared::ids::new_id("m"), "type": "company", "entity_id": "C1", "seq": 1,
         "payload": {"name": "Альфа", "legal_entities": []}}]});
    if let Some(v) = version {
        b["extension_version"] = json!(v);
    }
    b
}

fn contact<'a>(m: &'a Value, kind: &str) -> Option<&'a Value> {
    m["onec_contacts"]
        .as_array()
        .expect("onec_contacts")
        .iter()
        .find(|c| c["kind"] == kind)
}

#[test]
fn capabilities_list_exactly_the_codes_types_kinds_and_versions() {
    let p = TestPorts::new();
    let r = handle(
        &p,
        p.signed(
            "GET",
            "/exchange/v1/capabilities",
            "application/json",
            vec![],
        ),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let c = body(&r);
    let types: Vec<&str> = contract::MESSAGE_TYPES.iter().map(|t| t.as_str()).collect();
    assert_eq!(c["message_types"], json!(types));
    let kinds: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(c["change_kinds"], json!(kinds));
    assert_eq!(c["signature_versions"], json!(["v2"]));
    assert_eq!(c["contract_version"], contract::CONTRACT_VERSION);
    assert_eq!(
        c["limits"]["max_messages_per_batch"],
        contract::MAX_MESSAGES_PER_BATCH
    );
    assert_eq!(c["limits"]["max_batch_bytes"], contract::MAX_BATCH_BYTES);
    assert_eq!(c["limits"]["max_file_bytes"], contract::MAX_FILE_BYTES);
    assert_eq!(c["delivery"], "push");
    // The call is a contact of its own.
    assert!(contact(&monitor(&p), "capabilities").is_some());
}

#[test]
fn capabilities_unsigned_is_401() {
    let p = TestPorts::new();
    let r = handle(&p, request("GET", "/exchange/v1/capabilities", None, ""));
    assert_eq!(r.status, 401);
    assert!(contact(&monitor(&p), "capabilities").is_none());
}

#[test]
fn a_batchs_extension_version_shows_in_the_monitor_with_the_contact_time() {
    let p = TestPorts::new();
    let r = handle(
        &p,
        p.signed_json("/exchange/v1/messages", &batch(Some("2.3.1-rc.1+b7"))),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let m = monitor(&p);
    assert_eq!(m["extension_version"], "2.3.1-rc.1+b7");
    let c = contact(&m, "messages").expect("messages contact");
    assert_eq!(c["extension_version"], "2.3.1-rc.1+b7");
    assert!(c["last_at"]
        .as_str()
        .unwrap()
        .starts_with(&p.now().format("%Y-%m-%d").to_string()));
    // A later batch without the field keeps the version last seen; an acknowledgement is its own contact.
    let r = handle(&p, p.signed_json("/exchange/v1/messages", &batch(None)));
    assert_eq!(r.status, 200);
    let r = handle(
        &p,
        p.signed_json("/exchange/v1/changes/ack", &json!({"results": []})),
    );
    assert_eq!(r.status, 200);
    let m = monitor(&p);
    assert_eq!(m["extension_version"], "2.3.1-rc.1+b7");
    assert!(contact(&m, "ack").is_some());
}

#[test]
fn a_bad_extension_version_is_refused() {
    let p = TestPorts::new();
    for bad in [
        json!("1.0 beta"),
        json!("x".repeat(51)),
        json!(""),
        json!(7),
    ] {
        let mut b = batch(None);
        b["extension_version"] = bad.clone();
        let r = handle(&p, p.signed_json("/exchange/v1/messages", &b));
        assert!(r.status == 400 || r.status == 422, "{bad}: {}", r.status);
    }
    assert!(monitor(&p)["extension_version"].is_null());
}

#[test]
fn a_replayed_request_is_no_contact() {
    let p = TestPorts::new();
    let req = p.signed(
        "GET",
        "/exchange/v1/capabilities",
        "application/json",
        vec![],
    );
    assert_eq!(handle(&p, req.clone()).status, 200);
    let first = contact(&monitor(&p), "capabilities").unwrap()["last_at"].clone();
    p.advance(chrono::Duration::seconds(30));
    let r = handle(&p, req);
    assert_eq!(
        (r.status, body(&r)["reason"].as_str()),
        (401, Some("signature-replayed"))
    );
    assert_eq!(
        contact(&monitor(&p), "capabilities").unwrap()["last_at"],
        first
    );
    // A fresh request is one.
    assert_eq!(
        handle(
            &p,
            p.signed(
                "GET",
                "/exchange/v1/capabilities",
                "application/json",
                vec![]
            )
        )
        .status,
        200
    );
    assert_ne!(
        contact(&monitor(&p), "capabilities").unwrap()["last_at"],
        first
    );
}
