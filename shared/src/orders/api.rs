//! The `orders` capability's HTTP API: thin handlers over `list`, `catalog` and the changes.

use super::sql;
use super::status::OrderStatus;
use crate::auth::roles::Role;
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::{finish, match_route, Access, ApiRequest, ApiResponse, LogContext, Route};
use crate::idempotency::{self, Effect, Key, Ran, Start};
use crate::ports::{Ports, Stmt};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H {
    List,
    Csv,
    Order,
    Catalog,
    CatalogImage,
    Cancel,
    PaymentMethod,
    Edit,
    Paste,
    Consolidate,
    Repeat,
    RepeatDraft,
    RepeatPlace,
    CardPayment,
    CardNotification,
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
    // A catalogue image's thumbnail (`size` 160 or 480), to whoever may search the catalogue.
    Route {
        method: "GET",
        path: "/api/orders/catalog/images/{id}/{size}",
        access: Access::Roles(&[]),
        handler: H::CatalogImage,
    },
    Route {
        method: "POST",
        path: "/api/orders/orders/{id}/cancellation",
        access: Access::Roles(BUYERS),
        handler: H::Cancel,
    },
    Route {
        method: "POST",
        path: "/api/orders/orders/{id}/payment-method",
        access: Access::Roles(BUYERS),
        handler: H::PaymentMethod,
    },
    Route {
        method: "PATCH",
        path: "/api/orders/orders/{id}",
        access: Access::Roles(BUYERS),
        handler: H::Edit,
    },
    Route {
        method: "POST",
        path: "/api/orders/pasted-lines",
        access: Access::Roles(&[]),
        handler: H::Paste,
    },
    Route {
        method: "POST",
        path: "/api/orders/consolidations",
        access: Access::Roles(BUYERS),
        handler: H::Consolidate,
    },
    Route {
        method: "POST",
        path: "/api/orders/orders/{id}/repeat",
        access: Access::Roles(BUYERS),
        handler: H::Repeat,
    },
    // Repeat through a draft the buyer reviews: today's prices and stock, then the order.
    Route {
        method: "GET",
        path: "/api/orders/orders/{id}/repeat-draft",
        access: Access::Roles(BUYERS),
        handler: H::RepeatDraft,
    },
    Route {
        method: "POST",
        path: "/api/orders/orders/{id}/repeat-draft",
        access: Access::Roles(BUYERS),
        handler: H::RepeatPlace,
    },
    Route {
        method: "POST",
        path: "/api/orders/orders/{id}/card-payments",
        access: Access::Roles(BUYERS),
        handler: H::CardPayment,
    },
    // The card acquirer's notifications (its shop settings name this URL).
    Route {
        method: "POST",
        path: "/api/orders/card-notifications",
        access: Access::Notification,
        handler: H::CardNotification,
    },
];

/// The most a request body may hold, by route (crate::http::body_limit).
pub fn body_limit(req: &ApiRequest) -> Option<usize> {
    crate::http::body_limit(ROUTES, req, |h| match h {
        // 500 lines of products.
        H::Edit | H::RepeatPlace => 256 * 1024,
        // 100,000 characters of pasted lines.
        H::Paste => crate::http::MAX_JSON_BODY,
        _ => crate::http::JSON_BODY,
    })
}

pub async fn handle<P: Ports>(p: &P, req: ApiRequest) -> ApiResponse {
    let mut log = LogContext::default();
    let result = route(p, &req, &mut log).await;
    finish(&req, result, log)
}

