//! Sending: from the sweeper (and after an inbound batch commits), never inside the apply. Each
//! unsent notification is decided by the recipient's preference: off is marked skipped, digest
//! is put aside, mail is claimed (one sender wins, so two runs never mail twice) and sent through
//! the mail port; a failed send is released for the next run. The digest goes once a day per
//! user at the morning hour of their company's time zone, claimed by a `digest` row under the
//! same unique (user, event, object, day) key.

use super::events::{effective, Choice, Event, SEND_HOUR};
use super::render::{self, Lang};
use super::{sql, unsubscribe, zone};
use crate::auth::roles::Roles;
use crate::error::{AppError, AppResult};
use crate::ports::{DatabaseExt, Mail, Mailer, Ports, Stmt};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct SendReport {
    pub mailed: usize,
    pub digests: usize,
    pub skipped: usize,
    pub failed: usize,
}

#[derive(Deserialize)]
struct Unsent {
    id: String,
    user_id: String,
    event: String,
    owner: i64,
    data_json: String,
    email: String,
    language: String,
    full_name: String,
    active: i64,
    roles: Option<String>,
    chosen: Option<String>,
}

fn secret<P: Ports>(p: &P) -> AppResult<String> {
    p.config()
        .link_token_secret
        .clone()
        .ok_or_else(|| AppError::internal("missing setting LINK_TOKEN_SECRET"))
}

/// The mail port's form of a rendered mail, with the unsubscribe headers (RFC 2369, RFC 8058).
fn mail(to: &str, r: render::Rendered, unsubscribe: Option<&str>) -> Mail {
    let mut headers = std::collections::BTreeMap::new();
    if let Some(url) = unsubscribe {
        headers.insert("List-Unsubscribe".to_string(), format!("<{url}>"));
        headers.insert(
            "List-Unsubscribe-Post".to_string(),
            "List-Unsubscribe=One-Click".to_string(),
        );
    }
    Mail {
        to: to.to_string(),
        subject: r.subject,
        text: r.text,
        html: Some(r.html),
        headers,
    }
}

/// Decides and sends what is unsent (mail now, digest aside, off skipped).
pub async fn pending<P: Ports>(p: &P) -> AppResult<SendReport> {
    let mut report = SendReport::default();
    let rows: Vec<Unsent> = p.db().all(Stmt::new(sql::UNSENT)).await?;
    if rows.is_empty() {
        return Ok(report);
    }
    let secret = secret(p)?;
    let public_url = p.config().public_url.clone();
    for n in rows {
        let roles = Roles::parse_list(n.roles.as_deref().unwrap_or("")).unwrap_or_default();
        let roles: Vec<_> = roles.iter().collect();
        // A user deactivated since is told nothing.
        let choice = match Event::parse(&n.event) {
            Some(e) if n.active == 1 => effective(
                e,
                &roles,
                n.owner == 1,
                n.chosen.as_deref().and_then(Choice::parse),
            ),
            _ => Choice::Off,
        };
        match choice {
            Choice::Off => {
                p.db()
                    .exec(Stmt::new(sql::CLAIM).bind("off").bind(p.now()).bind(&n.id))
                    .await?;
                report.skipped += 1;
            }
            Choice::Digest => {
                p.db().exec(Stmt::new(sql::TO_DIGEST).bind(&n.id)).await?;
            }
            Choice::Mail => {
                let event = Event::parse(&n.event).expect("mail only for a known event");
                if p.db()
                    .exec(Stmt::new(sql::CLAIM).bind("mail").bind(p.now()).bind(&n.id))
                    .await?
                    != 1
                {
                    continue; // another run took it
                }
                let data: serde_json::Value =
                    serde_json::from_str(&n.data_json).unwrap_or_default();
                let unsub = unsubscribe::link(&public_url, &secret, &n.user_id, event);
                let lang = Lang::of(&n.language);
                let r = render::single(event, &data, lang, &n.full_name, &public_url, &unsub);
                match p.mailer().send(&mail(&n.email, r, Some(&unsub))).await {
                    Ok(()) => report.mailed += 1,
                    Err(_) => {
                        p.db().exec(Stmt::new(sql::RELEASE).bind(&n.id)).await?;
                        report.failed += 1;
                    }
                }
            }
        }
    }
    Ok(report)
}

