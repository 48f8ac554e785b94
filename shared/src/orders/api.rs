//! The `orders` capability's HTTP API: thin handlers over `list`, `catalog` and the changes.

use super::sql;
use crate::auth::roles::Role;
use crate::auth::Caller;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::exchange::outbox;
use crate::http::{finish, match_route, Access, ApiRequest, ApiResponse, LogContext, Route};
use crate::ports::{Database, Ports, Stmt};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H {
    List,
    Csv,
    Order,
    Catalog,
    Cancel,
}

/// Who places and changes orders.
const BUYERS: &[Role] = &[Role::Admin, Role::Buyer];

pub const ROUTES: &[Route<H>] = &[
    Route {
        method: "GET",
        path: "/api/orders/orders",
        access: Access::Roles(&[]),
        handler: H::List,
    },
    Route {
        method: "GET",
        path: "/api/orders/orders.csv",
        access: Access::Roles(&[]),
        handler: H::Csv,
    },
    Route {
        method: "GET",
        path: "/api/orders/orders/{id}",
        access: Access::Roles(&[]),
        handler: H::Order,
    },
    Route {
        method: "GET",
        path: "/api/orders/catalog",
        access: Access::Roles(&[]),
        handler: H::Catalog,
    },
    Route {
        method: "POST",
        path: "/api/orders/orders/{id}/cancellation",
        access: Access::Roles(BUYERS),
        handler: H::Cancel,
    },
];

pub async fn handle<P: Ports>(p: &P, req: ApiRequest) -> ApiResponse {
    let mut log = LogContext::default();
    let result = route(p, &req, &mut log).await;
    finish(&req, result, log)
}

async fn route<P: Ports>(p: &P, req: &ApiRequest, log: &mut LogContext) -> AppResult<ApiResponse> {
    let (r, params) = match_route(ROUTES, req)?;
    log.route = Some(r.path);
    let caller = crate::auth::guard(p, req, r.access, log)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    let id = params.get("id");
    match r.handler {
        H::List => super::list::page(p, &caller, req).await,
        H::Csv => super::list::csv(p, &caller, req).await,
        H::Order => super::list::detail(p, &caller, id).await,
        H::Catalog => super::catalog::search(p, &caller, req).await,
        H::Cancel => cancel(p, &caller, id, req.json()?).await,
    }
}

#[derive(Deserialize)]
struct Cancel {
    version: i64,
    reason: Option<String>,
}

/// Asks 1C to cancel an unpaid, unshipped order, based on the version the user saw. A credit
/// order's reserve is released at once (the money rules), in the same batch as the change.
async fn cancel<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    body: Cancel,
) -> AppResult<ApiResponse> {
    let o = super::list::order(p, caller, id).await?;
    if o.version != body.version {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "version-conflict",
            "Заказ изменился в 1С с момента открытия. Проверьте его и повторите.",
            "The order changed in 1C since you opened it. Check it and try again.",
        )
        .with_extra("current", serde_json::to_value(&o)?));
    }
    if let Err(refusal) = super::rules::can_cancel(&o.status, o.paid_kop) {
        return Err(match refusal {
            super::rules::Refusal::NotEditable => AppError::new(
                ErrorKind::Conflict,
                "not-cancellable",
                "Оплаченный, отгруженный или отменённый заказ отменить нельзя.",
                "A paid, shipped or cancelled order cannot be cancelled.",
            ),
            super::rules::Refusal::PartlyPaid => AppError::new(
                ErrorKind::Conflict,
                "partly-paid",
                "По заказу есть оплата: отмену оформит менеджер.",
                "The order is partly paid: your manager arranges the cancellation.",
            ),
        });
    }
    let reason = body
        .reason
        .map(|r| r.trim().chars().take(500).collect::<String>())
        .filter(|r| !r.is_empty());
    let now = p.now();
    let change_id = crate::ids::new_id("out");
    let change = outbox::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: "order.cancelled",
        entity_type: "order",
        portal_id: id,
        onec_entity_id: &o.onec_id,
        base_version: o.version,
        payload: serde_json::json!({"company_id": o.company_onec_id, "order_id": o.onec_id, "reason": reason}),
        before: serde_json::json!({"status": o.status}),
    };
    let guard = (
        sql::ORDER_CHANGE_GUARD,
        vec![id.into(), o.version.into(), id.into()],
    );
    let (_, out) = outbox::record_with_id(&change, &change_id, now, Some(guard));
    let written = || {
        Some((
            "EXISTS (SELECT 1 FROM outbox WHERE id = ?)".to_string(),
            vec![change_id.as_str().into()],
        ))
    };
    let mut stmts = vec![out];
    if o.payment_method == "credit" {
        if let Some(agreement) = &o.agreement_id {
            stmts.extend(crate::finance::credit::release(
                &caller.company_id,
                agreement,
                &o.onec_id,
                o.total_kop - o.paid_kop,
                Some(&change_id),
                now,
                written(),
            ));
        }
    }
    let mut audit = Stmt::dynamic(format!(
        "{} WHERE EXISTS (SELECT 1 FROM outbox WHERE id = ?)",
        sql::AUDIT_INSERT_SELECT
    ))
    .bind(&change_id)
    .bind(&caller.company_id)
    .bind(&caller.user_id)
    .bind(now)
    .bind("order.cancel_requested")
    .bind("order")
    .bind(id)
    .bind(serde_json::json!({"status": o.status}).to_string())
    .bind(serde_json::json!({"status": "cancelled", "reason": reason}).to_string());
    audit = audit.bind(change_id.as_str());
    stmts.push(audit);
    stmts.push(crate::exchange::cml::mark_order_changed_stmt(id));
    let results = p.db().batch(stmts).await?;
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "change-pending",
            "Предыдущее изменение заказа ещё ждёт ответа 1С.",
            "An earlier change of this order still waits for 1C.",
        ));
    }
    outbox::wake(p, &change_id).await;
    Ok(ApiResponse::json(
        202,
        &serde_json::json!({"change_id": change_id, "state": "pending"}),
    ))
}
