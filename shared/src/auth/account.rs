//! What a signed-in user changes about their own account: password (the current one required;
//! every other session ends), e-mail (takes effect only from a link sent to the new address) and
//! language.

use super::password::{check_password_strength, hash_password, verify_password};
use super::{sha256_hex, throttle, Caller};
use crate::error::{AppError, AppResult, ErrorKind, FieldError};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{Database, DatabaseExt, Mail, Ports, Stmt};
use chrono::Duration;
use serde::Deserialize;

/// How long an e-mail confirmation link works.
pub const EMAIL_LINK_HOURS: i64 = 24;

mod sql {
    pub const ACCOUNT: &str = "SELECT email, full_name, language, password_hash FROM users WHERE id = ? AND company_id = ? AND active = 1";
    pub const CHANGE_PASSWORD: &str =
        "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?";
    pub const REVOKE_OTHER_SESSIONS: &str = "UPDATE sessions SET revoked_at = ?1 WHERE user_id = ?2 AND id <> ?3 AND revoked_at IS NULL";
    pub const EMAIL_OWNER: &str = "SELECT language FROM users WHERE email = ?";
    pub const EMAIL_CHANGE_INSERT: &str = "INSERT INTO email_changes (token_hash, company_id, user_id, new_email, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)";
    pub const EMAIL_CHANGE: &str = "SELECT e.user_id, e.company_id, e.new_email, e.expires_at, e.used_at, u.active, u.email AS old_email, u.full_name, u.language, \
           u.onec_id, u.version, c.onec_id AS company_onec_id, u.position, u.phone, \
           (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
         FROM email_changes e JOIN users u ON u.id = e.user_id JOIN companies c ON c.id = e.company_id WHERE e.token_hash = ?";
    /// Claims the link: only one request can use it.
    pub const EMAIL_CHANGE_USE: &str =
        "UPDATE email_changes SET used_at = ? WHERE token_hash = ? AND used_at IS NULL";
    pub const EMAIL_SET: &str = "UPDATE users SET email = ?1, version = version + 1, updated_at = ?2, write_id = ?5 \
         WHERE id = ?3 AND EXISTS (SELECT 1 FROM email_changes WHERE token_hash = ?4 AND used_at = ?2) \
           AND NOT EXISTS (SELECT 1 FROM users WHERE email = ?1)";
    /// The e-mail update of this batch took effect (its write id, not the version: that is also
    /// base + 1 after a parallel profile edit).
    pub const USER_WRITE_IS: &str = "EXISTS (SELECT 1 FROM users WHERE id = ? AND write_id = ?)";
    pub const LANGUAGE_SET: &str = "UPDATE users SET language = ?, updated_at = ? WHERE id = ?";
}

#[derive(Deserialize)]
struct Account {
    email: String,
    full_name: String,
    language: String,
    password_hash: Option<String>,
}

async fn account<P: Ports>(p: &P, caller: &Caller) -> AppResult<Account> {
    p.db()
        .first(
            Stmt::new(sql::ACCOUNT)
                .bind(&caller.user_id)
                .bind(&caller.company_id),
        )
        .await?
        .ok_or_else(AppError::unauthorized)
}

fn wrong_password() -> AppError {
    AppError::validation(vec![FieldError::new(
        "current_password",
        "wrong-password",
        "Текущий пароль указан неверно.",
        "The current password is wrong.",
    )])
}

fn audit(
    id: &str,
    company_id: &str,
    user_id: &str,
    now: chrono::DateTime<chrono::Utc>,
    kind: &str,
    before: Option<String>,
    after: String,
) -> Stmt {
    Stmt::dynamic(format!("{} WHERE 1", crate::audit_log::INSERT_SELECT))
        .bind(id)
        .bind(company_id)
        .bind(user_id)
        .bind(now)
        .bind(kind)
        .bind("user")
        .bind(user_id)
        .bind(before)
        .bind(after)
}

#[derive(Deserialize)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}
impl crate::body::Body for PasswordChange {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::text("current_password", crate::body::PASSWORD),
        crate::body::Field::text("new_password", crate::body::PASSWORD),
    ];
}

