//! 152-ФЗ beyond where data sits: consent to the privacy policy at first sign-in, a user's own
//! personal data exported on request, an employee's personal data erased on request, and the
//! retention purges the sweeper runs. What accounting law needs (orders, documents, payments,
//! returns) names the user only by id and stays; see docs/personal-data.md.

use super::Caller;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{Database, DatabaseExt, Ports, SqlValue, Stmt};
use chrono::Duration;
use serde::{Deserialize, Serialize};

const CONSENT_OF: &str = "SELECT pd_consent_version, pd_consent_at FROM users WHERE id = ? AND company_id = ?";

/// Idempotent: accepting the version already accepted keeps the first time.
const CONSENT_SET: &str = "UPDATE users SET pd_consent_version = ?1, pd_consent_at = ?2 \
     WHERE id = ?3 AND company_id = ?4 AND pd_consent_version IS NOT ?1";

#[derive(Deserialize)]
struct Consent {
    pd_consent_version: Option<String>,
    pd_consent_at: Option<String>,
}

#[derive(Deserialize)]
struct ConsentBody {
    version: String,
}
impl crate::body::Body for ConsentBody {
    const FIELDS: &'static [crate::body::Field] =
        &[crate::body::Field::text("version", crate::body::ID)];
}

/// What `GET /api/auth/me` adds: whether the current policy still waits for the user's consent.
pub async fn consent_state<P: Ports>(p: &P, caller: &Caller) -> AppResult<serde_json::Value> {
    let c: Consent = p
        .db()
        .first(Stmt::new(CONSENT_OF).bind(&caller.user_id).bind(&caller.company_id))
        .await?
        .ok_or_else(AppError::not_found)?;
    let current = &p.config().privacy_policy_version;
    Ok(serde_json::json!({
        "consent_required": c.pd_consent_version.as_deref() != Some(current.as_str()),
        "privacy_policy_version": current,
        "consent": {"version": c.pd_consent_version, "accepted_at": c.pd_consent_at},
    }))
}

/// `POST /api/auth/consent {version}`: the user accepts the policy they were shown. A version
/// other than the current one (the policy changed while the dialog was open) is a 409.
pub async fn accept<P: Ports>(p: &P, req: &ApiRequest, caller: &Caller) -> AppResult<ApiResponse> {
    let body: ConsentBody = req.json()?;
    let current = p.config().privacy_policy_version.clone();
    if body.version.trim() != current {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "policy-version-changed",
            "Политика обработки персональных данных изменилась. Прочитайте новую редакцию.",
            "The privacy policy has changed. Read the new version.",
        ));
    }
    p.db()
        .exec(
            Stmt::new(CONSENT_SET)
                .bind(current.as_str())
                .bind(p.now())
                .bind(&caller.user_id)
                .bind(&caller.company_id),
        )
        .await?;
    Ok(ApiResponse::json(200, &consent_state(p, caller).await?))
}

const EXPORT_PROFILE: &str = "SELECT u.id, u.email, u.full_name, u.position, u.phone, u.language, u.active, \
       u.last_sign_in_at, u.created_at, u.updated_at, u.pd_consent_version, u.pd_consent_at, \
       c.id AS company_id, c.name AS company_name, \
       (SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
     FROM users u JOIN companies c ON c.id = u.company_id WHERE u.id = ? AND u.company_id = ?";
/// No token or token hash: only what tells the user where and when they were signed in.
const EXPORT_SESSIONS: &str = "SELECT id, created_at, last_used_at, expires_at, revoked_at FROM sessions \
     WHERE user_id = ? AND company_id = ? ORDER BY created_at DESC LIMIT 1000";
const EXPORT_PREFS: &str = "SELECT event, choice, updated_at FROM notification_prefs \
     WHERE user_id = ? AND company_id = ? ORDER BY event";
/// Entries made by the user or about the user, in their own company only.
const EXPORT_AUDIT: &str = "SELECT id, at, kind, entity_type, entity_id, COALESCE(user_id = ?1, 0) AS by_user, before_json, after_json \
     FROM audit_log WHERE company_id = ?2 AND (user_id = ?1 OR (entity_type = 'user' AND entity_id = ?1)) \
     ORDER BY at DESC LIMIT 5000";
