//! A legal entity's details: the admin proposes, 1C decides. The accepted values stay as they are
//! until 1C accepts; meanwhile the page shows the proposal beside them, and 1C's reason if it
//! refuses.

use super::rules::LegalEntityDetails;
use super::sql;
use crate::audit_log;
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::ApiResponse;
use crate::ports::{Database, DatabaseExt, Ports, Stmt, StmtResult};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A change to an entity that 1C has not accepted (yet).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OpenChange {
    /// `waiting` (for 1C), `received` (1C stored it, a manager decides), `rejected` (with 1C's
    /// reason) or `failed` (could not be delivered); see `changes::Fate::state`.
    pub state: String,
    pub values: serde_json::Value,
    pub reason: Option<String>,
    pub since: String,
}

#[derive(Deserialize)]
struct OpenRow {
    entity_id: String,
    status: String,
    payload: String,
    answer: Option<String>,
    created_at: String,
    answered_at: Option<String>,
}

/// The newest not-accepted change per entity of a type, by the entity's portal id. Read it in
/// the same batch as the entities (one snapshot): read apart, a refusal could show beside values
/// it has already rolled back, or the other way round.
pub fn open_changes_stmt(company_id: &str, entity_type: &str) -> Stmt {
    Stmt::new(sql::OPEN_CHANGES)
        .bind(company_id)
        .bind(entity_type)
}

/// What a change proposes: its flat payload without the ids that say what it is about (a row
/// recorded before the payloads were flat nests it under `details`).
fn proposed(payload: &serde_json::Value) -> serde_json::Value {
    if payload["details"].is_object() {
        return payload["details"].clone();
    }
    let mut v = payload.clone();
    if let Some(m) = v.as_object_mut() {
        for k in ["company_id", "legal_entity_id", "portal_id", "consignee_id"] {
            m.remove(k);
        }
    }
    v
}

/// The rows of [`open_changes_stmt`], by entity id.
pub fn open_changes(result: StmtResult) -> AppResult<HashMap<String, OpenChange>> {
    let rows: Vec<OpenRow> = result.parse()?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let wire: serde_json::Value = serde_json::from_str(&r.payload).unwrap_or_default();
            let answer: serde_json::Value = r
                .answer
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_default();
            let state = changes::Fate {
                status: r.status,
                answer: r.answer.clone(),
                created_at: r.created_at.clone(),
                answered_at: r.answered_at.clone(),
                applied_at: None,
            }
            .state();
            let change = OpenChange {
                state: state.into(),
                values: proposed(&wire["payload"]),
                reason: answer["reason"].as_str().map(str::to_string),
                since: r.answered_at.unwrap_or(r.created_at),
            };
            (r.entity_id, change)
        })
        .collect())
}

#[derive(Deserialize, Serialize)]
struct Current {
    id: String,
    onec_id: String,
    company_onec_id: String,
    name: String,
    full_name: Option<String>,
    inn: Option<String>,
    kpp: Option<String>,
    ogrn: Option<String>,
    legal_address: Option<String>,
    postal_address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    bank_accounts: String,
    version: i64,
}

impl Current {
    fn details(&self) -> LegalEntityDetails {
        LegalEntityDetails {
            name: self.name.clone(),
            full_name: self.full_name.clone(),
            inn: self.inn.clone().unwrap_or_default(),
            kpp: self.kpp.clone(),
            ogrn: self.ogrn.clone(),
            legal_address: self.legal_address.clone(),
            postal_address: self.postal_address.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            bank_accounts: serde_json::from_str(&self.bank_accounts).unwrap_or_default(),
        }
    }
}

#[derive(Deserialize)]
pub struct Edit {
    pub version: i64,
    #[serde(flatten)]
    pub details: LegalEntityDetails,
}
impl crate::body::Body for Edit {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::scalar("version"),
        crate::body::Field::flatten(super::rules::LEGAL_ENTITY_FIELDS),
    ];
}

