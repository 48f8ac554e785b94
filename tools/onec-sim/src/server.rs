//! The simulator's HTTP side: the mailbox behind the portal's mail port, and the 1C endpoint the
//! portal sends its changes to (recorded, answered as 1C would: accepted, or rejected with a
//! reason, or failing, as a test sets it); and YooKassa under `/yookassa/` (see `yookassa.rs`).

use serde_json::{json, Value};
use std::io::Read;
use std::sync::{Arc, Mutex};
use crate::http::{header, respond};
use tiny_http::{Method, Response, Server};

/// A change containing this text is always refused (with [`MARKED_REASON`]).
pub const REJECT_MARKER: &str = "ОТКЛОНИТЬ-1С";
/// A change containing this text is always accepted.
pub const ACCEPT_MARKER: &str = "ПРИНЯТЬ-1С";
pub const MARKED_REASON: &str = "Проверка в 1С не пройдена";
/// Mail to an address containing this text is answered only after 3 s.
pub const SLOW_MAIL: &str = "slow-mail";

#[derive(Default)]
struct State {
    mails: Vec<Value>,
    changes: Vec<Value>,
    /// `accept`, `reject` or `fail` (answer 500): how 1C answers the portal's next changes.
    mode: String,
    reason: String,
    /// Answers for the changes whose body contains a text (e.g. a test's company id), whatever
    /// the mode: tests in parallel do not disturb each other.
    rules: Vec<(String, String, String)>,
}

