//! The 1C endpoints: signed batches of messages in, and what became of them.
//!
//! Two Workers serve them ([`handle_part`]): the exchange Worker 1C's JSON contract and the
//! monitor (verify, validate, store, enqueue: nothing is applied on 1C's request), the cml Worker
//! the stock CommerceML exchange and the dev-only sweeper, next to the queue consumers and the
//! cron it runs. Each links only its own part; the native server serves both ([`handle`]).

use super::contract::{self, Envelope};
use super::inbox;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::{finish, match_route, Access, ApiRequest, ApiResponse, LogContext, Route};
use crate::idempotency::{self, Start};
use crate::ports::{BlobStore, Database, DatabaseExt, Ports};

/// Whose `Idempotency-Key`s the monitor's requests are (it has no portal user).
const MONITOR_KEY_SCOPE: &str = "monitor";
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H {
    Messages,
    MessageStatus,
    ChangesPull,
    ChangesAck,
    FileUpload,
    Capabilities,
    Manifest,
    Sweep,
    Monitor,
    MonitorReplay,
    MonitorResync,
    CommerceMl,
    CommerceMlBench,
    TestOrderChanges,
}

pub const ROUTES: &[Route<H>] = &[
    Route {
        method: "POST",
        path: "/exchange/v1/messages",
        access: Access::Onec,
        handler: H::Messages,
    },
    Route {
        method: "POST",
        path: "/exchange/v1/message-status",
        access: Access::Onec,
        handler: H::MessageStatus,
    },
    Route {
        method: "POST",
        path: "/exchange/v1/changes/pull",
        access: Access::Onec,
        handler: H::ChangesPull,
    },
    Route {
        method: "POST",
        path: "/exchange/v1/changes/ack",
        access: Access::Onec,
        handler: H::ChangesAck,
    },
    // Files of documents and acts, uploaded before the message that refers to them by key.
    Route {
        method: "PUT",
        path: "/exchange/v1/files/{key}",
        access: Access::Onec,
        handler: H::FileUpload,
    },
    // What the portal takes: message types, change kinds, signature versions, limits, delivery.
    Route {
        method: "GET",
        path: "/exchange/v1/capabilities",
        access: Access::Onec,
        handler: H::Capabilities,
    },
    // Full resync: 1C lists what it holds of one type (ids and seq); the portal answers what it
    // lacks or holds stale (exchange::manifest).
    Route {
        method: "POST",
        path: "/exchange/v1/manifest",
        access: Access::Onec,
        handler: H::Manifest,
    },
    // Local development and tests only (404 elsewhere): runs the scheduled sweeper now, since
    // `wrangler dev` never fires cron triggers.
    Route {
        method: "POST",
        path: "/exchange/v1/sweep",
        access: Access::Onec,
        handler: H::Sweep,
    },
    // Local development and tests only (404 elsewhere): marks orders changed in the portal, as
    // the orders capability will when users edit them, so 1C's `type=sale&mode=query` has some.
    Route {
        method: "POST",
        path: "/exchange/v1/test/order-changes",
        access: Access::Onec,
        handler: H::TestOrderChanges,
    },
    Route {
        method: "GET",
        path: "/exchange/v1/monitor",
        access: Access::Monitor,
        handler: H::Monitor,
    },
    Route {
        method: "POST",
        path: "/exchange/v1/monitor/replays",
        access: Access::Monitor,
        handler: H::MonitorReplay,
    },
    // Asks 1C to resend one company (a `resync.requested` change); `Idempotency-Key` honoured.
    Route {
        method: "POST",
        path: "/exchange/v1/monitor/resyncs",
        access: Access::Monitor,
        handler: H::MonitorResync,
    },
    // 1C's stock exchange calls one URL with GET or POST and `?type=...&mode=...`.
    Route {
        method: "GET",
        path: "/exchange/1c/commerceml",
        access: Access::CommerceMl,
        handler: H::CommerceMl,
    },
    Route {
        method: "POST",
        path: "/exchange/1c/commerceml",
        access: Access::CommerceMl,
        handler: H::CommerceMl,
    },
    // Local development only (404 elsewhere): parses a file uploaded in this CommerceML session
    // inside the Worker, for bench/cml-worker.mjs.
    Route {
        method: "GET",
        path: "/exchange/1c/commerceml/bench",
        access: Access::CommerceMl,
        handler: H::CommerceMlBench,
    },
];

