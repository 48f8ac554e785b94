//! One request through a capability: the whole `fetch` of a capability Worker.

use crate::log::now_ms;
use crate::ports::{run_later, WorkerPorts};
use crate::request::{read_body, request_head};
use crate::response::{failure, refused, worker_response};
use shared::http::{ApiRequest, ApiResponse};
use worker::{web_sys, Env};

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
            let mut resp = match read_body(&req, body_limit(&api_req)).await {
                Ok(body) => {
                    api_req.body = body;
                    handler(&ports, api_req).await
                }
                Err(e) => refused(&api_req, e),
            };
            if crate::settings::settings(&env).is_ok_and(|s| s.report_memory) {
                resp.headers.extend(crate::log::memory_headers());
            }
            let jobs = ports.take_later();
            if !jobs.is_empty() {
                ctx.wait_until(run_later(ports, jobs));
            }
            worker_response(resp, &method, started)
        }
    };
    response.map(web_sys::Response::from)
}
