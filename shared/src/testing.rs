//! Ports for native tests: real SQLite with the real migrations, mail and queue kept in memory,
//! a clock the test sets.

use crate::config::Config;
use crate::error::AppResult;
use crate::http::ApiRequest;
use crate::ports::{BlobStore, HttpClient, HttpReply, Mail, Mailer, Ports, WakeQueue};
use crate::sqlite::SqliteDb;
use chrono::{DateTime, Utc};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

#[derive(Default)]
pub struct MemMail(pub RefCell<Vec<Mail>>);
impl Mailer for MemMail {
    async fn send(&self, mail: &Mail) -> AppResult<()> {
        self.0.borrow_mut().push(mail.clone());
        Ok(())
    }
}

/// Woken inbox ids, outbox ids and CommerceML import jobs, in order.
#[derive(Default)]
pub struct MemQueue(
    pub RefCell<Vec<Vec<String>>>,
    pub RefCell<Vec<Vec<String>>>,
    pub RefCell<Vec<String>>,
);
impl WakeQueue for MemQueue {
    async fn send_inbox_ids(&self, ids: Vec<String>) -> AppResult<()> {
        self.0.borrow_mut().push(ids);
        Ok(())
    }
    async fn send_outbox_ids(&self, ids: Vec<String>) -> AppResult<()> {
        self.1.borrow_mut().push(ids);
        Ok(())
    }
    async fn send_cml_import(&self, job: &str) -> AppResult<()> {
        self.2.borrow_mut().push(job.to_string());
        Ok(())
    }
}

/// A scripted 1C HTTP service: records what it receives and answers as `mode` says:
/// `accept`, `reject` (with `reason`), `error` (HTTP 500) or `down` (no connection). Calls to
/// `YOOKASSA_URL` go to the fake acquirer instead.
pub struct FakeOnec {
    pub received: RefCell<Vec<serde_json::Value>>,
    pub mode: RefCell<String>,
    pub reason: RefCell<String>,
    pub yookassa: FakeYooKassa,
}

impl Default for FakeOnec {
    fn default() -> Self {
        FakeOnec {
            received: RefCell::default(),
            mode: RefCell::new("accept".into()),
            reason: RefCell::new("Отклонено".into()),
            yookassa: FakeYooKassa::default(),
        }
    }
}

/// Where the tests' configuration puts the acquirer's API.
pub const YOOKASSA_URL: &str = "http://yookassa.test/v3";

/// A fake YooKassa API v3 (payments: create, read), checking what the real one checks: Basic
/// auth, the `Idempotence-Key` (the same key gives the same payment), a receipt with a contact
/// whose items add up to the amount.
#[derive(Default)]
pub struct FakeYooKassa {
    /// Payments as the API returns them.
    pub payments: RefCell<Vec<serde_json::Value>>,
    /// Idempotence key -> payment id.
    pub keys: RefCell<HashMap<String, String>>,
    /// Every create request's body, in order (repeats included).
    pub creates: RefCell<Vec<serde_json::Value>>,
    /// `down`: connection refused; `error`: HTTP 500.
    pub mode: RefCell<String>,
}

impl FakeYooKassa {
    pub fn payment(&self, id: &str) -> Option<serde_json::Value> {
        self.payments
            .borrow()
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
    }

    /// What the buyer did on the hosted page: `succeeded` (paid, captured) or `canceled`.
    pub fn settle(&self, id: &str, status: &str) {
        for p in self.payments.borrow_mut().iter_mut() {
            if p["id"] == id {
                p["status"] = status.into();
                p["paid"] = (status == "succeeded").into();
                if status == "canceled" {
                    p["cancellation_details"] = serde_json::json!({"party": "yoo_money", "reason": "expired_on_confirmation"});
                }
            }
        }
    }

    fn reply(status: u16, v: serde_json::Value) -> AppResult<HttpReply> {
        Ok(HttpReply {
            status,
            body: v.to_string().into_bytes(),
        })
    }