fn stale(current: &Current) -> AppError {
    AppError::version_conflict(
        "Реквизиты изменились с момента открытия. Проверьте их и отправьте снова.",
        "The details changed since you opened them. Check them and send again.",
    )
    .with_extra(
        "current",
        serde_json::json!({"version": current.version, "details": current.details()}),
    )
}

/// Sends the proposed details to 1C (`company.changed`), based on the version the admin saw.
/// Refused while an earlier proposal for the same legal entity still waits for 1C.
pub async fn edit<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    edit: Edit,
) -> AppResult<ApiResponse> {
    let details = edit.details.normalized();
    let errors = details.validate();
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let current: Current = p
        .db()
        .first(
            Stmt::new(sql::LEGAL_ENTITY)
                .bind(id)
                .bind(&caller.company_id),
        )
        .await?
        .ok_or_else(AppError::not_found)?;
    if current.version != edit.version {
        return Err(stale(&current));
    }
    let before = current.details();
    if before == details {
        return Err(AppError::bad_request(
            "nothing-changed",
            "Реквизиты не изменились.",
            "Nothing changed.",
        ));
    }
    let now = p.now();
    let guard = || {
        (
            sql::NO_OPEN_CHANGE_AND_VERSION,
            vec![
                caller.company_id.as_str().into(),
                "legal_entity".into(),
                id.into(),
                id.into(),
                edit.version.into(),
            ],
        )
    };
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::CompanyChanged,
        entity_type: "legal_entity",
        portal_id: id,
        onec_entity_id: &current.onec_id,
        base_version: edit.version,
        payload: {
            // Flat: the ids, then the proposed details.
            let mut v = serde_json::json!({"company_id": current.company_onec_id, "legal_entity_id": current.onec_id});
            if let (Some(m), serde_json::Value::Object(d)) = (v.as_object_mut(), serde_json::to_value(&details)?) {
                m.extend(d);
            }
            v
        },
        before: serde_json::to_value(&before)?,
    };
    let (change_id, out) = changes::record(&change, now, Some(guard()));
    let entry = audit_log::Entry {
        id: &change_id,
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: "legal_entity.change_requested",
        entity_type: "legal_entity",
        entity_id: id,
        before: serde_json::to_value(&before)?,
        after: serde_json::to_value(&details)?,
    };
    // Written only if the change was: the outbox row exists.
    let audit_guard = (
        "EXISTS (SELECT 1 FROM outbox WHERE id = ?)",
        vec![change_id.as_str().into()],
    );
    let results = p
        .db()
        .batch(vec![out, audit_log::record(&entry, now, audit_guard)])
        .await?;
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "change-pending",
            "Предыдущее изменение реквизитов ещё ждёт ответа 1С.",
            "An earlier change of these details is still waiting for 1C.",
        ));
    }
    changes::wake(p, &change_id).await;
    Ok(ApiResponse::json(
        202,
        &serde_json::json!({"change_id": change_id, "change": {"state": "waiting", "values": details, "reason": null, "since": crate::time::to_db(now)}}),
    ))
}

/// What an accepted `company.changed` does: the proposal becomes the accepted details at once
/// (1C's next company snapshot says the same).
pub fn accepted_stmt(
    portal_id: &str,
    wire_payload: &serde_json::Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Stmt> {
    let d: LegalEntityDetails = serde_json::from_value(proposed(wire_payload)).ok()?;
    Some(
        Stmt::new(sql::LEGAL_ENTITY_APPLY)
            .bind(d.name)
            .bind(d.full_name)
            .bind(d.inn)
            .bind(d.kpp)
            .bind(d.ogrn)
            .bind(d.legal_address)
            .bind(d.postal_address)
            .bind(d.phone)
            .bind(d.email)
            .bind(serde_json::to_string(&d.bank_accounts).unwrap_or_else(|_| "[]".into()))
            .bind(now)
            .bind(portal_id),
    )
}
