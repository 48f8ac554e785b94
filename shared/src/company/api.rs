//! The `company` capability's HTTP API.

use super::sql;
use crate::auth::roles::{Role, Roles};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::http::{
    finish, match_route, Access, ApiRequest, ApiResponse, LogContext, Params, Route,
};
use crate::idempotency::{self, Key, Start};
use crate::ports::{Database, DatabaseExt, Ports, Stmt};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H {
    Company,
    LegalEntityEdit,
    Consignees,
    ConsigneeAdd,
    ConsigneeEdit,
    ConsigneeArchive,
    Employees,
    EmployeeNames,
    EmployeeAdd,
    Employee,
    EmployeeEdit,
    EmployeeRemove,
    EmployeeErase,
    Audit,
}

const ADMIN: &[Role] = &[Role::Admin];
/// Who keeps the consignees: the people who place orders, and admins.
const CONSIGNEE_EDITORS: &[Role] = &[Role::Admin, Role::Buyer];

pub const ROUTES: &[Route<H>] = &[
    Route {
        method: "GET",
        path: "/api/company/company",
        access: Access::Roles(&[]),
        handler: H::Company,
    },
    Route {
        method: "PATCH",
        path: "/api/company/legal-entities/{id}",
        access: Access::Roles(ADMIN),
        handler: H::LegalEntityEdit,
    },
    Route {
        method: "GET",
        path: "/api/company/consignees",
        access: Access::Roles(&[]),
        handler: H::Consignees,
    },
    Route {
        method: "POST",
        path: "/api/company/consignees",
        access: Access::Roles(CONSIGNEE_EDITORS),
        handler: H::ConsigneeAdd,
    },
    Route {
        method: "PATCH",
        path: "/api/company/consignees/{id}",
        access: Access::Roles(CONSIGNEE_EDITORS),
        handler: H::ConsigneeEdit,
    },
    Route {
        method: "DELETE",
        path: "/api/company/consignees/{id}",
        access: Access::Roles(CONSIGNEE_EDITORS),
        handler: H::ConsigneeArchive,
    },
    Route {
        method: "GET",
        path: "/api/company/employees",
        access: Access::Roles(ADMIN),
        handler: H::Employees,
    },
    // Names only, for every role: the order list filters by who placed an order.
    Route {
        method: "GET",
        path: "/api/company/employee-names",
        access: Access::Roles(&[]),
        handler: H::EmployeeNames,
    },
    Route {
        method: "POST",
        path: "/api/company/employees",
        access: Access::Roles(ADMIN),
        handler: H::EmployeeAdd,
    },
    Route {
        method: "GET",
        path: "/api/company/employees/{id}",
        access: Access::Roles(ADMIN),
        handler: H::Employee,
    },
    Route {
        method: "PATCH",
        path: "/api/company/employees/{id}",
        access: Access::Roles(ADMIN),
        handler: H::EmployeeEdit,
    },
    Route {
        method: "DELETE",
        path: "/api/company/employees/{id}",
        access: Access::Roles(ADMIN),
        handler: H::EmployeeRemove,
    },
    // 152-ФЗ: a removed employee's personal data erased on request (crate::auth::personal).
    Route {
        method: "POST",
        path: "/api/company/employees/{id}/erasure",
        access: Access::Roles(ADMIN),
        handler: H::EmployeeErase,
    },
    Route {
        method: "GET",
        path: "/api/company/audit",
        access: Access::Roles(ADMIN),
        handler: H::Audit,
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
    // Creating routes honour `Idempotency-Key`: a stored answer goes back as is.
    let key = match r.handler {
        H::ConsigneeAdd | H::EmployeeAdd => {
            match idempotency::start(p, req, &caller.user_id, &caller.company_id).await? {
                Start::Replay(stored) => return Ok(stored),
                Start::Go(key) => key,
            }
        }
        _ => Key::none(),
    };
    let result = async {
        match r.handler {
            H::Company => company(p, &caller).await,
            H::LegalEntityEdit => super::legal::edit(p, &caller, id, req.json()?).await,
            H::Consignees => {
                super::consignees::list(p, &caller, req.query_param("archived") == Some("true"))
                    .await
            }
            H::ConsigneeAdd => super::consignees::add(p, &caller, req.json()?, &key).await,
            H::ConsigneeEdit => super::consignees::edit(p, &caller, id, req.json()?).await,
            H::ConsigneeArchive => {
                super::consignees::archive(p, &caller, id, version_param(req)?).await
            }
            H::Employees => employees(p, &caller).await,
            H::EmployeeNames => employee_names(p, &caller).await,
            H::EmployeeAdd => super::employees::add(p, &caller, req.json()?, &key).await,
            H::Employee => employee(p, &caller, &params).await,
            H::EmployeeEdit => super::employees::edit(p, &caller, id, req.json()?).await,
            H::EmployeeRemove => {
                super::employees::remove(p, &caller, id, version_param(req)?).await
            }
            H::EmployeeErase => {
                crate::auth::personal::erase(p, &caller, id, version_param(req)?).await
            }
            H::Audit => super::audit::page(p, &caller, req).await,
        }
    }
    .await;
    key.finish(p, result).await
}

/// `?version=` of a DELETE (no body): the version the user saw.
fn version_param(req: &ApiRequest) -> AppResult<i64> {
    req.query_param("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            AppError::bad_request(
                "version-required",
                "Укажите версию (?version=).",
                "The version is required (?version=).",
            )
        })
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
    phone: Option<String>,
    email: Option<String>,
    #[serde(serialize_with = "raw_json")]
    bank_accounts: String,
    version: i64,
    /// A change waiting for 1C, or refused by it: shown beside the accepted values.
    #[serde(default)]
    change: Option<super::legal::OpenChange>,
}

