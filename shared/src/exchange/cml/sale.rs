//! `type=sale`: orders between the portal and a stock 1C.
//!
//! - `query` answers the orders changed in the portal and not yet confirmed, as one CommerceML
//!   document in the version 1C negotiated (UTF-8 or windows-1251, `CML_ORDERS_ENCODING`), with
//!   the agreement, contract and warehouse as requisites, and remembers which change of each
//!   order it handed out. `success` confirms exactly those changes: an order changed again
//!   between the two stays due and goes out with the next query. Portal code that changes an
//!   order puts `changes::mark_order_changed_stmt` into the same batch.
//! - `file` (and `import`) take 1C's order file, each document as what its `ХозОперация` says
//!   (as 1C-Bitrix's `sale.export.1c` reads it):
//!   - an order updates the portal order it names (by `Ид`, 1C's or the portal's id, else by
//!     `Номер`): its lines (quantities, prices, added and removed lines) and sum when it has
//!     `Товары`, status (requisites, the 3.x `ПометкаУдаления` element), 1C's number, posting, a
//!     payment in full (`Заказ оплачен`, 2.x payment requisites) and a shipment. An order with a
//!     portal change 1C has not confirmed yet is left as it is: the portal's change wins until
//!     1C's next file after its `success`, which then closes the change (`cml_closed`).
//!     An order the portal does not know, for a known counterparty (by `Ид`, else INN + KPP), is
//!     created with its lines (a phone order); one for an unknown counterparty is reported.
//!   - a payment (`Выплата безналичных денег`, `Выплата наличных денег`, `Эквайринговая
//!     операция`) is recorded once by its `Ид` for the order its `Основание` names (else the order
//!     of its `Контейнер`): the order's paid amount is the sum of its payments.
//!   - a shipment (`Отпуск товара`) is recorded for its order: shipped when it covers the sum,
//!     partly shipped otherwise. Other documents are reported and ignored.

use super::{answer_failure, failure, read_range, text, FileRow, FILE_LIMIT, MAX_ORDER_FILE_BYTES};
use crate::commerceml::{
    read_documents, write_orders_version, Agreement, Counterparty, Document, DocumentKind,
    Encoding, OrderDoc, Version,
};
use crate::error::{AppError, AppResult};
use crate::exchange::contract::{OrderIn, OrderLineIn};
use crate::exchange::sql;
use crate::http::{ApiRequest, ApiResponse};
use crate::money::{Kopecks, Milli};
use crate::ports::{Database, DatabaseExt, Ports, Stmt};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// Orders per `query` answer: the rest go with the next exchange, once these are confirmed.
pub const QUERY_LIMIT: i64 = 500;
const ROWS_PER_STATEMENT: usize = 500;

#[derive(Debug, Deserialize)]
struct DueOrder {
    id: String,
    onec_id: String,
    number: String,
    ordered_at: String,
    status: String,
    delivery_method: Option<String>,
    delivery_address: Option<String>,
    consignee_onec_id: Option<String>,
    payment_method: String,
    paid_kop: i64,
    planned_shipping_date: Option<String>,
    total_kop: i64,
    vat_kop: i64,
    cml_change: i64,
    company_onec_id: String,
    company_name: String,
    le_onec_id: Option<String>,
    le_name: Option<String>,
    le_full_name: Option<String>,
    le_inn: Option<String>,
    le_kpp: Option<String>,
    agreement_onec_id: Option<String>,
    agreement_name: Option<String>,
    agreement_number: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LineRow {
    order_id: String,
    line_no: i64,
    product_onec_id: Option<String>,
    article: String,
    name: String,
    qty_milli: i64,
    unit: String,
    price_kop: i64,
    amount_kop: i64,
    vat_rate_bp: Option<i64>,
    vat_kop: i64,
}

fn order_in(o: &DueOrder, lines: Vec<OrderLineIn>) -> AppResult<OrderIn> {
    let date = crate::time::from_db(&o.ordered_at).ok_or_else(|| {
        AppError::internal(format!("order {}: ordered_at {:?}", o.id, o.ordered_at))
    })?;
    let planned = o
        .planned_shipping_date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok());
    Ok(OrderIn {
        portal_id: None,
        company_id: o.company_onec_id.clone(),
        legal_entity_id: o.le_onec_id.clone(),
        agreement_id: o.agreement_onec_id.clone(),
        organisation_id: None,
        number: o.number.clone(),
        date,
        author_email: None,
        status: o.status.clone(),
        delivery_method: o.delivery_method.clone(),
        delivery_address: o.delivery_address.clone(),
        consignee_id: o.consignee_onec_id.clone(),
        payment_method: o.payment_method.clone(),
        paid: Kopecks(o.paid_kop),
        planned_shipping_date: planned,
        lines,
        total: Kopecks(o.total_kop),
        vat_total: Kopecks(o.vat_kop),
        shipments: Vec::new(),
        change_ids: Vec::new(),
    })
}

fn line_in(l: LineRow) -> OrderLineIn {
    OrderLineIn {
        line_no: l.line_no as u32,
        product_id: l.product_onec_id,
        article: l.article,
        name: l.name,
        quantity: Milli(l.qty_milli),
        unit: l.unit,
        price: Kopecks(l.price_kop),
        amount: Kopecks(l.amount_kop),
        // Basis points in the portal, whole percent in CommerceML.
        vat_rate: l.vat_rate_bp.map(|bp| (bp / 100) as u32),
        vat: Kopecks(l.vat_kop),
    }
}

