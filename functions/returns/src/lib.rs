//! The `returns` Worker: return requests (whole order or lines), their photos in R2, and what 1C
//! decided. All logic in `shared::returns`.

use worker::{event, web_sys, Context, Env, Result};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    adapter::serve(
        req,
        env,
        ctx,
        shared::returns::api::handle,
        shared::returns::api::body_limit,
    )
    .await
}
