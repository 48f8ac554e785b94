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
/// and a stream of another length fails the response instead of sending a wrong body. A stored
/// file served as it is goes straight from R2's stream into it.
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
                // A stored file served as it is: R2's stream piped by the runtime itself, no
                // chunk through wasm.
                let raw = s
                    .native
                    .as_ref()
                    .and_then(|n| n.downcast_ref::<crate::blobs::R2Body>())
                    .and_then(|b| b.take());
                let fixed = match raw {
                    Some(raw) => {
                        let fixed = fixed_length(s.len)?;
                        let _ = raw.pipe_to(&fixed.writable());
                        fixed
                    }
                    None => {
                        let chunks = s
                            .chunks
                            .map_err(|e| worker::Error::RustError(e.to_string()));
                        worker::FixedLengthStream::wrap(chunks, s.len).into()
                    }
                };
                Response::from_body(ResponseBody::Stream(fixed.readable()))?
            }
        }
    };
    Ok(r.with_status(resp.status).with_headers(headers))
}

/// The runtime's `FixedLengthStream` of `len` bytes (what it writes out is `Content-Length`).
fn fixed_length(len: u64) -> worker::Result<worker::worker_sys::FixedLengthStream> {
    use worker::worker_sys::FixedLengthStream;
    let made = if len < u32::MAX as u64 {
        FixedLengthStream::new(len as u32)
    } else {
        FixedLengthStream::new_big_int(js_sys::BigInt::from(len))
    };
    made.map_err(worker::Error::from)
}

/// A problem response for failures before the domain is reached (bindings, settings).
pub fn failure(err: AppError, method: &str, started: f64) -> worker::Result<Response> {
    let req = ApiRequest::default();
    let resp = shared::http::finish(&req, Err(err), Default::default());
    worker_response(resp, method, started)
}
