//! The field checks the message modules share. Each pushes a `FieldError` and goes on, so 1C
//! learns every problem of a message at once; the rejection reason lists them as
//! `field: English text`.

use super::common::{file_key_ok, FileIn, FILE_ROLES, MAX_FILE_BYTES};
use crate::error::FieldError;
use crate::exchange::contract::RawMessage;
use crate::money::Kopecks;

/// The rejection reason for a list of field errors.
pub fn field_reasons(errs: &[FieldError]) -> String {
    errs.iter()
        .map(|e| format!("{}: {}", e.field, e.message_en))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A text that must not be blank and has at most `max` characters.
pub fn required(errs: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        errs.push(FieldError::new(
            field,
            "required",
            "Поле обязательно.",
            "Required.",
        ));
    } else if value.chars().count() > max {
        errs.push(FieldError::new(
            field,
            "too-long",
            format!("Не длиннее {max} символов."),
            format!("At most {max} characters."),
        ));
    }
}

/// At most this many portal changes named by one snapshot.
pub const MAX_CHANGE_IDS: usize = 100;

/// `change_ids`: the portal changes a snapshot results from (ids the portal gave them); an id
/// that names no change of the company is ignored when applied, so only the shape is checked.
pub fn change_ids(errs: &mut Vec<FieldError>, ids: &[String]) {
    if ids.len() > MAX_CHANGE_IDS {
        errs.push(FieldError::new(
            "change_ids",
            "too-many",
            format!("Не больше {MAX_CHANGE_IDS} изменений."),
            format!("At most {MAX_CHANGE_IDS} changes."),
        ));
    }
    for (i, id) in ids.iter().enumerate() {
        required(errs, &format!("change_ids[{i}]"), id, 100);
    }
}

/// A value from a fixed vocabulary (statuses, kinds, methods).
pub fn one_of(
    errs: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    allowed: &[&str],
    code: &'static str,
    ru: &str,
    en: impl FnOnce() -> String,
) {
    if !allowed.contains(&value) {
        errs.push(FieldError::new(field, code, ru, en()));
    }
}

/// An amount that must not be negative.
pub fn non_negative(
    errs: &mut Vec<FieldError>,
    field: impl Into<String>,
    value: Kopecks,
    ru: &str,
) {
    if value.0 < 0 {
        errs.push(FieldError::new(
            field,
            "negative",
            ru,
            "Must not be negative.",
        ));
    }
}

/// An amount that must be above zero.
pub fn positive(
    errs: &mut Vec<FieldError>,
    field: impl Into<String>,
    value: Kopecks,
    ru: &str,
    en: &str,
) {
    if value.0 <= 0 {
        errs.push(FieldError::new(field, "not-positive", ru, en));
    }
}

/// A payload field that repeats the message's `entity_id`.
pub fn same_as_entity(errs: &mut Vec<FieldError>, field: &str, value: &str, m: &RawMessage) {
    if value != m.entity_id {
        errs.push(FieldError::new(
            field,
            "entity-mismatch",
            "Должен совпадать с entity_id.",
            "Must equal entity_id.",
        ));
    }
}

/// A refusal (status `rejected`) says why.
pub fn reason_if_rejected(errs: &mut Vec<FieldError>, status: &str, reason: Option<&str>) {
    if status == "rejected" && reason.is_none_or(|x| x.trim().is_empty()) {
        errs.push(FieldError::new(
            "reason",
            "required",
            "Укажите причину отказа.",
            "A rejection needs a reason.",
        ));
    }
}

/// A ИНН with valid check digits, reported under `field`.
pub fn inn(errs: &mut Vec<FieldError>, field: &str, value: &str) {
    if let Err(e) = crate::validate::inn(value) {
        errs.push(FieldError {
            field: field.into(),
            ..e
        });
    }
}

/// Files a document or act refers to: a safe key, a name, a size within limits, a known role.
pub fn files(errs: &mut Vec<FieldError>, files: &[FileIn]) {
    for (i, f) in files.iter().enumerate() {
        if !file_key_ok(&f.key) {
            errs.push(FieldError::new(
                format!("files[{i}].key"),
                "invalid",
                "Ключ файла: латиница, цифры, . _ -",
                "File key: letters, digits, . _ - only.",
            ));
        }
        required(errs, &format!("files[{i}].name"), &f.name, 255);
        if f.size == 0 || f.size > MAX_FILE_BYTES {
            errs.push(FieldError::new(
                format!("files[{i}].size"),
                "invalid",
                "Размер файла от 1 байта до 20 МБ.",
                "File size must be 1 byte..20 MB.",
            ));
        }
        if !FILE_ROLES.contains(&f.role.as_str()) || !f.content_type.contains('/') {
            errs.push(FieldError::new(
                format!("files[{i}].role"),
                "invalid",
                "Роль файла: print, fns_xml, other; тип содержимого MIME.",
                "Role is print, fns_xml or other; content_type a MIME type.",
            ));
        }
    }
}