/// Changes the password; every other session of the user ends, this one stays.
pub async fn change_password<P: Ports>(
    p: &P,
    req: &ApiRequest,
    caller: &Caller,
) -> AppResult<ApiResponse> {
    let body: PasswordChange = req.json()?;
    let keys = throttle::Keys::reauth(p.config(), &caller.user_id);
    throttle::admit(p, &keys).await?;
    let acc = account(p, caller).await?;
    let Some(stored) = acc.password_hash else {
        return Err(wrong_password());
    };
    if !verify_password(&body.current_password, &stored) {
        return Err(wrong_password());
    }
    p.db().batch(throttle::succeeded(&keys)).await?;
    if let Err(mut fe) = check_password_strength(&body.new_password) {
        fe.field = "new_password".into();
        return Err(AppError::validation(vec![fe]));
    }
    let now = p.now();
    let hash = hash_password(&body.new_password, p.config().pbkdf2_iterations);
    let results = p
        .db()
        .batch(vec![
            Stmt::new(sql::CHANGE_PASSWORD)
                .bind(hash)
                .bind(now)
                .bind(&caller.user_id)
                .bind(&stored),
            Stmt::new(sql::REVOKE_OTHER_SESSIONS)
                .bind(now)
                .bind(&caller.user_id)
                .bind(&caller.session_id),
            audit(
                &crate::ids::new_id("aud"),
                &caller.company_id,
                &caller.user_id,
                now,
                "password.changed",
                None,
                "{}".into(),
            ),
        ])
        .await?;
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(wrong_password());
    }
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"other_sessions_ended": results.get(1).map(|r| r.changes).unwrap_or(0)}),
    ))
}

#[derive(Deserialize)]
struct EmailChangeRequest {
    new_email: String,
    password: String,
}
impl crate::body::Body for EmailChangeRequest {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::text("new_email", crate::body::EMAIL),
        crate::body::Field::text("password", crate::body::PASSWORD),
    ];
}

fn email_taken() -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "email-taken",
        "Этот e-mail уже используется в портале.",
        "This e-mail is already used in the portal.",
    )
}

/// Sends a confirmation link to the new address; nothing changes until it is followed.
pub async fn request_email_change<P: Ports>(
    p: &P,
    req: &ApiRequest,
    caller: &Caller,
) -> AppResult<ApiResponse> {
    let body: EmailChangeRequest = req.json()?;
    let Some(new_email) = crate::validate::Email::parse(&body.new_email) else {
        return Err(AppError::validation(vec![FieldError::new(
            "new_email",
            "invalid-email",
            "Некорректный e-mail.",
            "Not a valid e-mail.",
        )]));
    };
    // Counted before the password is checked, on the same per-user budget as a password change.
    let keys = throttle::Keys::reauth(p.config(), &caller.user_id);
    throttle::admit(p, &keys).await?;
    let acc = account(p, caller).await?;
    if !acc
        .password_hash
        .as_deref()
        .is_some_and(|h| verify_password(&body.password, h))
    {
        return Err(AppError::validation(vec![FieldError::new(
            "password",
            "wrong-password",
            "Пароль указан неверно.",
            "The password is wrong.",
        )]));
    }
    p.db().batch(throttle::succeeded(&keys)).await?;
    // Their own address: nothing to hide.
    if new_email == acc.email {
        return Err(email_taken());
    }
    let now = p.now();
    let requested = audit(
        &crate::ids::new_id("aud"),
        &caller.company_id,
        &caller.user_id,
        now,
        "email.change_requested",
        Some(serde_json::json!({"email": acc.email}).to_string()),
        serde_json::json!({"email": new_email}).to_string(),
    );
    #[derive(Deserialize)]
    struct Owner {
        language: String,
    }
    if let Some(owner) = p
        .db()
        .first::<Owner>(Stmt::new(sql::EMAIL_OWNER).bind(&new_email))
        .await?
    {
        // Another account's address: answered like any other, so the answer does not tell
        // whether the address has an account; no link is made, the address's owner is told.
        let (mail_id, mail) = crate::mail::enqueue(
            Some(&caller.company_id),
            &taken_notice(&owner.language, &new_email),
            now,
        );
        p.db().batch(vec![mail, requested]).await?;
        crate::later::after_answer(p, crate::later::Later::Mail(vec![mail_id])).await;
        return Ok(ApiResponse::json(
            202,
            &serde_json::json!({"sent_to": new_email}),
        ));
    }
    // The token is written nowhere: see `crate::mail`.
    let token = crate::mail::new_link(p.config())?;
    let link = format!(
        "{}/confirm-email#token={}",
        p.config().public_url,
        crate::mail::LINK_TOKEN
    );
    let (subject, text) = if acc.language == "en" {
        ("Confirm your new e-mail", format!("Hello, {}!\n\nTo use this address for the customer portal, open this link (valid once, for {EMAIL_LINK_HOURS} hours):\n{link}\n\nIf you did not ask for it, ignore this letter.\n", acc.full_name))
    } else {
        ("Подтвердите новый e-mail", format!("Здравствуйте, {}!\n\nЧтобы входить в личный кабинет с этим адресом, откройте ссылку (действует один раз, {EMAIL_LINK_HOURS} ч):\n{link}\n\nЕсли вы этого не запрашивали, проигнорируйте письмо.\n", acc.full_name))
    };
    let (mail_id, mail) = crate::mail::enqueue_with_link(
        Some(&caller.company_id),
        &Mail {
            to: new_email.to_string(),
            subject: subject.into(),
            text,
            ..Default::default()
        },
        Some(&token.id),
        now,
    );
    p.db()
        .batch(vec![
            Stmt::new(sql::EMAIL_CHANGE_INSERT)
                .bind(&token.token_hash)
                .bind(&caller.company_id)
                .bind(&caller.user_id)
                .bind(&new_email)
                .bind(now)
                .bind(now + Duration::hours(EMAIL_LINK_HOURS)),
            mail,
            requested,
        ])
        .await?;
    crate::later::after_answer(p, crate::later::Later::Mail(vec![mail_id])).await;
    Ok(ApiResponse::json(
        202,
        &serde_json::json!({"sent_to": new_email}),
    ))
}

