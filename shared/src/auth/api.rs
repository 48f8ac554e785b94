//! The `auth` capability's HTTP API: its routes, sign-in and out, refresh, the current user.
//! Forgotten passwords and first access by one-time link are `links`, the profile `profile`,
//! the account settings `account`.

use super::password::{dummy_hash, verify_password};
use super::roles::Roles;
use super::token::{KeyRing, SessionClaims};
use super::{
    sha256_hex, sql, throttle, Caller, ACCESS_COOKIE, REFRESH_COOKIE, REFRESH_COOKIE_PATH,
};
use crate::error::{AppError, AppResult, ErrorKind, FieldError};
use crate::http::{finish, match_route, Access, ApiRequest, ApiResponse, LogContext, Route};
use crate::ports::{Database, DatabaseExt, Ports, Stmt};
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// Where other modules (company, the exchange's inbox, `later`) have taken them from.
pub use super::links::{one_time_link, reset_link, LinkPurpose};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H {
    SignIn,
    SignOut,
    Refresh,
    Me,
    ResetRequest,
    ResetComplete,
    Profile,
    PasswordChange,
    EmailChange,
    EmailConfirm,
    Preferences,
    Notifications,
    NotificationsSet,
    Unsubscribe,
    UnsubscribeApply,
    Consent,
    MyData,
}

pub const ROUTES: &[Route<H>] = &[
    Route {
        method: "POST",
        path: "/api/auth/sign-in",
        access: Access::Public,
        handler: H::SignIn,
    },
    Route {
        method: "POST",
        path: "/api/auth/sign-out",
        access: Access::Public,
        handler: H::SignOut,
    },
    Route {
        method: "POST",
        path: "/api/auth/refresh",
        access: Access::Public,
        handler: H::Refresh,
    },
    Route {
        method: "GET",
        path: "/api/auth/me",
        access: Access::Roles(&[]),
        handler: H::Me,
    },
    // 152-ФЗ (super::personal): consent to the privacy policy, the user's own data as a file.
    Route {
        method: "POST",
        path: "/api/auth/consent",
        access: Access::Roles(&[]),
        handler: H::Consent,
    },
    Route {
        method: "GET",
        path: "/api/auth/me/data",
        access: Access::Roles(&[]),
        handler: H::MyData,
    },
    Route {
        method: "POST",
        path: "/api/auth/password-reset-requests",
        access: Access::Public,
        handler: H::ResetRequest,
    },
    Route {
        method: "POST",
        path: "/api/auth/password-resets",
        access: Access::Public,
        handler: H::ResetComplete,
    },
    Route {
        method: "PATCH",
        path: "/api/auth/profile",
        access: Access::Roles(&[]),
        handler: H::Profile,
    },
    Route {
        method: "POST",
        path: "/api/auth/password-change",
        access: Access::Roles(&[]),
        handler: H::PasswordChange,
    },
    Route {
        method: "POST",
        path: "/api/auth/email-changes",
        access: Access::Roles(&[]),
        handler: H::EmailChange,
    },
    // Opened from the mail, possibly on a device where the user is not signed in.
    Route {
        method: "POST",
        path: "/api/auth/email-changes/confirmations",
        access: Access::Public,
        handler: H::EmailConfirm,
    },
    Route {
        method: "PATCH",
        path: "/api/auth/preferences",
        access: Access::Roles(&[]),
        handler: H::Preferences,
    },
    // Notification preferences per event type (crate::notify::prefs).
    Route {
        method: "GET",
        path: "/api/auth/notifications",
        access: Access::Roles(&[]),
        handler: H::Notifications,
    },
    Route {
        method: "PUT",
        path: "/api/auth/notifications",
        access: Access::Roles(&[]),
        handler: H::NotificationsSet,
    },
    // A mail's signed unsubscribe link: GET confirms, POST applies (also the mail client's
    // one-click POST, which has no Origin: the token is the credential).
    Route {
        method: "GET",
        path: "/api/auth/notifications/unsubscribe",
        access: Access::Public,
        handler: H::Unsubscribe,
    },
    Route {
        method: "POST",
        path: "/api/auth/notifications/unsubscribe",
        access: Access::Notification,
        handler: H::UnsubscribeApply,
    },
];

/// The most a request body may hold, by route (crate::http::body_limit).
pub fn body_limit(req: &ApiRequest) -> Option<usize> {
    crate::http::body_limit(ROUTES, req, |_| crate::http::SMALL_BODY)
}

pub async fn handle<P: Ports>(p: &P, req: ApiRequest) -> ApiResponse {
    let mut log = LogContext::default();
    let result = route(p, &req, &mut log).await;
    finish(&req, result, log)
}

