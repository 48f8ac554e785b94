//! Reconciliation acts: requests to 1C (through the outbox), their history and state, the act 1C
//! sent, and the preliminary act the portal computes meanwhile, compared with the official one.

use super::docs::moscow_date;
use super::rules::{self, Act, Opening, Operation, Period};
use super::sql;
use crate::audit_log;
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::{ApiRequest, ApiResponse};
use crate::idempotency::{Effect, Key, Ran};
use crate::ports::{DatabaseExt, Ports, Stmt};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Today in Moscow, by the ports' clock (tests set it).
pub fn today<P: Ports>(p: &P) -> NaiveDate {
    p.now().with_timezone(&crate::time::moscow()).date_naive()
}

#[derive(Deserialize, Serialize)]
struct Choice {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    legal_entity_id: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct HistoryRow {
    id: String,
    status: String,
    reason: Option<String>,
    period_from: String,
    period_to: String,
    requested_at: String,
    legal_entity: Option<String>,
    agreement: Option<String>,
    requested_by: Option<String>,
    act_number: Option<String>,
    received_at: Option<String>,
    closing_kop: Option<i64>,
}

/// The history of requests and received acts, with what the request form needs (legal
/// entities, agreements, the presets' dates by today).
pub async fn history<P: Ports>(p: &P, caller: &Caller) -> AppResult<ApiResponse> {
    let c = &caller.company_id;
    let items: Vec<HistoryRow> = p.db().all(Stmt::new(sql::HISTORY).bind(c)).await?;
    let les: Vec<Choice> = p.db().all(Stmt::new(sql::LEGAL_ENTITIES).bind(c)).await?;
    let ags: Vec<Choice> = p.db().all(Stmt::new(sql::AGREEMENTS).bind(c)).await?;
    let t = today(p);
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({
            "items": items, "next_cursor": null, "legal_entities": les, "agreements": ags,
            "today": t.to_string(),
            "presets": {"last_quarter": rules::last_quarter(t), "last_year": rules::last_year(t)},
        }),
    ))
}

#[derive(Deserialize)]
pub struct NewRequest {
    pub legal_entity_id: String,
    pub agreement_id: Option<String>,
    #[serde(default = "custom")]
    pub preset: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
}
impl crate::body::Body for NewRequest {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::text("legal_entity_id", crate::body::ID),
        crate::body::Field::text("agreement_id", crate::body::ID),
        crate::body::Field::choice("preset"),
        crate::body::Field::text("period_from", crate::body::DATE),
        crate::body::Field::text("period_to", crate::body::DATE),
    ];
}

fn custom() -> String {
    "custom".into()
}

#[derive(Deserialize)]
struct LegalEntity {
    id: String,
    onec_id: String,
    name: String,
    company_onec_id: String,
}

#[derive(Deserialize)]
struct Agreement {
    id: String,
    onec_id: String,
    name: String,
}

