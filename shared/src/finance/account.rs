//! The internal account (refunds from returns): balance, money held by payments 1C has not
//! settled, movements; paying an unpaid order from it.

use super::sql;
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::{page_limit, ApiRequest, ApiResponse};
use crate::money::Kopecks;
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Balance {
    balance_kop: i64,
    held_kop: i64,
}

#[derive(Deserialize, Serialize)]
struct Movement {
    id: String,
    at: String,
    kind: String,
    amount_kop: i64,
    comment: Option<String>,
    order_id: Option<String>,
    order_number: Option<String>,
    return_id: Option<String>,
    return_number: Option<String>,
    #[serde(skip_serializing)]
    seq: i64,
}

#[derive(Deserialize, Serialize)]
struct Hold {
    change_id: String,
    amount_kop: i64,
    status: String,
    created_at: String,
    order_id: String,
    order_number: String,
}

async fn balance<P: Ports>(p: &P, company_id: &str) -> AppResult<Balance> {
    Ok(p.db()
        .first(Stmt::new(sql::ACCOUNT).bind(company_id))
        .await?
        .unwrap_or(Balance {
            balance_kop: 0,
            held_kop: 0,
        }))
}

/// Balance, held, available, open payments and a page of movements (newest first).
pub async fn view<P: Ports>(p: &P, caller: &Caller, req: &ApiRequest) -> AppResult<ApiResponse> {
    let limit = page_limit(req)?;
    let seal = crate::cursor::CursorSeal::for_company(p.config(), &caller.company_id);
    let (cur_at, cur_seq) = crate::http::cursor_seq(req, &seal)?.unzip();
    let b = balance(p, &caller.company_id).await?;
    let mut movements: Vec<Movement> = p
        .db()
        .all(
            Stmt::new(sql::MOVEMENTS)
                .bind(&caller.company_id)
                .bind(cur_at)
                .bind(cur_seq)
                .bind(limit + 1),
        )
        .await?;
    let more = movements.len() as i64 > limit;
    movements.truncate(limit as usize);
    let next_cursor = movements
        .last()
        .filter(|_| more)
        .map(|m| crate::http::encode_cursor(&seal, &m.at, m.seq));
    let holds: Vec<Hold> = p
        .db()
        .all(Stmt::new(sql::HOLDS).bind(&caller.company_id))
        .await?;
    let payable: Vec<Payable> = p
        .db()
        .all(Stmt::new(sql::PAYABLE_ORDERS).bind(&caller.company_id))
        .await?;
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({
            "balance_kop": b.balance_kop, "held_kop": b.held_kop, "available_kop": b.balance_kop - b.held_kop,
            "holds": holds, "payable_orders": payable, "items": movements, "next_cursor": next_cursor,
        }),
    ))
}

#[derive(Deserialize, Serialize)]
struct Payable {
    id: String,
    number: String,
    ordered_at: String,
    due_kop: i64,
}

#[derive(Deserialize)]
pub struct Pay {
    pub order_id: String,
}
impl crate::body::Body for Pay {
    const FIELDS: &'static [crate::body::Field] =
        &[crate::body::Field::text("order_id", crate::body::ID)];
}

#[derive(Deserialize)]
struct OrderRow {
    id: String,
    onec_id: String,
    number: String,
    status: String,
    total_kop: i64,
    paid_kop: i64,
    version: i64,
    company_onec_id: String,
}

fn nothing_to_pay() -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "nothing-to-pay",
        "Заказ оплачен или отменён.",
        "The order is paid or cancelled.",
    )
}

