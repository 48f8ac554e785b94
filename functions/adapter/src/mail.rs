//! The mail port: a POST to an HTTP mail API.

use crate::js::internal;
use crate::outbound_http::Fetch;
use shared::ports::{Mail, Mailer};
use shared::{AppError, AppResult};
use wasm_bindgen::JsValue;
use worker::Request;

/// Mail through an HTTP API (`MAIL_API_URL`, bearer `MAIL_API_TOKEN`): locally the simulator's
/// mailbox, in production the provider's endpoint.
pub struct HttpMail {
    pub(crate) url: Option<String>,
    pub(crate) token: Option<String>,
    pub(crate) http: Fetch,
}

impl Mailer for HttpMail {
    async fn send(&self, mail: &Mail) -> AppResult<()> {
        let url = self
            .url
            .as_deref()
            .ok_or_else(|| AppError::unavailable("MAIL_API_URL not set"))?;
        let headers = worker::Headers::new();
        headers
            .set("content-type", "application/json")
            .map_err(internal)?;
        if let Some(t) = &self.token {
            headers
                .set("authorization", &format!("Bearer {t}"))
                .map_err(internal)?;
        }
        let mut init = worker::RequestInit::new();
        init.with_method(worker::Method::Post)
            .with_headers(headers)
            .with_body(Some(JsValue::from_str(&serde_json::to_string(mail)?)));
        let req = Request::new_with_init(url, &init).map_err(internal)?;
        let resp = self.http.send(req, "mail api").await?;
        if !(200..300).contains(&resp.status) {
            return Err(AppError::unavailable(format!(
                "mail api answered {}",
                resp.status
            )));
        }
        Ok(())
    }
}
