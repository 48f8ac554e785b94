//! The outgoing HTTP port on `fetch` (deliveries to 1C, the payment provider), with a timeout.
//!
//! The request is built with the runtime's own `Request` and `RequestInit` (`web_sys`), not
//! `worker::RequestInit`: that one converts its Cloudflare `cf` options object on every request
//! and cost the Workers ~8 KB of wasm (issue 23); the portal sets none of them.

use crate::js::internal;
use js_sys::Uint8Array;
use shared::ports::{HttpClient, HttpReply};
use shared::{AppError, AppResult};
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys;

/// Outgoing HTTP through `fetch`, each call given up after `timeout` (then it counts as failed
/// and is retried later, as a 5xx would be).
pub struct Fetch {
    pub(crate) timeout: std::time::Duration,
}

/// Headers from name/value pairs.
pub(crate) fn headers<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> AppResult<web_sys::Headers> {
    let h = web_sys::Headers::new().map_err(|e| internal(e.into()))?;
    for (k, v) in pairs {
        h.set(k, v).map_err(|e| internal(e.into()))?;
    }
    Ok(h)
}

impl Fetch {
    /// `method` to `url` with `headers` and `body`; `what` names the call in errors.
    pub(crate) async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &web_sys::Headers,
        body: Option<&JsValue>,
        what: &str,
    ) -> AppResult<HttpReply> {
        use futures::future::{select, Either};
        let controller = worker::AbortController::default();
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        init.set_headers(headers);
        if let Some(body) = body {
            init.set_body(body);
        }
        init.set_signal(Some(&controller.signal()));
        let req = web_sys::Request::new_with_str_and_init(url, &init).map_err(|e| {
            internal(worker::Error::JsError(e.as_string().unwrap_or_else(|| {
                "invalid URL or options for Request".to_string()
            })))
        })?;
        let call = async {
            let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
            let resp: web_sys::Response = JsFuture::from(global.fetch_with_request(&req))
                .await?
                .dyn_into()?;
            let status = resp.status();
            let body = match resp.array_buffer() {
                Ok(p) => JsFuture::from(p)
                    .await
                    .map(|b| Uint8Array::new(&b).to_vec())
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            Ok::<_, JsValue>(HttpReply { status, body })
        };
        let timer = worker::Delay::from(self.timeout);
        futures::pin_mut!(call, timer);
        match select(call, timer).await {
            Either::Left((reply, _)) => reply.map_err(|e| {
                AppError::unavailable(format!("fetch {what}: {}", worker::Error::from(e)))
            }),
            Either::Right(_) => {
                controller.abort();
                Err(AppError::unavailable(format!(
                    "fetch {what}: no answer in {} s",
                    self.timeout.as_secs()
                )))
            }
        }
    }
}

impl HttpClient for Fetch {
    async fn post_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> AppResult<HttpReply> {
        let h = self::headers(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        let body: JsValue = Uint8Array::from(body.as_slice()).into();
        self.send("POST", url, &h, Some(&body), url).await
    }

    async fn get(&self, url: &str, headers: &[(String, String)]) -> AppResult<HttpReply> {
        let h = self::headers(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        self.send("GET", url, &h, None, url).await
    }
}