/// The orders due for 1C, written as one document; the handout is recorded for `success`.
pub(crate) async fn query<P: Ports>(
    p: &P,
    session: &str,
    version: Version,
) -> AppResult<ApiResponse> {
    let due: Vec<DueOrder> = p
        .db()
        .all(Stmt::new(sql::CML_SALE_DUE).bind(QUERY_LIMIT))
        .await?;
    let ids: Vec<&str> = due.iter().map(|o| o.id.as_str()).collect();
    let mut lines: HashMap<String, Vec<OrderLineIn>> = HashMap::new();
    if !due.is_empty() {
        let rows: Vec<LineRow> = p
            .db()
            .all(Stmt::new(sql::CML_SALE_LINES).bind(serde_json::to_string(&ids)?))
            .await?;
        for l in rows {
            lines
                .entry(l.order_id.clone())
                .or_default()
                .push(line_in(l));
        }
    }
    let orders: Vec<OrderIn> = due
        .iter()
        .map(|o| order_in(o, lines.remove(&o.id).unwrap_or_default()))
        .collect::<AppResult<_>>()?;
    let docs: Vec<OrderDoc<'_>> = due
        .iter()
        .zip(&orders)
        .map(|(o, order)| OrderDoc {
            onec_id: known_to_1c(&o.onec_id),
            portal_id: &o.id,
            order,
            buyer: match &o.le_onec_id {
                Some(le) => Counterparty {
                    id: le,
                    name: o.le_name.as_deref().unwrap_or(&o.company_name),
                    full_name: o.le_full_name.as_deref(),
                    inn: o.le_inn.as_deref(),
                    kpp: o.le_kpp.as_deref(),
                },
                None => Counterparty {
                    id: &o.company_onec_id,
                    name: &o.company_name,
                    full_name: None,
                    inn: None,
                    kpp: None,
                },
            },
            agreement: o.agreement_onec_id.as_deref().map(|id| Agreement {
                id,
                name: o.agreement_name.as_deref().unwrap_or(id),
                contract: o.agreement_number.as_deref(),
            }),
            warehouse: p.config().cml_order_warehouse.as_deref(),
        })
        .collect();
    let encoding = p.config().cml_orders_encoding;
    let mut body = Vec::new();
    write_orders_version(&mut body, &docs, p.now(), encoding, version)
        .map_err(|e| AppError::internal(format!("writing orders: {e}")))?;
    // The change each order carried as read above: a later one is not confirmed by `success`.
    let handout: Vec<Value> = due
        .iter()
        .map(|o| json!({"id": o.id, "change": o.cml_change}))
        .collect();
    p.db()
        .batch(vec![
            Stmt::new(sql::CML_HANDOUT_CLEAR),
            Stmt::new(sql::CML_HANDOUT_ADD)
                .bind(session)
                .bind(p.now())
                .bind(serde_json::to_string(&handout)?),
        ])
        .await?;
    let charset = match encoding {
        Encoding::Utf8 => "utf-8",
        Encoding::Windows1251 => "windows-1251",
    };
    Ok(ApiResponse {
        status: 200,
        headers: vec![(
            "content-type".into(),
            format!("application/xml; charset={charset}"),
        )],
        body: body.into(),
        log: Default::default(),
    })
}

/// 1C's id of an order, `None` for one placed in the portal that 1C has not named yet
/// (`portal:<id>`): it goes with the portal's id as `Ид`, as a Bitrix site sends its new orders.
pub fn known_to_1c(onec_id: &str) -> Option<&str> {
    (!onec_id.starts_with("portal:")).then_some(onec_id)
}

/// 1C's `Ид` of a portal-placed order (`portal:<id>`) named in its file by another id (1C's own
/// document id, found by the order's number): the order takes it, so 1C's later files and
/// queries name it as 1C does. `None` when nothing changes.
pub fn adopted_onec_id(
    order_onec_id: &str,
    order_id: &str,
    doc_id: Option<&str>,
) -> Option<String> {
    let doc_id = doc_id?.trim();
    (known_to_1c(order_onec_id).is_none() && !doc_id.is_empty() && doc_id != order_id)
        .then(|| doc_id.to_owned())
}

/// 1C took the last query's document: those changes are no longer due.
pub(crate) async fn success<P: Ports>(p: &P, session: &str) -> AppResult<ApiResponse> {
    p.db()
        .batch(vec![
            Stmt::new(sql::CML_HANDOUT_CONFIRM).bind(session),
            Stmt::new(sql::CML_HANDOUT_DONE).bind(session),
        ])
        .await?;
    Ok(text("success\n".into()))
}

/// Stores a chunk of 1C's order file. 1C sends a file in `file_limit` pieces, so a shorter piece
/// is its last one: the file is imported then (and `import`, if 1C calls it, reports the result).
pub(crate) async fn file<P: Ports>(
    p: &P,
    req: &ApiRequest,
    session: &str,
) -> AppResult<ApiResponse> {
    let name = match super::file(p, req, session).await {
        Ok(Some(name)) => name,
        Ok(None) => return Ok(text("success\n".into())),
        Err(e) => return answer_failure(e),
    };
    if req.body.len() < FILE_LIMIT && !super::sale_zip::is_archive(&name) {
        return import_stored(p, session, &name).await;
    }
    // An archive is imported once whole (`zip=yes`: its pieces may be of any length).
    if super::sale_zip::is_archive(&name) && super::sale_zip::is_whole(p, session, &name).await? {
        return import_stored(p, session, &name).await;
    }
    Ok(text("success\n".into()))
}