/// Pays what is unpaid of an order from the internal account: held at once (only while the
/// balance covers it), sent to 1C as `order.paid_from_account`, settled by 1C's movement or
/// released by its refusal. Refused with the shortfall when the balance is short.
pub async fn pay<P: Ports>(
    p: &P,
    caller: &Caller,
    body: Pay,
    key: &crate::idempotency::Key,
) -> AppResult<ApiResponse> {
    let o: OrderRow = p
        .db()
        .first(
            Stmt::new(sql::ORDER_FOR_PAYMENT)
                .bind(&body.order_id)
                .bind(&caller.company_id),
        )
        .await?
        .ok_or_else(AppError::not_found)?;
    let due = o.total_kop - o.paid_kop;
    if o.status == "cancelled" || due <= 0 {
        return Err(nothing_to_pay());
    }
    crate::orders::card::refuse_while_cancelling(p, caller, &o.id, false).await?;
    let now = p.now();
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::OrderPaidFromAccount,
        entity_type: "order",
        portal_id: &o.id,
        onec_entity_id: &o.onec_id,
        base_version: o.version,
        payload: serde_json::json!({"company_id": o.company_onec_id, "order_id": o.onec_id, "amount": changes::wire::amount(Kopecks(due))}),
        before: serde_json::json!({"paid_kop": o.paid_kop}),
    };
    // The outbox and audit rows are written only if the hold was taken.
    let change_id = crate::ids::new_id("out");
    let guard = || (sql::HOLD_EXISTS, vec![change_id.as_str().into()]);
    let (_, out) = changes::record_with_id(&change, &change_id, now, Some(guard()));
    let (g, gp) = guard();
    let mut audit = Stmt::dynamic(format!("{} WHERE {g}", crate::audit_log::INSERT_SELECT))
        .bind(&change_id)
        .bind(&caller.company_id)
        .bind(&caller.user_id)
        .bind(now)
        .bind("order.paid_from_account")
        .bind("order")
        .bind(&o.id)
        .bind(serde_json::json!({"paid_kop": o.paid_kop}).to_string())
        .bind(serde_json::json!({"paying_kop": due, "order": o.number}).to_string());
    for v in gp {
        audit = audit.bind(v);
    }
    let stmts = vec![
        Stmt::new(sql::HOLD_TAKE)
            .bind(&change_id)
            .bind(&caller.company_id)
            .bind(&o.id)
            .bind(due)
            .bind(&caller.user_id)
            .bind(now),
        out,
        audit,
    ];
    let answer = ApiResponse::json(
        202,
        &serde_json::json!({"change_id": change_id, "held_kop": due, "order_id": o.id}),
    );
    let effect = crate::idempotency::Effect::row("outbox", &change_id);
    let results = match key.batch(p, stmts, effect, &answer).await? {
        crate::idempotency::Ran::Replay(stored) => return Ok(stored),
        crate::idempotency::Ran::Done(results) => results,
    };
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        // Not taken. The reasons in the order the statement checks them: another open payment
        // of the order (by card or from the account), the order changed, the balance.
        crate::orders::card::refuse_while_open(p, caller, &o.id).await?;
        crate::orders::card::refuse_while_cancelling(p, caller, &o.id, false).await?;
        let open: Option<serde_json::Value> = p
            .db()
            .first(
                Stmt::new(sql::HOLD_OPEN_OF_ORDER)
                    .bind(&o.id)
                    .bind(&caller.company_id),
            )
            .await?;
        if open.is_some() {
            return Err(AppError::payment_pending(
                "Оплата этого заказа уже ждёт подтверждения 1С.",
                "A payment of this order already waits for 1C.",
            ));
        }
        let now: OrderRow = p
            .db()
            .first(
                Stmt::new(sql::ORDER_FOR_PAYMENT)
                    .bind(&o.id)
                    .bind(&caller.company_id),
            )
            .await?
            .ok_or_else(AppError::not_found)?;
        if now.status == "cancelled" || now.total_kop - now.paid_kop <= 0 {
            return Err(nothing_to_pay());
        }
        if now.total_kop - now.paid_kop != due {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "order-changed",
                "Сумма к оплате заказа изменилась. Обновите страницу и повторите.",
                "The amount due on the order changed. Reload the page and try again.",
            ));
        }
        let b = balance(p, &caller.company_id).await?;
        let available = b.balance_kop - b.held_kop;
        if available >= due {
            return Err(AppError::payment_pending(
                "Оплата этого заказа уже ждёт подтверждения 1С.",
                "A payment of this order already waits for 1C.",
            ));
        }
        let shortfall = due - available;
        return Err(AppError::new(
            ErrorKind::Unprocessable,
            "insufficient-balance",
            "На внутреннем счёте недостаточно средств.",
            "The internal account balance is not enough.",
        )
        .with_extra("shortfall_kop", shortfall)
        .with_extra("available_kop", available)
        .with_extra("due_kop", due));
    }
    changes::wake(p, &change_id).await;
    Ok(answer)
}
