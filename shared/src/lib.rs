//! The portal's domain crate: pure Rust, no Workers dependency, tested natively.
//! Capabilities (`auth`, `company`, `exchange`, `returns`) each own their routes, rules and SQL and run
//! behind the ports in [`ports`]; the Workers in `functions/` only adapt D1, R2 and Queues.

pub mod audit_log;
pub mod auth;
pub mod body;
pub mod commerceml;
pub mod company;
pub mod config;
pub mod csv;
pub mod changes;
pub mod cursor;
pub mod documents;
pub mod error;
pub mod exchange;
pub mod finance;
pub mod http;
pub mod ids;
pub mod idempotency;
#[cfg(test)]
mod layering;
pub mod later;
pub mod mail;
pub mod money;
pub mod notify;
pub mod orders;
pub mod ports;
pub mod request_url;
pub mod returns;
pub mod routes;
pub mod sort;
pub mod time;
pub mod validate;

#[cfg(not(target_arch = "wasm32"))]
pub mod fuzz_checks;
#[cfg(not(target_arch = "wasm32"))]
pub mod sqlite;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

pub use error::{AppError, AppResult};
