//! The company's documents: the filtered list, one document with its lines, an order's full set,
//! file downloads and an order's ZIP. Lists and sets hold the current version of each document
//! (an ИУПД in place of what it corrects); a document's page shows its versions and its УКД.

use super::checksums::{self, Checksum};
use super::{rules, sql, zip};
use crate::auth::Caller;
use crate::error::{AppError, AppResult, ErrorKind, FieldError};
use crate::http::{page_limit, ApiRequest, ApiResponse, Body, BodyStream};
use crate::ports::{BlobStore, Database, DatabaseExt, Ports, SqlValue, Stmt};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Browsers may keep a file for an hour; `private`: never a shared cache (they are the company's).
const FILE_CACHE: &str = "private, max-age=3600";

#[derive(Deserialize, Serialize)]
pub struct DocRow {
    id: String,
    kind: String,
    kind_name: String,
    number: String,
    doc_date: String,
    upd_status: Option<i64>,
    amount_kop: i64,
    vat_kop: i64,
    edo_status: Option<String>,
    /// 1С-ЭДО's own state, as 1C named it.
    edo_state: Option<String>,
    /// ИУПД: НомИспр and its date (null for an original).
    correction_no: Option<i64>,
    correction_date: Option<String>,
    legal_entity_id: Option<String>,
    legal_entity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shipment_onec_id: Option<String>,
    /// 1C's id of the document and of the original it corrects (itself for an original).
    #[serde(default, skip_serializing)]
    onec_id: Option<String>,
    #[serde(default, skip_serializing)]
    root_onec_id: Option<String>,
}

#[derive(Deserialize, Serialize, Clone)]
struct OrderLink {
    #[serde(skip_serializing)]
    document_id: String,
    order_onec_id: String,
    order_id: Option<String>,
    order_number: Option<String>,
}

#[derive(Deserialize, Serialize, Clone)]
struct FileRow {
    id: String,
    #[serde(skip_serializing)]
    document_id: String,
    file_no: i64,
    name: String,
    content_type: String,
    size: i64,
    role: String,
}

#[derive(Serialize)]
pub struct DocItem {
    #[serde(flatten)]
    doc: DocRow,
    orders: Vec<OrderLink>,
    files: Vec<FileRow>,
}

/// Attaches each document's orders and files (two queries for the whole page).
async fn with_links<P: Ports>(
    p: &P,
    company_id: &str,
    docs: Vec<DocRow>,
) -> AppResult<Vec<DocItem>> {
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    let ids = serde_json::to_string(&ids)?;
    let links: Vec<OrderLink> = p
        .db()
        .all(Stmt::new(sql::ORDERS_OF).bind(company_id).bind(&ids))
        .await?;
    let files: Vec<FileRow> = p
        .db()
        .all(Stmt::new(sql::FILES_OF).bind(company_id).bind(&ids))
        .await?;
    let mut by_doc: HashMap<String, (Vec<OrderLink>, Vec<FileRow>)> = HashMap::new();
    for l in links {
        by_doc.entry(l.document_id.clone()).or_default().0.push(l);
    }
    for f in files {
        by_doc.entry(f.document_id.clone()).or_default().1.push(f);
    }
    Ok(docs
        .into_iter()
        .map(|doc| {
            let (orders, files) = by_doc.remove(&doc.id).unwrap_or_default();
            DocItem { doc, orders, files }
        })
        .collect())
}

/// Start of a Moscow calendar day as stored UTC text.
fn day_start(d: NaiveDate) -> String {
    crate::time::to_db(crate::time::moscow_naive_to_utc(
        d.and_hms_opt(0, 0, 0).expect("midnight"),
    ))
}

/// The Moscow calendar date of a stored instant (documents are dated in Moscow time).
pub fn moscow_date(stored: &str) -> Option<NaiveDate> {
    crate::time::from_db(stored).map(|t| t.with_timezone(&crate::time::moscow()).date_naive())
}

#[derive(Default)]
struct Filters {
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    order: Option<String>,
    min_kop: Option<i64>,
    max_kop: Option<i64>,
    number: Option<String>,
}

fn filters(req: &ApiRequest) -> AppResult<Filters> {
    let mut errs = Vec::new();
    let text = |name: &str| {
        req.query_param(name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let mut f = Filters::default();
    if let Some(k) = text("kind") {
        if super::DOCUMENT_KINDS.contains(&k) {
            f.kind = Some(k.to_string());
        } else {
            errs.push(FieldError::new(
                "kind",
                "unknown",
                "Неизвестный вид документа.",
                "Unknown document kind.",
            ));
        }
    }
    let mut date = |name: &'static str| match text(name) {
        None => None,
        Some(s) => match crate::time::parse_ymd(s) {
            Some(d) => Some(d),
            None => {
                errs.push(FieldError::new(
                    name,
                    "invalid-date",
                    "Дата в формате ГГГГ-ММ-ДД.",
                    "A date as YYYY-MM-DD.",
                ));
                None
            }
        },
    };
    let (from, to) = (date("from"), date("to"));
    f.from = from.map(day_start);
    f.to = to.and_then(|d| d.succ_opt()).map(day_start);
    let mut amount = |name: &'static str| match text(name) {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errs.push(FieldError::new(
                    name,
                    "invalid-amount",
                    "Сумма в копейках, целым числом.",
                    "An amount in kopecks, a whole number.",
                ));
                None
            }
        },
    };
    f.min_kop = amount("min_kop");
    f.max_kop = amount("max_kop");
    // Short fragments: production D1 caps pattern work, and numbers are short anyway.
    f.order = text("order").map(|s| s.chars().take(40).collect::<String>());
    f.number =
        text("q").map(|s| crate::validate::search_text(&s.chars().take(40).collect::<String>()));
    if errs.is_empty() {
        Ok(f)
    } else {
        Err(AppError::validation(errs))
    }
}

