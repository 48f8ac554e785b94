//! Password attempts are throttled by counting each attempt before the password is checked, in
//! one conditional statement over all of the attempt's keys (`sql::THROTTLE_ADMIT`): parallel
//! requests cannot all pass a check made before any of them is counted, so at most the limit
//! reaches PBKDF2. A right password gives its attempt back. The answer is the same whether or not
//! the e-mail exists, so it reveals nothing about accounts.

use super::sql;
use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::Deserialize;

/// One counter: its key, its limit, and whether past the limit it delays (doubling) instead of
/// locking to the end of the window.
struct Key {
    key: String,
    max: i64,
    grows: bool,
}

/// The counters one attempt is counted on. The first is the one a right password clears; the
/// others only get the attempt back.
pub struct Keys(Vec<Key>);

impl Keys {
    /// A sign-in: per account and client address (cleared by a right password), per address,
    /// and per account across addresses with growing delays. A stranger's failures lock only
    /// their own address out of the account, so the owner elsewhere still signs in.
    pub fn sign_in(cfg: &Config, email: &str, ip: Option<&str>) -> Keys {
        let ip = ip.unwrap_or("unknown");
        Keys(vec![
            Key {
                key: format!("pair:{email}|{ip}"),
                max: cfg.throttle_account_max,
                grows: false,
            },
            Key {
                key: format!("ip:{ip}"),
                max: cfg.throttle_ip_max,
                grows: false,
            },
            Key {
                key: format!("acct:{email}"),
                max: cfg.throttle_account_total_max,
                grows: true,
            },
        ])
    }

    /// 1C's stock CommerceML login (`checkauth`, one shared Basic login): per client address
    /// only, so a stranger's wrong passwords never lock the real 1C out of the exchange.
    pub fn cml_login(cfg: &Config, ip: Option<&str>) -> Keys {
        Keys(vec![Key {
            key: format!("cml-ip:{}", ip.unwrap_or("unknown")),
            max: cfg.cml_login_max,
            grows: false,
        }])
    }

    /// Re-entering the password while signed in (password or e-mail change): per user, so a
    /// stolen session cannot guess the password at PBKDF2 speed.
    pub fn reauth(cfg: &Config, user_id: &str) -> Keys {
        Keys(vec![Key {
            key: format!("reauth:{user_id}"),
            max: cfg.throttle_account_max,
            grows: false,
        }])
    }

    fn json(&self) -> String {
        serde_json::Value::from(
            self.0
                .iter()
                .map(|k| serde_json::json!([k.key, k.max, k.grows as i64]))
                .collect::<Vec<_>>(),
        )
        .to_string()
    }
}

#[derive(Deserialize)]
struct Until {
    until: Option<i64>,
}

/// Counts this attempt on every key, or refuses (429 with the wait) when any of them is locked.
pub async fn admit<P: Ports>(p: &P, keys: &Keys) -> AppResult<()> {
    let cfg = p.config();
    let now = p.now().timestamp();
    let json = keys.json();
    let counted = p
        .db()
        .exec(
            Stmt::new(sql::THROTTLE_ADMIT)
                .bind(now)
                .bind(cfg.throttle_window_secs)
                .bind(json.as_str()),
        )
        .await?;
    if counted > 0 {
        return Ok(());
    }
    let until = p
        .db()
        .first::<Until>(
            Stmt::new(sql::THROTTLE_LOCKED_UNTIL)
                .bind(json.as_str())
                .bind(now),
        )
        .await?
        .and_then(|u| u.until)
        .unwrap_or(now);
    Err(AppError::too_many_requests((until - now).max(1)))
}

/// After a right password: the first key starts again, the others get the attempt back (a good
/// sign-in must not use up an address's budget, nor reset an attacker's).
pub fn succeeded(keys: &Keys) -> Vec<Stmt> {
    let mut v = Vec::new();
    if let Some(first) = keys.0.first() {
        v.push(Stmt::new(sql::THROTTLE_CLEAR).bind(first.key.as_str()));
    }
    let rest: Vec<&str> = keys.0.iter().skip(1).map(|k| k.key.as_str()).collect();
    if !rest.is_empty() {
        v.push(
            Stmt::new(sql::THROTTLE_GIVE_BACK)
                .bind(serde_json::to_string(&rest).unwrap_or_default()),
        );
    }
    v
}

/// Forgets counters whose window has passed and whose lock has ended (the scheduled sweeper):
/// such a row would be started afresh by the next attempt anyway. Returns how many went.
pub async fn purge<P: Ports>(p: &P) -> AppResult<u64> {
    // The wall clock (the same as `now` in production), as for idempotency keys: a test's sweep
    // at a later clock must not reset the counters of sign-ins under way.
    let now = p.wall_clock().timestamp();
    p.db()
        .exec(
            Stmt::new(sql::THROTTLE_PURGE)
                .bind(now)
                .bind(p.config().throttle_window_secs),
        )
        .await
}
