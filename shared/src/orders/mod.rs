//! Orders: the company's order list (filters, totals, CSV), the order page, catalogue search,
//! and the changes a client sends to 1C (this part: cancellation).

pub mod api;
pub mod card;
pub mod catalog;
pub mod edit;
pub mod list;
pub mod methods;
pub mod repeat;
pub mod rules;
pub mod sql;
pub mod status;

/// What an order line is found by: its article key and its name, normalised the way searches are.
pub fn line_search(article: &str, name: &str) -> String {
    format!(
        "{} {}",
        crate::validate::article_key(article),
        crate::validate::search_text(name)
    )
}

/// Refusals and the audit row every order change shares.
pub(crate) mod change {
    use crate::auth::Caller;
    use crate::error::{AppError, ErrorKind};
    use crate::ports::Stmt;

    /// The order changed in 1C since the user opened it: 409 with the fresh order.
    pub fn stale(o: &super::list::OrderRow) -> AppError {
        AppError::version_conflict(
            "Заказ изменился в 1С с момента открытия. Проверьте его и повторите.",
            "The order changed in 1C since you opened it. Check it and try again.",
        )
        .with_extra("current", serde_json::to_value(o).unwrap_or_default())
    }

    /// Another change of the order still waits for 1C (the guarded outbox insert wrote nothing).
    pub fn pending() -> AppError {
        AppError::new(
            ErrorKind::Conflict,
            "change-pending",
            "Предыдущее изменение заказа ещё ждёт ответа 1С.",
            "An earlier change of this order still waits for 1C.",
        )
    }

    /// The audit row of an order change, written only if the change's outbox row was.
    pub fn audit(
        change_id: &str,
        caller: &Caller,
        kind: &str,
        order_id: &str,
        before: String,
        after: String,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Stmt {
        Stmt::dynamic(format!(
            "{} WHERE EXISTS (SELECT 1 FROM outbox WHERE id = ?)",
            crate::audit_log::INSERT_SELECT
        ))
        .bind(change_id)
        .bind(&caller.company_id)
        .bind(&caller.user_id)
        .bind(now)
        .bind(kind)
        .bind("order")
        .bind(order_id)
        .bind(before)
        .bind(after)
        .bind(change_id)
    }
}
