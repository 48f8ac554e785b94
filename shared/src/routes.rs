//! Every route of every capability, read straight from the routers' tables: the authorisation
//! matrix test and the OpenAPI check use this list, so a route cannot exist unlisted.

use crate::http::{Access, Route};
use serde::Serialize;

#[derive(Debug, Serialize, PartialEq)]
pub struct RouteInfo {
    pub capability: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    /// `public`, `onec`, `monitor`, `commerceml`, or `signed-in` with `roles` (empty: any role).
    pub access: &'static str,
    pub roles: Vec<&'static str>,
}

fn infos<H>(capability: &'static str, routes: &[Route<H>]) -> Vec<RouteInfo> {
    routes
        .iter()
        .map(|r| {
            let (access, roles) = match r.access {
                // Open to anyone, like a public route (the matrix calls it signed out).
                Access::Public | Access::Notification => ("public", vec![]),
                Access::Onec => ("onec", vec![]),
                Access::Monitor => ("monitor", vec![]),
                Access::CommerceMl => ("commerceml", vec![]),
                Access::Roles(rs) => ("signed-in", rs.iter().map(|r| r.as_str()).collect()),
            };
            RouteInfo {
                capability,
                method: r.method,
                path: r.path,
                access,
                roles,
            }
        })
        .collect()
}

pub fn all() -> Vec<RouteInfo> {
    let mut v = infos("auth", crate::auth::api::ROUTES);
    v.extend(infos("company", crate::company::api::ROUTES));
    v.extend(infos("finance", crate::finance::api::ROUTES));
    v.extend(infos("orders", crate::orders::api::ROUTES));
    v.extend(infos("documents", crate::documents::api::ROUTES));
    v.extend(infos("exchange", crate::exchange::api::ROUTES));
    v.extend(infos("returns", crate::returns::api::ROUTES));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route in the routers appears in docs/api/openapi.yaml with its method, and the file
    /// lists no route the routers lack.
    #[test]
    fn openapi_lists_exactly_the_routes() {
        let spec = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/api/openapi.yaml"
        ))
        .expect("docs/api/openapi.yaml");
        let mut documented = Vec::new();
        let mut current_path: Option<String> = None;
        for line in spec.lines() {
            if let Some(p) = line.strip_prefix("  /").and_then(|l| l.strip_suffix(':')) {
                current_path = Some(format!("/{p}"));
            } else if let (Some(path), Some(m)) = (
                &current_path,
                line.strip_prefix("    ").and_then(|l| l.strip_suffix(':')),
            ) {
                if ["get", "post", "put", "patch", "delete"].contains(&m) {
                    documented.push(format!("{} {}", m.to_uppercase(), path));
                }
            } else if !line.starts_with(' ') && !line.is_empty() {
                current_path = None;
            }
        }
        let mut routed: Vec<String> = all()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        routed.sort();
        documented.sort();
        assert_eq!(routed, documented, "routers vs docs/api/openapi.yaml");
    }
}
