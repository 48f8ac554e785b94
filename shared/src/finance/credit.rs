//! The credit position: 1C's figures (limit, debt, reserve, blocked, amount to pay, as of) plus
//! the portal's own reserve moves until 1C's figures include them. Orders edits call
//! [`reserve`] and [`release`] in the same D1 batch as the order change.

use super::sql;
use crate::auth::roles::Role;
use crate::auth::Caller;
use crate::error::AppResult;
use crate::ports::{DatabaseExt, Ports, Stmt};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct Row {
    id: String,
    name: String,
    number: Option<String>,
    kind: String,
    legal_entity: Option<String>,
    deferral_days: i64,
    credit_limit_kop: i64,
    limit_kop: Option<i64>,
    debt_kop: Option<i64>,
    overdue_kop: Option<i64>,
    reserve_kop: Option<i64>,
    blocked: Option<i64>,
    amount_to_pay_kop: Option<i64>,
    as_of: Option<String>,
    local_reserve_kop: i64,
}

/// One agreement's position as the client sees it.
#[derive(Debug, Serialize, PartialEq)]
pub struct Position {
    pub agreement_id: String,
    pub agreement: String,
    pub number: Option<String>,
    /// `individual` or `typical` (УТ 11's типовое соглашение: shared terms, this company's credit).
    pub kind: String,
    /// Null for a typical agreement any of the company's legal entities buys under.
    pub legal_entity: Option<String>,
    pub deferral_days: i64,
    pub limit_kop: i64,
    pub debt_kop: i64,
    pub overdue_kop: i64,
    /// 1C's reserve plus the portal's moves 1C has not counted yet.
    pub reserve_kop: i64,
    pub local_reserve_kop: i64,
    /// limit - debt - reserve, never below zero.
    pub available_kop: i64,
    pub blocked: bool,
    pub amount_to_pay_kop: i64,
    /// When 1C computed its figures (null: 1C has not reported yet).
    pub as_of: Option<String>,
    pub on_credit: bool,
}

fn position(r: Row) -> Position {
    let limit = r.limit_kop.unwrap_or(r.credit_limit_kop);
    let debt = r.debt_kop.unwrap_or(0);
    let reserve = r.reserve_kop.unwrap_or(0) + r.local_reserve_kop;
    Position {
        agreement_id: r.id,
        agreement: r.name,
        number: r.number,
        kind: r.kind,
        legal_entity: r.legal_entity,
        deferral_days: r.deferral_days,
        limit_kop: limit,
        debt_kop: debt,
        overdue_kop: r.overdue_kop.unwrap_or(0),
        reserve_kop: reserve,
        local_reserve_kop: r.local_reserve_kop,
        available_kop: (limit - debt - reserve).max(0),
        blocked: r.blocked.unwrap_or(0) == 1,
        amount_to_pay_kop: r.amount_to_pay_kop.unwrap_or(0),
        as_of: r.as_of,
        on_credit: limit > 0,
    }
}

