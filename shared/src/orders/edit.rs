//! Editing an unpaid order: lines (quantities, removals, products added from the catalogue or
//! pasted as `article;qty`), delivery method and planned shipping date (only a day 1C's shipping
//! calendar allows), consignee. Sent to 1C as `order.changed` with the version it was based on;
//! the order itself changes when 1C sends it back, and the page shows the pending change.

use super::sql;
use super::status::OrderStatus;
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult, ErrorKind, FieldError};
use crate::http::ApiResponse;
use crate::money::{Kopecks, Milli};
use crate::ports::{Database, DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};

/// The calendar 1C's shipping days come in.
pub const CALENDAR: &str = "main";

#[derive(Debug, Deserialize)]
pub struct LineIn {
    pub product_id: Option<String>,
    pub article: Option<String>,
    /// A decimal string or number: `"2.5"`.
    pub quantity: serde_json::Value,
}
const LINE_FIELDS: &[crate::body::Field] = &[
    crate::body::Field::text("product_id", crate::body::ID),
    crate::body::Field::text("article", 100),
    crate::body::Field::text("quantity", crate::body::QUANTITY),
];

#[derive(Debug, Deserialize)]
pub struct Edit {
    pub version: i64,
    pub lines: Option<Vec<LineIn>>,
    pub delivery_method: Option<String>,
    pub delivery_address: Option<String>,
    pub planned_shipping_date: Option<String>,
    pub consignee_id: Option<String>,
}
impl crate::body::Body for Edit {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::scalar("version"),
        crate::body::Field::list("lines", &crate::body::Kind::Object(LINE_FIELDS)),
        crate::body::Field::choice("delivery_method"),
        crate::body::Field::text("delivery_address", crate::body::ADDRESS),
        crate::body::Field::text("planned_shipping_date", crate::body::DATE),
        crate::body::Field::text("consignee_id", crate::body::ID),
    ];
}

#[derive(Debug, Deserialize, Clone)]
struct Product {
    id: String,
    onec_id: String,
    article: String,
    article_norm: String,
    name: String,
    unit: String,
    vat_rate_bp: i64,
    price_kop: Option<i64>,
}

