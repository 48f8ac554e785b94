//! The `auth` Worker: sign-in, sessions, password links. All logic in `shared::auth`.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    adapter::serve!(req, env, shared::auth::api::handle)
}
