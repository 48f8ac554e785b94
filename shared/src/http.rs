//! A platform-neutral HTTP surface: the Workers turn their requests into [`ApiRequest`] and
//! send back the [`ApiResponse`]; routing, access control, CSRF, problems and the security
//! headers all happen here, once, for every capability.

use crate::auth::roles::Role;
use crate::error::{AppError, AppResult, Lang};
use serde::Serialize;

/// Largest JSON body any route accepts. 1C batches are bounded separately by the exchange.
pub const MAX_JSON_BODY: usize = 1024 * 1024;

/// Body limits (bytes) per route: each capability's `body_limit` names its routes' limits, and
/// the adapter refuses a larger `Content-Length` before reading a byte, and stops a streamed body
/// at the limit, with 413, before buffering it and before any authentication work.
/// Sign-in and the other account forms, and routes that take no body: a few KB.
pub const SMALL_BODY: usize = 8 * 1024;
/// An ordinary JSON form.
pub const JSON_BODY: usize = 64 * 1024;

/// 413 for a body over its route's limit.
pub fn payload_too_large(limit: usize) -> AppError {
    AppError::new(
        crate::error::ErrorKind::PayloadTooLarge,
        "payload-too-large",
        "Слишком большой запрос.",
        "Request body too large.",
    )
    .with_extra("limit_bytes", limit as u64)
}

/// The body limit of the route a request goes to, by its handler; `None` when no route takes the
/// request (a 404 or 405 follows, and the body is never read).
pub fn body_limit<H: Copy>(
    routes: &[Route<H>],
    req: &ApiRequest,
    limit: impl Fn(H) -> usize,
) -> Option<usize> {
    match_route(routes, req).ok().map(|(r, _)| limit(r.handler))
}

#[derive(Debug, Clone, Default)]
pub struct ApiRequest {
    pub method: String,
    /// Path without the query string.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// The path with its query exactly as on the request line (percent-encoded as sent, no `?`
    /// when there is no query): what a 1C signature (v2) covers. Empty in requests built without
    /// it (tests): [`ApiRequest::path_and_query`] then rebuilds it from `path` and `query`.
    pub target: String,
    /// Header names in lowercase.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// `scheme://host[:port]` of the URL the request was sent to.
    pub origin: String,
    /// The client's address as the edge reports it (`CF-Connecting-IP`).
    pub client_ip: Option<String>,
}

impl ApiRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let raw = self.header("cookie")?;
        raw.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    }

    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path and query as sent ([`ApiRequest::target`]).
    pub fn path_and_query(&self) -> String {
        if !self.target.is_empty() {
            return self.target.clone();
        }
        if self.query.is_empty() {
            return self.path.clone();
        }
        let q: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{}?{}", self.path, q.join("&"))
    }

    pub fn lang(&self) -> Lang {
        Lang::from_accept_language(self.header("accept-language"))
    }

    pub fn is_state_changing(&self) -> bool {
        !matches!(self.method.as_str(), "GET" | "HEAD" | "OPTIONS")
    }

    /// Decodes a JSON body: 415 for another content type, 413 when too large, 400 when malformed,
    /// 422 naming each unknown field and each string over its limit ([`crate::body`]).
    pub fn json<T: crate::body::Body>(&self) -> AppResult<T> {
        let ct = self.header("content-type").unwrap_or("");
        if !ct.to_ascii_lowercase().starts_with("application/json") {
            return Err(AppError::new(
                crate::error::ErrorKind::UnsupportedMediaType,
                "unsupported-media-type",
                "Ожидается тело в формате application/json.",
                "Expected an application/json body.",
            ));
        }
        if self.body.len() > MAX_JSON_BODY {
            return Err(payload_too_large(MAX_JSON_BODY));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&self.body).map_err(AppError::malformed_json)?;
        let errors = crate::body::check(&value, T::FIELDS, T::TOLERANT);
        if !errors.is_empty() {
            return Err(AppError::validation(errors));
        }
        serde_json::from_value(value).map_err(AppError::malformed_json)
    }
}

/// What is logged for a request: never tokens, passwords or bodies.
#[derive(Debug, Clone, Default)]
pub struct LogContext {
    pub route: Option<&'static str>,
    pub company_id: Option<String>,
    pub user_id: Option<String>,
    pub error: Option<String>,
}

