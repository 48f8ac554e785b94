//! The Workers side of the ports: D1 for the database, R2 for blobs, Queues for waking the
//! consumer, an HTTP mail API for mail; and the conversion of requests and responses. Every
//! capability Worker is this plus one call into `shared`.

use chrono::{DateTime, Utc};
use shared::config::Config;
use shared::http::{ApiRequest, ApiResponse};
use shared::later::Later;
use shared::ports::{
    BlobStore, Database, HttpClient, HttpReply, Mail, Mailer, Ports, Row, SqlValue, Stmt,
    StmtResult, WakeQueue,
};
use shared::{AppError, AppResult};
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::{web_sys, D1Database, Env, Request, Response};

/// Reads a plain variable or a secret.
pub fn env_var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .map(|v| v.to_string())
        .ok()
        .or_else(|| env.secret(name).map(|v| v.to_string()).ok())
}

/// The settings this isolate runs with, and the mail API's address and key: variables and
/// secrets are fixed for a Worker version, so they are read once per isolate, not on every
/// request (a failed read is not kept: the next request tries again).
struct IsolateSettings {
    config: std::rc::Rc<Config>,
    mail_url: Option<String>,
    mail_token: Option<String>,
}

thread_local! {
    static SETTINGS: std::cell::RefCell<Option<std::rc::Rc<IsolateSettings>>> =
        const { std::cell::RefCell::new(None) };
}

fn settings(env: &Env) -> AppResult<std::rc::Rc<IsolateSettings>> {
    if let Some(s) = SETTINGS.with(|c| c.borrow().clone()) {
        return Ok(s);
    }
    let s = std::rc::Rc::new(IsolateSettings {
        config: std::rc::Rc::new(Config::from_vars(|name| env_var(env, name))?),
        mail_url: env_var(env, "MAIL_API_URL"),
        mail_token: env_var(env, "MAIL_API_TOKEN"),
    });
    SETTINGS.with(|c| *c.borrow_mut() = Some(s.clone()));
    Ok(s)
}

fn internal(e: worker::Error) -> AppError {
    AppError::internal(e.to_string())
}

// Direct bindings to the D1 JS API: rows come back as JS objects we read ourselves, so integers
// stay integers and `meta.changes` is at hand.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    type JsD1;
    #[wasm_bindgen(method)]
    fn prepare(this: &JsD1, sql: &str) -> JsStmt;
    #[wasm_bindgen(method, catch)]
    fn batch(this: &JsD1, stmts: js_sys::Array) -> Result<js_sys::Promise, JsValue>;

    type JsStmt;
    #[wasm_bindgen(method, variadic, catch)]
    fn bind(this: &JsStmt, values: js_sys::Array) -> Result<JsStmt, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn all(this: &JsStmt) -> Result<js_sys::Promise, JsValue>;
}

pub struct D1(JsD1);

impl D1 {
    pub fn new(db: D1Database) -> D1 {
        let js: &JsValue = db.as_ref();
        D1(js.clone().unchecked_into())
    }
}

fn js_error(context: &str, e: JsValue) -> AppError {
    let msg = js_sys::Reflect::get(&e, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    let cause = js_sys::Reflect::get(&e, &JsValue::from_str("cause"))
        .ok()
        .and_then(|c| js_sys::Reflect::get(&c, &JsValue::from_str("message")).ok())
        .and_then(|m| m.as_string());
    AppError::internal(format!(
        "{context}: {msg}{}",
        cause.map(|c| format!(" ({c})")).unwrap_or_default()
    ))
}

fn bind(db: &JsD1, stmt: &Stmt) -> AppResult<JsStmt> {
    let params = js_sys::Array::new();
    for p in &stmt.params {
        params.push(&match p {
            SqlValue::Null => JsValue::NULL,
            // Exact for |i| <= 2^53: kopecks and counters stay integers.
            SqlValue::Integer(i) => JsValue::from_f64(*i as f64),
            SqlValue::Real(f) => JsValue::from_f64(*f),
            SqlValue::Text(s) => JsValue::from_str(s),
            SqlValue::Blob(b) => js_sys::Uint8Array::from(b.as_slice()).into(),
        });
    }
    let prepared = db.prepare(stmt.sql.as_ref());
    if stmt.params.is_empty() {
        return Ok(prepared);
    }
    prepared.bind(params).map_err(|e| js_error("d1 bind", e))
}

/// A row object from D1 into the domain's row: integers stay integers.
fn row_from_js(obj: &JsValue) -> Row {
    let mut row = Row::new();
    let Some(obj) = obj.dyn_ref::<js_sys::Object>() else {
        return row;
    };
    for entry in js_sys::Object::entries(obj).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let v = pair.get(1);
        let value = if v.is_null() || v.is_undefined() {
            serde_json::Value::Null
        } else if let Some(n) = v.as_f64() {
            if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 {
                serde_json::Value::from(n as i64)
            } else {
                serde_json::Value::from(n)
            }
        } else if let Some(s) = v.as_string() {
            serde_json::Value::String(s)
        } else if let Some(b) = v.as_bool() {
            serde_json::Value::from(b as i64)
        } else if let Some(arr) = v.dyn_ref::<js_sys::ArrayBuffer>() {
            let bytes = js_sys::Uint8Array::new(arr).to_vec();
            serde_json::Value::Array(bytes.into_iter().map(serde_json::Value::from).collect())
        } else {
            serde_json::Value::Null
        };
        row.insert(key, value);
    }
    row
}