/// The most a request body may hold, by route (crate::http::body_limit).
pub fn body_limit(req: &ApiRequest) -> Option<usize> {
    crate::http::body_limit(ROUTES, req, |h| match h {
        H::Messages => contract::MAX_BATCH_BYTES,
        H::FileUpload => contract::MAX_FILE_BYTES as usize,
        // One chunk of a CommerceML file (1C is told `file_limit` at init).
        H::CommerceMl => super::cml::FILE_LIMIT,
        _ => crate::http::MAX_JSON_BODY,
    })
}

/// The routes of the exchange Worker ([`handle_part`]): 1C's JSON contract and the monitor.
pub const CONTRACT: u8 = 1;
/// The stock CommerceML exchange (`/exchange/1c/`): the cml Worker's, as [`SWEEP`]; the entry
/// Worker routes both paths there.
pub const COMMERCEML: u8 = 2;
/// The dev-only sweeper route (`/exchange/v1/sweep`): the cron's work, in the Worker that runs it.
pub const SWEEP: u8 = 4;

/// Which part a route belongs to.
pub fn part(h: H) -> u8 {
    match h {
        H::CommerceMl | H::CommerceMlBench => COMMERCEML,
        H::Sweep => SWEEP,
        _ => CONTRACT,
    }
}

/// Every route (the native server, tests).
pub async fn handle<P: Ports>(p: &P, req: ApiRequest) -> ApiResponse {
    handle_part::<P, { CONTRACT | COMMERCEML | SWEEP }>(p, req).await
}

/// The routes of `PART` (a set of [`CONTRACT`], [`COMMERCEML`]); the others are 404.
pub async fn handle_part<P: Ports, const PART: u8>(p: &P, req: ApiRequest) -> ApiResponse {
    let mut log = LogContext::default();
    let result = route::<P, PART>(p, &req, &mut log).await;
    finish(&req, result, log)
}

type Answer<'a> = Pin<Box<dyn Future<Output = AppResult<ApiResponse>> + 'a>>;

/// Picks the part's handler future. Not `async` on purpose: `PART` is a constant here, so the
/// future of a part this Worker does not serve is never built and its code never linked (an
/// `.await` in a dead branch of an async fn would still be: docs/benchmarks.md, issue 23).
fn route<'a, P: Ports, const PART: u8>(
    p: &'a P,
    req: &'a ApiRequest,
    log: &'a mut LogContext,
) -> Answer<'a> {
    let (r, params) = match match_route(ROUTES, req) {
        Ok(found) => found,
        Err(e) => return Box::pin(std::future::ready(Err(e))),
    };
    log.route = Some(r.path);
    let mine = part(r.handler);
    if mine == CONTRACT && PART & CONTRACT != 0 {
        Box::pin(route_contract(p, req, log, r, params))
    } else if mine == COMMERCEML && PART & COMMERCEML != 0 {
        Box::pin(route_commerceml(p, req, r))
    } else if mine == SWEEP && PART & SWEEP != 0 {
        Box::pin(sweep(p, req))
    } else {
        Box::pin(std::future::ready(Err(AppError::not_found())))
    }
}

/// The stock CommerceML exchange (its own sessions, no signature).
async fn route_commerceml<P: Ports>(
    p: &P,
    req: &ApiRequest,
    r: &Route<H>,
) -> AppResult<ApiResponse> {
    match r.handler {
        H::CommerceMlBench => super::cml::bench::run(p, req).await,
        _ => super::cml::handle(p, req).await,
    }
}

/// `POST /exchange/v1/sweep` (signed as 1C's contract is): the scheduled sweeper now, since
/// `wrangler dev` never fires cron triggers. Local development and tests only (404 elsewhere).
async fn sweep<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    verify_signature(p, req, contact_kind(H::Sweep)).await?;
    if !p.config().allow_test_clock {
        return Err(AppError::not_found());
    }
    Ok(ApiResponse::json(200, &super::sweep(p).await?))
}

