//! Company data and employees. This part: reading them (the company issue adds editing).

pub mod api;
pub mod sql;
