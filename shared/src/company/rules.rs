//! What a client may write about its company: legal entity details (with the Russian checks of
//! ИНН, КПП, ОГРН, БИК and accounts), consignees and employees. Pure functions, tested natively.

use crate::auth::roles::{Role, Roles};
use crate::error::FieldError;
use crate::validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct BankAccount {
    pub bik: String,
    #[serde(default)]
    pub bank_name: Option<String>,
    pub corr_account: String,
    pub account: String,
}

/// The fields a client may send for [`BankAccount`], with their limits (crate::body).
pub const BANK_ACCOUNT_FIELDS: &[crate::body::Field] = &[
    crate::body::Field::text("bik", crate::body::TAX_ID),
    crate::body::Field::text("bank_name", crate::body::NAME),
    crate::body::Field::text("corr_account", crate::body::ACCOUNT),
    crate::body::Field::text("account", crate::body::ACCOUNT),
];

/// A legal entity's details as the admin submits them (the whole set, based on `version`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct LegalEntityDetails {
    pub name: String,
    pub full_name: Option<String>,
    pub inn: String,
    pub kpp: Option<String>,
    pub ogrn: Option<String>,
    pub legal_address: Option<String>,
    pub postal_address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub bank_accounts: Vec<BankAccount>,
}

/// The fields a client may send for [`LegalEntityDetails`], with their limits (crate::body).
pub const LEGAL_ENTITY_FIELDS: &[crate::body::Field] = &[
    crate::body::Field::text("name", crate::body::NAME),
    crate::body::Field::text("full_name", 500),
    crate::body::Field::text("inn", crate::body::TAX_ID),
    crate::body::Field::text("kpp", crate::body::TAX_ID),
    crate::body::Field::text("ogrn", crate::body::TAX_ID),
    crate::body::Field::text("legal_address", crate::body::ADDRESS),
    crate::body::Field::text("postal_address", crate::body::ADDRESS),
    crate::body::Field::text("phone", crate::body::PHONE),
    crate::body::Field::text("email", crate::body::EMAIL),
    crate::body::Field::list(
        "bank_accounts",
        &crate::body::Kind::Object(BANK_ACCOUNT_FIELDS),
    ),
];

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn at(prefix: &str, mut e: FieldError) -> FieldError {
    e.field = format!("{prefix}{}", e.field);
    e
}

fn text(errs: &mut Vec<FieldError>, field: &str, value: Option<&str>, required: bool, max: usize) {
    match value.map(str::trim) {
        None | Some("") if required => errs.push(FieldError::new(
            field,
            "required",
            "Поле обязательно.",
            "Required.",
        )),
        Some(v) if v.chars().count() > max => errs.push(FieldError::new(
            field,
            "too-long",
            format!("Не длиннее {max} символов."),
            format!("At most {max} characters."),
        )),
        _ => {}
    }
}

impl LegalEntityDetails {
    /// Trimmed, empty optional values as `None`, digits-only ids without spaces.
    pub fn normalized(&self) -> LegalEntityDetails {
        let digits = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        LegalEntityDetails {
            name: self.name.trim().to_string(),
            full_name: trimmed(&self.full_name),
            inn: digits(&self.inn),
            kpp: trimmed(&self.kpp).map(|k| digits(&k)),
            ogrn: trimmed(&self.ogrn).map(|o| digits(&o)),
            legal_address: trimmed(&self.legal_address),
            postal_address: trimmed(&self.postal_address),
            phone: trimmed(&self.phone),
            email: trimmed(&self.email).map(|e| crate::validate::Email::normalized(&e).into()),
            bank_accounts: self
                .bank_accounts
                .iter()
                .map(|b| BankAccount {
                    bik: digits(&b.bik),
                    bank_name: trimmed(&b.bank_name),
                    corr_account: digits(&b.corr_account),
                    account: digits(&b.account),
                })
                .collect(),
        }
    }

