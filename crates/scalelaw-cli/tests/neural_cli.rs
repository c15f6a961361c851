//! End-to-end tests of `scalelaw neural fit|plan` on the bundled data sets: the
//! Chinchilla runs of Hoffmann et al. 2022 as kept by Besiroglu et al. 2024, and the
//! 4-digit addition curve of Caballero et al. 2023.

use std::path::PathBuf;
use std::process::{Command, Output};

fn data(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(relative)
}

fn scalelaw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scalelaw"))
        .args(args)
        .output()
        .expect("the scalelaw binary runs")
}

fn chinchilla_csv() -> String {
    data("chinchilla/chinchilla_epoch_tidy.csv")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn neural_fit_chinchilla_json() {
    let output = scalelaw(&[
        "neural",
        "fit",
        &chinchilla_csv(),
        "--where",
        "excluded_in_epoch_fit=False",
        "--bootstrap",
        "20",
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let fit = &report["chinchilla"];
    // Objective of the replication notebook, cell 18: 0.0010182740.
    let objective = fit["estimate"]["objective"].as_f64().unwrap();
    assert!(objective < 0.0010182740 + 0.5e-10, "objective {objective}");
    assert_eq!(fit["runs"], 240);
    let alpha = fit["params"][3]["value"].as_f64().unwrap();
    assert!((alpha - 0.3478).abs() < 0.02, "alpha {alpha}");
    assert_eq!(fit["bootstrap_params"].as_array().unwrap().len(), 20);
}

#[test]
fn neural_plan_compute_table() {
    let output = scalelaw(&[
        "neural",
        "plan",
        &chinchilla_csv(),
        "--where",
        "excluded_in_epoch_fit=False",
        "--bootstrap",
        "20",
        "--compute",
        "5.88e23",
    ]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    // 17.9 tokens per parameter at the exact Huber optimum (SOURCES.md).
    assert!(stdout.contains("17.91"), "{stdout}");
    assert!(stdout.contains("tokens/parameter"), "{stdout}");
}

#[test]
fn neural_plan_rejects_target_below_e() {
    let output = scalelaw(&[
        "neural",
        "plan",
        &chinchilla_csv(),
        "--bootstrap",
        "0",
        "--target-loss",
        "1.5",
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("irreducible loss"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn neural_fit_rejects_negative_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.csv");
    std::fs::write(&path, "N,D,loss\n1e8,1e9,3.0\n2e8,-1e9,2.9\n").unwrap();
    let output = scalelaw(&["neural", "fit", path.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("row 2: D is -1000000000"), "{stderr}");
}

#[test]
fn neural_fit_isoflop_rejects_single_budget() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.csv");
    let mut text = String::from("N,C,loss\n");
    for (k, n) in [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9].iter().enumerate() {
        let loss = 3.0 + 0.01 * (k as f64 - 2.5).powi(2);
        text += &format!("{n},1e20,{loss}\n");
    }
    std::fs::write(&path, text).unwrap();
    let output = scalelaw(&[
        "neural",
        "fit",
        path.to_str().unwrap(),
        "--bootstrap",
        "0",
        "--isoflop",
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("at least two compute budgets"), "{stderr}");
}

#[test]
fn neural_fit_bnsl_table() {
    let path = data("bnsl_4digit_addition/bnsl_4digit_addition.csv");
    let output = scalelaw(&[
        "neural",
        "fit",
        path.to_str().unwrap(),
        "--law",
        "bnsl",
        "--x",
        "train_dataset_size",
        "--loss-column",
        "test_cross_entropy",
        "--where",
        "split=fit",
    ]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    // d1 = 612.584 (SOURCES.md of the 4-digit addition data).
    assert!(stdout.contains("612.58"), "{stdout}");
}
