//! The domain's response as the runtime's response, and the answers given before the handler runs.

use shared::http::{ApiRequest, ApiResponse};
use shared::AppError;
use worker::Response;

/// The answer to a request refused before its handler ran (its body too large).
pub fn refused(req: &ApiRequest, err: AppError) -> ApiResponse {
    shared::http::finish(req, Err(err), Default::default())
}

/// The domain's response as a Worker response, after the request's log line.
pub fn worker_response(resp: ApiResponse, method: &str, started: f64) -> worker::Result<Response> {
    crate::log::request(&resp, method, started);
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