/// The filtered list, newest first, with an opaque cursor.
pub async fn list<P: Ports>(p: &P, caller: &Caller, req: &ApiRequest) -> AppResult<ApiResponse> {
    let limit = page_limit(req)?;
    let f = filters(req)?;
    let order_upper = f.order.as_ref().map(|o| o.to_uppercase());
    let seal = crate::cursor::CursorSeal::for_company(p.config(), &caller.company_id);
    let (cur_date, cur_id) = crate::http::cursor(req, &seal)?.unzip();
    let mut rows: Vec<DocRow> = p
        .db()
        .all(
            Stmt::new(sql::DOCUMENTS_PAGE)
                .bind(&caller.company_id)
                .bind(f.kind)
                .bind(f.from)
                .bind(f.to)
                .bind(f.order)
                .bind(f.min_kop.map(SqlValue::Integer).unwrap_or(SqlValue::Null))
                .bind(f.max_kop.map(SqlValue::Integer).unwrap_or(SqlValue::Null))
                .bind(f.number)
                .bind(cur_date)
                .bind(cur_id)
                .bind(limit + 1)
                .bind(order_upper),
        )
        .await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|r| crate::http::encode_cursor(&seal, &r.doc_date, &r.id))
    } else {
        None
    };
    let items = with_links(p, &caller.company_id, rows).await?;
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"items": items, "next_cursor": next_cursor}),
    ))
}

#[derive(Deserialize)]
struct DocFull {
    id: String,
    onec_id: String,
    kind: String,
    kind_name: String,
    number: String,
    doc_date: String,
    upd_status: Option<i64>,
    amount_kop: i64,
    vat_kop: i64,
    edo_status: Option<String>,
    edo_state: Option<String>,
    correction_no: Option<i64>,
    correction_date: Option<String>,
    root_onec_id: String,
    lines_json: String,
    shipment_onec_id: Option<String>,
    legal_entity_id: Option<String>,
    legal_entity: Option<String>,
    legal_entity_inn: Option<String>,
}

/// A line as stored (1C's line: quantity in thousandths, money in kopecks).
#[derive(Deserialize)]
struct StoredLine {
    line_no: u32,
    article: Option<String>,
    name: String,
    quantity: i64,
    unit: Option<String>,
    #[serde(default)]
    unit_code: Option<String>,
    price: i64,
    amount: i64,
    /// The wire text ("22%", "none"); rows stored before migration 0020 were rewritten by it.
    #[serde(default)]
    vat_rate: Option<serde_json::Value>,
    vat: i64,
    #[serde(default)]
    base_id: Option<String>,
    #[serde(default)]
    base_line_no: Option<u32>,
}

