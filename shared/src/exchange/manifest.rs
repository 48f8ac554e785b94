//! Full resync, 1C's half: a manifest (`POST /exchange/v1/manifest`) lists, for one message type
//! and optionally one company, the entities 1C holds with the `seq` of each one's last snapshot;
//! the portal answers which it lacks (`missing`), which it holds at a lower `seq` (`stale`), which
//! it holds at a higher one (`ahead`: 1C's numbering went back, e.g. after a restore on 1C's
//! side) and, for a complete manifest of one company, which it holds that 1C did not list
//! (`unknown`). 1C then resends the missing and stale ones as ordinary messages. "Held" is the
//! sequence guard's row (`inbound_seq`): that is what decides whether a resent snapshot applies.
//! docs/exchange/1c-contract.md, section 8; the portal's half (asking 1C to resend a company) is
//! the `resync.requested` change ([`request_resync`]).

use super::contract::MessageType;
use super::sql;
use crate::error::{AppError, AppResult, FieldError};
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Most items one manifest may list (1C pages through a larger set, one call per page).
pub const MAX_ITEMS: usize = 1000;
/// Most `unknown` ids one answer lists (`unknown_truncated` says when there are more).
pub const MAX_UNKNOWN: usize = 1000;

/// The message types a manifest may name: every type that carries a per-entity `seq` of its
/// own (an `answer`'s entity is a change, not 1C data).
pub fn entity_types() -> Vec<MessageType> {
    super::contract::MESSAGE_TYPES
        .iter()
        .copied()
        .filter(|t| *t != MessageType::Answer)
        .collect()
}

