//! Settings read once per request from the platform's variables and secrets.

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone)]
pub struct Config {
    /// The portal's public origin (`https://portal.example.ru`), for links in mail and the CSRF check.
    pub public_url: String,
    /// `kid:base64(32-byte Ed25519 seed)`: signs new session tokens.
    pub session_signing_key: String,
    /// Earlier keys still accepted while tokens signed with them live: `kid:base64(public key)`, comma-separated.
    pub session_verify_keys: String,
    /// The key 1C signs its requests to the portal with (`ONEC_HMAC_SECRET`; also the CommerceML
    /// session tokens). The portal's pushes to 1C use [`Config::onec_push_secret`].
    pub onec_hmac_secret: String,
    /// Secret of the signature on the portal's pushes to 1C (`ONEC_PUSH_SECRET`, apart from the
    /// key 1C signs with); unset: push delivery fails (pull mode needs none).
    pub onec_push_secret: Option<String>,
    /// Signature versions taken from 1C (`ONEC_SIGNATURE_VERSIONS`: `v2`, the default, or `v1,v2`
    /// during a migration window).
    pub onec_signature_versions: SignatureVersions,
    /// Accepted age of a signed 1C request, both ways, in seconds.
    pub onec_max_skew_secs: i64,
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
    /// A session not refreshed for this long cannot refresh any more (checked at refresh only).
    pub refresh_idle_secs: i64,
    pub pbkdf2_iterations: u32,
    /// Failed sign-ins per account from one client address before that address is locked out of
    /// the account for the window (also the limit on re-entering the password, per user).
    pub throttle_account_max: i64,
    /// Failed sign-ins per client IP before it is locked for the window.
    pub throttle_ip_max: i64,
    /// Failed sign-ins per account across all addresses in the window; past it every attempt
    /// waits a delay that doubles (2 s, 4 s, ... up to the window), so a stranger cannot lock the
    /// owner out, and many addresses cannot guess fast.
    pub throttle_account_total_max: i64,
    pub throttle_window_secs: i64,
    /// One-time links (first access, password reset).
    pub invite_ttl_hours: i64,
    pub reset_ttl_hours: i64,
    /// Local development and tests only: the `x-test-now` header sets the clock and the sweeper
    /// can be run on request. Never set in production (the variable lives only in the generated
    /// local `.dev.vars`).
    pub allow_test_clock: bool,
    /// How changes reach 1C: `push` (the portal calls 1C's HTTP service) or `pull` (1C polls).
    pub onec_delivery: Delivery,
    /// Base URL of 1C's HTTP service for push (`http://host/base/hs/portal/v1`).
    pub onec_push_url: Option<String>,
    /// Push retries with backoff this long, then the change is dead-lettered (`failed`).
    pub onec_give_up_hours: i64,
    /// Pull mode: a change handed to 1C and not acknowledged in this time is handed out again.
    pub onec_pull_redeliver_secs: i64,
    /// An accepted change whose snapshot (naming it in `change_ids`) has not come within this
    /// time is flagged to the user and counted in the monitor.
    pub onec_apply_deadline_secs: i64,
    /// How long an outgoing call (1C, the acquirer, mail) may take before it counts as failed
    /// and is retried later: a stuck 1C must not hold a queue batch.
    pub outbound_timeout_secs: i64,
    /// The exchange monitor's bearer credential; unset closes the monitor.
    pub monitor_token: Option<String>,
    /// HTTP Basic credentials 1C's stock CommerceML exchange signs in with; unset closes it.
    pub cml_user: Option<String>,
    pub cml_password: Option<String>,
    /// Failed CommerceML logins one client address may make per throttle window
    /// (`CML_LOGIN_MAX`, default 10); the login itself is never locked.
    pub cml_login_max: i64,
    /// Addresses 1C's stock exchange may call from (`CML_ALLOWED_IPS`, comma-separated exact
    /// addresses); empty allows any.
    pub cml_allowed_ips: Vec<String>,
    /// The encoding of the order documents `type=sale&mode=query` answers with (`CML_ORDERS_ENCODING`:
    /// `utf-8`, the default, or `windows-1251` for older 1C configurations).
    pub cml_orders_encoding: crate::commerceml::Encoding,
    /// The 1C id of the warehouse the portal's orders ship from (`CML_ORDER_WAREHOUSE`), written
    /// as the requisite `Склад` of each order `query` hands out; unset: none written.
    pub cml_order_warehouse: Option<String>,
    /// The card acquirer's API (`YOOKASSA_API_URL`, default YooKassa's production API).
    pub yookassa_api_url: String,
    /// The shop's id and secret key (HTTP Basic of every API call); either unset refuses card
    /// payment.
    pub yookassa_shop_id: Option<String>,
    pub yookassa_secret_key: Option<String>,
    /// The key one-time link tokens are derived from (`HMAC(key, link id)`): the database holds
    /// only the id and the token's hash. Needed by the Workers that create or mail links (auth,
    /// company, exchange); without it creating a link fails and such mail stays unsent.
    pub link_token_secret: Option<String>,
    /// The privacy policy's version (`PRIVACY_POLICY_VERSION`, default `1`): a user who has not
    /// accepted this version is asked again at sign-in (152-ФЗ, crate::auth::personal). Raise it
    /// whenever `static/privacy.html` changes in substance.
    pub privacy_policy_version: String,
    /// Retention (152-ФЗ, the sweeper's purge): ended sessions are deleted after
    /// `SESSIONS_KEEP_DAYS` (default 90), sent mails after `MAIL_KEEP_DAYS` (30), and audit
    /// entries' personal fields (the before/after of people and consignees) are blanked after
    /// `AUDIT_PERSONAL_KEEP_DAYS` (1095, three years).
    pub sessions_keep_days: i64,
    pub mail_keep_days: i64,
    pub audit_personal_keep_days: i64,
}

