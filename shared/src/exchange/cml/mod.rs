//! The site side of 1C's stock "exchange with a website" protocol (CommerceML over HTTP), so a
//! stock configuration exchanges with the portal with no 1C programming. 1C is the client;
//! answers are plain text lines.
//!
//! - Sessions: `checkauth` (HTTP Basic, throttled per client address, `CML_ALLOWED_IPS`) opens a
//!   server-side session (`cml_sessions`) under a random token 1C sends back as the cookie or
//!   `?sessid=`; each request moves its expiry on ([`SESSION_IDLE_SECS`] idle), and a changed
//!   `CML_PASSWORD` ends every session. `init` agrees the CommerceML version ([`VERSIONS`]) and
//!   stores it on the session ([`Session::version`]).
//! - `type=catalog` (`checkauth`, `init`, `file`, `import`, `deactivate`, `complete`): products,
//!   prices and stock, imported in slices ([`import`]); a file up to [`SYNC_IMPORT_BYTES`] within
//!   the `import` request, a larger one in the queue consumer while 1C polls (`progress`). Files
//!   keep their relative folders ([`file_path`]); the classifier's files import before goods.
//! - `type=sale` (`checkauth`, `init`, `info`, `query`, `success`, `file`, `import`): the orders
//!   changed in the portal go to 1C, and 1C's order files (plain, or zipped: [`sale_zip`]) update
//!   status, 1C number, payment and shipments ([`sale`]); `info` lists statuses, payment and delivery methods ([`info`]).

pub mod bench;
pub mod deactivate;
pub mod images;
pub mod import;
pub mod info;
pub mod sale;
pub mod sale_zip;
pub mod thumbs;
pub mod unzip;

use super::sql;
use crate::error::{AppError, AppResult};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{BlobStore, Database, DatabaseExt, Ports, Stmt};
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

pub use import::{run_queued, sweep_stalled, SliceLimits};

pub const COOKIE: &str = "portal_cml";
/// Largest chunk 1C may send in one `file` request.
pub const FILE_LIMIT: usize = 8 * 1024 * 1024;
/// A catalogue file up to this size is imported within the `import` request; a larger one in the
/// queue consumer, 1C polling `import` (`progress`) until it is done.
pub const SYNC_IMPORT_BYTES: i64 = FILE_LIMIT as i64;
/// Order files from 1C are read whole (they are small: a few KB per order).
pub const MAX_ORDER_FILE_BYTES: i64 = 48 * 1024 * 1024;
/// A session (cookie / `sessid`) ends this long after its last request: every request moves its
/// expiry on, so a long catalogue upload never dies while 1C keeps talking.
pub const SESSION_IDLE_SECS: i64 = 3600;
/// The CommerceML versions the portal answers `init` with (`version=`).
pub const VERSIONS: [&str; 4] = ["2.05", "2.08", "2.10", "3.1"];
/// Whether `init` offers `zip=yes` (1C then sends one archive: the catalogue's files
/// ([`unzip`]), or its order file ([`sale_zip`])), for both types as the Bitrix site does.
pub const ZIP_OFFERED: bool = true;

pub(crate) fn text(body: String) -> ApiResponse {
    ApiResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
        body: body.into_bytes().into(),
        log: Default::default(),
    }
}

pub(crate) fn failure(reason: &str) -> ApiResponse {
    text(format!("failure\n{reason}\n"))
}

fn mac(secret: &str, data: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(data.as_bytes());
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A mark of the login a session was opened with: a changed `CML_PASSWORD` (or user) no longer
/// matches it, which ends every older session.
fn password_mark(secret: &str, user: &str, password: &str) -> String {
    mac(secret, &format!("cml-login:{user}:{password}"))
}

/// The version to answer for the one 1C asks at `init`: none asked, none answered (2.05 style,
/// as the Bitrix site without a version); else the highest supported one not above it, as the
/// site answers its own version and 1C adapts. `Err` when every supported one is newer (or the
/// value is not a version).
pub fn negotiate_version(asked: Option<&str>) -> Result<Option<&'static str>, String> {
    let Some(asked) = asked.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    let key = |v: &str| -> Option<(u32, u32)> {
        let (major, minor) = v.split_once('.')?;
        if minor.is_empty() || minor.len() > 2 || !minor.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((major.parse().ok()?, minor.parse().ok()?))
    };
    let wanted =
        key(asked).ok_or_else(|| format!("version {asked} is not a CommerceML version"))?;
    VERSIONS
        .iter()
        .rev()
        .find(|v| key(v).is_some_and(|k| k <= wanted))
        .map(|v| Some(*v))
        .ok_or_else(|| {
            format!(
                "CommerceML {asked} is not supported (supported: {})",
                VERSIONS.join(", ")
            )
        })
}

