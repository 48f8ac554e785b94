//! Repeating an order. The pages go through a draft the buyer reviews first (as B2B shops reorder
//! into a cart): `draft` lists the old order's lines at today's price of the company's price type,
//! with today's stock and, for a line that cannot be ordered, why (product deleted or no longer
//! sold, no price, out of stock); `place` makes the order from the reviewed draft with the edited
//! quantities. `repeat_now` is the older one-step repeat (every line still sold, old quantities).
//! All three share the agreement resolution, the pricing and the `order.created` change; in a
//! stock-only deployment (`ONEC_DELIVERY=commerceml`) the new order is instead due for 1C's next
//! CommerceML `query` (docs/exchange/stock-only.md).

use super::edit::LineOut;
use super::sql;
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult, ErrorKind, FieldError};
use crate::http::ApiResponse;
use crate::idempotency::Key;
use crate::money::{Kopecks, Milli};
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::Deserialize;

/// The agreement a repeat is made on, with its legal entity (1C needs both for a ЗаказКлиента).
#[derive(Deserialize)]
struct Ag {
    id: String,
    onec_id: String,
    price_type_id: String,
    legal_entity_id: String,
    legal_entity_onec_id: String,
}

/// An old line as it would be ordered today.
#[derive(Deserialize)]
struct Old {
    line_no: i64,
    product_id: Option<String>,
    product_onec_id: Option<String>,
    article: String,
    name: String,
    qty_milli: i64,
    unit: String,
    vat_rate_bp: Option<i64>,
    price_kop: Option<i64>,
    active: Option<i64>,
    was_price_kop: i64,
    stock_milli: i64,
}

impl Old {
    /// Why the line cannot be ordered today (None: it can). `with_stock`: an empty stock counts
    /// (the draft's rule; the one-step repeat left that to 1C).
    fn unavailable(&self, with_stock: bool) -> Option<&'static str> {
        match (&self.product_id, self.active, self.price_kop) {
            (None, _, _) => Some("deleted"),
            (_, Some(a), _) if a != 1 => Some("inactive"),
            (_, _, None) => Some("unpriced"),
            _ if with_stock && self.stock_milli <= 0 => Some("out_of_stock"),
            _ => None,
        }
    }
}

fn reason_text(reason: &str) -> (&'static str, &'static str) {
    match reason {
        "deleted" => (
            "Товара больше нет в каталоге.",
            "The product is no longer in the catalogue.",
        ),
        "inactive" => ("Товар снят с продажи.", "The product is no longer sold."),
        "unpriced" => (
            "У товара нет цены по вашему соглашению.",
            "The product has no price on your agreement.",
        ),
        _ => ("Товара нет в наличии.", "The product is out of stock."),
    }
}

/// The order being repeated, its agreement and its lines repriced.
async fn load<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
) -> AppResult<(super::list::OrderRow, Option<Ag>, Vec<Old>)> {
    let o = super::list::order(p, caller, id).await?;
    // The repeated order's agreement, or (1C sent that one without one) the company's agreement
    // priced like the catalogue, preferring the order's legal entity (sql::REPEAT_AGREEMENT).
    let ag: Option<Ag> = p
        .db()
        .first(
            Stmt::new(sql::REPEAT_AGREEMENT)
                .bind(&caller.company_id)
                .bind(id),
        )
        .await?;
    let pt = ag.as_ref().map(|a| a.price_type_id.clone());
    let old: Vec<Old> = p
        .db()
        .all(
            Stmt::new(sql::LINES_REPRICED)
                .bind(id)
                .bind(&caller.company_id)
                .bind(pt),
        )
        .await?;
    Ok((o, ag, old))
}

/// `GET /api/orders/orders/{id}/repeat-draft`: the old order's lines as a draft to review.
pub async fn draft<P: Ports>(p: &P, caller: &Caller, id: &str) -> AppResult<ApiResponse> {
    let (o, ag, old) = load(p, caller, id).await?;
    let mut total = 0i64;
    let lines: Vec<serde_json::Value> = old
        .iter()
        .map(|l| {
            let why = l.unavailable(true);
            let amount = match (why, l.price_kop) {
                (None, Some(price)) => crate::money::line_amount(Milli(l.qty_milli), Kopecks(price)).0,
                _ => 0,
            };
            total += amount;
            let (ru, en) = why.map(reason_text).unwrap_or(("", ""));
            serde_json::json!({"line_no": l.line_no, "product_id": l.product_id, "article": l.article, "name": l.name, "unit": l.unit,
                "qty_milli": l.qty_milli, "was_price_kop": l.was_price_kop, "price_kop": l.price_kop, "amount_kop": amount,
                "stock_milli": l.stock_milli, "available": why.is_none(), "reason": why,
                "reason_ru": why.map(|_| ru), "reason_en": why.map(|_| en)})
        })
        .collect();
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"order": {"id": o.id, "number": o.number, "onec_number": o.onec_number, "ordered_at": o.ordered_at,
            "legal_entity": o.legal_entity, "delivery_method": o.delivery_method, "delivery_address": o.delivery_address, "consignee": o.consignee},
            "agreement_id": ag.as_ref().map(|a| a.id.clone()), "payment_method": "invoice", "lines": lines, "total_kop": total}),
    ))
}

