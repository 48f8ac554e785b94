//! The small ports the capabilities run behind. The Workers implement them with D1, R2, Queues
//! and an HTTP mail API; native tests (and a future self-hosted runtime) with SQLite and memory.
//! Futures are not `Send`: Workers run on one thread.

use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A value bound to a statement parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Integer(v)
    }
}
impl From<i32> for SqlValue {
    fn from(v: i32) -> Self {
        SqlValue::Integer(v as i64)
    }
}
impl From<u32> for SqlValue {
    fn from(v: u32) -> Self {
        SqlValue::Integer(v as i64)
    }
}
impl From<bool> for SqlValue {
    fn from(v: bool) -> Self {
        SqlValue::Integer(v as i64)
    }
}
impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(v.to_string())
    }
}
impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(v)
    }
}
impl From<&String> for SqlValue {
    fn from(v: &String) -> Self {
        SqlValue::Text(v.clone())
    }
}
impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(SqlValue::Null)
    }
}
impl From<crate::money::Kopecks> for SqlValue {
    fn from(v: crate::money::Kopecks) -> Self {
        SqlValue::Integer(v.0)
    }
}
impl From<crate::money::Milli> for SqlValue {
    fn from(v: crate::money::Milli) -> Self {
        SqlValue::Integer(v.0)
    }
}
impl From<DateTime<Utc>> for SqlValue {
    fn from(v: DateTime<Utc>) -> Self {
        SqlValue::Text(crate::time::to_db(v))
    }
}

/// One SQL statement (SQLite dialect, which D1 speaks) with positional `?` parameters.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub sql: Cow<'static, str>,
    pub params: Vec<SqlValue>,
}

impl Stmt {
    pub fn new(sql: &'static str) -> Self {
        Stmt {
            sql: Cow::Borrowed(sql),
            params: Vec::new(),
        }
    }

    pub fn dynamic(sql: String) -> Self {
        Stmt {
            sql: Cow::Owned(sql),
            params: Vec::new(),
        }
    }

    pub fn bind(mut self, v: impl Into<SqlValue>) -> Self {
        self.params.push(v.into());
        self
    }
}

/// A row: column name to JSON value (integers stay integers, exact up to 2^53 on D1).
pub type Row = Map<String, Value>;

#[derive(Debug, Clone, Default)]
pub struct StmtResult {
    pub rows: Vec<Row>,
    /// Rows changed by an INSERT/UPDATE/DELETE.
    pub changes: u64,
}

impl StmtResult {
    pub fn parse<T: DeserializeOwned>(self) -> AppResult<Vec<T>> {
        // Each row decoded from its map as the deserializer (what `from_value(Value::Object(r))`
        // does inside), so a row type's `visit_seq` is not linked; the error text built out of
        // line. Measured (issue 23, orders Worker): -1.1 KB gzip; a plain loop instead of
        // `collect` was +2 KB (inlined into each handler).
        self.rows
            .into_iter()
            .map(|r| <T as serde::Deserialize>::deserialize(r).map_err(row_error))
            .collect()
    }
}

#[cold]
#[inline(never)]
fn row_error(e: serde_json::Error) -> AppError {
    AppError::internal(format!("row decode: {e}"))
}

#[allow(async_fn_in_trait)]
pub trait Database {
    /// Runs one statement.
    async fn run(&self, stmt: Stmt) -> AppResult<StmtResult>;
    /// Runs statements as one transaction: all apply or none (a D1 `batch`).
    async fn batch(&self, stmts: Vec<Stmt>) -> AppResult<Vec<StmtResult>>;
}

/// Typed reads over any [`Database`].
#[allow(async_fn_in_trait)]
pub trait DatabaseExt: Database {
    async fn all<T: DeserializeOwned>(&self, stmt: Stmt) -> AppResult<Vec<T>> {
        self.run(stmt).await?.parse()
    }
    async fn first<T: DeserializeOwned>(&self, stmt: Stmt) -> AppResult<Option<T>> {
        Ok(self.all(stmt).await?.into_iter().next())
    }
    async fn exec(&self, stmt: Stmt) -> AppResult<u64> {
        Ok(self.run(stmt).await?.changes)
    }
}
impl<D: Database + ?Sized> DatabaseExt for D {}

/// A body read or sent a chunk at a time, so a file of any size passes through a small, fixed
/// amount of memory. `'static`: a response body is still being read after its handler returned.
/// Chunks are of any size the source chose (R2: a few KB to 64 KB); an error ends the body.
pub type Chunks = futures::stream::LocalBoxStream<'static, AppResult<Vec<u8>>>;

/// A platform's own handle on a stream, opaque to the domain: the platform that made it may send
/// it as a response body without the bytes passing through the domain (R2's body straight into
/// the Worker's response, no wasm work per chunk). Whoever reads `chunks` instead takes the
/// stream, and the handle is then empty.
pub type NativeStream = Box<dyn std::any::Any>;