/// `C:\v8_8789_c.xml` -> `v8_8789_c.xml`; anything else odd is refused. Kept for the order
/// files of `type=sale`, which have no folders.
pub fn base_name(filename: &str) -> Option<String> {
    let name = filename.rsplit(['/', '\\']).next()?.trim();
    safe_segment(name).then(|| name.to_string())
}

fn safe_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Longest stored file path, in bytes.
pub const MAX_PATH: usize = 200;

/// The name a file of the exchange is stored and imported under. A relative path keeps its
/// folders (`goods/1/import___x.xml`, `import_files/ab/x.jpg`: 3.1 exchanges put files in
/// subfolders, and names repeat across them); an absolute one (`C:\1c\import.xml`,
/// `/tmp/import.xml`: 1C's own local path) is reduced to its base name. Refused: `..` or `.`
/// segments, empty segments, other characters than `[A-Za-z0-9._-]`, more than 8 levels or
/// [`MAX_PATH`] bytes.
pub fn file_path(filename: &str) -> Option<String> {
    let f = filename.trim().replace('\\', "/");
    let b = f.as_bytes();
    let absolute =
        f.starts_with('/') || (b.len() > 1 && b[1] == b':' && b[0].is_ascii_alphabetic());
    if absolute {
        return base_name(&f);
    }
    let segments: Vec<&str> = f.split('/').collect();
    let ok = f.len() <= MAX_PATH && segments.len() <= 8 && segments.iter().all(|s| safe_segment(s));
    ok.then_some(f)
}

/// The last segment of a stored path.
pub(crate) fn leaf(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn basic_auth_ok(req: &ApiRequest, user: &str, password: &str) -> bool {
    let Some(b64) = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    let expected = format!("{user}:{password}");
    !user.is_empty() && crate::auth::password::constant_time_eq(&decoded, expected.as_bytes())
}

/// A signed-in exchange session.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    /// Names the session's files (`cml_files.session`, R2 keys); not the token 1C holds.
    pub id: String,
    /// The CommerceML version agreed at `init` (`None`: 2.05 style, none asked).
    pub version: Option<String>,
    /// When `checkauth` opened it.
    #[serde(rename = "started_at", deserialize_with = "db_time")]
    pub started: DateTime<Utc>,
}

fn db_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let s = String::deserialize(d)?;
    crate::time::from_db(&s).ok_or_else(|| serde::de::Error::custom(format!("bad time {s}")))
}

fn token_of(req: &ApiRequest) -> Option<String> {
    req.cookie(COOKIE)
        .or_else(|| req.query_param("sessid").map(str::to_string))
        .filter(|t| !t.is_empty())
}

fn status(mut r: ApiResponse, status: u16) -> ApiResponse {
    r.status = status;
    r
}

/// The session of a request signed in with `checkauth` (its expiry moved on), or the answer
/// refusing it: no token, an unknown, expired or revoked one, or one from before the password
/// changed.
pub(crate) async fn session<P: Ports>(
    p: &P,
    req: &ApiRequest,
) -> AppResult<Result<Session, ApiResponse>> {
    let cfg = p.config();
    let (Some(user), Some(password)) = (cfg.cml_user.as_deref(), cfg.cml_password.as_deref())
    else {
        return Ok(Err(failure("exchange is not configured")));
    };
    let refused = || {
        Ok(Err(status(
            failure("not signed in: call checkauth first"),
            401,
        )))
    };
    let Some(token) = token_of(req) else {
        return refused();
    };
    let now = p.now();
    let row: Option<Session> = p
        .db()
        .first(
            Stmt::new(sql::CML_SESSION_TOUCH)
                .bind(now + chrono::Duration::seconds(SESSION_IDLE_SECS))
                .bind(crate::auth::sha256_hex(&token))
                .bind(password_mark(&cfg.onec_hmac_secret, user, password))
                .bind(now),
        )
        .await?;
    match row {
        Some(s) => Ok(Ok(s)),
        None => refused(),
    }
}

