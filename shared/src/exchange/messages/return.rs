//! `return`: the state of a return (`entity_id`: 1C's id of the return). `portal_id` is the
//! portal's id of a return the client requested in the portal (linked to 1C's id first); a return
//! registered by a manager has none. The accepted lines replace the approved ones; every state
//! is audited. It waits for its company and order.

use super::check::{non_negative, one_of, reason_if_rejected, required};
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, milli_from_1c, Kopecks, Milli};
use crate::ports::{Ports, Stmt};
use serde::Deserialize;
use std::collections::HashSet;

pub const RETURN_STATUSES: &[&str] = &["requested", "approved", "rejected", "completed"];

#[derive(Debug, Clone, Deserialize)]
pub struct ReturnLineIn {
    pub line_no: u32,
    #[serde(deserialize_with = "milli_from_1c")]
    pub quantity: Milli,
}

/// The state of a return (`entity_id`: 1C's id of the return). `portal_id` is the portal's id of a
/// return the client requested in the portal; a return registered by a manager has none.
#[derive(Debug, Clone, Deserialize)]
pub struct ReturnIn {
    pub company_id: String,
    pub portal_id: Option<String>,
    pub order_id: String,
    pub number: Option<String>,
    #[serde(deserialize_with = "crate::time::datetime_from_1c")]
    pub date: chrono::DateTime<chrono::Utc>,
    pub status: String,
    /// Why 1C rejected it (required when `rejected`).
    pub reason: Option<String>,
    /// The accepted lines and quantities (what will be or was refunded).
    #[serde(default)]
    pub lines: Vec<ReturnLineIn>,
    #[serde(default, deserialize_with = "kopecks_from_1c")]
    pub refund_amount: Kopecks,
    /// The portal changes (outbox ids) this snapshot results from: applied when it is.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub change_ids: Vec<String>,
}

impl Inbound for ReturnIn {
    fn change_ids<'a>(&'a self, _v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        Some((&self.company_id, &self.change_ids))
    }

    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        super::check::change_ids(errs, &self.change_ids);
        let r = self;
        required(errs, "company_id", &r.company_id, 100);
        required(errs, "order_id", &r.order_id, 100);
        one_of(
            errs,
            "status",
            &r.status,
            RETURN_STATUSES,
            "unknown-status",
            "Неизвестный статус возврата.",
            || format!("Unknown return status {:?}.", r.status),
        );
        reason_if_rejected(errs, &r.status, r.reason.as_deref());
        non_negative(
            errs,
            "refund_amount",
            r.refund_amount,
            "Не может быть отрицательной.",
        );
        let mut nos = HashSet::new();
        for (i, l) in r.lines.iter().enumerate() {
            if !nos.insert(l.line_no) || l.quantity.0 <= 0 {
                errs.push(FieldError::new(
                    format!("lines[{i}]"),
                    "invalid",
                    "Строка повторяется или количество не больше нуля.",
                    "Duplicate line or a quantity that is not positive.",
                ));
            }
        }
    }

    fn needs<'a>(&'a self, _v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
        n.order_ids.push(&self.order_id);
    }

    fn references<'a>(&'a self, v: &'a Valid) -> Option<References<'a>> {
        Some((
            &self.company_id,
            vec![(Kind::Return, &v.entity_id), (Kind::Order, &self.order_id)],
        ))
    }

    fn creates<'a>(&'a self, v: &'a Valid) -> Vec<(Kind, &'a str, &'a str)> {
        vec![(Kind::Return, &v.entity_id, &self.company_id)]
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (r, ctx, v, now) = (self, a.ctx, a.v, a.now);
        let stmts = &mut a.stmts;
        let company_id = ctx.company_or_wait(&r.company_id)?;
        if !ctx.orders.contains(&r.order_id) {
            return Err(Hold::Wait(format!("order {} not received yet", r.order_id)));
        }
        if let Some(portal_id) = &r.portal_id {
            stmts.push(
                Stmt::new(sql::RETURN_LINK)
                    .bind(v.entity_id.as_str())
                    .bind(portal_id.as_str())
                    .bind(&company_id),
            );
        }
        stmts.push(
            Stmt::new(sql::RETURN_UPSERT)
                .bind(crate::ids::new_id("ret"))
                .bind(&company_id)
                .bind(v.entity_id.as_str())
                .bind(r.order_id.as_str())
                .bind(r.number.clone())
                .bind(r.status.as_str())
                .bind(r.reason.clone())
                .bind(r.refund_amount)
                .bind(r.date)
                .bind(now),
        );
        let lines: Vec<serde_json::Value> = r
            .lines
            .iter()
            .map(|l| serde_json::json!({"line_no": l.line_no, "qty": l.quantity.0}))
            .collect();
        stmts.push(Stmt::new(sql::RETURN_LINES_UNAPPROVE).bind(v.entity_id.as_str()));
        stmts.push(
            Stmt::new(sql::RETURN_LINES_APPROVE)
                .bind(v.entity_id.as_str())
                .bind(&company_id)
                .bind(serde_json::to_string(&lines).unwrap_or_default()),
        );
        let after = serde_json::json!({"status": r.status, "reason": r.reason, "refund_kop": r.refund_amount.0, "number": r.number});
        stmts.push(
            crate::audit_log::record(
                &crate::audit_log::Entry {
                    id: &crate::ids::new_id("aud"),
                    company_id: &company_id,
                    user_id: None,
                    kind: "return.status_by_1c",
                    entity_type: "return",
                    entity_id: v.entity_id.as_str(),
                    before: serde_json::Value::Null,
                    after,
                },
                now,
                crate::audit_log::ALWAYS,
            ),
        );
        Ok(())
    }
}
