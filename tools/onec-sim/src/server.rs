//! The simulator's HTTP side: the mailbox behind the portal's mail port; the 1C endpoint the
//! portal pushes its changes to (decided by the rules of `onec/rules.rs` and answered at once; what
//! 1C then sends runs on the worker, see `onec/mod.rs`); the control routes tests and the
//! `manager` command use (rules, what 1C holds, a manager's actions); and YooKassa under
//! `/yookassa/` (see `yookassa.rs`).

use crate::http::{header, respond};
use crate::onec::{apply::Step, rules::Rule, Job, Sim};
use serde_json::{json, Value};
use std::io::Read;
use tiny_http::{Method, Response, Server};

/// Mail to an address containing this text is answered only after 3 s.
pub const SLOW_MAIL: &str = "slow-mail";

#[derive(Default)]
struct State {
    mails: Vec<Value>,
}

pub fn serve(
    port: u16,
    mail_token: Option<String>,
    push_secret: String,
    mut shop: crate::yookassa::Shop,
    sim: Sim,
) -> Result<(), String> {
    let server = Server::http(("127.0.0.1", port)).map_err(|e| format!("listen on {port}: {e}"))?;
    let mut st = State::default();
    shop.origin = format!("http://127.0.0.1:{port}");
    eprintln!("onec-sim listening on http://127.0.0.1:{port} (mailbox /mail, 1C endpoint /hs/portal/v1/changes)");
    for mut req in server.incoming_requests() {
        let url = req.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let mut body = Vec::new();
        let _ = req.as_reader().take(8 * 1024 * 1024).read_to_end(&mut body);
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
                // The portal signs its pushes v2 with the push secret (1C's own key is another).
                use shared::exchange::contract;
                let ts = header(&req, contract::TIMESTAMP_HEADER);
                let nonce = header(&req, contract::NONCE_HEADER);
                let sig = header(&req, contract::SIGNATURE_HEADER);
                let signed = contract::Signed {
                    method: "POST",
                    path_and_query: &url,
                    timestamp: ts.as_deref(),
                    nonce: nonce.as_deref(),
                    signature: sig.as_deref(),
                    body: &body,
                };
                let now = chrono::Utc::now().timestamp();
                let versions = contract::SignatureVersions::V2_ONLY;
                if let Err(code) =
                    contract::verify_request(&push_secret, versions, &signed, now, 300)
                {
                    respond(req, 401, &json!({"status": "error", "reason": code}));
                    continue;
                }
                let change: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let text = String::from_utf8_lossy(&body).into_owned();
                let decision = sim.decide(change, &text);
                match (decision.verdict, decision.rule.mode.as_str()) {
                    (Some(v), _) => respond(req, 200, &v),
                    // 1C taking the change but answering only after the portal gave up waiting
                    // (a slow or stuck 1C): the answer is written 30 s later, from another
                    // thread so the simulator keeps serving; `silent` never answers.
                    (None, mode @ ("hang" | "silent")) => {
                        let silent = mode == "silent";
                        std::thread::spawn(move || {
                            std::thread::sleep(std::time::Duration::from_secs(if silent {
                                120
                            } else {
                                30
                            }));
                            if !silent {
                                respond(req, 200, &json!({"status": "accepted"}));
                            }
                        });
                    }
                    // 1C's web server answering with its own error page instead of JSON.
                    (None, "garbage") => {
                        let page =
                            Response::from_string("<html><body>Ошибка сеанса 1С</body></html>")
                                .with_status_code(200);
                        let _ = req.respond(page);
                    }
                    (None, _) => respond(
                        req,
                        500,
                        &json!({"status": "error", "reason": "1C is unavailable"}),
                    ),
                }
            }
            (Method::Get, "/hs/portal/v1/changes") => {
                let changes = sim.changes.lock().expect("changes").clone();
                respond(req, 200, &json!(changes))
            }
            (Method::Post, "/control/answer") => {
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let rule = Rule::from_json(&v);
                let answer = if rule.matcher.is_empty() {
                    json!({"mode": rule.mode})
                } else {
                    json!({"match": rule.matcher, "mode": rule.mode})
                };
                sim.rules.lock().expect("rules").set(rule);
                respond(req, 200, &answer);
            }
            // What 1C holds: messages it sent (a test's setup), recorded as its own.
            (Method::Post, "/control/model") => {
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let msgs = v["messages"].as_array().cloned().unwrap_or_default();
                let n = sim.model.lock().expect("model").record(&msgs);
                respond(req, 200, &json!({"recorded": n}));
            }
            (Method::Get, "/control/model") => {
                let q = |k: &str| {
                    query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
                        .map(decode)
                        .unwrap_or_default()
                };
                let snap = sim
                    .model
                    .lock()
                    .expect("model")
                    .get(&q("type"), &q("entity"))
                    .cloned();
                match snap {
                    Some(s) => respond(req, 200, &json!({"seq": s.seq, "payload": s.payload})),
                    None => respond(req, 404, &json!({"error": "1C has no such entity"})),
                }
            }
            // The demo data `seed` loaded: 1C holds it too (generated again, off the HTTP loop).
            (Method::Post, "/control/demo") => {
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let (p, o) = (
                    v["products"].as_u64().unwrap_or(50) as usize,
                    v["orders"].as_u64().unwrap_or(60) as usize,
                );
                let model = sim.model.clone();
                std::thread::spawn(move || {
                    let set = crate::data::demo_set(p, o);
                    let n = model.lock().expect("model").record(&set.messages);
                    eprintln!("onec-sim: 1C holds the demo data ({n} entities)");
                });
                respond(req, 200, &json!({"loading": true}));
            }
            // 1C's manifest of one type, optionally of one company: what the portal lacks,
            // holds stale or ahead (`resend: true` sends the missing and stale again).
            (Method::Post, "/control/manifest") => {
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let kind = v["entity_type"].as_str().unwrap_or("company").to_string();
                let company = v["company_id"].as_str().map(str::to_string);
                let resend = v["resend"].as_bool().unwrap_or(false);
                match sim.manifest(&kind, company.as_deref(), resend) {
                    Ok(a) => respond(req, 200, &a),
                    Err(e) => respond(req, 502, &json!({"error": e})),
                }
            }
            (Method::Post, "/control/manager") => {
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let done = crate::onec::manager::act(&mut sim.model.lock().expect("model"), &v);
                match done {
                    Ok((answer, out)) => {
                        let n = out.messages.len();
                        sim.later(0, Job::Step(Step::Send(out)));
                        let mut answer = answer;
                        answer["messages"] = json!(n);
                        respond(req, 200, &answer);
                    }
                    Err(e) => respond(req, 422, &json!({"error": e})),
                }
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