/// D1's rows as the domain's rows. The whole result crosses from JS as one `JSON.stringify`
/// string and is parsed in Rust: reading cell by cell costs a JS call per key and per value (for a
/// page of orders, a thousand and more), which profiling showed as the Worker's largest own cost.
/// Integral numbers parse as integers, as in `row_from_js`. A BLOB cell would stringify as `{}`
/// (the schema has none): any object in the parsed rows sends the result down the cell-by-cell
/// path, which reads bytes.
fn rows_from_js(results: &JsValue) -> Vec<Row> {
    if !results.is_array() {
        return Vec::new();
    }
    let parsed = js_sys::JSON::stringify(results)
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|text| serde_json::from_str::<Vec<Row>>(&text).ok());
    match parsed {
        Some(rows) if !rows.iter().flat_map(|r| r.values()).any(|v| v.is_object()) => rows,
        _ => js_sys::Array::from(results)
            .iter()
            .map(|r| row_from_js(&r))
            .collect(),
    }
}

fn result_from_js(result: &JsValue) -> StmtResult {
    let get = |o: &JsValue, k: &str| {
        js_sys::Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    };
    let rows = rows_from_js(&get(result, "results"));
    let changes = get(&get(result, "meta"), "changes").as_f64().unwrap_or(0.0) as u64;
    StmtResult { rows, changes }
}

impl Database for D1 {
    async fn run(&self, stmt: Stmt) -> AppResult<StmtResult> {
        let prepared = bind(&self.0, &stmt)?;
        let promise = prepared.all().map_err(|e| js_error("d1", e))?;
        let result = worker::wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| js_error("d1", e))?;
        Ok(result_from_js(&result))
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> AppResult<Vec<StmtResult>> {
        if stmts.is_empty() {
            return Ok(Vec::new());
        }
        let arr = js_sys::Array::new();
        for s in &stmts {
            arr.push(bind(&self.0, s)?.as_ref());
        }
        let promise = self.0.batch(arr).map_err(|e| js_error("d1 batch", e))?;
        let results = worker::wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| js_error("d1 batch", e))?;
        Ok(js_sys::Array::from(&results)
            .iter()
            .map(|r| result_from_js(&r))
            .collect())
    }
}

/// Document files and large payloads in R2.
pub struct R2(pub Option<worker::Bucket>);

impl BlobStore for R2 {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> AppResult<()> {
        let bucket = self
            .0
            .as_ref()
            .ok_or_else(|| AppError::internal("no R2 binding in this Worker"))?;
        let meta = worker::HttpMetadata {
            content_type: Some(content_type.to_string()),
            ..Default::default()
        };
        bucket
            .put(key, bytes)
            .http_metadata(meta)
            .execute()
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> AppResult<Option<Vec<u8>>> {
        let bucket = self
            .0
            .as_ref()
            .ok_or_else(|| AppError::internal("no R2 binding in this Worker"))?;
        match bucket.get(key).execute().await.map_err(internal)? {
            None => Ok(None),
            Some(obj) => match obj.body() {
                Some(body) => Ok(Some(body.bytes().await.map_err(internal)?)),
                None => Ok(Some(Vec::new())),
            },
        }
    }

    async fn size(&self, key: &str) -> AppResult<Option<u64>> {
        let bucket = self
            .0
            .as_ref()
            .ok_or_else(|| AppError::internal("no R2 binding in this Worker"))?;
        Ok(bucket
            .head(key)
            .await
            .map_err(internal)?
            .map(|obj| obj.size() as u64))
    }

