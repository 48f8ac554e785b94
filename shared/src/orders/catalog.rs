//! Catalogue search for adding lines: by article (partial, spaces and punctuation ignored) or by
//! name words (Cyrillic folded in Rust: SQLite's lower() folds only ASCII), with the company's
//! price for its agreement's price type and the stock: the total, and per warehouse.

use super::sql;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Item {
    id: String,
    onec_id: String,
    article: String,
    name: String,
    unit: String,
    vat_rate_bp: i64,
    price_kop: Option<i64>,
    /// The total over warehouses.
    stock_milli: i64,
    /// Per warehouse, by name (empty when 1C sent no stock).
    #[serde(default)]
    stock: Vec<Stock>,
}

#[derive(Deserialize, Serialize)]
struct Stock {
    #[serde(skip_serializing)]
    product_id: String,
    warehouse: String,
    qty_milli: i64,
}

/// The search terms: an article key, and up to two name words (the longest ones: they narrow
/// the most).
pub fn terms(q: &str) -> (String, String, String) {
    let key = crate::validate::article_key(q);
    let text = crate::validate::search_text(q);
    let mut words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let first = words.first().map(|w| w.to_string()).unwrap_or_default();
    let second = words
        .get(1)
        .map(|w| w.to_string())
        .unwrap_or_else(|| first.clone());
    (key, first, second)
}

/// The price type the company buys at: its agreement's (the given one, or the first active by
/// name). `None`: no active agreement with a price type, so no prices.
pub async fn price_type<P: Ports>(
    p: &P,
    company_id: &str,
    agreement_id: Option<String>,
) -> AppResult<Option<String>> {
    #[derive(Deserialize)]
    struct Pt {
        price_type_id: String,
    }
    Ok(p.db()
        .first::<Pt>(
            Stmt::new(sql::PRICE_TYPE)
                .bind(company_id)
                .bind(agreement_id),
        )
        .await?
        .map(|x| x.price_type_id))
}

pub async fn search<P: Ports>(p: &P, caller: &Caller, req: &ApiRequest) -> AppResult<ApiResponse> {
    let q = req.query_param("q").unwrap_or("").trim();
    if q.chars().count() < 2 || q.len() > 100 {
        return Err(AppError::bad_request(
            "query-length",
            "Введите от 2 до 100 символов.",
            "Enter 2 to 100 characters.",
        ));
    }
    let limit = crate::http::page_limit(req)?.min(50);
    let pt = price_type(
        p,
        &caller.company_id,
        req.query_param("agreement").map(str::to_string),
    )
    .await?;
    let (key, w1, w2) = terms(q);
    let mut items: Vec<Item> = p
        .db()
        .all(
            Stmt::new(sql::CATALOG)
                .bind(key)
                .bind(w1)
                .bind(w2)
                .bind(pt)
                .bind(limit),
        )
        .await?;
    if !items.is_empty() {
        let ids = serde_json::to_string(&items.iter().map(|i| &i.id).collect::<Vec<_>>())
            .unwrap_or_default();
        let stock: Vec<Stock> = p
            .db()
            .all(Stmt::new(sql::CATALOG_STOCK).bind(ids))
            .await?;
        for s in stock {
            if let Some(item) = items.iter_mut().find(|i| i.id == s.product_id) {
                item.stock.push(s);
            }
        }
    }
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"items": items, "next_cursor": null}),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn terms_fold_case_and_punctuation() {
        assert_eq!(
            super::terms("AZ-100 00"),
            ("az10000".into(), "az-100".into(), "00".into())
        );
        assert_eq!(
            super::terms("Подшипник ЁЛКА мтз"),
            ("подшипникелкамтз".into(), "подшипник".into(), "елка".into())
        );
    }
}
