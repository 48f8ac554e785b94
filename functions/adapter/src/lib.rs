//! The Workers side of the ports: D1 for the database, R2 for blobs, Queues for waking the
//! consumer, `fetch` for outgoing HTTP and an HTTP mail API for mail; and the conversion of
//! requests and responses. Every capability Worker is [`serve`] plus its capability's handler
//! from `shared`.
//!
//! One module per port (`d1`, `blobs`, `queue`, `outbound_http`, `mail`), `ports` binding them
//! for one request, `settings` read once per isolate; `request`, `response` and `log` at the
//! edge; `serve` the whole `fetch` of a capability Worker.

mod blobs;
mod d1;
mod js;
mod log;
mod mail;
mod outbound_http;
mod ports;
mod queue;
mod request;
mod response;
mod serve;
mod settings;

pub use blobs::R2;
pub use d1::D1;
pub use log::now_ms;
pub use mail::HttpMail;
pub use outbound_http::Fetch;
pub use ports::{run_later, WorkerPorts};
pub use queue::{InboxWake, Queue, CML_IMPORT};
pub use request::{read_body, request_head};
pub use response::{failure, refused, worker_response};
pub use serve::serve;
pub use settings::env_var;