/// 1C's JSON contract and the monitor.
async fn route_contract<P: Ports>(
    p: &P,
    req: &ApiRequest,
    log: &mut LogContext,
    r: &Route<H>,
    params: crate::http::Params,
) -> AppResult<ApiResponse> {
    match r.access {
        Access::Monitor => {
            crate::auth::guard(p, req, r.access, log).await?;
        }
        _ => verify_signature(p, req, contact_kind(r.handler)).await?,
    }
    match r.handler {
        H::Messages => messages(p, req).await,
        H::MessageStatus => message_status(p, req).await,
        H::ChangesPull => changes_pull(p, req).await,
        H::ChangesAck => changes_ack(p, req).await,
        H::FileUpload => file_upload(p, req, params.get("key")).await,
        H::Capabilities => Ok(ApiResponse::json(200, &capabilities(p))),
        H::Manifest => {
            let m = super::manifest::decode(&req.body)?;
            let kind = super::manifest::check(&m)?;
            Ok(ApiResponse::json(
                200,
                &super::manifest::answer(p, &m, kind).await?,
            ))
        }
        H::Monitor => Ok(ApiResponse::json(200, &super::monitor::overview(p).await?)),
        H::MonitorReplay => {
            let r: super::monitor::Replay = req.json()?;
            super::monitor::replay(p, &r).await?;
            Ok(ApiResponse::no_content())
        }
        H::MonitorResync => {
            // The monitor's credential is its one user: its keys are its own.
            let key = match idempotency::start(p, req, MONITOR_KEY_SCOPE, "").await? {
                Start::Replay(stored) => return Ok(stored),
                Start::Go(key) => key,
            };
            let result =
                async { super::manifest::request_resync(p, &req.json()?, &key).await }.await;
            key.finish(p, result).await
        }
        H::TestOrderChanges => {
            if !p.config().allow_test_clock {
                return Err(AppError::not_found());
            }
            test_order_changes(p, req).await
        }
        // The other part's (see `part`).
        H::Sweep | H::CommerceMl | H::CommerceMlBench => Err(AppError::not_found()),
    }
}

/// The kind of 1C contact a request is, recorded with its nonce; `None`: not recorded there (a
/// batch of messages records its own, with the extension's version, in its inbox transaction).
fn contact_kind(h: H) -> Option<&'static str> {
    match h {
        H::MessageStatus => Some("messages"),
        H::ChangesPull => Some("pull"),
        H::ChangesAck => Some("ack"),
        H::FileUpload => Some("files"),
        H::Capabilities => Some("capabilities"),
        H::Manifest => Some("manifest"),
        _ => None,
    }
}

/// What the portal takes, from the code's own lists and the configuration, so 1C can check its
/// extension against it (docs/exchange/1c-contract.md, section 1.1).
fn capabilities<P: Ports>(p: &P) -> serde_json::Value {
    let cfg = p.config();
    let types: Vec<&str> = contract::MESSAGE_TYPES.iter().map(|t| t.as_str()).collect();
    let kinds: Vec<&str> = crate::changes::ChangeKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let versions = cfg.onec_signature_versions;
    let signature_versions: Vec<&str> = [("v1", versions.v1), ("v2", versions.v2)]
        .into_iter()
        .filter_map(|(v, on)| on.then_some(v))
        .collect();
    serde_json::json!({
        "contract_version": contract::CONTRACT_VERSION,
        "message_types": types,
        "change_kinds": kinds,
        "signature_versions": signature_versions,
        "limits": {
            "max_messages_per_batch": contract::MAX_MESSAGES_PER_BATCH,
            "max_batch_bytes": contract::MAX_BATCH_BYTES,
            "max_file_bytes": contract::MAX_FILE_BYTES,
        },
        "manifest": {
            "path": "/exchange/v1/manifest",
            "entity_types": super::manifest::entity_types().iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            "company_types": super::manifest::company_types().iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            "max_items": super::manifest::MAX_ITEMS,
        },
        "delivery": match cfg.onec_delivery {
            crate::config::Delivery::Push => "push",
            crate::config::Delivery::Pull => "pull",
            crate::config::Delivery::Commerceml => "commerceml",
        },
    })
}