/// Every active agreement's position.
pub async fn positions<P: Ports>(p: &P, company_id: &str) -> AppResult<Vec<Position>> {
    let rows: Vec<Row> = p.db().all(Stmt::new(sql::CREDIT).bind(company_id)).await?;
    Ok(rows.into_iter().map(position).collect())
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Totals {
    pub limit_kop: i64,
    pub debt_kop: i64,
    pub reserve_kop: i64,
    pub available_kop: i64,
    pub amount_to_pay_kop: i64,
    pub blocked: bool,
}

pub fn totals(ps: &[Position]) -> Totals {
    Totals {
        limit_kop: ps.iter().map(|p| p.limit_kop).sum(),
        debt_kop: ps.iter().map(|p| p.debt_kop).sum(),
        reserve_kop: ps.iter().map(|p| p.reserve_kop).sum(),
        available_kop: ps.iter().map(|p| p.available_kop).sum(),
        amount_to_pay_kop: ps.iter().map(|p| p.amount_to_pay_kop).sum(),
        blocked: ps.iter().any(|p| p.blocked),
    }
}

/// The credit panel: full figures for admins and accountants; buyers see what they need when
/// choosing a payment method (available, blocked) and nothing of the debt.
pub async fn panel<P: Ports>(p: &P, caller: &Caller) -> AppResult<serde_json::Value> {
    let ps = positions(p, &caller.company_id).await?;
    let t = totals(&ps);
    if caller.roles.any_of(&[Role::Admin, Role::Accountant]) {
        let overdue = if t.blocked {
            super::schedule::entries(p, caller, false)
                .await?
                .into_iter()
                .filter(|e| e.overdue)
                .collect()
        } else {
            Vec::new()
        };
        return Ok(
            serde_json::json!({"view": "full", "agreements": ps, "totals": t, "overdue": overdue}),
        );
    }
    let brief: Vec<serde_json::Value> = ps
        .iter()
        .map(|p| serde_json::json!({"agreement_id": p.agreement_id, "agreement": p.agreement, "legal_entity": p.legal_entity, "available_kop": p.available_kop, "blocked": p.blocked, "on_credit": p.on_credit}))
        .collect();
    Ok(
        serde_json::json!({"view": "brief", "agreements": brief, "totals": {"available_kop": t.available_kop, "blocked": t.blocked}}),
    )
}

/// An SQL condition (with its parameters) the caller's change must satisfy: the reserve moves
/// only if the change itself was written in the same batch.
pub type Guard = Option<(String, Vec<crate::ports::SqlValue>)>;

fn guarded(
    base: &'static str,
    guard: &Guard,
    joiner: &str,
) -> (String, Vec<crate::ports::SqlValue>) {
    match guard {
        None => (base.to_string(), Vec::new()),
        Some((cond, params)) => (format!("{base} {joiner} {cond}"), params.clone()),
    }
}

/// Statements that reserve an order's amount on its agreement (portal ids for the agreement).
pub fn reserve(
    company_id: &str,
    agreement_id: &str,
    order_onec_id: &str,
    amount_kop: i64,
    change_id: Option<&str>,
    now: DateTime<Utc>,
    guard: Guard,
) -> Vec<Stmt> {
    let (text, extra) = guarded(sql::RESERVE_ADD_SELECT, &guard, "WHERE");
    let mut stmt = Stmt::dynamic(text)
        .bind(crate::ids::new_id("lcr"))
        .bind(company_id)
        .bind(agreement_id)
        .bind(order_onec_id)
        .bind(amount_kop)
        .bind(change_id.map(str::to_string))
        .bind(now);
    for v in extra {
        stmt = stmt.bind(v);
    }
    vec![stmt]
}

/// Statements that reserve the raise of a credit order's total (an edit waiting for 1C): counted
/// at once, until 1C refuses the change or its credit state after accepting it arrives.
pub fn reserve_raise(
    company_id: &str,
    agreement_id: &str,
    order_onec_id: &str,
    raise_kop: i64,
    change_id: &str,
    now: DateTime<Utc>,
    guard: Guard,
) -> Vec<Stmt> {
    let (text, extra) = guarded(sql::RESERVE_RAISE_SELECT, &guard, "WHERE");
    let mut stmt = Stmt::dynamic(text)
        .bind(crate::ids::new_id("lcr"))
        .bind(company_id)
        .bind(agreement_id)
        .bind(order_onec_id)
        .bind(raise_kop)
        .bind(change_id)
        .bind(now);
    for v in extra {
        stmt = stmt.bind(v);
    }
    vec![stmt]
}

/// Statements that release an order's reserve: the portal's own reserve is dropped; a reserve
/// 1C counts gets a negative adjustment until 1C's figures no longer include the order.
pub fn release(
    company_id: &str,
    agreement_id: &str,
    order_onec_id: &str,
    amount_kop: i64,
    change_id: Option<&str>,
    now: DateTime<Utc>,
    guard: Guard,
) -> Vec<Stmt> {
    let (drop_text, drop_extra) = guarded(sql::RESERVE_DROP_OWN, &guard, "AND");
    let mut drop = Stmt::dynamic(drop_text)
        .bind(agreement_id)
        .bind(order_onec_id);
    for v in drop_extra {
        drop = drop.bind(v);
    }
    let (rel_text, rel_extra) = guarded(sql::RESERVE_RELEASE, &guard, "AND");
    let mut rel = Stmt::dynamic(rel_text)
        .bind(crate::ids::new_id("lcr"))
        .bind(company_id)
        .bind(agreement_id)
        .bind(order_onec_id)
        .bind(amount_kop)
        .bind(change_id.map(str::to_string))
        .bind(now);
    for v in rel_extra {
        rel = rel.bind(v);
    }
    vec![drop, rel]
}

/// Part of applying 1C's credit state: forget adjustments its figures now include.
pub fn settled_stmt(agreement_onec_id: &str, company_id: &str) -> Stmt {
    Stmt::new(sql::RESERVES_SETTLED)
        .bind(agreement_onec_id)
        .bind(company_id)
}
