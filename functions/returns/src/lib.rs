//! The `returns` Worker: return requests (whole order or lines), their photos in R2, and what 1C
//! decided. All logic in `shared::returns`.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    adapter::serve!(req, env, shared::returns::api::handle)
}