const EXPORT_ORDERS: &str = "SELECT id, number, ordered_at FROM orders WHERE author_user_id = ? AND company_id = ? \
     ORDER BY ordered_at DESC LIMIT 100000";

#[derive(Deserialize, Serialize)]
struct AuditRow {
    id: String,
    at: String,
    kind: String,
    entity_type: String,
    entity_id: String,
    by_user: i64,
    before_json: Option<String>,
    after_json: Option<String>,
}

fn parsed(s: Option<String>) -> serde_json::Value {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// `GET /api/auth/me/data`: the signed-in user's own personal data as a JSON download.
pub async fn export<P: Ports>(p: &P, caller: &Caller) -> AppResult<ApiResponse> {
    let (u, c) = (caller.user_id.as_str(), caller.company_id.as_str());
    let profile: serde_json::Value = p
        .db()
        .first(Stmt::new(EXPORT_PROFILE).bind(u).bind(c))
        .await?
        .ok_or_else(AppError::not_found)?;
    let sessions: Vec<serde_json::Value> =
        p.db().all(Stmt::new(EXPORT_SESSIONS).bind(u).bind(c)).await?;
    let prefs: Vec<serde_json::Value> = p.db().all(Stmt::new(EXPORT_PREFS).bind(u).bind(c)).await?;
    let audit: Vec<AuditRow> = p.db().all(Stmt::new(EXPORT_AUDIT).bind(u).bind(c)).await?;
    let audit: Vec<serde_json::Value> = audit
        .into_iter()
        .map(|a| {
            serde_json::json!({"id": a.id, "at": a.at, "kind": a.kind, "entity_type": a.entity_type,
                "entity_id": a.entity_id, "by_user": a.by_user == 1,
                "before": parsed(a.before_json), "after": parsed(a.after_json)})
        })
        .collect();
    let orders: Vec<serde_json::Value> = p.db().all(Stmt::new(EXPORT_ORDERS).bind(u).bind(c)).await?;
    let out = serde_json::json!({
        "exported_at": crate::time::to_db(p.now()),
        "privacy_policy_version": p.config().privacy_policy_version,
        "profile": profile,
        "sessions": sessions,
        "notification_preferences": prefs,
        "audit": audit,
        "orders_authored": orders,
    });
    Ok(ApiResponse::json(200, &out)
        .with_header(
            "content-disposition",
            "attachment; filename=\"personal-data.json\"",
        )
        .with_header("cache-control", "no-store"))
}

/// The placeholder an erased user's e-mail becomes: unique (the column is) and undeliverable.
pub fn erased_email(user_id: &str) -> String {
    format!("erased-{user_id}@erased.invalid")
}

#[derive(Deserialize)]
struct Target {
    email: String,
    active: i64,
    erased_at: Option<String>,
    version: i64,
}

const TARGET: &str =
    "SELECT email, active, erased_at, version FROM users WHERE id = ? AND company_id = ?";
const GUARD: &str = "EXISTS (SELECT 1 FROM users WHERE id = ? AND write_id = ?)";
/// Only a removed employee (access already ended, 1C told by `employee.removed`) is erased.
const ERASE_USER: &str = "UPDATE users SET email = ?1, full_name = '—', position = NULL, phone = NULL, \
       password_hash = NULL, erased_at = ?2, updated_at = ?2, version = version + 1, \
       security_version = security_version + 1, write_id = ?3 \
     WHERE id = ?4 AND company_id = ?5 AND version = ?6 AND active = 0 AND erased_at IS NULL";

/// `POST /api/company/employees/{id}/erasure?version=`: an admin erases a removed employee's
/// personal data at their request (or the supplier's). The name, e-mail (a unique placeholder),
/// position, phone and password go; sessions are ended; notification preferences, notifications
/// and mail addressed to them are deleted; audit entries about them lose their before/after.
/// Orders, documents, payments and returns keep the user id. Repeating it is a 204 again.
pub async fn erase<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    version: i64,
) -> AppResult<ApiResponse> {
    let t: Target = p
        .db()
        .first(Stmt::new(TARGET).bind(id).bind(&caller.company_id))
        .await?
        .ok_or_else(AppError::not_found)?;
    if t.erased_at.is_some() {
        return Ok(ApiResponse::no_content());
    }
    if t.active != 0 {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "remove-first",
            "Сначала удалите сотрудника из компании, затем удалите его персональные данные.",
            "Remove the employee from the company first, then erase their personal data.",
        ));
    }
    if t.version != version {
        return Err(AppError::version_conflict(
            "Данные сотрудника изменились с момента открытия. Обновите страницу.",
            "The employee changed since you opened it. Reload the page.",
        ));
    }
    let now = p.now();
    let write_id = crate::ids::new_id("w");
    let guarded = |sql: &str| -> Stmt {
        Stmt::dynamic(format!("{sql} AND {GUARD}"))
    };
    let g = |s: Stmt| s.bind(id).bind(write_id.as_str());
    let entry = crate::audit_log::Entry {
        id: &crate::ids::new_id("aud"),
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: "employee.erased",
        entity_type: "user",
        entity_id: id,
        before: serde_json::Value::Null,
        after: serde_json::json!({"erased": true}),
    };
    let stmts = vec![
        Stmt::new(ERASE_USER)
            .bind(erased_email(id))
            .bind(now)
            .bind(write_id.as_str())
            .bind(id)
            .bind(&caller.company_id)
            .bind(version),
        g(guarded("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
            .bind(now)
            .bind(id)),
        g(guarded("DELETE FROM notification_prefs WHERE user_id = ?").bind(id)),
        g(guarded("DELETE FROM notifications WHERE user_id = ?").bind(id)),
        g(guarded("DELETE FROM mail_outbox WHERE to_addr = ?").bind(t.email.as_str())),
        g(guarded("DELETE FROM one_time_tokens WHERE user_id = ?").bind(id)),
        g(guarded("DELETE FROM email_changes WHERE user_id = ?").bind(id)),
        g(guarded(
            "UPDATE audit_log SET before_json = NULL, after_json = NULL \
             WHERE company_id = ? AND entity_type = 'user' AND entity_id = ?",
        )
        .bind(&caller.company_id)
        .bind(id)),
        crate::audit_log::record(
            &entry,
            now,
            (GUARD, vec![SqlValue::from(id), SqlValue::from(write_id.as_str())]),
        ),
    ];
    let results = p.db().batch(stmts).await?;
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(AppError::version_conflict(
            "Данные сотрудника изменились с момента открытия. Обновите страницу.",
            "The employee changed since you opened it. Reload the page.",
        ));
    }
    Ok(ApiResponse::no_content())
}

