//! One-time links: the forgotten-password request (answered at once, the link mailed after the
//! answer), the link and its mail (also a new user's first access, from the company admin or
//! 1C), and setting a password through it.

use super::password::{check_password_strength, hash_password};
use super::{sha256_hex, sql};
use crate::error::{AppError, AppResult, ErrorKind, FieldError};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{Database, DatabaseExt, Mail, Ports, Stmt};
use chrono::Duration;
use serde::Deserialize;

#[derive(Deserialize)]
struct ResetRequestBody {
    email: String,
}
impl crate::body::Body for ResetRequestBody {
    const FIELDS: &'static [crate::body::Field] =
        &[crate::body::Field::text("email", crate::body::EMAIL)];
}

#[derive(Deserialize)]
struct ActiveUser {
    id: String,
    company_id: String,
    full_name: String,
    language: String,
}

/// Always answers 202 at once, whether or not the e-mail belongs to an account: the lookup, the
/// link and its mail happen after the answer ([`reset_link`]), so neither the answer nor its
/// time tells whether the address has an account.
pub(super) async fn reset_request<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let body: ResetRequestBody = req.json()?;
    let email = crate::validate::Email::normalized(&body.email);
    if email.is_empty() || !email.contains('@') || email.len() > 254 {
        return Err(AppError::validation(vec![FieldError::new(
            "email",
            "invalid",
            "Укажите e-mail.",
            "Enter a valid e-mail.",
        )]));
    }
    crate::later::after_answer(p, crate::later::Later::PasswordReset { email }).await;
    Ok(ApiResponse::json(
        202,
        &serde_json::json!({ "status": "accepted" }),
    ))
}

/// A reset link mailed to `email` if it belongs to an active account (at most 3 an hour);
/// nothing otherwise. Runs after the answer to the request.
pub async fn reset_link<P: Ports>(p: &P, email: &str) -> AppResult<()> {
    let now = p.now();
    let Some(user) = p
        .db()
        .first::<ActiveUser>(Stmt::new(sql::ACTIVE_USER_BY_EMAIL).bind(email))
        .await?
    else {
        return Ok(());
    };
    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }
    let recent = p
        .db()
        .first::<Count>(
            Stmt::new(sql::RECENT_RESET_COUNT)
                .bind(&user.id)
                .bind(now - Duration::hours(1)),
        )
        .await?
        .map(|c| c.n)
        .unwrap_or(0);
    if recent >= 3 {
        // Quietly limited: a flood of reset mails helps nobody.
        return Ok(());
    }
    let ttl = Duration::hours(p.config().reset_ttl_hours);
    let (mail_id, stmts) = one_time_link(
        p,
        &user.id,
        &user.company_id,
        email,
        &user.full_name,
        &user.language,
        LinkPurpose::PasswordReset,
        ttl,
    )?;
    p.db().batch(stmts).await?;
    // Delivery failures leave the mail queued for the sweeper.
    crate::mail::deliver(p, &[mail_id]).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    FirstAccess,
    PasswordReset,
}

