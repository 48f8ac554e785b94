//! Sign-in, sessions, one-time links and the per-request session check every capability uses.

pub mod account;
pub mod api;
pub mod links;
pub mod monitor;
pub mod password;
pub mod personal;
pub mod profile;
pub mod roles;
pub mod sql;
pub mod throttle;
pub mod token;

use crate::error::{AppError, AppResult};
use crate::http::{check_origin, Access, ApiRequest, LogContext};
use crate::ports::{DatabaseExt, Ports, Stmt};
use roles::Roles;
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub const ACCESS_COOKIE: &str = "__Host-portal_at";
/// `__Secure-`: the browser accepts it only with `Secure` from a secure origin. (Renamed from
/// `portal_rt`: the release that renamed it signed everyone out once.)
pub const REFRESH_COOKIE: &str = "__Secure-portal_rt";
/// The refresh cookie is sent only to the auth endpoints.
pub const REFRESH_COOKIE_PATH: &str = "/api/auth";

/// The verified caller of a request: everything is scoped by `company_id` from here, never
/// from request data.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub company_id: String,
    pub session_id: String,
    pub roles: Roles,
}

pub fn sha256_hex(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
struct SessionState {
    active: i64,
    security_version: i64,
    revoked_at: Option<String>,
    expires_at: String,
}

/// Checks the access token and, in one query, that the session is live, the user active and
/// their roles unchanged since the token was issued.
pub async fn authenticate<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<Caller> {
    let token = req
        .cookie(ACCESS_COOKIE)
        .ok_or_else(AppError::unauthorized)?;
    let ring = token::KeyRing::cached(p.config())?;
    let now = p.now();
    let claims = ring.verify(&token, now)?;
    let state: Option<SessionState> = p
        .db()
        .first(
            Stmt::new(sql::SESSION_STATE)
                .bind(&claims.sid)
                .bind(&claims.uid)
                .bind(&claims.cid),
        )
        .await?;
    let Some(state) = state else {
        return Err(AppError::session_expired());
    };
    let expired = crate::time::from_db(&state.expires_at)
        .map(|t| t <= now)
        .unwrap_or(true);
    if state.active == 0
        || state.revoked_at.is_some()
        || expired
        || state.security_version != claims.ver
    {
        return Err(AppError::session_expired());
    }
    let roles = Roles::parse_list(&claims.roles).map_err(|_| AppError::unauthorized())?;
    Ok(Caller {
        user_id: claims.uid,
        company_id: claims.cid,
        session_id: claims.sid,
        roles,
    })
}

/// Applies a route's access rule: 401 when not signed in, 403 when the role does not fit or a
/// state-changing request comes from another site.
pub async fn guard<P: Ports>(
    p: &P,
    req: &ApiRequest,
    access: Access,
    log: &mut LogContext,
) -> AppResult<Option<Caller>> {
    match access {
        Access::Onec | Access::CommerceMl | Access::Notification => Ok(None),
        Access::Monitor => {
            monitor::authorize(
                p.config().monitor_token.as_deref(),
                req.header("authorization"),
            )?;
            Ok(None)
        }
        Access::Public => {
            check_origin(req, &p.config().public_url)?;
            Ok(None)
        }
        Access::Roles(allowed) => {
            let caller = authenticate(p, req).await?;
            log.company_id = Some(caller.company_id.clone());
            log.user_id = Some(caller.user_id.clone());
            check_origin(req, &p.config().public_url)?;
            if !caller.roles.any_of(allowed) {
                return Err(AppError::forbidden());
            }
            Ok(Some(caller))
        }
    }
}
