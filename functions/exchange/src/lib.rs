//! The `exchange` Worker: 1C's JSON contract on 1C's request path (signed messages verified,
//! validated, stored and enqueued; changes pulled and acknowledged; files; manifest) and the
//! monitor. Nothing is applied here: the queue consumers, the cron sweeper and the stock
//! CommerceML exchange run in the `cml` Worker (functions/cml), so this one links only what 1C's
//! request needs (docs/benchmarks.md, issue 23). All logic in `shared::exchange`.

use shared::exchange::api::{self, CONTRACT};
use worker::{event, web_sys, Context, Env, Result};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    adapter::serve(
        req,
        env,
        ctx,
        api::handle_part::<_, CONTRACT>,
        api::body_limit,
    )
    .await
}
