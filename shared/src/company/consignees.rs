//! The company's consignees (грузополучатели), used when placing and editing orders. Changes apply
//! at once (a new consignee is usable immediately), go to 1C, and are undone if 1C refuses.

use super::rules::ConsigneeDetails;
use super::sql;
use crate::audit_log;
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult};
use crate::http::ApiResponse;
use crate::idempotency::{Effect, Key, Ran};
use crate::ports::{Database, DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Row {
    id: String,
    name: String,
    inn: Option<String>,
    kpp: Option<String>,
    address: String,
    contact_person: Option<String>,
    phone: Option<String>,
    active: i64,
    version: i64,
    known_to_1c: i64,
    #[serde(default)]
    change: Option<super::legal::OpenChange>,
}

pub async fn list<P: Ports>(p: &P, caller: &Caller, with_archived: bool) -> AppResult<ApiResponse> {
    let mut read = p
        .db()
        .batch(vec![
            Stmt::new(sql::CONSIGNEES)
                .bind(&caller.company_id)
                .bind(with_archived as i64),
            super::legal::open_changes_stmt(&caller.company_id, "consignee"),
        ])
        .await?
        .into_iter();
    let (Some(rows), Some(open)) = (read.next(), read.next()) else {
        return Err(AppError::internal("consignee read: missing results"));
    };
    let mut rows: Vec<Row> = rows.parse()?;
    let mut open = super::legal::open_changes(open)?;
    for r in &mut rows {
        r.change = open.remove(&r.id);
    }
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "items": rows, "next_cursor": null }),
    ))
}

#[derive(Deserialize)]
struct Current {
    id: String,
    onec_id: Option<String>,
    company_onec_id: String,
    name: String,
    inn: Option<String>,
    kpp: Option<String>,
    address: String,
    contact_person: Option<String>,
    phone: Option<String>,
    active: i64,
    version: i64,
}

impl Current {
    fn details(&self) -> ConsigneeDetails {
        ConsigneeDetails {
            name: self.name.clone(),
            inn: self.inn.clone(),
            kpp: self.kpp.clone(),
            address: self.address.clone(),
            contact_person: self.contact_person.clone(),
            phone: self.phone.clone(),
        }
    }
}

async fn current<P: Ports>(p: &P, caller: &Caller, id: &str) -> AppResult<Current> {
    p.db()
        .first(Stmt::new(sql::CONSIGNEE).bind(id).bind(&caller.company_id))
        .await?
        .ok_or_else(AppError::not_found)
}

fn checked(d: &ConsigneeDetails) -> AppResult<ConsigneeDetails> {
    let d = d.normalized();
    let errors = d.validate();
    if errors.is_empty() {
        Ok(d)
    } else {
        Err(AppError::validation(errors))
    }
}

fn conflict() -> AppError {
    AppError::version_conflict(
        "Грузополучатель изменился с момента открытия. Обновите страницу.",
        "The consignee changed since you opened it. Reload the page.",
    )
}

/// The change to 1C, the audit row and the local write, all in one batch.
#[allow(clippy::too_many_arguments)]
async fn commit<P: Ports>(
    p: &P,
    caller: &Caller,
    write: Stmt,
    kind: changes::ChangeKind,
    audit_kind: &'static str,
    id: &str,
    onec_id: Option<&str>,
    company_onec_id: &str,
    base_version: i64,
    before: serde_json::Value,
    after: serde_json::Value,
    wire: &ConsigneeDetails,
    write_id: &str,
    key: &Key,
    answer: &ApiResponse,
) -> AppResult<Option<ApiResponse>> {
    let now = p.now();
    let guard = || (sql::CONSIGNEE_WRITTEN_BY, vec![id.into(), write_id.into()]);
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind,
        entity_type: "consignee",
        portal_id: id,
        onec_entity_id: onec_id.unwrap_or(""),
        base_version,
        // Flat, the same fields for every consignee kind: the consignee as it now is.
        payload: serde_json::json!({"company_id": company_onec_id, "consignee_id": onec_id, "portal_id": id,
            "name": wire.name, "inn": wire.inn, "kpp": wire.kpp, "address": wire.address,
            "contact_person": wire.contact_person, "phone": wire.phone}),
        before: before.clone(),
    };
    let (change_id, out) = changes::record(&change, now, Some(guard()));
    let entry = audit_log::Entry {
        id: &change_id,
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: audit_kind,
        entity_type: "consignee",
        entity_id: id,
        before,
        after,
    };
    let stmts = vec![write, out, audit_log::record(&entry, now, guard())];
    let results = match key
        .batch(p, stmts, Effect::row("outbox", &change_id), answer)
        .await?
    {
        Ran::Replay(stored) => return Ok(Some(stored)),
        Ran::Done(results) => results,
    };
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(conflict());
    }
    changes::wake(p, &change_id).await;
    Ok(None)
}

async fn company_onec_id<P: Ports>(p: &P, caller: &Caller) -> AppResult<String> {
    #[derive(Deserialize)]
    struct C {
        onec_id: String,
    }
    let c: C = p
        .db()
        .first(Stmt::new("SELECT onec_id FROM companies WHERE id = ?").bind(&caller.company_id))
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(c.onec_id)
}