async fn route<P: Ports>(p: &P, req: &ApiRequest, log: &mut LogContext) -> AppResult<ApiResponse> {
    let (r, params) = match_route(ROUTES, req)?;
    crate::changes::stock_only::refuse(p.config(), r.method, r.path)?;
    log.route = Some(r.path);
    let caller = crate::auth::guard(p, req, r.access, log).await?;
    if r.handler == H::CardNotification {
        return super::card::notification(p, req).await;
    }
    let caller = caller.ok_or_else(AppError::unauthorized)?;
    let id = params.get("id");
    // Creating and paying routes honour `Idempotency-Key`: a stored answer goes back as is.
    let key = match r.handler {
        H::Repeat | H::RepeatPlace | H::Cancel | H::PaymentMethod | H::Consolidate | H::CardPayment => {
            match idempotency::start(p, req, &caller.user_id, &caller.company_id).await? {
                Start::Replay(stored) => return Ok(stored),
                Start::Go(key) => key,
            }
        }
        _ => Key::none(),
    };
    let result = async {
        match r.handler {
            H::List => super::list::page(p, &caller, req).await,
            H::Csv => super::list::csv(p, &caller, req).await,
            H::Order => Ok(super::list::detail(p, &caller, id).await?.conditional(req)),
            H::Catalog => super::catalog::search(p, &caller, req).await,
            H::CatalogImage => super::catalog::image(p, id, params.get("size"), req).await,
            H::Cancel => cancel(p, &caller, id, req.json()?, &key).await,
            H::PaymentMethod => payment_method(p, &caller, id, req.json()?, &key).await,
            H::Edit => super::edit::edit(p, &caller, id, req.json()?).await,
            H::Paste => super::edit::paste(p, &caller, req.json()?).await,
            H::Consolidate => super::edit::consolidate(p, &caller, req.json()?, &key).await,
            H::Repeat => super::edit::repeat(p, &caller, id, &key).await,
            H::RepeatDraft => super::repeat::draft(p, &caller, id).await,
            H::RepeatPlace => super::repeat::place(p, &caller, id, req.json()?, &key).await,
            H::CardPayment => super::card::create(p, &caller, id, &key).await,
            H::CardNotification => Err(AppError::internal("handled above")),
        }
    }
    .await;
    key.finish(p, result).await
}

#[derive(Deserialize)]
struct Cancel {
    version: i64,
    reason: Option<String>,
}
impl crate::body::Body for Cancel {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::scalar("version"),
        crate::body::Field::text("reason", CANCEL_REASON_MAX),
    ];
}
/// A longer reason is refused (422), never cut.
const CANCEL_REASON_MAX: usize = 500;

/// Asks 1C to cancel an unpaid, unshipped order, based on the version the user saw. A credit
/// order's reserve is released at once (the money rules), in the same batch as the change.
async fn cancel<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    body: Cancel,
    key: &Key,
) -> AppResult<ApiResponse> {
    let o = super::list::order(p, caller, id).await?;
    if o.version != body.version {
        return Err(super::change::stale(&o));
    }
    super::card::refuse_while_open(p, caller, id).await?;
    super::card::refuse_change_while_cancelling(p, caller, id).await?;
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
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if p.config().onec_delivery == crate::config::Delivery::Commerceml {
        return cancel_now(p, caller, &o, reason, key).await;
    }
    let now = p.now();
    let change_id = crate::ids::new_id("out");
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::OrderCancelled,
        entity_type: "order",
        portal_id: id,
        onec_entity_id: &o.onec_id,
        base_version: o.version,
        payload: serde_json::json!({"company_id": o.company_onec_id, "order_id": o.onec_id, "reason": reason}),
        before: serde_json::json!({"status": o.status}),
    };
    let guard = (
        sql::ORDER_CHANGE_GUARD,
        vec![id.into(), o.version.into(), id.into(), id.into()],
    );
    let (_, out) = changes::record_with_id(&change, &change_id, now, Some(guard));
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
    let audit = super::change::audit(
        &change_id,
        caller,
        "order.cancel_requested",
        id,
        serde_json::json!({"status": o.status}).to_string(),
        serde_json::json!({"status": OrderStatus::Cancelled.as_str(), "reason": reason})
            .to_string(),
        now,
    );
    stmts.push(audit);
    stmts.push(changes::mark_order_changed_stmt(id));
    let answer = ApiResponse::json(
        202,
        &serde_json::json!({"change_id": change_id, "state": "waiting"}),
    );
    let results = match key
        .batch(p, stmts, Effect::row("outbox", &change_id), &answer)
        .await?
    {
        Ran::Replay(stored) => return Ok(stored),
        Ran::Done(results) => results,
    };
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(super::change::pending());
    }
    changes::wake(p, &change_id).await;
    Ok(answer)
}

