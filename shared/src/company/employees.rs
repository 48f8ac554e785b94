//! An admin manages the company's employees: adds one (a one-time link to set a password), edits
//! roles and contact details, removes one who left (access ends on their next request, all their
//! sessions go; their orders and history stay). The company always keeps an active admin.

use super::rules::EmployeeDetails;
use super::sql;
use crate::audit_log;
use crate::auth::api::{one_time_link, LinkPurpose};
use crate::auth::roles::{Role, Roles};
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult, ErrorKind, FieldError};
use crate::http::ApiResponse;
use crate::idempotency::{Effect, Key, Ran};
use crate::ports::{Database, DatabaseExt, Ports, Stmt};
use chrono::Duration;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Add {
    pub email: String,
    #[serde(flatten)]
    pub details: EmployeeDetails,
    pub language: Option<String>,
}
impl crate::body::Body for Add {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::text("email", crate::body::EMAIL),
        crate::body::Field::flatten(super::rules::EMPLOYEE_FIELDS),
        crate::body::Field::choice("language"),
    ];
}

#[derive(Deserialize)]
struct Current {
    onec_id: Option<String>,
    company_onec_id: String,
    email: String,
    full_name: String,
    position: Option<String>,
    phone: Option<String>,
    active: i64,
    version: i64,
    roles: Option<String>,
}

impl Current {
    fn roles(&self) -> Roles {
        Roles::parse_list(self.roles.as_deref().unwrap_or("")).unwrap_or_default()
    }
    fn snapshot(&self) -> serde_json::Value {
        serde_json::json!({"email": self.email, "full_name": self.full_name, "position": self.position, "phone": self.phone, "roles": self.roles(), "active": self.active == 1})
    }
}

async fn current<P: Ports>(p: &P, caller: &Caller, id: &str) -> AppResult<Current> {
    p.db()
        .first(
            Stmt::new(sql::EMPLOYEE_EDITABLE)
                .bind(id)
                .bind(&caller.company_id),
        )
        .await?
        .ok_or_else(AppError::not_found)
}

fn last_admin() -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "last-admin",
        "В компании должен остаться хотя бы один администратор. Сначала назначьте другого.",
        "The company must keep at least one admin. Make someone else an admin first.",
    )
}

fn conflict() -> AppError {
    AppError::version_conflict(
        "Данные сотрудника изменились с момента открытия. Обновите страницу.",
        "The employee changed since you opened it. Reload the page.",
    )
}