    async fn get_range(&self, key: &str, offset: u64, len: u64) -> AppResult<Option<Vec<u8>>> {
        let bucket = self
            .0
            .as_ref()
            .ok_or_else(|| AppError::internal("no R2 binding in this Worker"))?;
        if len == 0 {
            return Ok(Some(Vec::new()));
        }
        let range = worker::Range::OffsetWithLength {
            offset,
            length: len,
        };
        match bucket
            .get(key)
            .range(range)
            .execute()
            .await
            .map_err(internal)?
        {
            None => Ok(None),
            Some(obj) => match obj.body() {
                Some(body) => Ok(Some(body.bytes().await.map_err(internal)?)),
                None => Ok(Some(Vec::new())),
            },
        }
    }
}

/// The body of every exchange queue message (a typed struct, not a `serde_json::Value`, which
/// loses its fields on the way through JS). Inbox and outbox wakes carry `ids` and no `kind`;
/// a CommerceML import carries `kind` [`CML_IMPORT`] and its `job`, so no consumer mistakes one
/// for the other whatever queue it arrives on.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub struct InboxWake {
    #[serde(default)]
    pub ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
}

pub const CML_IMPORT: &str = "cml-import";

/// The exchange queues: `INBOX_QUEUE` (inbound messages to apply), `OUTBOX_QUEUE` (changes to
/// deliver to 1C), `CML_QUEUE` (CommerceML imports running in slices). A Worker binds the
/// producers it uses.
pub struct Queue {
    inbox: Option<worker::Queue>,
    outbox: Option<worker::Queue>,
    cml: Option<worker::Queue>,
}

impl WakeQueue for Queue {
    async fn send_inbox_ids(&self, ids: Vec<String>) -> AppResult<()> {
        let q = self
            .inbox
            .as_ref()
            .ok_or_else(|| AppError::internal("no INBOX_QUEUE binding in this Worker"))?;
        q.send(InboxWake {
            ids,
            ..Default::default()
        })
        .await
        .map_err(internal)
    }
    async fn send_outbox_ids(&self, ids: Vec<String>) -> AppResult<()> {
        let q = self
            .outbox
            .as_ref()
            .ok_or_else(|| AppError::internal("no OUTBOX_QUEUE binding in this Worker"))?;
        q.send(InboxWake {
            ids,
            ..Default::default()
        })
        .await
        .map_err(internal)
    }
    async fn send_cml_import(&self, job: &str) -> AppResult<()> {
        let q = self
            .cml
            .as_ref()
            .ok_or_else(|| AppError::internal("no CML_QUEUE binding in this Worker"))?;
        q.send(InboxWake {
            kind: Some(CML_IMPORT.into()),
            job: Some(job.into()),
            ..Default::default()
        })
        .await
        .map_err(internal)
    }
}

/// Outgoing HTTP through `fetch`, each call given up after `timeout` (then it counts as failed
/// and is retried later, as a 5xx would be).
pub struct Fetch {
    timeout: std::time::Duration,
}

impl Fetch {
    async fn send(&self, req: Request, what: &str) -> AppResult<HttpReply> {
        use futures::future::{select, Either};
        let controller = worker::AbortController::default();
        let signal = controller.signal();
        let call = async {
            let mut resp = worker::Fetch::Request(req)
                .send_with_signal(&signal)
                .await?;
            let status = resp.status_code();
            let body = resp.bytes().await.unwrap_or_default();
            Ok::<_, worker::Error>(HttpReply { status, body })
        };
        let timer = worker::Delay::from(self.timeout);
        futures::pin_mut!(call, timer);
        match select(call, timer).await {
            Either::Left((reply, _)) => {
                reply.map_err(|e| AppError::unavailable(format!("fetch {what}: {e}")))
            }
            Either::Right(_) => {
                controller.abort();
                Err(AppError::unavailable(format!(
                    "fetch {what}: no answer in {} s",
                    self.timeout.as_secs()
                )))
            }
        }
    }
}

impl HttpClient for Fetch {
    async fn post_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> AppResult<HttpReply> {
        let h = worker::Headers::new();
        for (k, v) in headers {
            h.set(k, v).map_err(internal)?;
        }
        let mut init = worker::RequestInit::new();
        let body = js_sys::Uint8Array::from(body.as_slice());
        init.with_method(worker::Method::Post)
            .with_headers(h)
            .with_body(Some(body.into()));
        let req = Request::new_with_init(url, &init).map_err(internal)?;
        self.send(req, url).await
    }

