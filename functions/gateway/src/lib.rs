//! The entry Worker: static pages are served by the assets layer before this runs; everything
//! under `/api/<capability>/` and `/exchange/` comes here and goes on to the capability Worker over
//! its service binding. Capability Workers have no public route of their own.

use worker::{event, Context, Env, Request, Response, Result};

/// Path prefix -> service binding.
const ROUTES: &[(&str, &str)] = &[
    ("/api/auth/", "AUTH"),
    ("/api/company/", "COMPANY"),
    ("/api/finance/", "FINANCE"),
    ("/api/orders/", "ORDERS"),
    ("/api/documents/", "DOCUMENTS"),
    ("/api/returns/", "RETURNS"),
    ("/exchange/", "EXCHANGE"),
];

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let started = adapter::now_ms();
    let path = req.path();
    let method = req.method().to_string().to_ascii_uppercase();
    match ROUTES.iter().find(|(prefix, _)| path.starts_with(prefix)) {
        Some((_, binding)) => env.service(binding)?.fetch_request(req).await,
        None => adapter::failure(shared::AppError::not_found(), &method, started),
    }
}
