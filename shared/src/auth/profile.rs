//! The user's own profile (name, position, phone): applied at once and sent to 1C as
//! `employee.changed`.

use super::{sql, Caller};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{Database, DatabaseExt, Ports, Stmt};
/// A phone, loosely (people write them many ways): digits with `+ ( ) -` and spaces, 5 to 15.
use crate::validate::phone_ok;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct ProfileBody {
    full_name: String,
    position: Option<String>,
    phone: Option<String>,
    /// The version the edit is based on.
    version: i64,
}
impl crate::body::Body for ProfileBody {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::text("full_name", crate::body::NAME),
        crate::body::Field::text("position", crate::body::POSITION),
        crate::body::Field::text("phone", crate::body::PHONE),
        crate::body::Field::scalar("version"),
    ];
}

#[derive(Deserialize, Serialize)]
struct ProfileRow {
    onec_id: Option<String>,
    company_onec_id: String,
    full_name: String,
    position: Option<String>,
    phone: Option<String>,
    version: i64,
    #[serde(skip_serializing)]
    email: String,
    #[serde(skip_serializing)]
    roles: Option<String>,
}

/// The user edits their name, position and phone. Applied at once, sent to 1C as
/// `employee.changed` with the version it was based on; an edit based on an old version is a 409
/// with the current profile. If 1C refuses, the previous values come back.
pub(super) async fn profile<P: Ports>(
    p: &P,
    req: &ApiRequest,
    caller: &Caller,
) -> AppResult<ApiResponse> {
    let body: ProfileBody = req.json()?;
    let full_name = body.full_name.trim().to_string();
    let position = body
        .position
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let phone = body
        .phone
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let mut errors = Vec::new();
    if full_name.is_empty() || full_name.chars().count() > 300 {
        errors.push(FieldError::new(
            "full_name",
            "required",
            "Укажите ФИО (до 300 символов).",
            "Enter your full name (up to 300 characters).",
        ));
    }
    if position.as_ref().is_some_and(|s| s.chars().count() > 200) {
        errors.push(FieldError::new(
            "position",
            "too-long",
            "Должность: до 200 символов.",
            "Position: up to 200 characters.",
        ));
    }
    if phone.as_ref().is_some_and(|s| !phone_ok(s)) {
        errors.push(FieldError::new(
            "phone",
            "invalid-phone",
            "Телефон: цифры, пробелы и знаки + ( ) -, от 5 до 15 цифр.",
            "Phone: digits, spaces and + ( ) -, 5 to 15 digits.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let now = p.now();
    let current: ProfileRow = p
        .db()
        .first(
            Stmt::new(sql::PROFILE)
                .bind(&caller.user_id)
                .bind(&caller.company_id),
        )
        .await?
        .ok_or_else(AppError::not_found)?;
    if current.version != body.version {
        return Err(AppError::version_conflict(
            "Профиль изменился с момента открытия. Проверьте данные и сохраните снова.",
            "The profile changed since you opened it. Check it and save again.",
        )
        .with_extra("current", serde_json::to_value(&current)?));
    }
    let before = serde_json::json!({"full_name": current.full_name, "position": current.position, "phone": current.phone});
    let after = serde_json::json!({"full_name": full_name, "position": position, "phone": phone});
    // The outbox and audit rows are written only if this request's versioned update took effect.
    let write_id = crate::ids::new_id("w");
    let guard = || {
        (
            sql::USER_WRITE_IS,
            vec![caller.user_id.as_str().into(), write_id.as_str().into()],
        )
    };
    let mut stmts = vec![Stmt::new(sql::PROFILE_UPDATE)
        .bind(&full_name)
        .bind(position.clone())
        .bind(phone.clone())
        .bind(now)
        .bind(&write_id)
        .bind(&caller.user_id)
        .bind(&caller.company_id)
        .bind(body.version)];
    let mut change_id = None;
    if let Some(onec_id) = &current.onec_id {
        let change = crate::changes::NewChange {
            company_id: &caller.company_id,
            user_id: Some(&caller.user_id),
            kind: crate::changes::ChangeKind::EmployeeChanged,
            entity_type: "user",
            portal_id: &caller.user_id,
            onec_entity_id: onec_id,
            base_version: body.version,
            payload: crate::changes::wire::employee(
                &current.company_onec_id,
                &caller.user_id,
                &current.email,
                &full_name,
                position.as_deref(),
                phone.as_deref(),
                &crate::auth::Roles::parse_list(current.roles.as_deref().unwrap_or(""))
                    .unwrap_or_default()
                    .iter()
                    .map(|r| r.as_str().to_string())
                    .collect::<Vec<_>>(),
            ),
            before: before.clone(),
        };
        let (id, stmt) = crate::changes::record(&change, now, Some(guard()));
        stmts.push(stmt);
        change_id = Some(id);
    }
    let audit_id = change_id
        .clone()
        .unwrap_or_else(|| crate::ids::new_id("aud"));
    let (g, gp) = guard();
    let mut audit = Stmt::dynamic(format!("{} WHERE {g}", crate::audit_log::INSERT_SELECT))
        .bind(&audit_id)
        .bind(&caller.company_id)
        .bind(&caller.user_id)
        .bind(now)
        .bind("profile.changed")
        .bind("user")
        .bind(&caller.user_id)
        .bind(before.to_string())
        .bind(after.to_string());
    for v in gp {
        audit = audit.bind(v);
    }
    stmts.push(audit);
    let results = p.db().batch(stmts).await?;
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(AppError::version_conflict(
            "Профиль изменился с момента открытия. Проверьте данные и сохраните снова.",
            "The profile changed since you opened it. Check it and save again.",
        ));
    }
    if let Some(id) = &change_id {
        crate::changes::wake(p, id).await;
    }
    super::api::me(p, caller).await
}
