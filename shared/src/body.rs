//! Request bodies are closed and bounded. Every JSON body type lists its fields (nested objects
//! too) and the longest string each may hold; [`check`] refuses an unknown field (a typo such as
//! `delivery_adress` would otherwise be dropped silently) or a longer string with a 422 naming the
//! field, before the typed decoding, so a handler never sees either. docs/api/openapi.yaml says
//! the same (`additionalProperties: false`, `maxLength`); tests/api/security-input.test.mjs holds
//! the two to each other route by route. Field pointers are written as the rules write them:
//! `lines[0].quantity`.

use crate::error::FieldError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Limits used by several bodies (characters, as JSON Schema's `maxLength` counts them).
pub const ID: usize = 200;
pub const EMAIL: usize = 254;
pub const PASSWORD: usize = crate::auth::password::MAX_PASSWORD_BYTES;
/// One-time link tokens (43 characters today).
pub const TOKEN: usize = 200;
pub const NAME: usize = 300;
pub const POSITION: usize = 200;
pub const ADDRESS: usize = 1000;
pub const PHONE: usize = 50;
/// ИНН, КПП, ОГРН, БИК, possibly typed with spaces.
pub const TAX_ID: usize = 32;
/// 20-digit bank accounts, possibly typed with spaces.
pub const ACCOUNT: usize = 40;
/// `YYYY-MM-DD`.
pub const DATE: usize = 10;
/// A decimal quantity given as text.
pub const QUANTITY: usize = 20;

/// What a field may hold, as far as this check goes; types are the typed decoding's business.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string of at most this many characters (or null, or another type left to serde).
    Text(usize),
    /// One of fixed values, which the handler checks against its list.
    Enum,
    /// A number or a boolean.
    Scalar,
    /// An object with exactly these fields.
    Object(&'static [Field]),
    /// An array of such elements.
    List(&'static Kind),
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// The fields of a `#[serde(flatten)]` member: its fields belong to this object.
    pub flatten: Option<&'static [Field]>,
}

impl Field {
    pub const fn text(name: &'static str, max: usize) -> Field {
        Field {
            name,
            kind: Kind::Text(max),
            flatten: None,
        }
    }
    pub const fn scalar(name: &'static str) -> Field {
        Field {
            name,
            kind: Kind::Scalar,
            flatten: None,
        }
    }
    pub const fn choice(name: &'static str) -> Field {
        Field {
            name,
            kind: Kind::Enum,
            flatten: None,
        }
    }
    pub const fn object(name: &'static str, fields: &'static [Field]) -> Field {
        Field {
            name,
            kind: Kind::Object(fields),
            flatten: None,
        }
    }
    pub const fn list(name: &'static str, item: &'static Kind) -> Field {
        Field {
            name,
            kind: Kind::List(item),
            flatten: None,
        }
    }
    pub const fn flatten(fields: &'static [Field]) -> Field {
        Field {
            name: "",
            kind: Kind::Scalar,
            flatten: Some(fields),
        }
    }
}

/// A JSON request body: its fields, and whether unknown ones are tolerated (only for senders
/// that are not the portal's pages and add fields on their own: the card acquirer, 1C).
pub trait Body: DeserializeOwned {
    const FIELDS: &'static [Field];
    const TOLERANT: bool = false;
}

/// More problems than this in one body are not listed one by one.
const MAX_ERRORS: usize = 100;

fn find(fields: &'static [Field], name: &str) -> Option<&'static Field> {
    fields.iter().find_map(|f| match f.flatten {
        Some(inner) => find(inner, name),
        None => (f.name == name).then_some(f),
    })
}

fn unknown(at: String) -> FieldError {
    FieldError::new(
        at,
        "unknown-field",
        "Неизвестное поле: в этом запросе такого нет.",
        "Unknown field: this request has no such field.",
    )
}

pub fn too_long(at: impl Into<String>, max: usize) -> FieldError {
    FieldError::new(
        at,
        "too-long",
        format!("Не длиннее {max} символов."),
        format!("At most {max} characters."),
    )
}

fn walk(v: &Value, kind: &Kind, at: &str, tolerant: bool, errs: &mut Vec<FieldError>) {
    if errs.len() >= MAX_ERRORS {
        return;
    }
    match (kind, v) {
        (Kind::Text(max), Value::String(s)) => {
            if s.chars().count() > *max {
                errs.push(too_long(at, *max));
            }
        }
        (Kind::Object(fields), Value::Object(m)) => object(m, fields, at, tolerant, errs),
        (Kind::List(item), Value::Array(a)) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, item, &format!("{at}[{i}]"), tolerant, errs);
            }
        }
        _ => {}
    }
}

fn object(
    m: &serde_json::Map<String, Value>,
    fields: &'static [Field],
    at: &str,
    tolerant: bool,
    errs: &mut Vec<FieldError>,
) {
    for (k, x) in m {
        let here = if at.is_empty() {
            k.clone()
        } else {
            format!("{at}.{k}")
        };
        match find(fields, k) {
            Some(f) => walk(x, &f.kind, &here, tolerant, errs),
            None if !tolerant && errs.len() < MAX_ERRORS => errs.push(unknown(here)),
            None => {}
        }
    }
}

/// The problems of a decoded body against its fields: unknown fields and strings over their
/// limit, each with its pointer. A body that is not an object is left to the typed decoding.
pub fn check(value: &Value, fields: &'static [Field], tolerant: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Value::Object(m) = value {
        object(m, fields, "", tolerant, &mut errs);
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LINE: &[Field] = &[Field::text("article", 5), Field::scalar("n")];
    const BASE: &[Field] = &[Field::text("name", 3)];
    const FIELDS: &[Field] = &[
        Field::flatten(BASE),
        Field::list("lines", &Kind::Object(LINE)),
        Field::list("ids", &Kind::Text(2)),
    ];

    fn codes(v: Value, tolerant: bool) -> Vec<String> {
        check(&v, FIELDS, tolerant)
            .into_iter()
            .map(|e| format!("{}:{}", e.field, e.code))
            .collect()
    }

    #[test]
    fn unknown_fields_and_long_strings_are_named_by_pointer() {
        assert!(codes(
            json!({"name": "абв", "lines": [{"article": "12345", "n": 1}], "ids": ["ab"]}),
            false
        )
        .is_empty());
        assert_eq!(
            codes(
                json!({"name": "абвг", "nmae": 1, "lines": [{"n": 1}, {"article": "123456", "x": 1}], "ids": ["ab", "abc"]}),
                false
            ),
            [
                "ids[1]:too-long",
                "lines[1].article:too-long",
                "lines[1].x:unknown-field",
                "name:too-long",
                "nmae:unknown-field"
            ]
        );
        // Tolerant bodies still bound their strings.
        assert_eq!(
            codes(json!({"extra": 1, "name": "абвг"}), true),
            ["name:too-long"]
        );
        // Other types are the typed decoding's business.
        assert!(codes(json!({"name": 5, "lines": "x"}), false).is_empty());
        assert!(codes(json!([1, 2]), false).is_empty());
    }

    #[test]
    fn a_flood_of_unknown_fields_is_listed_up_to_a_limit() {
        let many: serde_json::Map<String, Value> =
            (0..1000).map(|i| (format!("f{i}"), json!(1))).collect();
        assert_eq!(check(&Value::Object(many), FIELDS, false).len(), MAX_ERRORS);
    }
}
