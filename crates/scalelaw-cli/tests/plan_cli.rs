//! End-to-end tests of `scalelaw plan`: the binary run on files written to a
//! temporary folder, one test per goal, goals that cannot be met and invalid input.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn scalelaw(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_scalelaw"))
        .args(args)
        .output()
        .expect("the scalelaw binary runs");
    let out = Output {
        code: output.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

fn plan(file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["plan", file.to_str().unwrap(), "--bootstrap", "30"];
    args.extend_from_slice(extra);
    scalelaw(&args)
}

fn plan_json(file: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = extra.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    let out = plan(file, &args);
    let document = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}\n{}", out.stdout, out.stderr));
    (out.code, document)
}

/// X(N) = 100N/(1 + 0.05(N−1) + 0.001N(N−1)): X(9) = 611.4, X(10) = 649.4, peak at
/// N* = 30.8 with X = 1070.
fn usl(n: f64) -> f64 {
    100.0 * n / (1.0 + 0.05 * (n - 1.0) + 0.001 * n * (n - 1.0))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn throughput_file(dir: &Path) -> PathBuf {
    let mut text = String::from("workers,throughput\n");
    for n in [1, 2, 4, 8, 16, 24, 32] {
        text += &format!("{n},{}\n", usl(n as f64));
    }
    write(dir, "throughput.csv", &text)
}

/// Run times of a 1000-unit job under T(n) = 2 + 98/n, Amdahl's law with a serial
/// fraction of 0.02.
fn time_file(dir: &Path) -> PathBuf {
    let mut text = String::from("nodes,time\n");
    for n in [1, 2, 4, 8, 16, 32] {
        text += &format!("{n},{}\n", 2.0 + 98.0 / n as f64);
    }
    write(dir, "times.csv", &text)
}

/// Two instance types: m5.large runs T = 2 + 98/n, c5.xlarge T = 1 + 50/n with one
/// timed-out run.
fn configuration_file(dir: &Path) -> PathBuf {
    let mut text = String::from("instance_type,nodes,time,status\n");
    for n in [1, 2, 4, 8, 16] {
        let nf = n as f64;
        text += &format!("m5.large,{n},{},ok\n", 2.0 + 98.0 / nf);
        text += &format!("c5.xlarge,{n},{},ok\n", 1.0 + 50.0 / nf);
    }
    text += "c5.xlarge,32,,timeout\n";
    write(dir, "configs.csv", &text)
}

fn goal(document: &Value) -> &Value {
    &document["configurations"][0]["plan"]["goal"]
}

#[test]
fn target_throughput_finds_exact_n() {
    let dir = tempfile::tempdir().unwrap();
    let file = throughput_file(dir.path());
    let (code, document) = plan_json(
        &file,
        &[
            "--law",
            "usl",
            "--cost-per-unit",
            "2",
            "--fixed-cost",
            "5",
            "--target-throughput",
            "620",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(goal(&document)["cheapest"]["whole_n"], 10);
    assert_eq!(goal(&document)["met"], true);
    let cost = goal(&document)["cheapest"]["cost"]["value"]
        .as_f64()
        .unwrap();
    assert!((cost - 25.0).abs() < 1e-9, "{cost}");
}

#[test]
fn target_throughput_above_peak_exits_three() {
    let dir = tempfile::tempdir().unwrap();
    let file = throughput_file(dir.path());
    let out = plan(
        &file,
        &[
            "--law",
            "usl",
            "--cost-per-unit",
            "1",
            "--target-throughput",
            "5000",
        ],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stdout.contains("No N reaches 5000/s"), "{}", out.stdout);
    assert!(out.stdout.contains("short"), "{}", out.stdout);
}

#[test]
fn latency_goal_states_queue_assumptions() {
    let dir = tempfile::tempdir().unwrap();
    let file = throughput_file(dir.path());
    let out = plan(
        &file,
        &[
            "--law",
            "usl",
            "--cost-per-unit",
            "1",
            "--arrival-rate",
            "800",
            "--latency-slo",
            "p99=150ms",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Poisson arrivals"), "{}", out.stdout);
    assert!(out.stdout.contains("p99 response time"), "{}", out.stdout);
    assert!(
        out.stdout.contains("cost against latency"),
        "{}",
        out.stdout
    );
}

#[test]
fn latency_goal_above_capacity_exits_three() {
    let dir = tempfile::tempdir().unwrap();
    let file = throughput_file(dir.path());
    let out = plan(
        &file,
        &[
            "--law",
            "usl",
            "--cost-per-unit",
            "1",
            "--arrival-rate",
            "5000",
            "--latency-slo",
            "1s",
        ],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stdout.contains("grow without bound"), "{}", out.stdout);
}

#[test]
fn latency_slo_out_of_reach_exits_three() {
    // A single worker serves in 10 ms, so p99 = 50 ms passes the input check, but at the
    // 14 or more workers that 800/s needs, the service time alone is about 18 ms and its
    // p99 is above 80 ms.
    let dir = tempfile::tempdir().unwrap();
    let file = throughput_file(dir.path());
    let out = plan(
        &file,
        &[
            "--law",
            "usl",
            "--cost-per-unit",
            "1",
            "--arrival-rate",
            "800",
            "--latency-slo",
            "p99=50ms",
        ],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stdout.contains("No N meets the SLO of 50.00 ms"),
        "{}",
        out.stdout
    );
}

#[test]
fn deadline_on_run_times() {
    // 50 000 units in 400 s needs 125/s: 1000/(2 + 98/N) ≥ 125 from N = 16.33.
    let dir = tempfile::tempdir().unwrap();
    let file = time_file(dir.path());
    let (code, document) = plan_json(
        &file,
        &[
            "--y",
            "time",
            "--work-per-run",
            "1000",
            "--cost-per-unit",
            "3",
            "--job-size",
            "50000",
            "--deadline",
            "400s",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(goal(&document)["cheapest"]["whole_n"], 17);
    assert_eq!(document["configurations"][0]["plan"]["law"], "job-time");
}

#[test]
fn deadline_time_form_matches_throughput_form() {
    let dir = tempfile::tempdir().unwrap();
    let times = time_file(dir.path());
    let mut text = String::from("nodes,throughput\n");
    for n in [1, 2, 4, 8, 16, 32] {
        text += &format!("{n},{}\n", 1000.0 / (2.0 + 98.0 / n as f64));
    }
    let rates = write(dir.path(), "rates.csv", &text);
    let goal_flags = [
        "--cost-per-unit",
        "3",
        "--job-size",
        "50000",
        "--deadline",
        "400s",
    ];
    let mut time_flags = vec!["--work-per-run", "1000"];
    time_flags.extend_from_slice(&goal_flags);
    let mut rate_flags = vec!["--law", "amdahl"];
    rate_flags.extend_from_slice(&goal_flags);
    let (_, from_time) = plan_json(&times, &time_flags);
    let (_, from_rate) = plan_json(&rates, &rate_flags);
    assert_eq!(
        goal(&from_time)["cheapest"]["whole_n"],
        goal(&from_rate)["cheapest"]["whole_n"]
    );
    let knee = |d: &Value| d["configurations"][0]["plan"]["knee"]["whole_n"].clone();
    assert_eq!(knee(&from_time), knee(&from_rate));
}

#[test]
fn deadline_too_short_exits_three() {
    let dir = tempfile::tempdir().unwrap();
    let file = time_file(dir.path());
    let out = plan(
        &file,
        &[
            "--cost-per-unit",
            "3",
            "--job-size",
            "1",
            "--deadline",
            "1s",
        ],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stdout.contains("No N finishes the job"),
        "{}",
        out.stdout
    );
}

#[test]
fn budget_goal_and_over_budget() {
    let dir = tempfile::tempdir().unwrap();
    let file = throughput_file(dir.path());
    let (code, document) = plan_json(
        &file,
        &[
            "--law",
            "usl",
            "--cost-per-unit",
            "2",
            "--fixed-cost",
            "10",
            "--budget",
            "40",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(goal(&document)["cheapest"]["whole_n"], 15);

    let out = plan(
        &file,
        &[
            "--law",
            "usl",
            "--cost-per-unit",
            "2",
            "--fixed-cost",
            "50",
            "--budget",
            "40",
        ],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stdout.contains("below the cost of one node"),
        "{}",
        out.stdout
    );
}

#[test]
fn configurations_pick_cheapest_and_flag_censored() {
    let dir = tempfile::tempdir().unwrap();
    let file = configuration_file(dir.path());
    let flags = [
        "--config-column",
        "instance_type",
        "--cost-per-unit",
        "m5.large=0.096,c5.xlarge=0.17",
        "--job-size",
        "1",
        "--deadline",
        "10s",
    ];
    let out = plan(&file, &flags);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Cheapest configuration"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("censored or non-monotonic runs: c5.xlarge"),
        "{}",
        out.stdout
    );

    let (_, document) = plan_json(&file, &flags);
    // One run within 10 s needs 2 + 98/N ≤ 10 (N = 13) on m5.large and 1 + 50/N ≤ 10
    // (N = 6) on c5.xlarge; per job that costs 0.096·13·9.54 against 0.17·6·9.33
    // node-seconds, so c5.xlarge is cheaper.
    assert_eq!(document["cheapest_configuration"], "c5.xlarge");
    let configurations = document["configurations"].as_array().unwrap();
    assert_eq!(configurations.len(), 2);
    let censored: Vec<u64> = configurations
        .iter()
        .map(|c| c["censored_runs"].as_u64().unwrap())
        .collect();
    assert_eq!(censored.iter().sum::<u64>(), 1);
}

#[test]
fn configuration_without_cost_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = configuration_file(dir.path());
    let out = plan(
        &file,
        &[
            "--config-column",
            "instance_type",
            "--cost-per-unit",
            "m5.large=0.096",
            "--job-size",
            "20",
            "--deadline",
            "10s",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no cost for configuration `c5.xlarge`"),
        "{}",
        out.stderr
    );
}

#[test]
fn saved_fit_plans_without_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let file = throughput_file(dir.path());
    let fit = scalelaw(&[
        "fit",
        file.to_str().unwrap(),
        "--law",
        "usl",
        "--bootstrap",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(fit.code, 0, "{}", fit.stderr);
    let saved = write(dir.path(), "fit.json", &fit.stdout);
    let out = plan(
        &saved,
        &["--cost-per-unit", "1", "--target-throughput", "620"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("no intervals"), "{}", out.stdout);
    assert!(
        out.stdout.contains("N = 10 is the cheapest N"),
        "{}",
        out.stdout
    );
}

#[test]
fn saved_fit_output_keeps_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let file = throughput_file(dir.path());
    let fit = scalelaw(&[
        "fit",
        file.to_str().unwrap(),
        "--law",
        "usl",
        "--bootstrap",
        "100",
        "--format",
        "json",
    ]);
    assert_eq!(fit.code, 0, "{}", fit.stderr);
    let saved = write(dir.path(), "fit.json", &fit.stdout);
    let out = plan(
        &saved,
        &["--cost-per-unit", "1", "--target-throughput", "620"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("intervals from 100 bootstrap resamples"),
        "{}",
        out.stdout
    );
}

#[test]
fn serialised_library_fit_keeps_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let n: Vec<f64> = vec![1.0, 2.0, 4.0, 8.0, 16.0, 24.0, 32.0];
    let noise = [1.0, -2.0, 3.0, -1.0, 2.0, -3.0, 1.0];
    let y: Vec<f64> = n.iter().zip(noise).map(|(&n, e)| usl(n) + e).collect();
    let data = scalelaw::Observations::new("workers", "throughput", n, y).unwrap();
    let options = scalelaw::FitOptions {
        bootstrap_resamples: 40,
        leave_one_out: false,
        ..scalelaw::FitOptions::default()
    };
    let fit = scalelaw::fit(&scalelaw::laws::Usl, &data, &options).unwrap();
    let saved = write(
        dir.path(),
        "usl-fit.json",
        &serde_json::to_string(&fit).unwrap(),
    );
    let (code, document) = plan_json(
        &saved,
        &["--cost-per-unit", "1", "--target-throughput", "620"],
    );
    assert_eq!(code, 0);
    let plan = &document["configurations"][0]["plan"];
    assert_eq!(plan["resamples"], 40);
    let interval = &plan["peak"]["n"]["interval"];
    let lower = interval["lower"].as_f64().unwrap();
    let upper = interval["upper"].as_f64().unwrap();
    assert!(lower <= upper, "{interval}");
}

#[test]
fn extrapolation_is_marked() {
    // 479/s on the Amdahl curve 10N/(1 + 0.02(N−1)) needs N = 1118, far past 2 × 32.
    let dir = tempfile::tempdir().unwrap();
    let file = time_file(dir.path());
    let out = plan(
        &file,
        &[
            "--work-per-run",
            "1000",
            "--cost-per-unit",
            "1",
            "--target-throughput",
            "479",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("extrapolation beyond twice"),
        "{}",
        out.stdout
    );
}

#[test]
fn markdown_has_tables() {
    let dir = tempfile::tempdir().unwrap();
    let file = throughput_file(dir.path());
    let out = plan(
        &file,
        &[
            "--law",
            "usl",
            "--cost-per-unit",
            "1",
            "--target-throughput",
            "620",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("| answer | N |"), "{}", out.stdout);
    assert!(out.stdout.contains("## Balance points"), "{}", out.stdout);
}

#[test]
fn invalid_input_gets_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = throughput_file(dir.path());
    let cases: &[(&[&str], &str)] = &[
        (&["--cost-per-unit", "-1", "--budget", "10"], "negative"),
        (
            &[
                "--cost-per-unit",
                "1",
                "--fixed-cost",
                "-3",
                "--budget",
                "10",
            ],
            "negative",
        ),
        (
            &[
                "--cost-per-unit",
                "1",
                "--arrival-rate",
                "10",
                "--latency-slo",
                "200parsecs",
            ],
            "unknown time unit `parsecs`",
        ),
        (
            &[
                "--cost-per-unit",
                "1",
                "--arrival-rate",
                "10",
                "--latency-slo",
                "1ms",
            ],
            "below the mean service time",
        ),
        (&["--cost-per-unit", "1"], "no goal given"),
        (&["--budget", "10"], "no cost given"),
        (
            &[
                "--cost-per-unit",
                "1",
                "--budget",
                "10",
                "--target-throughput",
                "5",
            ],
            "several goals",
        ),
        (
            &["--cost-per-unit", "1", "--arrival-rate", "10"],
            "needs --latency-slo",
        ),
        (
            &["--cost-per-unit", "1", "--deadline", "10s"],
            "needs --job-size",
        ),
        (
            &[
                "--cost-per-unit",
                "1",
                "--target-throughput",
                "5",
                "--format",
                "csv",
            ],
            "--format csv",
        ),
        (
            &[
                "--cost-per-unit",
                "1",
                "--target-throughput",
                "5",
                "--law",
                "job-time",
            ],
            "does not fit a rate",
        ),
    ];
    for (flags, message) in cases {
        let out = plan(&file, flags);
        assert_ne!(out.code, 0, "{flags:?} should fail");
        assert!(
            out.stderr.contains(message),
            "{flags:?}: expected `{message}` in: {}",
            out.stderr
        );
    }
}

#[test]
fn missing_file_is_reported() {
    let out = plan(
        Path::new("/nonexistent/runs.csv"),
        &["--cost-per-unit", "1", "--budget", "5"],
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("runs.csv"), "{}", out.stderr);
}
