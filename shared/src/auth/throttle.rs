//! Failed sign-ins are counted per account and, separately, per client IP, each in a fixed
//! window. Either limit reached refuses further attempts until the window ends, whether or not
//! the e-mail exists, so the answer reveals nothing about accounts.

use super::sql;
use crate::error::{AppError, AppResult};
use crate::ports::{DatabaseExt, Ports, Stmt};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

pub struct Keys {
    pub account: String,
    pub ip: String,
}

impl Keys {
    pub fn new(email: &str, ip: Option<&str>) -> Keys {
        Keys {
            account: format!("acct:{email}"),
            ip: format!("ip:{}", ip.unwrap_or("unknown")),
        }
    }
}

#[derive(Deserialize)]
struct Row {
    key: String,
    window_start: String,
    failures: i64,
}

/// Pure rule: given a window's start and failures, is this key locked now, and for how long?
pub fn locked_for(
    window_start: DateTime<Utc>,
    failures: i64,
    max: i64,
    window_secs: i64,
    now: DateTime<Utc>,
) -> Option<i64> {
    let ends = window_start + Duration::seconds(window_secs);
    (failures >= max && ends > now).then(|| (ends - now).num_seconds().max(1))
}

/// Refuses (429) when either key has reached its limit in the current window.
pub async fn check<P: Ports>(p: &P, keys: &Keys) -> AppResult<()> {
    let cfg = p.config();
    let now = p.now();
    let rows: Vec<Row> = p
        .db()
        .all(
            Stmt::new(sql::THROTTLE_ROWS)
                .bind(&keys.account)
                .bind(&keys.ip),
        )
        .await?;
    for r in rows {
        let max = if r.key == keys.account {
            cfg.throttle_account_max
        } else {
            cfg.throttle_ip_max
        };
        let start = crate::time::from_db(&r.window_start).unwrap_or(now);
        if let Some(secs) = locked_for(start, r.failures, max, cfg.throttle_window_secs, now) {
            return Err(AppError::too_many_requests(secs));
        }
    }
    Ok(())
}

/// The statements that count one failure on both keys.
pub fn record_failure(keys: &Keys, now: DateTime<Utc>, window_secs: i64) -> Vec<Stmt> {
    let cutoff = now - Duration::seconds(window_secs);
    [&keys.account, &keys.ip]
        .into_iter()
        .map(|k| Stmt::new(sql::THROTTLE_FAIL).bind(k).bind(now).bind(cutoff))
        .collect()
}

/// A successful sign-in clears the account's counter (not the IP's: one good account must not
/// reset an attacker's budget).
pub fn clear_account(keys: &Keys) -> Stmt {
    Stmt::new(sql::THROTTLE_CLEAR).bind(&keys.account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_rule() {
        let start = Utc::now();
        assert_eq!(locked_for(start, 4, 5, 900, start), None);
        assert_eq!(
            locked_for(start, 5, 5, 900, start + Duration::seconds(100)),
            Some(800)
        );
        assert_eq!(
            locked_for(start, 9, 5, 900, start + Duration::seconds(900)),
            None
        );
    }
}
