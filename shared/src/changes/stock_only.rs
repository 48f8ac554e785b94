//! A stock-only deployment (`ONEC_DELIVERY=commerceml`): the supplier's 1C has no extension and
//! speaks only its stock "exchange with a website". Orders edited, cancelled or placed (repeat)
//! by a client travel as the order's new state in CommerceML `query`; every other client change
//! needs the extension to reach 1C, so its route answers a clear problem instead of a change that
//! would wait for an answer forever (docs/exchange/stock-only.md lists them; the pages hide them
//! by `GET /api/auth/me`'s `stock_only`).

use crate::config::{Config, Delivery};
use crate::error::{AppError, AppResult, ErrorKind};

/// The routes (method, template) whose change only a 1C extension can take.
pub const NEEDS_EXTENSION: &[(&str, &str)] = &[
    // Returns.
    ("POST", "/api/returns/returns"),
    ("POST", "/api/returns/returns/{id}/photos"),
    // Reconciliation acts.
    ("POST", "/api/documents/acts"),
    // Company data and employees to 1C.
    ("PATCH", "/api/company/legal-entities/{id}"),
    ("POST", "/api/company/consignees"),
    ("PATCH", "/api/company/consignees/{id}"),
    ("DELETE", "/api/company/consignees/{id}"),
    ("POST", "/api/company/employees"),
    ("PATCH", "/api/company/employees/{id}"),
    ("DELETE", "/api/company/employees/{id}"),
    ("PATCH", "/api/auth/profile"),
    ("POST", "/api/auth/email-changes"),
    // Money and order actions 1C must answer (the stock exchange has no answer to give): a
    // payment from the internal account, a switch to credit (1C's credit check and reserve; the
    // stock exchange reads `Метод оплаты` of a new site order only), shipping together.
    // A new order (repeat, repeat-draft) and a cancellation travel in `query` instead.
    ("POST", "/api/finance/account/payments"),
    ("POST", "/api/orders/orders/{id}/payment-method"),
    ("POST", "/api/orders/consolidations"),
];

/// 409 `needs-extension` for a route of [`NEEDS_EXTENSION`] in a stock-only deployment.
pub fn refuse(cfg: &Config, method: &str, template: &str) -> AppResult<()> {
    if cfg.onec_delivery != Delivery::Commerceml
        || !NEEDS_EXTENSION
            .iter()
            .any(|(m, t)| *m == method && *t == template)
    {
        return Ok(());
    }
    Err(AppError::new(
        ErrorKind::Conflict,
        "needs-extension",
        "Поставщик обменивается с порталом только типовым обменом 1С с сайтом: это действие недоступно, обратитесь к менеджеру.",
        "The supplier exchanges with the portal through 1C's stock site exchange only: this action is not available, contact your manager.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stock_only_refuses_and_only_the_listed_routes() {
        let mut cfg = Config::for_tests();
        assert!(refuse(&cfg, "POST", "/api/returns/returns").is_ok());
        cfg.onec_delivery = Delivery::Commerceml;
        let e = refuse(&cfg, "POST", "/api/returns/returns").unwrap_err();
        assert_eq!(
            (e.kind, e.code.as_ref()),
            (ErrorKind::Conflict, "needs-extension")
        );
        assert!(
            refuse(&cfg, "PATCH", "/api/orders/orders/{id}").is_ok(),
            "order edits travel in CommerceML"
        );
        assert!(refuse(&cfg, "GET", "/api/returns/returns").is_ok());
        for (m, t) in [
            ("POST", "/api/orders/orders/{id}/repeat"),
            ("POST", "/api/orders/orders/{id}/repeat-draft"),
            ("POST", "/api/orders/orders/{id}/cancellation"),
        ] {
            assert!(refuse(&cfg, m, t).is_ok(), "{t} travels in CommerceML");
        }
        assert!(refuse(&cfg, "POST", "/api/orders/orders/{id}/payment-method").is_err());
    }
}