/// An object opened for reading as a stream ([`BlobStore::get_stream`]): its length and tag are
/// known before the first chunk, so a response can send `Content-Length` and `ETag` at once.
pub struct BlobStream {
    /// The object's length in bytes: exactly what `chunks` yields.
    pub size: u64,
    /// The store's tag for this version of the object (R2's `httpEtag`, quoted).
    pub etag: String,
    pub chunks: Chunks,
    /// The same bytes as the platform's own stream, where it has one ([`NativeStream`]).
    pub native: Option<NativeStream>,
}

impl std::fmt::Debug for BlobStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStream")
            .field("size", &self.size)
            .field("etag", &self.etag)
            .finish_non_exhaustive()
    }
}

/// Document files and other large payloads (R2). A platform implements `put`, `get`, `size` and
/// `get_stream`; `get_range` has a default. Downloads use `get_stream` (never the whole object in
/// memory); `get` is for payloads the portal parses whole (1C's exchange files).
#[allow(async_fn_in_trait)]
pub trait BlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> AppResult<()>;
    async fn get(&self, key: &str) -> AppResult<Option<Vec<u8>>>;
    /// The object as a stream of chunks with its size and tag; `None` if absent. The stream owns
    /// what it reads from (it outlives `&self`). This default reads the whole object first and
    /// yields it as one chunk (for stores where that is all there is); the platforms' stores
    /// override it with a real stream.
    async fn get_stream(&self, key: &str) -> AppResult<Option<BlobStream>> {
        Ok(self.get(key).await?.map(|bytes| BlobStream {
            size: bytes.len() as u64,
            etag: format!("\"{:08x}-{:x}\"", crc32fast::hash(&bytes), bytes.len()),
            chunks: Box::pin(futures::stream::once(async move { Ok(bytes) })),
            native: None,
        }))
    }
    /// The size of a stored object, without reading it; `None` if absent.
    async fn size(&self, key: &str) -> AppResult<Option<u64>>;
    /// At most `len` bytes of the object from `offset` (fewer at its end), without reading the
    /// rest: large files are read a window at a time. This default reads the whole object; the
    /// stores override it with a ranged read.
    async fn get_range(&self, key: &str, offset: u64, len: u64) -> AppResult<Option<Vec<u8>>> {
        Ok(self.get(key).await?.map(|bytes| {
            let start = (offset as usize).min(bytes.len());
            let end = start.saturating_add(len as usize).min(bytes.len());
            bytes[start..end].to_vec()
        }))
    }
}

/// Wakes the exchange consumers (Queues). Messages are small: ids, never payloads.
#[allow(async_fn_in_trait)]
pub trait WakeQueue {
    /// Inbound messages stored and waiting to be applied.
    async fn send_inbox_ids(&self, ids: Vec<String>) -> AppResult<()>;
    /// Outbound changes waiting to be delivered to 1C.
    async fn send_outbox_ids(&self, ids: Vec<String>) -> AppResult<()>;
    /// A CommerceML import (`cml_imports.job`) with slices still to run.
    async fn send_cml_import(&self, job: &str) -> AppResult<()>;
}

/// What an HTTP peer answered.
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Outgoing HTTP (push delivery to 1C's HTTP service, the card acquirer's API).
#[allow(async_fn_in_trait)]
pub trait HttpClient {
    /// POSTs a JSON body. Transport failures (refused, timed out) are errors; any HTTP status is a reply.
    async fn post_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> AppResult<HttpReply>;
    /// GETs a resource; failures as for [`HttpClient::post_json`].
    async fn get(&self, url: &str, headers: &[(String, String)]) -> AppResult<HttpReply>;
}

/// One e-mail: plain text, and for notifications also a simple HTML part and extra headers
/// (`List-Unsubscribe`); the mail API receives it as JSON.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub headers: std::collections::BTreeMap<String, String>,
}

#[allow(async_fn_in_trait)]
pub trait Mailer {
    async fn send(&self, mail: &Mail) -> AppResult<()>;
}

pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock: production always uses this one.
pub struct SystemClock;
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock fixed by a test.
pub struct FixedClock(pub DateTime<Utc>);
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Everything a capability needs from its platform.
pub trait Ports {
    type Db: Database;
    type Mail: Mailer;
    type Queue: WakeQueue;
    /// Cloned into a streamed body that opens objects one after another after the handler
    /// returned (the order's ZIP): a cheap handle (R2's binding, a shared map, a directory path).
    type Blobs: BlobStore + Clone + 'static;
    type Http: HttpClient;
    fn db(&self) -> &Self::Db;
    fn mailer(&self) -> &Self::Mail;
    fn queue(&self) -> &Self::Queue;
    fn blobs(&self) -> &Self::Blobs;
    fn http(&self) -> &Self::Http;
    fn now(&self) -> DateTime<Utc>;
    /// The real time, for what leaves the portal and is checked by others against their clock
    /// (signature timestamps). Tests that set `now` do not shift it.
    fn wall_clock(&self) -> DateTime<Utc> {
        self.now()
    }
    fn config(&self) -> &crate::config::Config;
    /// Takes `job` to run after the answer has gone (`waitUntil`), or gives it back where the
    /// platform cannot; see [`crate::later::after_answer`].
    fn defer(&self, job: crate::later::Later) -> Result<(), crate::later::Later> {
        Err(job)
    }
}
