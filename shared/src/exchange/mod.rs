//! The exchange with 1C. This part: the inbound contract and path (1C -> portal).

pub mod api;
pub mod contract;
pub mod inbox;
pub mod sql;