/// Which signature versions the portal takes (`ONEC_SIGNATURE_VERSIONS`: `v2`, the default, or
/// `v1,v2` during a migration window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureVersions {
    pub v1: bool,
    pub v2: bool,
}

impl SignatureVersions {
    pub const V2_ONLY: SignatureVersions = SignatureVersions {
        v1: false,
        v2: true,
    };

    /// `v2`, `v1,v2` (any order, spaces allowed); empty is the default, v2 only.
    pub fn parse(s: &str) -> Result<SignatureVersions, String> {
        if s.trim().is_empty() {
            return Ok(SignatureVersions::V2_ONLY);
        }
        let mut v = SignatureVersions {
            v1: false,
            v2: false,
        };
        for part in s.split(',').map(str::trim) {
            match part {
                "v1" => v.v1 = true,
                "v2" => v.v2 = true,
                other => return Err(format!("unknown signature version {other:?}")),
            }
        }
        Ok(v)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Push,
    Pull,
    /// Stock-only: no 1C extension, 1C speaks only its "exchange with a website" (CommerceML).
    /// Client changes to orders are applied at once and travel as the order's new state in
    /// `type=sale&mode=query`; features that need the extension are refused
    /// (docs/exchange/stock-only.md).
    Commerceml,
}

impl Config {
    /// Reads settings through `var` (the platform's variable lookup). Secrets have no default.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> AppResult<Config> {
        Config::from_var_fn(&var)
    }

