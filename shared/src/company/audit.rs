//! The audit log's page: who changed what, when, before and after, and 1C's answer; admins read
//! it, filtered by user, kind and date. The rows are written (`crate::audit_log`) in the same
//! batch as every change.

use super::sql;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{page_limit, ApiRequest, ApiResponse};
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Row {
    seq: i64,
    id: String,
    at: String,
    user_id: Option<String>,
    user_name: Option<String>,
    kind: String,
    entity_type: String,
    entity_id: String,
    before_json: Option<String>,
    after_json: Option<String>,
    onec_answer: Option<String>,
}

#[derive(Serialize)]
struct Item {
    id: String,
    at: String,
    /// `null` when 1C made the change.
    user: Option<serde_json::Value>,
    kind: String,
    entity_type: String,
    entity_id: String,
    before: serde_json::Value,
    after: serde_json::Value,
    onec_answer: serde_json::Value,
}

fn parse(v: Option<String>) -> serde_json::Value {
    v.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// `?user=&kind=&from=YYYY-MM-DD&to=YYYY-MM-DD&cursor=&limit=`; dates are Moscow calendar days,
/// `to` inclusive.
pub async fn page<P: Ports>(p: &P, caller: &Caller, req: &ApiRequest) -> AppResult<ApiResponse> {
    let limit = page_limit(req)?;
    let day = |name: &'static str, plus_days: i64| -> AppResult<Option<String>> {
        match req.query_param(name).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => {
                let d = crate::time::parse_ymd(s).ok_or_else(|| {
                    AppError::bad_request(
                        "invalid-date",
                        "Дата в формате ГГГГ-ММ-ДД.",
                        "Dates as YYYY-MM-DD.",
                    )
                    .with_extra("param", name)
                })?;
                let start = (d + chrono::Duration::days(plus_days))
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight");
                Ok(Some(crate::time::to_db(crate::time::moscow_naive_to_utc(
                    start,
                ))))
            }
        }
    };
    let from = day("from", 0)?;
    let to = day("to", 1)?;
    let seal = crate::cursor::CursorSeal::for_company(p.config(), &caller.company_id);
    let (cur_at, cur_id) = crate::http::cursor_seq(req, &seal)?.unzip();
    let user = req
        .query_param("user")
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let kind = req
        .query_param("kind")
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    // Kinds are short dotted names (`legal_entity.changed`); anything else is refused here, not
    // left to the database (production D1 refuses LIKE patterns over 50 bytes).
    if kind.as_deref().is_some_and(|k| {
        k.len() > 40
            || !k
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
    }) {
        return Err(AppError::bad_request(
            "invalid-kind",
            "Вид события: латинские строчные буквы, точка и подчёркивание, не длиннее 40 символов.",
            "Event kind: lowercase Latin letters, dots and underscores, at most 40 characters.",
        ));
    }
    let rows: Vec<Row> = p
        .db()
        .all(
            Stmt::new(sql::AUDIT_PAGE)
                .bind(&caller.company_id)
                .bind(user)
                .bind(kind)
                .bind(from)
                .bind(to)
                .bind(cur_at)
                .bind(cur_id)
                .bind(limit + 1),
        )
        .await?;
    let more = rows.len() as i64 > limit;
    let last_key = rows
        .get(limit as usize - 1)
        .map(|r| crate::http::encode_cursor(&seal, &r.at, r.seq));
    let items: Vec<Item> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| Item {
            id: r.id,
            at: r.at,
            user: r
                .user_id
                .map(|id| serde_json::json!({"id": id, "full_name": r.user_name})),
            kind: r.kind,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            onec_answer: parse(r.onec_answer),
        })
        .collect();
    let next_cursor = last_key.filter(|_| more);
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "items": items, "next_cursor": next_cursor }),
    ))
}