pub async fn add<P: Ports>(
    p: &P,
    caller: &Caller,
    body: Add,
    key: &Key,
) -> AppResult<ApiResponse> {
    let email = crate::validate::Email::parse(&body.email);
    let details = body.details.normalized();
    let mut errors = Vec::new();
    if email.is_none() {
        errors.push(FieldError::new(
            "email",
            "invalid-email",
            "Некорректный e-mail.",
            "Not a valid e-mail.",
        ));
    }
    let roles = match details.validate() {
        Ok(r) => Some(r),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let language = body.language.as_deref().unwrap_or("ru");
    if crate::error::Lang::parse(language).is_none() {
        errors.push(FieldError::new(
            "language",
            "invalid",
            "Язык: ru или en.",
            "Language must be ru or en.",
        ));
    }
    let (Some(roles), Some(email)) = (roles.filter(|_| errors.is_empty()), email) else {
        return Err(AppError::validation(errors));
    };
    #[derive(Deserialize)]
    struct C {
        onec_id: String,
        name: String,
    }
    let company: C = p
        .db()
        .first(
            Stmt::new("SELECT onec_id, name FROM companies WHERE id = ?").bind(&caller.company_id),
        )
        .await?
        .ok_or_else(AppError::not_found)?;
    #[derive(Deserialize)]
    struct Owner {
        company_id: String,
        language: String,
    }
    let owner: Option<Owner> = p
        .db()
        .first(Stmt::new(sql::EMAIL_OWNER).bind(&email))
        .await?;
    match owner {
        // One of this company's own people: the admin sees them in the list anyway.
        Some(o) if o.company_id == caller.company_id => {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "email-taken",
                "Этот e-mail уже используется в портале.",
                "This e-mail is already used in the portal.",
            ))
        }
        // Another company's account: answered exactly like an invitation, so the admin learns
        // nothing about other companies' people, and nothing is stored (no user, no
        // `employee.added` for 1C, no audit row); the address's owner is told instead.
        Some(o) => {
            let (mail_id, stmt) = crate::mail::enqueue(
                None,
                &invite_notice(&o.language, &company.name, &email),
                p.now(),
            );
            let mut out = serde_json::json!({"email": email, "full_name": details.full_name, "position": details.position, "phone": details.phone, "roles": roles, "active": true});
            out["id"] = crate::ids::new_id("usr").into();
            out["status"] = "invited".into();
            let answer = ApiResponse::json(201, &out);
            // Stored under the key like an invitation, so a retry answers alike.
            if let Ran::Replay(stored) =
                key.batch(p, vec![stmt], Effect::row("mail_outbox", &mail_id), &answer).await?
            {
                return Ok(stored);
            }
            crate::later::after_answer(p, crate::later::Later::Mail(vec![mail_id])).await;
            return Ok(answer);
        }
        None => {}
    }
    let now = p.now();
    let id = crate::ids::new_id("usr");
    let mut stmts = vec![Stmt::new(sql::EMPLOYEE_INSERT)
        .bind(&id)
        .bind(&caller.company_id)
        .bind(&email)
        .bind(&details.full_name)
        .bind(details.position.clone())
        .bind(details.phone.clone())
        .bind(language)
        .bind(now)
        .bind(now)];
    for r in roles.iter() {
        stmts.push(
            Stmt::new(sql::ROLE_ADD)
                .bind(&caller.company_id)
                .bind(&id)
                .bind(r.as_str()),
        );
    }
    let (mail_id, link) = one_time_link(
        p,
        &id,
        &caller.company_id,
        &email,
        &details.full_name,
        language,
        LinkPurpose::FirstAccess,
        Duration::hours(p.config().invite_ttl_hours),
    )?;
    stmts.extend(link);
    let after = serde_json::json!({"email": email, "full_name": details.full_name, "position": details.position, "phone": details.phone, "roles": roles, "active": true});
    let guard = || (sql::USER_VERSION_IS, vec![id.as_str().into(), 1i64.into()]);
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::EmployeeAdded,
        entity_type: "user",
        portal_id: &id,
        onec_entity_id: "",
        base_version: 0,
        payload: changes::wire::employee(
            &company.onec_id,
            &id,
            &email,
            &details.full_name,
            details.position.as_deref(),
            details.phone.as_deref(),
            &roles.iter().map(|r| r.as_str().to_string()).collect::<Vec<_>>(),
        ),
        before: serde_json::Value::Null,
    };
    let (change_id, out) = changes::record(&change, now, Some(guard()));
    stmts.push(out);
    let entry = audit_log::Entry {
        id: &change_id,
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: "employee.added",
        entity_type: "user",
        entity_id: &id,
        before: serde_json::Value::Null,
        after: after.clone(),
    };
    stmts.push(audit_log::record(&entry, now, guard()));
    let mut out = after;
    out["id"] = id.into();
    out["status"] = "invited".into();
    let answer = ApiResponse::json(201, &out);
    if let Ran::Replay(stored) = key.batch(p, stmts, Effect::row("outbox", &change_id), &answer).await? {
        return Ok(stored);
    }
    crate::later::after_answer(p, crate::later::Later::Mail(vec![mail_id])).await;
    changes::wake(p, &change_id).await;
    Ok(answer)
}

/// To the owner of an address an admin of another company tried to invite: no link, and not
/// the name the admin typed (text from a stranger is not passed on).
fn invite_notice(language: &str, company: &str, to: &str) -> crate::ports::Mail {
    let (subject, text) = if language == "en" {
        (
            "Someone tried to add your e-mail to the customer portal",
            format!("Hello!\n\nAn administrator of «{company}» tried to add this address as an employee in the customer portal. It already signs in to an account of the portal, so nothing changed and your access is as before.\nIf you are really being invited, give the administrator another address. If not, ignore this letter.\n"),
        )
    } else {
        (
            "Попытка добавить ваш e-mail в личный кабинет",
            format!("Здравствуйте!\n\nАдминистратор компании «{company}» попытался добавить этот адрес как сотрудника в личный кабинет. С этим адресом уже входят в портал, поэтому ничего не изменилось, ваш доступ прежний.\nЕсли вас действительно приглашают, сообщите администратору другой адрес. Если нет, просто проигнорируйте письмо.\n"),
        )
    };
    crate::ports::Mail {
        to: to.to_string(),
        subject: subject.into(),
        text,
    }
}

#[derive(Deserialize)]
pub struct Edit {
    pub version: i64,
    #[serde(flatten)]
    pub details: EmployeeDetails,
}
impl crate::body::Body for Edit {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::scalar("version"),
        crate::body::Field::flatten(super::rules::EMPLOYEE_FIELDS),
    ];
}

