//! The entry Worker: static pages are served by the assets layer before this runs; everything
//! under `/api/<capability>/` and `/exchange/` comes here and goes on to the capability Worker over
//! its service binding. Capability Workers have no public route of their own.
//!
//! This is on the path of every API call, so it hands the runtime's own request object to the
//! binding and returns the capability's response object as it is: no conversion into
//! `worker::Request` (which reads `request.cf`, parsed anew on each read) and no rebuilt response
//! around the body stream. Measured in docs/benchmarks.md ("the entry Worker's hop").

use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::worker_sys::Fetcher;
use worker::{event, js_sys, web_sys, Context, Env, Result};

/// Path prefix -> service binding.
const ROUTES: &[(&str, &str)] = &[
    ("/api/auth/", "AUTH"),
    ("/api/company/", "COMPANY"),
    ("/api/finance/", "FINANCE"),
    ("/api/orders/", "ORDERS"),
    ("/api/documents/", "DOCUMENTS"),
    ("/api/returns/", "RETURNS"),
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

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, _ctx: Context) -> Result<web_sys::Response> {
    let started = adapter::now_ms();
    let Some(binding) = route(&req.url()) else {
        let method = req.method().to_ascii_uppercase();
        return Ok(adapter::failure(shared::AppError::not_found(), &method, started)?.into());
    };
    let service: Fetcher =
        js_sys::Reflect::get(env.as_ref(), &JsValue::from_str(binding))?.unchecked_into();
    let response = JsFuture::from(service.fetch(&req)?).await?;
    Ok(response.unchecked_into())
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
        assert_eq!(route("http://127.0.0.1:8787/api/ordersx"), None);
        assert_eq!(route("http://127.0.0.1:8787/api/"), None);
        assert_eq!(route("http://127.0.0.1:8787"), None);
        assert_eq!(route("http://host/orders/api/auth/"), None);
    }
}
