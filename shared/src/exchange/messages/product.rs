//! `product`: a catalogue product with its prices per price type and stock per warehouse, a full
//! snapshot (`entity_id`: 1C's id). Products are most of the traffic, so the inbox applies a
//! batch's products together with `plan_many` (a few multi-row statements); `plan` is the same
//! effect for one product.

use super::check::required;
use super::common::yes;
use super::Inbound;
use crate::error::{AppResult, FieldError};
use crate::exchange::apply::{Apply, Hold};
use crate::exchange::contract::{RawMessage, Valid};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, milli_from_1c, Kopecks, Milli};
use crate::ports::{Ports, Stmt};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

use super::company::PriceTypeIn;

#[derive(Debug, Clone, Deserialize)]
pub struct PriceIn {
    pub price_type: PriceTypeIn,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub price: Kopecks,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StockIn {
    pub warehouse: String,
    #[serde(deserialize_with = "milli_from_1c")]
    pub quantity: Milli,
}

/// A product with its prices per price type and stock per warehouse: a full snapshot.
#[derive(Debug, Clone, Deserialize)]
pub struct ProductIn {
    pub article: String,
    pub name: String,
    pub unit: String,
    pub unit_code: Option<String>,
    /// VAT rate in percent (20, 10, 0); `null` for goods without VAT.
    pub vat_rate: Option<u32>,
    #[serde(default)]
    pub prices: Vec<PriceIn>,
    #[serde(default)]
    pub stock: Vec<StockIn>,
    #[serde(default = "yes")]
    pub active: bool,
}

impl Inbound for ProductIn {
    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        let p = self;
        required(errs, "article", &p.article, 100);
        required(errs, "name", &p.name, 500);
        required(errs, "unit", &p.unit, 20);
        if let Some(v) = p.vat_rate {
            if v > 100 {
                errs.push(FieldError::new(
                    "vat_rate",
                    "invalid",
                    "Ставка НДС в процентах.",
                    "VAT rate is a percentage.",
                ));
            }
        }
        for (i, pr) in p.prices.iter().enumerate() {
            required(
                errs,
                &format!("prices[{i}].price_type.id"),
                &pr.price_type.id,
                100,
            );
            super::check::non_negative(
                errs,
                format!("prices[{i}].price"),
                pr.price,
                "Цена не может быть отрицательной.",
            );
        }
        for (i, s) in p.stock.iter().enumerate() {
            required(errs, &format!("stock[{i}].warehouse"), &s.warehouse, 200);
        }
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (pr, v, now) = (self, a.v, a.now);
        let stmts = &mut a.stmts;
        stmts.push(
            Stmt::new(sql::PRODUCT_UPSERT)
                .bind(crate::ids::new_id("prd"))
                .bind(v.entity_id.as_str())
                .bind(pr.article.trim())
                .bind(crate::validate::article_key(&pr.article))
                .bind(pr.name.trim())
                .bind(crate::validate::search_text(&pr.name))
                .bind(pr.unit.trim())
                .bind(pr.unit_code.clone())
                .bind(pr.vat_rate.map(|r| r as i64 * 100).unwrap_or(0))
                .bind(pr.active)
                .bind(now),
        );
        // Duplicate rows in one snapshot: the last price per type wins, stock per warehouse adds up.
        let mut prices: BTreeMap<&str, (&str, i64)> = BTreeMap::new();
        for price in &pr.prices {
            prices.insert(
                price.price_type.id.as_str(),
                (price.price_type.name.as_str(), price.price.0),
            );
        }
        let mut stock: BTreeMap<&str, i64> = BTreeMap::new();
        for s in &pr.stock {
            *stock.entry(s.warehouse.trim()).or_default() += s.quantity.0;
        }
        stmts.push(Stmt::new(sql::PRODUCT_PRICES_CLEAR).bind(v.entity_id.as_str()));
        for (pt_id, (pt_name, kop)) in prices {
            stmts.push(
                Stmt::new(sql::PRICE_TYPE_UPSERT)
                    .bind(crate::ids::new_id("pt"))
                    .bind(pt_id)
                    .bind(pt_name),
            );
            stmts.push(
                Stmt::new(sql::PRODUCT_PRICE_ADD)
                    .bind(v.entity_id.as_str())
                    .bind(pt_id)
                    .bind(kop),
            );
        }
        stmts.push(Stmt::new(sql::PRODUCT_STOCK_CLEAR).bind(v.entity_id.as_str()));
        for (wh, qty) in stock {
            stmts.push(
                Stmt::new(sql::PRODUCT_STOCK_ADD)
                    .bind(v.entity_id.as_str())
                    .bind(wh)
                    .bind(qty),
            );
        }
        Ok(())
    }
}

