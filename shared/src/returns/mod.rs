//! Returns of goods: a buyer asks to return shipped goods (a whole order or chosen lines), 1C
//! approves or rejects the request and completes it, crediting the internal account; the pages
//! show the company's returns, each with its lines, 1C's decision, the refund and the history.

pub mod api;
pub mod photos;
pub mod requests;
pub mod rules;
pub mod sql;
pub mod view;
