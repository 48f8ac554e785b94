//! `shipping_calendar`: the days the warehouse ships (`entity_id`: the calendar, e.g. the
//! warehouse). Every day from `from` to `to` ships except `days_off`; days outside the range are
//! unknown, so not offered. A snapshot replaces the range and its days off.

use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold};
use crate::exchange::contract::RawMessage;
use crate::exchange::sql;
use crate::ports::{Ports, Stmt};
use serde::Deserialize;

/// The days the warehouse ships (`entity_id`: the calendar, e.g. the warehouse). Every day from
/// `from` to `to` ships except `days_off`; days outside the range are unknown, so not offered.
#[derive(Debug, Clone, Deserialize)]
pub struct ShippingCalendarIn {
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub from: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "crate::time::date_from_1c")]
    pub to: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub days_off: Vec<String>,
}

/// Longest range one calendar message may cover.
pub const MAX_CALENDAR_DAYS: i64 = 3 * 366;

impl Inbound for ShippingCalendarIn {
    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        let c = self;
        match (c.from, c.to) {
            (Some(from), Some(to)) if from <= to && (to - from).num_days() < MAX_CALENDAR_DAYS => {
                for (i, d) in c.days_off.iter().enumerate() {
                    match chrono::NaiveDate::parse_from_str(
                        d.split('T').next().unwrap_or(d),
                        "%Y-%m-%d",
                    ) {
                        Ok(day) if day >= from && day <= to => {}
                        _ => errs.push(FieldError::new(
                            format!("days_off[{i}]"),
                            "invalid",
                            "Дата вне периода календаря.",
                            "Not a date within from..to.",
                        )),
                    }
                }
            }
            _ => errs.push(FieldError::new(
                "to",
                "invalid-range",
                "Период календаря: from не позже to, не длиннее трёх лет.",
                "from must not be after to; at most three years.",
            )),
        }
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (c, v, now) = (self, a.v, a.now);
        let stmts = &mut a.stmts;
        let (Some(from), Some(to)) = (c.from, c.to) else {
            return Err(Hold::Reject("invalid-payload: calendar range".into()));
        };
        stmts.push(
            Stmt::new(sql::CALENDAR_UPSERT)
                .bind(v.entity_id.as_str())
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(now),
        );
        stmts.push(Stmt::new(sql::CALENDAR_DAYS_CLEAR).bind(v.entity_id.as_str()));
        stmts.push(
            Stmt::new(sql::CALENDAR_DAYS_ADD)
                .bind(v.entity_id.as_str())
                .bind(serde_json::to_string(&c.days_off).unwrap_or_default()),
        );
        Ok(())
    }
}