/// 401 for a missing or wrong signature (v2: over method, path with query, nonce and body; v1
/// only when `ONEC_SIGNATURE_VERSIONS` takes it), a timestamp outside the allowed skew, or a
/// nonce seen before (`signature-replayed`: the same signed request sent again). Recording the
/// nonce is the check: the table's key refuses a second one, so two racing copies cannot both pass.
/// `contact`: the kind of 1C contact to record in the same batch (not for a replay).
pub async fn verify_signature<P: Ports>(
    p: &P,
    req: &ApiRequest,
    contact: Option<&'static str>,
) -> AppResult<()> {
    let cfg = p.config();
    let target = req.path_and_query();
    let now = p.now().timestamp();
    let signed = contract::Signed {
        method: &req.method,
        path_and_query: &target,
        timestamp: req.header(contract::TIMESTAMP_HEADER),
        nonce: req.header(contract::NONCE_HEADER),
        signature: req.header(contract::SIGNATURE_HEADER),
        body: &req.body,
    };
    let nonce = contract::verify_request(
        &cfg.onec_hmac_secret,
        cfg.onec_signature_versions,
        &signed,
        now,
        cfg.onec_max_skew_secs,
    )
    .map_err(|code| {
        AppError::new(
            ErrorKind::Unauthorized,
            "signature-invalid",
            "Подпись сообщения 1С неверна или устарела.",
            "The 1C message signature is invalid or expired.",
        )
        .with_extra("reason", code)
    })?;
    let Some(nonce) = nonce else {
        // v1 has no nonce: the contact goes alone.
        if let Some(kind) = contact {
            p.db()
                .run(super::contact::record(kind, p.now(), None))
                .await?;
        }
        return Ok(());
    };
    let mut stmts = vec![crate::ports::Stmt::new(super::sql::NONCE_RECORD)
        .bind(nonce)
        .bind(now)];
    stmts.extend(contact.map(|kind| super::contact::record_after_nonce(kind, p.now())));
    let recorded = p.db().batch(stmts).await?[0].changes;
    if recorded == 0 {
        return Err(AppError::new(
            ErrorKind::Unauthorized,
            "signature-replayed",
            "Этот подписанный запрос 1С уже был принят: повтор отклонён.",
            "This signed 1C request was already taken: the replay is refused.",
        )
        .with_extra("reason", "signature-replayed"));
    }
    Ok(())
}

/// Forgets nonces older than twice the allowed skew (the sweeper).
pub async fn purge_nonces<P: Ports>(p: &P) -> AppResult<u64> {
    p.db()
        .exec(
            // Wall clock, as the other purges: a sweep at a test's later clock keeps live nonces.
            crate::ports::Stmt::new(super::sql::NONCE_PURGE)
                .bind(p.wall_clock().timestamp())
                .bind(2 * p.config().onec_max_skew_secs),
        )
        .await
}

fn decode<T: serde::de::DeserializeOwned>(req: &ApiRequest) -> AppResult<T> {
    if req.body.len() > contract::MAX_BATCH_BYTES {
        return Err(AppError::new(
            ErrorKind::PayloadTooLarge,
            "payload-too-large",
            "Пакет слишком велик: передайте большие данные через хранилище файлов.",
            "Batch too large: send large payloads by storage key.",
        ));
    }
    serde_json::from_slice(strip_bom(&req.body)).map_err(AppError::malformed_json)
}

/// The body without a leading UTF-8 BOM, which 1C writes through a file or stream unless told
/// not to; the signature is over the bytes as sent, BOM included.
pub fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

async fn messages<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let env: Envelope = decode(req)?;
    if env.batch_id.trim().is_empty()
        || env.messages.is_empty()
        || env.messages.len() > contract::MAX_MESSAGES_PER_BATCH
    {
        return Err(AppError::bad_request(
            "invalid-batch",
            "Пакет должен иметь batch_id и от 1 до 500 сообщений.",
            "A batch needs a batch_id and 1 to 500 messages.",
        ));
    }
    if let Some(v) = &env.extension_version {
        if !super::contact::version_ok(v) {
            return Err(AppError::bad_request(
                "invalid-extension-version",
                "extension_version: от 1 до 50 символов из латиницы, цифр и . _ + -.",
                "extension_version: 1 to 50 of letters, digits and . _ + -.",
            ));
        }
    }
    let contact = super::contact::record("messages", p.now(), env.extension_version.as_deref());
    let outcomes = inbox::receive(p, &env.batch_id, &env.messages, Some(contact)).await?;
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "batch_id": env.batch_id, "results": outcomes }),
    ))
}

