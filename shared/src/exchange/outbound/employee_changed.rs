//! `employee.changed`: a user's full record changed (their profile, an administrator's edit, a
//! confirmed e-mail). Refused, the profile gets its previous values back, unless it changed
//! again since.

use super::Answered;
use crate::error::AppResult;
use crate::exchange::sql;
use crate::ports::Stmt;
use serde_json::Value;

pub fn answered(a: &Answered<'_>) -> AppResult<Vec<Stmt>> {
    if a.accepted {
        return Ok(Vec::new());
    }
    let before: Value = serde_json::from_str(a.before_json.unwrap_or("{}"))?;
    Ok(vec![Stmt::new(sql::USER_PROFILE_REVERT)
        .bind(before["full_name"].as_str().unwrap_or_default().to_string())
        .bind(before["position"].as_str().map(str::to_string))
        .bind(before["phone"].as_str().map(str::to_string))
        .bind(a.now)
        .bind(a.portal_id)
        .bind(a.base_version + 1)])
}
