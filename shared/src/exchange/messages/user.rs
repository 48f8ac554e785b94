//! `user`: an employee of a client company as 1C knows them, a full snapshot (`entity_id`: 1C's
//! id). A new active user gets a first-access link by mail; a changed one has their access
//! re-checked, a deactivated or moved one loses their sessions. Every change is audited.

use super::check::required;
use super::common::yes;
use super::Inbound;
use crate::auth::api::{one_time_link, LinkPurpose};
use crate::auth::roles::{Role, Roles};
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::sql;
use crate::ports::{Ports, Stmt};
use chrono::Duration;
use serde::Deserialize;

/// An employee of a client company, as 1C knows them: a full snapshot.
#[derive(Debug, Clone, Deserialize)]
pub struct UserIn {
    pub company_id: String,
    /// The portal's id of an employee a client admin added (sent as `employee.added`).
    pub portal_id: Option<String>,
    pub email: String,
    pub full_name: String,
    pub position: Option<String>,
    pub phone: Option<String>,
    pub roles: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
    pub language: Option<String>,
    /// The portal changes (outbox ids) this snapshot results from: applied when it is.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub change_ids: Vec<String>,
}

impl Inbound for UserIn {
    // No `references` (an employee may move between companies), but a user is one company's.
    fn company<'a>(&'a self, _v: &'a Valid) -> Option<&'a str> {
        Some(&self.company_id)
    }

    fn change_ids<'a>(&'a self, _v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        Some((&self.company_id, &self.change_ids))
    }

    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        super::check::change_ids(errs, &self.change_ids);
        let u = self;
        required(errs, "company_id", &u.company_id, 100);
        required(errs, "full_name", &u.full_name, 300);
        if crate::validate::Email::parse(&u.email).is_none() {
            errs.push(FieldError::new(
                "email",
                "invalid",
                "Некорректный e-mail.",
                "Not a valid e-mail.",
            ));
        }
        for r in &u.roles {
            if Role::parse(r).is_none() {
                errs.push(FieldError::new(
                    "roles",
                    "unknown-role",
                    format!("Неизвестная роль {r}."),
                    format!("Unknown role {r:?}."),
                ));
            }
        }
        if let Some(l) = &u.language {
            if crate::error::Lang::parse(l).is_none() {
                errs.push(FieldError::new(
                    "language",
                    "invalid",
                    "Язык: ru или en.",
                    "Language must be ru or en.",
                ));
            }
        }
    }

    fn needs<'a>(&'a self, v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
        n.user_ids.push(&v.entity_id);
        if let Some(portal) = &self.portal_id {
            n.portal_users
                .push(serde_json::json!({"portal": portal, "onec": v.entity_id}));
        }
    }

    // No `references`: 1C may move an employee to another company (sessions are revoked below).

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (u, p, ctx, v, now) = (self, a.p, a.ctx, a.v, a.now);
        let (stmts, mails) = (&mut a.stmts, &mut a.mails);
        // A company arriving in this very batch has no portal id yet: the user waits a moment.
        let company_id = ctx.company_or_wait(&u.company_id)?;
        let email = crate::validate::Email::normalized(&u.email);
        let roles = Roles::new(u.roles.iter().filter_map(|r| Role::parse(r)).collect());
        let language = u.language.clone().unwrap_or_else(|| "ru".into());
        let after = serde_json::json!({"email": email, "full_name": u.full_name, "position": u.position, "phone": u.phone, "roles": roles, "active": u.active});
        let (user_id, kind, before) = match ctx.users.get(&v.entity_id) {
            None => {
                let id = crate::ids::new_id("usr");
                stmts.push(
                    Stmt::new(sql::USER_INSERT)
                        .bind(&id)
                        .bind(&company_id)
                        .bind(v.entity_id.as_str())
                        .bind(&email)
                        .bind(u.full_name.trim())
                        .bind(u.position.clone())
                        .bind(u.phone.clone())
                        .bind(u.active)
                        .bind(language.as_str())
                        .bind(now)
                        .bind(now),
                );
                if u.active {
                    let (mail_id, link) = match one_time_link(
                        p,
                        &id,
                        &company_id,
                        &email,
                        u.full_name.trim(),
                        &language,
                        LinkPurpose::FirstAccess,
                        Duration::hours(p.config().invite_ttl_hours),
                    ) {
                        Ok(made) => made,
                        // Not configured yet: the user waits, the invitation is not lost.
                        Err(e) => return Err(Hold::Wait(e.to_string())),
                    };
                    stmts.extend(link);
                    mails.push(mail_id);
                }
                (id, "user.created_by_1c", None)
            }
            Some(old) => {
                if ctx.to_link.contains(&v.entity_id) {
                    stmts.push(
                        Stmt::new(sql::USER_LINK_ONEC)
                            .bind(v.entity_id.as_str())
                            .bind(old.id.as_str()),
                    );
                }
                let old_roles =
                    Roles::parse_list(old.roles.as_deref().unwrap_or("")).unwrap_or_default();
                // Access is re-checked on the next request when any of these change.
                let access_changed = old_roles != roles
                    || (old.active == 1) != u.active
                    || old.company_id != company_id;
                stmts.push(
                    Stmt::new(sql::USER_UPDATE)
                        .bind(&company_id)
                        .bind(&email)
                        .bind(u.full_name.trim())
                        .bind(u.position.clone())
                        .bind(u.phone.clone())
                        .bind(u.active)
                        .bind(access_changed as i64)
                        .bind(now)
                        .bind(old.id.as_str()),
                );
                if !u.active || old.company_id != company_id {
                    stmts.push(
                        Stmt::new(sql::USER_SESSIONS_REVOKE)
                            .bind(now)
                            .bind(old.id.as_str()),
                    );
                }
                // Reactivated or moved before ever setting a password: a fresh first-access link.
                if u.active && old.has_password == 0 && (old.active == 0 || old.email != email) {
                    let (mail_id, link) = match one_time_link(
                        p,
                        &old.id,
                        &company_id,
                        &email,
                        u.full_name.trim(),
                        &language,
                        LinkPurpose::FirstAccess,
                        Duration::hours(p.config().invite_ttl_hours),
                    ) {
                        Ok(made) => made,
                        // Not configured yet: the user waits, the invitation is not lost.
                        Err(e) => return Err(Hold::Wait(e.to_string())),
                    };
                    stmts.extend(link);
                    mails.push(mail_id);
                }
                let before = serde_json::json!({"email": old.email, "full_name": old.full_name, "position": old.position, "phone": old.phone, "roles": old_roles, "active": old.active == 1});
                (
                    old.id.clone(),
                    if u.active {
                        "user.changed_by_1c"
                    } else {
                        "user.deactivated_by_1c"
                    },
                    Some(before),
                )
            }
        };
        stmts.push(Stmt::new(sql::USER_ROLES_CLEAR).bind(&user_id));
        for r in roles.iter() {
            stmts.push(
                Stmt::new(sql::USER_ROLE_ADD)
                    .bind(&company_id)
                    .bind(&user_id)
                    .bind(r.as_str()),
            );
        }
        stmts.push(
            crate::audit_log::record(
                &crate::audit_log::Entry {
                    id: &crate::ids::new_id("aud"),
                    company_id: &company_id,
                    user_id: None,
                    kind,
                    entity_type: "user",
                    entity_id: &user_id,
                    before: before.unwrap_or(serde_json::Value::Null),
                    after,
                },
                now,
                crate::audit_log::ALWAYS,
            ),
        );
        Ok(())
    }
}