#[derive(Debug, Deserialize)]
pub struct PlaceLine {
    pub line_no: i64,
    /// A decimal string or number: `"2.5"`.
    pub quantity: serde_json::Value,
}
const PLACE_LINE_FIELDS: &[crate::body::Field] = &[
    crate::body::Field::scalar("line_no"),
    crate::body::Field::text("quantity", crate::body::QUANTITY),
];

/// The reviewed draft: the lines to order (by the old order's line numbers) with their quantities;
/// a line left out is not ordered.
#[derive(Debug, Deserialize)]
pub struct Place {
    pub lines: Vec<PlaceLine>,
}
impl crate::body::Body for Place {
    const FIELDS: &'static [crate::body::Field] = &[crate::body::Field::list(
        "lines",
        &crate::body::Kind::Object(PLACE_LINE_FIELDS),
    )];
}

/// `POST /api/orders/orders/{id}/repeat-draft`: the order from the reviewed draft. A line that
/// cannot be ordered today, an unknown or repeated line number or a bad quantity is refused (422,
/// pointing at the line); nothing is created then.
pub async fn place<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    body: Place,
    key: &Key,
) -> AppResult<ApiResponse> {
    let (o, ag, old) = load(p, caller, id).await?;
    let mut errs = Vec::new();
    let mut chosen = Vec::new();
    for (i, l) in body.lines.iter().enumerate() {
        let Some(line) = old.iter().find(|x| x.line_no == l.line_no) else {
            errs.push(FieldError::new(
                format!("lines[{i}].line_no"),
                "unknown-line",
                "В заказе нет такой строки.",
                "The order has no such line.",
            ));
            continue;
        };
        if body.lines[..i].iter().any(|x| x.line_no == l.line_no) {
            errs.push(FieldError::new(
                format!("lines[{i}].line_no"),
                "duplicate-line",
                "Строка указана дважды.",
                "The line is given twice.",
            ));
            continue;
        }
        if let Some(why) = line.unavailable(true) {
            let (ru, en) = reason_text(why);
            errs.push(FieldError::new(
                format!("lines[{i}].line_no"),
                "line-unavailable",
                ru,
                en,
            ));
            continue;
        }
        match super::edit::qty(&l.quantity) {
            Some(q) => chosen.push((line, q)),
            None => errs.push(FieldError::new(
                format!("lines[{i}].quantity"),
                "invalid-quantity",
                "Количество — положительное число, не больше трёх знаков после запятой.",
                "The quantity is a positive number with at most three decimals.",
            )),
        }
    }
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    if chosen.is_empty() {
        return Err(nothing_to_repeat(Vec::new()));
    }
    create(p, caller, &o, ag, chosen, Vec::new(), key).await
}

/// The one-step repeat: every line still sold and priced, at its old quantity.
pub async fn repeat_now<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    key: &Key,
) -> AppResult<ApiResponse> {
    let (o, ag, old) = load(p, caller, id).await?;
    let mut chosen = Vec::new();
    let mut skipped = Vec::new();
    for l in &old {
        if l.unavailable(false).is_some() {
            skipped.push(l.article.clone());
        } else {
            chosen.push((l, Milli(l.qty_milli)));
        }
    }
    if chosen.is_empty() {
        return Err(nothing_to_repeat(skipped));
    }
    create(p, caller, &o, ag, chosen, skipped, key).await
}

fn nothing_to_repeat(skipped: Vec<String>) -> AppError {
    AppError::new(
        ErrorKind::Unprocessable,
        "nothing-to-repeat",
        "Ни одного товара из заказа сейчас нет в продаже.",
        "None of the order's products is on sale now.",
    )
    .with_extra("skipped", serde_json::Value::from(skipped))
}

