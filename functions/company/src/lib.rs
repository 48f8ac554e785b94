//! The `company` Worker: company data and employees. All logic in `shared::company`.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    adapter::serve!(req, env, shared::company::api::handle)
}