#[derive(Serialize)]
struct Line {
    line_no: u32,
    article: Option<String>,
    name: String,
    quantity_milli: i64,
    unit: Option<String>,
    /// ОКЕИ code of the unit.
    unit_code: Option<String>,
    price_kop: i64,
    /// Without VAT: the amount less the VAT in it.
    amount_net_kop: i64,
    /// As 1C sent it: "22%", "none" (без НДС) ...
    vat_rate: Option<&'static str>,
    vat_kop: i64,
    amount_kop: i64,
    /// УКД: the УПД this line corrects (its number when received) and that УПД's line.
    base_id: Option<String>,
    base_number: Option<String>,
    base_line_no: Option<u32>,
}

#[derive(Deserialize, Serialize, Clone)]
struct DocRef {
    id: String,
    /// The portal's kind (the page names it in the user's language; 1C's name for others).
    #[serde(default)]
    kind: Option<String>,
    kind_name: String,
    number: String,
    doc_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount_kop: Option<i64>,
    /// The 1C id it corrects (CORRECTIONS only).
    #[serde(default, skip_serializing)]
    corrected_onec_id: Option<String>,
}

/// A document a УКД corrects; one not received yet is known by 1C's id alone.
#[derive(Deserialize, Serialize)]
struct Corrected {
    onec_id: String,
    id: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    kind_name: Option<String>,
    number: Option<String>,
    doc_date: Option<String>,
}

/// One version of a document: the original (no correction number) or an ИУПД.
#[derive(Deserialize, Serialize, Clone)]
struct Version {
    id: String,
    kind_name: String,
    number: String,
    doc_date: String,
    correction_no: Option<i64>,
    correction_date: Option<String>,
    #[serde(default)]
    current: bool,
}

/// The УКД of documents known by these 1C ids (each document's own and its original's).
async fn corrections_of<P: Ports>(
    p: &P,
    company_id: &str,
    onec_ids: &[&str],
) -> AppResult<Vec<DocRef>> {
    if onec_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = serde_json::to_string(onec_ids)?;
    p.db()
        .all(Stmt::new(sql::CORRECTIONS).bind(company_id).bind(&ids))
        .await
}

/// The УКД among `all` that correct a document with either id, each once.
fn corrections_for(all: &[DocRef], own: &str, root: &str) -> Vec<DocRef> {
    let mut out: Vec<DocRef> = Vec::new();
    for c in all {
        let hit = c
            .corrected_onec_id
            .as_deref()
            .is_some_and(|x| x == own || x == root);
        if hit && !out.iter().any(|o| o.id == c.id) {
            out.push(c.clone());
        }
    }
    out
}

#[derive(Deserialize, Serialize)]
struct Shipment {
    #[serde(default, skip_serializing)]
    onec_id: Option<String>,
    number: String,
    shipped_at: Option<String>,
    vehicle: Option<String>,
}