pub(crate) async fn import<P: Ports>(
    p: &P,
    req: &ApiRequest,
    session: &str,
) -> AppResult<ApiResponse> {
    let Some(name) = req.query_param("filename").and_then(super::base_name) else {
        return Ok(failure("bad filename"));
    };
    let stored = |name: String| async move {
        let row = Stmt::new(sql::CML_FILE).bind(session).bind(&name);
        let file = p.db().first::<FileRow>(row).await?;
        AppResult::Ok(file.map(|file| (name, file)))
    };
    let mut found = stored(name).await?;
    if found.is_none() {
        // The order file 1C sent inside an archive (`zip=yes`): the archive's result.
        if let Some(archive) = super::sale_zip::archive_of(p, session).await? {
            found = stored(archive).await?;
        }
    }
    let Some((name, file)) = found else {
        return Ok(failure("no such file uploaded in this session"));
    };
    match file.status.as_str() {
        "uploading" => import_stored(p, session, &name).await,
        "imported" => Ok(text(format!(
            "success\n{}\n",
            file.result.unwrap_or_default()
        ))),
        _ => Ok(failure(file.result.as_deref().unwrap_or("import failed"))),
    }
}

async fn import_stored<P: Ports>(p: &P, session: &str, name: &str) -> AppResult<ApiResponse> {
    let Some(file) = p
        .db()
        .first::<FileRow>(Stmt::new(sql::CML_FILE).bind(session).bind(name))
        .await?
    else {
        return Ok(failure("no such file uploaded in this session"));
    };
    let outcome = if file.bytes > MAX_ORDER_FILE_BYTES {
        Err(format!(
            "an order file above {MAX_ORDER_FILE_BYTES} bytes is refused"
        ))
    } else if super::sale_zip::is_archive(name) {
        super::sale_zip::import(p, session, name, &file).await?
    } else {
        let bytes = read_range(p, session, name, &file.sizes()?, 0, file.bytes as u64).await?;
        import_orders(p, &bytes).await?
    };
    let (status, answer) = match &outcome {
        Ok(report) => ("imported", format!("success\n{report}\n")),
        Err(reason) => ("failed", format!("failure\n{reason}\n")),
    };
    let result = answer
        .split_once('\n')
        .map_or("", |(_, rest)| rest.trim_end());
    p.db()
        .exec(
            Stmt::new(sql::CML_FILE_DONE)
                .bind(status)
                .bind(result)
                .bind(p.now())
                .bind(session)
                .bind(name),
        )
        .await?;
    Ok(text(answer))
}

#[derive(Debug, Deserialize)]
struct Found {
    id: String,
    onec_id: String,
    number: String,
    status: String,
    payment_method: String,
    total_kop: i64,
    /// 1 while a portal change 1C has not confirmed yet is open.
    pending: i64,
    /// The status a stock-only cancellation replaced (for 1C's refusal).
    cml_before_cancel: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Known {
    onec_id: Option<String>,
    inn: Option<String>,
    kpp: Option<String>,
    company_id: String,
    legal_entity_id: Option<String>,
}

/// The order a document names: by id (1C's or the portal's), else by a number no other order has
/// (1C writes a site order back under its own `Ид` with the site's `Номер`, which Bitrix reads as
/// the site's order id or number).
fn find<'a>(found: &'a [Found], id: Option<&str>, number: Option<&str>) -> Option<&'a Found> {
    let by_id = id.and_then(|id| found.iter().find(|f| f.onec_id == id || f.id == id));
    let by_id = by_id.or_else(|| number.and_then(|n| found.iter().find(|f| f.id == n)));
    by_id.or_else(|| {
        let n = number?;
        let mut same = found.iter().filter(|f| f.number == n);
        // A number two orders share names neither.
        match (same.next(), same.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    })
}

/// The company (and legal entity) of a new order's buyer: by 1C id, else INN + KPP (INN alone
/// when the company has one legal entity of that INN).
fn buyer_of<'a>(known: &'a [Known], doc: &Document) -> Option<&'a Known> {
    let buyer = doc.buyer()?;
    if let Some(id) = buyer.id.as_deref() {
        if let Some(k) = known.iter().find(|k| k.onec_id.as_deref() == Some(id)) {
            return Some(k);
        }
    }
    let inn = buyer.inn.as_deref()?;
    let mut same: Vec<&Known> = known
        .iter()
        .filter(|k| k.inn.as_deref() == Some(inn))
        .collect();
    if let Some(kpp) = buyer.kpp.as_deref() {
        same.retain(|k| k.kpp.as_deref().is_none_or(|x| x == kpp));
    }
    match same.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// The lines of a document as the portal stores them (`sql::CML_ORDER_LINES_ADD`); a line without
/// a quantity or sum is left out and noted.
fn lines_json(order_id: &str, doc: &Document, notes: &mut Vec<String>) -> (Vec<Value>, i64) {
    let mut out = Vec::new();
    let mut vat_total = 0;
    for (i, l) in doc.lines.iter().enumerate() {
        let Some(qty) = l.quantity.filter(|q| q.0 > 0) else {
            notes.push(format!("line {}: no quantity, left out", i + 1));
            continue;
        };
        let price = l.price.unwrap_or(Kopecks(0));
        let amount = l.sum.unwrap_or_else(|| crate::money::line_amount(qty, price));
        let article = l.article.clone().unwrap_or_default();
        let name = l.name.clone().unwrap_or_default();
        vat_total += l.vat.map_or(0, |v| v.0);
        out.push(json!({"order": order_id, "line_no": out.len() + 1, "product": l.id, "article": article,
            "article_norm": crate::validate::article_key(&article), "name": l.name, "qty": qty.0, "unit": l.unit,
            "price": price.0, "amount": amount.0, "vat_rate_bp": l.vat_rate.map(|r| r as i64 * 100), "vat": l.vat.map_or(0, |v| v.0),
            "search": crate::orders::line_search(&article, &name)}));
    }
    (out, vat_total)
}

