//! The `documents` Worker: accounting documents, their files and ZIPs (from R2), reconciliation
//! acts. All logic in `shared::documents`.

use worker::{event, web_sys, Context, Env, Result};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    adapter::serve(
        req,
        env,
        ctx,
        shared::documents::api::handle,
        shared::documents::api::body_limit,
    )
    .await
}
