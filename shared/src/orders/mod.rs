//! Orders: the company's order list (filters, totals, CSV), the order page, catalogue search,
//! and the changes a client sends to 1C (this part: cancellation).

pub mod api;
pub mod catalog;
pub mod edit;
pub mod list;
pub mod rules;
pub mod sql;

/// What an order line is found by: its article key and its name, normalised the way searches are.
pub fn line_search(article: &str, name: &str) -> String {
    format!(
        "{} {}",
        crate::validate::article_key(article),
        crate::validate::search_text(name)
    )
}