    fn error(status: u16, code: &str, description: &str, parameter: &str) -> AppResult<HttpReply> {
        Self::reply(
            status,
            serde_json::json!({"type": "error", "code": code, "description": description, "parameter": parameter}),
        )
    }

    fn authorised(headers: &[(String, String)]) -> bool {
        use base64::Engine;
        let want = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("test-shop:test-yookassa-secret")
        );
        headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && *v == want)
    }

    fn unusable(&self) -> Option<AppResult<HttpReply>> {
        match self.mode.borrow().as_str() {
            "down" => Some(Err(crate::AppError::unavailable("connection refused"))),
            "error" => Some(Self::error(500, "internal_server_error", "down", "")),
            _ => None,
        }
    }

    fn create(&self, headers: &[(String, String)], body: &[u8]) -> AppResult<HttpReply> {
        use crate::money::{Kopecks, Milli};
        if let Some(r) = self.unusable() {
            return r;
        }
        if !Self::authorised(headers) {
            return Self::error(401, "invalid_credentials", "Basic auth", "Authorization");
        }
        let Some(key) = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("idempotence-key"))
            .map(|(_, v)| v.clone())
        else {
            return Self::error(
                400,
                "invalid_request",
                "Idempotence-Key is required",
                "Idempotence-Key",
            );
        };
        let req: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        self.creates.borrow_mut().push(req.clone());
        if let Some(id) = self.keys.borrow().get(&key) {
            return Self::reply(200, self.payment(id).unwrap_or_default());
        }
        let amount = Kopecks::parse(req["amount"]["value"].as_str().unwrap_or("")).map(|k| k.0);
        let customer = &req["receipt"]["customer"];
        if customer["email"].as_str().is_none() && customer["phone"].as_str().is_none() {
            return Self::error(
                400,
                "invalid_request",
                "receipt.customer needs email or phone",
                "receipt.customer",
            );
        }
        let mut sum = 0i64;
        for item in req["receipt"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let unit = Kopecks::parse(item["amount"]["value"].as_str().unwrap_or("")).map(|k| k.0);
            let qty = Milli::parse(item["quantity"].as_str().unwrap_or("")).map(|m| m.0);
            match (unit, qty) {
                (Ok(u), Ok(q)) if (u * q) % 1000 == 0 => sum += u * q / 1000,
                _ => {
                    return Self::error(400, "invalid_request", "bad receipt item", "receipt.items")
                }
            }
        }
        if amount != Ok(sum) {
            return Self::error(
                400,
                "invalid_request",
                "receipt items do not add up to the amount",
                "receipt.items",
            );
        }
        let id = format!("yk-{}", self.payments.borrow().len() + 1);
        let payment = serde_json::json!({"id": id, "status": "pending", "paid": false, "amount": req["amount"],
            "confirmation": {"type": "redirect", "confirmation_url": format!("https://yoomoney.test/checkout/{id}")},
            "created_at": "2026-11-28T09:00:00.000Z", "description": req["description"], "metadata": req["metadata"], "test": true});
        self.payments.borrow_mut().push(payment.clone());
        self.keys.borrow_mut().insert(key, id);
        Self::reply(200, payment)
    }

    fn read(&self, url: &str, headers: &[(String, String)]) -> AppResult<HttpReply> {
        if let Some(r) = self.unusable() {
            return r;
        }
        if !Self::authorised(headers) {
            return Self::error(401, "invalid_credentials", "Basic auth", "Authorization");
        }
        let id = url.rsplit('/').next().unwrap_or("");
        match self.payment(id) {
            Some(p) => Self::reply(200, p),
            None => Self::error(404, "not_found", "no such payment", "payment_id"),
        }
    }
}

impl FakeOnec {
    pub fn set(&self, mode: &str) {
        *self.mode.borrow_mut() = mode.to_string();
    }
}

