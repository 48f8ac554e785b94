//! The host's settings: the Workers' variables and secrets under the same names (read from the
//! environment, or from a `KEY=value` file named by `PORTAL_ENV_FILE`, the environment winning),
//! plus what only a self-hosted process needs: where it listens, where the database, the blobs and
//! the pages are, and which proxies may name the client's address.

use shared::config::Config;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

pub struct Settings {
    pub config: Config,
    /// `BIND`, default `127.0.0.1:8787`: TLS ends at the reverse proxy in front.
    pub bind: SocketAddr,
    /// `THREADS`, default the number of cores: one current-thread runtime and one SQLite
    /// connection each.
    pub threads: usize,
    /// `DATABASE_PATH`: the SQLite file (WAL), D1's counterpart.
    pub database: PathBuf,
    /// `MIGRATIONS_DIR`: `d1-migrations/`, applied at start.
    pub migrations: PathBuf,
    /// `BLOB_DIR`: R2's counterpart, one file per key (and the database backups, whichever the
    /// backend).
    pub blob_dir: PathBuf,
    /// `BLOB_BACKEND=s3` (default `fs`): the files in S3-compatible storage (`S3_ENDPOINT`,
    /// `S3_BUCKET`, `S3_REGION`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`).
    pub s3: Option<crate::s3::S3Settings>,
    /// `STATIC_DIR`: the pages, served as the Workers' assets layer serves them.
    pub static_dir: PathBuf,
    /// `TRUSTED_PROXIES`: addresses whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed;
    /// from anyone else the peer address is the client's.
    pub trusted_proxies: Vec<IpAddr>,
    pub mail_url: Option<String>,
    pub mail_token: Option<String>,
    /// `SMTP_HOST` (with `SMTP_PORT`, `SMTP_TLS`, `SMTP_USER`, `SMTP_PASSWORD`, `SMTP_FROM`): mail
    /// over SMTP instead of the HTTP mail API when set.
    pub smtp: Option<crate::smtp::SmtpSettings>,
    /// `SWEEP_SECS`, default 60: the Workers' cron runs the sweeper every minute.
    pub sweep_secs: u64,
    /// `BACKUP_EVERY_HOURS`, default 6 (0: off): an online copy of the database into
    /// `BLOB_DIR/backups/`, the newest `BACKUP_KEEP` (default 8) kept.
    pub backup_every_hours: u64,
    pub backup_keep: usize,
}

impl Settings {
    pub fn from_env() -> Result<Settings, String> {
        let file = match std::env::var("PORTAL_ENV_FILE") {
            Ok(path) => read_env_file(&path)?,
            Err(_) => HashMap::new(),
        };
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .or_else(|| file.get(name).cloned())
                .filter(|v| !v.is_empty())
        };
        let config = Config::from_vars(&var).map_err(|e| format!("settings: {e}"))?;
        let path = |name: &str, default: &str| PathBuf::from(var(name).unwrap_or(default.into()));
        let trusted_proxies = var("TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| format!("TRUSTED_PROXIES: {s:?} is not an address"))
            })
            .collect::<Result<_, _>>()?;
        let smtp = match var("SMTP_HOST") {
            None => None,
            Some(host) => {
                let tls =
                    crate::smtp::SmtpTls::parse(&var("SMTP_TLS").unwrap_or("starttls".into()))?;
                let port = match var("SMTP_PORT") {
                    Some(p) => p.parse().map_err(|_| "SMTP_PORT: not a port".to_string())?,
                    None => tls.default_port(),
                };
                let from = var("SMTP_FROM").ok_or(
                    "SMTP_FROM: required with SMTP_HOST (e.g. Портал <portal@example.ru>)",
                )?;
                Some(crate::smtp::SmtpSettings {
                    host,
                    port,
                    tls,
                    user: var("SMTP_USER"),
                    password: var("SMTP_PASSWORD"),
                    from: from
                        .parse()
                        .map_err(|e| format!("SMTP_FROM: {from:?}: {e}"))?,
                })
            }
        };
        let s3 = match var("BLOB_BACKEND").as_deref().unwrap_or("fs") {
            "fs" => None,
            "s3" => {
                let need =
                    |name: &str| var(name).ok_or(format!("{name}: required with BLOB_BACKEND=s3"));
                let endpoint = need("S3_ENDPOINT")?;
                Some(crate::s3::S3Settings {
                    endpoint: url::Url::parse(&endpoint)
                        .ok()
                        .filter(|u| {
                            matches!(u.scheme(), "http" | "https") && u.host_str().is_some()
                        })
                        .ok_or(format!("S3_ENDPOINT: {endpoint:?} is not an http(s) URL"))?,
                    bucket: need("S3_BUCKET")?,
                    region: need("S3_REGION")?,
                    access_key_id: need("S3_ACCESS_KEY_ID")?,
                    secret_access_key: need("S3_SECRET_ACCESS_KEY")?,
                })
            }
            other => return Err(format!("BLOB_BACKEND: {other:?} is not fs or s3")),
        };
        Ok(Settings {
            config,
            smtp,
            s3,
            bind: var("BIND")
                .unwrap_or("127.0.0.1:8787".into())
                .parse()
                .map_err(|_| "BIND: not an address:port".to_string())?,
            threads: match var("THREADS") {
                Some(n) => n.parse().map_err(|_| "THREADS: not a number".to_string())?,
                None => std::thread::available_parallelism().map_or(2, |n| n.get()),
            }
            .max(1),
            database: path("DATABASE_PATH", "portal.sqlite3"),
            migrations: path("MIGRATIONS_DIR", "d1-migrations"),
            blob_dir: path("BLOB_DIR", "blobs"),
            static_dir: path("STATIC_DIR", "static"),
            trusted_proxies,
            mail_url: var("MAIL_API_URL"),
            mail_token: var("MAIL_API_TOKEN"),
            sweep_secs: var("SWEEP_SECS")
                .map(|s| {
                    s.parse()
                        .map_err(|_| "SWEEP_SECS: not a number".to_string())
                })
                .transpose()?
                .unwrap_or(60),
            backup_every_hours: var("BACKUP_EVERY_HOURS")
                .map(|s| {
                    s.parse()
                        .map_err(|_| "BACKUP_EVERY_HOURS: not a number".to_string())
                })
                .transpose()?
                .unwrap_or(6),
            backup_keep: var("BACKUP_KEEP")
                .map(|s| {
                    s.parse()
                        .map_err(|_| "BACKUP_KEEP: not a number".to_string())
                })
                .transpose()?
                .unwrap_or(8)
                .max(1),
        })
    }
}

/// `KEY=value` lines (`.dev.vars` / `.env` style): `#` comments, optional double quotes.
fn read_env_file(path: &str) -> Result<HashMap<String, String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect())
}