/// Stock-only (`ONEC_DELIVERY=commerceml`): no extension answers a cancellation, so it is the
/// order's new state at once (the status it replaced kept), due for 1C's next `query` as
/// `Отменен`. 1C's next order file closes it; one that still shows the order not cancelled (the
/// manager refused) brings 1C's state back. A credit order's reserve is released at once, as in
/// push mode.
async fn cancel_now<P: Ports>(
    p: &P,
    caller: &Caller,
    o: &super::list::OrderRow,
    reason: Option<String>,
    key: &Key,
) -> AppResult<ApiResponse> {
    let (id, now) = (o.id.as_str(), p.now());
    let audit_id = crate::ids::new_id("aud");
    let audit = crate::audit_log::Entry {
        id: &audit_id,
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: "order.cancel_requested",
        entity_type: "order",
        entity_id: id,
        before: serde_json::json!({"status": o.status}),
        after: serde_json::json!({"status": OrderStatus::Cancelled.as_str(), "reason": reason}),
    };
    let mut stmts = vec![
        Stmt::new(sql::ORDER_NOW_CANCEL)
            .bind(id)
            .bind(o.version)
            .bind(&caller.company_id)
            .bind(now),
        crate::audit_log::record(
            &audit,
            now,
            (
                "EXISTS (SELECT 1 FROM orders WHERE id = ? AND version = ? AND status = 'cancelled')",
                vec![id.into(), (o.version + 1).into()],
            ),
        ),
    ];
    if o.payment_method == "credit" {
        if let Some(agreement) = &o.agreement_id {
            stmts.extend(crate::finance::credit::release(
                &caller.company_id,
                agreement,
                &o.onec_id,
                o.total_kop - o.paid_kop,
                None,
                now,
                Some((
                    "EXISTS (SELECT 1 FROM audit_log WHERE id = ?)".to_string(),
                    vec![audit_id.as_str().into()],
                )),
            ));
        }
    }
    let answer = ApiResponse::json(
        200,
        &serde_json::json!({"state": "saved", "version": o.version + 1, "status": OrderStatus::Cancelled.as_str()}),
    );
    let results = match key
        .batch(p, stmts, Effect::row("audit_log", &audit_id), &answer)
        .await?
    {
        Ran::Replay(stored) => return Ok(stored),
        Ran::Done(results) => results,
    };
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(super::change::stale(o));
    }
    Ok(answer)
}

#[derive(Deserialize)]
struct PaymentMethod {
    version: i64,
    payment_method: String,
    /// The client asks 1C to ship today (an urgent shipment); sent along as `ship_today`.
    #[serde(default)]
    ship_today: bool,
}
impl crate::body::Body for PaymentMethod {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::scalar("version"),
        crate::body::Field::choice("payment_method"),
        crate::body::Field::scalar("ship_today"),
    ];
}

