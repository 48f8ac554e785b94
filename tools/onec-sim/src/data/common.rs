//! Small helpers every part of the demo data uses, so no part imports another for them: the
//! simulated 1C's "now" (`AS_OF`), dates and money as 1C and the printed forms write them, the file
//! entry of a message, the names of the demo legal entities and where their orders are delivered.

use super::companies;
use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

/// The moment the simulated 1C computes the credit positions; every order is older.
pub const AS_OF: &str = "2026-11-27T18:00:00";

pub fn as_of() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 27)
        .unwrap()
        .and_hms_opt(18, 0, 0)
        .unwrap()
}

pub fn fmt_1c(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Where an order of a legal entity goes by a delivery method (none for a pickup).
pub fn delivery_address(legal_entity: &str, delivery: &str) -> Option<&'static str> {
    match (delivery, legal_entity) {
        ("pickup", _) => None,
        ("delivery", "le-kuban-1") => Some("Краснодарский край, ст. Каневская, ул. Полевая, 1"),
        ("delivery", "le-kuban-2") => Some("Краснодарский край, г. Тимашевск, ул. Элеваторная, 5"),
        ("delivery", "le-petrov-1") => {
            Some("Ростовская область, Сальский район, х. Рассвет, ул. Степная, 12")
        }
        ("delivery", _) => Some("Ставропольский край, г. Светлоград, ул. Промышленная, 3"),
        (_, "le-kuban-1" | "le-kuban-2") => {
            Some("ТК «Деловые Линии», терминал: Краснодарский край, г. Тимашевск, ул. Гибридная, 2")
        }
        (_, "le-petrov-1") => {
            Some("ТК «ПЭК», терминал: Ростовская область, г. Сальск, ул. Кирова, 40")
        }
        _ => Some("ТК «ПЭК», терминал: г. Ставрополь, ул. Коломийцева, 48"),
    }
}

/// The consignee an order delivered by the supplier goes to: the legal entity's own site at the
/// order's delivery address (orders picked up or sent by a transport company name none).
pub fn delivery_consignee(legal_entity: &str) -> Option<&'static str> {
    match legal_entity {
        "le-kuban-1" => Some("k-kuban-1"),
        "le-kuban-2" => Some("k-kuban-2"),
        "le-petrov-1" => Some("k-petrov-1"),
        "le-step-1" => Some("k-step-1"),
        _ => None,
    }
}

/// A day as the printed forms write it: `05.03.2026`.
pub fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// A day as 1C writes a Дата: `2026-03-05T00:00:00`.
pub fn date_1c(d: NaiveDate) -> String {
    format!("{}T00:00:00", d.format("%Y-%m-%d"))
}

/// Kopecks as text for the printed forms: `2469.00`.
pub fn money(k: i64) -> String {
    let sign = if k < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", k.abs() / 100, k.abs() % 100)
}

/// The short name of a demo legal entity.
pub fn legal_entity_name(id: &str) -> &'static str {
    companies()
        .iter()
        .flat_map(|c| c.legal_entities.iter())
        .find(|le| le.0 == id)
        .map_or("", |le| le.1)
}

/// A file entry of a message: the printed PDF.
pub fn file_json(key: String, name: String, size: usize) -> Value {
    json!({"key": key, "name": name, "content_type": "application/pdf", "size": size, "role": "print"})
}