pub async fn add<P: Ports>(
    p: &P,
    caller: &Caller,
    body: ConsigneeDetails,
    key: &Key,
) -> AppResult<ApiResponse> {
    let d = checked(&body)?;
    let id = crate::ids::new_id("csg");
    let company_onec = company_onec_id(p, caller).await?;
    let write_id = crate::ids::new_id("w");
    // Version 1 is written here; the change is based on version 0 (nothing).
    let write = Stmt::new(sql::CONSIGNEE_INSERT)
        .bind(&id)
        .bind(&caller.company_id)
        .bind(&d.name)
        .bind(d.inn.clone())
        .bind(d.kpp.clone())
        .bind(&d.address)
        .bind(d.contact_person.clone())
        .bind(d.phone.clone())
        .bind(p.now())
        .bind(&write_id);
    // The row as the list shows it, known before the write (version 1, not yet known to 1C).
    let answer = ApiResponse::json(
        201,
        &Row {
            id: id.clone(),
            name: d.name.clone(),
            inn: d.inn.clone(),
            kpp: d.kpp.clone(),
            address: d.address.clone(),
            contact_person: d.contact_person.clone(),
            phone: d.phone.clone(),
            active: 1,
            version: 1,
            known_to_1c: 0,
            change: None,
        },
    );
    let replayed = commit(
        p,
        caller,
        write,
        changes::ChangeKind::ConsigneeAdded,
        "consignee.added",
        &id,
        None,
        &company_onec,
        0,
        serde_json::Value::Null,
        serde_json::to_value(&d)?,
        &d,
        &write_id,
        key,
        &answer,
    )
    .await?;
    Ok(replayed.unwrap_or(answer))
}

#[derive(Deserialize)]
pub struct Edit {
    pub version: i64,
    #[serde(flatten)]
    pub details: ConsigneeDetails,
}
impl crate::body::Body for Edit {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::scalar("version"),
        crate::body::Field::flatten(super::rules::CONSIGNEE_FIELDS),
    ];
}

fn update(
    d: &ConsigneeDetails,
    active: bool,
    now: chrono::DateTime<chrono::Utc>,
    id: &str,
    caller: &Caller,
    version: i64,
    write_id: &str,
) -> Stmt {
    Stmt::new(sql::CONSIGNEE_UPDATE)
        .bind(&d.name)
        .bind(d.inn.clone())
        .bind(d.kpp.clone())
        .bind(&d.address)
        .bind(d.contact_person.clone())
        .bind(d.phone.clone())
        .bind(active)
        .bind(now)
        .bind(write_id)
        .bind(id)
        .bind(&caller.company_id)
        .bind(version)
}

pub async fn edit<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    body: Edit,
) -> AppResult<ApiResponse> {
    let d = checked(&body.details)?;
    let cur = current(p, caller, id).await?;
    if cur.version != body.version || cur.active == 0 {
        return Err(conflict());
    }
    let write_id = crate::ids::new_id("w");
    let write = update(&d, true, p.now(), id, caller, body.version, &write_id);
    let before = serde_json::to_value(cur.details())?;
    commit(
        p,
        caller,
        write,
        changes::ChangeKind::ConsigneeChanged,
        "consignee.changed",
        id,
        cur.onec_id.as_deref(),
        &cur.company_onec_id,
        body.version,
        before,
        serde_json::to_value(&d)?,
        &d,
        &write_id,
        &Key::none(),
        &ApiResponse::no_content(),
    )
    .await?;
    Ok(ApiResponse::no_content())
}

pub async fn archive<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    version: i64,
) -> AppResult<ApiResponse> {
    let cur = current(p, caller, id).await?;
    if cur.version != version || cur.active == 0 {
        return Err(conflict());
    }
    let d = cur.details();
    let write_id = crate::ids::new_id("w");
    let write = update(&d, false, p.now(), id, caller, version, &write_id);
    let before = serde_json::to_value(&d)?;
    commit(
        p,
        caller,
        write,
        changes::ChangeKind::ConsigneeArchived,
        "consignee.archived",
        &cur.id,
        cur.onec_id.as_deref(),
        &cur.company_onec_id,
        version,
        before,
        serde_json::json!({"active": false}),
        &d,
        &write_id,
        &Key::none(),
        &ApiResponse::no_content(),
    )
    .await?;
    Ok(ApiResponse::no_content())
}

/// What a refused `consignee.added` or `consignee.archived` undoes: the added one is archived
/// (`active` false), the archived one returns (`active` true); only if nothing changed it since.
pub fn refused_activity_stmt(
    active: bool,
    portal_id: &str,
    base_version: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Stmt {
    Stmt::new(sql::CONSIGNEE_ACTIVE_IF)
        .bind(i64::from(active))
        .bind(now)
        .bind(portal_id)
        .bind(base_version + 1)
}

/// What a refused `consignee.changed` undoes: the consignee gets its previous values back, only
/// if nothing changed it since.
pub fn refused_change_stmt(
    portal_id: &str,
    before: &serde_json::Value,
    base_version: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Stmt> {
    let d: ConsigneeDetails = serde_json::from_value(before.clone()).ok()?;
    Some(
        Stmt::new(sql::CONSIGNEE_REVERT)
            .bind(d.name)
            .bind(d.inn)
            .bind(d.kpp)
            .bind(d.address)
            .bind(d.contact_person)
            .bind(d.phone)
            .bind(now)
            .bind(portal_id)
            .bind(base_version + 1),
    )
}
