//! The portal as 1C talks to it: signed requests to the exchange (batches, file uploads, status,
//! the pull of changes), and a browser-like call for the demo passwords.

use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Parallel file uploads in `seed`.
const UPLOAD_THREADS: usize = 32;

pub struct Portal {
    pub base: String,
    pub secret: String,
    /// Sign v1 (`ONEC_SIGNATURE_VERSION=v1`: an extension not yet updated, for testing the
    /// migration window) instead of v2 with a fresh nonce.
    pub v1: bool,
}

impl Portal {
    /// The signature headers of a request as 1C sends it: v2 over method, path with query, a fresh
    /// nonce and the body; or v1 over timestamp and body.
    pub fn sign(&self, method: &str, path: &str, body: &[u8]) -> Vec<(&'static str, String)> {
        use shared::exchange::contract;
        let ts = chrono::Utc::now().timestamp();
        if self.v1 {
            return vec![
                (contract::TIMESTAMP_HEADER, ts.to_string()),
                (
                    contract::SIGNATURE_HEADER,
                    contract::sign(&self.secret, ts, body),
                ),
            ];
        }
        let nonce = shared::ids::new_id("n");
        let sig = contract::sign_v2(&self.secret, ts, method, path, &nonce, body);
        vec![
            (contract::TIMESTAMP_HEADER, ts.to_string()),
            (contract::NONCE_HEADER, nonce),
            (contract::SIGNATURE_HEADER, sig),
        ]
    }

    /// Sends a signed request as 1C does; returns status and JSON body.
    pub fn signed_post(&self, path: &str, body: &Value) -> Result<(u16, Value), String> {
        let bytes = serde_json::to_vec(body).unwrap();
        let mut req =
            ureq::post(&format!("{}{path}", self.base)).set("content-type", "application/json");
        for (k, v) in self.sign("POST", path, &bytes) {
            req = req.set(k, &v);
        }
        read(req.send_bytes(&bytes))
    }

    /// Uploads a file as 1C does before the message that names it: `PUT /exchange/v1/files/{key}`,
    /// the raw body signed like every 1C request.
    pub fn signed_put(
        &self,
        agent: &ureq::Agent,
        key: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<(u16, Value), String> {
        let path = format!("/exchange/v1/files/{key}");
        let mut req = agent
            .put(&format!("{}{path}", self.base))
            .set("content-type", content_type);
        for (k, v) in self.sign("PUT", &path, bytes) {
            req = req.set(k, &v);
        }
        read(req.send_bytes(bytes))
    }

    /// Uploads every file, a few at a time.
    pub fn upload_all(&self, files: &[crate::data::FileSpec]) -> Result<(), String> {
        let agent = ureq::AgentBuilder::new().max_idle_connections(16).build();
        let next = AtomicUsize::new(0);
        let failed: Mutex<Option<String>> = Mutex::new(None);
        std::thread::scope(|s| {
            for _ in 0..UPLOAD_THREADS {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(f) = files.get(i) else { break };
                    if failed.lock().unwrap().is_some() {
                        break;
                    }
                    // A connection the local server dropped while idle is retried.
                    let mut result = self.signed_put(&agent, &f.key, f.content_type, &f.bytes);
                    for _ in 0..3 {
                        if result.is_ok() {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(200));
                        result = self.signed_put(&agent, &f.key, f.content_type, &f.bytes);
                    }
                    match result {
                        Ok((201, _)) => {}
                        Ok((status, body)) => {
                            *failed.lock().unwrap() =
                                Some(format!("upload of {}: {status} {body}", f.key))
                        }
                        Err(e) => {
                            *failed.lock().unwrap() = Some(format!("upload of {}: {e}", f.key))
                        }
                    }
                });
            }
        });
        match failed.into_inner().unwrap() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// A browser-like JSON POST to the portal's API (with the page's Origin).
    pub fn api_post(&self, path: &str, body: &Value) -> Result<(u16, Value), String> {
        let resp = ureq::post(&format!("{}{path}", self.base))
            .set("origin", &self.base)
            .send_json(body.clone());
        read(resp)
    }
}

pub fn read(resp: Result<ureq::Response, ureq::Error>) -> Result<(u16, Value), String> {
    match resp {
        Ok(r) => {
            let status = r.status();
            Ok((status, r.into_json().unwrap_or(Value::Null)))
        }
        Err(ureq::Error::Status(code, r)) => Ok((code, r.into_json().unwrap_or(Value::Null))),
        Err(e) => Err(e.to_string()),
    }
}