#[derive(Deserialize)]
struct DigestUser {
    user_id: String,
    company_id: String,
    timezone: String,
}

#[derive(Deserialize)]
struct DigestItem {
    id: String,
    event: String,
    data_json: String,
    email: String,
    language: String,
    full_name: String,
    active: i64,
}

/// Sends today's digest to each user with notifications put aside, once a day from the morning
/// hour of their company's time zone. Answers how many went.
pub async fn digests<P: Ports>(p: &P) -> AppResult<usize> {
    let users: Vec<DigestUser> = p.db().all(Stmt::new(sql::DIGEST_USERS)).await?;
    if users.is_empty() {
        return Ok(0);
    }
    let secret = secret(p)?;
    let public_url = p.config().public_url.clone();
    let now = p.now();
    let mut sent = 0;
    for u in users {
        let (day, hour) = zone::local(now, &u.timezone);
        if hour < SEND_HOUR {
            continue;
        }
        let day = day.to_string();
        let claimed = p
            .db()
            .exec(
                Stmt::new(sql::DIGEST_CLAIM)
                    .bind(&u.user_id)
                    .bind(&u.company_id)
                    .bind(&day)
                    .bind(now),
            )
            .await?;
        if claimed != 1 {
            continue; // today's digest went already
        }
        let items: Vec<DigestItem> = p
            .db()
            .all(Stmt::new(sql::DIGEST_ITEMS).bind(&u.user_id).bind(now))
            .await?;
        let Some(first) = items.first() else { continue };
        let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        if first.active != 1 {
            // Nobody to tell: the items are done with.
            p.db()
                .exec(
                    Stmt::new(sql::DIGEST_SENT)
                        .bind(now)
                        .bind(serde_json::to_string(&ids)?),
                )
                .await?;
            continue;
        }
        let lang = Lang::of(&first.language);
        let list: Vec<(Event, serde_json::Value)> = items
            .iter()
            .filter_map(|i| {
                Some((
                    Event::parse(&i.event)?,
                    serde_json::from_str(&i.data_json).unwrap_or_default(),
                ))
            })
            .collect();
        let mut kinds: Vec<Event> = Vec::new();
        for (e, _) in &list {
            if !kinds.contains(e) {
                kinds.push(*e);
            }
        }
        let links: Vec<(Event, String)> = kinds
            .iter()
            .map(|e| (*e, unsubscribe::link(&public_url, &secret, &u.user_id, *e)))
            .collect();
        let r = render::digest(&list, lang, &first.full_name, &day, &public_url, &links);
        // One event type: the headers unsubscribe from it; several: the page lists each.
        let header = (links.len() == 1).then(|| links[0].1.as_str());
        match p.mailer().send(&mail(&first.email, r, header)).await {
            Ok(()) => {
                p.db()
                    .exec(
                        Stmt::new(sql::DIGEST_SENT)
                            .bind(now)
                            .bind(serde_json::to_string(&ids)?),
                    )
                    .await?;
                sent += 1;
            }
            Err(_) => {
                // Not sent: unclaim, so the next run tries again today.
                p.db()
                    .exec(Stmt::new(sql::DIGEST_UNCLAIM).bind(&u.user_id).bind(&day))
                    .await?;
            }
        }
    }
    Ok(sent)
}

/// The sweeper's part: reminders due now, then what is unsent, then the digests.
pub async fn sweep<P: Ports>(p: &P) -> AppResult<SendReport> {
    super::record::reminders(p).await?;
    let mut report = pending(p).await?;
    report.digests = digests(p).await?;
    Ok(report)
}