/// Records the request, its `act.requested` change and the audit row in one batch; the same
/// request still waiting is answered with that one instead of asking 1C twice.
pub async fn request<P: Ports>(
    p: &P,
    caller: &Caller,
    body: NewRequest,
    key: &Key,
) -> AppResult<ApiResponse> {
    let c = &caller.company_id;
    let period = rules::act_period(
        body.preset.trim(),
        body.period_from.as_deref(),
        body.period_to.as_deref(),
        today(p),
    );
    let le: Option<LegalEntity> = p
        .db()
        .first(
            Stmt::new(sql::LEGAL_ENTITY)
                .bind(&body.legal_entity_id)
                .bind(c),
        )
        .await?;
    let mut errs = period.as_ref().err().cloned().unwrap_or_default();
    if le.is_none() {
        errs.push(FieldError::new(
            "legal_entity_id",
            "unknown",
            "Выберите юридическое лицо компании.",
            "Choose one of the company's legal entities.",
        ));
    }
    let agreement_id = body.agreement_id.filter(|a| !a.trim().is_empty());
    let ag: Option<Agreement> = match (&agreement_id, &le) {
        (Some(a), Some(le)) => {
            let found = p
                .db()
                .first(Stmt::new(sql::AGREEMENT).bind(a).bind(c).bind(&le.id))
                .await?;
            if found.is_none() {
                errs.push(FieldError::new(
                    "agreement_id",
                    "unknown",
                    "Договор не найден у этого юридического лица.",
                    "No such agreement of this legal entity.",
                ));
            }
            found
        }
        _ => None,
    };
    let (Ok(period), Some(le), true) = (period, le, errs.is_empty()) else {
        return Err(AppError::validation(errs));
    };
    let (from, to) = (period.from.to_string(), period.to.to_string());
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let ag_id = ag.as_ref().map(|a| a.id.clone());
    if let Some(open) = p
        .db()
        .first::<Id>(
            Stmt::new(sql::OPEN_REQUEST)
                .bind(c)
                .bind(&le.id)
                .bind(ag_id.clone())
                .bind(&from)
                .bind(&to),
        )
        .await?
    {
        let answer = ApiResponse::json(
            200,
            &serde_json::json!({"id": open.id, "status": "waiting", "repeated": true}),
        );
        // Stored under the key too; a parallel duplicate that recorded the request answers.
        return match key
            .batch(p, vec![], Effect::row("act_requests", &open.id), &answer)
            .await?
        {
            Ran::Replay(stored) => Ok(stored),
            Ran::Done(_) => Ok(answer),
        };
    }
    let id = crate::ids::new_id("act");
    let now = p.now();
    let day_1c = crate::changes::wire::day;
    let payload = serde_json::json!({
        "company_id": le.company_onec_id, "portal_id": id, "legal_entity_id": le.onec_id,
        "agreement_id": ag.as_ref().map(|a| a.onec_id.clone()),
        "period_from": day_1c(period.from), "period_to": day_1c(period.to),
    });
    let change = changes::NewChange {
        company_id: c,
        user_id: Some(&caller.user_id),
        kind: changes::ChangeKind::ActRequested,
        entity_type: "reconciliation_act",
        portal_id: &id,
        // 1C has no id for the act yet: the request id stands for it (and comes back as request_id).
        onec_entity_id: &id,
        base_version: 0,
        payload: payload.clone(),
        before: serde_json::Value::Null,
    };
    let guard = || (sql::REQUEST_EXISTS, vec![id.as_str().into()]);
    let (change_id, out) = changes::record(&change, now, Some(guard()));
    let entry = audit_log::Entry {
        id: &change_id,
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: "act.requested",
        entity_type: "reconciliation_act",
        entity_id: &id,
        before: serde_json::Value::Null,
        after: serde_json::json!({"legal_entity": le.name, "agreement": ag.as_ref().map(|a| a.name.clone()), "period_from": from, "period_to": to}),
    };
    let stmts = vec![
        Stmt::new(sql::REQUEST_INSERT)
            .bind(&id)
            .bind(c)
            .bind(&le.id)
            .bind(ag_id)
            .bind(&from)
            .bind(&to)
            .bind(&caller.user_id)
            .bind(now),
        out,
        audit_log::record(&entry, now, guard()),
    ];
    let answer = ApiResponse::json(
        201,
        &serde_json::json!({"id": id, "status": "waiting", "period_from": from, "period_to": to}),
    );
    let results = match key
        .batch(p, stmts, Effect::row("act_requests", &id), &answer)
        .await?
    {
        Ran::Replay(stored) => return Ok(stored),
        Ran::Done(results) => results,
    };
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        // The legal entity went away between the check and the write.
        return Err(AppError::validation(vec![FieldError::new(
            "legal_entity_id",
            "unknown",
            "Выберите юридическое лицо компании.",
            "Choose one of the company's legal entities.",
        )]));
    }
    changes::wake(p, &change_id).await;
    Ok(answer)
}

