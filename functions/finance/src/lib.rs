//! The `finance` Worker: credit limit, payment schedule, internal account. All logic in
//! `shared::finance`.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    adapter::serve!(req, env, shared::finance::api::handle)
}