/// One document: its data as a readable table (lines, totals), orders, files, the document it
/// corrects and its corrections. Another company's id is a 404 like a missing one.
pub async fn one<P: Ports>(p: &P, caller: &Caller, id: &str) -> AppResult<ApiResponse> {
    let db = p.db();
    let c = &caller.company_id;
    let d: DocFull = db
        .first(Stmt::new(sql::DOCUMENT).bind(id).bind(c))
        .await?
        .ok_or_else(AppError::not_found)?;
    let stored: Vec<StoredLine> = serde_json::from_str(&d.lines_json).unwrap_or_default();
    // What it corrects, its УКД, its versions and its shipment: one round trip.
    let ids = serde_json::to_string(&[&d.onec_id, &d.root_onec_id])?;
    let mut read = db
        .batch(vec![
            Stmt::new(sql::CORRECTED).bind(&d.id).bind(c),
            Stmt::new(sql::CORRECTIONS).bind(c).bind(&ids),
            Stmt::new(sql::VERSIONS).bind(&d.root_onec_id).bind(c),
            Stmt::new(sql::SHIPMENT)
                .bind(d.shipment_onec_id.as_deref())
                .bind(c),
        ])
        .await?
        .into_iter();
    let mut next = || {
        read.next()
            .ok_or_else(|| AppError::internal("document read: missing results"))
    };
    let corrects: Vec<Corrected> = next()?.parse()?;
    let all: Vec<DocRef> = next()?.parse()?;
    let mut history: Vec<Version> = next()?.parse()?;
    let shipment: Option<Shipment> = next()?.parse()?.into_iter().next();
    let number_of = |onec: &str| {
        corrects
            .iter()
            .find(|x| x.onec_id == onec)
            .and_then(|x| x.number.clone())
    };
    let lines: Vec<Line> = stored
        .into_iter()
        .map(|l| Line {
            line_no: l.line_no,
            article: l.article,
            name: l.name,
            quantity_milli: l.quantity,
            unit: l.unit,
            unit_code: l.unit_code,
            price_kop: l.price,
            amount_net_kop: l.amount - l.vat,
            vat_rate: super::vocab::vat_rate(l.vat_rate.as_ref()),
            vat_kop: l.vat,
            amount_kop: l.amount,
            base_number: l.base_id.as_deref().and_then(number_of),
            base_id: l.base_id,
            base_line_no: l.base_line_no,
        })
        .collect();
    let corrections = corrections_for(&all, &d.onec_id, &d.root_onec_id);
    // The versions of a corrected УПД: the highest correction is the current one.
    if let Some(last) = history.last_mut() {
        last.current = true;
    }
    let corrected_by = history.last().filter(|v| v.id != d.id).cloned();
    if history.len() < 2 {
        history.clear();
    }
    let row = DocRow {
        id: d.id,
        kind: d.kind,
        kind_name: d.kind_name,
        number: d.number,
        doc_date: d.doc_date,
        upd_status: d.upd_status,
        amount_kop: d.amount_kop,
        vat_kop: d.vat_kop,
        edo_status: d.edo_status,
        edo_state: d.edo_state,
        correction_no: d.correction_no,
        correction_date: d.correction_date,
        legal_entity_id: d.legal_entity_id,
        legal_entity: d.legal_entity,
        shipment_onec_id: None,
        onec_id: None,
        root_onec_id: None,
    };
    let item = with_links(p, c, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::internal("document vanished"))?;
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({
            "document": item, "legal_entity_inn": d.legal_entity_inn, "lines": lines,
            "totals": {"amount_net_kop": d.amount_kop - d.vat_kop, "vat_kop": d.vat_kop, "amount_kop": d.amount_kop},
            "corrects": corrects, "corrections": corrections, "shipment": shipment,
            "history": history, "corrected_by": corrected_by,
        }),
    ))
}

#[derive(Deserialize, Serialize)]
struct OrderRow {
    id: String,
    #[serde(skip_serializing)]
    onec_id: String,
    number: String,
    ordered_at: String,
    status: String,
    total_kop: i64,
}

async fn order_row<P: Ports>(p: &P, caller: &Caller, id: &str) -> AppResult<OrderRow> {
    p.db()
        .first(Stmt::new(sql::ORDER).bind(id).bind(&caller.company_id))
        .await?
        .ok_or_else(AppError::not_found)
}

