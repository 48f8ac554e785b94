//! Catalogue search for adding lines: by article (partial, spaces and punctuation ignored) or by
//! name words (Cyrillic folded in Rust: SQLite's lower() folds only ASCII), with the company's
//! price for its agreement's price type and the stock: the total, and per warehouse. A product
//! with characteristics (`guid#guid`, issue 18) is one card with its variants, each with its
//! properties, price and stock; a variant found by itself is shown under its product's card.

use super::sql;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Item {
    /// The product a variant belongs to (its 1C id): only in the variants query.
    #[serde(default, skip_serializing)]
    base: Option<String>,
    id: String,
    onec_id: String,
    article: String,
    name: String,
    unit: String,
    vat_rate_bp: i64,
    /// A variant's `ХарактеристикиТовара`: `[[name, value], ...]` (stored as JSON text).
    #[serde(serialize_with = "properties")]
    properties: Option<String>,
    /// The main image: `{id, w, h}` of its 160 px thumbnail (stored as JSON text), or null.
    #[serde(default, serialize_with = "image_json")]
    image: Option<String>,
    price_kop: Option<i64>,
    /// The total over warehouses.
    stock_milli: i64,
    /// Per warehouse, by name (empty when 1C sent no stock).
    #[serde(default)]
    stock: Vec<Stock>,
    /// A product's offered characteristics, each an item of its own (no variants of its own).
    #[serde(default)]
    variants: Vec<Item>,
}

fn properties<S: serde::Serializer>(raw: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    let list: Vec<(String, String)> = raw
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    list.serialize(s)
}

/// A stored image (JSON text) as the object it is.
pub(crate) fn image_json<S: serde::Serializer>(
    raw: &Option<String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    raw.as_deref()
        .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
        .serialize(s)
}

/// The 1C id of the product a characteristic (`guid#guid`) belongs to; a product's own.
fn base_of(onec_id: &str) -> &str {
    onec_id.split('#').next().unwrap_or(onec_id)
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
    crate::sort::sort_by_key(&mut words, |w| std::cmp::Reverse(w.chars().count()));
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
                .bind(pt.clone())
                .bind(limit),
        )
        .await?;
    if !items.is_empty() {
        cards(p, &mut items, pt).await?;
    }
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"items": items, "next_cursor": null}),
    ))
}

/// Makes `items` product cards: each product gets its offered variants; a variant whose product
/// was found too is shown only under it; every item and variant gets its stock per warehouse.
async fn cards<P: Ports>(p: &P, items: &mut Vec<Item>, pt: Option<String>) -> AppResult<()> {
    let bases: Vec<&str> = items
        .iter()
        .filter(|i| !i.onec_id.contains('#'))
        .map(|i| i.onec_id.as_str())
        .collect();
    if !bases.is_empty() {
        let json = serde_json::to_string(&bases).unwrap_or_default();
        let variants: Vec<Item> = p
            .db()
            .all(Stmt::new(sql::CATALOG_VARIANTS).bind(json).bind(pt))
            .await?;
        let found: std::collections::HashSet<String> =
            bases.iter().map(|b| b.to_string()).collect();
        items.retain(|i| !i.onec_id.contains('#') || !found.contains(base_of(&i.onec_id)));
        for v in variants {
            let base = v.base.clone().unwrap_or_default();
            if let Some(card) = items.iter_mut().find(|i| i.onec_id == base) {
                card.variants.push(v);
            }
        }
    }
    let ids: Vec<&str> = items
        .iter()
        .flat_map(|i| {
            std::iter::once(i.id.as_str()).chain(i.variants.iter().map(|v| v.id.as_str()))
        })
        .collect();
    let stock: Vec<Stock> = p
        .db()
        .all(Stmt::new(sql::CATALOG_STOCK).bind(serde_json::to_string(&ids).unwrap_or_default()))
        .await?;
    for s in stock {
        let target = items
            .iter_mut()
            .flat_map(|i| {
                let own = i.id == s.product_id;
                let Item {
                    variants, stock, ..
                } = i;
                if own {
                    Some(stock)
                } else {
                    variants
                        .iter_mut()
                        .find(|v| v.id == s.product_id)
                        .map(|v| &mut v.stock)
                }
            })
            .next();
        if let Some(stock) = target {
            stock.push(s);
        }
    }
    Ok(())
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

/// Long side of a catalogue image's thumbnails: a card on a phone, and a larger view.
pub const IMAGE_SIZES: [u32; 2] = [160, 480];

/// R2 key of an image's thumbnail with long side `size` (the exchange's import writes them).
pub fn image_key(image: &str, size: u32) -> String {
    format!("catalogue/images/{image}/{size}.jpg")
}

/// A content id as the image route accepts it: 32 lower-case hex digits.
pub fn is_image_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Thumbnails are stored under their content id: never changed once written.
const IMAGE_CACHE: &str = "private, max-age=31536000, immutable";

/// A catalogue image's thumbnail from R2 (written by the exchange's import: see
/// `crate::exchange::cml::images`), JPEG, cached by the browser for good.
pub async fn image<P: Ports>(
    p: &P,
    id: &str,
    size: &str,
    req: &ApiRequest,
) -> AppResult<ApiResponse> {
    let size: u32 = size.parse().map_err(|_| AppError::not_found())?;
    if !is_image_id(id) || !IMAGE_SIZES.contains(&size) {
        return Err(AppError::not_found());
    }
    let etag = format!("\"{id}-{size}\"");
    let mut headers = vec![
        ("cache-control".to_string(), IMAGE_CACHE.to_string()),
        ("etag".to_string(), etag.clone()),
    ];
    if req.header("if-none-match").is_some_and(|h| {
        h.split(',')
            .any(|t| t.trim().trim_start_matches("W/") == etag)
    }) {
        return Ok(ApiResponse {
            status: 304,
            headers,
            body: Default::default(),
            log: Default::default(),
        });
    }
    // Streamed from the blob store (issue 23), as every stored file is.
    let blob = crate::ports::BlobStore::get_stream(p.blobs(), &image_key(id, size))
        .await?
        .ok_or_else(AppError::not_found)?;
    headers.push(("content-type".into(), "image/jpeg".into()));
    Ok(ApiResponse {
        status: 200,
        headers,
        body: crate::http::Body::Stream(crate::http::BodyStream::of_blob(blob)),
        log: Default::default(),
    })
}
