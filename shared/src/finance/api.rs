//! The `finance` capability's HTTP API: thin handlers over `credit`, `schedule`, `account`.

use crate::auth::roles::Role;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{finish, match_route, Access, ApiRequest, ApiResponse, LogContext, Route};
use crate::idempotency::{self, Start};
use crate::ports::Ports;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H {
    Credit,
    Schedule,
    Account,
    AccountPayment,
}

/// Debt and the schedule are for the people who pay; buyers see the available credit (brief).
const MONEY: &[Role] = &[Role::Admin, Role::Accountant];
const PAYERS: &[Role] = &[Role::Admin, Role::Accountant, Role::Buyer];

pub const ROUTES: &[Route<H>] = &[
    Route {
        method: "GET",
        path: "/api/finance/credit",
        access: Access::Roles(&[]),
        handler: H::Credit,
    },
    Route {
        method: "GET",
        path: "/api/finance/schedule",
        access: Access::Roles(MONEY),
        handler: H::Schedule,
    },
    Route {
        method: "GET",
        path: "/api/finance/account",
        access: Access::Roles(MONEY),
        handler: H::Account,
    },
    Route {
        method: "POST",
        path: "/api/finance/account/payments",
        access: Access::Roles(PAYERS),
        handler: H::AccountPayment,
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
    let (r, _) = match_route(ROUTES, req)?;
    crate::changes::stock_only::refuse(p.config(), r.method, r.path)?;
    log.route = Some(r.path);
    let caller = crate::auth::guard(p, req, r.access, log)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    match r.handler {
        H::Credit => Ok(ApiResponse::json(
            200,
            &super::credit::panel(p, &caller).await?,
        )),
        H::Schedule => schedule(p, &caller, req).await,
        H::Account => super::account::view(p, &caller, req).await,
        H::AccountPayment => {
            let key = match idempotency::start(p, req, &caller.user_id, &caller.company_id).await? {
                Start::Replay(stored) => return Ok(stored),
                Start::Go(key) => key,
            };
            let result = async { super::account::pay(p, &caller, req.json()?, &key).await }.await;
            key.finish(p, result).await
        }
    }
}

/// `?all=true` includes paid stages; `?format=csv` downloads the same rows.
async fn schedule<P: Ports>(p: &P, caller: &Caller, req: &ApiRequest) -> AppResult<ApiResponse> {
    let entries =
        super::schedule::entries(p, caller, req.query_param("all") == Some("true")).await?;
    if req.query_param("format") == Some("csv") {
        let day = super::schedule::today(p.now());
        return Ok(ApiResponse {
            status: 200,
            headers: vec![
                ("content-type".into(), "text/csv; charset=utf-8".into()),
                ("content-disposition".into(), format!("attachment; filename=\"schedule-{day}.csv\"; filename*=UTF-8''%D0%B3%D1%80%D0%B0%D1%84%D0%B8%D0%BA-%D0%BF%D0%BB%D0%B0%D1%82%D0%B5%D0%B6%D0%B5%D0%B9-{day}.csv")),
            ],
            body: super::schedule::csv(&entries).into(),
            log: Default::default(),
        });
    }
    let totals = super::schedule::totals(super::schedule::today(p.now()), &entries);
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({"today": super::schedule::today(p.now()).to_string(), "items": entries, "totals": totals}),
    ))
}
