//! The Worker's log: one JSON line per request on the console (`wrangler tail`, Workers Logs),
//! an error line for a 5xx.

use shared::http::ApiResponse;

/// Milliseconds on the runtime's clock, for a request's duration.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The request's log line: method, route, status, time taken, who; the error only for a 5xx.
/// Written from a borrowed struct, not a `json!` map: one string built per request.
pub(crate) fn request(resp: &ApiResponse, method: &str, started: f64) {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        method: &'a str,
        route: &'a str,
        status: u16,
        ms: f64,
        company_id: Option<&'a str>,
        user_id: Option<&'a str>,
        error: Option<&'a str>,
    }
    let log = &resp.log;
    let line = Line {
        method,
        route: log.route.unwrap_or("(unmatched)"),
        status: resp.status,
        ms: (now_ms() - started).round(),
        company_id: log.company_id.as_deref(),
        user_id: log.user_id.as_deref(),
        error: log.error.as_deref().filter(|_| resp.status >= 500),
    };
    let line = serde_json::to_string(&line).unwrap_or_default();
    if resp.status >= 500 {
        worker::console_error!("{line}");
    } else {
        worker::console_log!("{line}");
    }
}

thread_local! {
    /// This isolate's id, drawn once: tells a test that two answers came from one wasm instance.
    static ISOLATE: String = format!("{:016x}", (js_sys::Math::random() * 2f64.powi(53)) as u64);
}

/// Dev only (`REPORT_WASM_MEMORY`): the isolate's wasm memory in bytes and the isolate's id.
/// Wasm memory only grows, so a reading after a download bounds everything the download used
/// in this isolate (the highest it reached), not just what is held when the answer starts.
pub(crate) fn memory_headers() -> [(String, String); 2] {
    use wasm_bindgen::JsCast;
    let bytes = wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length();
    [
        ("x-dev-wasm-memory-bytes".to_string(), bytes.to_string()),
        ("x-dev-isolate".to_string(), ISOLATE.with(|i| i.clone())),
    ]
}
