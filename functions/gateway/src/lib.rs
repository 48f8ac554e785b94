//! The entry Worker: static pages are served by the assets layer before this runs; everything
//! under `/api/<capability>/` and `/exchange/` comes here and goes on to the capability Worker over
//! its service binding. Capability Workers have no public route of their own.
//!
//! This is on the path of every API call, so it hands the runtime's own request object to the
//! binding and returns the binding's promise of the capability's response as it is: no
//! conversion into `worker::Request` (which reads `request.cf`, parsed anew on each read), no
//! rebuilt response around the body stream, no Rust future. Measured in docs/benchmarks.md.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use worker::worker_sys::Fetcher;
use worker::{js_sys, web_sys, Env};

/// Path prefix -> service binding.
const ROUTES: &[(&str, &str)] = &[
    ("/api/auth/", "AUTH"),
    ("/api/company/", "COMPANY"),
    ("/api/finance/", "FINANCE"),
    ("/api/orders/", "ORDERS"),
    ("/api/documents/", "DOCUMENTS"),
    ("/api/returns/", "RETURNS"),
    // The stock CommerceML exchange and the dev-only sweeper run in the cml Worker, with the
    // exchange queues' consumers; the rest of `/exchange/` is 1C's JSON contract.
    ("/exchange/1c/", "CML"),
    ("/exchange/v1/sweep", "CML"),
    ("/exchange/", "EXCHANGE"),
];

/// The binding that serves a URL's path, if any.
fn route(url: &str) -> Option<&'static str> {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path = url[after_scheme..]
        .find('/')
        .map_or("/", |i| &url[after_scheme + i..]);
    ROUTES
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map(|(_, binding)| *binding)
}

/// The routing table as `prefix binding` lines, for the entry's JS glue: scripts/lean-entry.mjs
/// reads it once per isolate and routes each request in JS by it, so a routed request never
/// enters wasm (each call across the boundary costs the entry Worker ~0.2 ms of CPU per request,
/// measured in docs/benchmarks.md); [`fetch`] answers the rest (the 404 problem).
#[wasm_bindgen(js_name = entryRoutes)]
pub fn entry_routes() -> String {
    ROUTES
        .iter()
        .map(|(prefix, binding)| format!("{prefix} {binding}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The fetch handler, exported as `#[event(fetch)]` would export it but not async: it returns
/// the binding's own promise, so no Rust future is driven per request.
#[wasm_bindgen(js_name = fetch)]
pub fn fetch(req: web_sys::Request, env: Env, _ctx: JsValue) -> Result<js_sys::Promise, JsValue> {
    let Some(binding) = route(&req.url()) else {
        let method = req.method().to_ascii_uppercase();
        let not_found = adapter::failure(shared::AppError::not_found(), &method, adapter::now_ms())
            .map_err(|e| JsValue::from_str(&e.to_string()))?;
        let not_found: JsValue = web_sys::Response::from(not_found).into();
        return Ok(js_sys::Promise::resolve(&not_found));
    };
    let service: Fetcher =
        js_sys::Reflect::get(env.as_ref(), &JsValue::from_str(binding))?.unchecked_into();
    service.fetch(&req)
}

#[cfg(test)]
mod tests {
    use super::route;

    #[test]
    fn routes_by_path_prefix_only() {
        assert_eq!(
            route("https://portal.example.ru/api/orders/orders?x=/api/auth/"),
            Some("ORDERS")
        );
        assert_eq!(
            route("http://127.0.0.1:8787/exchange/v1/batch"),
            Some("EXCHANGE")
        );
        assert_eq!(
            route("http://127.0.0.1:8787/exchange/1c/commerceml?type=catalog&mode=checkauth"),
            Some("CML")
        );
        assert_eq!(
            route("http://127.0.0.1:8787/exchange/v1/sweep"),
            Some("CML")
        );
        assert_eq!(route("http://127.0.0.1:8787/api/ordersx"), None);
        assert_eq!(route("http://127.0.0.1:8787/api/"), None);
        assert_eq!(route("http://127.0.0.1:8787"), None);
        assert_eq!(route("http://host/orders/api/auth/"), None);
    }

    #[test]
    fn the_glue_gets_every_route() {
        let lines = super::entry_routes();
        let lines: Vec<&str> = lines.lines().collect();
        assert_eq!(lines.len(), super::ROUTES.len());
        assert_eq!(lines[0], "/api/auth/ AUTH");
        assert!(lines.contains(&"/exchange/ EXCHANGE"));
    }
}