/// A response body: bytes built by the handler, or a stream the platform sends as it is read (a
/// file from the blob store, the order's ZIP) with its length known before the first byte.
pub enum Body {
    Bytes(Vec<u8>),
    Stream(BodyStream),
}

/// A streamed body: exactly `len` bytes (sent as `Content-Length`; a stream that yields more
/// or fewer fails the response rather than sending a wrong body).
pub struct BodyStream {
    pub len: u64,
    pub chunks: crate::ports::Chunks,
    /// The platform's own stream of the same bytes (a stored file served as it is): the platform
    /// sends it without reading `chunks` ([`crate::ports::NativeStream`]).
    pub native: Option<crate::ports::NativeStream>,
}

impl BodyStream {
    /// A stored object served as it is.
    pub fn of_blob(blob: crate::ports::BlobStream) -> BodyStream {
        BodyStream {
            len: blob.size,
            chunks: blob.chunks,
            native: blob.native,
        }
    }
}

impl Body {
    /// The length sent: the bytes', or the stream's declared length.
    pub fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::Stream(s) => s.len,
        }
    }

    pub fn is_stream(&self) -> bool {
        matches!(self, Body::Stream(_))
    }

    /// Reads the whole body (tests, and hosts that cannot stream).
    pub async fn collect(self) -> AppResult<Vec<u8>> {
        use futures::TryStreamExt;
        match self {
            Body::Bytes(b) => Ok(b),
            Body::Stream(s) => {
                let mut out = Vec::with_capacity(s.len.min(64 << 20) as usize);
                let mut chunks = s.chunks;
                while let Some(c) = chunks.try_next().await? {
                    out.extend_from_slice(&c);
                }
                Ok(out)
            }
        }
    }
}

impl Default for Body {
    fn default() -> Body {
        Body::Bytes(Vec::new())
    }
}

impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Body {
        Body::Bytes(b)
    }
}

/// The bytes of a built body; a streamed one reads as empty here (only the platform consumes
/// it, or [`Body::collect`]): handlers and tests read JSON answers, which are never streamed.
impl std::ops::Deref for Body {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Body::Bytes(b) => b,
            Body::Stream(_) => &[],
        }
    }
}

/// Built bodies compare by their bytes; a stream equals nothing (it is read once, when sent).
impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        match (self, other) {
            (Body::Bytes(a), Body::Bytes(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq<Vec<u8>> for Body {
    fn eq(&self, other: &Vec<u8>) -> bool {
        matches!(self, Body::Bytes(b) if b == other)
    }
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::Stream(s) => write!(f, "Stream({} bytes)", s.len),
        }
    }
}

#[derive(Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub log: LogContext,
}

