//! The `returns` capability's HTTP API.

use crate::auth::roles::Role;
use crate::error::{AppError, AppResult};
use crate::http::{finish, match_route, Access, ApiRequest, ApiResponse, LogContext, Route};
use crate::idempotency::{self, Key, Start};
use crate::ports::Ports;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H {
    List,
    Create,
    ReturnableOrders,
    ReturnableOrder,
    Return,
    PhotoAdd,
    Photo,
}

/// Who asks for returns: the people who order, and admins.
const REQUESTERS: &[Role] = &[Role::Admin, Role::Buyer];

/// `returnable-orders` comes before `{id}`: the first matching template wins.
pub const ROUTES: &[Route<H>] = &[
    Route {
        method: "GET",
        path: "/api/returns/returns",
        access: Access::Roles(&[]),
        handler: H::List,
    },
    Route {
        method: "POST",
        path: "/api/returns/returns",
        access: Access::Roles(REQUESTERS),
        handler: H::Create,
    },
    Route {
        method: "GET",
        path: "/api/returns/returnable-orders",
        access: Access::Roles(REQUESTERS),
        handler: H::ReturnableOrders,
    },
    Route {
        method: "GET",
        path: "/api/returns/returnable-orders/{id}",
        access: Access::Roles(REQUESTERS),
        handler: H::ReturnableOrder,
    },
    Route {
        method: "GET",
        path: "/api/returns/returns/{id}",
        access: Access::Roles(&[]),
        handler: H::Return,
    },
    Route {
        method: "POST",
        path: "/api/returns/returns/{id}/photos",
        access: Access::Roles(REQUESTERS),
        handler: H::PhotoAdd,
    },
    Route {
        method: "GET",
        path: "/api/returns/returns/{id}/photos/{photo}",
        access: Access::Roles(&[]),
        handler: H::Photo,
    },
];

/// The most a request body may hold, by route (crate::http::body_limit).
pub fn body_limit(req: &ApiRequest) -> Option<usize> {
    crate::http::body_limit(ROUTES, req, |h| match h {
        H::PhotoAdd => super::photos::MAX_PHOTO_BYTES,
        _ => crate::http::JSON_BODY,
    })
}

pub async fn handle<P: Ports>(p: &P, req: ApiRequest) -> ApiResponse {
    let mut log = LogContext::default();
    let result = route(p, &req, &mut log).await;
    finish(&req, result, log)
}

async fn route<P: Ports>(p: &P, req: &ApiRequest, log: &mut LogContext) -> AppResult<ApiResponse> {
    let (r, params) = match_route(ROUTES, req)?;
    crate::changes::stock_only::refuse(p.config(), r.method, r.path)?;
    log.route = Some(r.path);
    let caller = crate::auth::guard(p, req, r.access, log)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    let id = params.get("id");
    // Creating routes honour `Idempotency-Key`: a stored answer goes back as is.
    let key = match r.handler {
        H::Create | H::PhotoAdd => {
            match idempotency::start(p, req, &caller.user_id, &caller.company_id).await? {
                Start::Replay(stored) => return Ok(stored),
                Start::Go(key) => key,
            }
        }
        _ => Key::none(),
    };
    let result = async {
        match r.handler {
            H::List => super::view::list(p, &caller, req).await,
            H::Create => super::requests::create(p, &caller, req.json()?, &key).await,
            H::ReturnableOrders => super::view::returnable_orders(p, &caller, req).await,
            H::ReturnableOrder => super::view::returnable_order(p, &caller, id).await,
            H::Return => super::view::detail(p, &caller, id, 200).await,
            H::PhotoAdd => super::photos::add(p, &caller, id, req, &key).await,
            H::Photo => super::photos::get(p, &caller, id, params.get("photo")).await,
        }
    }
    .await;
    key.finish(p, result).await
}