pub async fn edit<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    body: Edit,
) -> AppResult<ApiResponse> {
    let details = body.details.normalized();
    let roles = details.validate().map_err(AppError::validation)?;
    let cur = current(p, caller, id).await?;
    if cur.active == 0 {
        return Err(AppError::not_found());
    }
    if cur.version != body.version {
        return Err(conflict());
    }
    let old_roles = cur.roles();
    let drops_admin = old_roles.has(Role::Admin) && !roles.has(Role::Admin);
    let roles_changed = old_roles != roles;
    let now = p.now();
    let new_version = body.version + 1;
    // Every other statement applies only if this request's update did.
    let write_id = crate::ids::new_id("w");
    let mut stmts = vec![Stmt::new(sql::EMPLOYEE_UPDATE)
        .bind(now)
        .bind(id)
        .bind(&caller.company_id)
        .bind(body.version)
        .bind(roles_changed as i64)
        .bind(drops_admin as i64)
        .bind(&details.full_name)
        .bind(details.position.clone())
        .bind(details.phone.clone())
        .bind(&write_id)];
    stmts.push(Stmt::new(sql::ROLES_CLEAR_IF).bind(id).bind(&write_id));
    for r in roles.iter() {
        stmts.push(
            Stmt::new(sql::ROLE_ADD_IF)
                .bind(&caller.company_id)
                .bind(id)
                .bind(r.as_str())
                .bind(&write_id),
        );
    }
    let before = cur.snapshot();
    let after = serde_json::json!({"email": cur.email, "full_name": details.full_name, "position": details.position, "phone": details.phone, "roles": roles, "active": true});
    let guard = || {
        (
            sql::USER_WRITE_IS,
            vec![id.into(), write_id.as_str().into()],
        )
    };
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::EmployeeChanged,
        entity_type: "user",
        portal_id: id,
        onec_entity_id: cur.onec_id.as_deref().unwrap_or(""),
        base_version: body.version,
        payload: changes::wire::employee(
            &cur.company_onec_id,
            id,
            &cur.email,
            &details.full_name,
            details.position.as_deref(),
            details.phone.as_deref(),
            &roles.iter().map(|r| r.as_str().to_string()).collect::<Vec<_>>(),
        ),
        before: before.clone(),
    };
    let (change_id, out) = changes::record(&change, now, Some(guard()));
    stmts.push(out);
    let entry = audit_log::Entry {
        id: &change_id,
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: if roles_changed {
            "employee.roles_changed"
        } else {
            "employee.changed"
        },
        entity_type: "user",
        entity_id: id,
        before,
        after: after.clone(),
    };
    stmts.push(audit_log::record(&entry, now, guard()));
    let results = p.db().batch(stmts).await?;
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        // Not applied: someone changed the employee meanwhile, or it would leave no admin.
        let again = current(p, caller, id).await?;
        return Err(if again.version != body.version {
            conflict()
        } else {
            last_admin()
        });
    }
    changes::wake(p, &change_id).await;
    let mut out = after;
    out["id"] = id.into();
    out["version"] = new_version.into();
    Ok(ApiResponse::json(200, &out))
}

pub async fn remove<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    version: i64,
) -> AppResult<ApiResponse> {
    let cur = current(p, caller, id).await?;
    if cur.active == 0 {
        return Err(AppError::not_found());
    }
    if cur.version != version {
        return Err(conflict());
    }
    let now = p.now();
    // Every other statement applies only if this request's update did.
    let write_id = crate::ids::new_id("w");
    let before = cur.snapshot();
    let guard = || {
        (
            sql::USER_WRITE_IS,
            vec![id.into(), write_id.as_str().into()],
        )
    };
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::EmployeeRemoved,
        entity_type: "user",
        portal_id: id,
        onec_entity_id: cur.onec_id.as_deref().unwrap_or(""),
        base_version: version,
        payload: serde_json::json!({"company_id": cur.company_onec_id, "portal_id": id, "email": cur.email}),
        before: before.clone(),
    };
    let (change_id, out) = changes::record(&change, now, Some(guard()));
    let entry = audit_log::Entry {
        id: &change_id,
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: "employee.removed",
        entity_type: "user",
        entity_id: id,
        before,
        after: serde_json::json!({"active": false}),
    };
    let stmts = vec![
        Stmt::new(sql::EMPLOYEE_DEACTIVATE)
            .bind(now)
            .bind(id)
            .bind(&caller.company_id)
            .bind(version)
            .bind(&write_id),
        Stmt::new(sql::SESSIONS_REVOKE_IF)
            .bind(now)
            .bind(id)
            .bind(&write_id),
        out,
        audit_log::record(&entry, now, guard()),
    ];
    let results = p.db().batch(stmts).await?;
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        let again = current(p, caller, id).await?;
        return Err(if again.version != version {
            conflict()
        } else {
            last_admin()
        });
    }
    changes::wake(p, &change_id).await;
    Ok(ApiResponse::no_content())
}