pub fn serve(
    port: u16,
    mail_token: Option<String>,
    hmac_secret: String,
    mut shop: crate::yookassa::Shop,
) -> Result<(), String> {
    let server = Server::http(("127.0.0.1", port)).map_err(|e| format!("listen on {port}: {e}"))?;
    let state = Arc::new(Mutex::new(State {
        mode: "accept".into(),
        ..Default::default()
    }));
    shop.origin = format!("http://127.0.0.1:{port}");
    eprintln!("onec-sim listening on http://127.0.0.1:{port} (mailbox /mail, 1C endpoint /hs/portal/v1/changes)");
    for mut req in server.incoming_requests() {
        let url = req.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let mut body = Vec::new();
        let _ = req.as_reader().take(8 * 1024 * 1024).read_to_end(&mut body);
        let mut st = state.lock().expect("state lock");
        let method = req.method().clone();
        if path.starts_with("/yookassa/") {
            shop.handle(req, &method, path, &body);
            continue;
        }
        match (method, path) {
            (Method::Get, "/health") => respond(req, 200, &json!({"status": "ok"})),
            (Method::Post, "/mail") => {
                if let Some(t) = &mail_token {
                    if header(&req, "authorization").as_deref() != Some(&format!("Bearer {t}")) {
                        respond(req, 401, &json!({"error": "bad token"}));
                        continue;
                    }
                }
                match serde_json::from_slice::<Value>(&body) {
                    Ok(mut m) if m["to"].is_string() => {
                        m["received_at"] = json!(chrono::Utc::now().to_rfc3339());
                        // A slow mail provider for addresses containing `slow-mail`: the mail is
                        // kept at once, the answer comes 3 s later (from another thread, so the
                        // simulator keeps serving). Tests see whether the portal makes its
                        // caller wait for the mail.
                        let slow = m["to"].as_str().is_some_and(|t| t.contains(SLOW_MAIL));
                        st.mails.push(m);
                        if slow {
                            std::thread::spawn(move || {
                                std::thread::sleep(std::time::Duration::from_secs(3));
                                respond(req, 202, &json!({"status": "queued"}));
                            });
                        } else {
                            respond(req, 202, &json!({"status": "queued"}));
                        }
                    }
                    _ => respond(req, 400, &json!({"error": "expected {to, subject, text}"})),
                }
            }
            (Method::Get, "/mail") => {
                let to = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("to="))
                    .map(|v| decode(v).to_lowercase());
                let items: Vec<&Value> = st
                    .mails
                    .iter()
                    .filter(|m| to.as_deref().is_none_or(|t| m["to"].as_str() == Some(t)))
                    .collect();
                respond(req, 200, &json!(items));
            }
            (Method::Delete, "/mail") => {
                st.mails.clear();
                respond(req, 204, &json!({}));
            }
            (Method::Post, "/hs/portal/v1/changes") => {
                let ts = header(&req, shared::exchange::contract::TIMESTAMP_HEADER);
                let sig = header(&req, shared::exchange::contract::SIGNATURE_HEADER);
                let now = chrono::Utc::now().timestamp();
                if let Err(code) = shared::exchange::contract::verify(
                    &hmac_secret,
                    ts.as_deref(),
                    sig.as_deref(),
                    &body,
                    now,
                    300,
                ) {
                    respond(req, 401, &json!({"status": "error", "reason": code}));
                    continue;
                }
                let change: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                st.changes.push(change);
                // Markers in a change's data decide its answer whatever the mode, so tests running
                // in parallel with mode-switching tests get a fixed answer.
                let text = String::from_utf8_lossy(&body);
                let rule = st
                    .rules
                    .iter()
                    .find(|(m, _, _)| text.contains(m.as_str()))
                    .map(|(_, mode, reason)| (mode.clone(), reason.clone()));
                if let Some((mode, reason)) = rule {
                    match mode.as_str() {
                        "reject" => {
                            respond(req, 200, &json!({"status": "rejected", "reason": reason}))
                        }
                        "fail" => respond(
                            req,
                            500,
                            &json!({"status": "error", "reason": "1C is unavailable"}),
                        ),
                        // 1C taking the change but answering only after the portal gave up
                        // waiting (a slow or stuck 1C): the answer is written 30 s later, from
                        // another thread so the simulator keeps serving.
                        "hang" => {
                            std::thread::spawn(move || {
                                std::thread::sleep(std::time::Duration::from_secs(30));
                                respond(req, 200, &json!({"status": "accepted"}));
                            });
                        }
                        // 1C's web server answering with its own error page instead of JSON.
                        "garbage" => {
                            let page =
                                Response::from_string("<html><body>Ошибка сеанса 1С</body></html>")
                                    .with_status_code(200);
                            let _ = req.respond(page);
                        }
                        _ => respond(req, 200, &json!({"status": "accepted"})),
                    }
                    continue;
                }
                let mode = if text.contains(REJECT_MARKER) {
                    "reject-marked"
                } else if text.contains(ACCEPT_MARKER) {
                    "accept"
                } else {
                    st.mode.as_str()
                };
                match mode {
                    "reject-marked" => respond(
                        req,
                        200,
                        &json!({"status": "rejected", "reason": MARKED_REASON}),
                    ),
                    "reject" => {
                        let reason = st.reason.clone();
                        respond(req, 200, &json!({"status": "rejected", "reason": reason}))
                    }
                    "fail" => respond(
                        req,
                        500,
                        &json!({"status": "error", "reason": "1C is unavailable"}),
                    ),
                    _ => respond(req, 200, &json!({"status": "accepted"})),
                }
            }
            (Method::Get, "/hs/portal/v1/changes") => respond(req, 200, &json!(st.changes)),
            (Method::Post, "/control/answer") => {
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                if let Some(m) = v["match"].as_str().filter(|m| !m.is_empty()) {
                    let mode = v["mode"].as_str().unwrap_or("accept").to_string();
                    let reason = v["reason"]
                        .as_str()
                        .unwrap_or("Отклонено менеджером")
                        .to_string();
                    st.rules.retain(|(x, _, _)| x != m);
                    if mode != "clear" {
                        st.rules.push((m.to_string(), mode.clone(), reason));
                    }
                    respond(req, 200, &json!({"match": m, "mode": mode}));
                    continue;
                }
                st.mode = v["mode"].as_str().unwrap_or("accept").to_string();
                st.reason = v["reason"]
                    .as_str()
                    .unwrap_or("Отклонено менеджером")
                    .to_string();
                respond(req, 200, &json!({"mode": st.mode}));
            }
            _ => respond(req, 404, &json!({"error": "not found"})),
        }
    }
    Ok(())
}

/// Percent-decoding for query values (`%40` in e-mails).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_query_values() {
        assert_eq!(super::decode("a%40b.ru"), "a@b.ru");
        assert_eq!(super::decode("x+y%"), "x y%");
    }
}
