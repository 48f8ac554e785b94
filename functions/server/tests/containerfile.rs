//! The container file (`functions/server/Containerfile`) cannot be built here (no container
//! daemon on the test machines), so this keeps it consistent with what it builds from: every
//! path it copies exists and is in the build context, every variable it sets is one the server
//! reads, the paths it sets are where it copies and keeps data, the workspace builds from that
//! context, and it runs as a user who is not root.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The instructions, continuation lines joined, comments dropped: (keyword, arguments).
fn instructions() -> Vec<(String, String)> {
    let text = read("functions/server/Containerfile");
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(head) = t.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(t);
        let (k, rest) = current.split_once(' ').unwrap_or((&current, ""));
        out.push((k.to_ascii_uppercase(), rest.trim().to_string()));
        current.clear();
    }
    out
}

fn ignored() -> Vec<String> {
    read(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn excluded(path: &str, ignored: &[String]) -> bool {
    let first = path.split('/').next().unwrap_or(path);
    ignored.iter().any(|i| i == first || i == path)
}

/// `KEY=value` pairs of every `ENV`.
fn env_vars() -> Vec<(String, String)> {
    instructions()
        .into_iter()
        .filter(|(k, _)| k == "ENV")
        .flat_map(|(_, args)| {
            args.split_whitespace()
                .map(|kv| {
                    let (k, v) = kv.split_once('=').expect("ENV KEY=value");
                    (k.to_string(), v.to_string())
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_copied_path_exists_in_the_build_context() {
    let ignored = ignored();
    let mut copied = 0;
    for (k, args) in instructions() {
        if k != "COPY" || args.starts_with("--from") {
            continue;
        }
        let parts: Vec<&str> = args.split_whitespace().collect();
        for src in &parts[..parts.len() - 1] {
            copied += 1;
            if *src == "." {
                continue;
            }
            assert!(root().join(src).exists(), "COPY {src}: no such path");
            assert!(
                !excluded(src, &ignored),
                "COPY {src}: excluded by .dockerignore"
            );
        }
    }
    assert!(copied >= 3, "the sources, the pages and the migrations");
    // The whole workspace is built from the context: no member may be left out of it.
    let manifest = read("Cargo.toml");
    let members = manifest
        .split("members = [")
        .nth(1)
        .and_then(|m| m.split(']').next())
        .expect("workspace members");
    for m in members
        .split(',')
        .map(|m| m.trim().trim_matches('"'))
        .filter(|m| !m.is_empty())
    {
        assert!(
            !excluded(m, &ignored),
            "workspace member {m} excluded by .dockerignore"
        );
    }
    for secret in [
        ".dev-secrets",
        ".dev.vars",
        "target",
        "node_modules",
        ".git",
    ] {
        assert!(
            excluded(secret, &ignored),
            "{secret} must stay out of the image's context"
        );
    }
}

#[test]
fn every_variable_it_sets_is_one_the_server_reads() {
    let sources = read("functions/server/src/settings.rs") + &read("shared/src/config.rs");
    let vars = env_vars();
    assert!(!vars.is_empty());
    for (k, _) in &vars {
        assert!(
            sources.contains(&format!("\"{k}\"")),
            "ENV {k}: the server never reads it"
        );
    }
    let get = |name: &str| {
        vars.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("ENV {name} not set"))
    };
    // The pages and the migrations are where they were copied; the data is on the volume.
    let copies: BTreeSet<String> = instructions()
        .into_iter()
        .filter(|(k, _)| k == "COPY")
        .filter_map(|(_, a)| a.split_whitespace().last().map(str::to_string))
        .collect();
    for name in ["STATIC_DIR", "MIGRATIONS_DIR"] {
        assert!(
            copies.contains(&get(name)),
            "{name}={} is not a COPY destination",
            get(name)
        );
    }
    let volume = instructions()
        .into_iter()
        .find(|(k, _)| k == "VOLUME")
        .map(|(_, a)| {
            a.trim_matches(|c| c == '[' || c == ']')
                .trim_matches('"')
                .to_string()
        })
        .expect("a VOLUME for the data");
    for name in ["DATABASE_PATH", "BLOB_DIR"] {
        assert!(
            get(name).starts_with(&format!("{volume}/")),
            "{name} is not on the volume {volume}"
        );
    }
    let port = get("BIND").rsplit(':').next().unwrap().to_string();
    assert!(
        instructions()
            .iter()
            .any(|(k, a)| k == "EXPOSE" && a == &port),
        "EXPOSE {port}"
    );
}

#[test]
fn it_builds_this_server_and_runs_it_unprivileged_with_a_health_check() {
    let all = instructions();
    let run = all
        .iter()
        .find(|(k, a)| k == "RUN" && a.contains("cargo build"))
        .expect("the build step");
    assert!(run.1.contains("--release") && run.1.contains("--locked"));
    assert!(run.1.contains("-p portal-server"));
    assert!(read("functions/server/Cargo.toml").contains("name = \"portal-server\""));
    // The build image's Rust is at least the workspace's rust-version.
    let from = &all.iter().find(|(k, _)| k == "FROM").unwrap().1;
    let image_minor: u32 = from
        .split("rust:1.")
        .nth(1)
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let manifest = read("Cargo.toml");
    let needed: u32 = manifest
        .split("rust-version = \"1.")
        .nth(1)
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        image_minor >= needed,
        "rust:1.{image_minor} < rust-version 1.{needed}"
    );
    let user = &all.iter().rfind(|(k, _)| k == "USER").expect("USER").1;
    assert!(
        !user.starts_with("root") && !user.starts_with('0'),
        "USER {user}"
    );
    let entry = &all
        .iter()
        .find(|(k, _)| k == "ENTRYPOINT")
        .expect("ENTRYPOINT")
        .1;
    let health = &all
        .iter()
        .find(|(k, _)| k == "HEALTHCHECK")
        .expect("HEALTHCHECK")
        .1;
    let binary = entry
        .trim_matches(|c| c == '[' || c == ']')
        .trim_matches('"');
    assert!(
        health.contains(&format!("\"{binary}\", \"health\"")),
        "{health}"
    );
    assert!(
        all.iter()
            .any(|(k, a)| k == "COPY" && a.starts_with("--from=build") && a.ends_with(binary)),
        "the built binary is copied to {binary}"
    );
    assert!(read("functions/server/src/main.rs").contains("cmd == \"health\""));
}