/// The statements that apply many product snapshots at once (and mark them applied): each table
/// written by one statement reading a JSON array parameter. Same effect as `plan` per product.
pub fn plan_many(products: &[&Valid], now: DateTime<Utc>) -> AppResult<Vec<Stmt>> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::new();
    let mut price_types: BTreeMap<&str, &str> = BTreeMap::new();
    let mut prices = Vec::new();
    let mut stocks = Vec::new();
    let mut seqs = Vec::new();
    let mut ids = Vec::new();
    for v in products {
        let super::Payload::Product(pr) = &v.payload else {
            continue;
        };
        rows.push(serde_json::json!({
            "id": crate::ids::new_id("prd"), "onec_id": v.entity_id, "article": pr.article.trim(),
            "article_norm": crate::validate::article_key(&pr.article), "name": pr.name.trim(),
            "name_norm": crate::validate::search_text(&pr.name), "unit": pr.unit.trim(), "unit_code": pr.unit_code,
            "vat_rate_bp": pr.vat_rate.map(|r| r as i64 * 100).unwrap_or(0), "active": pr.active as i64,
        }));
        let mut by_type: BTreeMap<&str, i64> = BTreeMap::new();
        for price in &pr.prices {
            price_types.insert(price.price_type.id.as_str(), price.price_type.name.as_str());
            by_type.insert(price.price_type.id.as_str(), price.price.0);
        }
        for (pt, kop) in by_type {
            prices.push(serde_json::json!({"product": v.entity_id, "pt": pt, "kop": kop}));
        }
        let mut by_wh: BTreeMap<&str, i64> = BTreeMap::new();
        for st in &pr.stock {
            *by_wh.entry(st.warehouse.trim()).or_default() += st.quantity.0;
        }
        for (wh, qty) in by_wh {
            stocks.push(serde_json::json!({"product": v.entity_id, "warehouse": wh, "qty": qty}));
        }
        seqs.push(serde_json::json!({"type": "product", "entity_id": v.entity_id, "seq": v.seq}));
        ids.push(v.id.as_str());
    }
    let onec_ids: Vec<&str> = products.iter().map(|v| v.entity_id.as_str()).collect();
    let pts: Vec<serde_json::Value> = price_types.iter().map(|(id, name)| serde_json::json!({"id": crate::ids::new_id("pt"), "onec_id": id, "name": name})).collect();
    let onec_json = serde_json::to_string(&onec_ids)?;
    Ok(vec![
        Stmt::new(sql::SEQ_ADVANCE_MANY).bind(serde_json::to_string(&seqs)?),
        Stmt::new(sql::PRODUCTS_UPSERT_MANY)
            .bind(now)
            .bind(serde_json::to_string(&rows)?),
        Stmt::new(sql::PRICE_TYPES_UPSERT_MANY).bind(serde_json::to_string(&pts)?),
        Stmt::new(sql::PRODUCT_PRICES_CLEAR_MANY).bind(onec_json.clone()),
        Stmt::new(sql::PRODUCT_PRICES_ADD_MANY).bind(serde_json::to_string(&prices)?),
        Stmt::new(sql::PRODUCT_STOCK_CLEAR_MANY).bind(onec_json),
        Stmt::new(sql::PRODUCT_STOCK_ADD_MANY).bind(serde_json::to_string(&stocks)?),
        Stmt::new(sql::INBOX_MARK_APPLIED_MANY)
            .bind(now)
            .bind(serde_json::to_string(&ids)?),
    ])
}
