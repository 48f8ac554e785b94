//! The `company` Worker: company data and employees. All logic in `shared::company`.

use worker::{event, web_sys, Context, Env, Result};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    adapter::serve(
        req,
        env,
        ctx,
        shared::company::api::handle,
        shared::company::api::body_limit,
    )
    .await
}
