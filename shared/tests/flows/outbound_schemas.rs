//! The contract lists every change kind the code sends: each `ChangeKind::ALL` has a JSON Schema
//! under `docs/exchange/schemas/changes/` (`<type>.schema.json`, strict: `additionalProperties`
//! false) and a row in section 6 of docs/exchange/1c-contract.md linking it; no schema or row
//! names a kind the code does not have. The node suite validates the changes themselves.

use serde_json::Value;
use shared::changes::ChangeKind;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/exchange")
}

fn schema(name: &str) -> Value {
    let path = docs().join("schemas/changes").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (every change kind needs its schema)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Section 6 of the contract, up to section 7.
fn section_6() -> String {
    let text = std::fs::read_to_string(docs().join("1c-contract.md")).unwrap();
    let start = text.find("\n## 6.").expect("section 6");
    let end = text[start..]
        .find("\n## 7.")
        .map_or(text.len(), |e| start + e);
    text[start..end].to_string()
}

#[test]
fn every_change_kind_has_a_strict_schema() {
    let frame = schema("change.schema.json");
    assert_eq!(
        frame["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(frame["additionalProperties"], false, "the frame is strict");
    for k in ChangeKind::ALL {
        let s = schema(&format!("{}.schema.json", k.as_str()));
        assert_eq!(
            s["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{k}"
        );
        assert_eq!(
            s["$ref"], "change.schema.json",
            "{k}: a change in the common frame"
        );
        assert_eq!(s["properties"]["type"]["const"], k.as_str(), "{k}");
        let payload = &s["properties"]["payload"];
        assert_eq!(
            payload["additionalProperties"], false,
            "{k}: its payload is strict"
        );
        let required: Vec<&str> = payload["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert!(
            required.contains(&"company_id"),
            "{k}: every payload names the company"
        );
    }
}

#[test]
fn no_schema_names_a_kind_the_code_does_not_have() {
    let known: BTreeSet<String> = ChangeKind::ALL
        .iter()
        .map(|k| format!("{}.schema.json", k.as_str()))
        .collect();
    for f in std::fs::read_dir(docs().join("schemas/changes")).unwrap() {
        let name = f.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            name == "change.schema.json" || known.contains(&name),
            "{name}: no change kind has this name (ChangeKind::ALL)"
        );
    }
}

#[test]
fn section_6_documents_every_kind_and_no_other() {
    let s6 = section_6();
    for k in ChangeKind::ALL {
        let row = format!("| [`{k}`](schemas/changes/{k}.schema.json) |");
        assert!(
            s6.lines().any(|l| l.starts_with(&row)),
            "section 6 of docs/exchange/1c-contract.md has no row for {k} (expected a line starting with {row:?})"
        );
    }
    // Every kind a row names exists.
    for l in s6.lines().filter(|l| l.starts_with("| [`")) {
        let name = l["| [`".len()..].split('`').next().unwrap_or("");
        assert!(
            ChangeKind::parse(name).is_some(),
            "section 6 documents {name:?}, a kind the code does not send"
        );
    }
}
