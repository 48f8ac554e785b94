//! Preferences: per user and event type, mail / digest / off; no row is the role's default
//! ([`super::events::Event::default_for`]). The API lives under `auth` (the profile's owner):
//! `GET /api/auth/notifications` lists the event types the user's roles can receive with the
//! current and default choice; `PUT` sets some of them (strict body, unknown names refused).

use super::events::{effective, Choice, Event, ALL_EVENTS, DUE_SOON_DAYS, SEND_HOUR};
use super::render::{event_title, Lang};
use super::sql;
use crate::auth::roles::Role;
use crate::auth::Caller;
use crate::body::{Body, Field};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{Database, DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Serialize)]
pub struct EventPref {
    pub event: Event,
    pub title_ru: &'static str,
    pub title_en: &'static str,
    /// What the user gets now.
    pub choice: Choice,
    /// What the role gives when nothing is chosen (for the user's own objects, where the event
    /// is about an author).
    pub default: Choice,
    /// Whether the user chose (a row exists).
    pub chosen: bool,
}

#[derive(Serialize)]
pub struct Prefs {
    pub events: Vec<EventPref>,
    /// The local hour (company's time zone) reminders and digests go at.
    pub send_hour: u32,
    /// How many days before a payment falls due its reminder goes.
    pub due_days: i64,
}

#[derive(Deserialize)]
struct Row {
    event: String,
    choice: String,
}

/// The chosen values of one user.
pub async fn chosen<P: Ports>(p: &P, user_id: &str) -> AppResult<HashMap<Event, Choice>> {
    let rows: Vec<Row> = p.db().all(Stmt::new(sql::PREFS).bind(user_id)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((Event::parse(&r.event)?, Choice::parse(&r.choice)?)))
        .collect())
}

/// What the user sees on the profile page: the event types their roles can receive.
pub fn view(roles: &[Role], chosen: &HashMap<Event, Choice>) -> Prefs {
    let events = ALL_EVENTS
        .into_iter()
        .filter(|e| e.reaches(roles))
        .map(|e| {
            // The default as the user sees it: for their own order, change, return or act.
            let default = e.default_for(roles, true);
            EventPref {
                event: e,
                title_ru: event_title(e, Lang::Ru),
                title_en: event_title(e, Lang::En),
                choice: effective(e, roles, true, chosen.get(&e).copied()),
                default,
                chosen: chosen.contains_key(&e),
            }
        })
        .collect();
    Prefs {
        events,
        send_hour: SEND_HOUR,
        due_days: DUE_SOON_DAYS,
    }
}

pub async fn get<P: Ports>(p: &P, caller: &Caller) -> AppResult<ApiResponse> {
    let roles: Vec<Role> = caller.roles.iter().collect();
    let chosen = chosen(p, &caller.user_id).await?;
    Ok(ApiResponse::json(200, &view(&roles, &chosen)))
}

#[derive(Deserialize)]
struct PutBody {
    events: BTreeMap<String, String>,
}

const EVENT_FIELDS: &[Field] = &[
    Field::choice("document_arrived"),
    Field::choice("change_applied"),
    Field::choice("change_rejected"),
    Field::choice("return_decided"),
    Field::choice("credit_changed"),
    Field::choice("payment_due"),
    Field::choice("payment_overdue"),
    Field::choice("act_ready"),
];

impl Body for PutBody {
    const FIELDS: &'static [Field] = &[Field::object("events", EVENT_FIELDS)];
}

/// Sets the given event types' choices (others stay); answers the whole view.
pub async fn put<P: Ports>(p: &P, req: &ApiRequest, caller: &Caller) -> AppResult<ApiResponse> {
    let body: PutBody = req.json()?;
    let roles: Vec<Role> = caller.roles.iter().collect();
    let mut errors = Vec::new();
    let mut stmts = Vec::new();
    let now = p.now();
    for (name, value) in &body.events {
        let at = format!("events.{name}");
        let Some(event) = Event::parse(name) else {
            errors.push(FieldError::new(
                at,
                "unknown-field",
                "Нет такого уведомления.",
                "No such notification.",
            ));
            continue;
        };
        let Some(choice) = Choice::parse(value) else {
            errors.push(FieldError::new(
                at,
                "invalid",
                "Выберите: письмо, сводка или выключено.",
                "Choose mail, digest or off.",
            ));
            continue;
        };
        if !event.reaches(&roles) {
            errors.push(FieldError::new(
                at,
                "not-for-role",
                "Эти уведомления не для вашей роли.",
                "These notifications are not for your role.",
            ));
            continue;
        }
        stmts.push(
            Stmt::new(sql::PREF_UPSERT)
                .bind(&caller.user_id)
                .bind(&caller.company_id)
                .bind(event.as_str())
                .bind(choice.as_str())
                .bind(now),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    if !stmts.is_empty() {
        p.db().batch(stmts).await?;
    }
    get(p, caller).await
}