impl HttpClient for FakeOnec {
    async fn post_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> AppResult<HttpReply> {
        if url == format!("{YOOKASSA_URL}/payments") {
            return self.yookassa.create(headers, &body);
        }
        let mode = self.mode.borrow().clone();
        if mode == "down" {
            return Err(crate::AppError::unavailable("connection refused"));
        }
        // 1C checks the push as the portal checks 1C: v2 with the push secret (the skew is not
        // checked here: the portal signs with the wall clock, the tests move another one).
        use crate::exchange::contract;
        let h = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.as_str())
        };
        let path = contract::path_and_query_of(url);
        let signed = contract::Signed {
            method: "POST",
            path_and_query: &path,
            timestamp: h(contract::TIMESTAMP_HEADER),
            nonce: h(contract::NONCE_HEADER),
            signature: h(contract::SIGNATURE_HEADER),
            body: &body,
        };
        let ts = signed.timestamp.and_then(|t| t.parse().ok()).unwrap_or(0);
        let secret = crate::config::Config::for_tests().onec_push_secret.unwrap_or_default();
        if let Err(reason) = contract::verify_request(
            &secret,
            contract::SignatureVersions::V2_ONLY,
            &signed,
            ts,
            300,
        ) {
            return Ok(HttpReply {
                status: 401,
                body: serde_json::json!({"status": "error", "reason": reason})
                    .to_string()
                    .into_bytes(),
            });
        }
        self.received
            .borrow_mut()
            .push(serde_json::from_slice(&body).unwrap_or_default());
        let reply = |status: u16, v: serde_json::Value| {
            Ok(HttpReply {
                status,
                body: v.to_string().into_bytes(),
            })
        };
        match mode.as_str() {
            "reject" => reply(
                200,
                serde_json::json!({"status": "rejected", "reason": *self.reason.borrow()}),
            ),
            "error" => reply(500, serde_json::json!({"status": "error"})),
            _ => reply(200, serde_json::json!({"status": "accepted"})),
        }
    }

    async fn get(&self, url: &str, headers: &[(String, String)]) -> AppResult<HttpReply> {
        if url.starts_with(&format!("{YOOKASSA_URL}/payments/")) {
            return self.yookassa.read(url, headers);
        }
        Ok(HttpReply {
            status: 404,
            body: Vec::new(),
        })
    }
}

/// Blobs in memory; the second field counts `get_range` calls and the bytes they returned, so a
/// test can see that a large file is read a window at a time. Clones share the objects (a
/// streamed body holds one).
#[derive(Default, Clone)]
pub struct MemBlobs(
    pub std::rc::Rc<RefCell<HashMap<String, Vec<u8>>>>,
    pub std::rc::Rc<Cell<(u64, u64)>>,
);

/// The chunk size [`MemBlobs::get_stream`] yields: small, so streamed bodies are assembled from
/// many chunks in tests as they are from R2.
pub const MEM_CHUNK: usize = 16 * 1024;

impl BlobStore for MemBlobs {
    async fn get_stream(&self, key: &str) -> AppResult<Option<crate::ports::BlobStream>> {
        let Some(bytes) = self.0.borrow().get(key).cloned() else {
            return Ok(None);
        };
        let size = bytes.len() as u64;
        let etag = format!("\"{:08x}-{:x}\"", crc32fast::hash(&bytes), bytes.len());
        let chunks: Vec<AppResult<Vec<u8>>> =
            bytes.chunks(MEM_CHUNK).map(|c| Ok(c.to_vec())).collect();
        Ok(Some(crate::ports::BlobStream {
            size,
            etag,
            chunks: Box::pin(futures::stream::iter(chunks)),
            native: None,
        }))
    }
    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> AppResult<()> {
        self.0.borrow_mut().insert(key.to_string(), bytes);
        Ok(())
    }
    async fn get(&self, key: &str) -> AppResult<Option<Vec<u8>>> {
        Ok(self.0.borrow().get(key).cloned())
    }
    async fn size(&self, key: &str) -> AppResult<Option<u64>> {
        Ok(self.0.borrow().get(key).map(|b| b.len() as u64))
    }
    async fn get_range(&self, key: &str, offset: u64, len: u64) -> AppResult<Option<Vec<u8>>> {
        let map = self.0.borrow();
        let Some(bytes) = map.get(key) else {
            return Ok(None);
        };
        let start = (offset as usize).min(bytes.len());
        let end = start.saturating_add(len as usize).min(bytes.len());
        let (calls, total) = self.1.get();
        self.1.set((calls + 1, total + (end - start) as u64));
        Ok(Some(bytes[start..end].to_vec()))
    }
}

