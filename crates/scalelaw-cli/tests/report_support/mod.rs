//! Helpers shared by the report tests: running the binary and locating files.

#![allow(dead_code)] // Each test file uses a different subset of these helpers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Returns the repository root, two levels above this crate.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

/// Returns the path of a data file under the repository's `data/` folder.
pub fn data_file(relative: &str) -> PathBuf {
    repo_root().join("data").join(relative)
}

/// Returns the path of a fixture file of this crate's tests.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Creates and returns the folder for files a person may want to look at after a run (screenshots, pages):
/// `target/report-artifacts/`.
pub fn artifact_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target tmp dir has a parent")
        .join("report-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/report-artifacts");
    dir
}

/// Runs `scalelaw` with `args` and returns its output.
pub fn scalelaw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scalelaw"))
        .args(args)
        .output()
        .expect("run the scalelaw binary")
}

/// Runs `scalelaw report` and panics with its standard error when it fails.
pub fn run_report(data: &Path, output: &Path, extra: &[&str]) {
    let mut args = vec![
        "report",
        data.to_str().expect("UTF-8 path"),
        "-o",
        output.to_str().expect("UTF-8 path"),
    ];
    args.extend_from_slice(extra);
    let result = scalelaw(&args);
    assert!(
        result.status.success(),
        "scalelaw {} failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&result.stderr)
    );
}