/// The new order (status `draft` until 1C's snapshot), its lines, the `order.created` change and
/// the audit row, in one batch.
async fn create<P: Ports>(
    p: &P,
    caller: &Caller,
    o: &super::list::OrderRow,
    ag: Option<Ag>,
    chosen: Vec<(&Old, Milli)>,
    skipped: Vec<String>,
    key: &Key,
) -> AppResult<ApiResponse> {
    // Lines are priced only on an agreement: there is one here.
    let Some(ag) = ag else {
        return Err(AppError::internal(
            "repeat: lines priced without an agreement",
        ));
    };
    let mut lines = Vec::new();
    let mut wire = Vec::new();
    let (mut total, mut vat_total) = (0i64, 0i64);
    for (l, q) in chosen {
        let (Some(pid), Some(price)) = (&l.product_id, l.price_kop) else {
            return Err(AppError::internal("repeat: an unavailable line chosen"));
        };
        let amount = crate::money::line_amount(q, Kopecks(price)).0;
        let rate = l.vat_rate_bp.unwrap_or(0);
        let vat = (amount * rate + (10_000 + rate) / 2) / (10_000 + rate);
        total += amount;
        vat_total += vat;
        let line_no = lines.len() + 1;
        lines.push(serde_json::json!({"line_no": line_no, "product_id": pid, "product_onec_id": l.product_onec_id, "article": l.article, "name": l.name,
            "qty": q.0, "unit": l.unit, "price": price, "amount": amount, "vat_rate_bp": rate, "vat": vat, "search": super::line_search(&l.article, &l.name)}));
        wire.push(LineOut::new(
            line_no as i64,
            l.product_onec_id.clone(),
            l.article.clone(),
            l.name.clone(),
            l.unit.clone(),
            q,
            Kopecks(price),
            Kopecks(amount),
            rate,
        ));
    }
    let now = p.now();
    let new_id = crate::ids::new_id("ord");
    let number = format!("П-{}", &new_id[new_id.len() - 8..].to_uppercase());
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::OrderCreated,
        entity_type: "order",
        portal_id: &new_id,
        onec_entity_id: "",
        base_version: 0,
        payload: serde_json::json!({"company_id": o.company_onec_id, "portal_id": new_id, "number": number, "repeats": o.onec_id,
            "legal_entity_id": ag.legal_entity_onec_id, "agreement_id": ag.onec_id, "payment_method": "invoice",
            "delivery_method": o.delivery_method, "delivery_address": o.delivery_address, "consignee_id": o.consignee_onec_id,
            "planned_shipping_date": None::<String>, "total": crate::changes::wire::amount(Kopecks(total)), "lines": wire}),
        before: serde_json::Value::Null,
    };
    // Stock-only: no extension registers the order; it is due for 1C's next `query` (the
    // `cml_change` mark below) and 1C's order file carrying it back closes it.
    let stock_only = p.config().onec_delivery == crate::config::Delivery::Commerceml;
    let (change_id, out) = if stock_only {
        (crate::ids::new_id("aud"), None)
    } else {
        let (id, out) = changes::record(&change, now, None);
        (id, Some(out))
    };
    let mut stmts = vec![
        Stmt::new(sql::ORDER_CREATE)
            .bind(&new_id)
            .bind(&caller.company_id)
            .bind(&number)
            .bind(now)
            .bind(&caller.user_id)
            .bind(total)
            .bind(vat_total)
            .bind(&o.id)
            .bind(crate::validate::search_text(&number))
            .bind(&ag.legal_entity_id)
            .bind(&ag.id),
        Stmt::new(sql::ORDER_LINES_CREATE)
            .bind(&new_id)
            .bind(&caller.company_id)
            .bind(serde_json::to_string(&lines)?),
        Stmt::dynamic(format!("{} WHERE 1", crate::audit_log::INSERT_SELECT))
            .bind(&change_id)
            .bind(&caller.company_id)
            .bind(&caller.user_id)
            .bind(now)
            .bind("order.created")
            .bind("order")
            .bind(&new_id)
            .bind(None::<String>)
            .bind(
                serde_json::json!({"repeats": o.number, "lines": lines.len(), "total_kop": total})
                    .to_string(),
            ),
        changes::mark_order_changed_stmt(&new_id),
    ];
    if let Some(out) = out {
        // After the order and its lines, as before the stock-only mode.
        stmts.insert(2, out);
    }
    let answer = ApiResponse::json(
        201,
        &serde_json::json!({"id": new_id, "number": number, "total_kop": total, "skipped": skipped,
            "change_id": (!stock_only).then_some(&change_id)}),
    );
    // With an Idempotency-Key the key and its answer are written in this batch: the same key again
    // (even in parallel) gets the first answer and creates nothing.
    let effect = crate::idempotency::Effect::row("orders", &new_id);
    if let crate::idempotency::Ran::Replay(stored) = key.batch(p, stmts, effect, &answer).await? {
        return Ok(stored);
    }
    if !stock_only {
        changes::wake(p, &change_id).await;
    }
    Ok(answer)
}
