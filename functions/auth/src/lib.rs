//! The `auth` Worker: sign-in, sessions, password links. All logic in `shared::auth`.

use worker::{event, web_sys, Context, Env, Result};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    adapter::serve(
        req,
        env,
        ctx,
        shared::auth::api::handle,
        shared::auth::api::body_limit,
    )
    .await
}