/// What 1C's refusal of an `act.requested` change does: the request is rejected with its reason.
pub fn rejected_stmt(
    request_id: &str,
    reason: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Stmt {
    Stmt::new(sql::REQUEST_REJECT)
        .bind(reason.map(str::to_string))
        .bind(now)
        .bind(request_id)
}

#[derive(Deserialize, Serialize)]
struct RequestRow {
    id: String,
    status: String,
    reason: Option<String>,
    period_from: String,
    period_to: String,
    requested_at: String,
    #[serde(skip_serializing)]
    act_onec_id: Option<String>,
    legal_entity_id: String,
    #[serde(skip_serializing)]
    legal_entity_onec_id: String,
    legal_entity: String,
    agreement_id: Option<String>,
    #[serde(skip_serializing)]
    agreement_onec_id: Option<String>,
    agreement: Option<String>,
    requested_by: Option<String>,
}

#[derive(Deserialize)]
struct ActRow {
    onec_id: String,
    legal_entity_onec_id: String,
    agreement_onec_id: Option<String>,
    number: Option<String>,
    period_from: String,
    period_to: String,
    opening_kop: i64,
    debit_kop: i64,
    credit_kop: i64,
    closing_kop: i64,
    operations_json: String,
    files_json: String,
    received_at: String,
    legal_entity_id: Option<String>,
    legal_entity: Option<String>,
    agreement_id: Option<String>,
    agreement: Option<String>,
}

fn date(s: &str) -> AppResult<NaiveDate> {
    crate::time::parse_ymd(s.get(..10).unwrap_or(s))
        .ok_or_else(|| AppError::internal(format!("stored date {s:?}")))
}

/// The official act as the rules compare it.
fn official(a: &ActRow) -> AppResult<Act> {
    #[derive(Deserialize)]
    struct StoredOp {
        // Read as chrono's serde would, without its general parser (issue 23).
        #[serde(default, deserialize_with = "crate::time::opt_date")]
        date: Option<NaiveDate>,
        document: String,
        document_id: Option<String>,
        debit: i64,
        credit: i64,
    }
    let ops: Vec<StoredOp> = serde_json::from_str(&a.operations_json)?;
    let from = date(&a.period_from)?;
    Ok(Act {
        period_from: from,
        period_to: date(&a.period_to)?,
        base_as_of: None,
        opening_kop: a.opening_kop,
        operations: ops
            .into_iter()
            .map(|o| Operation {
                date: o.date.unwrap_or(from),
                document: o.document,
                document_id: o.document_id,
                debit_kop: o.debit,
                credit_kop: o.credit,
            })
            .collect(),
        debit_kop: a.debit_kop,
        credit_kop: a.credit_kop,
        closing_kop: a.closing_kop,
    })
}

/// The preliminary act for a legal entity (and agreement) from what the portal has.
async fn compute<P: Ports>(
    p: &P,
    company_id: &str,
    le_onec: &str,
    ag_onec: Option<&str>,
    period: Period,
) -> AppResult<Act> {
    #[derive(Deserialize)]
    struct Ob {
        as_of: String,
        balance_kop: i64,
    }
    #[derive(Deserialize)]
    struct Doc {
        onec_id: String,
        kind_name: String,
        number: String,
        doc_date: String,
        amount_kop: i64,
    }
    #[derive(Deserialize)]
    struct Pay {
        onec_id: String,
        number: String,
        paid_at: String,
        amount_kop: i64,
    }
    let obs: Vec<Ob> = p
        .db()
        .all(
            Stmt::new(sql::OPENINGS)
                .bind(company_id)
                .bind(le_onec)
                .bind(ag_onec.map(str::to_string))
                .bind(period.from.to_string()),
        )
        .await?;
    let openings: Vec<Opening> = obs
        .iter()
        .filter_map(|o| {
            Some(Opening {
                as_of: date(&o.as_of).ok()?,
                balance_kop: o.balance_kop,
            })
        })
        .collect();
    // Only what the rules can use: from the latest opening balance to the end of the period.
    let base = openings.iter().map(|o| o.as_of).max();
    let bound = |d: NaiveDate| {
        crate::time::to_db(crate::time::moscow_naive_to_utc(
            d.and_hms_opt(0, 0, 0).expect("midnight"),
        ))
    };
    let upto = bound(period.to.succ_opt().unwrap_or(period.to));
    let since = base.map(bound);
    let docs: Vec<Doc> = p
        .db()
        .all(
            Stmt::new(sql::SETTLEMENT_DOCUMENTS)
                .bind(company_id)
                .bind(le_onec)
                .bind(ag_onec.map(str::to_string))
                .bind(&upto)
                .bind(since.clone()),
        )
        .await?;
    let pays: Vec<Pay> = p
        .db()
        .all(
            Stmt::new(sql::SETTLEMENT_PAYMENTS)
                .bind(company_id)
                .bind(le_onec)
                .bind(ag_onec.map(str::to_string))
                .bind(&upto)
                .bind(since),
        )
        .await?;
    let ru = crate::time::date_ru;
    let mut events = Vec::new();
    for d in docs {
        let Some(day) = moscow_date(&d.doc_date) else {
            continue;
        };
        events.push(rules::document_operation(
            day,
            format!("{} {} от {}", d.kind_name, d.number, ru(day)),
            d.onec_id,
            d.amount_kop,
        ));
    }
    for pm in pays {
        let Some(day) = moscow_date(&pm.paid_at) else {
            continue;
        };
        events.push(Operation {
            date: day,
            document: format!("Поступление оплаты {} от {}", pm.number, ru(day)),
            document_id: Some(pm.onec_id),
            debit_kop: 0,
            credit_kop: pm.amount_kop,
        });
    }
    Ok(rules::preliminary(period, &openings, &events))
}

fn files_list(files_json: &str) -> Vec<serde_json::Value> {
    let files: Vec<serde_json::Value> = serde_json::from_str(files_json).unwrap_or_default();
    files
        .into_iter()
        .enumerate()
        .map(|(i, f)| serde_json::json!({"no": i + 1, "name": f["name"], "content_type": f["content_type"], "size": f["size"], "role": f["role"]}))
        .collect()
}

async fn act_row<P: Ports>(p: &P, company_id: &str, onec_id: &str) -> AppResult<Option<ActRow>> {
    p.db()
        .first(Stmt::new(sql::ACT).bind(onec_id).bind(company_id))
        .await
}

/// A request (by its id) or an act 1C sent unasked (by 1C's id): the state, the preliminary act
/// for the period, and once it arrived the official act with the differences.
pub async fn one<P: Ports>(p: &P, caller: &Caller, id: &str) -> AppResult<ApiResponse> {
    let c = &caller.company_id;
    let req: Option<RequestRow> = p
        .db()
        .first(Stmt::new(sql::REQUEST).bind(id).bind(c))
        .await?;
    let (request, act) = match req {
        Some(r) => {
            let act = match &r.act_onec_id {
                Some(a) => act_row(p, c, a).await?,
                None => None,
            };
            (Some(r), act)
        }
        None => (
            None,
            Some(act_row(p, c, id).await?.ok_or_else(AppError::not_found)?),
        ),
    };
    let (le_onec, ag_onec, period) = match (&request, &act) {
        (Some(r), _) => (
            r.legal_entity_onec_id.clone(),
            r.agreement_onec_id.clone(),
            Period {
                from: date(&r.period_from)?,
                to: date(&r.period_to)?,
            },
        ),
        (None, Some(a)) => (
            a.legal_entity_onec_id.clone(),
            a.agreement_onec_id.clone(),
            Period {
                from: date(&a.period_from)?,
                to: date(&a.period_to)?,
            },
        ),
        (None, None) => return Err(AppError::not_found()),
    };
    let prelim = compute(p, c, &le_onec, ag_onec.as_deref(), period).await?;
    let delivery: Option<String> = match &request {
        Some(r) => {
            #[derive(Deserialize)]
            struct S {
                status: String,
            }
            p.db()
                .first::<S>(Stmt::new(sql::REQUEST_DELIVERY).bind(c).bind(&r.id))
                .await?
                .map(|s| s.status)
        }
        None => None,
    };
    let (official_json, comparison) = match &act {
        Some(a) => {
            let off = official(a)?;
            let cmp = rules::compare(&off, &prelim);
            (
                Some(serde_json::json!({
                    "id": a.onec_id, "number": a.number, "received_at": a.received_at,
                    "legal_entity_id": a.legal_entity_id, "legal_entity": a.legal_entity,
                    "agreement_id": a.agreement_id, "agreement": a.agreement,
                    "act": off, "files": files_list(&a.files_json),
                })),
                Some(cmp),
            )
        }
        None => (None, None),
    };
    let status = request
        .as_ref()
        .map(|r| r.status.clone())
        .unwrap_or_else(|| "ready".into());
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({
            "id": id, "status": status, "request": request, "delivery": delivery,
            "preliminary": prelim, "official": official_json, "comparison": comparison,
        }),
    ))
}

/// The act's PDF (or another of its files) by position: `/acts/{id}/files/{no}`.
pub async fn file<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    no: &str,
    req: &ApiRequest,
) -> AppResult<ApiResponse> {
    let c = &caller.company_id;
    #[derive(Deserialize)]
    struct R {
        act_onec_id: Option<String>,
    }
    let act_id = match p
        .db()
        .first::<R>(Stmt::new(sql::REQUEST).bind(id).bind(c))
        .await?
    {
        Some(r) => r.act_onec_id.ok_or_else(AppError::not_found)?,
        None => id.to_string(),
    };
    let a = act_row(p, c, &act_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (key, name, ct) = super::docs::act_file(&a.files_json, no)?;
    super::docs::serve_blob(p, &key, &name, &ct, req).await
}
