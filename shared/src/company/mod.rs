//! Company data, consignees, employees and the audit log: read by everyone in the company,
//! edited by admins (consignees also by buyers); every change goes to 1C through the outbox and
//! is recorded in the audit log.

pub mod api;
pub mod audit;
pub mod consignees;
pub mod employees;
pub mod legal;
pub mod rules;
pub mod sql;
