//! The direction of dependencies, checked on the source: the capabilities (`auth`, `company`,
//! `documents`, `finance`, `orders`, `returns`) never import `exchange`, which sits above them
//! (it applies 1C's messages to their tables and delivers their changes); the lower modules
//! they all use (`changes`, `audit_log`, `money`, ...) import no capability and no exchange.
//! A text scan of `crate::…` / `super::…` paths: cheap, and it fails on the first import
//! against the direction.

use std::path::{Path, PathBuf};

/// The capabilities: each may use the lower modules and (for now) another capability, never the
/// exchange.
const CAPABILITIES: &[&str] = &[
    "auth",
    "company",
    "documents",
    "finance",
    "notify",
    "orders",
    "returns",
];

/// The modules under the capabilities: files or directories below `src/`.
const LOWER: &[&str] = &[
    "changes",
    "audit_log.rs",
    "money.rs",
    "ids.rs",
    "idempotency.rs",
    "time.rs",
    "error.rs",
    "csv.rs",
    "validate.rs",
    "ports.rs",
    "cursor.rs",
    "config.rs",
    "sqlite.rs",
    "request_url.rs",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file at `path` (a file, or a directory walked recursively).
fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// The code of a file without its comments (line comments, doc comments and block comments),
/// so a comment may name any module.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |i| &after[i + 2..]);
        } else if let Some(after) = rest.strip_prefix("'\"'") {
            // The quote character itself, not a string.
            out.push_str("' '");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("r#\"") {
            rest = after.find("\"#").map_or("", |i| &after[i + 2..]);
            out.push_str("\"\"");
        } else if let Some(after) = rest.strip_prefix('"') {
            // A string literal: its text is not a path (skip it, escapes included).
            let mut chars = after.char_indices();
            let mut end = after.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => {}
                }
            }
            out.push_str("\"\"");
            rest = &after[end..];
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The top-level modules a file's code reaches by `crate::…` or `super::…` paths, including the
/// names inside `crate::{…}` groups. `super` is resolved against the file's place in `src/`.
fn reached(file: &Path, text: &str) -> Vec<String> {
    let code = code(text);
    let rel = file.strip_prefix(src()).unwrap();
    // The module path of the file: `orders/edit.rs` is `orders::edit`, `orders/mod.rs` is `orders`.
    let mut module: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    if module.last().is_some_and(|m| m == "mod" || m == "lib") {
        module.pop();
    }
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let word_start =
        |i: usize| i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
    let mut i = 0;
    while i < code.len() {
        let at = &bytes[i..];
        let (mut depth, mut j) = if at.starts_with(b"crate::") && word_start(i) {
            (Some(0usize), i + "crate::".len())
        } else if at.starts_with(b"super::") && word_start(i) {
            // Each `super` climbs one module from the file's own.
            let mut j = i;
            let mut up = 0;
            while bytes[j..].starts_with(b"super::") {
                up += 1;
                j += "super::".len();
            }
            (module.len().checked_sub(up), j)
        } else {
            i += 1;
            continue;
        };
        let Some(d) = depth.take() else {
            i = j;
            continue;
        };
        // `crate::{a, b::c}` names several; a path below the root names `module[0]`'s own items.
        if bytes[j..].starts_with(b"{") {
            let close = code[j..].find('}').map_or(code.len(), |k| j + k);
            if d == 0 {
                for part in code[j + 1..close].split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
            } else {
                out.push(module[0].clone());
            }
            j = close;
        } else {
            let name: String = code[j..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push(if d == 0 { name } else { module[0].clone() });
        }
        i = j.max(i + 1);
    }
    out
}

/// Every import from `files` into one of `forbidden`, as `file: module`.
fn against(dirs: &[&str], forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for dir in dirs {
        for file in rust_files(&src().join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for m in reached(&file, &text) {
                if forbidden.contains(&m.as_str()) {
                    found.push(format!(
                        "{}: {m}",
                        file.strip_prefix(src()).unwrap().display()
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn no_capability_imports_the_exchange() {
    let found = against(CAPABILITIES, &["exchange"]);
    assert!(
        found.is_empty(),
        "capabilities import the exchange: {found:#?}"
    );
}

#[test]
fn lower_modules_import_no_capability() {
    let mut upper = CAPABILITIES.to_vec();
    upper.push("exchange");
    let found = against(LOWER, &upper);
    assert!(
        found.is_empty(),
        "lower modules import a capability: {found:#?}"
    );
}

#[test]
fn the_scan_sees_every_spelling_of_an_import() {
    let file = src().join("orders/edit.rs");
    let seen = |text: &str| reached(&file, text);
    assert_eq!(seen("use crate::exchange::outbox;"), ["exchange"]);
    assert_eq!(
        seen("use crate::{changes, exchange::sql};"),
        ["changes", "exchange"]
    );
    assert_eq!(
        seen("let x = super::super::exchange::sql::X;"),
        ["exchange"]
    );
    assert_eq!(seen("use super::sql;"), ["orders"]);
    assert!(seen("// crate::exchange\n/* crate::exchange */ \"crate::exchange\"").is_empty());
    let root = src().join("orders/mod.rs");
    assert_eq!(reached(&root, "use super::exchange;"), ["exchange"]);
}
