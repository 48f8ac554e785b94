//! The runtime's request as the domain's request: its head, then its body up to the route's limit.

use crate::js::{js_call, js_error};
use shared::http::ApiRequest;
use shared::{AppError, AppResult};
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys;

/// The Worker request as the domain's request, without its body ([`read_body`] reads that once
/// the route's limit is known). Reads the runtime's request object directly: `worker::Request`
/// would also read `request.cf`, which the runtime parses anew on every read. The URL is split
/// by `shared::request_url`, not parsed with `worker::Url` (the `url` crate's IDNA tables cost
/// each Worker ~25 KB gzip; the runtime's URL is already normalised).
pub fn request_head(req: &web_sys::Request) -> worker::Result<ApiRequest> {
    let href = req.url();
    let url = shared::request_url::split(&href);
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
        target: path_and_query(&href),
        path: url.path,
        query: url.query,
        headers,
        body: Vec::new(),
        origin: url.origin,
        client_ip,
    })
}

/// The path and query of the request's URL as the runtime holds it (the request line's target,
/// not rebuilt from parsed parts): what a 1C signature v2 covers.
fn path_and_query(url: &str) -> String {
    shared::exchange::contract::path_and_query_of(url)
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