/// `article;qty` per line (also tab or comma), as people paste from a spreadsheet: the parsed
/// lines and the line numbers that could not be read.
pub fn parse_paste(text: &str) -> (Vec<(String, String)>, Vec<usize>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line
            .split([';', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        match parts.as_slice() {
            [article, qty] if Milli::parse(&qty.replace(',', ".")).is_ok_and(|q| q.0 > 0) => {
                ok.push((article.to_string(), qty.replace(',', ".")))
            }
            _ => bad.push(i + 1),
        }
    }
    (ok, bad)
}

pub(super) fn qty(v: &serde_json::Value) -> Option<Milli> {
    let s = match v {
        serde_json::Value::String(s) => s.replace(',', "."),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Milli::parse(&s)
        .ok()
        .filter(|q| q.0 > 0 && q.0 <= 1_000_000_000)
}

/// An order line as `order.created` and `order.changed` carry it (docs/exchange/schemas/changes/).
#[derive(Serialize, Deserialize)]
pub(super) struct LineOut {
    /// The line as `order_lines` stores it, for a stock-only edit applied at once.
    #[serde(skip)]
    row: serde_json::Value,
    line_no: i64,
    product_id: Option<String>,
    article: String,
    name: String,
    unit: String,
    quantity: serde_json::Value,
    price: serde_json::Value,
    amount: serde_json::Value,
    vat_rate: serde_json::Value,
}

impl LineOut {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        line_no: i64,
        product_id: Option<String>,
        article: String,
        name: String,
        unit: String,
        q: Milli,
        price: Kopecks,
        amount: Kopecks,
        vat_rate_bp: i64,
    ) -> LineOut {
        use crate::changes::wire;
        // VAT included in the amount, rounded half up.
        let vat = (amount.0 * vat_rate_bp * 2 + 10_000 + vat_rate_bp) / (2 * (10_000 + vat_rate_bp));
        LineOut {
            row: serde_json::json!({"line_no": line_no, "product": product_id, "article": article, "name": name,
                "qty": q.0, "unit": unit, "price": price.0, "amount": amount.0, "vat_rate_bp": vat_rate_bp, "vat": vat,
                "search": crate::orders::line_search(&article, &name)}),
            line_no,
            product_id,
            article,
            name,
            unit,
            quantity: wire::quantity(q),
            price: wire::amount(price),
            amount: wire::amount(amount),
            vat_rate: wire::vat_rate(vat_rate_bp),
        }
    }
}

/// The lines the order has now, as 1C is sent them when a change leaves them as they are.
async fn current_lines<P: Ports>(p: &P, company_id: &str, order_id: &str) -> AppResult<Vec<LineOut>> {
    #[derive(Deserialize)]
    struct L {
        line_no: i64,
        product_onec_id: Option<String>,
        article: String,
        name: String,
        unit: String,
        qty_milli: i64,
        price_kop: i64,
        amount_kop: i64,
        vat_rate_bp: Option<i64>,
    }
    let rows: Vec<L> = p
        .db()
        .all(Stmt::new(sql::LINES_WIRE).bind(order_id).bind(company_id))
        .await?;
    Ok(rows
        .into_iter()
        .map(|l| {
            LineOut::new(
                l.line_no,
                l.product_onec_id,
                l.article,
                l.name,
                l.unit,
                Milli(l.qty_milli),
                Kopecks(l.price_kop),
                Kopecks(l.amount_kop),
                l.vat_rate_bp.unwrap_or(0),
            )
        })
        .collect())
}

/// A planned shipping date the client asks for: after today and a working day of 1C's shipping
/// calendar; refusals go to `errs` under `planned_shipping_date`.
async fn shipping_day<P: Ports>(
    p: &P,
    day: &str,
    errs: &mut Vec<FieldError>,
) -> AppResult<Option<chrono::NaiveDate>> {
    let today = crate::finance::schedule::today(p.now());
    let d = match crate::time::parse_ymd(day) {
        Some(d) => d,
        None => {
            errs.push(FieldError::new(
                "planned_shipping_date",
                "invalid-date",
                "Дата в формате ГГГГ-ММ-ДД.",
                "A date as YYYY-MM-DD.",
            ));
            return Ok(None);
        }
    };
    if d <= today {
        errs.push(FieldError::new(
            "planned_shipping_date",
            "past",
            "Дата отгрузки — не раньше завтрашнего дня.",
            "The shipping date must be after today.",
        ));
        return Ok(None);
    }
    #[derive(Deserialize)]
    struct Ok_ {
        ok: i64,
    }
    let ok = p
        .db()
        .first::<Ok_>(
            Stmt::new(sql::SHIPPING_DAY)
                .bind(CALENDAR)
                .bind(d.to_string()),
        )
        .await?
        .is_some_and(|x| x.ok == 1);
    if !ok {
        errs.push(FieldError::new(
            "planned_shipping_date",
            "not-a-shipping-day",
            "В этот день склад не отгружает: выберите рабочий день из календаря отгрузок.",
            "The warehouse does not ship that day: choose a working day of the shipping calendar.",
        ));
        return Ok(None);
    }
    Ok(Some(d))
}

pub async fn edit<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    body: Edit,
) -> AppResult<ApiResponse> {
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
            "Менять можно только неоплаченный и не отгруженный заказ.",
            "Only an unpaid, unshipped order can be changed.",
        ));
    }
    let mut errs = Vec::new();
    // A credit order's raise: (agreement id, kopecks) reserved with the change.
    let mut raise: Option<(String, i64)> = None;
    // The full new state of what the client edits (docs/exchange/schemas/changes/
    // order.changed.schema.json): what the body leaves out is sent as the order has it.
    let mut new_lines: Option<(Vec<LineOut>, i64)> = None;
    let mut delivery = (o.delivery_method.clone(), o.delivery_address.clone());
    let mut shipping = crate::changes::wire::day_text(o.planned_shipping_date.as_deref());
    let mut consignee = (o.consignee_onec_id.clone(), None::<String>);
    let mut after = serde_json::json!({});
    if let Some(lines) = &body.lines {
        if lines.is_empty() || lines.len() > 500 {
            errs.push(FieldError::new(
                "lines",
                "invalid",
                "От 1 до 500 строк; чтобы убрать всё, отмените заказ.",
                "1 to 500 lines; to drop everything, cancel the order.",
            ));
        }
        let ids: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.product_id.as_deref())
            .collect();
        let keys: Vec<String> = lines
            .iter()
            .filter_map(|l| l.article.as_deref())
            .map(crate::validate::article_key)
            .collect();
        let pt = super::catalog::price_type(p, &caller.company_id, o.agreement_id.clone()).await?;
        let products: Vec<Product> = p
            .db()
            .all(
                Stmt::new(sql::PRODUCTS_FOR_LINES)
                    .bind(serde_json::to_string(&ids)?)
                    .bind(pt)
                    .bind(serde_json::to_string(&keys)?),
            )
            .await?;
        let mut out = Vec::new();
        let mut total = 0i64;
        for (i, l) in lines.iter().enumerate() {
            let found = match (&l.product_id, &l.article) {
                (Some(pid), _) => products.iter().find(|p| &p.id == pid),
                (None, Some(a)) => {
                    let key = crate::validate::article_key(a);
                    products.iter().find(|p| p.article_norm == key)
                }
                _ => None,
            };
            let Some(prod) = found else {
                errs.push(FieldError::new(
                    format!("lines[{i}].article"),
                    "unknown-article",
                    format!(
                        "Нет такого товара: {}.",
                        l.article
                            .clone()
                            .or(l.product_id.clone())
                            .unwrap_or_default()
                    ),
                    format!(
                        "No such product: {}.",
                        l.article
                            .clone()
                            .or(l.product_id.clone())
                            .unwrap_or_default()
                    ),
                ));
                continue;
            };
            let Some(q) = qty(&l.quantity) else {
                errs.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    "invalid-quantity",
                    "Количество — число больше нуля, до трёх знаков после запятой.",
                    "Quantity: a positive number with up to three decimals.",
                ));
                continue;
            };
            let Some(price) = prod.price_kop else {
                errs.push(FieldError::new(
                    format!("lines[{i}].article"),
                    "no-price",
                    format!("У товара {} нет цены по вашему договору.", prod.article),
                    format!("Product {} has no price on your agreement.", prod.article),
                ));
                continue;
            };
            let amount = crate::money::line_amount(q, Kopecks(price));
            total += amount.0;
            out.push(LineOut::new(
                out.len() as i64 + 1,
                Some(prod.onec_id.clone()),
                prod.article.clone(),
                prod.name.clone(),
                prod.unit.clone(),
                q,
                Kopecks(price),
                amount,
                prod.vat_rate_bp,
            ));
        }
        // Paying on credit: the raise must fit the available credit (checked again, and
        // reserved, in the batch that records the change).
        if o.payment_method == "credit" && total > o.total_kop {
            if let Some((agreement, short)) =
                credit_short(p, caller, &o, total - o.total_kop).await?
            {
                match short {
                    Some(e) => errs.push(e),
                    None => raise = Some((agreement, total - o.total_kop)),
                }
            }
        }
        after["lines"] = out.len().into();
        new_lines = Some((out, total));
        after["total_kop"] = total.into();
    }
    if let Some(dm) = &body.delivery_method {
        if !super::methods::DELIVERY_METHODS.contains(&dm.as_str()) {
            errs.push(FieldError::new(
                "delivery_method",
                "unknown",
                "Способ доставки: pickup, delivery, transport_company.",
                "Delivery: pickup, delivery or transport_company.",
            ));
        }
        if dm != "pickup"
            && body
                .delivery_address
                .as_deref()
                .map(str::trim)
                .unwrap_or("")
                .is_empty()
            && body.consignee_id.is_none()
            && o.delivery_address.is_none()
        {
            errs.push(FieldError::new(
                "delivery_address",
                "required",
                "Укажите адрес доставки или грузополучателя.",
                "Give a delivery address or a consignee.",
            ));
        }
        delivery = (Some(dm.clone()), body.delivery_address.clone());
        after["delivery_method"] = dm.clone().into();
    }
    if let Some(day) = &body.planned_shipping_date {
        if let Some(d) = shipping_day(p, day, &mut errs).await? {
            shipping = Some(crate::changes::wire::day(d));
            after["planned_shipping_date"] = d.to_string().into();
        }
    }
    if let Some(cid) = &body.consignee_id {
        #[derive(Deserialize)]
        struct C {
            onec_id: Option<String>,
            name: String,
        }
        match p
            .db()
            .first::<C>(
                Stmt::new(sql::CONSIGNEE_OF_COMPANY)
                    .bind(cid.as_str())
                    .bind(&caller.company_id),
            )
            .await?
        {
            None => errs.push(FieldError::new(
                "consignee_id",
                "unknown",
                "Нет такого грузополучателя в компании.",
                "No such consignee in your company.",
            )),
            Some(c) => {
                consignee = (c.onec_id.clone(), Some(cid.clone()));
                after["consignee"] = c.name.into();
            }
        }
    }
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    if after.as_object().is_none_or(|m| m.is_empty()) {
        return Err(AppError::bad_request(
            "nothing-changed",
            "Нет изменений.",
            "Nothing to change.",
        ));
    }
    // Stock-only: the rows `order_lines` gets (see `apply_now`).
    let rows: Option<Vec<serde_json::Value>> = new_lines
        .as_ref()
        .map(|(lines, _)| lines.iter().map(|l| l.row.clone()).collect());
    let (lines, total) = match new_lines {
        Some(x) => x,
        None => (current_lines(p, &caller.company_id, id).await?, o.total_kop),
    };
    let payload = serde_json::json!({"company_id": o.company_onec_id, "order_id": o.onec_id,
        "delivery_method": delivery.0, "delivery_address": delivery.1,
        "consignee_id": consignee.0, "consignee_portal_id": consignee.1,
        "planned_shipping_date": shipping, "total": crate::changes::wire::amount(Kopecks(total)),
        "lines": lines});
    let now = p.now();
    if p.config().onec_delivery == crate::config::Delivery::Commerceml {
        let planned = after["planned_shipping_date"].as_str().map(str::to_owned).or(o.planned_shipping_date.clone());
        return apply_now(p, caller, &o, rows, total, delivery, consignee.0, planned, after).await;
    }
    let change_id = crate::ids::new_id("out");
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::OrderChanged,
        entity_type: "order",
        portal_id: id,
        onec_entity_id: &o.onec_id,
        base_version: o.version,
        payload,
        before: serde_json::json!({"total_kop": o.total_kop, "delivery_method": o.delivery_method, "planned_shipping_date": o.planned_shipping_date, "consignee": o.consignee}),
    };
    let mut params: Vec<crate::ports::SqlValue> =
        vec![id.into(), o.version.into(), id.into(), id.into()];
    let guard = match &raise {
        Some((agreement, kop)) => {
            params.push(agreement.as_str().into());
            params.push((*kop).into());
            (sql::ORDER_CHANGE_GUARD_RAISE, params)
        }
        None => (sql::ORDER_CHANGE_GUARD, params),
    };
    let (_, out) = changes::record_with_id(&change, &change_id, now, Some(guard));
    let audit = super::change::audit(
        &change_id,
        caller,
        "order.change_requested",
        id,
        change.before.to_string(),
        after.to_string(),
        now,
    );
    let mut stmts = vec![out, audit];
    if let Some((agreement, kop)) = &raise {
        stmts.extend(crate::finance::credit::reserve_raise(
            &caller.company_id,
            agreement,
            &o.onec_id,
            *kop,
            &change_id,
            now,
            Some((
                "EXISTS (SELECT 1 FROM outbox WHERE id = ?)".to_string(),
                vec![change_id.as_str().into()],
            )),
        ));
    }
    stmts.push(changes::mark_order_changed_stmt(id));
    let results = p.db().batch(stmts).await?;
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        // A parallel request took the credit meanwhile: the same answer as the check above.
        if let Some((_, kop)) = &raise {
            if let Some((_, Some(e))) = credit_short(p, caller, &o, *kop).await? {
                return Err(AppError::validation(vec![e]));
            }
        }
        return Err(super::change::pending());
    }
    changes::wake(p, &change_id).await;
    Ok(ApiResponse::json(
        202,
        &serde_json::json!({"change_id": change_id, "state": "waiting", "change": after}),
    ))
}

