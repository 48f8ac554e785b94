//! `payment_schedule`: what is due, stage by stage, for an order bought on credit (`entity_id`:
//! the order). It replaces the order's stages; it waits for its company and order.

use super::check::{required, same_as_entity};
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, Kopecks};
use crate::ports::{Ports, Stmt};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct StageIn {
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub due_date: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount: Kopecks,
    #[serde(default, deserialize_with = "kopecks_from_1c")]
    pub paid: Kopecks,
}

/// What is due for an order bought on credit (`entity_id`: the order).
#[derive(Debug, Clone, Deserialize)]
pub struct ScheduleIn {
    pub company_id: String,
    pub order_id: String,
    pub agreement_id: Option<String>,
    pub stages: Vec<StageIn>,
    /// The portal changes (outbox ids) this snapshot results from: applied when it is.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub change_ids: Vec<String>,
}

impl Inbound for ScheduleIn {
    fn change_ids<'a>(&'a self, _v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        Some((&self.company_id, &self.change_ids))
    }

    fn check(&self, m: &RawMessage, errs: &mut Vec<FieldError>) {
        super::check::change_ids(errs, &self.change_ids);
        let sc = self;
        required(errs, "company_id", &sc.company_id, 100);
        same_as_entity(errs, "order_id", &sc.order_id, m);
        for (i, st) in sc.stages.iter().enumerate() {
            if st.due_date.is_none() {
                errs.push(FieldError::new(
                    format!("stages[{i}].due_date"),
                    "required",
                    "Укажите дату платежа.",
                    "Due date required.",
                ));
            }
            if st.amount.0 < 0 || st.paid.0 < 0 || st.paid.0 > st.amount.0 {
                errs.push(FieldError::new(
                    format!("stages[{i}].paid"),
                    "invalid",
                    "Оплачено больше суммы этапа или сумма отрицательна.",
                    "Paid exceeds the stage amount, or a negative amount.",
                ));
            }
        }
    }

    fn needs<'a>(&'a self, _v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
        n.order_ids.push(&self.order_id);
    }

    fn references<'a>(&'a self, _v: &'a Valid) -> Option<References<'a>> {
        let s = self;
        let mut r: Vec<(Kind, &str)> = vec![(Kind::Order, &s.order_id)];
        r.extend(s.agreement_id.as_deref().map(|id| (Kind::Agreement, id)));
        Some((&s.company_id, r))
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (sc, ctx) = (self, a.ctx);
        let stmts = &mut a.stmts;
        let company_id = ctx.company_or_wait(&sc.company_id)?;
        if !ctx.orders.contains(&sc.order_id) {
            return Err(Hold::Wait(format!(
                "order {} not received yet",
                sc.order_id
            )));
        }
        let stages: Vec<serde_json::Value> = sc
            .stages
            .iter()
            .enumerate()
            .map(|(i, st)| serde_json::json!({"stage_no": i + 1, "due": st.due_date.map(|d| d.to_string()), "amount": st.amount.0, "paid": st.paid.0}))
            .collect();
        stmts.push(Stmt::new(sql::SCHEDULE_CLEAR).bind(sc.order_id.as_str()));
        stmts.push(
            Stmt::new(sql::SCHEDULE_ADD)
                .bind(sc.order_id.as_str())
                .bind(&company_id)
                .bind(sc.agreement_id.clone())
                .bind(serde_json::to_string(&stages).unwrap_or_default()),
        );
        Ok(())
    }
}
