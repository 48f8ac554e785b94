//! Input strictness through the handlers the Workers call (issue 13, items 12 and 13): the body
//! limit each route names, and closed, bounded bodies refused before anything is written. The
//! HTTP side (every route against docs/api/openapi.yaml, slow and chunked uploads) is in
//! tests/api/security-input.test.mjs.

use crate::helpers::{auth, body};
use serde_json::json;
use shared::http::{ApiRequest, ApiResponse};
use shared::testing::TestPorts;

fn head(method: &str, path: &str) -> ApiRequest {
    ApiRequest {
        method: method.into(),
        path: path.into(),
        ..Default::default()
    }
}

#[test]
fn every_route_names_its_body_limit() {
    use shared::{auth, company, documents, exchange, finance, orders, returns};
    let kb = 1024;
    let cases: Vec<(Option<usize>, Option<usize>)> = vec![
        (
            auth::api::body_limit(&head("POST", "/api/auth/sign-in")),
            Some(8 * kb),
        ),
        (
            auth::api::body_limit(&head("PATCH", "/api/auth/profile")),
            Some(8 * kb),
        ),
        (
            company::api::body_limit(&head("PATCH", "/api/company/legal-entities/x")),
            Some(64 * kb),
        ),
        (
            finance::api::body_limit(&head("POST", "/api/finance/account/payments")),
            Some(64 * kb),
        ),
        (
            documents::api::body_limit(&head("POST", "/api/documents/acts")),
            Some(64 * kb),
        ),
        (
            orders::api::body_limit(&head("PATCH", "/api/orders/orders/x")),
            Some(256 * kb),
        ),
        (
            orders::api::body_limit(&head("POST", "/api/orders/pasted-lines")),
            Some(1024 * kb),
        ),
        (
            orders::api::body_limit(&head("POST", "/api/orders/orders/x/cancellation")),
            Some(64 * kb),
        ),
        (
            returns::api::body_limit(&head("POST", "/api/returns/returns/x/photos")),
            Some(5 * 1024 * kb),
        ),
        (
            returns::api::body_limit(&head("POST", "/api/returns/returns")),
            Some(64 * kb),
        ),
        (
            exchange::api::body_limit(&head("POST", "/exchange/v1/messages")),
            Some(4 * 1024 * kb),
        ),
        (
            exchange::api::body_limit(&head("PUT", "/exchange/v1/files/a.pdf")),
            Some(20 * 1024 * kb),
        ),
        (
            exchange::api::body_limit(&head("POST", "/exchange/1c/commerceml")),
            Some(8 * 1024 * kb),
        ),
        (
            exchange::api::body_limit(&head("POST", "/exchange/v1/changes/ack")),
            Some(1024 * kb),
        ),
        // No route: the body is never read (a 404 or 405 follows).
        (
            auth::api::body_limit(&head("POST", "/api/auth/nothing")),
            None,
        ),
        (
            auth::api::body_limit(&head("DELETE", "/api/auth/sign-in")),
            None,
        ),
    ];
    for (i, (got, want)) in cases.iter().enumerate() {
        assert_eq!(got, want, "case {i}");
    }
}

fn fields(r: &ApiResponse) -> Vec<String> {
    body(r)["field_errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    format!(
                        "{}:{}",
                        f["field"].as_str().unwrap(),
                        f["code"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_typo_or_an_over_long_string_is_a_422_naming_the_field_and_nothing_changes() {
    let p = TestPorts::new();
    p.send_from_1c(vec![
        json!({"id": "c1", "type": "company", "entity_id": "A", "seq": 1, "payload": {"name": "Альфа", "legal_entities": []}}),
        json!({"id": "u1", "type": "user", "entity_id": "uA", "seq": 1, "payload": {"company_id": "A", "email": "buyer@alfa.ru", "full_name": "Иванов Иван", "roles": ["buyer"]}}),
    ]);
    let c = p.activate("buyer@alfa.ru");
    let me = || body(&auth(&p, "GET", "/api/auth/me", None, &c))["user"].clone();
    let before = me();

    let typo = auth(
        &p,
        "PATCH",
        "/api/auth/profile",
        Some(
            json!({"version": before["version"], "full_name": "Петров Пётр", "postion": "Снабженец"}),
        ),
        &c,
    );
    assert_eq!(typo.status, 422);
    assert_eq!(fields(&typo), ["postion:unknown-field"]);
    let problem = body(&typo);
    assert!(problem["field_errors"][0]["message_ru"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert!(problem["field_errors"][0]["message_en"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));

    let long = auth(
        &p,
        "PATCH",
        "/api/auth/profile",
        Some(
            json!({"version": before["version"], "full_name": "Я".repeat(301), "position": "П".repeat(201)}),
        ),
        &c,
    );
    assert_eq!(long.status, 422);
    assert_eq!(fields(&long), ["full_name:too-long", "position:too-long"]);
    assert_eq!(me(), before, "nothing changed");

    // Exactly at the limits the edit goes through.
    let ok = auth(
        &p,
        "PATCH",
        "/api/auth/profile",
        Some(
            json!({"version": before["version"], "full_name": "Я".repeat(300), "position": "П".repeat(200)}),
        ),
        &c,
    );
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    assert_eq!(me()["full_name"], "Я".repeat(300));
}
