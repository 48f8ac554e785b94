//! One-click unsubscribe per event type: a signed link `user.event.mac` (HMAC with
//! `LINK_TOKEN_SECRET`, so only the portal can make one and it names one user and one event type).
//! GET shows a confirm page (a mail scanner that follows links changes nothing); POST applies, as
//! a mail client's `List-Unsubscribe-Post: List-Unsubscribe=One-Click` does (RFC 8058), with no
//! session and no Origin: the token is the credential.

use super::events::{Choice, Event};
use super::render::{esc, event_title, Lang};
use super::sql;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{DatabaseExt, Ports, Stmt};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

fn mac(secret: &str, user_id: &str, event: Event) -> Hmac<Sha256> {
    let mut m =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    m.update(b"portal unsubscribe v1\0");
    m.update(user_id.as_bytes());
    m.update(b"\0");
    m.update(event.as_str().as_bytes());
    m
}

/// The token of the unsubscribe link of `user_id` from `event`.
pub fn token(secret: &str, user_id: &str, event: Event) -> String {
    let sig = mac(secret, user_id, event).finalize().into_bytes();
    format!(
        "{user_id}.{}.{}",
        event.as_str(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig)
    )
}

/// The user and event a token names, if the portal signed it.
pub fn verify(secret: &str, token: &str) -> Option<(String, Event)> {
    let mut parts = token.split('.');
    let (user, event, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || user.is_empty() || user.len() > 100 {
        return None;
    }
    let event = Event::parse(event)?;
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sig)
        .ok()?;
    mac(secret, user, event).verify_slice(&sig).ok()?;
    Some((user.to_string(), event))
}

/// The link a mail carries (and its `List-Unsubscribe` header names).
pub fn link(public_url: &str, secret: &str, user_id: &str, event: Event) -> String {
    format!(
        "{public_url}/api/auth/notifications/unsubscribe?token={}",
        token(secret, user_id, event)
    )
}

fn secret<P: Ports>(p: &P) -> AppResult<&str> {
    p.config()
        .link_token_secret
        .as_deref()
        .ok_or_else(|| AppError::internal("missing setting LINK_TOKEN_SECRET"))
}

fn invalid() -> AppError {
    AppError::new(
        ErrorKind::NotFound,
        "unsubscribe-link-invalid",
        "Ссылка для отписки недействительна.",
        "This unsubscribe link is not valid.",
    )
}

#[derive(Deserialize)]
struct UserRow {
    company_id: String,
    language: String,
}

async fn resolve<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<(String, Event, UserRow)> {
    let token = req.query_param("token").ok_or_else(invalid)?;
    let (user, event) = verify(secret(p)?, token).ok_or_else(invalid)?;
    let row: UserRow = p
        .db()
        .first(Stmt::new(sql::USER_COMPANY).bind(&user))
        .await?
        .ok_or_else(invalid)?;
    Ok((user, event, row))
}

fn page(lang: Lang, title: &str, body: &str) -> ApiResponse {
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/css/app.css\"></head><body class=\"auth-page\"><main class=\"card\"><h1>{}</h1>{body}</main></body></html>",
        if lang == Lang::En { "en" } else { "ru" },
        esc(title),
        esc(title)
    );
    ApiResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: html.into_bytes().into(),
        log: Default::default(),
    }
}

/// GET: the confirm page, a form that POSTs the same link.
pub async fn confirm_page<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let (_, event, user) = resolve(p, req).await?;
    let lang = Lang::of(&user.language);
    let token = req.query_param("token").unwrap_or_default();
    let action = format!("/api/auth/notifications/unsubscribe?token={token}");
    let (title, ask, button) = match lang {
        Lang::Ru => (
            "Отписка от уведомлений",
            "Больше не присылать письма «",
            "Отписаться",
        ),
        Lang::En => ("Unsubscribe", "Stop sending mail about \"", "Unsubscribe"),
    };
    let close = if lang == Lang::Ru { "»?" } else { "\"?" };
    Ok(page(
        lang,
        title,
        &format!(
            "<p>{}{}{close}</p><form method=\"post\" action=\"{}\"><button type=\"submit\">{button}</button></form>",
            esc(ask),
            esc(event_title(event, lang)),
            esc(&action)
        ),
    ))
}

/// POST: the event type is off for the user (their other choices stay).
pub async fn apply<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let (user_id, event, user) = resolve(p, req).await?;
    p.db()
        .exec(
            Stmt::new(sql::PREF_UPSERT)
                .bind(&user_id)
                .bind(&user.company_id)
                .bind(event.as_str())
                .bind(Choice::Off.as_str())
                .bind(p.now()),
        )
        .await?;
    let lang = Lang::of(&user.language);
    let (title, done) = match lang {
        Lang::Ru => ("Вы отписались", "Письма «{}» больше не придут. Вернуть их можно в профиле, в разделе «Уведомления»."),
        Lang::En => ("Unsubscribed", "No more mail about \"{}\". You can turn it back on in your profile, under Notifications."),
    };
    Ok(page(
        lang,
        title,
        &format!(
            "<p>{}</p><p><a href=\"/#/profile\">{}</a></p>",
            esc(&done.replace("{}", event_title(event, lang))),
            if lang == Lang::Ru {
                "Открыть профиль"
            } else {
                "Open the profile"
            }
        ),
    ))
}
