//! The inbound path: store every message first (durable before anything else), wake the consumer,
//! and apply messages in as few database round trips as possible, newest snapshot per entity,
//! never an older sequence number after a newer one.

use super::contract::{self, Payload, RawMessage, Rejection, Valid};
use super::sql;
use crate::auth::api::{one_time_link, LinkPurpose};
use crate::auth::roles::{Role, Roles};
use crate::error::AppResult;
use crate::ports::{BlobStore, Database, DatabaseExt, Ports, Stmt, WakeQueue};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Outcome {
    pub id: String,
    /// `accepted`, `duplicate` or `rejected`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Validates and stores a batch in one transaction; rejected messages are stored too, for
/// inspection. Returns each message's outcome and the ids to hand to the consumer.
pub async fn store<P: Ports>(
    p: &P,
    batch_id: &str,
    messages: &[RawMessage],
) -> AppResult<(Vec<Outcome>, Vec<String>)> {
    let now = p.now();
    // Which ids were received before: one query for the whole batch.
    let ids: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let known: HashSet<String> = p
        .db()
        .all::<Id>(Stmt::new(sql::INBOX_KNOWN).bind(serde_json::to_string(&ids)?))
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();

    let mut outcomes = Vec::with_capacity(messages.len());
    let mut to_apply = Vec::new();
    let mut rows: Vec<serde_json::Value> = Vec::with_capacity(messages.len());
    let mut seen = HashSet::new();
    for m in messages {
        // A repeated id (in this batch or earlier) is a duplicate, ignored.
        if known.contains(&m.id) || !seen.insert(m.id.clone()) {
            outcomes.push(Outcome {
                id: m.id.clone(),
                status: "duplicate",
                code: None,
                reason: None,
            });
            continue;
        }
        let verdict = contract::validate(m);
        let (status, reason) = match &verdict {
            Ok(_) => ("pending", None),
            Err(r) => ("rejected", Some(format!("{}: {}", r.code, r.reason))),
        };
        let id = if m.id.trim().is_empty() {
            crate::ids::new_id("bad")
        } else {
            m.id.clone()
        };
        rows.push(serde_json::json!({
            "id": id, "type": m.kind, "entity_id": m.entity_id, "seq": m.seq,
            "payload": serde_json::to_string(m)?, "status": status, "reason": reason,
        }));
        outcomes.push(match verdict {
            Ok(_) => {
                to_apply.push(m.id.clone());
                Outcome {
                    id: m.id.clone(),
                    status: "accepted",
                    code: None,
                    reason: None,
                }
            }
            Err(r) => Outcome {
                id: m.id.clone(),
                status: "rejected",
                code: Some(r.code),
                reason: Some(r.reason),
            },
        });
    }
    // Few statements: each inserts many rows from one JSON parameter (kept under D1's 2 MB
    // value limit), all in one transaction.
    let mut stmts = Vec::new();
    let mut chunk: Vec<&serde_json::Value> = Vec::new();
    let mut size = 0;
    for row in &rows {
        let len = row.to_string().len();
        if !chunk.is_empty() && size + len > INSERT_CHUNK_BYTES {
            stmts.push(
                Stmt::new(sql::INBOX_INSERT_MANY)
                    .bind(batch_id)
                    .bind(now)
                    .bind(serde_json::to_string(&chunk)?),
            );
            chunk.clear();
            size = 0;
        }
        size += len;
        chunk.push(row);
    }
    if !chunk.is_empty() {
        stmts.push(
            Stmt::new(sql::INBOX_INSERT_MANY)
                .bind(batch_id)
                .bind(now)
                .bind(serde_json::to_string(&chunk)?),
        );
    }
    p.db().batch(stmts).await?;
    Ok((outcomes, to_apply))
}

/// Bytes of message JSON per insert statement.
const INSERT_CHUNK_BYTES: usize = 1_000_000;

/// Stores, then wakes the consumer. If the queue is unavailable the messages are still stored
/// and the sweeper re-enqueues them.
pub async fn receive<P: Ports>(
    p: &P,
    batch_id: &str,
    messages: &[RawMessage],
) -> AppResult<Vec<Outcome>> {
    let (outcomes, ids) = store(p, batch_id, messages).await?;
    for chunk in ids.chunks(100) {
        if p.queue().send_inbox_ids(chunk.to_vec()).await.is_err() {
            break;
        }
    }
    Ok(outcomes)
}

#[derive(Deserialize)]
struct InboxRow {
    id: String,
    payload: String,
}

#[derive(Deserialize)]
struct SeqRow {
    entity_type: String,
    entity_id: String,
    seq: i64,
}

#[derive(Deserialize)]
struct CompanyRow {
    id: String,
    onec_id: String,
}

#[derive(Deserialize, Clone)]
struct ExistingUser {
    id: String,
    onec_id: String,
    company_id: String,
    active: i64,
    email: String,
    full_name: String,
    position: Option<String>,
    phone: Option<String>,
    has_password: i64,
    roles: Option<String>,
}

/// What happened to each message the consumer looked at.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProcessReport {
    pub applied: usize,
    pub stale: usize,
    pub waiting: usize,
    pub rejected: usize,
    /// Mails to deliver after the changes are committed.
    pub mail_ids: Vec<String>,
}

/// Messages applied per D1 batch: products go in multi-row statements, others a dozen
/// statements each, so one transaction stays at a few hundred statements.
const APPLY_CHUNK: usize = 100;

enum Decision {
    Apply(Vec<Stmt>, Vec<String>),
    Wait(String),
    Reject(String),
}