/// What one retention purge removed.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct PurgeReport {
    /// Sessions revoked or expired more than `SESSIONS_KEEP_DAYS` ago, deleted.
    pub sessions: u64,
    /// Mails sent (or given up) more than `MAIL_KEEP_DAYS` ago, deleted (address and subject).
    pub mails: u64,
    /// Audit entries about people and consignees older than `AUDIT_PERSONAL_KEEP_DAYS` whose
    /// before/after (names, e-mails, phones) were blanked; the entry itself stays.
    pub audit_entries: u64,
}

const PURGE_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at < ?1 OR revoked_at < ?1";
const PURGE_MAIL: &str = "DELETE FROM mail_outbox WHERE (sent_at IS NOT NULL AND sent_at < ?1) \
     OR (sent_at IS NULL AND attempts >= 20 AND created_at < ?1)";
const PURGE_AUDIT: &str = "UPDATE audit_log SET before_json = NULL, after_json = NULL \
     WHERE at < ? AND entity_type IN ('user', 'consignee') \
       AND (before_json IS NOT NULL OR after_json IS NOT NULL)";

/// The sweeper's retention step (crate::exchange::sweep).
pub async fn purge<P: Ports>(p: &P) -> AppResult<PurgeReport> {
    let cfg = p.config();
    let now = p.now();
    let db = p.db();
    Ok(PurgeReport {
        sessions: db
            .exec(Stmt::new(PURGE_SESSIONS).bind(now - Duration::days(cfg.sessions_keep_days)))
            .await?,
        mails: db
            .exec(Stmt::new(PURGE_MAIL).bind(now - Duration::days(cfg.mail_keep_days)))
            .await?,
        audit_entries: db
            .exec(
                Stmt::new(PURGE_AUDIT).bind(now - Duration::days(cfg.audit_personal_keep_days)),
            )
            .await?,
    })
}