/// Applies 1C's order file: the outer error is the database's (1C retries), the inner a file
/// that cannot be read (answered `failure`). Returns the report 1C logs.
pub async fn import_orders<P: Ports>(p: &P, bytes: &[u8]) -> AppResult<Result<String, String>> {
    let file = match read_documents(bytes) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let docs = &file.documents;
    let container_order = |d: &Document| {
        d.container.and_then(|c| {
            docs.iter()
                .find(|o| o.container == Some(c) && o.kind() == DocumentKind::Order)
        })
    };
    // A payment or shipment with neither `Основание` nor an order in its `Контейнер`: only its
    // own `Ид` can name its order, when 1C sends a document the portal already recorded again.
    let orphan = |d: &Document| {
        matches!(d.kind(), DocumentKind::Payment | DocumentKind::Shipment)
            && d.basis.is_none()
            && container_order(d).is_none()
    };
    let orphan_ids: Vec<&str> = docs
        .iter()
        .filter(|d| orphan(d))
        .filter_map(|d| d.id.as_deref())
        .collect();
    let recorded: HashMap<String, String> = if orphan_ids.is_empty() {
        HashMap::new()
    } else {
        #[derive(Deserialize)]
        struct Recorded {
            onec_id: String,
            order_id: String,
        }
        p.db()
            .all::<Recorded>(
                Stmt::new(sql::CML_DOCUMENT_ORDERS).bind(serde_json::to_string(&orphan_ids)?),
            )
            .await?
            .into_iter()
            .map(|r| (r.onec_id, r.order_id))
            .collect()
    };
    // The order a payment or shipment is for: `Основание`, else the order of its `Контейнер`,
    // else the order its own `Ид` was recorded for.
    let order_ref = |d: &Document| -> (Option<String>, Option<String>) {
        if let Some(basis) = &d.basis {
            return (Some(basis.clone()), Some(basis.clone()));
        }
        if let Some(same) = container_order(d) {
            return (same.id.clone(), same.number.clone());
        }
        (d.id.as_ref().and_then(|id| recorded.get(id).cloned()), None)
    };
    let mut ids: Vec<String> = Vec::new();
    let mut numbers: Vec<String> = Vec::new();
    for d in docs {
        let (id, number) = match d.kind() {
            DocumentKind::Order => (d.id.clone(), d.number.clone()),
            DocumentKind::Payment | DocumentKind::Shipment => order_ref(d),
            DocumentKind::Other => continue,
        };
        ids.extend(id);
        numbers.extend(number);
    }
    let found: Vec<Found> = p
        .db()
        .all(
            Stmt::new(sql::CML_ORDERS_FIND)
                .bind(serde_json::to_string(&ids)?)
                .bind(serde_json::to_string(&numbers)?),
        )
        .await?;
    // Counterparties of the orders the portal does not know: a phone order may be among them.
    let new_docs: Vec<&Document> = docs
        .iter()
        .filter(|d| d.kind() == DocumentKind::Order)
        .filter(|d| find(&found, d.id.as_deref(), d.number.as_deref()).is_none())
        .collect();
    let known: Vec<Known> = if new_docs.is_empty() {
        Vec::new()
    } else {
        let party_ids: Vec<&str> = new_docs
            .iter()
            .flat_map(|d| d.parties.iter().filter_map(|p| p.id.as_deref()))
            .collect();
        let inns: Vec<&str> = new_docs
            .iter()
            .flat_map(|d| d.parties.iter().filter_map(|p| p.inn.as_deref()))
            .collect();
        p.db()
            .all(
                Stmt::new(sql::CML_COUNTERPARTIES_FIND)
                    .bind(serde_json::to_string(&party_ids)?)
                    .bind(serde_json::to_string(&inns)?),
            )
            .await?
    };
    let now = p.now();
    let mut report = Report::default();
    let (mut updates, mut shipments, mut payments) = (BTreeMap::new(), Vec::new(), Vec::new());
    let (mut new_orders, mut line_orders, mut lines, mut paid_orders) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Shipped sums per order, to tell shipped from partly shipped.
    let mut shipped: HashMap<String, i64> = HashMap::new();
    for doc in docs {
        let name = doc
            .id
            .clone()
            .or_else(|| doc.number.clone())
            .unwrap_or_else(|| "?".into());
        match doc.kind() {
            DocumentKind::Other => {
                report.ignored.push(format!(
                    "{name} ({})",
                    doc.operation.as_deref().unwrap_or("?")
                ));
            }
            DocumentKind::Payment | DocumentKind::Shipment => {
                let (id, number) = order_ref(doc);
                let Some(order) = find(&found, id.as_deref(), number.as_deref()) else {
                    if orphan(doc) {
                        report.orphans.push(name);
                    } else {
                        report.unknown.push(name);
                    }
                    continue;
                };
                let Some(onec_id) = doc.id.clone() else {
                    report.notes.push(format!("{}: a document without Ид ignored", order.number));
                    continue;
                };
                let deleted = doc.deleted == Some(true)
                    || doc.requisite("ПометкаУдаления").and_then(yes_no) == Some(true)
                    || doc.requisite("Проведен").and_then(yes_no) == Some(false);
                if doc.kind() == DocumentKind::Payment {
                    payments.push(json!({"onec_id": onec_id, "order": order.id, "number": doc.onec_number.clone().or(doc.number.clone()),
                        "at": doc.at.map(crate::time::to_db), "amount": doc.sum.map_or(0, |k| k.0), "deleted": deleted}));
                    paid_orders.push(order.id.clone());
                    report.payments += 1;
                } else if !deleted {
                    let number = doc.onec_number.clone().or(doc.number.clone()).unwrap_or_else(|| onec_id.clone());
                    shipments.push(json!({"id": crate::ids::new_id("shp"), "onec_id": onec_id, "number": number,
                        "at": doc.at.map(crate::time::to_db), "order": order.id}));
                    *shipped.entry(order.id.clone()).or_default() += doc.sum.map_or(order.total_kop, |k| k.0);
                    report.shipments += 1;
                }
            }
            DocumentKind::Order => {
                let Some(order) = find(&found, doc.id.as_deref(), doc.number.as_deref()) else {
                    // A phone order: 1C's own document for a counterparty the portal knows.
                    let (Some(onec_id), Some(buyer)) = (doc.id.as_deref(), buyer_of(&known, doc)) else {
                        report.unknown.push(name);
                        continue;
                    };
                    if doc.deleted == Some(true) {
                        continue;
                    }
                    let id = crate::ids::new_id("ord");
                    let (rows, vat) = lines_json(&id, doc, &mut report.notes);
                    let total: i64 = doc.sum.map_or_else(|| rows.iter().map(|l| l["amount"].as_i64().unwrap_or(0)).sum(), |k| k.0);
                    let number = doc.onec_number.clone().or(doc.number.clone()).unwrap_or_else(|| onec_id.to_owned());
                    let u = order_update(doc, "draft", "invoice");
                    new_orders.push(
                        Stmt::new(sql::CML_ORDER_NEW)
                            .bind(&id)
                            .bind(&buyer.company_id)
                            .bind(onec_id)
                            .bind(buyer.legal_entity_id.clone())
                            .bind(number.as_str())
                            .bind(crate::validate::search_text(&number))
                            .bind(doc.at.unwrap_or(now))
                            .bind(u.status.unwrap_or("awaiting_payment"))
                            .bind(total)
                            .bind(vat)
                            .bind(doc.onec_number.clone())
                            .bind(now),
                    );
                    lines.extend(rows);
                    report.created += 1;
                    continue;
                };
                if order.pending != 0 {
                    // The client's change, sent or about to be, wins until 1C has confirmed it.
                    report.kept.push(order.number.clone());
                    continue;
                }
                let u = order_update_with(
                    doc,
                    &order.status,
                    &order.payment_method,
                    order.cml_before_cancel.as_deref(),
                );
                report
                    .notes
                    .extend(u.notes.iter().map(|n| format!("{}: {n}", order.number)));
                if let Some((number, at)) = &u.shipment {
                    shipments.push(json!({"id": crate::ids::new_id("shp"), "onec_id": format!("cml:{}:{number}", order.onec_id),
                        "number": number, "at": at.map(crate::time::to_db), "order": order.id}));
                }
                let (mut total, mut vat) = (doc.sum.map(|k| k.0), None);
                if doc.has_lines {
                    let (rows, v) = lines_json(&order.id, doc, &mut report.notes);
                    total = total.or(Some(rows.iter().map(|l| l["amount"].as_i64().unwrap_or(0)).sum()));
                    vat = Some(v);
                    line_orders.push(order.id.clone());
                    lines.extend(rows);
                }
                // The last document about an order wins.
                updates.insert(order.id.clone(), json!({"id": order.id, "status": u.status, "onec_number": u.onec_number,
                    "posted": u.posted, "paid": u.paid, "paid_at": u.paid_at.map(crate::time::to_db), "payment_number": u.payment_number,
                    "total": total, "vat": vat, "close": true,
                    "onec_id": adopted_onec_id(&order.onec_id, &order.id, doc.id.as_deref())}));
            }
        }
    }
    // Shipments documents set the status the order requisites did not.
    for (order_id, sum) in &shipped {
        let Some(order) = found.iter().find(|f| &f.id == order_id) else { continue };
        if order.status == "cancelled" {
            continue;
        }
        let status = if *sum >= order.total_kop { "shipped" } else { "partly_shipped" };
        let entry = updates
            .entry(order_id.clone())
            .or_insert_with(|| json!({"id": order_id, "paid": false, "close": false}));
        if entry["status"].is_null() || entry["status"] == "paid" || entry["status"] == "reserved" {
            entry["status"] = status.into();
        }
    }
    let updates: Vec<Value> = updates.into_values().collect();
    report.updated = updates.len();
    let mut stmts = new_orders;
    for chunk in updates.chunks(ROWS_PER_STATEMENT) {
        stmts.push(
            Stmt::new(sql::CML_ORDERS_FROM_1C)
                .bind(now)
                .bind(serde_json::to_string(chunk)?),
        );
    }
    if !line_orders.is_empty() {
        stmts.push(Stmt::new(sql::CML_ORDER_LINES_CLEAR).bind(serde_json::to_string(&line_orders)?));
    }
    for chunk in lines.chunks(ROWS_PER_STATEMENT) {
        stmts.push(Stmt::new(sql::CML_ORDER_LINES_ADD).bind(serde_json::to_string(chunk)?));
    }
    for chunk in shipments.chunks(ROWS_PER_STATEMENT) {
        stmts.push(Stmt::new(sql::CML_SHIPMENTS_FROM_1C).bind(serde_json::to_string(chunk)?));
    }
    for chunk in payments.chunks(ROWS_PER_STATEMENT) {
        stmts.push(
            Stmt::new(sql::CML_PAYMENTS_UPSERT)
                .bind(now)
                .bind(serde_json::to_string(chunk)?),
        );
    }
    if !paid_orders.is_empty() {
        stmts.push(
            Stmt::new(sql::CML_PAYMENTS_TOTAL)
                .bind(now)
                .bind(serde_json::to_string(&paid_orders)?),
        );
    }
    if !stmts.is_empty() {
        p.db().batch(stmts).await?;
    }
    Ok(Ok(report.text()))
}

