//! Catalogue imports in slices. A slice reads a window of the stored file (ranged reads across its
//! chunk objects), parses up to `max_items` goods from the last checkpoint to the next element
//! boundary, and writes their rows together with the new checkpoint in one D1 batch. The batch
//! first asserts that the import is still at the slice it started from, so a slice run twice (a
//! redelivered queue message, 1C's poll waking a consumer that was only slow) applies once.
//! Memory is the window plus one slice's rows, whatever the file size.
//!
//! Small files run all their slices within the `import` request; larger ones in the queue
//! consumer ([`run_queued`]), which spends a bounded number of statements per invocation and
//! enqueues the rest. 1C polls `import` (`progress`) meanwhile; a poll, or the sweeper, wakes an
//! import nobody has moved on for [`STALL_SECS`].

use super::{failure, read_range, text, FileRow, SYNC_IMPORT_BYTES};
use crate::commerceml::{offers_slice, products_slice, Checkpoint, CmlError, Header, Slice};
use crate::error::{AppError, AppResult};
use crate::exchange::sql;
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{Database, DatabaseExt, Ports, Stmt, WakeQueue};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

/// Rows per bulk statement.
const ROWS_PER_STATEMENT: usize = 500;
/// Statements one invocation spends on slices: D1 allows 1,000 queries per invocation (paid).
pub const INVOCATION_STATEMENTS: usize = 400;
/// Slices per invocation, so its rows (and D1 time) stay bounded too: 8 x 2,000 goods.
pub const INVOCATION_SLICES: usize = 8;
/// A running import no slice has moved on for this long is woken again.
pub const STALL_SECS: i64 = 60;

/// How much one slice reads and writes.
#[derive(Debug, Clone, Copy)]
pub struct SliceLimits {
    /// Goods per slice (each a few rows: product, prices, stock).
    pub max_items: u64,
    /// Bytes of the file read per slice; also the largest element a slice can hold.
    pub window: u64,
}

