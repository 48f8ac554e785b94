//! The company's orders, by every employee: filters (kept in the page's URL), sort, keyset
//! pages, totals of the filtered set, CSV of the filtered set; and one order's page.

use super::sql;
use crate::auth::Caller;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::{page_limit, ApiRequest, ApiResponse};
use crate::ports::{Database, DatabaseExt, Ports, SqlValue, Stmt};
use serde::{Deserialize, Serialize};

/// Most rows one CSV export carries.
pub const CSV_MAX_ROWS: i64 = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    DateDesc,
    DateAsc,
    AmountDesc,
    AmountAsc,
}

impl Sort {
    pub fn parse(s: Option<&str>) -> Option<Sort> {
        match s.unwrap_or("date_desc") {
            "date_desc" => Some(Sort::DateDesc),
            "date_asc" => Some(Sort::DateAsc),
            "amount_desc" => Some(Sort::AmountDesc),
            "amount_asc" => Some(Sort::AmountAsc),
            _ => None,
        }
    }
    fn column(self) -> &'static str {
        match self {
            Sort::DateDesc | Sort::DateAsc => "o.ordered_at",
            Sort::AmountDesc | Sort::AmountAsc => "o.total_kop",
        }
    }
    fn desc(self) -> bool {
        matches!(self, Sort::DateDesc | Sort::AmountDesc)
    }
}

/// The filters as the page's URL carries them, checked.
#[derive(Debug, Default)]
pub struct Filters {
    pub from: Option<String>,
    pub to: Option<String>,
    pub ship_from: Option<String>,
    pub ship_to: Option<String>,
    pub legal_entity: Option<String>,
    pub author: Option<String>,
    pub number: Option<String>,
    pub statuses: Option<String>,
    pub contains: Option<String>,
    /// The state of the order's newest change: only `rejected` (the home page's "to do").
    pub change: Option<String>,
}

fn day(
    req: &ApiRequest,
    name: &'static str,
    errs: &mut Vec<FieldError>,
) -> Option<chrono::NaiveDate> {
    let s = req.query_param(name).filter(|s| !s.is_empty())?;
    match crate::time::parse_ymd(s) {
        Some(d) => Some(d),
        None => {
            errs.push(FieldError::new(
                name,
                "invalid-date",
                "Дата в формате ГГГГ-ММ-ДД.",
                "Dates as YYYY-MM-DD.",
            ));
            None
        }
    }
}

fn moscow_midnight(d: chrono::NaiveDate) -> String {
    crate::time::to_db(crate::time::moscow_naive_to_utc(
        d.and_hms_opt(0, 0, 0).expect("midnight"),
    ))
}