    /// Every problem at once, per field, in Russian and English.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        text(&mut errs, "name", Some(&self.name), true, 300);
        text(
            &mut errs,
            "full_name",
            self.full_name.as_deref(),
            false,
            500,
        );
        text(
            &mut errs,
            "legal_address",
            self.legal_address.as_deref(),
            false,
            1000,
        );
        text(
            &mut errs,
            "postal_address",
            self.postal_address.as_deref(),
            false,
            1000,
        );
        if let Err(e) = validate::inn(&self.inn) {
            errs.push(e);
        }
        // An organisation (10-digit ИНН) has a КПП; an entrepreneur (12 digits) does not.
        match (&self.kpp, self.inn.len()) {
            (Some(k), _) => {
                if let Err(e) = validate::kpp(k) {
                    errs.push(e);
                }
            }
            (None, 10) => errs.push(FieldError::new(
                "kpp",
                "required",
                "У организации укажите КПП.",
                "An organisation needs a KPP.",
            )),
            _ => {}
        }
        if let Some(o) = &self.ogrn {
            if let Err(e) = validate::ogrn(o) {
                errs.push(e);
            }
        }
        if self
            .phone
            .as_deref()
            .is_some_and(|p| !validate::phone_ok(p))
        {
            errs.push(FieldError::new(
                "phone",
                "invalid-phone",
                "Телефон: цифры, пробелы и знаки + ( ) -, от 5 до 15 цифр.",
                "Phone: digits, spaces and + ( ) -, 5 to 15 digits.",
            ));
        }
        if self
            .email
            .as_deref()
            .is_some_and(|e| !validate::email_ok(e))
        {
            errs.push(FieldError::new(
                "email",
                "invalid-email",
                "Некорректный e-mail.",
                "Not a valid e-mail.",
            ));
        }
        if self.bank_accounts.len() > 10 {
            errs.push(FieldError::new(
                "bank_accounts",
                "too-many",
                "Не более 10 счетов.",
                "At most 10 accounts.",
            ));
        }
        for (i, b) in self.bank_accounts.iter().enumerate() {
            let prefix = format!("bank_accounts[{i}].");
            match validate::bik(&b.bik) {
                Err(e) => errs.push(at(&prefix, e)),
                Ok(()) => {
                    if let Err(e) = validate::corr_account(&b.corr_account, &b.bik) {
                        errs.push(at(&prefix, e));
                    }
                    if let Err(e) = validate::settlement_account(&b.account, &b.bik) {
                        errs.push(at(&prefix, e));
                    }
                }
            }
            text(
                &mut errs,
                &format!("{prefix}bank_name"),
                b.bank_name.as_deref(),
                false,
                300,
            );
        }
        errs
    }
}

/// A consignee as a client enters it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct ConsigneeDetails {
    pub name: String,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub address: String,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
}

/// The fields a client may send for [`ConsigneeDetails`], with their limits (crate::body).
pub const CONSIGNEE_FIELDS: &[crate::body::Field] = &[
    crate::body::Field::text("name", crate::body::NAME),
    crate::body::Field::text("inn", crate::body::TAX_ID),
    crate::body::Field::text("kpp", crate::body::TAX_ID),
    crate::body::Field::text("address", crate::body::ADDRESS),
    crate::body::Field::text("contact_person", crate::body::NAME),
    crate::body::Field::text("phone", crate::body::PHONE),
];
impl crate::body::Body for ConsigneeDetails {
    const FIELDS: &'static [crate::body::Field] = CONSIGNEE_FIELDS;
}

impl ConsigneeDetails {
    pub fn normalized(&self) -> ConsigneeDetails {
        ConsigneeDetails {
            name: self.name.trim().to_string(),
            inn: trimmed(&self.inn),
            kpp: trimmed(&self.kpp),
            address: self.address.trim().to_string(),
            contact_person: trimmed(&self.contact_person),
            phone: trimmed(&self.phone),
        }
    }

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        text(&mut errs, "name", Some(&self.name), true, 300);
        text(&mut errs, "address", Some(&self.address), true, 1000);
        text(
            &mut errs,
            "contact_person",
            self.contact_person.as_deref(),
            false,
            300,
        );
        if let Some(inn) = &self.inn {
            if let Err(e) = validate::inn(inn) {
                errs.push(e);
            }
        }
        if let Some(kpp) = &self.kpp {
            if let Err(e) = validate::kpp(kpp) {
                errs.push(e);
            }
        }
        if self
            .phone
            .as_deref()
            .is_some_and(|p| !validate::phone_ok(p))
        {
            errs.push(FieldError::new(
                "phone",
                "invalid-phone",
                "Телефон: цифры, пробелы и знаки + ( ) -, от 5 до 15 цифр.",
                "Phone: digits, spaces and + ( ) -, 5 to 15 digits.",
            ));
        }
        errs
    }
}

/// An employee as an admin enters them.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct EmployeeDetails {
    pub full_name: String,
    pub position: Option<String>,
    pub phone: Option<String>,
    pub roles: Vec<String>,
}

/// The fields a client may send for [`EmployeeDetails`], with their limits (crate::body).
pub const EMPLOYEE_FIELDS: &[crate::body::Field] = &[
    crate::body::Field::text("full_name", crate::body::NAME),
    crate::body::Field::text("position", crate::body::POSITION),
    crate::body::Field::text("phone", crate::body::PHONE),
    crate::body::Field::list("roles", &crate::body::Kind::Enum),
];

impl EmployeeDetails {
    pub fn normalized(&self) -> EmployeeDetails {
        EmployeeDetails {
            full_name: self.full_name.trim().to_string(),
            position: trimmed(&self.position),
            phone: trimmed(&self.phone),
            roles: self.roles.iter().map(|r| r.trim().to_string()).collect(),
        }
    }