/// The full set of an order: every document of every shipment (one УПД per vehicle), grouped by
/// shipment in the page.
pub async fn of_order<P: Ports>(p: &P, caller: &Caller, id: &str) -> AppResult<ApiResponse> {
    let o = order_row(p, caller, id).await?;
    let c = &caller.company_id;
    let shipments: Vec<Shipment> = p
        .db()
        .all(Stmt::new(sql::ORDER_SHIPMENTS).bind(&o.id).bind(c))
        .await?;
    let docs: Vec<DocRow> = p
        .db()
        .all(Stmt::new(sql::ORDER_DOCUMENTS).bind(&o.onec_id).bind(c))
        .await?;
    let mut keys: Vec<&str> = Vec::new();
    for d in &docs {
        keys.extend(d.onec_id.as_deref());
        keys.extend(d.root_onec_id.as_deref());
    }
    let all_corrections = corrections_of(p, c, &keys).await?;
    let corrections: Vec<Vec<DocRef>> = docs
        .iter()
        .map(|d| {
            let own = d.onec_id.as_deref().unwrap_or_default();
            let root = d.root_onec_id.as_deref().unwrap_or(own);
            corrections_for(&all_corrections, own, root)
        })
        .collect();
    let shipment_no: HashMap<String, String> = shipments
        .iter()
        .filter_map(|s| s.onec_id.clone().map(|k| (k, s.number.clone())))
        .collect();
    let items: Vec<serde_json::Value> = with_links(p, c, docs)
        .await?
        .into_iter()
        .zip(corrections)
        .map(|(mut item, corrections)| {
            let shipment = item
                .doc
                .shipment_onec_id
                .take()
                .and_then(|s| shipment_no.get(&s).cloned());
            let mut v = serde_json::to_value(&item).unwrap_or_default();
            v["shipment_number"] = shipment.into();
            v["corrections"] = serde_json::to_value(corrections).unwrap_or_default();
            v
        })
        .collect();
    let file_count: usize = items
        .iter()
        .map(|i| i["files"].as_array().map_or(0, |f| f.len()))
        .sum();
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"order": o, "shipments": shipments, "items": items, "file_count": file_count}),
    ))
}

/// A file's answer: `304` when the caller has this version (`If-None-Match`), else the body as
/// the blob store streams it (never whole in memory), with its length known up front.
fn file_response(
    body: Option<BodyStream>,
    tag: String,
    name: &str,
    content_type: &str,
    req: &ApiRequest,
) -> ApiResponse {
    let mut headers = vec![
        ("cache-control".to_string(), FILE_CACHE.to_string()),
        ("etag".to_string(), tag.clone()),
    ];
    let body = match body {
        Some(b) if !rules::not_modified(req.header("if-none-match"), &tag) => b,
        _ => {
            return ApiResponse {
                status: 304,
                headers,
                body: Body::default(),
                log: Default::default(),
            }
        }
    };
    headers.push((
        "content-type".into(),
        rules::safe_content_type(content_type),
    ));
    headers.push((
        "content-disposition".into(),
        rules::content_disposition(name),
    ));
    ApiResponse {
        status: 200,
        headers,
        body: Body::Stream(body),
        log: Default::default(),
    }
}

/// Serves a stored object: when its checksum is recorded and the caller already has that
/// version, `304` without opening it; otherwise streamed, tagged by the recorded checksum (the
/// store's own tag for a file from before checksums were kept).
async fn stream_blob<P: Ports>(
    p: &P,
    key: &str,
    sum: Option<Checksum>,
    name: &str,
    content_type: &str,
    req: &ApiRequest,
) -> AppResult<ApiResponse> {
    if let Some(sum) = sum {
        let tag = sum.etag();
        if rules::not_modified(req.header("if-none-match"), &tag) {
            return Ok(file_response(None, tag, name, content_type, req));
        }
    }
    let blob = p
        .blobs()
        .get_stream(key)
        .await?
        .ok_or_else(AppError::not_found)?;
    // A recorded checksum of another length is stale (the object replaced outside an upload):
    // the store's tag then.
    let tag = match sum {
        Some(s) if s.size == blob.size => s.etag(),
        _ => blob.etag.clone(),
    };
    Ok(file_response(
        Some(BodyStream::of_blob(blob)),
        tag,
        name,
        content_type,
        req,
    ))
}

#[derive(Deserialize)]
struct FileRef {
    blob_key: String,
    name: String,
    content_type: String,
    stored_size: Option<i64>,
    crc32: Option<i64>,
}

/// A document's file by its portal id, for the owner company only; a missing object is a 404 too.
pub async fn download<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    req: &ApiRequest,
) -> AppResult<ApiResponse> {
    let f: FileRef = p
        .db()
        .first(Stmt::new(sql::FILE).bind(id).bind(&caller.company_id))
        .await?
        .ok_or_else(AppError::not_found)?;
    let sum = Checksum::from_row(f.stored_size, f.crc32);
    stream_blob(p, &f.blob_key, sum, &f.name, &f.content_type, req).await
}

