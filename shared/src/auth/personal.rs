//! 152-ФЗ beyond where data sits: consent to the privacy policy at first sign-in, a user's own
//! personal data exported on request, an employee's personal data erased on request, and the
//! retention purges the sweeper runs. What accounting law needs (orders, documents, payments,
//! returns) names the user only by id and stays; see docs/personal-data.md.

use super::sql::{
    CONSENT_OF, CONSENT_SET, ERASE_USER, EXPORT_AUDIT, EXPORT_ORDERS, EXPORT_PREFS, EXPORT_PROFILE,
    EXPORT_SESSIONS, GUARD, PURGE_AUDIT, PURGE_MAIL, PURGE_SESSIONS, TARGET,
};
use super::Caller;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{Database, DatabaseExt, Ports, SqlValue, Stmt};
use chrono::Duration;
use serde::{Deserialize, Serialize};

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
        .first(
            Stmt::new(CONSENT_OF)
                .bind(&caller.user_id)
                .bind(&caller.company_id),
        )
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
    let sessions: Vec<serde_json::Value> = p
        .db()
        .all(Stmt::new(EXPORT_SESSIONS).bind(u).bind(c))
        .await?;
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
    let orders: Vec<serde_json::Value> =
        p.db().all(Stmt::new(EXPORT_ORDERS).bind(u).bind(c)).await?;
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
    let guarded = |sql: &str| -> Stmt { Stmt::dynamic(format!("{sql} AND {GUARD}")) };
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
        g(
            guarded("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
                .bind(now)
                .bind(id),
        ),
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
            (
                GUARD,
                vec![SqlValue::from(id), SqlValue::from(write_id.as_str())],
            ),
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
            .exec(Stmt::new(PURGE_AUDIT).bind(now - Duration::days(cfg.audit_personal_keep_days)))
            .await?,
    })
}