    /// The checked details and their roles.
    pub fn validate(&self) -> Result<Roles, Vec<FieldError>> {
        let mut errs = Vec::new();
        text(&mut errs, "full_name", Some(&self.full_name), true, 300);
        text(&mut errs, "position", self.position.as_deref(), false, 200);
        if self
            .phone
            .as_deref()
            .is_some_and(|p| !validate::phone_ok(p))
        {
            errs.push(FieldError::new(
                "phone",
                "invalid-phone",
                "Телефон: цифры, пробелы и знаки + ( ) -, от 5 до 15 цифр.",
                "Phone: digits, spaces and + ( ) -, 5 to 15 digits.",
            ));
        }
        let roles: Vec<Role> = self.roles.iter().filter_map(|r| Role::parse(r)).collect();
        if roles.len() != self.roles.len() || roles.is_empty() {
            errs.push(FieldError::new(
                "roles",
                "invalid-roles",
                "Выберите хотя бы одну роль: admin, buyer, accountant.",
                "Choose at least one role: admin, buyer, accountant.",
            ));
        }
        if errs.is_empty() {
            Ok(Roles::new(roles))
        } else {
            Err(errs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> LegalEntityDetails {
        LegalEntityDetails {
            name: " ООО Ромашка ".into(),
            inn: "7707083893".into(),
            kpp: Some("773601001".into()),
            ogrn: Some("1027700132195".into()),
            bank_accounts: vec![BankAccount {
                bik: "044525225".into(),
                bank_name: Some("ПАО Сбербанк".into()),
                corr_account: "30101810400000000225".into(),
                account: "4070 2819 9380 0000 1234".into(),
            }],
            ..Default::default()
        }
        .normalized()
    }

    fn fields(errs: &[FieldError]) -> Vec<(String, &'static str)> {
        errs.iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    #[test]
    fn good_details_pass_after_normalising() {
        let d = good();
        assert_eq!(d.name, "ООО Ромашка");
        assert_eq!(d.bank_accounts[0].account, "40702819938000001234");
        assert!(d.validate().is_empty(), "{:?}", fields(&d.validate()));
    }

    #[test]
    fn each_bad_identifier_is_named_with_its_field() {
        let mut d = good();
        d.inn = "7707083894".into();
        d.ogrn = Some("1027700132196".into());
        d.kpp = Some("77360100".into());
        d.bank_accounts.push(BankAccount {
            bik: "044525225".into(),
            bank_name: None,
            corr_account: "30101810400000000226".into(),
            account: "40702810938000001234".into(),
        });
        d.bank_accounts.push(BankAccount {
            bik: "123".into(),
            ..Default::default()
        });
        let f = fields(&d.validate());
        assert_eq!(
            f,
            vec![
                ("inn".to_string(), "invalid-inn"),
                ("kpp".to_string(), "invalid-kpp"),
                ("ogrn".to_string(), "invalid-ogrn"),
                (
                    "bank_accounts[1].corr_account".to_string(),
                    "invalid-corr-account"
                ),
                ("bank_accounts[1].account".to_string(), "invalid-account"),
                ("bank_accounts[2].bik".to_string(), "invalid-bik"),
            ]
        );
        // Every message exists in both languages.
        assert!(d
            .validate()
            .iter()
            .all(|e| !e.message_ru.is_empty() && !e.message_en.is_empty()));
    }

    #[test]
    fn an_organisation_needs_a_kpp_an_entrepreneur_does_not() {
        let mut d = good();
        d.kpp = None;
        assert_eq!(fields(&d.validate()), vec![("kpp".to_string(), "required")]);
        d.inn = "500100732259".into(); // a valid 12-digit ИНН
        d.ogrn = Some("304500116000157".into());
        assert!(d.validate().is_empty(), "{:?}", fields(&d.validate()));
    }

    #[test]
    fn employees_need_a_name_and_known_roles() {
        let e = EmployeeDetails {
            full_name: " ".into(),
            roles: vec!["buyer".into(), "root".into()],
            ..Default::default()
        }
        .normalized();
        let errs = e.validate().unwrap_err();
        assert_eq!(
            fields(&errs),
            vec![
                ("full_name".to_string(), "required"),
                ("roles".to_string(), "invalid-roles")
            ]
        );
        let ok = EmployeeDetails {
            full_name: "Петров Пётр".into(),
            roles: vec!["accountant".into()],
            ..Default::default()
        };
        assert!(ok.validate().unwrap().has(Role::Accountant));
    }

    #[test]
    fn consignees_check_inn_and_phone() {
        let c = ConsigneeDetails {
            name: "Склад".into(),
            address: "Краснодар".into(),
            inn: Some("123".into()),
            phone: Some("abc".into()),
            ..Default::default()
        }
        .normalized();
        assert_eq!(
            fields(&c.validate()),
            vec![
                ("inn".to_string(), "invalid-inn"),
                ("phone".to_string(), "invalid-phone")
            ]
        );
    }
}