    // Not generic, and the two helpers not inlined ~20 times each: this runs once per isolate,
    // and its size is in every Worker (issue 23).
    fn from_var_fn(var: &dyn Fn(&str) -> Option<String>) -> AppResult<Config> {
        #[inline(never)]
        fn req(var: &dyn Fn(&str) -> Option<String>, name: &str) -> AppResult<String> {
            var(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| AppError::internal(format!("missing setting {name}")))
        }
        #[inline(never)]
        fn num(var: &dyn Fn(&str) -> Option<String>, name: &str, default: i64) -> AppResult<i64> {
            match var(name) {
                None => Ok(default),
                Some(v) if v.is_empty() => Ok(default),
                Some(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| AppError::internal(format!("setting {name} is not a number"))),
            }
        }
        Ok(Config {
            yookassa_api_url: var("YOOKASSA_API_URL")
                .filter(|v| !v.is_empty())
                .map(|v| v.trim_end_matches('/').to_string())
                .unwrap_or_else(|| "https://api.yookassa.ru/v3".into()),
            yookassa_shop_id: var("YOOKASSA_SHOP_ID").filter(|v| !v.is_empty()),
            yookassa_secret_key: var("YOOKASSA_SECRET_KEY").filter(|v| !v.is_empty()),
            link_token_secret: var("LINK_TOKEN_SECRET").filter(|v| !v.is_empty()),
            privacy_policy_version: var("PRIVACY_POLICY_VERSION")
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "1".into()),
            sessions_keep_days: num(var, "SESSIONS_KEEP_DAYS", 90)?.max(1),
            mail_keep_days: num(var, "MAIL_KEEP_DAYS", 30)?.max(1),
            audit_personal_keep_days: num(var, "AUDIT_PERSONAL_KEEP_DAYS", 1095)?.max(1),
            public_url: req(var, "PUBLIC_URL")?.trim_end_matches('/').to_string(),
            session_signing_key: req(var, "SESSION_SIGNING_KEY")?,
            session_verify_keys: var("SESSION_VERIFY_KEYS").unwrap_or_default(),
            onec_hmac_secret: req(var, "ONEC_HMAC_SECRET")?,
            onec_push_secret: var("ONEC_PUSH_SECRET").filter(|v| !v.is_empty()),
            onec_signature_versions: SignatureVersions::parse(
                &var("ONEC_SIGNATURE_VERSIONS").unwrap_or_default(),
            )
            .map_err(|e| AppError::internal(format!("ONEC_SIGNATURE_VERSIONS: {e}")))?,
            onec_max_skew_secs: num(var, "ONEC_MAX_SKEW_SECS", 300)?,
            access_ttl_secs: num(var, "ACCESS_TTL_SECS", 15 * 60)?,
            refresh_ttl_secs: num(var, "REFRESH_TTL_SECS", 30 * 24 * 3600)?,
            refresh_idle_secs: num(var, "REFRESH_IDLE_SECS", 7 * 24 * 3600)?,
            pbkdf2_iterations: num(var, "PBKDF2_ITERATIONS", 100_000)? as u32,
            throttle_account_max: num(var, "THROTTLE_ACCOUNT_MAX", 5)?,
            throttle_ip_max: num(var, "THROTTLE_IP_MAX", 50)?,
            throttle_account_total_max: num(var, "THROTTLE_ACCOUNT_TOTAL_MAX", 100)?,
            throttle_window_secs: num(var, "THROTTLE_WINDOW_SECS", 15 * 60)?,
            invite_ttl_hours: num(var, "INVITE_TTL_HOURS", 72)?,
            reset_ttl_hours: num(var, "RESET_TTL_HOURS", 2)?,
            allow_test_clock: var("ALLOW_TEST_CLOCK").as_deref() == Some("true"),
            onec_delivery: match var("ONEC_DELIVERY").as_deref() {
                None | Some("") | Some("push") => Delivery::Push,
                Some("pull") => Delivery::Pull,
                Some("commerceml") => Delivery::Commerceml,
                Some(other) => {
                    return Err(AppError::internal(format!(
                        "ONEC_DELIVERY must be push, pull or commerceml, not {other}"
                    )))
                }
            },
            onec_push_url: var("ONEC_PUSH_URL")
                .filter(|v| !v.is_empty())
                .map(|v| v.trim_end_matches('/').to_string()),
            onec_give_up_hours: num(var, "ONEC_GIVE_UP_HOURS", 24)?,
            onec_pull_redeliver_secs: num(var, "ONEC_PULL_REDELIVER_SECS", 600)?,
            onec_apply_deadline_secs: num(var, "ONEC_APPLY_DEADLINE_SECS", 900)?,
            outbound_timeout_secs: num(var, "OUTBOUND_TIMEOUT_SECS", 15)?.clamp(1, 300),
            monitor_token: var("MONITOR_TOKEN").filter(|v| !v.is_empty()),
            cml_user: var("CML_USER").filter(|v| !v.is_empty()),
            cml_password: var("CML_PASSWORD").filter(|v| !v.is_empty()),
            cml_login_max: num(var, "CML_LOGIN_MAX", 10)?,
            cml_allowed_ips: var("CML_ALLOWED_IPS")
                .unwrap_or_default()
                .split(',')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            cml_orders_encoding: match var("CML_ORDERS_ENCODING")
                .map(|v| v.trim().to_ascii_lowercase())
                .as_deref()
            {
                None | Some("") | Some("utf-8") | Some("utf8") => crate::commerceml::Encoding::Utf8,
                Some("windows-1251") | Some("cp1251") => crate::commerceml::Encoding::Windows1251,
                Some(other) => {
                    return Err(AppError::internal(format!(
                        "CML_ORDERS_ENCODING must be utf-8 or windows-1251, not {other}"
                    )))
                }
            },
            cml_order_warehouse: var("CML_ORDER_WAREHOUSE")
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty()),
        })
    }

    /// A complete configuration for native tests.
    pub fn for_tests() -> Config {
        Config {
            public_url: "http://127.0.0.1:8787".into(),
            session_signing_key: "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into(),
            session_verify_keys: String::new(),
            onec_hmac_secret: "test-secret".into(),
            onec_push_secret: Some("test-push-secret".into()),
            onec_signature_versions: SignatureVersions::V2_ONLY,
            onec_max_skew_secs: 300,
            access_ttl_secs: 900,
            refresh_ttl_secs: 30 * 24 * 3600,
            refresh_idle_secs: 7 * 24 * 3600,
            pbkdf2_iterations: 1_000,
            throttle_account_max: 5,
            throttle_ip_max: 50,
            throttle_account_total_max: 100,
            throttle_window_secs: 900,
            invite_ttl_hours: 72,
            reset_ttl_hours: 2,
            allow_test_clock: true,
            onec_delivery: Delivery::Push,
            onec_push_url: Some("http://1c.test/hs/portal/v1".into()),
            onec_give_up_hours: 24,
            onec_pull_redeliver_secs: 600,
            onec_apply_deadline_secs: 900,
            outbound_timeout_secs: 15,
            monitor_token: Some("monitor-test-token".into()),
            cml_user: Some("1c".into()),
            cml_password: Some("cml-test-password".into()),
            cml_login_max: 10,
            cml_allowed_ips: Vec::new(),
            cml_orders_encoding: crate::commerceml::Encoding::Utf8,
            cml_order_warehouse: None,
            yookassa_api_url: "http://yookassa.test/v3".into(),
            yookassa_shop_id: Some("test-shop".into()),
            yookassa_secret_key: Some("test-yookassa-secret".into()),
            link_token_secret: Some("test-link-secret".into()),
            privacy_policy_version: "1".into(),
            sessions_keep_days: 90,
            mail_keep_days: 30,
            audit_personal_keep_days: 1095,
        }
    }
}