/// An act's file (its PDF) by position, for the owner company only.
pub fn act_file(files_json: &str, no: &str) -> AppResult<(String, String, String)> {
    #[derive(Deserialize)]
    struct F {
        blob_key: String,
        name: String,
        content_type: String,
    }
    let files: Vec<F> = serde_json::from_str(files_json).unwrap_or_default();
    let idx: usize = no.parse().map_err(|_| AppError::not_found())?;
    let f = idx
        .checked_sub(1)
        .and_then(|i| files.into_iter().nth(i))
        .ok_or_else(AppError::not_found)?;
    Ok((f.blob_key, f.name, f.content_type))
}

/// A stored file by its storage key (an act's PDF), streamed.
pub async fn serve_blob<P: Ports>(
    p: &P,
    key: &str,
    name: &str,
    content_type: &str,
    req: &ApiRequest,
) -> AppResult<ApiResponse> {
    let sum = checksums::recorded(p, key).await?;
    stream_blob(p, key, sum, name, content_type, req).await
}

#[derive(Deserialize)]
struct ArchiveFile {
    blob_key: String,
    name: String,
    stored_size: Option<i64>,
    crc32: Option<i64>,
}

fn too_large(total: u64) -> AppError {
    AppError::new(
        ErrorKind::PayloadTooLarge,
        "archive-too-large",
        "Файлы заказа слишком велики для одного архива: скачайте их по одному.",
        "The order's files are too large for one archive: download them one by one.",
    )
    .with_extra("total_bytes", total)
    .with_extra("limit_bytes", zip::MAX_ZIP_BYTES)
}

/// All files of all documents of an order as one ZIP (stored entries, Russian names), streamed
/// entry by entry: its length, sent as `Content-Length`, is known from the recorded lengths and
/// CRC-32s before the first byte, and one file at a time passes through. A file from before the
/// checksums were kept is read through once first (and its checksum recorded); one whose object
/// is gone is left out. Refused (413) only beyond the classic ZIP format (4 GiB, 65,535 files).
pub async fn archive<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    req: &ApiRequest,
) -> AppResult<ApiResponse> {
    let o = order_row(p, caller, id).await?;
    let files: Vec<ArchiveFile> = p
        .db()
        .all(
            Stmt::new(sql::ORDER_FILES)
                .bind(&o.onec_id)
                .bind(&caller.company_id),
        )
        .await?;
    if files.is_empty() {
        return Err(AppError::new(
            ErrorKind::NotFound,
            "no-files",
            "У документов заказа пока нет файлов.",
            "The order's documents have no files yet.",
        ));
    }
    let mut entries = Vec::with_capacity(files.len());
    let mut keys = Vec::with_capacity(files.len());
    let mut taken = Vec::new();
    for f in files {
        let sum = match Checksum::from_row(f.stored_size, f.crc32) {
            Some(sum) => sum,
            None => match checksums::compute(p, &f.blob_key).await? {
                Some(sum) => sum,
                // A file 1C listed but whose object is gone is left out rather than failing the archive.
                None => continue,
            },
        };
        entries.push(zip::Entry {
            name: zip::unique_name(&mut taken, &f.name),
            size: sum.size,
            crc: sum.crc32,
        });
        keys.push(f.blob_key);
    }
    let total: u64 = entries.iter().map(|e| e.size).sum();
    let plan = zip::Plan::new(&entries).map_err(|_| too_large(total))?;
    // The directory names every entry with its size and CRC: its checksum and the archive's
    // length tag this set of files.
    let tag = Checksum {
        size: plan.len(),
        crc32: zip::crc32(&plan.central_directory()),
    }
    .etag();
    let len = plan.len();
    let blobs = p.blobs().clone();
    let chunks = zip::stream(plan, move |i| {
        let blobs = blobs.clone();
        let key = keys[i].clone();
        async move {
            match blobs.get_stream(&key).await? {
                Some(b) => Ok(b.chunks),
                None => Err(AppError::internal(format!(
                    "archive: {key} disappeared while streaming"
                ))),
            }
        }
    });
    let name = format!("Документы заказа {}.zip", o.number);
    Ok(file_response(
        Some(BodyStream {
            len,
            chunks,
            native: None,
        }),
        tag,
        &name,
        "application/zip",
        req,
    ))
}