pub struct TestPorts {
    pub db: SqliteDb,
    pub mail: MemMail,
    pub queue: MemQueue,
    pub blobs: MemBlobs,
    pub onec: FakeOnec,
    pub now: Cell<DateTime<Utc>>,
    pub config: Config,
    /// Work left for after the answer: run at once (`None`, the default) or held until
    /// [`TestPorts::run_later`] (`Some`, after [`TestPorts::hold_later`]), as `waitUntil` would.
    pub later: RefCell<Option<Vec<crate::later::Later>>>,
}

impl TestPorts {
    /// From now on, work left for after the answer waits for [`TestPorts::run_later`].
    pub fn hold_later(&self) {
        self.later.borrow_mut().get_or_insert_with(Vec::new);
    }

    /// Runs the held work, in order.
    pub fn run_later(&self) {
        let jobs: Vec<_> = self
            .later
            .borrow_mut()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        for job in jobs {
            futures::executor::block_on(crate::later::run(self, job)).expect("deferred work");
        }
    }

    pub fn new() -> TestPorts {
        TestPorts {
            db: SqliteDb::in_memory_migrated().expect("migrations apply"),
            mail: MemMail::default(),
            queue: MemQueue::default(),
            blobs: MemBlobs::default(),
            onec: FakeOnec::default(),
            now: Cell::new("2026-11-28T09:00:00Z".parse().expect("time")),
            config: Config::for_tests(),
            later: RefCell::new(None),
        }
    }

    pub fn advance(&self, d: chrono::Duration) {
        self.now.set(self.now.get() + d);
    }

    /// The last mail sent to `to`.
    pub fn last_mail_to(&self, to: &str) -> Option<Mail> {
        self.mail
            .0
            .borrow()
            .iter()
            .rev()
            .find(|m| m.to == to)
            .cloned()
    }

    /// A user's first access as the flow tests need it: the password ([`TEST_PASSWORD`]) set
    /// through the newest link mailed to `email`, then a sign-in; the session cookies.
    pub fn activate(&self, email: &str) -> String {
        // The newest mail with a link: notifications may have come after it.
        let mail = self
            .mail
            .0
            .borrow()
            .iter()
            .rev()
            .find(|m| m.to == email && m.text.contains("#token="))
            .cloned()
            .expect("a mail with a link");
        let token = mail
            .text
            .split("#token=")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .expect("a link with a token")
            .to_string();
        let auth = |path: &str, body: serde_json::Value| {
            futures::executor::block_on(crate::auth::api::handle(
                self,
                request("POST", path, Some(body), ""),
            ))
        };
        let r = auth(
            "/api/auth/password-resets",
            serde_json::json!({"token": token, "password": TEST_PASSWORD}),
        );
        assert_eq!(r.status, 204, "password set");
        let r = auth(
            "/api/auth/sign-in",
            serde_json::json!({"email": email, "password": TEST_PASSWORD}),
        );
        assert_eq!(r.status, 200, "signed in");
        cookies_from(&r)
    }
}

/// The password [`TestPorts::activate`] sets.
pub const TEST_PASSWORD: &str = "Пароль-2026-поле";