fn raw_json<S: serde::Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
    let value: serde_json::Value = serde_json::from_str(v).unwrap_or(serde_json::Value::Null);
    value.serialize(s)
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
    // One batch, one snapshot: details and the state of their change agree.
    let mut read = p
        .db()
        .batch(vec![
            Stmt::new(sql::COMPANY).bind(&caller.company_id),
            Stmt::new(sql::LEGAL_ENTITIES).bind(&caller.company_id),
            super::legal::open_changes_stmt(&caller.company_id, "legal_entity"),
            Stmt::new(sql::AGREEMENTS).bind(&caller.company_id),
        ])
        .await?
        .into_iter();
    let (Some(c), Some(les), Some(open), Some(ags)) =
        (read.next(), read.next(), read.next(), read.next())
    else {
        return Err(AppError::internal("company read: missing results"));
    };
    let c: CompanyRow = c
        .parse()?
        .into_iter()
        .next()
        .ok_or_else(AppError::not_found)?;
    let mut les: Vec<LegalEntityRow> = les.parse()?;
    let mut open = super::legal::open_changes(open)?;
    for le in &mut les {
        le.change = open.remove(&le.id);
    }
    let ags: Vec<AgreementRow> = ags.parse()?;
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
    version: i64,
    has_password: i64,
    erased: i64,
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
    /// `active`, `invited` (no password yet), `deactivated` (removed) or `erased` (removed, and
    /// its personal data erased on request: 152-ФЗ).
    status: &'static str,
    roles: Roles,
    last_sign_in_at: Option<String>,
    version: i64,
}

impl From<EmployeeRow> for Employee {
    fn from(r: EmployeeRow) -> Employee {
        let status = match (r.active, r.has_password) {
            _ if r.erased == 1 => "erased",
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
            version: r.version,
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

#[derive(Debug, Deserialize, Serialize)]
struct EmployeeName {
    id: String,
    full_name: String,
}

/// The company's people by name and id, nothing else (any role: the order list's filter).
async fn employee_names<P: Ports>(p: &P, caller: &Caller) -> AppResult<ApiResponse> {
    let items: Vec<EmployeeName> = p
        .db()
        .all(Stmt::new(sql::EMPLOYEE_NAMES).bind(&caller.company_id))
        .await?;
    Ok(ApiResponse::json(200, &serde_json::json!({ "items": items })))
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