/// The statements that create a one-time link and its mail; returns the mail id for delivery.
/// The token itself is written nowhere: the mail is stored with a placeholder and the link's id
/// (`crate::mail`). Fails only without `LINK_TOKEN_SECRET`.
#[allow(clippy::too_many_arguments)]
pub fn one_time_link<P: Ports>(
    p: &P,
    user_id: &str,
    company_id: &str,
    email: &str,
    full_name: &str,
    language: &str,
    purpose: LinkPurpose,
    ttl: Duration,
) -> AppResult<(String, Vec<Stmt>)> {
    let now = p.now();
    let token = crate::mail::new_link(p.config())?;
    let link = format!(
        "{}/set-password#token={}",
        p.config().public_url,
        crate::mail::LINK_TOKEN
    );
    let hours = ttl.num_hours();
    let (purpose_db, subject, text) = match (purpose, language) {
        (LinkPurpose::FirstAccess, "en") => (
            "first_access",
            "Access to the customer portal".to_string(),
            format!("Hello, {full_name}!\n\nAn account has been created for you in the customer portal.\nSet your password here (the link works once, for {hours} hours):\n{link}\n"),
        ),
        (LinkPurpose::FirstAccess, _) => (
            "first_access",
            "Доступ в личный кабинет".to_string(),
            format!("Здравствуйте, {full_name}!\n\nДля вас создан доступ в личный кабинет.\nЗадайте пароль по ссылке (она действует один раз, {hours} ч):\n{link}\n"),
        ),
        (LinkPurpose::PasswordReset, "en") => (
            "password_reset",
            "Password reset".to_string(),
            format!("Hello, {full_name}!\n\nSomeone asked to reset your password. If it was you, set a new one here (valid once, for {hours} hours):\n{link}\n\nIf not, ignore this letter.\n"),
        ),
        (LinkPurpose::PasswordReset, _) => (
            "password_reset",
            "Восстановление пароля".to_string(),
            format!("Здравствуйте, {full_name}!\n\nПоступил запрос на смену пароля. Если это вы, задайте новый пароль по ссылке (действует один раз, {hours} ч):\n{link}\n\nЕсли нет, просто проигнорируйте письмо.\n"),
        ),
    };
    let token_stmt = Stmt::new(sql::INSERT_ONE_TIME_TOKEN)
        .bind(&token.token_hash)
        .bind(company_id)
        .bind(user_id)
        .bind(purpose_db)
        .bind(now)
        .bind(now + ttl);
    let (mail_id, mail_stmt) = crate::mail::enqueue_with_link(
        Some(company_id),
        &Mail {
            to: email.to_string(),
            subject,
            text,
            ..Default::default()
        },
        Some(&token.id),
        now,
    );
    Ok((mail_id, vec![token_stmt, mail_stmt]))
}

#[derive(Deserialize)]
struct ResetCompleteBody {
    token: String,
    password: String,
}
impl crate::body::Body for ResetCompleteBody {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::text("token", crate::body::TOKEN),
        crate::body::Field::text("password", crate::body::PASSWORD),
    ];
}

#[derive(Deserialize)]
struct TokenRow {
    user_id: String,
    expires_at: String,
    used_at: Option<String>,
    active: i64,
}

fn link_invalid() -> AppError {
    AppError::new(
        ErrorKind::Unprocessable,
        "link-invalid",
        "Ссылка недействительна: она уже использована или истёк её срок. Запросите новую.",
        "This link is no longer valid: it was used or has expired. Request a new one.",
    )
}

/// Sets a password through a one-time link (first access or reset). Every session of the user
/// ends: whoever knew the old password is out.
pub(super) async fn reset_complete<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let body: ResetCompleteBody = req.json()?;
    if let Err(fe) = check_password_strength(&body.password) {
        return Err(AppError::validation(vec![fe]));
    }
    let now = p.now();
    let token_hash = sha256_hex(body.token.trim());
    let row: Option<TokenRow> = p
        .db()
        .first(Stmt::new(sql::ONE_TIME_TOKEN).bind(&token_hash))
        .await?;
    let Some(row) = row else {
        return Err(link_invalid());
    };
    let expired = crate::time::from_db(&row.expires_at)
        .map(|t| t <= now)
        .unwrap_or(true);
    if row.used_at.is_some() || expired || row.active == 0 {
        return Err(link_invalid());
    }
    let hash = hash_password(&body.password, p.config().pbkdf2_iterations);
    let results = p
        .db()
        .batch(vec![
            Stmt::new(sql::USE_ONE_TIME_TOKEN)
                .bind(now)
                .bind(&token_hash),
            Stmt::new(sql::SET_PASSWORD)
                .bind(hash)
                .bind(now)
                .bind(&row.user_id)
                .bind(&token_hash)
                .bind(now),
            Stmt::new(sql::EXPIRE_OTHER_TOKENS)
                .bind(now)
                .bind(&row.user_id)
                .bind(&token_hash),
            Stmt::new(sql::REVOKE_USER_SESSIONS)
                .bind(now)
                .bind(&row.user_id),
        ])
        .await?;
    // Two requests racing with one link: only the one that claimed it changed the password.
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(link_invalid());
    }
    Ok(ApiResponse::no_content())
}
