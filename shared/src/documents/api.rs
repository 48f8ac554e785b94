//! The `documents` capability's HTTP API: thin handlers over `docs` and `acts`.

use crate::auth::roles::Role;
use crate::error::{AppError, AppResult};
use crate::http::{finish, match_route, Access, ApiRequest, ApiResponse, LogContext, Route};
use crate::idempotency::{self, Start};
use crate::ports::Ports;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H {
    Documents,
    Document,
    File,
    OrderDocuments,
    OrderArchive,
    Acts,
    ActRequest,
    Act,
    ActFile,
}

/// Settlements with the supplier are the accountants' (and admins') business.
const MONEY: &[Role] = &[Role::Admin, Role::Accountant];

pub const ROUTES: &[Route<H>] = &[
    Route {
        method: "GET",
        path: "/api/documents/documents",
        access: Access::Roles(&[]),
        handler: H::Documents,
    },
    Route {
        method: "GET",
        path: "/api/documents/documents/{id}",
        access: Access::Roles(&[]),
        handler: H::Document,
    },
    Route {
        method: "GET",
        path: "/api/documents/files/{id}",
        access: Access::Roles(&[]),
        handler: H::File,
    },
    Route {
        method: "GET",
        path: "/api/documents/orders/{id}",
        access: Access::Roles(&[]),
        handler: H::OrderDocuments,
    },
    Route {
        method: "GET",
        path: "/api/documents/orders/{id}/archive",
        access: Access::Roles(&[]),
        handler: H::OrderArchive,
    },
    Route {
        method: "GET",
        path: "/api/documents/acts",
        access: Access::Roles(MONEY),
        handler: H::Acts,
    },
    Route {
        method: "POST",
        path: "/api/documents/acts",
        access: Access::Roles(MONEY),
        handler: H::ActRequest,
    },
    Route {
        method: "GET",
        path: "/api/documents/acts/{id}",
        access: Access::Roles(MONEY),
        handler: H::Act,
    },
    Route {
        method: "GET",
        path: "/api/documents/acts/{id}/files/{no}",
        access: Access::Roles(MONEY),
        handler: H::ActFile,
    },
];

/// The most a request body may hold, by route (crate::http::body_limit).
pub fn body_limit(req: &ApiRequest) -> Option<usize> {
    crate::http::body_limit(ROUTES, req, |_| crate::http::JSON_BODY)
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
    match r.handler {
        H::Documents => super::docs::list(p, &caller, req).await,
        H::Document => super::docs::one(p, &caller, id).await,
        H::File => super::docs::download(p, &caller, id, req).await,
        H::OrderDocuments => super::docs::of_order(p, &caller, id).await,
        H::OrderArchive => super::docs::archive(p, &caller, id, req).await,
        H::Acts => super::acts::history(p, &caller).await,
        H::ActRequest => {
            let key = match idempotency::start(p, req, &caller.user_id, &caller.company_id).await? {
                Start::Replay(stored) => return Ok(stored),
                Start::Go(key) => key,
            };
            let result = async { super::acts::request(p, &caller, req.json()?, &key).await }.await;
            key.finish(p, result).await
        }
        H::Act => super::acts::one(p, &caller, id).await,
        H::ActFile => super::acts::file(p, &caller, id, params.get("no"), req).await,
    }
}
