//! Mail goes into `mail_outbox` in the same batch as the change that causes it (a new user, a
//! reset request), then is delivered through the mail port. What fails stays unsent for a retry.
//!
//! One-time links never reach the database: a mail that carries one stores its text with the
//! [`LINK_TOKEN`] placeholder and a link id; the token is `HMAC(LINK_TOKEN_SECRET, id)`, put in
//! only when the mail is sent, and only its SHA-256 is stored (to find the link when it is
//! used). A delivered mail's text is erased.

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::ports::{DatabaseExt, Mail, Mailer, Ports, Stmt};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// Where the link's token goes in a stored mail's text.
pub const LINK_TOKEN: &str = "{{link-token}}";

/// A one-time link about to be mailed: the id the mail stores, and the hash of its token the
/// link's own table stores.
pub struct Link {
    pub id: String,
    pub token_hash: String,
}

fn link_secret(cfg: &Config) -> AppResult<&str> {
    cfg.link_token_secret
        .as_deref()
        .ok_or_else(|| AppError::internal("missing setting LINK_TOKEN_SECRET"))
}

/// The token of link `id`: 256 bits, URL-safe, derivable only with the secret.
pub fn link_token(secret: &str, id: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(b"portal one-time link v1\0");
    mac.update(id.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// A new link; fails without `LINK_TOKEN_SECRET`, before anything is written.
pub fn new_link(cfg: &Config) -> AppResult<Link> {
    let id = crate::ids::new_id("lnk");
    let token_hash = crate::auth::sha256_hex(&link_token(link_secret(cfg)?, &id));
    Ok(Link { id, token_hash })
}

/// The statement that records a mail, and its id (for [`deliver`]).
pub fn enqueue(
    company_id: Option<&str>,
    mail: &Mail,
    now: chrono::DateTime<chrono::Utc>,
) -> (String, Stmt) {
    enqueue_with_link(company_id, mail, None, now)
}

/// As [`enqueue`], for a mail whose text has the [`LINK_TOKEN`] placeholder of link `link_id`.
pub fn enqueue_with_link(
    company_id: Option<&str>,
    mail: &Mail,
    link_id: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> (String, Stmt) {
    let id = crate::ids::new_id("mail");
    let stmt = Stmt::new("INSERT INTO mail_outbox (id, company_id, to_addr, subject, body, link_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(&id)
        .bind(company_id.map(str::to_string))
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.text)
        .bind(link_id.map(str::to_string))
        .bind(now);
    (id, stmt)
}

#[derive(Deserialize)]
struct Pending {
    id: String,
    to_addr: String,
    subject: String,
    body: String,
    link_id: Option<String>,
}

/// Sends the given unsent mails (or, with no ids, up to 50 of the oldest unsent) and marks them.
/// Returns how many went out.
pub async fn deliver<P: Ports>(p: &P, ids: &[String]) -> AppResult<usize> {
    let rows: Vec<Pending> = if ids.is_empty() {
        p.db().all(Stmt::new("SELECT id, to_addr, subject, body, link_id FROM mail_outbox WHERE sent_at IS NULL AND attempts < 20 ORDER BY created_at LIMIT 50")).await?
    } else {
        // One query for all the given mails, not one per id.
        p.db()
            .all(Stmt::new("SELECT id, to_addr, subject, body, link_id FROM mail_outbox WHERE id IN (SELECT value FROM json_each(?)) AND sent_at IS NULL ORDER BY created_at").bind(serde_json::to_string(ids)?))
            .await?
    };
    let mut sent = 0;
    for m in rows {
        let text = match &m.link_id {
            None => Ok(m.body),
            Some(link) => link_secret(p.config())
                .map(|secret| m.body.replace(LINK_TOKEN, &link_token(secret, link))),
        };
        let outcome = match text {
            Ok(text) => {
                let mail = Mail {
                    to: m.to_addr,
                    subject: m.subject,
                    text,
                    ..Default::default()
                };
                p.mailer().send(&mail).await
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                // Sent: the text (names, addresses) is not kept.
                p.db().exec(Stmt::new("UPDATE mail_outbox SET sent_at = ?, attempts = attempts + 1, body = '', link_id = NULL WHERE id = ?").bind(p.now()).bind(&m.id)).await?;
                sent += 1;
            }
            Err(e) => {
                p.db()
                    .exec(Stmt::new("UPDATE mail_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?").bind(e.to_string()).bind(&m.id))
                    .await?;
            }
        }
    }
    Ok(sent)
}