/// Stock-only (`ONEC_DELIVERY=commerceml`): no extension answers a change, so the edit is the
/// order's new state at once. It is due for 1C's next `query` (`cml_change`), and open to the
/// client until 1C's order file after its `success` closes it; a second edit meanwhile is simply
/// the newer state. Lines are replaced only if the order is still at the version the client read.
#[allow(clippy::too_many_arguments)]
async fn apply_now<P: Ports>(
    p: &P,
    caller: &Caller,
    o: &super::list::OrderRow,
    lines: Option<Vec<serde_json::Value>>,
    total: i64,
    delivery: (Option<String>, Option<String>),
    consignee_onec_id: Option<String>,
    planned: Option<String>,
    after: serde_json::Value,
) -> AppResult<ApiResponse> {
    let (id, co, now) = (o.id.as_str(), caller.company_id.as_str(), p.now());
    let vat: Option<i64> = lines.as_ref().map(|l| l.iter().map(|x| x["vat"].as_i64().unwrap_or(0)).sum());
    let mut stmts = Vec::new();
    if let Some(lines) = &lines {
        stmts.push(Stmt::new(sql::ORDER_NOW_LINES_CLEAR).bind(id).bind(o.version).bind(co));
        stmts.push(
            Stmt::new(sql::ORDER_NOW_LINES_ADD)
                .bind(id)
                .bind(o.version)
                .bind(co)
                .bind(serde_json::to_string(lines)?),
        );
    }
    let audit_id = crate::ids::new_id("aud");
    let audit = crate::audit_log::Entry {
        id: &audit_id,
        company_id: co,
        user_id: Some(&caller.user_id),
        kind: "order.changed",
        entity_type: "order",
        entity_id: id,
        before: serde_json::json!({"total_kop": o.total_kop, "delivery_method": o.delivery_method, "planned_shipping_date": o.planned_shipping_date}),
        after: after.clone(),
    };
    stmts.push(crate::audit_log::record(
        &audit,
        now,
        (
            "EXISTS (SELECT 1 FROM orders WHERE id = ? AND version = ? AND company_id = ?)",
            vec![id.into(), o.version.into(), co.into()],
        ),
    ));
    stmts.push(
        Stmt::new(sql::ORDER_NOW_UPDATE)
            .bind(id)
            .bind(o.version)
            .bind(co)
            .bind(delivery.0)
            .bind(delivery.1)
            .bind(consignee_onec_id)
            .bind(planned)
            .bind(total)
            .bind(vat)
            .bind(now),
    );
    let results = p.db().batch(stmts).await?;
    if results.last().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(super::change::stale(o));
    }
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"state": "saved", "version": o.version + 1, "change": after}),
    ))
}

