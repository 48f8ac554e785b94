//! Roles per company. A user may hold several; each capability names the roles it serves.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Company data and employees.
    Admin,
    /// Orders and returns.
    Buyer,
    /// Finance, documents, reconciliation acts.
    Accountant,
}

pub const ALL_ROLES: [Role; 3] = [Role::Admin, Role::Buyer, Role::Accountant];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Buyer => "buyer",
            Role::Accountant => "accountant",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "buyer" => Some(Role::Buyer),
            "accountant" => Some(Role::Accountant),
            _ => None,
        }
    }
}

/// A sorted, duplicate-free set of roles, stored as `admin,buyer`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Roles(Vec<Role>);

impl Roles {
    pub fn new(mut roles: Vec<Role>) -> Roles {
        crate::sort::sort_by(&mut roles, Ord::cmp);
        roles.dedup();
        Roles(roles)
    }

    /// Parses the stored form; unknown names are an error, not silently dropped.
    pub fn parse_list(s: &str) -> Result<Roles, String> {
        let mut v = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            v.push(Role::parse(part).ok_or_else(|| format!("unknown role {part:?}"))?);
        }
        Ok(Roles::new(v))
    }

    pub fn to_list(&self) -> String {
        self.0
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// True when `allowed` is empty (any signed-in user) or shares a role with this set.
    pub fn any_of(&self, allowed: &[Role]) -> bool {
        allowed.is_empty() || allowed.iter().any(|r| self.has(*r))
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_sorted() {
        let r = Roles::parse_list("buyer, admin,buyer").unwrap();
        assert_eq!(r.to_list(), "admin,buyer");
        assert!(r.any_of(&[Role::Accountant, Role::Buyer]));
        assert!(!r.any_of(&[Role::Accountant]));
        assert!(r.any_of(&[]));
        assert!(Roles::parse_list("admin,root").is_err());
    }
}
