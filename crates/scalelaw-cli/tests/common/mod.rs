//! Helpers for the end-to-end tests: run the `scalelaw` binary and reach the bundled
//! data sets.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Exit status and output of one run of the binary.
pub struct Run {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Parses standard output as JSON, failing the test with the output if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|err| {
            panic!(
                "stdout is not JSON ({err}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `scalelaw` with `args` and collects its output.
pub fn scalelaw(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_scalelaw"))
        .args(args)
        .output()
        .expect("the scalelaw binary runs");
    Run {
        success: output.status.success(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Path of a bundled data file under the repository's `data/` folder.
pub fn data(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(relative);
    path.to_string_lossy().into_owned()
}

/// Writes `contents` to a file named `name` in a fresh temporary folder; the folder
/// lives as long as the returned guard.
pub fn temp_file(name: &str, contents: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write temporary file");
    (dir, path)
}

/// Fetches a fit by law id from one series of the JSON output.
pub fn fit_of<'a>(series: &'a serde_json::Value, law: &str) -> &'a serde_json::Value {
    series["fits"]
        .as_array()
        .expect("fits array")
        .iter()
        .find(|f| f["law"] == law)
        .unwrap_or_else(|| panic!("no {law} fit in {series}"))
}

/// Fetches a parameter estimate by name from a fit of the JSON output.
pub fn param<'a>(fit: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    fit["params"]
        .as_array()
        .expect("params array")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no parameter {name} in {fit}"))
}

/// Asserts that a failed run exited non-zero without a panic and that its message
/// mentions every one of `needles` (case-insensitive).
pub fn assert_clear_failure(run: &Run, needles: &[&str]) {
    assert!(
        !run.success,
        "expected failure, got stdout:\n{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains("panicked"),
        "the binary panicked:\n{}",
        run.stderr
    );
    let message = run.stderr.to_lowercase();
    for needle in needles {
        assert!(
            message.contains(&needle.to_lowercase()),
            "message does not mention `{needle}`:\n{}",
            run.stderr
        );
    }
}
