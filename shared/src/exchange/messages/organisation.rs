//! `organisation`: one of the supplier's own organisations (1C "Организация": the seller and
//! payee), a full snapshot (`entity_id`: the organisation). Agreements, orders and documents name
//! it by 1C id (`organisation_id`); the invoice page and the bank-transfer payment choice show its
//! requisites and bank accounts. It belongs to no client company, so it waits for nothing.
//!
//! Strict: unknown fields are refused (a misspelt requisite must not vanish), every identifier is
//! checked (ИНН, КПП, ОГРН, БИК, accounts against the БИК's control key).

use super::check::required;
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold};
use crate::exchange::contract::RawMessage;
use crate::exchange::sql;
use crate::ports::{Ports, Stmt};
use serde::{Deserialize, Serialize};

/// At most this many bank accounts per organisation.
pub const MAX_BANK_ACCOUNTS: usize = 20;

/// A settlement account of the organisation (р/с) at a bank.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrgBankAccountIn {
    pub bank_name: String,
    pub bik: String,
    pub corr_account: String,
    pub account: String,
}

/// One of the supplier's organisations: a full snapshot.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationIn {
    pub name: String,
    pub full_name: Option<String>,
    pub inn: String,
    pub kpp: Option<String>,
    pub ogrn: Option<String>,
    pub address: Option<String>,
    #[serde(default)]
    pub bank_accounts: Vec<OrgBankAccountIn>,
    #[serde(default = "super::common::yes")]
    pub active: bool,
}

fn optional(errs: &mut Vec<FieldError>, field: &str, value: &Option<String>, max: usize) {
    if let Some(v) = value {
        required(errs, field, v, max);
    }
}

fn at(errs: &mut Vec<FieldError>, field: &str, r: Result<(), FieldError>) {
    if let Err(e) = r {
        errs.push(FieldError {
            field: field.into(),
            ..e
        });
    }
}

impl Inbound for OrganisationIn {
    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        required(errs, "name", &self.name, 300);
        optional(errs, "full_name", &self.full_name, 500);
        optional(errs, "address", &self.address, 500);
        at(errs, "inn", crate::validate::inn(self.inn.trim()));
        if let Some(k) = &self.kpp {
            at(errs, "kpp", crate::validate::kpp(k.trim()));
        }
        if let Some(o) = &self.ogrn {
            at(errs, "ogrn", crate::validate::ogrn(o.trim()));
        }
        if self.bank_accounts.len() > MAX_BANK_ACCOUNTS {
            errs.push(FieldError::new(
                "bank_accounts",
                "too-many",
                format!("Не больше {MAX_BANK_ACCOUNTS} счетов."),
                format!("At most {MAX_BANK_ACCOUNTS} accounts."),
            ));
        }
        for (i, b) in self.bank_accounts.iter().enumerate() {
            let f = |x: &str| format!("bank_accounts[{i}].{x}");
            required(errs, &f("bank_name"), &b.bank_name, 300);
            at(errs, &f("bik"), crate::validate::bik(b.bik.trim()));
            at(
                errs,
                &f("corr_account"),
                crate::validate::corr_account(b.corr_account.trim(), b.bik.trim()),
            );
            at(
                errs,
                &f("account"),
                crate::validate::settlement_account(b.account.trim(), b.bik.trim()),
            );
        }
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let o = self;
        let trim = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_string);
        let accounts: Vec<OrgBankAccountIn> = o
            .bank_accounts
            .iter()
            .map(|b| OrgBankAccountIn {
                bank_name: b.bank_name.trim().into(),
                bik: b.bik.trim().into(),
                corr_account: b.corr_account.trim().into(),
                account: b.account.trim().into(),
            })
            .collect();
        a.stmts.push(
            Stmt::new(sql::ORGANISATION_UPSERT)
                .bind(crate::ids::new_id("org"))
                .bind(a.v.entity_id.as_str())
                .bind(o.name.trim())
                .bind(trim(&o.full_name))
                .bind(o.inn.trim())
                .bind(trim(&o.kpp))
                .bind(trim(&o.ogrn))
                .bind(trim(&o.address))
                .bind(serde_json::to_string(&accounts).unwrap_or_default())
                .bind(o.active)
                .bind(a.now),
        );
        Ok(())
    }
}