/// To the owner of an address someone asked to sign in with: nothing to follow.
fn taken_notice(language: &str, to: &str) -> Mail {
    let (subject, text) = if language == "en" {
        (
            "Someone asked to use your e-mail in the customer portal",
            "Hello!\n\nSomeone asked the customer portal to make this address the sign-in e-mail of another account. It already signs in to your account, so nothing changed.\nIf this was not you, ignore this letter.\n",
        )
    } else {
        (
            "Запрос на использование вашего e-mail",
            "Здравствуйте!\n\nВ личном кабинете попросили сделать этот адрес e-mail для входа другой учётной записи. С ним уже входят в вашу учётную запись, поэтому ничего не изменилось.\nЕсли это были не вы, просто проигнорируйте письмо.\n",
        )
    };
    Mail {
        to: to.to_string(),
        subject: subject.into(),
        text: text.into(),
        ..Default::default()
    }
}

#[derive(Deserialize)]
struct Confirm {
    token: String,
}
impl crate::body::Body for Confirm {
    const FIELDS: &'static [crate::body::Field] =
        &[crate::body::Field::text("token", crate::body::TOKEN)];
}

#[derive(Deserialize)]
struct ChangeRow {
    user_id: String,
    company_id: String,
    new_email: String,
    expires_at: String,
    used_at: Option<String>,
    active: i64,
    old_email: String,
    full_name: String,
    language: String,
    onec_id: Option<String>,
    version: i64,
    company_onec_id: String,
    position: Option<String>,
    phone: Option<String>,
    roles: Option<String>,
}

/// `admin,buyer` as the list 1C is sent.
fn role_list(stored: Option<&str>) -> Vec<String> {
    crate::auth::Roles::parse_list(stored.unwrap_or(""))
        .unwrap_or_default()
        .iter()
        .map(|r| r.as_str().to_string())
        .collect()
}

fn link_invalid() -> AppError {
    AppError::new(
        ErrorKind::Unprocessable,
        "link-invalid",
        "Ссылка недействительна: она уже использована или истёк её срок. Запросите новую.",
        "This link is no longer valid: it was used or has expired. Request a new one.",
    )
}