/// What an order file did, for 1C's log.
#[derive(Default)]
struct Report {
    updated: usize,
    created: usize,
    payments: usize,
    shipments: usize,
    unknown: Vec<String>,
    /// Payments and shipments naming no order (no `Основание`, no order in their `Контейнер`,
    /// their `Ид` not recorded before): nothing can tell which order they pay or ship.
    orphans: Vec<String>,
    /// Orders with a portal change 1C has not confirmed: left as they are.
    kept: Vec<String>,
    ignored: Vec<String>,
    notes: Vec<String>,
}

impl Report {
    fn text(&self) -> String {
        let list = |items: &[String]| {
            let shown: Vec<&str> = items.iter().take(20).map(String::as_str).collect();
            format!(" ({}{})", shown.join(", "), if items.len() > 20 { ", ..." } else { "" })
        };
        let mut out = format!("orders updated: {}, unknown: {}", self.updated, self.unknown.len());
        if !self.unknown.is_empty() {
            out.push_str(&list(&self.unknown));
        }
        if self.created > 0 {
            out.push_str(&format!(", created: {}", self.created));
        }
        if self.payments > 0 || self.shipments > 0 {
            out.push_str(&format!(", payments: {}, shipments: {}", self.payments, self.shipments));
        }
        if !self.orphans.is_empty() {
            out.push_str(&format!(", payments without an order: {}{}", self.orphans.len(), list(&self.orphans)));
        }
        if !self.kept.is_empty() {
            out.push_str(&format!(", kept (portal change not confirmed yet): {}{}", self.kept.len(), list(&self.kept)));
        }
        if !self.ignored.is_empty() {
            out.push_str(&format!(", ignored: {}{}", self.ignored.len(), list(&self.ignored)));
        }
        for note in self.notes.iter().take(20) {
            out.push('\n');
            out.push_str(note);
        }
        out
    }
}