    async fn get(&self, url: &str, headers: &[(String, String)]) -> AppResult<HttpReply> {
        let h = worker::Headers::new();
        for (k, v) in headers {
            h.set(k, v).map_err(internal)?;
        }
        let mut init = worker::RequestInit::new();
        init.with_method(worker::Method::Get).with_headers(h);
        let req = Request::new_with_init(url, &init).map_err(internal)?;
        self.send(req, url).await
    }
}

/// Mail through an HTTP API (`MAIL_API_URL`, bearer `MAIL_API_TOKEN`): locally the simulator's
/// mailbox, in production the provider's endpoint.
pub struct HttpMail {
    url: Option<String>,
    token: Option<String>,
    http: Fetch,
}

impl Mailer for HttpMail {
    async fn send(&self, mail: &Mail) -> AppResult<()> {
        let url = self
            .url
            .as_deref()
            .ok_or_else(|| AppError::unavailable("MAIL_API_URL not set"))?;
        let headers = worker::Headers::new();
        headers
            .set("content-type", "application/json")
            .map_err(internal)?;
        if let Some(t) = &self.token {
            headers
                .set("authorization", &format!("Bearer {t}"))
                .map_err(internal)?;
        }
        let mut init = worker::RequestInit::new();
        init.with_method(worker::Method::Post)
            .with_headers(headers)
            .with_body(Some(JsValue::from_str(&serde_json::to_string(mail)?)));
        let req = Request::new_with_init(url, &init).map_err(internal)?;
        let resp = self.http.send(req, "mail api").await?;
        if !(200..300).contains(&resp.status) {
            return Err(AppError::unavailable(format!(
                "mail api answered {}",
                resp.status
            )));
        }
        Ok(())
    }
}

pub struct WorkerPorts {
    db: D1,
    mail: HttpMail,
    queue: Queue,
    blobs: R2,
    http: Fetch,
    now: DateTime<Utc>,
    config: std::rc::Rc<Config>,
    /// Work for after the answer, where the Worker hands it to `waitUntil` (`serve` with the
    /// context); `None`: the domain runs it at once.
    later: std::cell::RefCell<Option<Vec<Later>>>,
}