/// `checkauth`: HTTP Basic, throttled per client address (failed attempts only count: a right
/// login gives its attempt back); opens a new session with a random token.
async fn checkauth<P: Ports>(
    p: &P,
    req: &ApiRequest,
    user: &str,
    password: &str,
) -> AppResult<ApiResponse> {
    let cfg = p.config();
    let keys = crate::auth::throttle::Keys::cml_login(cfg, req.client_ip.as_deref());
    if let Err(e) = crate::auth::throttle::admit(p, &keys).await {
        if e.kind != crate::error::ErrorKind::TooManyRequests {
            return Err(e);
        }
        let mut r = status(failure(&e.en), 429);
        if let Some(secs) = e.extra.get("retry_after_seconds") {
            r.headers.push(("retry-after".into(), secs.to_string()));
        }
        return Ok(r);
    }
    if !basic_auth_ok(req, user, password) {
        let mut r = status(failure("wrong login or password"), 401);
        r.headers.push((
            "www-authenticate".into(),
            "Basic realm=\"1C exchange\"".into(),
        ));
        return Ok(r);
    }
    let token = crate::ids::new_secret_token();
    let now = p.now();
    let mut stmts = vec![
        Stmt::new(sql::CML_SESSIONS_PURGE).bind(now),
        Stmt::new(sql::CML_SESSION_START)
            .bind(crate::ids::new_id("cmls"))
            .bind(crate::auth::sha256_hex(&token))
            .bind(password_mark(&cfg.onec_hmac_secret, user, password))
            .bind(req.client_ip.clone())
            .bind(now)
            .bind(now + chrono::Duration::seconds(SESSION_IDLE_SECS)),
    ];
    stmts.extend(crate::auth::throttle::succeeded(&keys));
    p.db().batch(stmts).await?;
    // `timestamp` as the Bitrix site sends it: 1C hands it back with `mode=deactivate`.
    Ok(text(format!(
        "success\n{COOKIE}\n{token}\nsessid={token}\ntimestamp={}\n",
        now.timestamp()
    )))
}

/// `init`: the version 1C asks for (`version=`), stored on the session; without one the answer
/// is the 2.05-style site's (`zip`, `file_limit` only).
async fn init<P: Ports>(
    p: &P,
    req: &ApiRequest,
    session: &Session,
) -> AppResult<ApiResponse> {
    let version = match negotiate_version(req.query_param("version")) {
        Ok(v) => v,
        Err(reason) => return Ok(failure(&reason)),
    };
    p.db()
        .exec(
            Stmt::new(sql::CML_SESSION_VERSION)
                .bind(version)
                .bind(session.id.as_str()),
        )
        .await?;
    let zip = if ZIP_OFFERED { "yes" } else { "no" };
    let mut out = format!("zip={zip}\nfile_limit={FILE_LIMIT}\n");
    if let Some(v) = version {
        out.push_str(&format!(
            "sessid={}\nversion={v}\n",
            token_of(req).unwrap_or_default()
        ));
    }
    Ok(text(out))
}

fn address_allowed(cfg: &crate::config::Config, ip: Option<&str>) -> bool {
    cfg.cml_allowed_ips.is_empty()
        || ip.is_some_and(|ip| cfg.cml_allowed_ips.iter().any(|a| a == ip))
}