/// The order's agreement position, if any, and whether `raise_kop` more is refused for want of
/// credit (the field error naming the shortfall).
async fn credit_short<P: Ports>(
    p: &P,
    caller: &Caller,
    o: &super::list::OrderRow,
    raise_kop: i64,
) -> AppResult<Option<(String, Option<FieldError>)>> {
    let positions = crate::finance::credit::positions(p, &caller.company_id).await?;
    let Some(pos) = positions
        .iter()
        .find(|x| Some(&x.agreement_id) == o.agreement_id.as_ref())
    else {
        return Ok(None);
    };
    let short = (pos.available_kop < raise_kop).then(|| {
        let by = Kopecks(raise_kop - pos.available_kop).format_ru();
        FieldError::new(
            "lines",
            "credit-insufficient",
            format!("Не хватает кредита: {by}."),
            format!("Not enough credit: short by {by}."),
        )
    });
    Ok(Some((pos.agreement_id.clone(), short)))
}

#[derive(Deserialize)]
pub struct Paste {
    pub text: String,
}
impl crate::body::Body for Paste {
    const FIELDS: &'static [crate::body::Field] = &[crate::body::Field::text("text", 100_000)];
}

/// Resolves pasted `article;qty` lines against the catalogue: the lines found (ready to send as
/// `lines`), and a report of unknown articles and unreadable lines.
pub async fn paste<P: Ports>(p: &P, caller: &Caller, body: Paste) -> AppResult<ApiResponse> {
    let (lines, unreadable) = parse_paste(&body.text);
    let keys: Vec<String> = lines
        .iter()
        .map(|(a, _)| crate::validate::article_key(a))
        .collect();
    let pt = super::catalog::price_type(p, &caller.company_id, None).await?;
    let products: Vec<Product> = p
        .db()
        .all(
            Stmt::new(sql::PRODUCTS_FOR_LINES)
                .bind("[]")
                .bind(pt)
                .bind(serde_json::to_string(&keys)?),
        )
        .await?;
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for ((article, q), key) in lines.iter().zip(&keys) {
        match products.iter().find(|p| &p.article_norm == key) {
            Some(prod) => found.push(serde_json::json!({"product_id": prod.id, "article": prod.article, "name": prod.name, "quantity": q, "price_kop": prod.price_kop})),
            None => unknown.push(article.clone()),
        }
    }
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"lines": found, "unknown_articles": unknown, "unreadable_lines": unreadable}),
    ))
}