/// What one document of 1C's order file changes in the portal order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderUpdate {
    pub status: Option<&'static str>,
    pub onec_number: Option<String>,
    pub posted: Option<bool>,
    /// Paid in full.
    pub paid: bool,
    pub paid_at: Option<DateTime<Utc>>,
    pub payment_number: Option<String>,
    /// (`Номер отгрузки по 1С`, `Дата отгрузки по 1С`).
    pub shipment: Option<(String, Option<DateTime<Utc>>)>,
    /// Values that could not be used, for 1C's log.
    pub notes: Vec<String>,
}

/// Reads the requisites of one order document. The status, in order of precedence: cancelled
/// (`Отменен` or `ПометкаУдаления`), `Статус заказа` when it names a known status, shipped
/// (`Отгружен`, or a `Дата отгрузки по 1С`), paid (a payment, while not yet reserved for
/// shipping further), and a posted (`Проведен`) draft becomes reserved (credit) or awaiting
/// payment. Anything else leaves the status as it is.
pub fn order_update(
    doc: &Document,
    current_status: &str,
    payment_method: &str,
) -> OrderUpdate {
    order_update_with(doc, current_status, payment_method, None)
}

/// [`order_update`] for an order the portal may have cancelled (a stock-only cancellation keeps
/// the status it replaced, `before_cancel`): when 1C's document says explicitly that the order is
/// not cancelled (`Отменен` false, as Bitrix undoes a site cancellation on it), 1C's state comes
/// back: the kept status (`awaiting_payment` if none), then what the rest of the document says.
pub fn order_update_with(
    doc: &Document,
    current_status: &str,
    payment_method: &str,
    before_cancel: Option<&str>,
) -> OrderUpdate {
    let mut u = OrderUpdate {
        onec_number: doc.onec_number.clone(),
        ..Default::default()
    };
    let req = |name: &str| {
        doc.requisite(name)
    };
    let flag = |name: &str, notes: &mut Vec<String>| {
        let v = req(name)?;
        let parsed = yes_no(v);
        if parsed.is_none() {
            notes.push(format!("«{name}» is neither true nor false: «{v}»"));
        }
        parsed
    };
    let mut notes = Vec::new();
    // 3.x marks the document itself (`ПометкаУдаления` element); 2.x sends a requisite.
    let cancel_flag = flag("Отменен", &mut notes);
    let cancelled = cancel_flag == Some(true)
        || flag("ПометкаУдаления", &mut notes) == Some(true)
        || doc.deleted == Some(true);
    // 1C refused the portal's cancellation: its state is the order's again.
    let restored = (current_status == "cancelled" && !cancelled && cancel_flag == Some(false))
        .then(|| {
            const BACK: [&str; 6] = [
                "draft",
                "awaiting_payment",
                "reserved",
                "paid",
                "partly_shipped",
                "shipped",
            ];
            BACK.into_iter()
                .find(|s| Some(*s) == before_cancel)
                .unwrap_or("awaiting_payment")
        });
    let current_status = restored.unwrap_or(current_status);
    let shipped_flag = flag("Отгружен", &mut notes) == Some(true);
    let paid_flag = flag("Заказ оплачен", &mut notes) == Some(true);
    u.posted = flag("Проведен", &mut notes);
    let date = |name: &str, notes: &mut Vec<String>| {
        let v = req(name)?;
        let parsed = date_1c(v);
        if parsed.is_none() && v != "T" {
            notes.push(format!("«{name}» is not a date: «{v}»"));
        }
        parsed
    };
    let shipped_at = date("Дата отгрузки по 1С", &mut notes);
    u.paid_at = date("Дата оплаты по 1С", &mut notes);
    u.payment_number = req("Номер оплаты по 1С").map(str::to_owned);
    if let Some(number) = req("Номер отгрузки по 1С") {
        u.shipment = Some((number.to_owned(), shipped_at));
    }
    let named = req("Статус заказа").and_then(|s| {
        let status = status_from_1c(s);
        if status.is_none() {
            notes.push(format!("unknown «Статус заказа» «{s}»: status kept"));
        }
        status
    });
    u.paid =
        paid_flag || u.paid_at.is_some() || u.payment_number.is_some() || named == Some("paid");
    let before_shipping = matches!(current_status, "draft" | "awaiting_payment" | "reserved");
    u.status = if cancelled {
        Some("cancelled")
    } else if named.is_some() {
        named
    } else if shipped_flag || shipped_at.is_some() {
        Some("shipped")
    } else if u.paid && before_shipping {
        Some("paid")
    } else if u.posted == Some(true) && current_status == "draft" {
        Some(if payment_method == "credit" {
            "reserved"
        } else {
            "awaiting_payment"
        })
    } else {
        restored
    };
    u.notes = notes;
    u
}

