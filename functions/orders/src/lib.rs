//! The `orders` Worker: the company's orders, catalogue search, order changes. All logic in
//! `shared::orders`.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    adapter::serve!(req, env, shared::orders::api::handle)
}
