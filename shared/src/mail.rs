//! Mail goes into `mail_outbox` in the same batch as the change that causes it (a new user, a
//! reset request), then is delivered through the mail port. What fails stays unsent for a retry.

use crate::error::AppResult;
use crate::ports::{DatabaseExt, Mail, Mailer, Ports, Stmt};
use serde::Deserialize;

/// The statement that records a mail, and its id (for [`deliver`]).
pub fn enqueue(
    company_id: Option<&str>,
    mail: &Mail,
    now: chrono::DateTime<chrono::Utc>,
) -> (String, Stmt) {
    let id = crate::ids::new_id("mail");
    let stmt = Stmt::new("INSERT INTO mail_outbox (id, company_id, to_addr, subject, body, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(&id)
        .bind(company_id.map(str::to_string))
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.text)
        .bind(now);
    (id, stmt)
}

#[derive(Deserialize)]
struct Pending {
    id: String,
    to_addr: String,
    subject: String,
    body: String,
}

/// Sends the given unsent mails (or, with no ids, up to 50 of the oldest unsent) and marks them.
/// Returns how many went out.
pub async fn deliver<P: Ports>(p: &P, ids: &[String]) -> AppResult<usize> {
    let rows: Vec<Pending> = if ids.is_empty() {
        p.db().all(Stmt::new("SELECT id, to_addr, subject, body FROM mail_outbox WHERE sent_at IS NULL AND attempts < 20 ORDER BY created_at LIMIT 50")).await?
    } else {
        // One query for all the given mails, not one per id.
        p.db()
            .all(Stmt::new("SELECT id, to_addr, subject, body FROM mail_outbox WHERE id IN (SELECT value FROM json_each(?)) AND sent_at IS NULL ORDER BY created_at").bind(serde_json::to_string(ids)?))
            .await?
    };
    let mut sent = 0;
    for m in rows {
        let mail = Mail {
            to: m.to_addr,
            subject: m.subject,
            text: m.body,
        };
        match p.mailer().send(&mail).await {
            Ok(()) => {
                p.db().exec(Stmt::new("UPDATE mail_outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?").bind(p.now()).bind(&m.id)).await?;
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
