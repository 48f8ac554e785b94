//! What the pages read: the company's returns (filtered by status, newest first), one return with
//! its lines, 1C's decision, the refund credited for it and its history; and the shipped orders
//! a new return can be made for, with what is left to return of each line.

use super::requests;
use super::rules::{OrderLine, Status};
use super::sql;
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult};
use crate::http::{page_limit, ApiRequest, ApiResponse};
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct ListRow {
    id: String,
    number: Option<String>,
    status: String,
    reason_code: Option<String>,
    reject_reason: Option<String>,
    refund_kop: i64,
    created_at: String,
    updated_at: String,
    order_id: String,
    order_number: String,
    line_count: i64,
    /// The requested quantities at the order's prices.
    requested_kop: i64,
}

/// `?status=&cursor=&limit=`.
pub async fn list<P: Ports>(p: &P, caller: &Caller, req: &ApiRequest) -> AppResult<ApiResponse> {
    let limit = page_limit(req)?;
    let status = match req.query_param("status").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            AppError::bad_request(
                "invalid-status",
                "Статус: requested, approved, rejected или completed.",
                "Status: requested, approved, rejected or completed.",
            )
        })?),
    };
    let seal = crate::cursor::CursorSeal::for_company(p.config(), &caller.company_id);
    let (cur_at, cur_id) = crate::http::cursor(req, &seal)?.unzip();
    let mut rows: Vec<ListRow> = p
        .db()
        .all(
            Stmt::new(sql::RETURNS_PAGE)
                .bind(&caller.company_id)
                .bind(status.map(|s| s.as_str()))
                .bind(cur_at)
                .bind(cur_id)
                .bind(limit + 1),
        )
        .await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|r| crate::http::encode_cursor(&seal, &r.created_at, &r.id))
    } else {
        None
    };
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "items": rows, "next_cursor": next_cursor }),
    ))
}

#[derive(Deserialize, Serialize)]
struct ReturnRow {
    id: String,
    #[serde(skip_serializing)]
    onec_id: Option<String>,
    number: Option<String>,
    status: String,
    reason_code: Option<String>,
    comment: Option<String>,
    /// 1C's reason for a rejection.
    reject_reason: Option<String>,
    refund_kop: i64,
    created_at: String,
    updated_at: String,
    version: i64,
    created_by_name: Option<String>,
    order_id: String,
    order_number: String,
}

#[derive(Deserialize, Serialize)]
struct LineRow {
    line_no: i64,
    article: Option<String>,
    name: Option<String>,
    unit: Option<String>,
    price_kop: Option<i64>,
    requested_milli: i64,
    approved_milli: Option<i64>,
}

#[derive(Deserialize, Serialize)]
struct RefundRow {
    id: String,
    at: String,
    amount_kop: i64,
    comment: Option<String>,
}

#[derive(Deserialize)]
struct HistoryRow {
    at: String,
    kind: String,
    after_json: Option<String>,
    onec_answer: Option<String>,
    user_name: Option<String>,
}

#[derive(Serialize)]
struct HistoryItem {
    at: String,
    kind: String,
    /// `null` when 1C made the change.
    user_name: Option<String>,
    after: serde_json::Value,
    onec_answer: serde_json::Value,
}

#[derive(Deserialize, Serialize)]
struct PhotoRow {
    id: String,
    content_type: String,
    size: i64,
    uploaded_at: String,
}

fn parse(v: Option<String>) -> serde_json::Value {
    v.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// One return; another company's is a 404, exactly like a missing one.
pub async fn detail<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    status: u16,
) -> AppResult<ApiResponse> {
    let db = p.db();
    let r: ReturnRow = db
        .first(Stmt::new(sql::RETURN).bind(id).bind(&caller.company_id))
        .await?
        .ok_or_else(AppError::not_found)?;
    let lines: Vec<LineRow> = db
        .all(
            Stmt::new(sql::RETURN_LINES)
                .bind(id)
                .bind(&caller.company_id),
        )
        .await?;
    let refunds: Vec<RefundRow> = match &r.onec_id {
        Some(onec) => {
            db.all(
                Stmt::new(sql::REFUNDS)
                    .bind(&caller.company_id)
                    .bind(onec.as_str()),
            )
            .await?
        }
        None => Vec::new(),
    };
    let history: Vec<HistoryRow> = db
        .all(
            Stmt::new(sql::HISTORY)
                .bind(&caller.company_id)
                .bind(id)
                .bind(r.onec_id.clone()),
        )
        .await?;
    let history: Vec<HistoryItem> = history
        .into_iter()
        .map(|h| HistoryItem {
            at: h.at,
            kind: h.kind,
            user_name: h.user_name,
            after: parse(h.after_json),
            onec_answer: parse(h.onec_answer),
        })
        .collect();
    let photos: Vec<PhotoRow> = db
        .all(Stmt::new(sql::PHOTOS).bind(id).bind(&caller.company_id))
        .await?;
    let sync = changes::sync_state(p, &caller.company_id, "return", id).await?;
    let st = Status::parse(&r.status);
    let refunded_kop: i64 = refunds.iter().map(|m| m.amount_kop).sum();
    Ok(ApiResponse::json(
        status,
        &serde_json::json!({
            "return": r,
            "final": st.is_some_and(Status::is_final),
            "accepts_photos": st.is_some_and(Status::accepts_photos),
            "lines": lines,
            "refunds": refunds,
            "refunded_kop": refunded_kop,
            "history": history,
            "photos": photos,
            "sync": sync,
        }),
    ))
}

