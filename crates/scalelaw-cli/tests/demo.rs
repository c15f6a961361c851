//! `scalelaw demo` end to end with a tiny configuration: it measures, writes its run
//! files, fits, plans and prints a summary whose numbers match the runs it wrote.

mod common;

use common::scalelaw;

fn tiny_demo(dir: &std::path::Path, format: &str) -> common::Run {
    scalelaw(&[
        "demo",
        "--max-workers",
        "3",
        "--runs",
        "2",
        "--run-seconds",
        "0.05",
        "--hidden",
        "16",
        "--bootstrap",
        "50",
        "--format",
        format,
        "--out-dir",
        dir.to_str().unwrap(),
    ])
}

#[test]
fn demo_tiny_run_writes_files_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let run = tiny_demo(dir.path(), "table");
    assert!(run.success, "stderr: {}", run.stderr);
    assert!(run.stdout.contains("Measured: 6 runs"), "{}", run.stdout);
    assert!(run.stdout.contains("Law: "), "{}", run.stdout);
    assert!(run.stdout.contains("Balance points"), "{}", run.stdout);

    let csv = std::fs::read_to_string(dir.path().join("observations.csv")).unwrap();
    assert_eq!(csv.lines().count(), 7, "header and one row per run:\n{csv}");
    let report = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(report.contains("<svg"), "the report has plots");
    assert!(run.stdout.contains("report.html"), "{}", run.stdout);

    let journal = std::fs::read_to_string(dir.path().join("runs.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), 6);
    for line in journal.lines() {
        let run: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(run["samples_per_s"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn demo_json_points_match_observations() {
    let dir = tempfile::tempdir().unwrap();
    let run = tiny_demo(dir.path(), "json");
    assert!(run.success, "stderr: {}", run.stderr);
    let summary = run.json();
    let points = summary["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);

    // Each printed mean is the mean of the runs written to observations.csv.
    let csv = std::fs::read_to_string(dir.path().join("observations.csv")).unwrap();
    for point in points {
        let workers = point["workers"].as_u64().unwrap();
        let values: Vec<f64> = csv
            .lines()
            .skip(1)
            .map(|line| line.split(',').collect::<Vec<_>>())
            .filter(|cells| cells[0] == workers.to_string())
            .map(|cells| cells[1].parse().unwrap())
            .collect();
        assert_eq!(values.len(), 2);
        let mean = values.iter().sum::<f64>() / 2.0;
        let printed = point["samples_per_s"].as_f64().unwrap();
        assert!((printed - mean).abs() <= 1e-9 * mean, "{printed} vs {mean}");
    }
    assert!(summary["chosen_law"].is_string());
}

#[test]
fn demo_rejects_zero_runs() {
    let dir = tempfile::tempdir().unwrap();
    let run = scalelaw(&[
        "demo",
        "--runs",
        "0",
        "--out-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!run.success);
    assert!(run.stderr.contains("--runs"), "{}", run.stderr);
    assert!(!dir.path().join("observations.csv").exists());
}

#[test]
fn demo_reports_unwritable_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let run = scalelaw(&["demo", "--runs", "1", "--out-dir", file.to_str().unwrap()]);
    assert!(!run.success);
    assert!(run.stderr.contains("--out-dir"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn demo_rejects_single_worker_count() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = scalelaw(&[
        "demo",
        "--max-workers",
        "1",
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert!(!run.success);
    assert!(run.stderr.contains("at least 3"), "{}", run.stderr);
    assert!(!out.exists(), "nothing is written before the sweep starts");
}