async fn route<P: Ports>(p: &P, req: &ApiRequest, log: &mut LogContext) -> AppResult<ApiResponse> {
    let (r, _params) = match_route(ROUTES, req)?;
    crate::changes::stock_only::refuse(p.config(), r.method, r.path)?;
    log.route = Some(r.path);
    let caller = super::guard(p, req, r.access, log).await?;
    match r.handler {
        H::SignIn => sign_in(p, req, log).await,
        H::SignOut => sign_out(p, req).await,
        H::Refresh => refresh(p, req, log).await,
        H::Me => me(p, caller.as_ref().ok_or_else(AppError::unauthorized)?).await,
        H::ResetRequest => super::links::reset_request(p, req).await,
        H::ResetComplete => super::links::reset_complete(p, req).await,
        H::Profile => {
            super::profile::profile(p, req, caller.as_ref().ok_or_else(AppError::unauthorized)?)
                .await
        }
        H::PasswordChange => {
            super::account::change_password(
                p,
                req,
                caller.as_ref().ok_or_else(AppError::unauthorized)?,
            )
            .await
        }
        H::EmailChange => {
            super::account::request_email_change(
                p,
                req,
                caller.as_ref().ok_or_else(AppError::unauthorized)?,
            )
            .await
        }
        H::EmailConfirm => super::account::confirm_email_change(p, req).await,
        H::Preferences => {
            super::account::set_preferences(
                p,
                req,
                caller.as_ref().ok_or_else(AppError::unauthorized)?,
            )
            .await
        }
        H::Notifications => {
            crate::notify::prefs::get(p, caller.as_ref().ok_or_else(AppError::unauthorized)?).await
        }
        H::NotificationsSet => {
            let caller = caller.as_ref().ok_or_else(AppError::unauthorized)?;
            crate::notify::prefs::put(p, req, caller).await
        }
        H::Unsubscribe => crate::notify::unsubscribe::confirm_page(p, req).await,
        H::UnsubscribeApply => crate::notify::unsubscribe::apply(p, req).await,
        H::Consent => {
            let caller = caller.as_ref().ok_or_else(AppError::unauthorized)?;
            super::personal::accept(p, req, caller).await
        }
        H::MyData => {
            super::personal::export(p, caller.as_ref().ok_or_else(AppError::unauthorized)?).await
        }
    }
}

fn invalid_credentials() -> AppError {
    AppError::new(
        ErrorKind::Unauthorized,
        "invalid-credentials",
        "Неверный e-mail или пароль.",
        "Wrong e-mail or password.",
    )
}

fn session_cookies(
    access: &str,
    refresh: Option<&str>,
    p_access_ttl: i64,
    p_refresh_ttl: i64,
) -> Vec<(String, String)> {
    let mut v = vec![(
        "set-cookie".to_string(),
        format!("{ACCESS_COOKIE}={access}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={p_access_ttl}"),
    )];
    if let Some(r) = refresh {
        v.push((
            "set-cookie".to_string(),
            format!("{REFRESH_COOKIE}={r}; Path={REFRESH_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict; Max-Age={p_refresh_ttl}"),
        ));
    }
    v
}

fn clear_cookies() -> Vec<(String, String)> {
    vec![
        ("set-cookie".into(), format!("{ACCESS_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")),
        ("set-cookie".into(), format!("{REFRESH_COOKIE}=; Path={REFRESH_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict; Max-Age=0")),
    ]
}

#[derive(Deserialize)]
struct SignInBody {
    email: String,
    password: String,
}
impl crate::body::Body for SignInBody {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::text("email", crate::body::EMAIL),
        crate::body::Field::text("password", crate::body::PASSWORD),
    ];
}

#[derive(Deserialize)]
struct UserForSignIn {
    id: String,
    company_id: String,
    active: i64,
    password_hash: Option<String>,
    security_version: i64,
    roles: Option<String>,
}

#[derive(Serialize)]
struct SignedIn {
    user_id: String,
    company_id: String,
    roles: Roles,
    access_expires_at: String,
}