impl Default for TestPorts {
    fn default() -> Self {
        Self::new()
    }
}

impl Ports for TestPorts {
    type Db = SqliteDb;
    type Mail = MemMail;
    type Queue = MemQueue;
    type Blobs = MemBlobs;
    type Http = FakeOnec;
    fn db(&self) -> &SqliteDb {
        &self.db
    }
    fn mailer(&self) -> &MemMail {
        &self.mail
    }
    fn queue(&self) -> &MemQueue {
        &self.queue
    }
    fn blobs(&self) -> &MemBlobs {
        &self.blobs
    }
    fn http(&self) -> &FakeOnec {
        &self.onec
    }
    fn now(&self) -> DateTime<Utc> {
        self.now.get()
    }
    fn config(&self) -> &Config {
        &self.config
    }
    fn defer(&self, job: crate::later::Later) -> Result<(), crate::later::Later> {
        match self.later.borrow_mut().as_mut() {
            Some(held) => {
                held.push(job);
                Ok(())
            }
            None => Err(job),
        }
    }
}

/// `%D0%B0+b` -> `а b`, as the Workers' URL parsing decodes query values.
fn percent_decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%')
            .then(|| b.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (c, _) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The response with a streamed body read whole (as the platform would send it), checking that
/// the stream yields exactly its declared length (`Content-Length`). Tests read bodies as bytes.
pub fn complete(mut resp: crate::http::ApiResponse) -> crate::http::ApiResponse {
    if resp.body.is_stream() {
        let body = std::mem::take(&mut resp.body);
        let declared = body.len();
        let bytes = futures::executor::block_on(body.collect())
            .expect("a streamed body reads to its end");
        assert_eq!(bytes.len() as u64, declared, "a streamed body's declared length");
        resp.body = crate::http::Body::Bytes(bytes);
    }
    resp
}

/// A request as a browser on the portal's page would send it.
pub fn request(
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
    cookies: &str,
) -> ApiRequest {
    let mut headers = vec![("origin".to_string(), "http://127.0.0.1:8787".to_string())];
    if body.is_some() {
        headers.push(("content-type".into(), "application/json".into()));
    }
    if !cookies.is_empty() {
        headers.push(("cookie".into(), cookies.to_string()));
    }
    let target = path;
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (
            p,
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), percent_decode(v)))
                .collect(),
        ),
        None => (path, Vec::new()),
    };
    ApiRequest {
        method: method.into(),
        target: target.into(),
        path: path.into(),
        query,
        headers,
        body: body
            .map(|b| serde_json::to_vec(&b).expect("json"))
            .unwrap_or_default(),
        origin: "http://127.0.0.1:8787".into(),
        client_ip: Some("10.0.0.1".into()),
    }
}

