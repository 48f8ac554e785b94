//! The end of a catalogue exchange: what 1C no longer sends stops being offered, as the Bitrix
//! site (`catalog.import.1c`) does it, but only once every file of the exchange imported.
//!
//! - `mode=deactivate&timestamp=T` (T from `checkauth`): every row from CommerceML that no file of
//!   this exchange listed since T is deactivated (Bitrix: elements with `TIMESTAMP_X` < T in the
//!   catalogues this exchange imported). Without a timestamp: `failure`, as Bitrix answers.
//! - `mode=complete`: `success`; if a file of the exchange was a full one
//!   (`СодержитТолькоИзменения` not `true`), what it did not list is deactivated: a full
//!   `import.xml` its products, a full offers package its characteristics.
//!
//! Either does nothing while an import of the session failed or is still running (`deactivate`
//! then answers `failure` with the reason; `complete` still `success`, with a note): a file that
//! did not import lists nothing, and deactivating on it would empty the catalogue.

use super::{failure, text, Session};
use crate::error::AppResult;
use crate::exchange::sql;
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{Database, DatabaseExt, Ports, Stmt};
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct SessionImports {
    imports: i64,
    unfinished: i64,
    full_products: i64,
    full_offers: i64,
    problems: Option<String>,
}

async fn imports<P: Ports>(p: &P, session: &str) -> AppResult<SessionImports> {
    Ok(p.db()
        .first(Stmt::new(sql::CML_SESSION_IMPORTS).bind(session))
        .await?
        .unwrap_or(SessionImports {
            imports: 0,
            unfinished: 0,
            full_products: 0,
            full_offers: 0,
            problems: None,
        }))
}

/// Runs `stmts` (each bound to now and `since`), then deactivates the characteristics of what went.
async fn run<P: Ports>(p: &P, stmts: &[&'static str], since: DateTime<Utc>) -> AppResult<u64> {
    let now = p.now();
    let mut batch: Vec<Stmt> = stmts
        .iter()
        .map(|s| Stmt::new(s).bind(now).bind(since))
        .collect();
    batch.push(Stmt::new(sql::CML_DEACTIVATE_VARIANTS_OF_INACTIVE).bind(now));
    let changed = p.db().batch(batch).await?;
    Ok(changed.iter().map(|r| r.changes).sum())
}

/// `mode=deactivate&timestamp=T`.
pub async fn untouched<P: Ports>(
    p: &P,
    req: &ApiRequest,
    session: &Session,
) -> AppResult<ApiResponse> {
    let Some(timestamp) = req
        .query_param("timestamp")
        .and_then(|t| t.trim().parse::<i64>().ok())
        .filter(|t| *t > 0)
        .and_then(|t| DateTime::from_timestamp(t, 0))
    else {
        return Ok(failure("deactivate needs the timestamp checkauth answered"));
    };
    // Never later than this session's checkauth: a timestamp from the future would deactivate
    // what this exchange has just imported.
    let since = session.started.min(timestamp);
    let s = imports(p, &session.id).await?;
    if s.unfinished > 0 {
        return Ok(failure(&format!(
            "nothing deactivated: not every file of this exchange imported ({})",
            s.problems.unwrap_or_default()
        )));
    }
    if s.imports == 0 {
        return Ok(text(
            "success\nnothing imported in this exchange: nothing deactivated\n".into(),
        ));
    }
    let n = run(p, &[sql::CML_DEACTIVATE_UNTOUCHED], since).await?;
    Ok(text(format!("success\ndeactivated: {n}\n")))
}

/// `mode=complete`.
pub async fn complete<P: Ports>(p: &P, session: &Session) -> AppResult<ApiResponse> {
    let s = imports(p, &session.id).await?;
    if s.full_products == 0 && s.full_offers == 0 {
        return Ok(text("success\n".into()));
    }
    if s.unfinished > 0 {
        return Ok(text(format!(
            "success\nnothing deactivated: not every file of this exchange imported ({})\n",
            s.problems.unwrap_or_default()
        )));
    }
    let since = session.started;
    let mut stmts = Vec::new();
    if s.full_products > 0 {
        stmts.push(sql::CML_DEACTIVATE_UNLISTED);
    }
    if s.full_offers > 0 {
        stmts.push(sql::CML_DEACTIVATE_UNSEEN_VARIANTS);
    }
    let n = run(p, &stmts, since).await?;
    Ok(text(format!("success\ndeactivated: {n}\n")))
}
