//! The two small HTTP helpers every route of the simulator's server uses (the mailbox, the 1C
//! endpoint, YooKassa): a JSON answer and a request header by name.

use serde_json::Value;
use tiny_http::{Header, Request, Response};

pub(crate) fn respond(req: Request, status: u16, body: &Value) {
    let header = Header::from_bytes("content-type", "application/json; charset=utf-8")
        .expect("static header");
    let _ = req.respond(
        Response::from_string(body.to_string())
            .with_status_code(status)
            .with_header(header),
    );
}

pub(crate) fn header(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}
