//! `consignee.changed`: a client changed a consignee. Refused, it gets its previous values back,
//! unless it changed again since.

use super::Answered;
use crate::error::AppResult;
use crate::ports::Stmt;
use serde_json::Value;

pub fn answered(a: &Answered<'_>) -> AppResult<Vec<Stmt>> {
    if a.accepted {
        return Ok(Vec::new());
    }
    let before: Value = serde_json::from_str(a.before_json.unwrap_or("null"))?;
    Ok(
        crate::company::consignees::refused_change_stmt(
            a.portal_id,
            &before,
            a.base_version,
            a.now,
        )
        .into_iter()
        .collect(),
    )
}
