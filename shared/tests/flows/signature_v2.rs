//! Signature v2 of the 1C exchange end to end through the exchange's handler: a nonce taken once
//! (the same signed request twice is refused), method and path signed (a file upload replayed
//! under another key is refused), v1 only in the migration window, and the format tolerance 1C
//! needs (a UTF-8 BOM before the JSON, dates with an offset).

use crate::helpers::{body, count};
use chrono::Duration;
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::exchange::contract::{self, SignatureVersions};
use shared::http::{ApiRequest, ApiResponse};
use shared::testing::TestPorts;

fn handle(p: &TestPorts, req: ApiRequest) -> ApiResponse {
    block_on(shared::exchange::api::handle(p, req))
}

fn reason(r: &ApiResponse) -> (u16, Option<String>) {
    (r.status, body(r)["reason"].as_str().map(String::from))
}

fn company(entity: &str, date: &str) -> Value {
    json!({"id": format!("m-{entity}"), "type": "company", "entity_id": entity, "seq": 1, "payload": {
        "name": "Альфа",
        "legal_entities": [{"id": format!("{entity}-le"), "name": "ООО Альфа", "inn": "7707083893"}],
        "agreements": [{"id": format!("{entity}-ag"), "legal_entity_id": format!("{entity}-le"), "name": "Основной",
                        "credit_limit": 1000.0, "deferral_days": 10, "date": date,
                        "price_type": {"id": "pt", "name": "Опт"}}]
    }})
}

fn batch(messages: Vec<Value>) -> Value {
    json!({"batch_id": shared::ids::new_id("b"), "sent_at": "2026-11-28T12:00:00+03:00", "messages": messages})
}

#[test]
fn the_same_signed_request_twice_is_refused_the_second_time() {
    let p = TestPorts::new();
    let req = p.signed_json(
        "/exchange/v1/messages",
        &batch(vec![company("A", "2026-01-01T00:00:00")]),
    );
    assert_eq!(handle(&p, req.clone()).status, 200);
    let again = handle(&p, req);
    assert_eq!(
        (again.status, body(&again)["code"].as_str()),
        (401, Some("signature-replayed"))
    );
    // The nonces are kept for twice the allowed skew, then the sweeper forgets them.
    assert_eq!(count(&p, "SELECT COUNT(*) AS n FROM onec_nonces"), 1);
    p.advance(Duration::seconds(2 * p.config.onec_max_skew_secs - 1));
    let report = block_on(shared::exchange::sweep(&p)).unwrap();
    assert_eq!(report.nonces_purged, 0);
    p.advance(Duration::seconds(2));
    let report = block_on(shared::exchange::sweep(&p)).unwrap();
    assert_eq!(report.nonces_purged, 1);
    assert_eq!(count(&p, "SELECT COUNT(*) AS n FROM onec_nonces"), 0);
}

#[test]
fn a_file_upload_replayed_under_another_key_is_refused() {
    let p = TestPorts::new();
    let put = p.signed(
        "PUT",
        "/exchange/v1/files/a.pdf",
        "application/pdf",
        b"%PDF-1.4 a".to_vec(),
    );
    let mut moved = put.clone();
    moved.path = "/exchange/v1/files/b.pdf".into();
    moved.target = "/exchange/v1/files/b.pdf".into();
    assert_eq!(
        reason(&handle(&p, moved)),
        (401, Some("signature-invalid".into()))
    );
    assert_eq!(handle(&p, put).status, 201);
    // A pull with its query: the query is signed too.
    let mut pull = p.signed(
        "POST",
        "/exchange/v1/changes/pull?limit=5",
        "application/json",
        b"{}".to_vec(),
    );
    pull.target = "/exchange/v1/changes/pull?limit=500".into();
    assert_eq!(
        reason(&handle(&p, pull)),
        (401, Some("signature-invalid".into()))
    );
}

#[test]
fn v1_is_refused_by_default_and_taken_in_the_migration_window() {
    let mut p = TestPorts::new();
    let v1 = |p: &TestPorts, entity: &str| {
        let bytes =
            serde_json::to_vec(&batch(vec![company(entity, "2026-01-01T00:00:00")])).unwrap();
        let ts = p.now.get().timestamp();
        let mut req = p.signed(
            "POST",
            "/exchange/v1/messages",
            "application/json",
            bytes.clone(),
        );
        req.headers
            .retain(|(k, _)| k != contract::SIGNATURE_HEADER && k != contract::NONCE_HEADER);
        req.headers.push((
            contract::SIGNATURE_HEADER.into(),
            contract::sign(&p.config.onec_hmac_secret, ts, &bytes),
        ));
        req
    };
    assert_eq!(
        reason(&handle(&p, v1(&p, "V1"))),
        (401, Some("signature-version-refused".into()))
    );
    p.config.onec_signature_versions = SignatureVersions::parse("v1,v2").unwrap();
    assert_eq!(handle(&p, v1(&p, "V1")).status, 200);
    let v2 = p.signed_json(
        "/exchange/v1/messages",
        &batch(vec![company("V2", "2026-01-01T00:00:00")]),
    );
    assert_eq!(handle(&p, v2).status, 200);
}

#[test]
fn a_body_with_a_bom_and_dates_with_an_offset_apply() {
    let p = TestPorts::new();
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(
        serde_json::to_vec(&batch(vec![company("BOM", "2026-12-06T00:30:00+03:00")])).unwrap(),
    );
    let r = handle(
        &p,
        p.signed("POST", "/exchange/v1/messages", "application/json", bytes),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    p.run_inbox_consumer();
    // 2026-12-05T21:00:00Z: 00:30 on the 6th in Moscow, the calendar date 1C meant.
    p.send_from_1c(vec![json!({"id": "m-Z", "type": "company", "entity_id": "Z", "seq": 1, "payload": {
        "name": "Зет", "legal_entities": [{"id": "Z-le", "name": "ООО Зет", "inn": "7707083893"}],
        "agreements": [{"id": "Z-ag", "legal_entity_id": "Z-le", "name": "Основной", "credit_limit": 1.0,
                        "deferral_days": 1, "date": "2026-12-05T21:30:00Z", "price_type": {"id": "pt", "name": "Опт"}}]}})]);
    assert_eq!(
        count(&p, "SELECT COUNT(*) AS n FROM agreements WHERE onec_id IN ('BOM-ag', 'Z-ag') AND signed_on = '2026-12-06'"),
        2
    );
}
