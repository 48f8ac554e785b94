//! The `orders` Worker: the company's orders, catalogue search, order changes. All logic in
//! `shared::orders`.

use worker::{event, web_sys, Context, Env, Result};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    adapter::serve(
        req,
        env,
        ctx,
        shared::orders::api::handle,
        shared::orders::api::body_limit,
    )
    .await
}
