//! The Worker's log: one JSON line per request on the console (`wrangler tail`, Workers Logs),
//! an error line for a 5xx.

use shared::http::ApiResponse;

/// Milliseconds on the runtime's clock, for a request's duration.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The request's log line: method, route, status, time taken, who; the error only for a 5xx.
pub(crate) fn request(resp: &ApiResponse, method: &str, started: f64) {
    let log = &resp.log;
    let line = serde_json::json!({
        "method": method,
        "route": log.route.unwrap_or("(unmatched)"),
        "status": resp.status,
        "ms": (now_ms() - started).round(),
        "company_id": log.company_id,
        "user_id": log.user_id,
        "error": if resp.status >= 500 { log.error.clone() } else { None },
    });
    if resp.status >= 500 {
        worker::console_error!("{line}");
    } else {
        worker::console_log!("{line}");
    }
}
