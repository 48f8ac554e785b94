//! What the flow tests share: a capability's handler called as its Worker calls it, an answer's
//! body, a message from 1C, signing in, the token a mail's link carries, a portal id by 1C's id,
//! 1C answering the changes it pulled, and the CommerceML session.

use base64::Engine;
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::http::{ApiRequest, ApiResponse};
use shared::ports::{DatabaseExt, Ports, Stmt};
use shared::testing::{cookies_from, request, TestPorts};

/// The password of every test user that set one.
pub const PW: &str = shared::testing::TEST_PASSWORD;

/// The answer's JSON body (`null` when there is none).
pub fn body(r: &ApiResponse) -> Value {
    serde_json::from_slice(&r.body).unwrap_or(Value::Null)
}

/// The answer's body as text.
pub fn text(r: &ApiResponse) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

pub fn auth(p: &TestPorts, method: &str, path: &str, b: Option<Value>, c: &str) -> ApiResponse {
    block_on(shared::auth::api::handle(p, request(method, path, b, c)))
}

pub fn company(p: &TestPorts, method: &str, path: &str, b: Option<Value>, c: &str) -> ApiResponse {
    block_on(shared::company::api::handle(p, request(method, path, b, c)))
}

pub fn orders(p: &TestPorts, method: &str, path: &str, b: Option<Value>, c: &str) -> ApiResponse {
    shared::testing::complete(block_on(shared::orders::api::handle(
        p,
        request(method, path, b, c),
    )))
}

pub fn finance(p: &TestPorts, method: &str, path: &str, b: Option<Value>, c: &str) -> ApiResponse {
    block_on(shared::finance::api::handle(p, request(method, path, b, c)))
}

pub fn returns(p: &TestPorts, method: &str, path: &str, b: Option<Value>, c: &str) -> ApiResponse {
    shared::testing::complete(block_on(shared::returns::api::handle(
        p,
        request(method, path, b, c),
    )))
}

/// One message of a batch from 1C.
pub fn msg(id: &str, kind: &str, entity: &str, seq: i64, payload: Value) -> Value {
    json!({"id": id, "type": kind, "entity_id": entity, "seq": seq, "payload": payload})
}

/// The answer to a sign-in.
pub fn sign_in(p: &TestPorts, email: &str, password: &str) -> ApiResponse {
    auth(
        p,
        "POST",
        "/api/auth/sign-in",
        Some(json!({"email": email, "password": password})),
        "",
    )
}

/// Signs in, which must succeed: the session's cookies.
pub fn signed_in(p: &TestPorts, email: &str, password: &str) -> String {
    let r = sign_in(p, email, password);
    assert_eq!(r.status, 200, "{}", text(&r));
    cookies_from(&r)
}

/// The token of the link in the last mail to `to`.
pub fn token_from_mail(p: &TestPorts, to: &str) -> String {
    let mail = p.last_mail_to(to).expect("a mail");
    mail.text
        .split("#token=")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .expect("a link")
        .to_string()
}

/// The portal's id of the order 1C knows as `onec_id`.
pub fn order_id(p: &TestPorts, onec_id: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    block_on(
        p.db()
            .first::<Id>(Stmt::new("SELECT id FROM orders WHERE onec_id = ?").bind(onec_id)),
    )
    .unwrap()
    .unwrap()
    .id
}

/// The number a query returns as its column `n`.
pub fn count(p: &TestPorts, sql: &'static str) -> i64 {
    #[derive(serde::Deserialize)]
    struct N {
        n: i64,
    }
    block_on(p.db.first::<N>(Stmt::new(sql)))
        .unwrap()
        .unwrap()
        .n
}

/// 1C pulls the waiting changes and answers each with `status` (and `reason`, a text or `None`):
/// the changes.
pub fn pull_and_answer<'a>(p: &TestPorts, status: &str, reason: impl Into<Option<&'a str>>) -> Vec<Value> {
    let reason: Option<&str> = reason.into();
    let r = block_on(shared::exchange::api::handle(
        p,
        p.signed_json("/exchange/v1/changes/pull", &json!({"limit": 100})),
    ));
    let items = body(&r)["items"].as_array().cloned().unwrap_or_default();
    let results: Vec<Value> = items
        .iter()
        .map(|i| json!({"id": i["id"], "status": status, "reason": reason}))
        .collect();
    let r = block_on(shared::exchange::api::handle(
        p,
        p.signed_json("/exchange/v1/changes/ack", &json!({"results": results})),
    ));
    assert_eq!(r.status, 200);
    items
}

/// 1C's CommerceML `checkauth` for the exchange of `kind` (`catalog`, `sale`): the session
/// cookie (`name=value`) the exchange's next calls carry.
pub fn cml_checkauth<P: Ports>(p: &P, kind: &str) -> String {
    let basic = base64::engine::general_purpose::STANDARD.encode("1c:cml-test-password");
    let req = ApiRequest {
        method: "GET".into(),
        path: "/exchange/1c/commerceml".into(),
        query: vec![
            ("type".into(), kind.into()),
            ("mode".into(), "checkauth".into()),
        ],
        headers: vec![("authorization".into(), format!("Basic {basic}"))],
        ..Default::default()
    };
    let t = text(&block_on(shared::exchange::api::handle(p, req)));
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "success", "{t}");
    format!("{}={}", lines[1], lines[2])
}

/// An object's keys, sorted: a payload's shape.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}
