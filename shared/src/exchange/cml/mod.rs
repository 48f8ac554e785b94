//! The site side of 1C's stock "exchange with a website" protocol (CommerceML over HTTP), so a
//! stock configuration exchanges with the portal with no 1C programming. 1C is the client;
//! answers are plain text lines.
//!
//! - `type=catalog` (`checkauth`, `init`, `file`, `import`, `deactivate`, `complete`): products,
//!   prices and stock, imported in slices ([`import`]); a file up to [`SYNC_IMPORT_BYTES`] within
//!   the `import` request, a larger one in the queue consumer while 1C polls (`progress`).
//! - `type=sale` (`checkauth`, `init`, `query`, `success`, `file`, `import`): the orders changed
//!   in the portal go to 1C, and 1C's order files update status, 1C number, payment and shipments
//!   ([`sale`]).

pub mod bench;
pub mod deactivate;
pub mod images;
pub mod import;
pub mod sale;
pub mod thumbs;

use super::sql;
use crate::error::{AppError, AppResult};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{BlobStore, Database, DatabaseExt, Ports, Stmt};
use base64::Engine;
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
/// A session (cookie / `sessid`) lasts this long.
const SESSION_SECS: i64 = 3600;

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

/// A session token: its expiry and a MAC over it, so no session table is needed.
fn new_token(secret: &str, now_unix: i64) -> String {
    let exp = now_unix + SESSION_SECS;
    format!("{exp}.{}", mac(secret, &format!("cml:{exp}")))
}

/// The session id (for file names) of a valid, unexpired token.
fn check_token(secret: &str, token: &str, now_unix: i64) -> Option<String> {
    let (exp, sig) = token.split_once('.')?;
    let exp: i64 = exp.parse().ok()?;
    let expected = mac(secret, &format!("cml:{exp}"));
    (exp > now_unix && crate::auth::password::constant_time_eq(sig.as_bytes(), expected.as_bytes()))
        .then(|| expected[..16].to_string())
}

/// `C:\v8_8789_c.xml` or `webdata/import0_1.xml` -> `v8_8789_c.xml`; anything else odd is refused.
pub fn base_name(filename: &str) -> Option<String> {
    let name = filename.rsplit(['/', '\\']).next()?.trim();
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    ok.then(|| name.to_string())
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

/// When the session of the request's token began (its `checkauth`, to the second).
pub(crate) fn session_started(req: &ApiRequest) -> Option<chrono::DateTime<chrono::Utc>> {
    let token = req
        .cookie(COOKIE)
        .or_else(|| req.query_param("sessid").map(str::to_string))?;
    let exp: i64 = token.split_once('.')?.0.parse().ok()?;
    chrono::DateTime::from_timestamp(exp - SESSION_SECS, 0)
}

/// The session of a request signed in with `checkauth`, or the answer refusing it.
pub(crate) fn session<P: Ports>(p: &P, req: &ApiRequest) -> Result<String, ApiResponse> {
    let cfg = p.config();
    if cfg.cml_user.is_none() || cfg.cml_password.is_none() {
        return Err(failure("exchange is not configured"));
    }
    let token = req
        .cookie(COOKIE)
        .or_else(|| req.query_param("sessid").map(str::to_string))
        .unwrap_or_default();
    check_token(&cfg.onec_hmac_secret, &token, p.now().timestamp()).ok_or_else(|| {
        let mut r = failure("not signed in: call checkauth first");
        r.status = 401;
        r
    })
}

pub async fn handle<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let cfg = p.config();
    let (Some(user), Some(password)) = (cfg.cml_user.as_deref(), cfg.cml_password.as_deref())
    else {
        return Ok(failure("exchange is not configured"));
    };
    let kind = req.query_param("type").unwrap_or("");
    let mode = req.query_param("mode").unwrap_or("");
    if mode == "checkauth" {
        if !basic_auth_ok(req, user, password) {
            let mut r = failure("wrong login or password");
            r.status = 401;
            r.headers.push((
                "www-authenticate".into(),
                "Basic realm=\"1C exchange\"".into(),
            ));
            return Ok(r);
        }
        let token = new_token(&cfg.onec_hmac_secret, p.now().timestamp());
        // `timestamp` as the Bitrix site sends it: 1C hands it back with `mode=deactivate`.
        return Ok(text(format!(
            "success\n{COOKIE}\n{token}\nsessid={token}\ntimestamp={}\n",
            p.now().timestamp()
        )));
    }
    let session = match session(p, req) {
        Ok(s) => s,
        Err(refusal) => return Ok(refusal),
    };
    match (kind, mode) {
        ("catalog" | "sale", "init") => {
            let token = req
                .cookie(COOKIE)
                .or_else(|| req.query_param("sessid").map(str::to_string))
                .unwrap_or_default();
            Ok(text(format!(
                "zip=no\nfile_limit={FILE_LIMIT}\nsessid={token}\nversion=2.08\n"
            )))
        }
        ("catalog", "file") => file(p, req, &session)
            .await
            .map(|_| text("success\n".into()))
            .or_else(answer_failure),
        ("catalog", "import") => import::answer(p, req, &session).await,
        ("catalog", "deactivate") => deactivate::untouched(p, req, &session).await,
        ("catalog", "complete") => deactivate::complete(p, req, &session).await,
        ("sale", "query") => sale::query(p, &session, crate::commerceml::Version::V2_10).await,
        ("sale", "success") => sale::success(p, &session).await,
        ("sale", "file") => sale::file(p, req, &session).await,
        ("sale", "import") => sale::import(p, req, &session).await,
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
    let Some(name) = req.query_param("filename").and_then(base_name) else {
        return Err(refuse("bad filename"));
    };
    if req.body.len() > FILE_LIMIT {
        return Err(refuse("chunk larger than file_limit"));
    }
    // Pictures (`import_files/...`) are kept for the import's thumbnails (`images`); other
    // non-XML files of an exchange are not used by the portal.
    let image = thumbs::is_image(&name);
    if !image && !name.to_ascii_lowercase().ends_with(".xml") {
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
        assert_eq!(
            base_name("webdata/import0_1.xml").as_deref(),
            Some("import0_1.xml")
        );
        assert_eq!(base_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(base_name("..").as_deref(), None);
        assert_eq!(base_name("a b.xml"), None);
    }

    #[test]
    fn tokens_expire_and_cannot_be_forged() {
        let t = new_token("s", 1000);
        assert!(check_token("s", &t, 1001).is_some());
        assert!(check_token("s", &t, 1000 + SESSION_SECS).is_none());
        assert!(check_token("other", &t, 1001).is_none());
        assert!(check_token("s", "99999999999.abc", 1001).is_none());
    }
}