/// Follows the link: the new address becomes the sign-in e-mail, 1C hears of it, and the old
/// address is told (so a hijack does not go unnoticed).
pub async fn confirm_email_change<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let body: Confirm = req.json()?;
    let now = p.now();
    let token_hash = sha256_hex(body.token.trim());
    let row: ChangeRow = p
        .db()
        .first(Stmt::new(sql::EMAIL_CHANGE).bind(&token_hash))
        .await?
        .ok_or_else(link_invalid)?;
    let expired = crate::time::from_db(&row.expires_at)
        .map(|t| t <= now)
        .unwrap_or(true);
    if row.used_at.is_some() || expired || row.active == 0 {
        return Err(link_invalid());
    }
    let write_id = crate::ids::new_id("w");
    let guard = || {
        (
            sql::USER_WRITE_IS,
            vec![row.user_id.as_str().into(), write_id.as_str().into()],
        )
    };
    let before = serde_json::json!({"email": row.old_email});
    let after = serde_json::json!({"email": row.new_email});
    let (subject, text) = if row.language == "en" {
        ("Your sign-in e-mail was changed", format!("Hello, {}!\n\nThe customer portal now signs you in as {}. If this was not you, contact your company's administrator at once.\n", row.full_name, row.new_email))
    } else {
        ("E-mail для входа изменён", format!("Здравствуйте, {}!\n\nТеперь вы входите в личный кабинет как {}. Если это были не вы, срочно обратитесь к администратору компании.\n", row.full_name, row.new_email))
    };
    let (mail_id, mail) = crate::mail::enqueue(
        Some(&row.company_id),
        &Mail {
            to: row.old_email.clone(),
            subject: subject.into(),
            text,
            ..Default::default()
        },
        now,
    );
    let mut stmts = vec![
        Stmt::new(sql::EMAIL_CHANGE_USE).bind(now).bind(&token_hash),
        Stmt::new(sql::EMAIL_SET)
            .bind(&row.new_email)
            .bind(now)
            .bind(&row.user_id)
            .bind(&token_hash)
            .bind(&write_id),
        mail,
    ];
    let audit_id = crate::ids::new_id("aud");
    let mut change_id = None;
    if let Some(onec_id) = &row.onec_id {
        let change = crate::changes::NewChange {
            company_id: &row.company_id,
            user_id: Some(&row.user_id),
            kind: crate::changes::ChangeKind::EmployeeChanged,
            entity_type: "user",
            portal_id: &row.user_id,
            onec_entity_id: onec_id,
            base_version: row.version,
            payload: crate::changes::wire::employee(
                &row.company_onec_id,
                &row.user_id,
                &row.new_email,
                &row.full_name,
                row.position.as_deref(),
                row.phone.as_deref(),
                &role_list(row.roles.as_deref()),
            ),
            before: before.clone(),
        };
        let (id, stmt) = crate::changes::record(&change, now, Some(guard()));
        stmts.push(stmt);
        change_id = Some(id);
    }
    let (g, gp) = guard();
    let mut a = Stmt::dynamic(format!("{} WHERE {g}", crate::audit_log::INSERT_SELECT))
        .bind(change_id.clone().unwrap_or(audit_id))
        .bind(&row.company_id)
        .bind(&row.user_id)
        .bind(now)
        .bind("email.changed")
        .bind("user")
        .bind(&row.user_id)
        .bind(before.to_string())
        .bind(after.to_string());
    for v in gp {
        a = a.bind(v);
    }
    stmts.push(a);
    let results = p.db().batch(stmts).await?;
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(link_invalid());
    }
    if results.get(1).map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(email_taken());
    }
    crate::later::after_answer(p, crate::later::Later::Mail(vec![mail_id])).await;
    if let Some(id) = &change_id {
        crate::changes::wake(p, id).await;
    }
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"email": row.new_email}),
    ))
}

#[derive(Deserialize)]
struct Preferences {
    language: String,
}
impl crate::body::Body for Preferences {
    const FIELDS: &'static [crate::body::Field] = &[crate::body::Field::choice("language")];
}

pub async fn set_preferences<P: Ports>(
    p: &P,
    req: &ApiRequest,
    caller: &Caller,
) -> AppResult<ApiResponse> {
    let body: Preferences = req.json()?;
    if crate::error::Lang::parse(&body.language).is_none() {
        return Err(AppError::validation(vec![FieldError::new(
            "language",
            "invalid",
            "Язык: ru или en.",
            "Language must be ru or en.",
        )]));
    }
    p.db()
        .exec(
            Stmt::new(sql::LANGUAGE_SET)
                .bind(body.language.as_str())
                .bind(p.now())
                .bind(&caller.user_id),
        )
        .await?;
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"language": body.language}),
    ))
}
