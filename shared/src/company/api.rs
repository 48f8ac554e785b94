//! The `company` capability's HTTP API.

use super::sql;
use crate::auth::roles::{Role, Roles};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{
    finish, match_route, Access, ApiRequest, ApiResponse, LogContext, Params, Route,
};
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H {
    Company,
    Employees,
    Employee,
}

pub const ROUTES: &[Route<H>] = &[
    Route {
        method: "GET",
        path: "/api/company/company",
        access: Access::Roles(&[]),
        handler: H::Company,
    },
    Route {
        method: "GET",
        path: "/api/company/employees",
        access: Access::Roles(&[Role::Admin]),
        handler: H::Employees,
    },
    Route {
        method: "GET",
        path: "/api/company/employees/{id}",
        access: Access::Roles(&[Role::Admin]),
        handler: H::Employee,
    },
];

pub async fn handle<P: Ports>(p: &P, req: ApiRequest) -> ApiResponse {
    let mut log = LogContext::default();
    let result = route(p, &req, &mut log).await;
    finish(&req, result, log)
}

async fn route<P: Ports>(p: &P, req: &ApiRequest, log: &mut LogContext) -> AppResult<ApiResponse> {
    let (r, params) = match_route(ROUTES, req)?;
    log.route = Some(r.path);
    let caller = crate::auth::guard(p, req, r.access, log)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    match r.handler {
        H::Company => company(p, &caller).await,
        H::Employees => employees(p, &caller).await,
        H::Employee => employee(p, &caller, &params).await,
    }
}

#[derive(Deserialize, Serialize)]
struct CompanyRow {
    id: String,
    name: String,
    full_name: Option<String>,
    timezone: String,
}

#[derive(Deserialize, Serialize)]
struct LegalEntityRow {
    id: String,
    name: String,
    full_name: Option<String>,
    inn: Option<String>,
    kpp: Option<String>,
    ogrn: Option<String>,
    legal_address: Option<String>,
    postal_address: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct AgreementRow {
    id: String,
    legal_entity_id: String,
    name: String,
    number: Option<String>,
    signed_on: Option<String>,
    credit_limit_kop: i64,
    deferral_days: i64,
    price_type: Option<String>,
}

async fn company<P: Ports>(p: &P, caller: &Caller) -> AppResult<ApiResponse> {
    let db = p.db();
    let c: CompanyRow = db
        .first(Stmt::new(sql::COMPANY).bind(&caller.company_id))
        .await?
        .ok_or_else(AppError::not_found)?;
    let les: Vec<LegalEntityRow> = db
        .all(Stmt::new(sql::LEGAL_ENTITIES).bind(&caller.company_id))
        .await?;
    let ags: Vec<AgreementRow> = db
        .all(Stmt::new(sql::AGREEMENTS).bind(&caller.company_id))
        .await?;
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "company": c, "legal_entities": les, "agreements": ags }),
    ))
}

#[derive(Deserialize)]
struct EmployeeRow {
    id: String,
    email: String,
    full_name: String,
    position: Option<String>,
    phone: Option<String>,
    active: i64,
    last_sign_in_at: Option<String>,
    has_password: i64,
    roles: Option<String>,
}

#[derive(Serialize)]
struct Employee {
    id: String,
    email: String,
    full_name: String,
    position: Option<String>,
    phone: Option<String>,
    active: bool,
    /// `active`, `invited` (no password yet) or `deactivated`.
    status: &'static str,
    roles: Roles,
    last_sign_in_at: Option<String>,
}

impl From<EmployeeRow> for Employee {
    fn from(r: EmployeeRow) -> Employee {
        let status = match (r.active, r.has_password) {
            (0, _) => "deactivated",
            (_, 0) => "invited",
            _ => "active",
        };
        Employee {
            id: r.id,
            email: r.email,
            full_name: r.full_name,
            position: r.position,
            phone: r.phone,
            active: r.active == 1,
            status,
            roles: Roles::parse_list(r.roles.as_deref().unwrap_or("")).unwrap_or_default(),
            last_sign_in_at: r.last_sign_in_at,
        }
    }
}

async fn employees<P: Ports>(p: &P, caller: &Caller) -> AppResult<ApiResponse> {
    let rows: Vec<EmployeeRow> = p
        .db()
        .all(Stmt::new(sql::EMPLOYEES).bind(&caller.company_id))
        .await?;
    let items: Vec<Employee> = rows.into_iter().map(Employee::from).collect();
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "items": items, "next_cursor": null }),
    ))
}

/// Another company's employee is a 404, exactly like a missing one.
async fn employee<P: Ports>(p: &P, caller: &Caller, params: &Params) -> AppResult<ApiResponse> {
    let row: EmployeeRow = p
        .db()
        .first(
            Stmt::new(sql::EMPLOYEE)
                .bind(&caller.company_id)
                .bind(params.get("id")),
        )
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(ApiResponse::json(200, &Employee::from(row)))
}
