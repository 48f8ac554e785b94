//! The `documents` Worker: accounting documents, their files and ZIPs (from R2), reconciliation
//! acts. All logic in `shared::documents`.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    adapter::serve!(req, env, shared::documents::api::handle)
}
