//! Every input fuzzing once found failing (`fuzz/regressions/TARGET/`), run through the same
//! check as the fuzz target (`shared::fuzz_checks`), so a fixed crash stays fixed.

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("read")))
        .collect();
    out.sort();
    out
}

fn run(target: &str, check: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no regression inputs for {target}");
    for (name, data) in inputs {
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("{name} fails the {target} check again");
        }
    }
}

#[test]
fn commerceml_inputs_fuzzing_found() {
    run("commerceml", shared::fuzz_checks::commerceml);
}

#[test]
fn inbound_batches_fuzzing_found() {
    run("inbound_batch", shared::fuzz_checks::inbound_batch);
}