/// The detail of a return this request is about to write (status `requested`, its request
/// waiting for 1C), built before the write from what the write holds: the same body [`detail`]
/// reads right after it, so the answer can be stored with the write under an `Idempotency-Key`.
pub struct Fresh<'a> {
    pub id: &'a str,
    pub order_id: &'a str,
    pub order_number: &'a str,
    pub reason_code: &'a str,
    pub comment: Option<String>,
    pub created_by_name: Option<String>,
    /// (line no, requested quantity) with the order's line.
    pub lines: Vec<(&'a super::rules::OrderLine, i64)>,
    /// The audit entry's `after`.
    pub after: serde_json::Value,
    pub now: chrono::DateTime<chrono::Utc>,
}

pub fn fresh<P: Ports>(p: &P, f: Fresh<'_>, status: u16) -> ApiResponse {
    let at = crate::time::to_db(f.now);
    let r = ReturnRow {
        id: f.id.to_string(),
        onec_id: None,
        number: None,
        status: "requested".into(),
        reason_code: Some(f.reason_code.to_string()),
        comment: f.comment,
        reject_reason: None,
        refund_kop: 0,
        created_at: at.clone(),
        updated_at: at.clone(),
        version: 1,
        created_by_name: f.created_by_name.clone(),
        order_id: f.order_id.to_string(),
        order_number: f.order_number.to_string(),
    };
    let mut lines: Vec<LineRow> = f
        .lines
        .iter()
        .map(|(l, q)| LineRow {
            line_no: l.line_no,
            article: Some(l.article.clone()),
            name: Some(l.name.clone()),
            unit: Some(l.unit.clone()),
            price_kop: Some(l.price_kop),
            requested_milli: *q,
            approved_milli: None,
        })
        .collect();
    crate::sort::sort_by_key(&mut lines, |l| l.line_no);
    let history = vec![HistoryItem {
        at: at.clone(),
        kind: "return.requested".into(),
        user_name: f.created_by_name,
        // As stored and read back (text, then parsed).
        after: parse(Some(f.after.to_string())),
        onec_answer: serde_json::Value::Null,
    }];
    let sync = changes::Fate {
        status: "pending".into(),
        answer: None,
        created_at: at,
        answered_at: None,
        applied_at: None,
    }
    .view(f.now, p.config().onec_apply_deadline_secs);
    let st = Status::Requested;
    ApiResponse::json(
        status,
        &serde_json::json!({
            "return": r,
            "final": st.is_final(),
            "accepts_photos": st.accepts_photos(),
            "lines": lines,
            "refunds": Vec::<RefundRow>::new(),
            "refunded_kop": 0,
            "history": history,
            "photos": Vec::<PhotoRow>::new(),
            "sync": Some(sync),
        }),
    )
}

#[derive(Serialize)]
struct OrderItem {
    id: String,
    number: String,
    ordered_at: String,
    status: String,
}

/// `?q=` part of the order number, any case (Cyrillic too); at most 20.
pub async fn returnable_orders<P: Ports>(
    p: &P,
    caller: &Caller,
    req: &ApiRequest,
) -> AppResult<ApiResponse> {
    let q = req.query_param("q").unwrap_or("").trim().to_lowercase();
    let rows: Vec<requests::OrderRow> = p
        .db()
        .all(Stmt::new(sql::RETURNABLE_ORDERS).bind(&caller.company_id))
        .await?;
    let items: Vec<OrderItem> = rows
        .into_iter()
        .filter(|o| q.is_empty() || o.number.to_lowercase().contains(&q))
        .take(20)
        .map(|o| OrderItem {
            id: o.id,
            number: o.number,
            ordered_at: o.ordered_at,
            status: o.status,
        })
        .collect();
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "items": items, "next_cursor": null }),
    ))
}

#[derive(Serialize)]
struct ReturnableLine {
    #[serde(flatten)]
    line: OrderLine,
    returnable_milli: i64,
}

/// One order's lines with what can still be returned of each.
pub async fn returnable_order<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
) -> AppResult<ApiResponse> {
    let order = requests::order(p, caller, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let lines = requests::order_lines(p, caller, &order.id).await?;
    let lines: Vec<ReturnableLine> = lines
        .into_iter()
        .map(|l| ReturnableLine {
            returnable_milli: l.returnable().0,
            line: l,
        })
        .collect();
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({
            "order": OrderItem { id: order.id, number: order.number, ordered_at: order.ordered_at, status: order.status },
            "lines": lines,
        }),
    ))
}
