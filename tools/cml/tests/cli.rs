//! The built `cml` binary, run as a user would.

use std::env;
use std::path::PathBuf;
use std::process::{Command, Output};

fn cml(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cml"))
        .args(args)
        .output()
        .expect("run cml")
}

fn fixtures() -> Option<PathBuf> {
    shared::testing::commerceml_fixtures()
}

fn stderr_line(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line of error: {stderr:?}"
    );
    stderr
}

#[test]
fn inspect_prints_the_summary_as_json() {
    let Some(dir) = fixtures() else { return };
    let file = dir.join("v3.1-bitrix-module/documents.xml");
    let out = cml(&["inspect", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["schema_version"], "3.1");
    assert_eq!(json["encoding"], "utf-8");
    assert_eq!(json["counts"]["documents"], 20);
    assert_eq!(json["documents"][0]["onec_number"], "L320");
    assert_eq!(json["documents"][0]["sum_kop"], 132_000);
}

#[test]
fn offers_are_json_lines() {
    let Some(dir) = fixtures() else { return };
    let file = dir.join("v2.08-bigperson/offers.xml");
    let out = cml(&["offers", file.to_str().unwrap()]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["quantity"], 5_000);
}

#[test]
fn a_broken_file_fails_with_one_line() {
    let path = env::temp_dir().join(format!("cml-broken-{}.xml", std::process::id()));
    std::fs::write(
        &path,
        "<?xml version=\"1.0\"?>\n<КоммерческаяИнформация><Каталог></Товары>",
    )
    .unwrap();
    let out = cml(&["inspect", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr_line(&out);
    assert!(
        err.starts_with("cml: ") && err.contains("invalid XML at byte"),
        "{err}"
    );
}

#[test]
fn a_missing_file_fails_with_one_line() {
    let out = cml(&["inspect", "/nonexistent/orders.xml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_line(&out).contains("cannot read the file"));
}

#[test]
fn help_and_usage() {
    let out = cml(&["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("cml inspect FILE"));
    let out = cml(&["inspect"]);
    assert_eq!(out.status.code(), Some(2));
}
