//! The mail port: a POST to an HTTP mail API.

use crate::outbound_http::{headers, Fetch};
use shared::ports::{Mail, Mailer};
use shared::{AppError, AppResult};
use wasm_bindgen::JsValue;

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
        let bearer = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let headers = headers(
            std::iter::once(("content-type", "application/json"))
                .chain(bearer.as_deref().map(|b| ("authorization", b))),
        )?;
        let body = JsValue::from_str(&serde_json::to_string(mail)?);
        let resp = self
            .http
            .send("POST", url, &headers, Some(&body), "mail api")
            .await?;
        if !(200..300).contains(&resp.status) {
            return Err(AppError::unavailable(format!(
                "mail api answered {}",
                resp.status
            )));
        }
        Ok(())
    }
}
