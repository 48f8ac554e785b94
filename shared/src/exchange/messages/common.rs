//! Pieces several message types share: serde defaults and writers for the JSON the portal
//! stores, and files (1C uploads a file first, then a document or act refers to it by key).

use crate::money::{Kopecks, Milli};
use serde::{Deserialize, Serialize};

/// `#[serde(default = "yes")]`: a flag 1C may omit, true when omitted (`active`, `posted`).
pub fn yes() -> bool {
    true
}

pub fn ser_kop<S: serde::Serializer>(v: &Kopecks, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(v.0)
}

pub fn ser_milli<S: serde::Serializer>(v: &Milli, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(v.0)
}

pub fn ser_date<S: serde::Serializer>(
    v: &Option<chrono::NaiveDate>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

pub const FILE_ROLES: &[&str] = &["print", "fns_xml", "other"];
/// Largest file 1C may upload for a document or act.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// A file 1C uploaded first (`PUT /exchange/v1/files/{key}`) and now refers to by key.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FileIn {
    pub key: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    #[serde(default = "print_role")]
    pub role: String,
}

fn print_role() -> String {
    "print".into()
}

/// A key 1C chose for an uploaded file: one path segment, safe in a storage key and a URL.
pub fn file_key_ok(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && !key.starts_with('.')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Where an uploaded file lives in the blob store.
pub fn file_blob_key(key: &str) -> String {
    format!("onec/{key}")
}

/// An optional list 1C may also write as `null` (or leave out): empty.
pub fn list_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