/// Applies stored messages by id (the queue consumer's work). Safe to call again with the same
/// ids: applied messages are skipped.
pub async fn process<P: Ports>(p: &P, ids: &[String]) -> AppResult<ProcessReport> {
    let mut report = ProcessReport::default();
    for chunk in ids.chunks(APPLY_CHUNK) {
        let r = process_once(p, chunk).await?;
        report.applied += r.applied;
        report.stale += r.stale;
        report.waiting += r.waiting;
        report.rejected += r.rejected;
        report.mail_ids.extend(r.mail_ids);
    }
    // A company just applied may unblock users that were waiting for it.
    if report.applied > 0 {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let waiting: Vec<Id> = p.db().all(Stmt::new(sql::INBOX_WAITING)).await?;
        let waiting: Vec<String> = waiting.into_iter().map(|w| w.id).collect();
        if !waiting.is_empty() {
            let more = process_once(p, &waiting).await?;
            report.applied += more.applied;
            report.stale += more.stale;
            report.rejected += more.rejected;
            report.waiting = more.waiting;
            report.mail_ids.extend(more.mail_ids);
        }
    }
    if !report.mail_ids.is_empty() {
        let _ = crate::mail::deliver(p, &report.mail_ids).await;
    }
    Ok(report)
}

async fn process_once<P: Ports>(p: &P, ids: &[String]) -> AppResult<ProcessReport> {
    let now = p.now();
    let mut report = ProcessReport::default();
    if ids.is_empty() {
        return Ok(report);
    }
    let rows: Vec<InboxRow> = p
        .db()
        .all(Stmt::new(sql::INBOX_LOAD).bind(serde_json::to_string(ids)?))
        .await?;

    // Decode; anything that no longer validates (it did at the door) is rejected here too.
    let mut valid: Vec<Valid> = Vec::new();
    let mut marks: Vec<Stmt> = Vec::new();
    for r in rows {
        let raw: Result<RawMessage, _> = serde_json::from_str(&r.payload);
        match raw
            .map_err(|e| Rejection {
                code: "invalid-payload",
                reason: e.to_string(),
            })
            .and_then(|m| contract::validate(&m))
        {
            Ok(v) => valid.push(v),
            Err(rej) => {
                report.rejected += 1;
                marks.push(mark(
                    &r.id,
                    "rejected",
                    Some(format!("{}: {}", rej.code, rej.reason)),
                    now,
                ));
            }
        }
    }

    // Newest message per entity wins; the others in this batch are superseded.
    valid.sort_by(|a, b| (a.kind, &a.entity_id, b.seq).cmp(&(b.kind, &b.entity_id, a.seq)));
    let mut newest: Vec<Valid> = Vec::new();
    for v in valid {
        match newest.last() {
            Some(last) if last.kind == v.kind && last.entity_id == v.entity_id => {
                report.stale += 1;
                marks.push(mark(
                    &v.id,
                    "stale",
                    Some(format!("superseded by seq {}", last.seq)),
                    now,
                ));
            }
            _ => newest.push(v),
        }
    }

    // One read for the current sequence numbers of every entity in the batch.
    let keys: Vec<String> = newest
        .iter()
        .map(|v| format!("{}:{}", v.kind.as_str(), v.entity_id))
        .collect();
    let current: Vec<SeqRow> = p
        .db()
        .all(Stmt::new(sql::SEQ_CURRENT).bind(serde_json::to_string(&keys)?))
        .await?;
    let current: HashMap<(String, String), i64> = current
        .into_iter()
        .map(|s| ((s.entity_type, s.entity_id), s.seq))
        .collect();
    let mut fresh = Vec::new();
    for v in newest {
        match current.get(&(v.kind.as_str().to_string(), v.entity_id.clone())) {
            Some(&seen) if seen >= v.seq => {
                report.stale += 1;
                marks.push(mark(
                    &v.id,
                    "stale",
                    Some(format!(
                        "seq {} is not newer than applied seq {seen}",
                        v.seq
                    )),
                    now,
                ));
            }
            _ => fresh.push(v),
        }
    }

    // Reads the apply step needs: companies referred to by users, and users as they are now.
    let ctx = ApplyContext::load(p, &fresh).await?;
    let mut plans: Vec<(Valid, Vec<Stmt>, Vec<String>)> = Vec::new();
    for v in fresh {
        match plan(p, &ctx, &v, now) {
            Decision::Apply(stmts, mails) => plans.push((v, stmts, mails)),
            Decision::Wait(reason) => {
                report.waiting += 1;
                marks.push(mark(&v.id, "waiting", Some(reason), now));
            }
            Decision::Reject(reason) => {
                report.rejected += 1;
                marks.push(mark(&v.id, "rejected", Some(reason), now));
            }
        }
    }

    // Everything in one transaction; if it fails, one message at a time so a bad one blocks
    // no other. Products (most of the traffic) go in a few multi-row statements.
    let mut all: Vec<Stmt> = marks.clone();
    let products: Vec<&Valid> = plans
        .iter()
        .map(|(v, _, _)| v)
        .filter(|v| matches!(v.payload, Payload::Product(_)))
        .collect();
    all.extend(bulk_products(&products, now)?);
    for (v, stmts, _) in plans
        .iter()
        .filter(|(v, _, _)| !matches!(v.payload, Payload::Product(_)))
    {
        all.extend(stmts.iter().cloned());
        all.push(mark(&v.id, "applied", None, now));
    }
    if p.db().batch(all).await.is_ok() {
        report.applied += plans.len();
        for (_, _, mails) in plans {
            report.mail_ids.extend(mails);
        }
        return Ok(report);
    }
    // Everything above was rolled back: the marks again, then each plan on its own.
    let mut retry_report = ProcessReport {
        rejected: report.rejected,
        stale: report.stale,
        waiting: report.waiting,
        ..Default::default()
    };
    p.db().batch(marks).await?;
    for (v, stmts, mails) in plans {
        let mut one = stmts;
        one.push(mark(&v.id, "applied", None, now));
        match p.db().batch(one).await {
            Ok(_) => {
                retry_report.applied += 1;
                retry_report.mail_ids.extend(mails);
            }
            Err(e) => {
                retry_report.rejected += 1;
                let reason = format!("apply-failed: {}", e.internal.as_deref().unwrap_or(&e.code));
                p.db()
                    .exec(mark(&v.id, "rejected", Some(reason), now))
                    .await?;
            }
        }
    }
    Ok(retry_report)
}