impl Default for SliceLimits {
    fn default() -> Self {
        SliceLimits {
            max_items: 2000,
            window: 4 << 20,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ImportRow {
    pub job: String,
    pub session: String,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub bytes: i64,
    pub slice: i64,
    pub checkpoint: Option<String>,
    pub items: i64,
    pub prices: i64,
    pub stock: i64,
    pub result: Option<String>,
    pub updated_at: String,
}

/// What running one slice did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SliceRun {
    /// Rows and checkpoint written; more to read.
    Advanced { statements: usize },
    /// The import is over (this slice finished it, or it already was).
    Finished,
    /// The file cannot be read on; the import is marked failed.
    Failed,
    /// Another run moved the import on meanwhile, or the file was uploaded again: nothing written.
    Stale,
}

/// `import` for a catalogue file: starts its import, or reports on the one running.
pub(crate) async fn answer<P: Ports>(
    p: &P,
    req: &ApiRequest,
    session: &str,
) -> AppResult<ApiResponse> {
    let Some(name) = req.query_param("filename").and_then(super::base_name) else {
        return Ok(failure("bad filename"));
    };
    let Some(file) = p
        .db()
        .first::<FileRow>(Stmt::new(sql::CML_FILE).bind(session).bind(&name))
        .await?
    else {
        return Ok(failure("no such file uploaded in this session"));
    };
    if let Some(job) = find(p, session, &name).await? {
        return report(p, &job).await;
    }
    let job = start(p, session, &name, file.bytes).await?;
    if file.bytes <= SYNC_IMPORT_BYTES {
        // Slices left, or images to make thumbnails of (never within 1C's request).
        if run_job(p, &job, SliceLimits::default(), INVOCATION_STATEMENTS).await?
            || super::images::counts(p, &job).await?.0 > 0
        {
            p.queue().send_cml_import(&job).await?;
        }
    } else {
        p.queue().send_cml_import(&job).await?;
    }
    let row = load(p, &job)
        .await?
        .ok_or_else(|| AppError::internal("import vanished"))?;
    report(p, &row).await
}

async fn find<P: Ports>(p: &P, session: &str, name: &str) -> AppResult<Option<ImportRow>> {
    p.db()
        .first(Stmt::new(sql::CML_IMPORT_BY_FILE).bind(session).bind(name))
        .await
}

pub async fn load<P: Ports>(p: &P, job: &str) -> AppResult<Option<ImportRow>> {
    p.db()
        .first(Stmt::new(sql::CML_IMPORT_BY_JOB).bind(job))
        .await
}

/// Products from `import*.xml`; offers with prices and stock from `offers*`, `prices*`, `rests*`.
fn kind_of(name: &str) -> &'static str {
    if name.to_ascii_lowercase().starts_with("import") {
        "products"
    } else {
        "offers"
    }
}

/// Registers a new import of the stored file and closes its upload (a chunk sent from now on
/// starts a new file). Returns the job id.
pub async fn start<P: Ports>(p: &P, session: &str, name: &str, bytes: i64) -> AppResult<String> {
    let job = crate::ids::new_id("cmli");
    let now = p.now();
    p.db()
        .batch(vec![
            Stmt::new(sql::CML_IMPORT_START)
                .bind(&job)
                .bind(session)
                .bind(name)
                .bind(kind_of(name))
                .bind(bytes)
                .bind(now),
            Stmt::new(sql::CML_FILE_DONE)
                .bind("imported")
                .bind("running")
                .bind(now)
                .bind(session)
                .bind(name),
        ])
        .await?;
    Ok(job)
}

/// 1C's answer for an import: `success`, `failure`, or `progress` (1C asks again).
async fn report<P: Ports>(p: &P, job: &ImportRow) -> AppResult<ApiResponse> {
    let result = job.result.as_deref().unwrap_or("");
    let images = if job.status == "done" && job.kind == "products" {
        super::images::counts(p, &job.job).await?
    } else {
        (0, 0)
    };
    match job.status.as_str() {
        // The products are in; their images are still being made into thumbnails.
        "done" if images.0 > 0 => {
            if stalled(job, p.now()) {
                wake(p, &job.job).await?;
            }
            Ok(text(format!(
                "progress\n{result}; images: {} of {} to go\n",
                images.0, images.1
            )))
        }
        "done" if images.1 > 0 => Ok(text(format!("success\n{result}, images: {}\n", images.1))),
        "done" => Ok(text(format!("success\n{result}\n"))),
        "failed" => Ok(failure(result)),
        _ => {
            if stalled(job, p.now()) {
                wake(p, &job.job).await?;
            }
            let done = job
                .checkpoint
                .as_deref()
                .and_then(|c| serde_json::from_str::<Checkpoint>(c).ok())
                .map_or(0, |c| c.offset);
            let percent = if job.bytes > 0 {
                done * 100 / job.bytes as u64
            } else {
                0
            };
            Ok(text(format!(
                "progress\n{}: {} so far, {percent}% of {} bytes\n",
                job.kind, job.items, job.bytes
            )))
        }
    }
}

fn stalled(job: &ImportRow, now: DateTime<Utc>) -> bool {
    crate::time::from_db(&job.updated_at)
        .is_none_or(|t| now - t > chrono::Duration::seconds(STALL_SECS))
}

async fn wake<P: Ports>(p: &P, job: &str) -> AppResult<()> {
    p.db()
        .exec(Stmt::new(sql::CML_IMPORT_TOUCH).bind(p.now()).bind(job))
        .await?;
    p.queue().send_cml_import(job).await
}

/// The queue consumer's work for one message: slices of `job` within one invocation's budget,
/// or, once they are all in, thumbnails of a few of its images; if more remain, the job is
/// enqueued again. Returns whether it was.
pub async fn run_queued<P: Ports>(p: &P, job: &str) -> AppResult<bool> {
    let mut more = run_job(p, job, SliceLimits::default(), INVOCATION_STATEMENTS).await?;
    if !more && load(p, job).await?.is_some_and(|j| j.status == "done") {
        more = super::images::run(p, job).await?;
    }
    if more {
        p.queue().send_cml_import(job).await?;
    }
    Ok(more)
}

/// Wakes running imports no slice has moved on for a while (their queue message was lost, say
/// by a restart). Returns how many.
pub async fn sweep_stalled<P: Ports>(p: &P) -> AppResult<usize> {
    #[derive(Deserialize)]
    struct J {
        job: String,
    }
    let before = p.now() - chrono::Duration::seconds(STALL_SECS);
    let mut jobs: Vec<J> = p
        .db()
        .all(Stmt::new(sql::CML_IMPORTS_STALLED).bind(before))
        .await?;
    jobs.extend(
        p.db()
            .all::<J>(Stmt::new(sql::CML_IMAGES_STALLED).bind(before))
            .await?,
    );
    for j in &jobs {
        wake(p, &j.job).await?;
    }
    Ok(jobs.len())
}

/// Runs slices of `job` until it is over, [`INVOCATION_SLICES`] have run or about `budget`
/// statements are spent. Returns whether slices remain.
pub async fn run_job<P: Ports>(
    p: &P,
    job: &str,
    limits: SliceLimits,
    budget: usize,
) -> AppResult<bool> {
    let (mut used, mut largest) = (0, 0);
    for _ in 0..INVOCATION_SLICES {
        match run_slice(p, job, limits).await? {
            SliceRun::Advanced { statements } => {
                used += statements;
                largest = largest.max(statements);
                if used + largest > budget {
                    return Ok(true);
                }
            }
            SliceRun::Finished | SliceRun::Failed | SliceRun::Stale => return Ok(false),
        }
    }
    Ok(true)
}

/// The rows of one slice: the statements that write them, and what they count.
struct Part {
    slice: Slice,
    stmts: Vec<Stmt>,
    prices: u64,
    stock: u64,
    /// Products' pictures: `{product, position, path}` (see `sql::CML_IMAGES_ADD`).
    images: Vec<Value>,
}

/// Runs the next slice of `job`.
pub async fn run_slice<P: Ports>(p: &P, job: &str, limits: SliceLimits) -> AppResult<SliceRun> {
    let Some(row) = load(p, job).await? else {
        return Ok(SliceRun::Stale);
    };
    if row.status != "running" {
        return Ok(SliceRun::Finished);
    }
    let Some(file) = p
        .db()
        .first::<FileRow>(Stmt::new(sql::CML_FILE).bind(&row.session).bind(&row.name))
        .await?
    else {
        return Ok(SliceRun::Stale);
    };
    let sizes = file.sizes()?;
    let total: u64 = sizes.iter().sum();
    let from: Option<Checkpoint> = match row.checkpoint.as_deref() {
        Some(c) => Some(
            serde_json::from_str(c)
                .map_err(|e| AppError::internal(format!("checkpoint of {job}: {e}")))?,
        ),
        None => None,
    };
    let start = from.as_ref().map_or(0, |c| c.offset).min(total);
    let len = window_len(limits, start, row.items as u64)
        .min(limits.window)
        .min(total - start);
    let window = read_range(p, &row.session, &row.name, &sizes, start, len).await?;
    let at_end = start + len >= total;
    let now = p.now();
    let parsed = match row.kind.as_str() {
        "products" => products_part(&window, at_end, from.as_ref(), limits.max_items, now),
        _ => offers_part(job, &window, at_end, from.as_ref(), limits.max_items, now),
    };
    let part = match parsed {
        Ok(part) => part,
        Err(e) => {
            let reason = format!("{e}");
            let failed = p
                .db()
                .exec(
                    Stmt::new(sql::CML_IMPORT_FAIL)
                        .bind(job)
                        .bind(row.slice)
                        .bind(&reason)
                        .bind(now),
                )
                .await?;
            if failed == 0 {
                return Ok(SliceRun::Stale);
            }
            p.db()
                .exec(
                    Stmt::new(sql::CML_FILE_DONE)
                        .bind("failed")
                        .bind(&reason)
                        .bind(now)
                        .bind(&row.session)
                        .bind(&row.name),
                )
                .await?;
            return Ok(SliceRun::Failed);
        }
    };
    let finished = part.slice.next.is_none();
    let (items, prices, stock) = (
        row.items as u64 + part.slice.items,
        row.prices as u64 + part.prices,
        row.stock as u64 + part.stock,
    );
    let result = finished.then(|| match row.kind.as_str() {
        "products" => format!("products: {items}"),
        _ => format!("offers: {items}, prices: {prices}, stock rows: {stock}"),
    });
    let checkpoint = part
        .slice
        .next
        .as_ref()
        .map(|c| serde_json::to_string(c).unwrap_or_default());
    let mut stmts = Vec::with_capacity(part.stmts.len() + 4);
    stmts.push(Stmt::new(sql::CML_IMPORT_GUARD).bind(job).bind(row.slice));
    stmts.extend(part.stmts);
    for chunk in part.images.chunks(ROWS_PER_STATEMENT) {
        stmts.push(
            Stmt::new(sql::CML_IMAGES_ADD)
                .bind(job)
                .bind(&row.session)
                .bind(now)
                .bind(json_rows(chunk)),
        );
    }
    stmts.push(
        Stmt::new(sql::CML_IMPORT_ADVANCE)
            .bind(job)
            .bind(checkpoint)
            .bind(part.slice.items as i64)
            .bind(part.prices as i64)
            .bind(part.stock as i64)
            .bind(if finished { "done" } else { "running" })
            .bind(result.clone())
            .bind(now)
            .bind(part.slice.header.full.map(i64::from)),
    );
    if let Some(result) = &result {
        stmts.push(
            Stmt::new(sql::CML_FILE_DONE)
                .bind("imported")
                .bind(result.as_str())
                .bind(now)
                .bind(&row.session)
                .bind(&row.name),
        );
    }
    stmts.push(Stmt::new(sql::CML_IMPORT_GUARD_END));
    let statements = stmts.len();
    match p.db().batch(stmts).await {
        Ok(_) if finished => Ok(SliceRun::Finished),
        Ok(_) => Ok(SliceRun::Advanced { statements }),
        // The guard: another run is past this slice, or the import was replaced.
        Err(e) if e.to_string().contains("CHECK constraint failed") => Ok(SliceRun::Stale),
        Err(e) => Err(e),
    }
}

/// Bytes to read for the next slice: enough for `max_items` goods at the size they have had so
/// far, with a margin (a slice cut short by its window just does fewer), within the limit.
fn window_len(limits: SliceLimits, done_bytes: u64, done_items: u64) -> u64 {
    if done_items == 0 {
        return limits.window;
    }
    let per_item = done_bytes.div_ceil(done_items);
    per_item.saturating_mul(limits.max_items).saturating_mul(5) / 4 + (64 << 10)
}

fn json_rows(rows: &[Value]) -> String {
    serde_json::to_string(rows).unwrap_or_default()
}

/// A product as `import.xml` describes it (see `sql::CML_PRODUCTS_UPSERT`).
fn product_row(pr: &crate::commerceml::Product, name: &str) -> Value {
    let article = pr.article.clone().unwrap_or_default();
    json!({
        "id": crate::ids::new_id("prd"), "onec_id": pr.id, "article_norm": crate::validate::article_key(&article), "article": article,
        "name_norm": crate::validate::search_text(name), "name": name, "unit": pr.unit.as_deref().unwrap_or("шт"),
        "unit_code": pr.unit_code, "vat_rate_bp": pr.vat_bp, "active": i64::from(!pr.deleted),
        "properties": (!pr.properties.is_empty()).then(|| serde_json::to_string(&pr.properties).unwrap_or_default()),
        "has_image": !pr.images.is_empty(),
    })
}

/// The header's rows: price types (named, with their currency) and warehouses, written by the
/// slice that read them (or that first uses a price type: `used`, so its prices have a row).
fn header_stmts(from: Option<&Checkpoint>, header: &Header, used: &BTreeSet<String>) -> Vec<Stmt> {
    let before = from.map(|c| (c.price_types.len(), c.currencies.len(), c.warehouses.len()));
    let grew = before
        != Some((
            header.price_types.len(),
            header.currencies.len(),
            header.warehouses.len(),
        ));
    let names: HashMap<&str, &str> = header
        .price_types
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let currencies: HashMap<&str, &str> = header
        .currencies
        .iter()
        .map(|(id, c)| (id.as_str(), c.as_str()))
        .collect();
    let mut ids: BTreeSet<&str> = used.iter().map(String::as_str).collect();
    if grew {
        ids.extend(names.keys());
    }
    let types: Vec<Value> = ids
        .iter()
        .map(|t| json!({"id": crate::ids::new_id("pt"), "onec_id": t, "name": names.get(t).copied().unwrap_or(t), "currency": currencies.get(t)}))
        .collect();
    let mut stmts = Vec::new();
    if !types.is_empty() {
        stmts.push(Stmt::new(sql::CML_PRICE_TYPES_ADD).bind(json_rows(&types)));
    }
    if grew && !header.warehouses.is_empty() {
        let rows: Vec<Value> = header
            .warehouses
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect();
        stmts.push(Stmt::new(sql::CML_WAREHOUSES_ADD).bind(json_rows(&rows)));
    }
    stmts
}

/// Catalogue products (article, name, unit name and ОКЕИ code, VAT, deletion mark), upserted by
/// 1C id.
fn products_part(
    window: &[u8],
    at_end: bool,
    from: Option<&Checkpoint>,
    max_items: u64,
    now: DateTime<Utc>,
) -> Result<Part, CmlError> {
    let (mut rows, mut images) = (Vec::new(), Vec::new());
    let slice = products_slice(window, at_end, from, max_items, |pr| {
        if let Some(name) = &pr.name {
            rows.push(product_row(&pr, name));
            for (i, path) in pr.images.iter().enumerate() {
                let (path, base) = super::images::names(path);
                images.push(json!({"product": pr.id, "position": i, "path": path, "base": base}));
            }
        }
        Ok::<(), CmlError>(())
    })?;
    let mut stmts = header_stmts(from, &slice.header, &BTreeSet::new());
    stmts.extend(rows.chunks(ROWS_PER_STATEMENT).flat_map(|c| {
        let c = json_rows(c);
        [
            Stmt::new(sql::CML_PRODUCTS_UPSERT)
                .bind(now)
                .bind(c.clone()),
            Stmt::new(sql::CML_VARIANTS_FOLLOW)
                .bind(now)
                .bind(c.clone()),
            Stmt::new(sql::CML_PRODUCTS_NO_IMAGE).bind(c),
        ]
    }));
    Ok(Part {
        slice,
        stmts,
        prices: 0,
        stock: 0,
        images,
    })
}

/// Offers: prices (with their currency) and stock for the offer's product; an offer never
/// rewrites a product's own fields (`sql::CML_OFFER_PRODUCTS`): a characteristic (`guid#guid`)
/// with a name is a variant row under its own id, an unknown product is created; a deleted offer
/// makes its row inactive. Price and stock rows carry the job's stamp (see
/// `sql::CML_PRICES_CLEAR`).
fn offers_part(
    job: &str,
    window: &[u8],
    at_end: bool,
    from: Option<&Checkpoint>,
    max_items: u64,
    now: DateTime<Utc>,
) -> Result<Part, CmlError> {
    let (mut products, mut prices, mut stock, mut ids, mut types, mut deleted) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        BTreeSet::new(),
        Vec::new(),
    );
    let slice = offers_slice(window, at_end, from, max_items, |o| {
        let base = o.id.split('#').next().unwrap_or(&o.id).to_string();
        if let Some(name) = &o.name {
            let article = o
                .article
                .as_deref()
                .map(|a| (a, crate::validate::article_key(a)));
            products.push(json!({
                "pid": crate::ids::new_id("prd"), "id": o.id, "base": base, "name": name,
                "name_norm": crate::validate::search_text(name), "deleted": o.deleted,
                "article": article.as_ref().map(|a| a.0), "article_norm": article.as_ref().map(|a| &a.1),
                "props": (!o.properties.is_empty()).then(|| serde_json::to_string(&o.properties).unwrap_or_default()),
            }));
        }
        if o.deleted {
            deleted.push(o.id.clone());
        }
        for (i, (pt, kop)) in o.prices.iter().enumerate() {
            types.insert(pt.clone());
            let (cur, coef) = o.price_terms.get(i).cloned().unwrap_or_default();
            prices.push(json!({"id": o.id, "base": base, "pt": pt, "kop": kop.0, "cur": cur, "coef": coef.map(|c| c.0)}));
        }
        if !o.stocks.is_empty() {
            for (wh, q) in &o.stocks {
                stock.push(json!({"id": o.id, "base": base, "wh": wh, "qty": q.0}));
            }
        } else if let Some(q) = o.quantity {
            stock.push(json!({"id": o.id, "base": base, "qty": q.0}));
        }
        ids.push(json!({"id": o.id, "base": base, "prices": !o.prices.is_empty(), "stock": o.quantity.is_some()}));
        Ok::<(), CmlError>(())
    })?;
    let mut stmts = header_stmts(from, &slice.header, &types);
    for chunk in products.chunks(ROWS_PER_STATEMENT) {
        stmts.push(
            Stmt::new(sql::CML_OFFER_PRODUCTS)
                .bind(now)
                .bind(json_rows(chunk)),
        );
    }
    for chunk in deleted.chunks(ROWS_PER_STATEMENT) {
        let ids = serde_json::to_string(chunk).unwrap_or_default();
        stmts.push(Stmt::new(sql::CML_OFFERS_DELETED).bind(now).bind(ids));
    }
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let c = json_rows(chunk);
        stmts.push(Stmt::new(sql::CML_OFFERS_SEEN).bind(now).bind(c.clone()));
        stmts.push(Stmt::new(sql::CML_PRICES_CLEAR).bind(job).bind(c.clone()));
        stmts.push(Stmt::new(sql::CML_STOCK_CLEAR).bind(job).bind(c));
    }
    for chunk in prices.chunks(ROWS_PER_STATEMENT) {
        stmts.push(
            Stmt::new(sql::CML_PRICES_ADD)
                .bind(job)
                .bind(json_rows(chunk)),
        );
    }
    for chunk in stock.chunks(ROWS_PER_STATEMENT) {
        stmts.push(
            Stmt::new(sql::CML_STOCK_ADD)
                .bind(job)
                .bind(json_rows(chunk)),
        );
    }
    Ok(Part {
        slice,
        stmts,
        prices: prices.len() as u64,
        stock: stock.len() as u64,
        images: Vec::new(),
    })
}
