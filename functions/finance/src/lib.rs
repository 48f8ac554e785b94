//! The `finance` Worker: credit limit, payment schedule, internal account. All logic in
//! `shared::finance`.

use worker::{event, web_sys, Context, Env, Result};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    adapter::serve(
        req,
        env,
        ctx,
        shared::finance::api::handle,
        shared::finance::api::body_limit,
    )
    .await
}
