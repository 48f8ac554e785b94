//! Outgoing HTTP and mail: the same calls the Workers make with `fetch` (1C's HTTP service in
//! push mode, the acquirer, the mail API), made with `ureq` on tokio's blocking pool so the
//! serving thread never waits on the network.

use shared::ports::{HttpClient, HttpReply, Mail, Mailer};
use shared::{AppError, AppResult};
use std::io::Read;
use std::time::Duration;

#[derive(Clone)]
pub struct Ureq {
    agent: ureq::Agent,
    timeout: Duration,
}

impl Ureq {
    pub fn new(timeout: Duration) -> Ureq {
        Ureq {
            agent: ureq::AgentBuilder::new().timeout(timeout).build(),
            timeout,
        }
    }

    async fn call(
        &self,
        method: &'static str,
        url: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
    ) -> AppResult<HttpReply> {
        let agent = self.agent.clone();
        let (url, headers) = (url.to_string(), headers.to_vec());
        let secs = self.timeout.as_secs();
        let what = url.clone();
        let reply = tokio::task::spawn_blocking(move || {
            let mut req = agent.request(method, &url);
            for (k, v) in &headers {
                req = req.set(k, v);
            }
            let resp = match body {
                Some(b) => req.send_bytes(&b),
                None => req.call(),
            };
            let resp = match resp {
                Ok(r) => r,
                // Any HTTP status is a reply; only transport failures are errors.
                Err(ureq::Error::Status(_, r)) => r,
                Err(e) => return Err(e.to_string()),
            };
            let status = resp.status();
            let mut bytes = Vec::new();
            resp.into_reader()
                .take(64 * 1024 * 1024)
                .read_to_end(&mut bytes)
                .map_err(|e| e.to_string())?;
            Ok(HttpReply {
                status,
                body: bytes,
            })
        })
        .await
        .map_err(|e| AppError::internal(format!("outbound call: {e}")))?;
        reply.map_err(|e| AppError::unavailable(format!("fetch {what}: {e} (timeout {secs} s)")))
    }
}

impl HttpClient for Ureq {
    async fn post_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> AppResult<HttpReply> {
        self.call("POST", url, headers, Some(body)).await
    }

    async fn get(&self, url: &str, headers: &[(String, String)]) -> AppResult<HttpReply> {
        self.call("GET", url, headers, None).await
    }
}

/// The host's mail port: SMTP when `SMTP_HOST` is set ([`crate::smtp`]), else the HTTP mail API.
pub enum NativeMail {
    Http(HttpMail),
    Smtp(crate::smtp::SmtpMail),
}

impl Mailer for NativeMail {
    async fn send(&self, mail: &Mail) -> AppResult<()> {
        match self {
            NativeMail::Http(m) => m.send(mail).await,
            NativeMail::Smtp(m) => m.send(mail).await,
        }
    }
}

/// Mail through an HTTP API (`MAIL_API_URL`, bearer `MAIL_API_TOKEN`), as on Workers.
pub struct HttpMail {
    pub url: Option<String>,
    pub token: Option<String>,
    pub http: Ureq,
}

impl Mailer for HttpMail {
    async fn send(&self, mail: &Mail) -> AppResult<()> {
        let url = self
            .url
            .as_deref()
            .ok_or_else(|| AppError::unavailable("MAIL_API_URL not set"))?;
        let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
        if let Some(t) = &self.token {
            headers.push(("authorization".into(), format!("Bearer {t}")));
        }
        let reply = self
            .http
            .post_json(url, &headers, serde_json::to_vec(mail)?)
            .await?;
        if !(200..300).contains(&reply.status) {
            return Err(AppError::unavailable(format!(
                "mail api answered {}",
                reply.status
            )));
        }
        Ok(())
    }
}