impl WorkerPorts {
    /// Binds the ports this Worker has (`DB` always; `INBOX_QUEUE` and `FILES` where bound).
    /// `now` is the wall clock, or the `x-test-now` header where the test clock is allowed.
    pub fn new(env: &Env, test_now: Option<&str>) -> AppResult<WorkerPorts> {
        let settings = settings(env)?;
        let config = settings.config.clone();
        let mut now = Utc::now();
        if config.allow_test_clock {
            if let Some(t) = test_now.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
                now = t.with_timezone(&Utc);
            }
        }
        let timeout = std::time::Duration::from_secs(config.outbound_timeout_secs as u64);
        Ok(WorkerPorts {
            db: D1::new(env.d1("DB").map_err(internal)?),
            mail: HttpMail {
                url: settings.mail_url.clone(),
                token: settings.mail_token.clone(),
                http: Fetch { timeout },
            },
            queue: Queue {
                inbox: env.queue("INBOX_QUEUE").ok(),
                outbox: env.queue("OUTBOX_QUEUE").ok(),
                cml: env.queue("CML_QUEUE").ok(),
            },
            blobs: R2(env.bucket("FILES").ok()),
            http: Fetch { timeout },
            now,
            config,
            later: std::cell::RefCell::new(None),
        })
    }

    /// Work left for after the answer is collected, for [`run_later`] under `waitUntil`.
    pub fn allow_later(&self) {
        self.later.borrow_mut().get_or_insert_with(Vec::new);
    }

    pub fn take_later(&self) -> Vec<Later> {
        self.later
            .borrow_mut()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

/// Runs work left for after the answer (inside `waitUntil`); failures go to the log (mail that
/// failed stays queued for the sweeper).
pub async fn run_later(ports: WorkerPorts, jobs: Vec<Later>) {
    for job in jobs {
        let what = match &job {
            Later::Mail(_) => "mail",
            Later::PasswordReset { .. } => "password-reset",
        };
        if let Err(e) = shared::later::run(&ports, job).await {
            worker::console_error!(
                "{}",
                serde_json::json!({"after_answer": what, "error": e.to_string()})
            );
        }
    }
}

impl Ports for WorkerPorts {
    type Db = D1;
    type Mail = HttpMail;
    type Queue = Queue;
    type Blobs = R2;
    type Http = Fetch;
    fn db(&self) -> &D1 {
        &self.db
    }
    fn mailer(&self) -> &HttpMail {
        &self.mail
    }
    fn queue(&self) -> &Queue {
        &self.queue
    }
    fn blobs(&self) -> &R2 {
        &self.blobs
    }
    fn http(&self) -> &Fetch {
        &self.http
    }
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn wall_clock(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn config(&self) -> &Config {
        &self.config
    }
    fn defer(&self, job: Later) -> Result<(), Later> {
        match self.later.borrow_mut().as_mut() {
            Some(held) => {
                held.push(job);
                Ok(())
            }
            None => Err(job),
        }
    }
}

/// The Worker request as the domain's request, without its body ([`read_body`] reads that once
/// the route's limit is known). Reads the runtime's request object directly: `worker::Request`
/// would also read `request.cf`, which the runtime parses anew on every read.
pub fn request_head(req: &web_sys::Request) -> worker::Result<ApiRequest> {
    let url = worker::Url::parse(&req.url())?;
    let method = req.method().to_ascii_uppercase();
    let headers: Vec<(String, String)> = worker::Headers(req.headers())
        .entries()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let client_ip = headers
        .iter()
        .find(|(k, _)| k == "cf-connecting-ip")
        .map(|(_, v)| v.clone());
    Ok(ApiRequest {
        method,
        path: url.path().to_string(),
        query: url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        headers,
        body: Vec::new(),
        origin: url.origin().ascii_serialization(),
        client_ip,
    })
}

fn js_call(obj: &JsValue, method: &str) -> AppResult<JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(obj, &JsValue::from_str(method))
        .and_then(|f| f.dyn_into())
        .map_err(|e| js_error(method, e))?;
    f.call0(obj).map_err(|e| js_error(method, e))
}

/// The body, up to the route's `limit` (`None`: no route takes the request, so it is not read).
/// A larger `Content-Length` is refused before a byte is kept; a body streamed without one
/// (chunked) is refused as soon as it passes the limit. Either way a 413 (after at most
/// [`DRAIN_MS`], see [`drain_and_cancel`]), before the body is buffered and before any
/// authentication work: a slow 50 MB upload costs neither memory nor waiting.
pub async fn read_body(req: &web_sys::Request, limit: Option<usize>) -> AppResult<Vec<u8>> {
    let Some(limit) = limit else {
        return Ok(Vec::new());
    };
    if matches!(req.method().to_ascii_uppercase().as_str(), "GET" | "HEAD") {
        return Ok(Vec::new());
    }
    let announced = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let Some(stream) = req.body() else {
        return Ok(Vec::new());
    };
    let reader = js_call(&stream, "getReader")?;
    if announced.is_some_and(|n| n > limit as u64) {
        drain_and_cancel(&reader).await;
        return Err(shared::http::payload_too_large(limit));
    }
    let mut body = Vec::with_capacity(announced.unwrap_or(0) as usize);
    loop {
        let promise: js_sys::Promise = js_call(&reader, "read")?.unchecked_into();
        // A client that goes away mid-body: nothing to answer it, and nothing the server did.
        let chunk = JsFuture::from(promise).await.map_err(|_| {
            AppError::bad_request(
                "body-unreadable",
                "Тело запроса не получено целиком.",
                "The request body did not arrive whole.",
            )
        })?;
        let get = |k: &str| js_sys::Reflect::get(&chunk, &JsValue::from_str(k));
        if get("done").ok().and_then(|d| d.as_bool()) == Some(true) {
            return Ok(body);
        }
        let bytes: js_sys::Uint8Array = get("value")
            .map_err(|e| js_error("request body", e))?
            .unchecked_into();
        let len = bytes.length() as usize;
        if body.len() + len > limit {
            drain_and_cancel(&reader).await;
            return Err(shared::http::payload_too_large(limit));
        }
        let start = body.len();
        body.resize(start + len, 0);
        bytes.copy_to(&mut body[start..]);
    }
}

/// A refused body is still read and dropped for at most this long and this much, then cancelled.
/// The runtime sends the answer only once the body is settled (read or cancelled), and a client
/// (or `wrangler dev`'s proxy) that has already sent a modest body whole gets a clean 413 rather
/// than a broken connection; a slow or huge one is cut off after the pause.
const DRAIN_MS: u64 = 250;
const DRAIN_BYTES: usize = 1024 * 1024;

async fn drain_and_cancel(reader: &JsValue) {
    use futures::future::select;
    let drain = async {
        let mut seen = 0usize;
        while seen <= DRAIN_BYTES {
            let Ok(promise) = js_call(reader, "read") else {
                return;
            };
            let Ok(chunk) = JsFuture::from(promise.unchecked_into::<js_sys::Promise>()).await
            else {
                return;
            };
            let get = |k: &str| js_sys::Reflect::get(&chunk, &JsValue::from_str(k));
            if get("done").ok().and_then(|d| d.as_bool()) != Some(false) {
                return;
            }
            seen += get("value")
                .map(|v| v.unchecked_into::<js_sys::Uint8Array>().length() as usize)
                .unwrap_or(0);
        }
    };
    let pause = worker::Delay::from(std::time::Duration::from_millis(DRAIN_MS));
    futures::pin_mut!(drain, pause);
    select(drain, pause).await;
    let _ = js_call(reader, "cancel");
}

/// The answer to a request refused before its handler ran (its body too large).
pub fn refused(req: &ApiRequest, err: AppError) -> ApiResponse {
    shared::http::finish(req, Err(err), Default::default())
}

/// The domain's response as a Worker response, with the request's log line.
pub fn worker_response(resp: ApiResponse, method: &str, started: f64) -> worker::Result<Response> {
    let log = &resp.log;
    let line = serde_json::json!({
        "method": method,
        "route": log.route.unwrap_or("(unmatched)"),
        "status": resp.status,
        "ms": (js_sys::Date::now() - started).round(),
        "company_id": log.company_id,
        "user_id": log.user_id,
        "error": if resp.status >= 500 { log.error.clone() } else { None },
    });
    if resp.status >= 500 {
        worker::console_error!("{line}");
    } else {
        worker::console_log!("{line}");
    }
    let headers = worker::Headers::new();
    for (k, v) in &resp.headers {
        headers.append(k, v)?;
    }
    let body = if resp.status == 204 || resp.status == 304 {
        None
    } else {
        Some(resp.body)
    };
    let r = match body {
        Some(b) => Response::from_bytes(b)?,
        None => Response::empty()?,
    };
    Ok(r.with_status(resp.status).with_headers(headers))
}

/// A problem response for failures before the domain is reached (bindings, settings).
pub fn failure(err: AppError, method: &str, started: f64) -> worker::Result<Response> {
    let req = ApiRequest::default();
    let resp = shared::http::finish(&req, Err(err), Default::default());
    worker_response(resp, method, started)
}

/// Serves one request with a capability's handler: the whole body of a capability Worker, whose
/// `fetch` takes and returns the runtime's own request and response objects
/// (`worker::web_sys::Request`, `worker::web_sys::Response`). `body_limit` gives the route's body
/// limit (the capability's `api::body_limit`): the body is read, up to it, before `handler` (the
/// capability's `api::handle`) runs. Work the handler leaves for after its answer (mail, the
/// password-reset lookup) runs under the context's `waitUntil`.
pub async fn serve<H>(
    req: web_sys::Request,
    env: Env,
    ctx: worker::Context,
    handler: H,
    body_limit: fn(&ApiRequest) -> Option<usize>,
) -> worker::Result<web_sys::Response>
where
    H: AsyncFn(&WorkerPorts, ApiRequest) -> ApiResponse,
{
    let started = now_ms();
    let method = req.method().to_ascii_uppercase();
    let test_now = req.headers().get("x-test-now").ok().flatten();
    let response = match WorkerPorts::new(&env, test_now.as_deref()) {
        Err(e) => failure(e, &method, started),
        Ok(ports) => {
            ports.allow_later();
            let mut api_req = request_head(&req)?;
            let resp = match read_body(&req, body_limit(&api_req)).await {
                Ok(body) => {
                    api_req.body = body;
                    handler(&ports, api_req).await
                }
                Err(e) => refused(&api_req, e),
            };
            let jobs = ports.take_later();
            if !jobs.is_empty() {
                ctx.wait_until(run_later(ports, jobs));
            }
            worker_response(resp, &method, started)
        }
    };
    response.map(web_sys::Response::from)
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