impl ApiResponse {
    pub fn json<T: Serialize>(status: u16, value: &T) -> ApiResponse {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        ApiResponse {
            status,
            headers: vec![(
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: Body::Bytes(body),
            log: LogContext::default(),
        }
    }

    /// A GET the page polls: tagged with a hash of what it answers (the order's version, its
    /// change's state, everything shown), and `304` with no body when the caller already has it
    /// (`If-None-Match`), so a page that looks every few seconds costs little.
    pub fn conditional(mut self, req: &ApiRequest) -> ApiResponse {
        use sha2::{Digest, Sha256};
        if self.status != 200 || self.body.is_stream() {
            return self;
        }
        let hash = Sha256::digest(&self.body);
        let etag = format!(
            "\"{}\"",
            hash[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let seen = req.header("if-none-match").is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
        });
        if seen {
            self.status = 304;
            self.body = Body::default();
            self.headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        }
        self.headers.push(("etag".into(), etag));
        self
    }

    pub fn no_content() -> ApiResponse {
        ApiResponse {
            status: 204,
            headers: Vec::new(),
            body: Body::default(),
            log: LogContext::default(),
        }
    }

    pub fn problem(err: &AppError, lang: Lang) -> ApiResponse {
        let body = serde_json::to_vec(&err.to_problem(lang)).unwrap_or_default();
        let mut headers = vec![(
            "content-type".to_string(),
            "application/problem+json; charset=utf-8".to_string(),
        )];
        if let Some(secs) = err
            .extra
            .get("retry_after_seconds")
            .and_then(|v| v.as_i64())
        {
            headers.push(("retry-after".into(), secs.to_string()));
        }
        ApiResponse {
            status: err.status(),
            headers,
            body: Body::Bytes(body),
            log: LogContext {
                error: Some(err.to_string()),
                ..Default::default()
            },
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> ApiResponse {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The headers every response carries (API and pages alike; `static/_headers` repeats them for
/// the files served without a Worker).
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    ("strict-transport-security", "max-age=31536000; includeSubDomains"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
    ("cross-origin-opener-policy", "same-origin"),
];

pub fn add_security_headers(resp: &mut ApiResponse) {
    for (k, v) in SECURITY_HEADERS {
        if resp.header(k).is_none() {
            resp.headers.push((k.to_string(), v.to_string()));
        }
    }
    if resp.header("cache-control").is_none() {
        resp.headers
            .push(("cache-control".into(), "no-store".into()));
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (sign-in, password reset). State-changing ones still pass the CSRF check.
    Public,
    /// A signed-in user holding any of these roles; an empty list means any signed-in user.
    Roles(&'static [Role]),
    /// 1C: HMAC-signed, checked by the handler over the raw body; no cookie, no Origin.
    Onec,
    /// The exchange monitor: the integration staff's own bearer credential, not client roles.
    Monitor,
    /// 1C's stock CommerceML exchange: HTTP Basic at `checkauth`, then its session cookie.
    CommerceMl,
    /// Anyone, server to server (the card acquirer's notifications): no session and no browser
    /// Origin to check. The handler trusts nothing in the body: it re-reads what the body names
    /// from the acquirer's API.
    Notification,
}

pub struct Route<H> {
    pub method: &'static str,
    /// OpenAPI-style template: `/api/company/employees/{id}`.
    pub path: &'static str,
    pub access: Access,
    pub handler: H,
}

/// Path parameters of a matched route.
#[derive(Debug, Default, Clone)]
pub struct Params(pub Vec<(&'static str, String)>);

impl Params {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

fn match_template(template: &'static str, path: &str) -> Option<Params> {
    let mut params = Vec::new();
    let mut t = template.trim_end_matches('/').split('/');
    let mut p = path.trim_end_matches('/').split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(Params(params)),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    if ps.is_empty() || ps.len() > 200 {
                        return None;
                    }
                    params.push((name, ps.to_string()));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// Finds the route: 404 when no template matches the path, 405 when only the method differs.
pub fn match_route<'r, H>(
    routes: &'r [Route<H>],
    req: &ApiRequest,
) -> AppResult<(&'r Route<H>, Params)> {
    let mut path_matched = false;
    for r in routes {
        if let Some(params) = match_template(r.path, &req.path) {
            if r.method == req.method || (req.method == "HEAD" && r.method == "GET") {
                return Ok((r, params));
            }
            path_matched = true;
        }
    }
    Err(if path_matched {
        AppError::method_not_allowed()
    } else {
        AppError::not_found()
    })
}

/// Refuses a cross-site state-changing request: the browser's `Origin` must be the portal's.
/// (The session cookie is also `SameSite=Strict`; this is the second, independent defence.)
pub fn check_origin(req: &ApiRequest, public_url: &str) -> AppResult<()> {
    if !req.is_state_changing() {
        return Ok(());
    }
    match req.header("origin") {
        Some(o) if o == public_url || o == req.origin => Ok(()),
        _ => Err(AppError::new(
            crate::error::ErrorKind::Forbidden,
            "csrf-origin-mismatch",
            "Запрос отклонён: он пришёл не со страницы портала.",
            "Request refused: it did not come from a portal page.",
        )),
    }
}

/// Turns a handler's result into the response sent: problems rendered in the caller's language,
/// security headers on every response.
pub fn finish(req: &ApiRequest, result: AppResult<ApiResponse>, log: LogContext) -> ApiResponse {
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => ApiResponse::problem(&e, req.lang()),
    };
    let error = resp.log.error.take();
    resp.log = LogContext { error, ..log };
    add_security_headers(&mut resp);
    resp
}

/// A keyset cursor as clients see it: the last row's sort key and id, sealed to the caller's
/// company (`crate::cursor`), so it is opaque and useless to any other company.
pub fn encode_cursor(
    seal: &crate::cursor::CursorSeal,
    key: impl std::fmt::Display,
    id: impl std::fmt::Display,
) -> String {
    seal.seal(&format!("{key}|{id}"))
}

fn invalid_cursor() -> AppError {
    AppError::bad_request("invalid-cursor", "Неверный курсор.", "Invalid cursor.")
}

/// The `cursor` query parameter as (sort key, id); none given is `None`; anything unreadable,
/// altered or sealed for another company a 400 `invalid-cursor`.
pub fn cursor(
    req: &ApiRequest,
    seal: &crate::cursor::CursorSeal,
) -> AppResult<Option<(String, String)>> {
    let Some(c) = req.query_param("cursor") else {
        return Ok(None);
    };
    seal.open(c)
        .and_then(|r| {
            r.split_once('|')
                .map(|(k, id)| (k.to_string(), id.to_string()))
        })
        .map(Some)
        .ok_or_else(invalid_cursor)
}

/// [`cursor`] whose id part is a number (a row sequence).
pub fn cursor_seq(
    req: &ApiRequest,
    seal: &crate::cursor::CursorSeal,
) -> AppResult<Option<(String, i64)>> {
    match cursor(req, seal)? {
        None => Ok(None),
        Some((k, n)) => n
            .parse()
            .map(|n| Some((k, n)))
            .map_err(|_| invalid_cursor()),
    }
}

/// Cursor-paginated lists share this limit rule: default 50, at most 200.
pub fn page_limit(req: &ApiRequest) -> AppResult<i64> {
    match req.query_param("limit") {
        None => Ok(50),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=200).contains(&n) => Ok(n),
            _ => Err(AppError::bad_request(
                "invalid-limit",
                "Параметр limit должен быть от 1 до 200.",
                "limit must be between 1 and 200.",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, path: &str) -> ApiRequest {
        ApiRequest {
            method: method.into(),
            path: path.into(),
            origin: "http://127.0.0.1:8787".into(),
            ..Default::default()
        }
    }

    #[test]
    fn routes_match_templates_and_methods() {
        let routes = [
            Route {
                method: "GET",
                path: "/api/x/items/{id}",
                access: Access::Public,
                handler: 1,
            },
            Route {
                method: "POST",
                path: "/api/x/items",
                access: Access::Public,
                handler: 2,
            },
        ];
        let (r, p) = match_route(&routes, &req("GET", "/api/x/items/abc")).unwrap();
        assert_eq!(r.handler, 1);
        assert_eq!(p.get("id"), "abc");
        assert_eq!(
            match_route(&routes, &req("DELETE", "/api/x/items/abc"))
                .err()
                .unwrap()
                .status(),
            405
        );
        assert_eq!(
            match_route(&routes, &req("GET", "/api/x/items/abc/more"))
                .err()
                .unwrap()
                .status(),
            404
        );
        assert_eq!(
            match_route(&routes, &req("GET", "/api/x/items/"))
                .err()
                .unwrap()
                .status(),
            405
        );
    }

    #[test]
    fn origin_check_only_for_state_changes() {
        let mut r = req("POST", "/api/x");
        assert!(check_origin(&r, "https://portal.example").is_err());
        r.headers
            .push(("origin".into(), "https://evil.example".into()));
        assert_eq!(
            check_origin(&r, "https://portal.example").unwrap_err().code,
            "csrf-origin-mismatch"
        );
        r.headers[0].1 = "http://127.0.0.1:8787".into();
        assert!(check_origin(&r, "https://portal.example").is_ok());
        assert!(check_origin(&req("GET", "/api/x"), "https://portal.example").is_ok());
    }

    #[test]
    fn every_response_gets_security_headers() {
        let r = req("GET", "/x");
        let resp = finish(&r, Err(AppError::not_found()), LogContext::default());
        assert_eq!(resp.status, 404);
        for (k, _) in SECURITY_HEADERS {
            assert!(resp.header(k).is_some(), "{k}");
        }
        assert_eq!(
            resp.header("content-type"),
            Some("application/problem+json; charset=utf-8")
        );
    }

    #[test]
    fn cookies_parse() {
        let mut r = req("GET", "/");
        r.headers
            .push(("cookie".into(), "a=1; __Host-portal_at=tok.en; b=2".into()));
        assert_eq!(r.cookie("__Host-portal_at").as_deref(), Some("tok.en"));
        assert_eq!(r.cookie("c"), None);
    }
}