#[derive(Deserialize)]
pub struct Consolidate {
    pub orders: Vec<String>,
    pub planned_shipping_date: Option<String>,
}
impl crate::body::Body for Consolidate {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::list("orders", &crate::body::Kind::Text(crate::body::ID)),
        crate::body::Field::text("planned_shipping_date", crate::body::DATE),
    ];
}

/// Asks 1C to ship several of the company's unshipped orders together.
pub async fn consolidate<P: Ports>(
    p: &P,
    caller: &Caller,
    body: Consolidate,
    key: &crate::idempotency::Key,
) -> AppResult<ApiResponse> {
    if body.orders.len() < 2 || body.orders.len() > 50 {
        return Err(AppError::validation(vec![FieldError::new(
            "orders",
            "invalid",
            "Выберите от 2 до 50 заказов.",
            "Choose 2 to 50 orders.",
        )]));
    }
    #[derive(Deserialize)]
    struct O {
        id: String,
        onec_id: String,
        number: String,
        status: String,
        consignee_onec_id: Option<String>,
        delivery_method: Option<String>,
    }
    let mut rows: Vec<O> = p
        .db()
        .all(
            Stmt::new(sql::COMPANY_ORDERS)
                .bind(&caller.company_id)
                .bind(serde_json::to_string(&body.orders)?),
        )
        .await?;
    // In the order the caller listed them: the first carries the change (rows come in no set order).
    crate::sort::sort_by_key(&mut rows, |o| body.orders.iter().position(|id| *id == o.id));
    if rows.len() != body.orders.len() {
        return Err(AppError::not_found());
    }
    let blocked: Vec<&str> = rows
        .iter()
        .filter(|o| OrderStatus::parse(&o.status).is_some_and(OrderStatus::is_finished))
        .map(|o| o.number.as_str())
        .collect();
    if !blocked.is_empty() {
        return Err(AppError::validation(vec![FieldError::new(
            "orders",
            "not-consolidatable",
            format!("Уже отгружены или отменены: {}.", blocked.join(", ")),
            format!("Already shipped or cancelled: {}.", blocked.join(", ")),
        )]));
    }
    // One shipment goes to one place one way: the orders must agree on both.
    let mut errs = Vec::new();
    let first = &rows[0];
    if rows
        .iter()
        .any(|o| o.consignee_onec_id != first.consignee_onec_id)
    {
        errs.push(FieldError::new(
            "orders",
            "different-consignees",
            "У заказов разные грузополучатели: отгрузить вместе можно только заказы одному грузополучателю.",
            "The orders go to different consignees: only orders to one consignee ship together.",
        ));
    }
    if rows
        .iter()
        .any(|o| o.delivery_method != first.delivery_method)
    {
        errs.push(FieldError::new(
            "orders",
            "different-delivery",
            "У заказов разные способы доставки.",
            "The orders have different delivery methods.",
        ));
    }
    let mut date = None;
    if let Some(day) = &body.planned_shipping_date {
        date = shipping_day(p, day, &mut errs).await?;
    }
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    let now = p.now();
    let company: Vec<serde_json::Value> = p
        .db()
        .all(Stmt::new("SELECT onec_id FROM companies WHERE id = ?").bind(&caller.company_id))
        .await?;
    let change = changes::NewChange {
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::OrderShipmentsConsolidationRequested,
        entity_type: "order",
        portal_id: &first.id,
        onec_entity_id: &first.onec_id,
        base_version: 0,
        payload: serde_json::json!({"company_id": company.first().map(|c| c["onec_id"].clone()), "orders": rows.iter().map(|o| o.onec_id.clone()).collect::<Vec<_>>(), "planned_shipping_date": date.map(crate::changes::wire::day)}),
        before: serde_json::Value::Null,
    };
    let (change_id, out) = changes::record(&change, now, None);
    let audit = Stmt::dynamic(format!("{} WHERE 1", crate::audit_log::INSERT_SELECT))
        .bind(&change_id)
        .bind(&caller.company_id)
        .bind(&caller.user_id)
        .bind(now)
        .bind("order.consolidation_requested")
        .bind("order")
        .bind(&first.id)
        .bind(None::<String>)
        .bind(serde_json::json!({"orders": rows.iter().map(|o| o.number.clone()).collect::<Vec<_>>()}).to_string());
    let answer = ApiResponse::json(
        202,
        &serde_json::json!({"change_id": change_id, "state": "waiting"}),
    );
    let effect = crate::idempotency::Effect::row("outbox", &change_id);
    if let crate::idempotency::Ran::Replay(stored) = key.batch(p, vec![out, audit], effect, &answer).await? {
        return Ok(stored);
    }
    changes::wake(p, &change_id).await;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pasted_lines_are_read_with_a_report() {
        let (ok, bad) = super::parse_paste("AZ-100;2\n\nBX 7\t1,5\nмусор\nCC-1;0\n");
        assert_eq!(
            ok,
            vec![
                ("AZ-100".to_string(), "2".to_string()),
                ("BX 7".to_string(), "1.5".to_string())
            ]
        );
        assert_eq!(bad, vec![4, 5]);
    }
}

/// Repeats an order at once: a new draft with the same products and quantities at today's prices,
/// sent to 1C as `order.created` (products no longer sold or without a price left out and
/// reported). The pages repeat through a reviewed draft instead (`super::repeat`).
pub async fn repeat<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    key: &crate::idempotency::Key,
) -> AppResult<ApiResponse> {
    super::repeat::repeat_now(p, caller, id, key).await
}
