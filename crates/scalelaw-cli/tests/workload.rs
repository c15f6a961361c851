//! End-to-end tests of `scalelaw workload mlp`, run as a user would run the binary.

use std::process::{Command, Output};

fn scalelaw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scalelaw"))
        .args(args)
        .output()
        .expect("failed to run the scalelaw binary")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const TINY: &[&str] = &[
    "workload",
    "mlp",
    "--workers",
    "2",
    "--global-batch",
    "32",
    "--steps",
    "4",
    "--warmup-steps",
    "1",
    "--dataset-size",
    "256",
    "--hidden",
    "16",
];

#[test]
fn mlp_prints_one_json_line() {
    let mut args = TINY.to_vec();
    args.push("--quiet");
    let output = scalelaw(&args);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert!(
        output.stderr.is_empty(),
        "--quiet printed: {}",
        stderr(&output)
    );

    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout: {stdout}");
    let report: serde_json::Value = serde_json::from_str(lines[0]).unwrap();

    // Scripts depend on these keys, and `--help` lists them.
    let mut keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = vec![
        "workload",
        "workers",
        "scaling",
        "global_batch",
        "batch_per_worker",
        "steps",
        "warmup_steps",
        "elapsed_s",
        "samples_per_s",
        "step_ms",
        "compute_ms",
        "allreduce_ms",
        "allreduce",
        "initial_loss",
        "final_loss",
        "inputs",
        "hidden",
        "classes",
        "parameters",
        "learning_rate",
        "seed",
        "dataset_size",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);

    assert_eq!(report["workload"], "mlp");
    assert_eq!(report["workers"], 2);
    assert_eq!(report["scaling"], "strong");
    assert_eq!(report["global_batch"], 32);
    assert_eq!(report["batch_per_worker"], 16);
    assert_eq!(report["steps"], 4);
    assert_eq!(report["warmup_steps"], 1);
    assert_eq!(report["allreduce"], "ring");
    assert_eq!(report["hidden"], 16);
    assert_eq!(report["parameters"], 100 * 16 + 16 + 16 * 10 + 10);
    for key in [
        "elapsed_s",
        "samples_per_s",
        "step_ms",
        "compute_ms",
        "allreduce_ms",
        "initial_loss",
        "final_loss",
    ] {
        let value = report[key].as_f64();
        assert!(
            value.is_some_and(|v| v.is_finite() && v > 0.0),
            "{key}: {}",
            report[key]
        );
    }
}

#[test]
fn mlp_weak_scaling_multiplies_batch() {
    let output = scalelaw(&[
        "workload",
        "mlp",
        "--workers",
        "3",
        "--batch-per-worker",
        "8",
        "--steps",
        "2",
        "--dataset-size",
        "128",
        "--quiet",
    ]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["scaling"], "weak");
    assert_eq!(report["global_batch"], 24);
}

#[test]
fn mlp_duration_runs_at_least_that_long() {
    let output = scalelaw(&[
        "workload",
        "mlp",
        "--global-batch",
        "16",
        "--duration",
        "0.2",
        "--dataset-size",
        "128",
        "--quiet",
    ]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["elapsed_s"].as_f64().unwrap() >= 0.2);
    assert!(report["steps"].as_u64().unwrap() >= 1);
}

#[test]
fn mlp_progress_on_stderr() {
    let output = scalelaw(TINY);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("ring allreduce"), "{text}");
    assert!(text.contains("loss"), "{text}");
    assert!(text.contains("samples/s"), "{text}");
}

#[test]
fn mlp_bad_options_fail_with_message() {
    let cases: &[(&[&str], &str)] = &[
        (&["--workers", "0"], "invalid --workers"),
        (
            &["--workers", "3", "--global-batch", "1000"],
            "not divisible",
        ),
        (
            &["--workers", "4", "--global-batch", "2"],
            "smaller than the number of workers",
        ),
        (&["--lr", "-0.5"], "invalid --lr"),
        (&["--classes", "1"], "invalid --classes"),
        (&["--dataset-size", "10"], "invalid --dataset-size"),
        (&["--duration", "0"], "not a positive duration"),
        (&["--steps", "5", "--duration", "1"], "cannot be used with"),
        (
            &["--global-batch", "64", "--batch-per-worker", "8"],
            "cannot be used with",
        ),
        (&["--workers", "two"], "invalid value"),
        (&["--no-such-option"], "unexpected argument"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["workload", "mlp", "--quiet"];
        args.extend_from_slice(extra);
        let output = scalelaw(&args);
        assert!(!output.status.success(), "{extra:?} succeeded");
        assert!(output.stdout.is_empty(), "{extra:?} printed a report");
        let text = stderr(&output);
        assert!(
            text.contains(expected),
            "{extra:?}: expected '{expected}' in: {text}"
        );
    }
}

#[test]
fn mlp_help_lists_examples_and_keys() {
    let output = scalelaw(&["workload", "mlp", "--help"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Examples:"), "{text}");
    assert!(text.contains("allreduce_ms"), "{text}");
    assert!(text.contains("reduce-scatter"), "{text}");
}