pub async fn handle<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let cfg = p.config();
    let (Some(user), Some(password)) = (cfg.cml_user.as_deref(), cfg.cml_password.as_deref())
    else {
        return Ok(failure("exchange is not configured"));
    };
    if !address_allowed(cfg, req.client_ip.as_deref()) {
        return Ok(status(
            failure("this address may not use the exchange"),
            403,
        ));
    }
    let kind = req.query_param("type").unwrap_or("");
    let mode = req.query_param("mode").unwrap_or("");
    if mode == "checkauth" {
        return checkauth(p, req, user, password).await;
    }
    let session = match session(p, req).await? {
        Ok(s) => s,
        Err(refusal) => return Ok(refusal),
    };
    match (kind, mode) {
        ("catalog" | "sale", "init") => init(p, req, &session).await,
        ("catalog", "file") => file(p, req, &session.id)
            .await
            .map(|_| text("success\n".into()))
            .or_else(answer_failure),
        ("catalog", "import") => import::answer(p, req, &session.id).await,
        ("catalog", "deactivate") => deactivate::untouched(p, req, &session).await,
        ("catalog", "complete") => deactivate::complete(p, &session).await,
        ("sale", "info") => Ok(info::answer(cfg.cml_orders_encoding)),
        ("sale", "query") => {
            let version = crate::commerceml::Version::negotiate(session.version.as_deref());
            sale::query(p, &session.id, version).await
        }
        ("sale", "success") => sale::success(p, &session.id).await,
        ("sale", "file") => sale::file(p, req, &session.id).await,
        ("sale", "import") => sale::import(p, req, &session.id).await,
        ("catalog" | "sale", _) => Ok(failure("unknown mode")),
        _ => Ok(failure("type must be catalog or sale")),
    }
}

/// A refusal 1C should read (a bad file name, a chunk too large) as `failure`; anything else
/// stays an error (5xx: 1C retries).
fn answer_failure(e: AppError) -> AppResult<ApiResponse> {
    if e.kind == crate::error::ErrorKind::BadRequest {
        return Ok(failure(&e.en));
    }
    Err(e)
}

fn refuse(reason: &'static str) -> AppError {
    AppError::bad_request("cml-refused", reason, reason)
}

#[derive(Debug, Deserialize)]
pub(crate) struct FileRow {
    pub chunks: i64,
    pub bytes: i64,
    pub status: String,
    pub result: Option<String>,
    pub chunk_sizes: String,
}

impl FileRow {
    /// Sizes of the chunks, in order.
    pub fn sizes(&self) -> AppResult<Vec<u64>> {
        serde_json::from_str(&self.chunk_sizes)
            .map_err(|e| AppError::internal(format!("cml_files.chunk_sizes: {e}")))
    }
}

pub(crate) fn chunk_key(session: &str, name: &str, n: usize) -> String {
    format!("cml/{session}/{name}/{n:06}")
}

/// Stores one chunk of a file as its own object (R2 cannot append). Returns the file's name
/// (or `None` for files the portal ignores) and whether this chunk started the file.
pub(crate) async fn file<P: Ports>(
    p: &P,
    req: &ApiRequest,
    session: &str,
) -> AppResult<Option<String>> {
    let Some(name) = req.query_param("filename").and_then(file_path) else {
        return Err(refuse("bad filename"));
    };
    if req.body.len() > FILE_LIMIT {
        return Err(refuse("chunk larger than file_limit"));
    }
    // Pictures (`import_files/...`) are kept for the import's thumbnails (`images`), archives
    // (`zip=yes`) for unpacking; other non-XML files of an exchange are not used by the portal.
    let image = thumbs::is_image(&name);
    let lower = name.to_ascii_lowercase();
    if !image && !lower.ends_with(".xml") && !lower.ends_with(".zip") {
        return Ok(None);
    }
    let row: Option<FileRow> = p
        .db()
        .first(Stmt::new(sql::CML_FILE).bind(session).bind(&name))
        .await?;
    // The next chunk's number; a file sent again after its import starts over.
    let chunk = row
        .as_ref()
        .filter(|r| r.status == "uploading")
        .map(|r| r.chunks)
        .unwrap_or(0);
    p.blobs()
        .put(
            &chunk_key(session, &name, chunk as usize),
            req.body.clone(),
            if image {
                "application/octet-stream"
            } else {
                "application/xml"
            },
        )
        .await?;
    let mut stmts = vec![Stmt::new(sql::CML_FILE_CHUNK)
        .bind(session)
        .bind(&name)
        .bind(req.body.len() as i64)
        .bind(p.now())];
    if chunk == 0 {
        // A new upload of the name: an import of its earlier content is over.
        stmts.push(Stmt::new(sql::CML_IMPORT_FORGET).bind(session).bind(&name));
    }
    p.db().batch(stmts).await?;
    Ok(Some(name))
}