fn yes_no(v: &str) -> Option<bool> {
    match v.to_lowercase().as_str() {
        "true" | "истина" | "да" | "1" => Some(true),
        "false" | "ложь" | "нет" | "0" => Some(false),
        _ => None,
    }
}

/// A 1C date as order files write it: ISO, `dd.mm.yyyy hh:mm:ss` or `dd.mm.yyyy` (Moscow time);
/// the empty date (`T`, `0001-01-01`) is `None`.
fn date_1c(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(Some(t)) = crate::time::parse_1c_datetime(v) {
        return Some(t);
    }
    let d = NaiveDate::parse_from_str(v, "%d.%m.%Y").ok()?;
    Some(crate::time::moscow_naive_to_utc(d.and_hms_opt(0, 0, 0)?))
}

/// `Статус заказа` as 1C writes it: the names the portal sends (see `commerceml::write`), those of
/// 1C:УТ 11's customer orders, and site-style `[N] Принят` codes (the text after the code counts).
pub fn status_from_1c(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let v = match v.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
        Some((_, name)) => name.trim(),
        None => v,
    };
    let v = v.to_lowercase().replace('ё', "е");
    Some(match v.as_str() {
        "черновик" | "не согласован" | "ожидается согласование" => {
            "draft"
        }
        "ожидает оплаты"
        | "принят"
        | "принят, ожидается оплата"
        | "ожидается предоплата (до обеспечения)"
        | "ожидается предоплата (до отгрузки)"
        | "ожидается предоплата" => "awaiting_payment",
        "зарезервирован" | "к обеспечению" | "к выполнению" | "к отгрузке" | "в работе" => {
            "reserved"
        }
        "оплачен" => "paid",
        "частично отгружен" | "отгружается" => "partly_shipped",
        "отгружен" | "выполнен" => "shipped",
        "отменен" => "cancelled",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(requisites: &[(&str, &str)]) -> Document {
        Document {
            id: Some("o1".into()),
            onec_number: Some("УТ-00012".into()),
            requisites: requisites
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn cancellation_wins_over_everything() {
        let u = order_update(
            &doc(&[
                ("Статус заказа", "Отгружен"),
                ("Отменен", "true"),
                ("Дата оплаты по 1С", "2026-03-05T10:00:00"),
            ]),
            "paid",
            "invoice",
        );
        assert_eq!(u.status, Some("cancelled"));
        assert!(u.paid, "the payment is still recorded");
        assert_eq!(
            order_update(&doc(&[("ПометкаУдаления", "Истина")]), "draft", "card").status,
            Some("cancelled")
        );
    }

    #[test]
    fn named_status_then_shipment_then_payment_then_posting() {
        assert_eq!(
            order_update(&doc(&[("Статус заказа", "[F] Выполнен")]), "paid", "card").status,
            Some("shipped")
        );
        assert_eq!(
            order_update(
                &doc(&[
                    ("Статус заказа", "К отгрузке"),
                    ("Дата отгрузки по 1С", "05.03.2026 14:00:00")
                ]),
                "draft",
                "card"
            )
            .status,
            Some("reserved")
        );
        let shipped = order_update(
            &doc(&[
                ("Номер отгрузки по 1С", "РН-7"),
                ("Дата отгрузки по 1С", "05.03.2026 14:00:00"),
            ]),
            "paid",
            "invoice",
        );
        assert_eq!(shipped.status, Some("shipped"));
        assert_eq!(
            shipped.shipment,
            Some((
                "РН-7".to_string(),
                crate::time::parse_1c_datetime("2026-03-05T14:00:00").unwrap()
            ))
        );
        let paid = order_update(
            &doc(&[
                ("Дата оплаты по 1С", "05.03.2026"),
                ("Номер оплаты по 1С", "ПП-1"),
            ]),
            "awaiting_payment",
            "invoice",
        );
        assert_eq!(
            (paid.status, paid.paid, paid.payment_number.as_deref()),
            (Some("paid"), true, Some("ПП-1"))
        );
        assert_eq!(
            order_update(
                &doc(&[("Дата оплаты по 1С", "05.03.2026")]),
                "shipped",
                "credit"
            )
            .status,
            None,
            "a payment does not undo a shipment"
        );
        assert_eq!(
            order_update(&doc(&[("Проведен", "true")]), "draft", "credit").status,
            Some("reserved")
        );
        assert_eq!(
            order_update(&doc(&[("Проведен", "true")]), "draft", "invoice").status,
            Some("awaiting_payment")
        );
        assert_eq!(
            order_update(&doc(&[("Проведен", "true")]), "reserved", "invoice").status,
            None
        );
    }

    #[test]
    fn a_refused_portal_cancellation_brings_1cs_state_back() {
        let refused = |reqs: &[(&str, &str)], method, before| {
            order_update_with(&doc(reqs), "cancelled", method, before).status
        };
        assert_eq!(
            refused(&[("Отменен", "false"), ("Проведен", "true")], "invoice", Some("awaiting_payment")),
            Some("awaiting_payment")
        );
        assert_eq!(
            refused(&[("Отменен", "false"), ("Проведен", "true")], "credit", Some("draft")),
            Some("reserved"),
            "a draft 1C has posted meanwhile"
        );
        assert_eq!(
            refused(&[("Отменен", "false"), ("Статус заказа", "К отгрузке")], "invoice", Some("awaiting_payment")),
            Some("reserved"),
            "1C's named status wins"
        );
        assert_eq!(
            refused(&[("Отменен", "false")], "invoice", None),
            Some("awaiting_payment"),
            "cancelled without a kept status"
        );
        assert_eq!(
            refused(&[("Проведен", "true")], "invoice", Some("reserved")),
            None,
            "no word on the cancellation: it stays"
        );
        assert_eq!(refused(&[("Отменен", "true")], "invoice", Some("reserved")), Some("cancelled"));
        let mut deleted = doc(&[("Отменен", "false")]);
        deleted.deleted = Some(true);
        assert_eq!(
            order_update_with(&deleted, "cancelled", "invoice", Some("reserved")).status,
            Some("cancelled"),
            "3.x deletion mark"
        );
        assert_eq!(
            order_update_with(&doc(&[("Отменен", "false")]), "reserved", "invoice", Some("draft")).status,
            None,
            "an order not cancelled keeps its status"
        );
    }

    #[test]
    fn a_portal_order_goes_by_the_portal_id_and_takes_1cs_id_once() {
        assert_eq!(known_to_1c("portal:ord_1"), None);
        assert_eq!(known_to_1c("9f1c-guid"), Some("9f1c-guid"));
        assert_eq!(
            adopted_onec_id("portal:ord_1", "ord_1", Some("9f1c-guid")).as_deref(),
            Some("9f1c-guid")
        );
        assert_eq!(adopted_onec_id("portal:ord_1", "ord_1", Some("ord_1")), None, "1C echoed the site's id");
        assert_eq!(adopted_onec_id("portal:ord_1", "ord_1", None), None);
        assert_eq!(adopted_onec_id("9f1c-guid", "ord_1", Some("other")), None, "1C's id stays");
    }

    #[test]
    fn a_document_finds_its_order_by_ids_then_a_unique_number() {
        let f = |id: &str, onec: &str, number: &str| Found {
            id: id.into(),
            onec_id: onec.into(),
            number: number.into(),
            status: "draft".into(),
            payment_method: "invoice".into(),
            total_kop: 0,
            pending: 0,
            cml_before_cancel: None,
        };
        let found = [f("ord_1", "portal:ord_1", "П-1"), f("ord_2", "g2", "N"), f("ord_3", "g3", "N")];
        let id_of = |id, number| find(&found, id, number).map(|x| x.id.as_str());
        assert_eq!(id_of(Some("1c-new"), Some("П-1")), Some("ord_1"), "1C's own Ид, the site's number");
        assert_eq!(id_of(Some("1c-new"), Some("ord_1")), Some("ord_1"), "the site's id as the number");
        assert_eq!(id_of(Some("g2"), Some("N")), Some("ord_2"));
        assert_eq!(id_of(Some("1c-new"), Some("N")), None, "a number two orders share");
    }

    #[test]
    fn empty_and_unreadable_values_change_nothing_and_are_noted() {
        let u = order_update(
            &doc(&[
                ("Дата оплаты по 1С", "T"),
                ("Дата отгрузки по 1С", ""),
                ("Отменен", "может быть"),
                ("Статус заказа", "Странный"),
            ]),
            "draft",
            "card",
        );
        assert_eq!((u.status, u.paid), (None, false));
        assert_eq!(u.onec_number.as_deref(), Some("УТ-00012"));
        assert_eq!(u.notes.len(), 2, "{:?}", u.notes);
    }
}