/// The types whose entities belong to one company: a manifest of them may be scoped to a
/// company, and a resync of a company resends them. Products, calendars and the supplier's own
/// organisations are no company's.
pub fn company_types() -> Vec<MessageType> {
    entity_types()
        .into_iter()
        .filter(|t| {
            !matches!(
                t,
                MessageType::Product | MessageType::ShippingCalendar | MessageType::Organisation
            )
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct ManifestIn {
    pub entity_type: String,
    /// 1C's company id: the items are that company's entities of the type.
    pub company_id: Option<String>,
    /// The items are everything 1C holds of the type for `company_id` (one call: at most
    /// [`MAX_ITEMS`]); only then does the answer list `unknown`.
    #[serde(default)]
    pub complete: bool,
    pub items: Vec<ItemIn>,
}

#[derive(Debug, Deserialize)]
pub struct ItemIn {
    pub id: String,
    pub seq: i64,
}

const ITEM: &[crate::body::Field] = &[
    crate::body::Field::text("id", crate::body::ID),
    crate::body::Field::scalar("seq"),
];

// Closed, unlike the messages: a misspelt `company_id` or `complete` would silently answer a
// different question (docs/exchange/1c-contract.md, section 8).
impl crate::body::Body for ManifestIn {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::choice("entity_type"),
        crate::body::Field::text("company_id", crate::body::ID),
        crate::body::Field::scalar("complete"),
        crate::body::Field::list("items", &crate::body::Kind::Object(ITEM)),
    ];
}

/// An entity with the `seq` the portal holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Held {
    pub id: String,
    pub seq: i64,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ManifestAnswer {
    pub entity_type: String,
    pub company_id: Option<String>,
    /// Listed by 1C, not held by the portal: 1C resends them.
    pub missing: Vec<String>,
    /// Held at a lower `seq` than 1C's: 1C resends them.
    pub stale: Vec<Held>,
    /// Held at a higher `seq` than 1C's: a snapshot 1C sends with its own `seq` would be ignored;
    /// 1C must number above the portal's.
    pub ahead: Vec<Held>,
    /// Complete manifests only: held by the portal for the company, not listed by 1C.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<Vec<String>>,
    /// More `unknown` ids than the answer lists.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown_truncated: bool,
}

/// Decodes a manifest as 1C sends it (a leading BOM allowed), refusing unknown fields (422).
pub fn decode(body: &[u8]) -> AppResult<ManifestIn> {
    let value: serde_json::Value =
        serde_json::from_slice(super::api::strip_bom(body)).map_err(AppError::malformed_json)?;
    let errors = crate::body::check(
        &value,
        <ManifestIn as crate::body::Body>::FIELDS,
        <ManifestIn as crate::body::Body>::TOLERANT,
    );
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    serde_json::from_value(value).map_err(AppError::malformed_json)
}

fn invalid(field: &str, code: &'static str, ru: &str, en: &str) -> FieldError {
    FieldError::new(field, code, ru, en)
}

/// The checks a decoded manifest must pass; every problem at once (422).
pub fn check(m: &ManifestIn) -> AppResult<MessageType> {
    let mut errs = Vec::new();
    let kind = MessageType::parse(&m.entity_type).filter(|t| entity_types().contains(t));
    if kind.is_none() {
        errs.push(invalid(
            "entity_type",
            "invalid-entity-type",
            "тип сообщения с seq (не answer)",
            "a message type that carries seq (not answer)",
        ));
    }
    if let (Some(k), Some(_)) = (kind, &m.company_id) {
        if !company_types().contains(&k) {
            errs.push(invalid(
                "company_id",
                "not-company-scoped",
                "товары, календари отгрузок и организации поставщика не принадлежат компании",
                "products, shipping calendars and the supplier's organisations belong to no company",
            ));
        }
    }
    if m.company_id.as_deref().is_some_and(|c| c.trim().is_empty()) {
        errs.push(invalid(
            "company_id",
            "required",
            "пустой id компании",
            "empty company id",
        ));
    }
    if m.complete && m.company_id.is_none() {
        errs.push(invalid(
            "complete",
            "needs-company",
            "полный манифест — это манифест одной компании",
            "a complete manifest is one company's",
        ));
    }
    if m.items.len() > MAX_ITEMS {
        errs.push(invalid(
            "items",
            "too-many",
            &format!("не более {MAX_ITEMS} элементов за вызов; остальные следующими вызовами"),
            &format!("at most {MAX_ITEMS} items per call; send the rest in further calls"),
        ));
    }
    let mut seen = HashSet::new();
    for (i, it) in m.items.iter().enumerate() {
        if errs.len() >= 20 {
            break;
        }
        if it.id.trim().is_empty() {
            errs.push(invalid(
                &format!("items[{i}].id"),
                "required",
                "пустой id",
                "empty id",
            ));
        } else if !seen.insert(it.id.as_str()) {
            errs.push(invalid(
                &format!("items[{i}].id"),
                "duplicate",
                "указан дважды",
                "listed twice",
            ));
        }
        if it.seq < 1 {
            errs.push(invalid(
                &format!("items[{i}].seq"),
                "out-of-range",
                "seq не меньше 1",
                "seq is at least 1",
            ));
        }
    }
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    Ok(kind.expect("checked above"))
}

/// What the portal lacks or holds differently, for a checked manifest.
pub async fn answer<P: Ports>(
    p: &P,
    m: &ManifestIn,
    kind: MessageType,
) -> AppResult<ManifestAnswer> {
    let ids: Vec<&str> = m.items.iter().map(|i| i.id.as_str()).collect();
    let ids_json = serde_json::to_string(&ids)?;
    let held: Vec<Held> = p
        .db()
        .all(
            Stmt::new(sql::MANIFEST_HELD)
                .bind(kind.as_str())
                .bind(&ids_json),
        )
        .await?;
    let held: HashMap<String, i64> = held.into_iter().map(|h| (h.id, h.seq)).collect();
    let (mut missing, mut stale, mut ahead) = (Vec::new(), Vec::new(), Vec::new());
    for it in &m.items {
        match held.get(&it.id) {
            None => missing.push(it.id.clone()),
            Some(&seq) if seq < it.seq => stale.push(Held {
                id: it.id.clone(),
                seq,
            }),
            Some(&seq) if seq > it.seq => ahead.push(Held {
                id: it.id.clone(),
                seq,
            }),
            Some(_) => {}
        }
    }
    let (mut unknown, mut unknown_truncated) = (None, false);
    if let (true, Some(company)) = (m.complete, &m.company_id) {
        let rows: Vec<Held> = p
            .db()
            .all(
                Stmt::new(sql::MANIFEST_UNKNOWN)
                    .bind(kind.as_str())
                    .bind(company)
                    .bind(&ids_json)
                    .bind(MAX_UNKNOWN as i64 + 1),
            )
            .await?;
        unknown_truncated = rows.len() > MAX_UNKNOWN;
        unknown = Some(rows.into_iter().take(MAX_UNKNOWN).map(|h| h.id).collect());
    }
    Ok(ManifestAnswer {
        entity_type: kind.as_str().to_string(),
        company_id: m.company_id.clone(),
        missing,
        stale,
        ahead,
        unknown,
        unknown_truncated,
    })
}

// ---- The portal's half: asking 1C to resend one company (`resync.requested`) ----

/// The monitor's request to have 1C resend one company.
#[derive(Debug, Deserialize)]
pub struct ResyncIn {
    /// 1C's company id (the portal may hold nothing of it any more).
    pub company_id: String,
    /// Which message types to resend; absent: every company type ([`company_types`]).
    pub entity_types: Option<Vec<String>>,
    /// Why, for 1C's log (the operator's words).
    pub reason: Option<String>,
}

/// Longest `reason`.
pub const REASON_MAX: usize = 500;

// Closed: a misspelt `entity_types` would silently resend everything.
impl crate::body::Body for ResyncIn {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::text("company_id", crate::body::ID),
        crate::body::Field::list("entity_types", &crate::body::Kind::Enum),
        crate::body::Field::text("reason", REASON_MAX),
    ];
}

/// The change recorded. A repeat under the same `Idempotency-Key` answers this very body again
/// (with `Idempotency-Replayed: true`, crate::idempotency).
#[derive(Debug, Serialize, PartialEq)]
pub struct ResyncRequested {
    pub id: String,
    pub company_id: String,
    pub entity_types: Vec<String>,
}

/// Records a `resync.requested` change for 1C (delivered like every change). The monitor's
/// `Idempotency-Key` ([`crate::idempotency`], scoped to the monitor's credential): the same key
/// records one change however often it is sent; the same key with another body is a 422.
pub async fn request_resync<P: Ports>(
    p: &P,
    r: &ResyncIn,
    key: &crate::idempotency::Key,
) -> AppResult<crate::http::ApiResponse> {
    let mut errs = Vec::new();
    if r.company_id.trim().is_empty() {
        errs.push(invalid(
            "company_id",
            "required",
            "id компании в 1С",
            "1C's company id",
        ));
    }
    let all: Vec<&str> = company_types().iter().map(|t| t.as_str()).collect();
    let types: Vec<String> = match &r.entity_types {
        None => all.iter().map(|t| t.to_string()).collect(),
        Some(list) => {
            for (i, t) in list.iter().enumerate() {
                if !all.contains(&t.as_str()) {
                    errs.push(invalid(
                        &format!("entity_types[{i}]"),
                        "invalid-entity-type",
                        "тип сообщений компании",
                        "a company's message type",
                    ));
                }
            }
            if list.is_empty() {
                errs.push(invalid(
                    "entity_types",
                    "required",
                    "хотя бы один тип или без поля — все",
                    "at least one type, or leave it out for all",
                ));
            }
            // In the contract's order, each once.
            all.iter()
                .filter(|t| list.iter().any(|x| x == *t))
                .map(|t| t.to_string())
                .collect()
        }
    };
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    let reason = r.reason.clone().unwrap_or_default();
    let id = crate::ids::new_id("out");
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    // The portal's company when it still holds it; else 1C's id stands in (after a restore that
    // lost the company, the row still needs an owner, and no page shows it).
    let portal_company = p
        .db()
        .first::<Id>(Stmt::new(sql::COMPANY_ID_BY_ONEC).bind(&r.company_id))
        .await?
        .map_or_else(|| r.company_id.clone(), |c| c.id);
    let change = crate::changes::NewChange {
        company_id: &portal_company,
        user_id: None,
        kind: crate::changes::ChangeKind::ResyncRequested,
        entity_type: "company",
        portal_id: &portal_company,
        onec_entity_id: &r.company_id,
        base_version: 0,
        payload: serde_json::json!({
            "company_id": r.company_id,
            "entity_types": types,
            "reason": reason,
        }),
        before: serde_json::Value::Null,
    };
    let (_, stmt) = crate::changes::record_with_id(&change, &id, p.now(), None);
    let answer = crate::http::ApiResponse::json(
        201,
        &ResyncRequested {
            id: id.clone(),
            company_id: r.company_id.clone(),
            entity_types: types,
        },
    );
    let effect = crate::idempotency::Effect::row("outbox", &id);
    if let crate::idempotency::Ran::Replay(stored) =
        key.batch(p, vec![stmt], effect, &answer).await?
    {
        return Ok(stored);
    }
    crate::changes::wake(p, &id).await;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::{company_types, entity_types, MessageType};

    #[test]
    fn only_what_a_company_owns_is_scoped_to_it() {
        let scoped = company_types();
        for t in [
            MessageType::Product,
            MessageType::ShippingCalendar,
            MessageType::Organisation,
            MessageType::Answer,
        ] {
            assert!(!scoped.contains(&t), "{t:?}");
        }
        assert!(scoped.contains(&MessageType::Order));
        assert_eq!(entity_types().len(), scoped.len() + 3);
    }
}
