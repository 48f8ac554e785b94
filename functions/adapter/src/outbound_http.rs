//! The outgoing HTTP port on `fetch` (deliveries to 1C, the payment provider), with a timeout.

use crate::js::internal;
use shared::ports::{HttpClient, HttpReply};
use shared::{AppError, AppResult};
use worker::Request;

/// Outgoing HTTP through `fetch`, each call given up after `timeout` (then it counts as failed
/// and is retried later, as a 5xx would be).
pub struct Fetch {
    pub(crate) timeout: std::time::Duration,
}

impl Fetch {
    pub(crate) async fn send(&self, req: Request, what: &str) -> AppResult<HttpReply> {
        use futures::future::{select, Either};
        let controller = worker::AbortController::default();
        let signal = controller.signal();
        let call = async {
            let mut resp = worker::Fetch::Request(req)
                .send_with_signal(&signal)
                .await?;
            let status = resp.status_code();
            let body = resp.bytes().await.unwrap_or_default();
            Ok::<_, worker::Error>(HttpReply { status, body })
        };
        let timer = worker::Delay::from(self.timeout);
        futures::pin_mut!(call, timer);
        match select(call, timer).await {
            Either::Left((reply, _)) => {
                reply.map_err(|e| AppError::unavailable(format!("fetch {what}: {e}")))
            }
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
        let h = worker::Headers::new();
        for (k, v) in headers {
            h.set(k, v).map_err(internal)?;
        }
        let mut init = worker::RequestInit::new();
        let body = js_sys::Uint8Array::from(body.as_slice());
        init.with_method(worker::Method::Post)
            .with_headers(h)
            .with_body(Some(body.into()));
        let req = Request::new_with_init(url, &init).map_err(internal)?;
        self.send(req, url).await
    }

    async fn get(&self, url: &str, headers: &[(String, String)]) -> AppResult<HttpReply> {
        let h = worker::Headers::new();
        for (k, v) in headers {
            h.set(k, v).map_err(internal)?;
        }
        let mut init = worker::RequestInit::new();
        init.with_method(worker::Method::Get).with_headers(h);
        let req = Request::new_with_init(url, &init).map_err(internal)?;
        self.send(req, url).await
    }
}
