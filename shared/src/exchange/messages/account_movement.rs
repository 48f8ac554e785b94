//! `account_movement`: one movement of the client's internal account (`entity_id`: 1C's id of
//! the movement). `amount` is signed: positive in (a refund), negative out (an order paid from the
//! account). The movement that pays a portal payment replaces its hold; the balance is
//! recomputed. It waits for its company.

use super::check::{one_of, required};
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, Kopecks};
use crate::ports::{Ports, Stmt};
use serde::Deserialize;

pub const MOVEMENT_KINDS: &[&str] = &["refund", "order_payment", "correction"];

/// One movement of the client's internal account (`entity_id`: 1C's id of the movement).
/// `amount` is signed: positive in (a refund), negative out (an order paid from the account).
#[derive(Debug, Clone, Deserialize)]
pub struct AccountMovementIn {
    pub company_id: String,
    pub legal_entity_id: Option<String>,
    #[serde(deserialize_with = "crate::time::datetime_from_1c")]
    pub date: chrono::DateTime<chrono::Utc>,
    pub kind: String,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount: Kopecks,
    pub return_id: Option<String>,
    pub order_id: Option<String>,
    /// The portal change (`order.paid_from_account`) this movement settles, when there was one.
    pub change_id: Option<String>,
    pub comment: Option<String>,
    /// The portal changes (outbox ids) this snapshot results from: applied when it is.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub change_ids: Vec<String>,
}

impl Inbound for AccountMovementIn {
    fn change_ids<'a>(&'a self, _v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        Some((&self.company_id, &self.change_ids))
    }

    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        super::check::change_ids(errs, &self.change_ids);
        let a = self;
        required(errs, "company_id", &a.company_id, 100);
        one_of(
            errs,
            "kind",
            &a.kind,
            MOVEMENT_KINDS,
            "unknown",
            "Неизвестный вид движения.",
            || format!("Unknown movement kind {:?}.", a.kind),
        );
        let sign_ok = match a.kind.as_str() {
            "refund" => a.amount.0 > 0,
            "order_payment" => a.amount.0 < 0,
            _ => a.amount.0 != 0,
        };
        if !sign_ok {
            errs.push(FieldError::new(
                "amount",
                "wrong-sign",
                "Возврат зачисляется (+), оплата заказа списывается (−), сумма не ноль.",
                "A refund is positive, an order payment negative, never zero.",
            ));
        }
        if a.kind == "order_payment" && a.order_id.is_none() {
            errs.push(FieldError::new(
                "order_id",
                "required",
                "Укажите оплаченный заказ.",
                "The order paid is required.",
            ));
        }
    }

    fn needs<'a>(&'a self, _v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
    }

    fn references<'a>(&'a self, _v: &'a Valid) -> Option<References<'a>> {
        let a = self;
        let mut r: Vec<(Kind, &str)> = Vec::new();
        r.extend(
            a.legal_entity_id
                .as_deref()
                .map(|id| (Kind::LegalEntity, id)),
        );
        r.extend(a.return_id.as_deref().map(|id| (Kind::Return, id)));
        r.extend(a.order_id.as_deref().map(|id| (Kind::Order, id)));
        Some((&a.company_id, r))
    }

    fn plan<P: Ports>(&self, ap: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (a, ctx, v, now) = (self, ap.ctx, ap.v, ap.now);
        let stmts = &mut ap.stmts;
        let company_id = ctx.company_or_wait(&a.company_id)?;
        stmts.push(
            Stmt::new(sql::MOVEMENT_UPSERT)
                .bind(v.entity_id.as_str())
                .bind(&company_id)
                .bind(a.legal_entity_id.clone())
                .bind(a.date)
                .bind(a.kind.as_str())
                .bind(a.amount)
                .bind(a.return_id.clone())
                .bind(a.order_id.clone())
                .bind(a.change_id.clone())
                .bind(a.comment.clone())
                .bind(now),
        );
        // The movement paying a portal payment replaces its hold (same transaction: the
        // available amount never dips or doubles).
        if let Some(change_id) = &a.change_id {
            stmts.push(
                Stmt::new(crate::finance::sql::ORDER_PAID_BY_HOLD)
                    .bind(now)
                    .bind(change_id.as_str()),
            );
            stmts.push(
                Stmt::new(crate::finance::sql::HOLD_SETTLE)
                    .bind(now)
                    .bind(change_id.as_str()),
            );
        }
        stmts.push(
            Stmt::new(sql::ACCOUNT_BALANCE_RECOMPUTE)
                .bind(&company_id)
                .bind(now),
        );
        Ok(())
    }
}