/// Switches an unpaid order between paying by invoice and on credit. To credit: refused with the
/// exact shortfall (or the amount to pay when credit is blocked), otherwise the amount is reserved
/// at once; away from credit: the reserve is released. 1C's refusal undoes the move.
async fn payment_method<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    body: PaymentMethod,
    key: &Key,
) -> AppResult<ApiResponse> {
    use crate::money::Kopecks;
    let o = super::list::order(p, caller, id).await?;
    if o.version != body.version {
        return Err(super::change::stale(&o));
    }
    super::card::refuse_while_open(p, caller, id).await?;
    super::card::refuse_change_while_cancelling(p, caller, id).await?;
    if !super::status::editable(&o.status) || o.paid_kop > 0 {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "not-editable",
            "Способ оплаты меняется только у неоплаченного и не отгруженного заказа.",
            "Only an unpaid, unshipped order can change its payment method.",
        ));
    }
    match body.payment_method.as_str() {
        "invoice" | "credit" => {}
        "internal_account" => {
            return Err(AppError::bad_request(
                "use-account-payment",
                "Оплата с внутреннего счёта — в разделе «Финансы»: сумма резервируется сразу.",
                "Pay from the internal account in Finance: the amount is held at once.",
            ))
        }
        // Card is not a method to switch to: the payment itself makes the order a card one.
        "card" => {
            return Err(AppError::bad_request(
                "use-card-payment",
                "Оплата картой — кнопкой «Оплатить картой» на странице заказа.",
                "Pay by card with the Pay by card button on the order page.",
            ))
        }
        _ => {
            return Err(AppError::bad_request(
                "invalid-payment-method",
                "Способ оплаты: invoice, credit.",
                "payment_method: invoice or credit.",
            ))
        }
    }
    if body.payment_method == o.payment_method {
        return Err(AppError::bad_request(
            "nothing-changed",
            "Этот способ оплаты уже выбран.",
            "This payment method is already chosen.",
        ));
    }
    let due = o.total_kop - o.paid_kop;
    let agreement = o.agreement_id.clone().ok_or_else(|| {
        AppError::new(
            ErrorKind::Conflict,
            "no-agreement",
            "У заказа нет договора: обратитесь к менеджеру.",
            "The order has no agreement: contact your manager.",
        )
    })?;
    if body.payment_method == "credit" {
        credit_check(p, caller, &agreement, due).await?;
    }
    let now = p.now();
    let change_id = crate::ids::new_id("out");
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::OrderPaymentMethodChanged,
        entity_type: "order",
        portal_id: id,
        onec_entity_id: &o.onec_id,
        base_version: o.version,
        payload: serde_json::json!({"company_id": o.company_onec_id, "order_id": o.onec_id, "payment_method": body.payment_method, "amount": crate::changes::wire::amount(Kopecks(due)),
            "ship_today": body.ship_today}),
        before: serde_json::json!({"payment_method": o.payment_method}),
    };
    // To credit: the credit rule is checked again in the statement that records the change (the
    // check above only answers early and exactly).
    let guard = if body.payment_method == "credit" {
        (
            sql::ORDER_CHANGE_GUARD_TO_CREDIT,
            vec![
                id.into(),
                o.version.into(),
                id.into(),
                id.into(),
                agreement.as_str().into(),
                due.into(),
            ],
        )
    } else {
        (
            sql::ORDER_CHANGE_GUARD,
            vec![id.into(), o.version.into(), id.into(), id.into()],
        )
    };
    let (_, out) = changes::record_with_id(&change, &change_id, now, Some(guard));
    let written = || {
        Some((
            "EXISTS (SELECT 1 FROM outbox WHERE id = ?)".to_string(),
            vec![change_id.as_str().into()],
        ))
    };
    let mut stmts = vec![out];
    if body.payment_method == "credit" {
        stmts.extend(crate::finance::credit::reserve(
            &caller.company_id,
            &agreement,
            &o.onec_id,
            due,
            Some(&change_id),
            now,
            written(),
        ));
    } else {
        stmts.extend(crate::finance::credit::release(
            &caller.company_id,
            &agreement,
            &o.onec_id,
            due,
            Some(&change_id),
            now,
            written(),
        ));
    }
    stmts.push(super::change::audit(
        &change_id,
        caller,
        "order.payment_method_changed",
        id,
        serde_json::json!({"payment_method": o.payment_method}).to_string(),
        serde_json::json!({"payment_method": body.payment_method}).to_string(),
        now,
    ));
    stmts.push(changes::mark_order_changed_stmt(id));
    let answer = ApiResponse::json(
        202,
        &serde_json::json!({"change_id": change_id, "state": "waiting"}),
    );
    let results = match key
        .batch(p, stmts, Effect::row("outbox", &change_id), &answer)
        .await?
    {
        Ran::Replay(stored) => return Ok(stored),
        Ran::Done(results) => results,
    };
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        // A parallel request took the credit meanwhile: the same answer as the check above.
        if body.payment_method == "credit" {
            credit_check(p, caller, &agreement, due).await?;
        }
        return Err(super::change::pending());
    }
    changes::wake(p, &change_id).await;
    Ok(answer)
}

/// May `due` go on credit on the agreement now: refused with the exact shortfall, or the amount to
/// pay when credit is blocked.
async fn credit_check<P: Ports>(
    p: &P,
    caller: &Caller,
    agreement: &str,
    due: i64,
) -> AppResult<()> {
    let positions = crate::finance::credit::positions(p, &caller.company_id).await?;
    let pos = positions
        .iter()
        .find(|x| x.agreement_id == agreement)
        .ok_or_else(AppError::not_found)?;
    super::rules::credit_allows(
        pos.on_credit,
        pos.blocked,
        pos.amount_to_pay_kop,
        pos.available_kop,
        due,
    )
    .map_err(|refusal| match refusal {
        super::rules::CreditRefusal::NoCredit => AppError::new(
            ErrorKind::Unprocessable,
            "no-credit",
            "По договору нет кредитного лимита.",
            "The agreement has no credit limit.",
        ),
        super::rules::CreditRefusal::Blocked { amount_to_pay_kop } => AppError::new(
            ErrorKind::Unprocessable,
            "credit-blocked",
            "Кредит заблокирован из-за просрочки: оплатите задолженность.",
            "Credit is blocked for overdue debt: pay what is due.",
        )
        .with_extra("amount_to_pay_kop", amount_to_pay_kop),
        super::rules::CreditRefusal::Short { shortfall_kop } => AppError::new(
            ErrorKind::Unprocessable,
            "credit-insufficient",
            "Недостаточно доступного кредита.",
            "Not enough credit available.",
        )
        .with_extra("shortfall_kop", shortfall_kop)
        .with_extra("available_kop", pos.available_kop),
    })
}