impl Filters {
    /// `?from=&to=` (order date, Moscow days, `to` inclusive), `?ship_from=&ship_to=` (planned
    /// shipping), `?status=a,b`, `?legal_entity=`, `?author=`, `?number=`, `?q=` (article or
    /// product name in the order), `?change=rejected` (1C refused the order's newest change).
    pub fn from_query(req: &ApiRequest) -> AppResult<Filters> {
        let mut errs = Vec::new();
        let from = day(req, "from", &mut errs).map(moscow_midnight);
        let to = day(req, "to", &mut errs).map(|d| moscow_midnight(d + chrono::Duration::days(1)));
        let ship_from = day(req, "ship_from", &mut errs).map(|d| d.to_string());
        let ship_to = day(req, "ship_to", &mut errs).map(|d| d.to_string());
        let statuses: Option<Vec<&str>> = req
            .query_param("status")
            .filter(|s| !s.is_empty())
            .map(|s| s.split(',').collect());
        if let Some(st) = &statuses {
            if st.iter().any(|s| !super::rules::known_status(s)) {
                errs.push(FieldError::new(
                    "status",
                    "unknown-status",
                    "Неизвестный статус заказа.",
                    "Unknown order status.",
                ));
            }
        }
        let change = req.query_param("change").filter(|s| !s.is_empty());
        if change.is_some_and(|c| c != "rejected") {
            errs.push(FieldError::new(
                "change",
                "unknown-change-state",
                "Фильтр по изменениям: rejected.",
                "The change filter: rejected.",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let text = |name: &str| {
            req.query_param(name)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let contains = text("q").map(|q| {
            // An article is matched by its key (no spaces or punctuation), a name by its words.
            let key = crate::validate::article_key(&q);
            if q.chars().any(|c| c.is_ascii_digit()) && !key.is_empty() {
                key
            } else {
                crate::validate::search_text(&q)
            }
        });
        Ok(Filters {
            from,
            to,
            ship_from,
            ship_to,
            legal_entity: text("legal_entity"),
            author: text("author"),
            number: text("number").map(|n| crate::validate::search_text(&n)),
            statuses: statuses.map(|s| serde_json::to_string(&s).unwrap_or_default()),
            contains,
            change: change.map(str::to_string),
        })
    }

    fn params(&self, company_id: &str) -> Vec<SqlValue> {
        vec![
            company_id.into(),
            self.from.clone().into(),
            self.to.clone().into(),
            self.ship_from.clone().into(),
            self.ship_to.clone().into(),
            self.legal_entity.clone().into(),
            self.author.clone().into(),
            self.number.clone().into(),
            self.statuses.clone().into(),
            self.contains.clone().into(),
            self.change.clone().into(),
        ]
    }
}

#[derive(Debug, Deserialize, Serialize)]
pub struct Row {
    pub id: String,
    pub number: String,
    pub onec_number: Option<String>,
    pub ordered_at: String,
    pub status: String,
    pub payment_method: String,
    pub delivery_method: Option<String>,
    pub total_kop: i64,
    pub paid_kop: i64,
    pub planned_shipping_date: Option<String>,
    pub legal_entity: Option<String>,
    pub author: Option<String>,
    /// The consignee's name (the list shows where an order goes: shipping together needs one).
    #[serde(default)]
    pub consignee: Option<String>,
    pub changes_waiting: i64,
    /// 1C refused the order's newest change (the order page says why): the user has to act.
    #[serde(default)]
    pub change_rejected: i64,
    /// Stock-only: portal changes 1C's order file has not closed yet (they make `changes_waiting`).
    #[serde(default, skip_serializing)]
    pub cml_open: i64,
}

#[derive(Debug, Deserialize, Serialize)]
struct Totals {
    count: i64,
    total_kop: i64,
    paid_kop: i64,
}

fn with_params(mut stmt: Stmt, params: Vec<SqlValue>) -> Stmt {
    for v in params {
        stmt = stmt.bind(v);
    }
    stmt
}

/// The statement of one page of the list: `limit` rows after the keyset `cursor` (sort value, id).
/// Public so a native test can `EXPLAIN QUERY PLAN` exactly what the API runs.
pub fn list_stmt(
    company_id: &str,
    filters: &Filters,
    sort: Sort,
    cursor: Option<&(String, String)>,
    limit: i64,
) -> Stmt {
    let (op, dir) = if sort.desc() {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let col = sort.column();
    let mut sql_text = format!("{} WHERE {}", sql::LIST_COLUMNS, sql::LIST_WHERE);
    let mut params = filters.params(company_id);
    if let Some((key, id)) = cursor {
        let key: SqlValue = if col == "o.total_kop" {
            key.parse::<i64>().unwrap_or(0).into()
        } else {
            key.clone().into()
        };
        // The redundant `col <= key` (`>=` ascending) is a range the index (company_id, col) can seek to, so a
        // later page starts at the cursor instead of stepping over every row before it.
        sql_text.push_str(&format!(
            " AND {col} {op}= ?12 AND ({col} {op} ?12 OR ({col} = ?12 AND o.id {op} ?13))"
        ));
        params.push(key);
        params.push(id.clone().into());
    }
    sql_text.push_str(&format!(" ORDER BY {col} {dir}, o.id {dir} LIMIT {limit}"));
    with_params(Stmt::dynamic(sql_text), params)
}

/// Count and sums of the whole filtered set.
pub fn totals_stmt(company_id: &str, filters: &Filters) -> Stmt {
    with_params(
        Stmt::dynamic(format!("{} WHERE {}", sql::TOTALS, sql::LIST_WHERE)),
        filters.params(company_id),
    )
}

/// The filtered set for the CSV, newest first, at most [`CSV_MAX_ROWS`].
pub fn csv_stmt(company_id: &str, filters: &Filters) -> Stmt {
    with_params(
        Stmt::dynamic(format!(
            "{} WHERE {} ORDER BY o.ordered_at DESC, o.id DESC LIMIT {CSV_MAX_ROWS}",
            sql::LIST_COLUMNS,
            sql::LIST_WHERE
        )),
        filters.params(company_id),
    )
}

/// A page of the list and the totals of the whole filtered set.
pub async fn page<P: Ports>(p: &P, caller: &Caller, req: &ApiRequest) -> AppResult<ApiResponse> {
    let filters = Filters::from_query(req)?;
    let sort = Sort::parse(req.query_param("sort")).ok_or_else(|| {
        AppError::bad_request(
            "invalid-sort",
            "Сортировка: date_desc, date_asc, amount_desc, amount_asc.",
            "sort: date_desc, date_asc, amount_desc, amount_asc.",
        )
    })?;
    let limit = page_limit(req)?;
    // Keyset: the sort value and the id of the last row of the previous page.
    let seal = crate::cursor::CursorSeal::for_company(p.config(), &caller.company_id);
    let cursor = crate::http::cursor(req, &seal)?;
    let list = list_stmt(
        &caller.company_id,
        &filters,
        sort,
        cursor.as_ref(),
        limit + 1,
    );
    let mut rows: Vec<Row> = p.db().all(list).await?;
    if p.config().onec_delivery == crate::config::Delivery::Commerceml {
        // No extension answers: a change waits for 1C's next order file instead.
        for r in &mut rows {
            r.changes_waiting = (r.changes_waiting != 0 || r.cml_open > 0) as i64;
        }
    }
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = rows.last().filter(|_| more).map(|r| {
        let key = if sort.column() == "o.total_kop" {
            r.total_kop.to_string()
        } else {
            r.ordered_at.clone()
        };
        crate::http::encode_cursor(&seal, key, &r.id)
    });
    let totals: Totals = p
        .db()
        .first(totals_stmt(&caller.company_id, &filters))
        .await?
        .unwrap_or(Totals {
            count: 0,
            total_kop: 0,
            paid_kop: 0,
        });
    // Serialized straight from the rows: `json!` would first copy every row into a `Value` tree.
    #[derive(Serialize)]
    struct Page<'a> {
        items: &'a [Row],
        next_cursor: Option<String>,
        totals: &'a Totals,
        stock_only: bool,
    }
    Ok(ApiResponse::json(
        200,
        &Page {
            items: &rows,
            next_cursor,
            totals: &totals,
            stock_only: p.config().onec_delivery == crate::config::Delivery::Commerceml,
        },
    ))
}

/// Status in words for the CSV (the page has its own, in both languages).
fn status_ru(s: &str) -> &'static str {
    super::status::OrderStatus::parse(s).map_or("", super::status::OrderStatus::ru)
}

/// The filtered set as CSV (UTF-8 with BOM, `;`, formula-like cells neutralised).
pub async fn csv<P: Ports>(p: &P, caller: &Caller, req: &ApiRequest) -> AppResult<ApiResponse> {
    use crate::csv::{money, text};
    let filters = Filters::from_query(req)?;
    let rows: Vec<Row> = p.db().all(csv_stmt(&caller.company_id, &filters)).await?;
    let mut out = vec![[
        "Номер",
        "Номер 1С",
        "Дата",
        "Статус",
        "Юридическое лицо",
        "Автор",
        "Сумма",
        "Оплачено",
        "Плановая отгрузка",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>()];
    for r in &rows {
        let at = crate::time::from_db(&r.ordered_at)
            .map(|t| crate::time::datetime_ru_minutes(&t.with_timezone(&crate::time::moscow())))
            .unwrap_or_default();
        out.push(vec![
            text(&r.number),
            text(r.onec_number.as_deref().unwrap_or("")),
            at,
            status_ru(&r.status).to_string(),
            text(r.legal_entity.as_deref().unwrap_or("")),
            text(r.author.as_deref().unwrap_or("")),
            money(r.total_kop),
            money(r.paid_kop),
            r.planned_shipping_date
                .as_deref()
                .and_then(crate::time::parse_ymd)
                .map(crate::time::date_ru)
                .unwrap_or_default(),
        ]);
    }
    Ok(ApiResponse {
        status: 200,
        headers: vec![
            ("content-type".into(), "text/csv; charset=utf-8".into()),
            ("content-disposition".into(), "attachment; filename=\"orders.csv\"; filename*=UTF-8''%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7%D1%8B.csv".into()),
        ],
        body: crate::csv::document(&out).into(),
        log: Default::default(),
    })
}

#[derive(Deserialize, Serialize)]
pub struct OrderRow {
    pub id: String,
    pub onec_id: String,
    pub number: String,
    pub onec_number: Option<String>,
    pub ordered_at: String,
    pub status: String,
    pub payment_method: String,
    pub delivery_method: Option<String>,
    pub delivery_address: Option<String>,
    pub consignee_onec_id: Option<String>,
    pub consignee: Option<String>,
    pub total_kop: i64,
    pub vat_kop: i64,
    pub paid_kop: i64,
    pub planned_shipping_date: Option<String>,
    pub version: i64,
    pub legal_entity: Option<String>,
    pub agreement: Option<String>,
    pub agreement_id: Option<String>,
    pub author: Option<String>,
    #[serde(skip_serializing)]
    pub company_onec_id: String,
    /// Portal changes (`cml_change`) 1C's order file has not closed yet: shown in a stock-only
    /// deployment, where they are the order's open change.
    #[serde(skip_serializing, default)]
    pub cml_open: i64,
}

pub async fn order<P: Ports>(p: &P, caller: &Caller, id: &str) -> AppResult<OrderRow> {
    p.db()
        .first(Stmt::new(sql::ORDER).bind(id).bind(&caller.company_id))
        .await?
        .ok_or_else(AppError::not_found)
}

/// The order page: everything about one order of the caller's company (another company's is 404).
pub async fn detail<P: Ports>(p: &P, caller: &Caller, id: &str) -> AppResult<ApiResponse> {
    let co = caller.company_id.as_str();
    // One batch is one snapshot: the order, its lines and the state of a change to it agree
    // (read one by one, a 1C answer landing in between could show a refusal beside new lines).
    let mut read = p
        .db()
        .batch(vec![
            Stmt::new(sql::ORDER).bind(id).bind(co),
            Stmt::new(sql::LINES).bind(id).bind(co),
            Stmt::new(sql::SHIPMENTS).bind(id).bind(co),
            Stmt::new(sql::DOCUMENTS).bind(id).bind(co),
            Stmt::new(sql::HISTORY).bind(co).bind(id),
            Stmt::new(sql::OPEN_CHANGE).bind(id).bind(co),
            Stmt::new(sql::SCHEDULE).bind(id).bind(co),
            Stmt::new(sql::CONSOLIDATION).bind(id).bind(co),
            Stmt::new(sql::CARD_OF_ORDER).bind(id).bind(co),
            Stmt::new(sql::ACCOUNT_HOLD_OF_ORDER).bind(id).bind(co),
            Stmt::new(sql::PAYEE).bind(id).bind(co),
        ])
        .await?
        .into_iter();
    let mut next = || {
        read.next()
            .ok_or_else(|| AppError::internal("order read: missing results"))
    };
    let o: OrderRow = next()?
        .parse()?
        .into_iter()
        .next()
        .ok_or_else(AppError::not_found)?;
    let mut lines: Vec<serde_json::Value> = next()?.parse()?;
    // The product's image (`{id, w, h}`, stored as JSON text) as an object, for the thumbnail.
    for l in &mut lines {
        if let Some(raw) = l.get("image").and_then(|v| v.as_str()) {
            l["image"] = serde_json::from_str(raw).unwrap_or_default();
        }
    }
    #[derive(Deserialize)]
    struct Ship {
        id: String,
        number: String,
        shipped_at: Option<String>,
        vehicle: Option<String>,
        documents: String,
        lines: Option<String>,
    }
    let ships: Vec<Ship> = next()?.parse()?;
    let shipments: Vec<serde_json::Value> = ships
        .into_iter()
        .map(|s| {
            serde_json::json!({"id": s.id, "number": s.number, "shipped_at": s.shipped_at, "vehicle": s.vehicle,
                "documents": serde_json::from_str::<serde_json::Value>(&s.documents).unwrap_or_default(),
                "lines": s.lines.and_then(|l| serde_json::from_str::<serde_json::Value>(&l).ok()).unwrap_or_default()})
        })
        .collect();
    let documents: Vec<serde_json::Value> = next()?.parse()?;
    #[derive(Deserialize)]
    struct Hist {
        at: String,
        kind: String,
        user_name: Option<String>,
        before_json: Option<String>,
        after_json: Option<String>,
        onec_answer: Option<String>,
    }
    let parse = |s: Option<String>| {
        s.and_then(|x| serde_json::from_str::<serde_json::Value>(&x).ok())
            .unwrap_or_default()
    };
    let history: Vec<serde_json::Value> = next()?
        .parse::<Hist>()?
        .into_iter()
        .map(|h| serde_json::json!({"at": h.at, "kind": h.kind, "user": h.user_name, "before": parse(h.before_json), "after": parse(h.after_json), "onec_answer": parse(h.onec_answer)}))
        .collect();
    #[derive(Deserialize)]
    struct Open {
        kind: String,
        #[serde(flatten)]
        fate: crate::changes::Fate,
        payload: String,
        after_json: Option<String>,
    }
    let (now, deadline) = (p.now(), p.config().onec_apply_deadline_secs);
    let open = next()?.parse::<Open>()?.into_iter().next();
    // A cancellation or a payment not closed yet (waiting, received, or accepted with 1C's data
    // still on its way): no other payment is offered beside it.
    let payment_open = open.as_ref().is_some_and(|c| {
        matches!(
            c.kind.as_str(),
            "order.cancelled" | "order.paid_from_account" | "order.paid_by_card"
        ) && matches!(c.fate.state(), "waiting" | "received" | "accepted")
    });
    let change = open.map(|c| {
        let view = c.fate.view(now, deadline);
        // What the change proposes, field by field, so the page can show it beside the order
        // until 1C decides.
        let wire = parse(Some(c.payload));
        let after = parse(c.after_json);
        let p = &wire["payload"];
        // An order.changed carries the whole new state: the page shows what it changes (the
        // audit row's summary names those fields).
        let shown = |k: &str| c.kind != "order.changed" || !after[k].is_null();
        let pick = |k: &str, by: &str| if shown(by) { p[k].clone() } else { serde_json::Value::Null };
        let values = serde_json::json!({"lines": pick("lines", "lines"), "total": pick("total", "lines"), "delivery_method": pick("delivery_method", "delivery_method"),
            "delivery_address": pick("delivery_address", "delivery_method"), "planned_shipping_date": after["planned_shipping_date"],
            "consignee": after["consignee"], "payment_method": p["payment_method"], "reason": p["reason"]});
        let values: serde_json::Map<String, serde_json::Value> = values
            .as_object()
            .map(|m| m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        serde_json::json!({"kind": c.kind, "state": view.state, "reason": view.reason, "since": view.since,
            "overdue": view.overdue, "overdue_message": view.overdue_message, "values": values})
    });
    let schedule: Vec<serde_json::Value> = next()?.parse()?;
    #[derive(Deserialize)]
    struct Together {
        status: String,
        planned: Option<String>,
        created_at: String,
        orders: Option<String>,
    }
    let together = next()?.parse::<Together>()?.into_iter().next().map(|x| {
        serde_json::json!({"state": x.status, "planned_shipping_date": x.planned, "since": x.created_at, "orders": parse(x.orders)})
    });
    // The latest card payment: `pending` while the buyer is on the acquirer's page or the
    // notification has not landed yet.
    let card_payment: Option<serde_json::Value> = next()?.parse()?.into_iter().next();
    // A payment from the internal account waiting for 1C: the card is not offered beside it.
    let hold_open = !next()?.parse::<serde_json::Value>()?.is_empty();
    let payee = next()?
        .parse::<Payee>()?
        .into_iter()
        .next()
        .map(Payee::view);
    // Stock-only (ONEC_DELIVERY=commerceml): the client's edits, sent in CommerceML and waiting for
    // 1C's order file; the features 1C's extension would carry are off.
    let stock_only = (p.config().onec_delivery == crate::config::Delivery::Commerceml).then(|| {
        serde_json::json!({"open_changes": o.cml_open.max(0), "state": if o.cml_open > 0 { "waiting" } else { "applied" }})
    });
    let editable = super::rules::can_cancel(&o.status, o.paid_kop).is_ok();
    let card_configured =
        p.config().yookassa_shop_id.is_some() && p.config().yookassa_secret_key.is_some();
    let card_open = card_payment
        .as_ref()
        .is_some_and(|c| c["status"] == "pending");
    let can_pay_by_card = card_configured
        && !hold_open
        && !payment_open
        && super::rules::card_payable(&o.status, &o.payment_method, o.total_kop, o.paid_kop)
            .is_ok();
    // From the internal account: an unpaid order with nothing else paying or cancelling it.
    let can_pay_from_account = editable
        && stock_only.is_none()
        && o.paid_kop < o.total_kop
        && !hold_open
        && !payment_open
        && !card_open
        && !matches!(
            change.as_ref().map(|c| c["state"].as_str()),
            Some(Some("waiting" | "received"))
        );
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"order": o, "lines": lines, "shipments": shipments, "documents": documents, "schedule": schedule,
            "history": history, "change": change, "can_cancel": editable, "shipped_together": together,
            "card_payment": card_payment, "can_pay_by_card": can_pay_by_card, "can_pay_from_account": can_pay_from_account,
            "payee": payee, "stock_only": stock_only}),
    ))
}

/// The supplier's organisation an order is paid to (`sql::PAYEE`).
#[derive(Deserialize)]
struct Payee {
    id: String,
    name: String,
    full_name: Option<String>,
    inn: String,
    kpp: Option<String>,
    ogrn: Option<String>,
    address: Option<String>,
    bank_accounts: String,
}

impl Payee {
    fn view(self) -> serde_json::Value {
        let accounts: serde_json::Value =
            serde_json::from_str(&self.bank_accounts).unwrap_or_default();
        serde_json::json!({"id": self.id, "name": self.name, "full_name": self.full_name, "inn": self.inn, "kpp": self.kpp,
            "ogrn": self.ogrn, "address": self.address, "bank_accounts": accounts})
    }
}