async fn sign_in<P: Ports>(
    p: &P,
    req: &ApiRequest,
    log: &mut LogContext,
) -> AppResult<ApiResponse> {
    let body: SignInBody = req.json()?;
    let email = crate::validate::Email::normalized(&body.email);
    let mut errors = Vec::new();
    if email.is_empty() || email.len() > 254 {
        errors.push(FieldError::new(
            "email",
            "required",
            "Укажите e-mail.",
            "Enter your e-mail.",
        ));
    }
    if body.password.is_empty() || body.password.len() > super::password::MAX_PASSWORD_BYTES {
        errors.push(FieldError::new(
            "password",
            "required",
            "Укажите пароль.",
            "Enter your password.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let cfg = p.config();
    let now = p.now();
    // Counted before the password is checked: at most the limit of attempts reach PBKDF2.
    let keys = throttle::Keys::sign_in(cfg, &email, req.client_ip.as_deref());
    throttle::admit(p, &keys).await?;

    let user: Option<UserForSignIn> = p
        .db()
        .first(Stmt::new(sql::USER_BY_EMAIL).bind(&email))
        .await?;
    // Verify against a dummy hash when there is no usable account: same cost, same answer.
    let stored = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash(cfg.pbkdf2_iterations));
    let password_ok = verify_password(&body.password, &stored);
    let user = match user {
        Some(u) if password_ok && u.active == 1 && u.password_hash.is_some() => u,
        _ => return Err(invalid_credentials()),
    };
    let roles =
        Roles::parse_list(user.roles.as_deref().unwrap_or("")).map_err(AppError::internal)?;
    log.user_id = Some(user.id.clone());
    log.company_id = Some(user.company_id.clone());

    let session_id = crate::ids::new_id("ses");
    let refresh = crate::ids::new_secret_token();
    let refresh_expires = now + Duration::seconds(cfg.refresh_ttl_secs);
    let mut stmts = vec![
        Stmt::new(sql::INSERT_SESSION)
            .bind(&session_id)
            .bind(&user.company_id)
            .bind(&user.id)
            .bind(sha256_hex(&refresh))
            .bind(now)
            .bind(now)
            .bind(refresh_expires),
        Stmt::new(sql::TOUCH_SIGN_IN).bind(now).bind(&user.id),
    ];
    stmts.extend(throttle::succeeded(&keys));
    p.db().batch(stmts).await?;
    let claims = SessionClaims {
        uid: user.id.clone(),
        cid: user.company_id.clone(),
        sid: session_id,
        roles: roles.to_list(),
        ver: user.security_version,
    };
    let access = KeyRing::cached(cfg)?.sign(&claims, now, cfg.access_ttl_secs)?;
    let mut resp = ApiResponse::json(
        200,
        &SignedIn {
            user_id: user.id,
            company_id: user.company_id,
            roles,
            access_expires_at: crate::time::to_db(now + Duration::seconds(cfg.access_ttl_secs)),
        },
    );
    resp.headers.extend(session_cookies(
        &access,
        Some(&refresh),
        cfg.access_ttl_secs,
        cfg.refresh_ttl_secs,
    ));
    Ok(resp)
}

/// Ends the session named by the access token, or failing that by the refresh cookie, and clears
/// both cookies. Works with an expired access token, so a user can always sign out.
async fn sign_out<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let now = p.now();
    let ring = KeyRing::cached(p.config())?;
    let sid = req
        .cookie(ACCESS_COOKIE)
        .and_then(|t| ring.verify(&t, now).ok())
        .map(|c| c.sid);
    if let Some(sid) = sid {
        p.db()
            .exec(Stmt::new(sql::REVOKE_SESSION).bind(now).bind(&sid))
            .await?;
    }
    if let Some(rt) = req.cookie(REFRESH_COOKIE).filter(|s| !s.is_empty()) {
        p.db()
            .exec(
                Stmt::new(sql::REVOKE_SESSION_BY_REFRESH)
                    .bind(now)
                    .bind(sha256_hex(&rt)),
            )
            .await?;
    }
    let mut resp = ApiResponse::no_content();
    resp.headers.extend(clear_cookies());
    // The browser drops what it kept of this user: the service worker's saved pages and data.
    resp.headers.push(("clear-site-data".into(), "\"cache\", \"storage\"".into()));
    Ok(resp)
}

#[derive(Deserialize)]
struct RefreshRow {
    session_id: String,
    expires_at: String,
    revoked_at: Option<String>,
    last_used_at: String,
    rotated_at: Option<String>,
    /// 1 when the presented token is the session's current one, 0 when it is the one replaced.
    current: i64,
    user_id: String,
    company_id: String,
    active: i64,
    security_version: i64,
    roles: Option<String>,
}

/// How long after a rotation the replaced refresh token still gets an access token (two tabs
/// refreshing at once); after it, presenting it means it was copied: the session ends.
pub const REFRESH_GRACE_SECS: i64 = 10;

fn refresh_refused(req: &ApiRequest) -> ApiResponse {
    let mut resp = ApiResponse::problem(&AppError::session_expired(), req.lang());
    resp.headers.extend(clear_cookies());
    resp
}

/// A new access token from the refresh cookie, with the user's current roles, and a new refresh
/// token (the presented one is replaced). Refused once the session is revoked, expired or idle
/// for longer than `REFRESH_IDLE_SECS`, or the user or company deactivated. The replaced token
/// within the grace gets an access token only; later it revokes the session.
async fn refresh<P: Ports>(
    p: &P,
    req: &ApiRequest,
    log: &mut LogContext,
) -> AppResult<ApiResponse> {
    let cfg = p.config();
    let now = p.now();
    let rt = req
        .cookie(REFRESH_COOKIE)
        .filter(|s| !s.is_empty())
        .ok_or_else(AppError::unauthorized)?;
    let hash = sha256_hex(&rt);
    // A second pass only when a parallel refresh rotated this token between read and update.
    let mut lost_race = false;
    let (row, new_refresh) = loop {
        let row: Option<RefreshRow> = p
            .db()
            .first(Stmt::new(sql::SESSION_BY_REFRESH).bind(&hash))
            .await?;
        let Some(row) = row else {
            return Err(AppError::session_expired());
        };
        let after = |at: &str, secs: i64| {
            crate::time::from_db(at)
                .map(|t| t + Duration::seconds(secs) <= now)
                .unwrap_or(true)
        };
        if row.revoked_at.is_some() || after(&row.expires_at, 0) || row.active == 0 {
            return Ok(refresh_refused(req));
        }
        // Idle too long, or a replaced token presented after the grace (reuse): the session ends.
        let end_session = || async {
            p.db()
                .exec(
                    Stmt::new(sql::REVOKE_SESSION)
                        .bind(now)
                        .bind(&row.session_id),
                )
                .await
                .map(|_| refresh_refused(req))
        };
        if after(&row.last_used_at, cfg.refresh_idle_secs) {
            return end_session().await;
        }
        if row.current == 0 {
            let in_grace = row
                .rotated_at
                .as_deref()
                .and_then(crate::time::from_db)
                .is_some_and(|t| now <= t + Duration::seconds(REFRESH_GRACE_SECS));
            if !in_grace {
                return end_session().await;
            }
            break (row, None);
        }
        if lost_race {
            return Ok(refresh_refused(req));
        }
        let next = crate::ids::new_secret_token();
        let rotated = p
            .db()
            .exec(
                Stmt::new(sql::ROTATE_REFRESH)
                    .bind(sha256_hex(&next))
                    .bind(now)
                    .bind(&row.session_id)
                    .bind(&hash),
            )
            .await?;
        if rotated == 1 {
            break (row, Some(next));
        }
        lost_race = true;
    };
    log.user_id = Some(row.user_id.clone());
    log.company_id = Some(row.company_id.clone());
    let roles =
        Roles::parse_list(row.roles.as_deref().unwrap_or("")).map_err(AppError::internal)?;
    let claims = SessionClaims {
        uid: row.user_id.clone(),
        cid: row.company_id.clone(),
        sid: row.session_id,
        roles: roles.to_list(),
        ver: row.security_version,
    };
    let access = KeyRing::cached(cfg)?.sign(&claims, now, cfg.access_ttl_secs)?;
    let mut resp = ApiResponse::json(
        200,
        &SignedIn {
            user_id: row.user_id,
            company_id: row.company_id,
            roles,
            access_expires_at: crate::time::to_db(now + Duration::seconds(cfg.access_ttl_secs)),
        },
    );
    resp.headers.extend(session_cookies(
        &access,
        new_refresh.as_deref(),
        cfg.access_ttl_secs,
        cfg.refresh_ttl_secs,
    ));
    Ok(resp)
}

#[derive(Deserialize, Serialize)]
struct MeRow {
    id: String,
    email: String,
    full_name: String,
    position: Option<String>,
    phone: Option<String>,
    language: String,
    last_sign_in_at: Option<String>,
    company_id: String,
    company_name: String,
    roles: Option<String>,
    version: i64,
}

pub(super) async fn me<P: Ports>(p: &P, caller: &Caller) -> AppResult<ApiResponse> {
    let row: MeRow = p
        .db()
        .first(
            Stmt::new(sql::ME)
                .bind(&caller.user_id)
                .bind(&caller.company_id),
        )
        .await?
        .ok_or_else(AppError::not_found)?;
    let roles =
        Roles::parse_list(row.roles.as_deref().unwrap_or("")).map_err(AppError::internal)?;
    let sync = crate::changes::sync_state(p, &caller.company_id, "user", &caller.user_id).await?;
    let consent = super::personal::consent_state(p, caller).await?;
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({
            "consent_required": consent["consent_required"],
            "privacy_policy_version": consent["privacy_policy_version"],
            // 1C without the extension (docs/exchange/stock-only.md): the pages hide what
            // only the extension takes to 1C.
            "stock_only": p.config().onec_delivery == crate::config::Delivery::Commerceml,
            "user": {
                "id": row.id, "email": row.email, "full_name": row.full_name, "position": row.position,
                "phone": row.phone, "language": row.language, "roles": roles, "last_sign_in_at": row.last_sign_in_at,
                "version": row.version, "sync": sync,
            },
            "company": { "id": row.company_id, "name": row.company_name },
        }),
    ))
}
