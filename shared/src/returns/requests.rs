//! A client's return request: checked against what was shipped and what returns already hold,
//! then written with its lines, the change to 1C (`return.requested`) and the audit row in one
//! batch whose first statement re-checks the quantities, so concurrent requests cannot both take
//! the same remainder. 1C's verdict on the change links or rejects it.

use super::rules::{self, NewReturn, OrderLine};
use super::sql;
use crate::audit_log;
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult, ErrorKind, FieldError};
use crate::http::ApiResponse;
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct OrderRow {
    pub id: String,
    pub onec_id: String,
    pub number: String,
    pub ordered_at: String,
    pub status: String,
}

pub async fn order<P: Ports>(p: &P, caller: &Caller, id: &str) -> AppResult<Option<OrderRow>> {
    p.db()
        .first(Stmt::new(sql::ORDER).bind(id).bind(&caller.company_id))
        .await
}

pub async fn order_lines<P: Ports>(
    p: &P,
    caller: &Caller,
    order_id: &str,
) -> AppResult<Vec<OrderLine>> {
    p.db()
        .all(
            Stmt::new(sql::ORDER_LINES)
                .bind(order_id)
                .bind(&caller.company_id),
        )
        .await
}

fn unknown_order() -> AppError {
    AppError::validation(vec![FieldError::new(
        "order_id",
        "unknown-order",
        "Выберите заказ из списка отгруженных заказов компании.",
        "Choose an order from the company's shipped orders.",
    )])
}

pub async fn create<P: Ports>(
    p: &P,
    caller: &Caller,
    body: NewReturn,
    key: &crate::idempotency::Key,
) -> AppResult<ApiResponse> {
    let order_id = body
        .order_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let Some(order_id) = order_id else {
        let mut errs = vec![FieldError::new(
            "order_id",
            "required",
            "Выберите заказ.",
            "Choose the order.",
        )];
        // The other fields' problems at once, as far as they can be told without the order.
        errs.extend(
            rules::plan(&body, &[])
                .err()
                .unwrap_or_default()
                .into_iter()
                .filter(|e| e.field == "reason" || e.field == "comment"),
        );
        return Err(AppError::validation(errs));
    };
    let order = order(p, caller, &order_id)
        .await?
        .ok_or_else(unknown_order)?;
    let lines = order_lines(p, caller, &order.id).await?;
    let plan = rules::plan(&body, &lines).map_err(AppError::validation)?;
    let company: Company = p
        .db()
        .first(Stmt::new(sql::COMPANY_ONEC_ID).bind(&caller.company_id))
        .await?
        .ok_or_else(AppError::not_found)?;

    let id = crate::ids::new_id("ret");
    let now = p.now();
    let wanted: Vec<serde_json::Value> = plan
        .lines
        .iter()
        .map(|(no, q)| serde_json::json!({"line_no": no, "qty": q.0}))
        .collect();
    let wanted = serde_json::to_string(&wanted)?;
    let write = Stmt::new(sql::RETURN_INSERT_IF_RETURNABLE)
        .bind(&order.id)
        .bind(&caller.company_id)
        .bind(&id)
        .bind(plan.reason.as_str())
        .bind(plan.comment.clone())
        .bind(&caller.user_id)
        .bind(now)
        .bind(wanted.as_str());
    let lines_stmt = Stmt::new(sql::RETURN_LINES_INSERT)
        .bind(&id)
        .bind(&caller.company_id)
        .bind(wanted.as_str());
    // 1C reads quantities as numbers: the exact decimal (`2.5`), never a float computed here.
    let onec_lines: Vec<serde_json::Value> = plan
        .lines
        .iter()
        .map(|(no, q)| {
            let l = lines.iter().find(|l| l.line_no == *no);
            serde_json::json!({
                "line_no": no,
                "product_id": l.and_then(|l| l.product_onec_id.clone()),
                "article": l.map(|l| l.article.clone()),
                "quantity": changes::wire::quantity(*q),
            })
        })
        .collect();
    let payload = serde_json::json!({
        "company_id": company.onec_id,
        "portal_id": id,
        "order_id": order.onec_id,
        "reason_code": plan.reason.as_str(),
        "comment": plan.comment,
        "lines": onec_lines,
    });
    let guard = || (sql::RETURN_WRITTEN, vec![id.as_str().into()]);
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::ReturnRequested,
        entity_type: "return",
        portal_id: &id,
        onec_entity_id: "",
        base_version: 0,
        payload: payload.clone(),
        before: serde_json::Value::Null,
    };
    let (change_id, out) = changes::record(&change, now, Some(guard()));
    let after = serde_json::json!({
        "order_number": order.number,
        "reason_code": plan.reason.as_str(),
        "comment": plan.comment,
        "lines": plan.lines.iter().map(|(no, q)| serde_json::json!({"line_no": no, "quantity_milli": q.0})).collect::<Vec<_>>(),
    });
    #[derive(Deserialize)]
    struct Name {
        full_name: Option<String>,
    }
    let name: Option<Name> = p
        .db()
        .first(Stmt::new(sql::USER_NAME).bind(&caller.user_id))
        .await?;
    // The answer (the return as its page reads it) is known before the write.
    let answer = super::view::fresh(
        p,
        super::view::Fresh {
            id: &id,
            order_id: &order.id,
            order_number: &order.number,
            reason_code: plan.reason.as_str(),
            comment: plan.comment.clone(),
            created_by_name: name.and_then(|n| n.full_name),
            lines: plan
                .lines
                .iter()
                .filter_map(|(no, q)| lines.iter().find(|l| l.line_no == *no).map(|l| (l, q.0)))
                .collect(),
            after: after.clone(),
            now,
        },
        201,
    );
    let entry = audit_log::Entry {
        id: &change_id,
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: "return.requested",
        entity_type: "return",
        entity_id: &id,
        before: serde_json::Value::Null,
        after,
    };
    let stmts = vec![
        write,
        lines_stmt,
        out,
        audit_log::record(&entry, now, guard()),
    ];
    let effect = crate::idempotency::Effect::row("returns", &id);
    let results = match key.batch(p, stmts, effect, &answer).await? {
        crate::idempotency::Ran::Replay(stored) => return Ok(stored),
        crate::idempotency::Ran::Done(results) => results,
    };
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        // Another request took the quantity meanwhile: say which lines, with today's figures.
        let lines = order_lines(p, caller, &order.id).await?;
        return Err(match rules::plan(&body, &lines) {
            Err(errs) => AppError::validation(errs),
            Ok(_) => AppError::new(
                ErrorKind::Conflict,
                "return-conflict",
                "Заказ изменился во время оформления возврата. Повторите попытку.",
                "The order changed while the return was being placed. Please try again.",
            ),
        });
    }
    changes::wake(p, &change_id).await;
    Ok(answer)
}

#[derive(Deserialize)]
struct Company {
    onec_id: String,
}

/// What 1C's verdict on a `return.requested` change does to the return: an acceptance links 1C's
/// id (its later `return` snapshots then find this record), a refusal rejects a return still
/// waiting, with 1C's reason.
pub fn answer_stmts(
    accepted: bool,
    portal_id: &str,
    reason: Option<&str>,
    onec_id: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Stmt> {
    if accepted {
        onec_id
            .map(|o| Stmt::new(sql::RETURN_LINK_ONEC).bind(o).bind(portal_id))
            .into_iter()
            .collect()
    } else {
        vec![Stmt::new(sql::RETURN_REFUSED)
            .bind(reason.map(str::to_string))
            .bind(now)
            .bind(portal_id)]
    }
}