impl TestPorts {
    /// A request as 1C sends it: signed v2 with 1C's secret at the test clock's time, with a
    /// fresh nonce; `path` may carry a query (signed as given).
    pub fn signed(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> ApiRequest {
        use crate::exchange::contract;
        let ts = self.now.get().timestamp();
        let nonce = crate::ids::new_id("n");
        let sig = contract::sign_v2(&self.config.onec_hmac_secret, ts, method, path, &nonce, &body);
        let mut req = request(method, path, None, "");
        req.headers.clear();
        ApiRequest {
            method: method.into(),
            headers: vec![
                (contract::NONCE_HEADER.into(), nonce),
                ("content-type".into(), content_type.into()),
                (
                    crate::exchange::contract::TIMESTAMP_HEADER.into(),
                    ts.to_string(),
                ),
                (crate::exchange::contract::SIGNATURE_HEADER.into(), sig),
            ],
            body,
            origin: "http://127.0.0.1:8787".into(),
            client_ip: None,
            ..std::mem::take(&mut req)
        }
    }

    /// A signed JSON POST from 1C.
    pub fn signed_json(&self, path: &str, payload: &serde_json::Value) -> ApiRequest {
        self.signed(
            "POST",
            path,
            "application/json",
            serde_json::to_vec(payload).expect("json"),
        )
    }

    /// Sends messages as 1C would and runs the consumer on what the queue received; returns the
    /// answer's body.
    pub fn send_from_1c(&self, messages: Vec<serde_json::Value>) -> serde_json::Value {
        let batch = serde_json::json!({"batch_id": crate::ids::new_id("b"), "sent_at": "2026-11-28T12:00:00", "messages": messages});
        let resp = futures::executor::block_on(crate::exchange::api::handle(
            self,
            self.signed_json("/exchange/v1/messages", &batch),
        ));
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
        self.run_inbox_consumer();
        serde_json::from_slice(&resp.body).expect("json answer")
    }

    /// Runs the inbound consumer on every wake-up the queue holds.
    pub fn run_inbox_consumer(&self) {
        let woken: Vec<Vec<String>> = self.queue.0.borrow_mut().drain(..).collect();
        for ids in woken {
            futures::executor::block_on(crate::exchange::inbox::process(self, &ids))
                .expect("consumer");
        }
    }
}

/// `name=value; ...` from a response's Set-Cookie headers, for the next request.
pub fn cookies_from(resp: &crate::http::ApiResponse) -> String {
    resp.headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .filter(|kv| !kv.ends_with('='))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The third-party CommerceML fixture folder: `COMMERCEML_FIXTURES`, else `../shared/fixtures/
/// commerceml` beside the checkout. Missing is a failure on CI (it must have them) and a skip,
/// with a printed notice, elsewhere.
pub fn commerceml_fixtures() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("COMMERCEML_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/fixtures/commerceml")
        });
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CommerceML fixtures not found at {} (set COMMERCEML_FIXTURES); CI must have them",
            dir.display()
        );
    }
    eprintln!(
        "note: CommerceML fixtures not found at {}: skipping (set COMMERCEML_FIXTURES)",
        dir.display()
    );
    None
}

/// A ZIP archive of `files` (deflated unless `stored`), as 1C's archiver writes one.
pub fn zip_archive(files: &[(&str, &[u8])], stored: bool) -> Vec<u8> {
    let (mut out, mut cd) = (Vec::new(), Vec::new());
    for (name, data) in files {
        let packed = if stored {
            data.to_vec()
        } else {
            miniz_oxide::deflate::compress_to_vec(data, 6)
        };
        let mut h = crc32fast::Hasher::new();
        h.update(data);
        let crc = h.finalize();
        let method: u16 = if stored { 0 } else { 8 };
        let offset = out.len() as u32;
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend([20, 0, 0, 8]);
        out.extend(method.to_le_bytes());
        out.extend([0; 4]);
        out.extend(crc.to_le_bytes());
        out.extend((packed.len() as u32).to_le_bytes());
        out.extend((data.len() as u32).to_le_bytes());
        out.extend((name.len() as u16).to_le_bytes());
        out.extend([0, 0]);
        out.extend(name.as_bytes());
        out.extend(&packed);
        cd.extend(0x0201_4b50u32.to_le_bytes());
        cd.extend([20, 0, 20, 0, 0, 8]);
        cd.extend(method.to_le_bytes());
        cd.extend([0; 4]);
        cd.extend(crc.to_le_bytes());
        cd.extend((packed.len() as u32).to_le_bytes());
        cd.extend((data.len() as u32).to_le_bytes());
        cd.extend((name.len() as u16).to_le_bytes());
        cd.extend([0; 12]);
        cd.extend(offset.to_le_bytes());
        cd.extend(name.as_bytes());
    }
    let cd_at = out.len() as u32;
    out.extend(&cd);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0; 4]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((cd.len() as u32).to_le_bytes());
    out.extend(cd_at.to_le_bytes());
    out.extend([0, 0]);
    out
}