/// `len` bytes of the stored file from `offset` (fewer at its end), read across its chunk
/// objects with ranged reads.
pub(crate) async fn read_range<P: Ports>(
    p: &P,
    session: &str,
    name: &str,
    sizes: &[u64],
    offset: u64,
    len: u64,
) -> AppResult<Vec<u8>> {
    let mut out = Vec::with_capacity(len.min(64 << 20) as usize);
    let end = offset + len;
    let mut chunk_start = 0u64;
    for (i, &size) in sizes.iter().enumerate() {
        let chunk_end = chunk_start + size;
        if chunk_end > offset && chunk_start < end {
            let from = offset.saturating_sub(chunk_start);
            let to = (end - chunk_start).min(size);
            let key = chunk_key(session, name, i);
            let bytes = p
                .blobs()
                .get_range(&key, from, to - from)
                .await?
                .ok_or_else(|| AppError::internal(format!("missing chunk {key}")))?;
            if bytes.len() as u64 != to - from {
                return Err(AppError::internal(format!(
                    "chunk {key}: {} bytes read, {} expected",
                    bytes.len(),
                    to - from
                )));
            }
            out.extend_from_slice(&bytes);
        }
        if chunk_end >= end {
            break;
        }
        chunk_start = chunk_end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names() {
        assert_eq!(
            base_name(r"C:\v8_8789_c.xml").as_deref(),
            Some("v8_8789_c.xml")
        );
        assert_eq!(base_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(base_name("..").as_deref(), None);
        assert_eq!(base_name("a b.xml"), None);
    }

    #[test]
    fn file_paths_keep_relative_folders_and_refuse_escapes() {
        let ok = |f: &str| file_path(f);
        assert_eq!(
            ok("goods/1/import___a-b.xml").as_deref(),
            Some("goods/1/import___a-b.xml")
        );
        assert_eq!(
            ok(r"import_files\ab\x.jpg").as_deref(),
            Some("import_files/ab/x.jpg")
        );
        assert_eq!(
            ok("webdata/import0_1.xml").as_deref(),
            Some("webdata/import0_1.xml")
        );
        // 1C's own absolute paths: the base name, as before.
        assert_eq!(
            ok(r"C:\exchange\import0_1.xml").as_deref(),
            Some("import0_1.xml")
        );
        assert_eq!(ok("/tmp/1c/offers.xml").as_deref(), Some("offers.xml"));
        for bad in [
            "../x.xml",
            "goods/../../x.xml",
            "goods/./x.xml",
            "goods//x.xml",
            "goods/",
            ".hidden/x.xml",
            "a b/x.xml",
            "товары/x.xml",
            "",
        ] {
            assert_eq!(ok(bad), None, "{bad}");
        }
        let deep = "a/".repeat(8) + "x.xml";
        assert_eq!(ok(&deep), None, "too many levels");
        let long = format!("{}/x.xml", "a".repeat(MAX_PATH));
        assert_eq!(ok(&long), None, "too long");
        assert_eq!(leaf("goods/1/import.xml"), "import.xml");
    }

    #[test]
    fn versions_answer_what_1c_asks_or_the_nearest_older() {
        let v = |a: Option<&str>| negotiate_version(a);
        assert_eq!(v(None), Ok(None));
        assert_eq!(v(Some("")), Ok(None));
        for asked in VERSIONS {
            assert_eq!(v(Some(asked)), Ok(Some(asked)));
        }
        assert_eq!(v(Some("2.09")), Ok(Some("2.08")));
        assert_eq!(v(Some("2.07")), Ok(Some("2.05")));
        assert_eq!(v(Some("3.0")), Ok(Some("2.10")));
        assert_eq!(v(Some("3.2")), Ok(Some("3.1")));
        assert!(v(Some("2.04")).is_err());
        assert!(v(Some("1.0")).is_err());
        assert!(v(Some("abc")).is_err());
        assert!(v(Some("2.100")).is_err());
    }

    #[test]
    fn a_changed_password_changes_the_mark() {
        assert_eq!(password_mark("s", "1c", "a"), password_mark("s", "1c", "a"));
        assert_ne!(password_mark("s", "1c", "a"), password_mark("s", "1c", "b"));
        assert_ne!(password_mark("s", "1c", "a"), password_mark("s", "1d", "a"));
    }
}