/// Stores a file 1C will refer to by key (the same key again replaces it). The body is signed
/// like every 1C request, so a stored file is exactly what 1C sent.
async fn file_upload<P: Ports>(p: &P, req: &ApiRequest, key: &str) -> AppResult<ApiResponse> {
    if !contract::file_key_ok(key) {
        return Err(AppError::bad_request(
            "invalid-file-key",
            "Ключ файла: латиница, цифры, . _ - (до 200 символов).",
            "File key: letters, digits, . _ - (up to 200 characters).",
        ));
    }
    if req.body.is_empty() || req.body.len() as u64 > contract::MAX_FILE_BYTES {
        return Err(AppError::new(
            ErrorKind::PayloadTooLarge,
            "file-size",
            "Файл пуст или больше 20 МБ.",
            "The file is empty or larger than 20 MB.",
        ));
    }
    let content_type = req
        .header("content-type")
        .filter(|c| c.contains('/') && c.len() <= 100)
        .unwrap_or("application/octet-stream");
    // The file's CRC-32 and length, computed once here, let its order's ZIP stream with its
    // length known up front (documents::checksums); the old ones go before the object changes.
    let blob_key = contract::file_blob_key(key);
    let sum = crate::documents::checksums::Checksum::of(&req.body);
    crate::documents::checksums::forget(p, &blob_key).await?;
    p.blobs()
        .put(&blob_key, req.body.clone(), content_type)
        .await?;
    crate::documents::checksums::record(p, &blob_key, sum).await?;
    Ok(ApiResponse::json(
        201,
        &serde_json::json!({ "key": key, "size": req.body.len() }),
    ))
}

#[derive(Deserialize)]
struct OrderChanges {
    /// 1C ids of the orders.
    onec_ids: Vec<String>,
}

/// Dev only: what the orders capability will do on every edit ([`crate::changes::mark_order_changed_stmt`]).
async fn test_order_changes<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let q: OrderChanges = decode(req)?;
    let ids: Vec<Id> = p
        .db()
        .all(
            crate::ports::Stmt::new(super::sql::ORDERS_IDS_BY_ONEC)
                .bind(serde_json::to_string(&q.onec_ids)?),
        )
        .await?;
    let stmts = ids
        .iter()
        .map(|o| crate::changes::mark_order_changed_stmt(&o.id))
        .collect();
    p.db().batch(stmts).await?;
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "marked": ids.len() }),
    ))
}

#[derive(Deserialize)]
struct StatusQuery {
    ids: Vec<String>,
}

async fn message_status<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let q: StatusQuery = decode(req)?;
    if q.ids.len() > 1000 {
        return Err(AppError::bad_request(
            "too-many-ids",
            "Не более 1000 идентификаторов.",
            "At most 1000 ids.",
        ));
    }
    let items = inbox::status(p, &q.ids).await?;
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "items": items }),
    ))
}

#[derive(Deserialize)]
struct PullQuery {
    limit: Option<i64>,
}

/// Pull mode: 1C takes the next changes (in order per entity) and later acknowledges each.
async fn changes_pull<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let q: PullQuery = decode(req)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let items = super::outbox::pull(p, limit).await?;
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "items": items }),
    ))
}

#[derive(Deserialize)]
struct AckItem {
    id: String,
    status: String,
    reason: Option<String>,
    onec_id: Option<String>,
}

#[derive(Deserialize)]
struct Ack {
    results: Vec<AckItem>,
}

async fn changes_ack<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let ack: Ack = decode(req)?;
    if ack.results.len() > 1000 {
        return Err(AppError::bad_request(
            "too-many-ids",
            "Не более 1000 ответов.",
            "At most 1000 answers.",
        ));
    }
    let mut updated = 0;
    for r in &ack.results {
        let Some(verdict) = super::outbox::Verdict::parse(&r.status) else {
            return Err(AppError::bad_request(
                "invalid-status",
                "Статус: received, accepted или rejected.",
                "status must be received, accepted or rejected.",
            ));
        };
        if super::outbox::apply_answer(p, &r.id, verdict, r.reason.as_deref(), r.onec_id.as_deref())
            .await?
        {
            updated += 1;
        }
    }
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "updated": updated }),
    ))
}