/// The statements that apply many product snapshots at once: each table written by one
/// statement reading a JSON array parameter. Same effect as `plan` per product.
fn bulk_products(products: &[&Valid], now: DateTime<Utc>) -> AppResult<Vec<Stmt>> {
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
        let Payload::Product(pr) = &v.payload else {
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

fn mark(id: &str, status: &str, reason: Option<String>, now: DateTime<Utc>) -> Stmt {
    let applied_at = (status == "applied").then_some(now);
    Stmt::new(sql::INBOX_MARK)
        .bind(status)
        .bind(reason)
        .bind(applied_at)
        .bind(id)
}

fn seq_advance(v: &Valid) -> Stmt {
    Stmt::new(sql::SEQ_ADVANCE)
        .bind(v.kind.as_str())
        .bind(v.entity_id.as_str())
        .bind(v.seq)
}

struct ApplyContext {
    /// 1C company id -> portal id, for companies already stored.
    companies: HashMap<String, String>,
    /// 1C company ids applied in this same batch (ahead of their users).
    companies_in_batch: HashSet<String>,
    users: HashMap<String, ExistingUser>,
    /// 1C ids of users the portal created, to be linked to their portal record first.
    to_link: HashSet<String>,
    /// 1C agreement ids already stored (a credit state needs its agreement).
    agreements: HashSet<String>,
    /// 1C order ids stored, or applied earlier in this batch (a schedule needs its order).
    orders: HashSet<String>,
    /// Keys of files 1C uploaded, among those the batch's documents and acts refer to.
    files: HashSet<String>,
    /// What recording each `answer` message takes (None: no such portal change).
    answers: HashMap<String, Option<Vec<Stmt>>>,
    /// The company of every entity the messages name, so none ties two companies together.
    owners: super::ownership::Owners,
}

impl ApplyContext {
    /// The portal id of a company, or why the message must wait for it.
    fn company(&self, onec_id: &str) -> Result<String, String> {
        match self.companies.get(onec_id) {
            Some(id) => Ok(id.clone()),
            None if self.companies_in_batch.contains(onec_id) => Err(format!(
                "company {onec_id} is applied in this batch; retried next"
            )),
            None => Err(format!("company {onec_id} not received yet")),
        }
    }
}

impl ApplyContext {
    async fn load<P: Ports>(p: &P, msgs: &[Valid]) -> AppResult<ApplyContext> {
        let mut company_ids: Vec<&str> = Vec::new();
        let mut user_ids: Vec<&str> = Vec::new();
        let mut agreement_ids: Vec<&str> = Vec::new();
        let mut order_ids: Vec<&str> = Vec::new();
        let mut companies_in_batch = HashSet::new();
        let mut orders_in_batch = HashSet::new();
        let mut file_keys: Vec<&str> = Vec::new();
        let mut portal_users: Vec<serde_json::Value> = Vec::new();
        let mut answers = HashMap::new();
        for v in msgs {
            match &v.payload {
                Payload::User(u) => {
                    company_ids.push(&u.company_id);
                    user_ids.push(&v.entity_id);
                    if let Some(portal) = &u.portal_id {
                        portal_users
                            .push(serde_json::json!({"portal": portal, "onec": v.entity_id}));
                    }
                }
                Payload::Company(_) => {
                    companies_in_batch.insert(v.entity_id.clone());
                }
                Payload::Product(_) => {}
                Payload::CreditState(c) => {
                    company_ids.push(&c.company_id);
                    agreement_ids.push(&c.agreement_id);
                }
                Payload::Order(o) => {
                    company_ids.push(&o.company_id);
                    orders_in_batch.insert(v.entity_id.clone());
                }
                Payload::PaymentSchedule(sc) => {
                    company_ids.push(&sc.company_id);
                    order_ids.push(&sc.order_id);
                }
                Payload::Consignee(c) => company_ids.push(&c.company_id),
                Payload::ShippingCalendar(_) => {}
                Payload::OpeningBalance(b) => company_ids.push(&b.company_id),
                Payload::Payment(pm) => company_ids.push(&pm.company_id),
                Payload::Return(r) => {
                    company_ids.push(&r.company_id);
                    order_ids.push(&r.order_id);
                }
                Payload::AccountMovement(a) => company_ids.push(&a.company_id),
                Payload::Document(d) => {
                    company_ids.push(&d.company_id);
                    file_keys.extend(d.files.iter().map(|f| f.key.as_str()));
                }
                Payload::ReconciliationAct(a) => {
                    company_ids.push(&a.company_id);
                    file_keys.extend(a.files.iter().map(|f| f.key.as_str()));
                }
                Payload::Answer(a) => {
                    let verdict = if a.status == "accepted" {
                        super::outbox::Verdict::Accepted
                    } else {
                        super::outbox::Verdict::Rejected
                    };
                    let stmts = super::outbox::answer_plan(
                        p,
                        &a.change_id,
                        verdict,
                        a.reason.as_deref(),
                        a.onec_id.as_deref(),
                    )
                    .await?;
                    answers.insert(a.change_id.clone(), stmts);
                }
            }
        }
        // A document may arrive before its files finish uploading: it waits for them.
        let mut files = HashSet::new();
        for key in file_keys {
            if p.blobs()
                .size(&contract::file_blob_key(key))
                .await?
                .is_some()
            {
                files.insert(key.to_string());
            }
        }
        #[derive(Deserialize)]
        struct OnecId {
            onec_id: String,
        }
        let mut agreements = HashSet::new();
        if !agreement_ids.is_empty() {
            let rows: Vec<OnecId> = p
                .db()
                .all(
                    Stmt::new(sql::AGREEMENTS_BY_ONEC).bind(serde_json::to_string(&agreement_ids)?),
                )
                .await?;
            agreements = rows.into_iter().map(|r| r.onec_id).collect();
        }
        let mut orders = orders_in_batch;
        if !order_ids.is_empty() {
            let rows: Vec<OnecId> = p
                .db()
                .all(Stmt::new(sql::ORDERS_BY_ONEC).bind(serde_json::to_string(&order_ids)?))
                .await?;
            orders.extend(rows.into_iter().map(|r| r.onec_id));
        }
        let mut companies = HashMap::new();
        if !company_ids.is_empty() {
            let rows: Vec<CompanyRow> = p
                .db()
                .all(Stmt::new(sql::COMPANIES_BY_ONEC).bind(serde_json::to_string(&company_ids)?))
                .await?;
            companies = rows.into_iter().map(|r| (r.onec_id, r.id)).collect();
        }
        let mut users = HashMap::new();
        if !user_ids.is_empty() {
            let rows: Vec<ExistingUser> = p
                .db()
                .all(Stmt::new(sql::USERS_BY_ONEC).bind(serde_json::to_string(&user_ids)?))
                .await?;
            users = rows.into_iter().map(|r| (r.onec_id.clone(), r)).collect();
        }
        let mut to_link = HashSet::new();
        if !portal_users.is_empty() {
            let rows: Vec<ExistingUser> = p
                .db()
                .all(Stmt::new(sql::USERS_BY_PORTAL_ID).bind(serde_json::to_string(&portal_users)?))
                .await?;
            for r in rows {
                if !users.contains_key(&r.onec_id) {
                    to_link.insert(r.onec_id.clone());
                    users.insert(r.onec_id.clone(), r);
                }
            }
        }
        let owners = super::ownership::Owners::load(p, msgs).await?;
        Ok(ApplyContext {
            owners,
            companies,
            companies_in_batch,
            users,
            to_link,
            agreements,
            orders,
            files,
            answers,
        })
    }
}

/// The statements that apply one message (all guarded by the sequence rule done above).
fn plan<P: Ports>(p: &P, ctx: &ApplyContext, v: &Valid, now: DateTime<Utc>) -> Decision {
    if let Some(reason) = ctx.owners.foreign_reference(v) {
        return Decision::Reject(reason);
    }
    let mut stmts = vec![seq_advance(v)];
    let mut mails = Vec::new();
    match &v.payload {
        Payload::Company(c) => {
            stmts.push(
                Stmt::new(sql::COMPANY_UPSERT)
                    .bind(crate::ids::new_id("cmp"))
                    .bind(v.entity_id.as_str())
                    .bind(c.name.trim())
                    .bind(c.full_name.clone())
                    .bind(c.active)
                    .bind(v.seq)
                    .bind(now),
            );
            if !c.active {
                stmts.push(
                    Stmt::new(sql::COMPANY_SESSIONS_REVOKE)
                        .bind(now)
                        .bind(v.entity_id.as_str()),
                );
            }
            let le_ids: Vec<&str> = c.legal_entities.iter().map(|l| l.id.as_str()).collect();
            for le in &c.legal_entities {
                stmts.push(
                    Stmt::new(sql::LEGAL_ENTITY_UPSERT)
                        .bind(crate::ids::new_id("le"))
                        .bind(v.entity_id.as_str())
                        .bind(le.id.as_str())
                        .bind(le.name.trim())
                        .bind(le.full_name.clone())
                        .bind(le.inn.clone())
                        .bind(le.kpp.clone())
                        .bind(le.ogrn.clone())
                        .bind(le.legal_address.clone())
                        .bind(le.postal_address.clone())
                        .bind(le.active)
                        .bind(now)
                        .bind(
                            le.bank_accounts
                                .as_ref()
                                .map(|b| serde_json::to_string(b).unwrap_or_default()),
                        )
                        .bind(le.phone.clone())
                        .bind(le.email.clone()),
                );
            }
            stmts.push(
                Stmt::new(sql::LEGAL_ENTITIES_ARCHIVE_MISSING)
                    .bind(now)
                    .bind(v.entity_id.as_str())
                    .bind(serde_json::to_string(&le_ids).unwrap_or_default()),
            );
            let ag_ids: Vec<&str> = c.agreements.iter().map(|a| a.id.as_str()).collect();
            for a in &c.agreements {
                if let Some(pt) = &a.price_type {
                    stmts.push(
                        Stmt::new(sql::PRICE_TYPE_UPSERT)
                            .bind(crate::ids::new_id("pt"))
                            .bind(pt.id.as_str())
                            .bind(pt.name.as_str()),
                    );
                }
                stmts.push(
                    Stmt::new(sql::AGREEMENT_UPSERT)
                        .bind(crate::ids::new_id("agr"))
                        .bind(v.entity_id.as_str())
                        .bind(a.legal_entity_id.as_str())
                        .bind(a.id.as_str())
                        .bind(a.name.trim())
                        .bind(a.number.clone())
                        .bind(a.date.map(|d| d.to_string()))
                        .bind(a.credit_limit)
                        .bind(a.deferral_days)
                        .bind(a.price_type.as_ref().map(|pt| pt.id.clone()))
                        .bind(a.active)
                        .bind(now),
                );
            }
            stmts.push(
                Stmt::new(sql::AGREEMENTS_ARCHIVE_MISSING)
                    .bind(now)
                    .bind(v.entity_id.as_str())
                    .bind(serde_json::to_string(&ag_ids).unwrap_or_default()),
            );
        }
        Payload::User(u) => {
            // A company arriving in this very batch has no portal id yet: the user waits a moment.
            let company_id = match ctx.company(&u.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            let email = crate::validate::Email::normalized(&u.email);
            let roles = Roles::new(u.roles.iter().filter_map(|r| Role::parse(r)).collect());
            let language = u.language.clone().unwrap_or_else(|| "ru".into());
            let after = serde_json::json!({"email": email, "full_name": u.full_name, "position": u.position, "phone": u.phone, "roles": roles, "active": u.active});
            let (user_id, kind, before) = match ctx.users.get(&v.entity_id) {
                None => {
                    let id = crate::ids::new_id("usr");
                    stmts.push(
                        Stmt::new(sql::USER_INSERT)
                            .bind(&id)
                            .bind(&company_id)
                            .bind(v.entity_id.as_str())
                            .bind(&email)
                            .bind(u.full_name.trim())
                            .bind(u.position.clone())
                            .bind(u.phone.clone())
                            .bind(u.active)
                            .bind(language.as_str())
                            .bind(now)
                            .bind(now),
                    );
                    if u.active {
                        let (mail_id, link) = match one_time_link(
                            p,
                            &id,
                            &company_id,
                            &email,
                            u.full_name.trim(),
                            &language,
                            LinkPurpose::FirstAccess,
                            Duration::hours(p.config().invite_ttl_hours),
                        ) {
                            Ok(made) => made,
                            // Not configured yet: the user waits, the invitation is not lost.
                            Err(e) => return Decision::Wait(e.to_string()),
                        };
                        stmts.extend(link);
                        mails.push(mail_id);
                    }
                    (id, "user.created_by_1c", None)
                }
                Some(old) => {
                    if ctx.to_link.contains(&v.entity_id) {
                        stmts.push(
                            Stmt::new(sql::USER_LINK_ONEC)
                                .bind(v.entity_id.as_str())
                                .bind(old.id.as_str()),
                        );
                    }
                    let old_roles =
                        Roles::parse_list(old.roles.as_deref().unwrap_or("")).unwrap_or_default();
                    // Access is re-checked on the next request when any of these change.
                    let access_changed = old_roles != roles
                        || (old.active == 1) != u.active
                        || old.company_id != company_id;
                    stmts.push(
                        Stmt::new(sql::USER_UPDATE)
                            .bind(&company_id)
                            .bind(&email)
                            .bind(u.full_name.trim())
                            .bind(u.position.clone())
                            .bind(u.phone.clone())
                            .bind(u.active)
                            .bind(access_changed as i64)
                            .bind(now)
                            .bind(old.id.as_str()),
                    );
                    if !u.active || old.company_id != company_id {
                        stmts.push(
                            Stmt::new(sql::USER_SESSIONS_REVOKE)
                                .bind(now)
                                .bind(old.id.as_str()),
                        );
                    }
                    // Reactivated or moved before ever setting a password: a fresh first-access link.
                    if u.active && old.has_password == 0 && (old.active == 0 || old.email != email)
                    {
                        let (mail_id, link) = match one_time_link(
                            p,
                            &old.id,
                            &company_id,
                            &email,
                            u.full_name.trim(),
                            &language,
                            LinkPurpose::FirstAccess,
                            Duration::hours(p.config().invite_ttl_hours),
                        ) {
                            Ok(made) => made,
                            // Not configured yet: the user waits, the invitation is not lost.
                            Err(e) => return Decision::Wait(e.to_string()),
                        };
                        stmts.extend(link);
                        mails.push(mail_id);
                    }
                    let before = serde_json::json!({"email": old.email, "full_name": old.full_name, "position": old.position, "phone": old.phone, "roles": old_roles, "active": old.active == 1});
                    (
                        old.id.clone(),
                        if u.active {
                            "user.changed_by_1c"
                        } else {
                            "user.deactivated_by_1c"
                        },
                        Some(before),
                    )
                }
            };
            stmts.push(Stmt::new(sql::USER_ROLES_CLEAR).bind(&user_id));
            for r in roles.iter() {
                stmts.push(
                    Stmt::new(sql::USER_ROLE_ADD)
                        .bind(&company_id)
                        .bind(&user_id)
                        .bind(r.as_str()),
                );
            }
            stmts.push(
                Stmt::new(sql::AUDIT_INSERT)
                    .bind(crate::ids::new_id("aud"))
                    .bind(&company_id)
                    .bind(now)
                    .bind(kind)
                    .bind("user")
                    .bind(&user_id)
                    .bind(before.map(|b| b.to_string()))
                    .bind(after.to_string()),
            );
        }
        Payload::Product(pr) => {
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
        }
        Payload::CreditState(c) => {
            let company_id = match ctx.company(&c.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            if !ctx.agreements.contains(&c.agreement_id) {
                return Decision::Wait(format!("agreement {} not received yet", c.agreement_id));
            }
            stmts.push(
                Stmt::new(sql::CREDIT_STATE_UPSERT)
                    .bind(c.agreement_id.as_str())
                    .bind(&company_id)
                    .bind(c.limit)
                    .bind(c.debt)
                    .bind(c.overdue_debt)
                    .bind(c.reserve)
                    .bind(c.blocked)
                    .bind(c.amount_to_pay)
                    .bind(c.as_of)
                    .bind(now),
            );
            stmts.push(Stmt::new(sql::CREDIT_RESERVE_CLEAR).bind(c.agreement_id.as_str()));
            stmts.push(
                Stmt::new(sql::CREDIT_RESERVE_ADD)
                    .bind(c.agreement_id.as_str())
                    .bind(&company_id)
                    .bind(serde_json::to_string(&c.reserve_orders).unwrap_or_default()),
            );
            stmts.push(crate::finance::credit::settled_stmt(&c.agreement_id));
        }
        Payload::Order(o) => {
            let company_id = match ctx.company(&o.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            let email = o
                .author_email
                .as_deref()
                .map(crate::validate::Email::normalized);
            // An order the client created in the portal gets 1C's id before the snapshot lands.
            if let Some(portal_id) = &o.portal_id {
                stmts.push(
                    Stmt::new(sql::ORDER_LINK_ONEC)
                        .bind(v.entity_id.as_str())
                        .bind(portal_id.as_str())
                        .bind(&company_id),
                );
            }
            stmts.push(
                Stmt::new(sql::ORDER_UPSERT)
                    .bind(crate::ids::new_id("ord"))
                    .bind(&company_id)
                    .bind(v.entity_id.as_str())
                    .bind(o.legal_entity_id.clone())
                    .bind(o.agreement_id.clone())
                    .bind(o.number.trim())
                    .bind(o.date)
                    .bind(email)
                    .bind(o.status.as_str())
                    .bind(o.delivery_method.clone())
                    .bind(o.delivery_address.clone())
                    .bind(o.consignee_id.clone())
                    .bind(o.payment_method.as_str())
                    .bind(o.paid)
                    .bind(o.planned_shipping_date.map(|d| d.to_string()))
                    .bind(o.total)
                    .bind(o.vat_total)
                    .bind(now),
            );
            let lines: Vec<serde_json::Value> = o
                .lines
                .iter()
                .map(|l| {
                    serde_json::json!({"line_no": l.line_no, "product": l.product_id, "article": l.article.trim(), "name": l.name.trim(),
                        "qty": l.quantity.0, "unit": l.unit.trim(), "price": l.price.0, "amount": l.amount.0,
                        "vat_rate_bp": l.vat_rate.map(|r| r as i64 * 100), "vat": l.vat.0,
                        "search": crate::orders::line_search(&l.article, &l.name)})
                })
                .collect();
            let shipments: Vec<serde_json::Value> = o
                .shipments
                .iter()
                .map(|sh| {
                    let at = sh.date.as_deref().and_then(|d| crate::time::parse_1c_datetime(d).ok().flatten()).map(crate::time::to_db);
                    serde_json::json!({"id": crate::ids::new_id("shp"), "onec_id": sh.id, "number": sh.number.trim(), "at": at,
                        "vehicle": sh.vehicle, "documents": serde_json::to_string(&sh.documents).unwrap_or_default()})
                })
                .collect();
            let shipment_lines: Vec<serde_json::Value> = o
                .shipments
                .iter()
                .flat_map(|sh| sh.lines.iter().map(move |l| serde_json::json!({"shipment": sh.id, "line_no": l.line_no, "qty": l.quantity.0})))
                .collect();
            let onec = v.entity_id.as_str();
            stmts.push(
                Stmt::new(sql::ORDER_NUMBER_NORM)
                    .bind(crate::validate::search_text(&o.number))
                    .bind(onec),
            );
            stmts.push(Stmt::new(sql::ORDER_LINES_CLEAR).bind(onec));
            stmts.push(
                Stmt::new(sql::ORDER_LINES_ADD)
                    .bind(onec)
                    .bind(&company_id)
                    .bind(serde_json::to_string(&lines).unwrap_or_default()),
            );
            stmts.push(Stmt::new(sql::SHIPMENT_LINES_CLEAR).bind(onec));
            stmts.push(Stmt::new(sql::SHIPMENTS_CLEAR).bind(onec));
            stmts.push(
                Stmt::new(sql::SHIPMENTS_ADD)
                    .bind(onec)
                    .bind(&company_id)
                    .bind(serde_json::to_string(&shipments).unwrap_or_default()),
            );
            stmts.push(
                Stmt::new(sql::SHIPMENT_LINES_ADD)
                    .bind(&company_id)
                    .bind(serde_json::to_string(&shipment_lines).unwrap_or_default()),
            );
        }
        Payload::PaymentSchedule(sc) => {
            let company_id = match ctx.company(&sc.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            if !ctx.orders.contains(&sc.order_id) {
                return Decision::Wait(format!("order {} not received yet", sc.order_id));
            }
            let stages: Vec<serde_json::Value> = sc
                .stages
                .iter()
                .enumerate()
                .map(|(i, st)| serde_json::json!({"stage_no": i + 1, "due": st.due_date.map(|d| d.to_string()), "amount": st.amount.0, "paid": st.paid.0}))
                .collect();
            stmts.push(Stmt::new(sql::SCHEDULE_CLEAR).bind(sc.order_id.as_str()));
            stmts.push(
                Stmt::new(sql::SCHEDULE_ADD)
                    .bind(sc.order_id.as_str())
                    .bind(&company_id)
                    .bind(sc.agreement_id.clone())
                    .bind(serde_json::to_string(&stages).unwrap_or_default()),
            );
        }
        Payload::Consignee(c) => {
            let company_id = match ctx.company(&c.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            if let Some(portal_id) = &c.portal_id {
                stmts.push(
                    Stmt::new(sql::CONSIGNEE_LINK)
                        .bind(v.entity_id.as_str())
                        .bind(portal_id.as_str())
                        .bind(&company_id),
                );
            }
            stmts.push(
                Stmt::new(sql::CONSIGNEE_UPSERT)
                    .bind(crate::ids::new_id("csg"))
                    .bind(&company_id)
                    .bind(v.entity_id.as_str())
                    .bind(c.name.trim())
                    .bind(c.inn.clone())
                    .bind(c.kpp.clone())
                    .bind(c.address.trim())
                    .bind(c.contact_person.clone())
                    .bind(c.phone.clone())
                    .bind(c.active)
                    .bind(now),
            );
        }
        Payload::ShippingCalendar(c) => {
            let (Some(from), Some(to)) = (c.from, c.to) else {
                return Decision::Reject("invalid-payload: calendar range".into());
            };
            stmts.push(
                Stmt::new(sql::CALENDAR_UPSERT)
                    .bind(v.entity_id.as_str())
                    .bind(from.to_string())
                    .bind(to.to_string())
                    .bind(now),
            );
            stmts.push(Stmt::new(sql::CALENDAR_DAYS_CLEAR).bind(v.entity_id.as_str()));
            stmts.push(
                Stmt::new(sql::CALENDAR_DAYS_ADD)
                    .bind(v.entity_id.as_str())
                    .bind(serde_json::to_string(&c.days_off).unwrap_or_default()),
            );
        }
        Payload::OpeningBalance(b) => {
            let company_id = match ctx.company(&b.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            stmts.push(
                Stmt::new(sql::OPENING_BALANCE_UPSERT)
                    .bind(v.entity_id.as_str())
                    .bind(&company_id)
                    .bind(b.legal_entity_id.as_str())
                    .bind(b.agreement_id.clone())
                    .bind(b.date.map(|d| d.to_string()))
                    .bind(b.balance)
                    .bind(now),
            );
        }
        Payload::Payment(pm) => {
            let company_id = match ctx.company(&pm.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            stmts.push(
                Stmt::new(sql::PAYMENT_UPSERT)
                    .bind(v.entity_id.as_str())
                    .bind(&company_id)
                    .bind(pm.legal_entity_id.clone())
                    .bind(pm.agreement_id.clone())
                    .bind(pm.number.trim())
                    .bind(pm.date)
                    .bind(pm.amount)
                    .bind(pm.purpose.clone())
                    .bind(pm.posted)
                    .bind(now),
            );
            let allocations: Vec<serde_json::Value> = pm
                .allocations
                .iter()
                .map(|a| serde_json::json!({"order": a.order_id, "kop": a.amount.0}))
                .collect();
            stmts.push(Stmt::new(sql::PAYMENT_ALLOCATIONS_CLEAR).bind(v.entity_id.as_str()));
            stmts.push(
                Stmt::new(sql::PAYMENT_ALLOCATIONS_ADD)
                    .bind(v.entity_id.as_str())
                    .bind(&company_id)
                    .bind(serde_json::to_string(&allocations).unwrap_or_default()),
            );
        }
        Payload::Return(r) => {
            let company_id = match ctx.company(&r.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            if !ctx.orders.contains(&r.order_id) {
                return Decision::Wait(format!("order {} not received yet", r.order_id));
            }
            if let Some(portal_id) = &r.portal_id {
                stmts.push(
                    Stmt::new(sql::RETURN_LINK)
                        .bind(v.entity_id.as_str())
                        .bind(portal_id.as_str())
                        .bind(&company_id),
                );
            }
            stmts.push(
                Stmt::new(sql::RETURN_UPSERT)
                    .bind(crate::ids::new_id("ret"))
                    .bind(&company_id)
                    .bind(v.entity_id.as_str())
                    .bind(r.order_id.as_str())
                    .bind(r.number.clone())
                    .bind(r.status.as_str())
                    .bind(r.reason.clone())
                    .bind(r.refund_amount)
                    .bind(r.date)
                    .bind(now),
            );
            let lines: Vec<serde_json::Value> = r
                .lines
                .iter()
                .map(|l| serde_json::json!({"line_no": l.line_no, "qty": l.quantity.0}))
                .collect();
            stmts.push(Stmt::new(sql::RETURN_LINES_UNAPPROVE).bind(v.entity_id.as_str()));
            stmts.push(
                Stmt::new(sql::RETURN_LINES_APPROVE)
                    .bind(v.entity_id.as_str())
                    .bind(&company_id)
                    .bind(serde_json::to_string(&lines).unwrap_or_default()),
            );
            let after = serde_json::json!({"status": r.status, "reason": r.reason, "refund_kop": r.refund_amount.0, "number": r.number});
            stmts.push(
                Stmt::new(sql::AUDIT_INSERT)
                    .bind(crate::ids::new_id("aud"))
                    .bind(&company_id)
                    .bind(now)
                    .bind("return.status_by_1c")
                    .bind("return")
                    .bind(v.entity_id.as_str())
                    .bind(None::<String>)
                    .bind(after.to_string()),
            );
        }
        Payload::AccountMovement(a) => {
            let company_id = match ctx.company(&a.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            stmts.push(
                Stmt::new(sql::MOVEMENT_UPSERT)
                    .bind(v.entity_id.as_str())
                    .bind(&company_id)
                    .bind(a.legal_entity_id.clone())
                    .bind(a.date)
                    .bind(a.kind.as_str())
                    .bind(a.amount)
                    .bind(a.return_id.clone())
                    .bind(a.order_id.clone())
                    .bind(a.change_id.clone())
                    .bind(a.comment.clone())
                    .bind(now),
            );
            // The movement paying a portal payment replaces its hold (same transaction: the
            // available amount never dips or doubles).
            if let Some(change_id) = &a.change_id {
                stmts.push(
                    Stmt::new(crate::finance::sql::ORDER_PAID_BY_HOLD)
                        .bind(now)
                        .bind(change_id.as_str()),
                );
                stmts.push(
                    Stmt::new(crate::finance::sql::HOLD_SETTLE)
                        .bind(now)
                        .bind(change_id.as_str()),
                );
            }
            stmts.push(
                Stmt::new(sql::ACCOUNT_BALANCE_RECOMPUTE)
                    .bind(&company_id)
                    .bind(now),
            );
        }
        Payload::Document(d) => {
            let company_id = match ctx.company(&d.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            if let Some(missing) = d.files.iter().find(|f| !ctx.files.contains(&f.key)) {
                return Decision::Wait(format!("file {} not uploaded yet", missing.key));
            }
            stmts.push(
                Stmt::new(sql::DOCUMENT_UPSERT)
                    .bind(crate::ids::new_id("doc"))
                    .bind(&company_id)
                    .bind(v.entity_id.as_str())
                    .bind(d.legal_entity_id.clone())
                    .bind(d.kind.as_str())
                    .bind(d.kind_name.trim())
                    .bind(d.number.trim())
                    .bind(crate::validate::search_text(&d.number))
                    .bind(d.date)
                    .bind(d.upd_status.map(|s| s as i64))
                    .bind(d.corrects_id.clone())
                    .bind(d.shipment_id.clone())
                    .bind(d.amount)
                    .bind(d.vat)
                    .bind(d.edo_status.clone())
                    .bind(serde_json::to_string(&d.lines).unwrap_or_default())
                    .bind(d.active)
                    .bind(now),
            );
            let onec = v.entity_id.as_str();
            stmts.push(Stmt::new(sql::DOCUMENT_ORDERS_CLEAR).bind(onec));
            stmts.push(
                Stmt::new(sql::DOCUMENT_ORDERS_ADD)
                    .bind(onec)
                    .bind(&company_id)
                    .bind(serde_json::to_string(&d.orders).unwrap_or_default()),
            );
            let files: Vec<serde_json::Value> = d
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    serde_json::json!({"id": crate::ids::new_id("fil"), "no": i + 1, "blob_key": contract::file_blob_key(&f.key), "name": f.name.trim(),
                        "content_type": f.content_type, "size": f.size, "role": f.role})
                })
                .collect();
            stmts.push(
                Stmt::new(sql::DOCUMENT_FILES_UPSERT)
                    .bind(onec)
                    .bind(&company_id)
                    .bind(serde_json::to_string(&files).unwrap_or_default()),
            );
            stmts.push(
                Stmt::new(sql::DOCUMENT_FILES_TRIM)
                    .bind(onec)
                    .bind(files.len() as i64),
            );
        }
        Payload::ReconciliationAct(a) => {
            let company_id = match ctx.company(&a.company_id) {
                Ok(id) => id,
                Err(reason) => return Decision::Wait(reason),
            };
            if let Some(missing) = a.files.iter().find(|f| !ctx.files.contains(&f.key)) {
                return Decision::Wait(format!("file {} not uploaded yet", missing.key));
            }
            let files: Vec<serde_json::Value> = a
                .files
                .iter()
                .map(|f| serde_json::json!({"blob_key": contract::file_blob_key(&f.key), "name": f.name.trim(), "content_type": f.content_type, "size": f.size, "role": f.role}))
                .collect();
            stmts.push(
                Stmt::new(sql::ACT_UPSERT)
                    .bind(v.entity_id.as_str())
                    .bind(&company_id)
                    .bind(a.request_id.clone())
                    .bind(a.legal_entity_id.as_str())
                    .bind(a.agreement_id.clone())
                    .bind(a.number.clone())
                    .bind(a.period_from.map(|d| d.to_string()))
                    .bind(a.period_to.map(|d| d.to_string()))
                    .bind(a.opening_balance)
                    .bind(a.debit_total)
                    .bind(a.credit_total)
                    .bind(a.closing_balance)
                    .bind(serde_json::to_string(&a.operations).unwrap_or_default())
                    .bind(serde_json::to_string(&files).unwrap_or_default())
                    .bind(now),
            );
            if let Some(request_id) = &a.request_id {
                stmts.push(
                    Stmt::new(sql::ACT_REQUEST_READY)
                        .bind(v.entity_id.as_str())
                        .bind(now)
                        .bind(request_id.as_str())
                        .bind(&company_id),
                );
            }
        }
        Payload::Answer(a) => match ctx.answers.get(&a.change_id) {
            Some(Some(answer)) => stmts.extend(answer.iter().cloned()),
            _ => {
                return Decision::Reject(format!(
                    "unknown-change: no portal change {}",
                    a.change_id
                ))
            }
        },
    }
    Decision::Apply(stmts, mails)
}

#[derive(Debug, Deserialize, Serialize, PartialEq)]
pub struct InboxStatus {
    pub id: String,
    pub status: String,
    pub reason: Option<String>,
}

/// The state of given messages: 1C (and the simulator) can ask what became of what it sent.
pub async fn status<P: Ports>(p: &P, ids: &[String]) -> AppResult<Vec<InboxStatus>> {
    p.db()
        .all(Stmt::new(sql::INBOX_STATUS).bind(serde_json::to_string(ids)?))
        .await
}

/// Re-enqueues messages stored but not applied (the queue lost them, or they wait for another
/// entity). Part of the scheduled sweeper. Returns how many were re-enqueued.
pub async fn sweep<P: Ports>(p: &P) -> AppResult<usize> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let cutoff = p.now() - Duration::seconds(30);
    let ids: Vec<Id> = p
        .db()
        .all(Stmt::new(sql::INBOX_UNFINISHED).bind(cutoff))
        .await?;
    let ids: Vec<String> = ids.into_iter().map(|i| i.id).collect();
    for chunk in ids.chunks(100) {
        p.queue().send_inbox_ids(chunk.to_vec()).await?;
    }
    Ok(ids.len())
}
