//! Money: the credit position (1C's figures plus the portal's own reserve moves, never counted
//! twice), the payment schedule of credit orders, and the internal account with payments from it.

pub mod account;
pub mod api;
pub mod credit;
pub mod schedule;
pub mod sql;
