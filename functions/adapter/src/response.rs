//! The domain's response as the runtime's response, and the answers given before the handler runs.

use futures::TryStreamExt;
use shared::http::{ApiRequest, ApiResponse, Body};
use shared::AppError;
use worker::{Response, ResponseBody};

/// The answer to a request refused before its handler ran (its body too large).
pub fn refused(req: &ApiRequest, err: AppError) -> ApiResponse {
    shared::http::finish(req, Err(err), Default::default())
}

/// The domain's response as a Worker response, after the request's log line. A streamed body
/// goes through a `FixedLengthStream` of its declared length: the runtime sends `Content-Length`
/// and pulls the chunks as the client reads (backpressure: one chunk in wasm memory at a time),
/// and a stream of another length fails the response instead of sending a wrong body.
pub fn worker_response(resp: ApiResponse, method: &str, started: f64) -> worker::Result<Response> {
    crate::log::request(&resp, method, started);
    let headers = worker::Headers::new();
    for (k, v) in &resp.headers {
        headers.append(k, v)?;
    }
    let r = if resp.status == 204 || resp.status == 304 {
        Response::empty()?
    } else {
        match resp.body {
            Body::Bytes(b) => Response::from_bytes(b)?,
            Body::Stream(s) => {
                let chunks = s
                    .chunks
                    .map_err(|e| worker::Error::RustError(e.to_string()));
                let fixed: worker::worker_sys::FixedLengthStream =
                    worker::FixedLengthStream::wrap(chunks, s.len).into();
                Response::from_body(ResponseBody::Stream(fixed.readable()))?
            }
        }
    };
    Ok(r.with_status(resp.status).with_headers(headers))
}

/// A problem response for failures before the domain is reached (bindings, settings).
pub fn failure(err: AppError, method: &str, started: f64) -> worker::Result<Response> {
    let req = ApiRequest::default();
    let resp = shared::http::finish(&req, Err(err), Default::default());
    worker_response(resp, method, started)
}
