//! `consignee`: a consignee (грузополучатель) of a company, a full snapshot (`entity_id`: 1C's
//! id). `portal_id` links a consignee the portal created (sent as `consignee.added`) to 1C's
//! record first. It waits for its company.

use super::check::{inn, required};
use super::common::yes;
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::ports::{Ports, Stmt};
use serde::Deserialize;

/// A consignee (грузополучатель) of a company: a full snapshot (`entity_id`: 1C's id).
/// `portal_id` links a consignee the portal created (sent as `consignee.added`) to 1C's record.
#[derive(Debug, Clone, Deserialize)]
pub struct ConsigneeIn {
    pub company_id: String,
    pub portal_id: Option<String>,
    pub name: String,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub address: String,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    /// The portal changes (outbox ids) this snapshot results from: applied when it is.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub change_ids: Vec<String>,
}

impl Inbound for ConsigneeIn {
    fn change_ids<'a>(&'a self, _v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        Some((&self.company_id, &self.change_ids))
    }

    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        super::check::change_ids(errs, &self.change_ids);
        let c = self;
        required(errs, "company_id", &c.company_id, 100);
        required(errs, "name", &c.name, 300);
        required(errs, "address", &c.address, 1000);
        if let Some(v) = c.inn.as_deref().filter(|i| !i.trim().is_empty()) {
            inn(errs, "inn", v);
        }
    }

    fn needs<'a>(&'a self, _v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
    }

    fn references<'a>(&'a self, v: &'a Valid) -> Option<References<'a>> {
        Some((&self.company_id, vec![(Kind::Consignee, &v.entity_id)]))
    }

    fn creates<'a>(&'a self, v: &'a Valid) -> Vec<(Kind, &'a str, &'a str)> {
        vec![(Kind::Consignee, &v.entity_id, &self.company_id)]
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (c, ctx, v, now) = (self, a.ctx, a.v, a.now);
        let stmts = &mut a.stmts;
        let company_id = ctx.company_or_wait(&c.company_id)?;
        if let Some(portal_id) = &c.portal_id {
            stmts.push(
                Stmt::new(sql::CONSIGNEE_LINK)
                    .bind(v.entity_id.as_str())
                    .bind(portal_id.as_str())
                    .bind(&company_id),
            );
        }
        stmts.push(
            Stmt::new(sql::CONSIGNEE_UPSERT)
                .bind(crate::ids::new_id("csg"))
                .bind(&company_id)
                .bind(v.entity_id.as_str())
                .bind(c.name.trim())
                .bind(c.inn.clone())
                .bind(c.kpp.clone())
                .bind(c.address.trim())
                .bind(c.contact_person.clone())
                .bind(c.phone.clone())
                .bind(c.active)
                .bind(now),
        );
        Ok(())
    }
}
