//! End-to-end tests of `scalelaw sweep`: the built binary runs small real commands in a
//! temporary directory, and the tests read the CSV, journal and exports it writes.
//!
//! Timings are asserted only with wide margins, because CI shares two cores with other
//! builds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn scalelaw(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scalelaw"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the scalelaw binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "scalelaw failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        stdout(output),
        stderr(output)
    );
}

/// A parsed tidy CSV: the header and the rows as maps from column to cell.
struct Table {
    header: Vec<String>,
    rows: Vec<BTreeMap<String, String>>,
}

impl Table {
    fn column(&self, name: &str) -> Vec<String> {
        self.rows.iter().map(|row| row[name].clone()).collect()
    }

    fn numbers(&self, name: &str) -> Vec<f64> {
        self.column(name)
            .iter()
            .map(|cell| {
                cell.parse()
                    .unwrap_or_else(|_| panic!("{name} cell '{cell}' is not a number"))
            })
            .collect()
    }
}

/// Reads a CSV and checks that it is tidy: unique column names and the same number of
/// cells in every row.
fn read_csv(path: &Path) -> Table {
    let mut reader = csv::Reader::from_path(path).expect("the CSV exists");
    let header: Vec<String> = reader
        .headers()
        .expect("the CSV has a header")
        .iter()
        .map(str::to_string)
        .collect();
    let unique: BTreeSet<&String> = header.iter().collect();
    assert_eq!(
        unique.len(),
        header.len(),
        "duplicate columns in {header:?}"
    );
    let rows = reader
        .records()
        .map(|record| {
            let record = record.expect("every row has as many cells as the header");
            header
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect()
        })
        .collect();
    Table { header, rows }
}

/// Reads the run lines of a journal.
fn journal_runs(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("the journal exists")
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str(line).expect("every journal line is JSON"))
        .collect()
}

fn process_is_gone(pid: &str) -> bool {
    // A killed process whose parent has not reaped it yet is a zombie: it runs no more.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    condition()
}

#[test]
fn csv_is_tidy_with_all_columns() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "-p",
            "a=1,2",
            "-p",
            "n=1..4:x2",
            "--runs",
            "2",
            "--",
            "true",
        ],
    );
    assert_success(&output);

    let table = read_csv(&dir.path().join("sweep.csv"));
    assert_eq!(
        table.header,
        [
            "a",
            "n",
            "time_s",
            "user_s",
            "sys_s",
            "max_rss_kib",
            "repeat",
            "status",
            "timestamp"
        ]
    );
    assert_eq!(table.rows.len(), 12);
    let points: BTreeSet<(String, String)> = table
        .rows
        .iter()
        .map(|row| (row["a"].clone(), row["n"].clone()))
        .collect();
    assert_eq!(points.len(), 6);
    for n in table.column("n") {
        assert!(["1", "2", "4"].contains(&n.as_str()), "n = {n}");
    }
    assert!(table.numbers("time_s").iter().all(|t| *t > 0.0));
    assert!(table.numbers("max_rss_kib").iter().all(|kib| *kib > 0.0));
    assert!(table.column("status").iter().all(|s| s == "ok"));
    assert!(table.column("timestamp").iter().all(|t| t.ends_with('Z')));
    // Progress bars stay off when standard error is not a terminal.
    assert!(!stderr(&output).contains("ETA"), "{}", stderr(&output));
}

#[test]
fn placeholders_fill_command_and_env() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "-p",
            "n=1,3",
            "--runs",
            "1",
            "--env",
            "SCALE_X={n}0",
            "--metric",
            "x=x=([0-9]+)",
            "--metric",
            "arg=arg=([0-9]+)",
            "--",
            "sh",
            "-c",
            "echo x=$SCALE_X arg={n}",
        ],
    );
    assert_success(&output);
    let table = read_csv(&dir.path().join("sweep.csv"));
    for row in &table.rows {
        let n: f64 = row["n"].parse().unwrap();
        assert_eq!(row["x"].parse::<f64>().unwrap(), n * 10.0);
        assert_eq!(row["arg"].parse::<f64>().unwrap(), n);
    }
}

#[test]
fn no_shell_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    // Without a shell, `|` is a plain argument that echo prints.
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "-p",
            "n=4",
            "--runs",
            "1",
            "--metric",
            "piped=^([0-9]+) [|]",
            "--",
            "echo {n} | cat",
        ],
    );
    assert_success(&output);
    assert_eq!(
        read_csv(&dir.path().join("sweep.csv")).numbers("piped"),
        [4.0]
    );

    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "-p",
            "n=4",
            "--runs",
            "1",
            "--shell",
            "-o",
            "shell.csv",
            "--metric",
            "doubled=(?m)^([0-9]+)$",
            "--",
            "echo $(( {n} * 2 )) | cat",
        ],
    );
    assert_success(&output);
    assert_eq!(
        read_csv(&dir.path().join("shell.csv")).numbers("doubled"),
        [8.0]
    );
}

#[test]
fn warmup_runs_journaled_not_in_csv() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep", "-p", "n=1,2", "--warmup", "2", "--runs", "3", "--", "true",
        ],
    );
    assert_success(&output);
    let runs = journal_runs(&dir.path().join("sweep.jsonl"));
    assert_eq!(runs.len(), 10);
    assert_eq!(runs.iter().filter(|r| r["warmup"] == true).count(), 4);
    assert_eq!(read_csv(&dir.path().join("sweep.csv")).rows.len(), 6);
    // Each point's warmups come before its measured runs.
    for n in ["1", "2"] {
        let kinds: Vec<bool> = runs
            .iter()
            .filter(|r| r["point"]["n"] == n)
            .map(|r| r["warmup"] == true)
            .collect();
        assert_eq!(kinds, [true, true, false, false, false], "n={n}");
    }
}

#[test]
fn min_time_adds_runs() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "--min-runs",
            "2",
            "--min-time",
            "0.25",
            "--",
            "sleep",
            "0.1",
        ],
    );
    assert_success(&output);
    let runs = read_csv(&dir.path().join("sweep.csv")).rows.len();
    // Each run takes at least 0.1 s, so 0.25 s usually needs 3 runs. A loaded machine may
    // stretch each run past 0.125 s, and then the minimum of 2 runs is enough.
    assert!((2..=3).contains(&runs), "{runs} runs");
}

#[test]
fn target_rse_stops_early_or_at_cap() {
    let dir = tempfile::tempdir().unwrap();
    let steady = scalelaw(
        dir.path(),
        &[
            "sweep",
            "--target-rse",
            "1",
            "--rse-metric",
            "v",
            "--max-runs",
            "8",
            "--metric-json",
            "v",
            "-o",
            "steady.csv",
            "--",
            "echo",
            "{\"v\": 5}",
        ],
    );
    assert_success(&steady);
    // Identical values have zero standard error, so the minimum of 3 runs is enough.
    assert_eq!(read_csv(&dir.path().join("steady.csv")).rows.len(), 3);

    // Values alternate between 1 and 101, whose RSE stays far above 1%.
    let noisy = scalelaw(
        dir.path(),
        &[
            "sweep", "--target-rse", "1", "--rse-metric", "v", "--max-runs", "6",
            "--metric-json", "v", "-o", "noisy.csv", "--shell", "--",
            "n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count; echo \"{{\\\"v\\\": $((n % 2 * 100 + 1))}}\"",
        ],
    );
    assert_success(&noisy);
    let table = read_csv(&dir.path().join("noisy.csv"));
    assert_eq!(table.rows.len(), 6);
    assert_eq!(table.numbers("v")[..2], [1.0, 101.0]);
}

#[test]
fn interleaved_order_is_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let order_of = |extra: &[&str], name: &str| {
        let mut args = vec!["sweep", "-p", "n=1..5", "--runs", "3", "-o", name];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "true"]);
        assert_success(&scalelaw(dir.path(), &args));
        read_csv(&dir.path().join(name)).column("n")
    };
    let first = order_of(&["--seed", "7"], "a.csv");
    let again = order_of(&["--seed", "7"], "b.csv");
    let other = order_of(&["--seed", "8"], "c.csv");
    let sequential = order_of(&["--order", "sequential"], "d.csv");
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert_eq!(
        sequential,
        ["1", "1", "1", "2", "2", "2", "3", "3", "3", "4", "4", "4", "5", "5", "5"]
    );
    assert_ne!(first, sequential);
    // Every round runs each point once.
    let mut round: Vec<String> = first[..5].to_vec();
    round.sort();
    assert_eq!(round, ["1", "2", "3", "4", "5"]);
}

#[test]
fn cpu_time_and_memory_per_run() {
    let dir = tempfile::tempdir().unwrap();
    // The large point runs first, so a running maximum over all children
    // (getrusage(RUSAGE_CHILDREN)) would give the small point the large peak too.
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "-p",
            "mb=200,1",
            "--runs",
            "1",
            "--order",
            "sequential",
            "--",
            "python3",
            "-c",
            "x = b'a' * ({mb} * 1000000); sum(range(3000000))",
        ],
    );
    assert_success(&output);

    let table = read_csv(&dir.path().join("sweep.csv"));
    let rss = table.numbers("max_rss_kib");
    assert!(rss[0] > 150_000.0, "200 MB point peaked at {} KiB", rss[0]);
    assert!(rss[1] < 100_000.0, "1 MB point peaked at {} KiB", rss[1]);

    let user = table.numbers("user_s");
    let time = table.numbers("time_s");
    for (user, time) in user.iter().zip(&time) {
        assert!(*user > 0.01, "user time {user} s");
        assert!(
            *user < time * 2.0 + 0.5,
            "user {user} s against wall {time} s"
        );
    }
}

#[test]
fn metrics_from_regex_json_and_work() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep", "-p", "n=1,2", "--runs", "2", "--work", "1e3*{n}",
            "--metric", "throughput_reported=([0-9.]+) samples/s",
            "--metric-json", "loss=stats.loss",
            "--", "sh", "-c",
            "echo 'warming up 1 samples/s'; echo '{n}.5 samples/s'; echo '{{\"stats\": {{\"loss\": 0.{n}}}}}' >&2",
        ],
    );
    assert_success(&output);
    let table = read_csv(&dir.path().join("sweep.csv"));
    assert_eq!(
        table.header[1..],
        [
            "time_s",
            "user_s",
            "sys_s",
            "max_rss_kib",
            "throughput_reported",
            "loss",
            "throughput",
            "repeat",
            "status",
            "timestamp"
        ]
    );
    for row in &table.rows {
        let n: f64 = row["n"].parse().unwrap();
        assert_eq!(row["throughput_reported"].parse::<f64>().unwrap(), n + 0.5);
        assert_eq!(row["loss"].parse::<f64>().unwrap(), n / 10.0);
        let time: f64 = row["time_s"].parse().unwrap();
        let throughput: f64 = row["throughput"].parse().unwrap();
        assert!((throughput * time - 1e3 * n).abs() < 1e-6 * 1e3 * n);
    }
}

#[test]
fn missing_metric_stops_with_hint() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "--metric",
            "rate=rate ([0-9]+)",
            "--",
            "echo",
            "nothing",
        ],
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("metric rate"), "{message}");
    assert!(message.contains("--show-output"), "{message}");
    assert!(message.contains("--ignore-failure"), "{message}");
}

#[test]
fn failure_stops_unless_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &["sweep", "-p", "code=3", "--", "sh", "-c", "exit {code}"],
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("exited with code 3"), "{message}");
    assert!(message.contains("--ignore-failure"), "{message}");
    let table = read_csv(&dir.path().join("sweep.csv"));
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0]["status"], "failed");
    assert_eq!(table.rows[0]["time_s"], "");

    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "-p",
            "code=0,3",
            "--runs",
            "2",
            "-i",
            "-o",
            "ignored.csv",
            "--",
            "sh",
            "-c",
            "exit {code}",
        ],
    );
    assert_success(&output);
    let table = read_csv(&dir.path().join("ignored.csv"));
    assert_eq!(table.rows.len(), 4);
    for row in &table.rows {
        let expected = if row["code"] == "0" { "ok" } else { "failed" };
        assert_eq!(row["status"], expected);
        assert_eq!(row["time_s"].is_empty(), expected == "failed");
    }
    let runs = journal_runs(&dir.path().join("ignored.jsonl"));
    assert!(runs.iter().any(|r| r["exit_code"] == 3));
}

#[test]
fn timeout_kills_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "--runs",
            "1",
            "--timeout",
            "1",
            "--",
            "sh",
            "-c",
            "sleep 1000 & echo $! > child.pid; wait",
        ],
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(
        !output.status.success(),
        "a timeout without -i stops the sweep"
    );
    let message = stderr(&output);
    assert!(message.contains("timed out"), "{message}");
    assert!(message.contains("--timeout"), "{message}");

    let pid = std::fs::read_to_string(dir.path().join("child.pid")).unwrap();
    let pid = pid.trim();
    assert!(!pid.is_empty());
    assert!(
        wait_until(Duration::from_secs(5), || process_is_gone(pid)),
        "the background sleep {pid} outlived the timed-out run"
    );
    let table = read_csv(&dir.path().join("sweep.csv"));
    assert_eq!(table.rows[0]["status"], "timed_out");
    assert_eq!(table.rows[0]["time_s"], "");
    assert_eq!(table.rows[0]["max_rss_kib"], "");
}

#[test]
fn timed_out_runs_recorded_with_ignore() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "-p",
            "s=0,30",
            "--runs",
            "2",
            "--timeout",
            "1",
            "-i",
            "--export-hyperfine",
            "hf.json",
            "--",
            "sleep",
            "{s}",
        ],
    );
    assert_success(&output);
    let table = read_csv(&dir.path().join("sweep.csv"));
    for row in &table.rows {
        let expected = if row["s"] == "0" { "ok" } else { "timed_out" };
        assert_eq!(row["status"], expected);
    }
    assert!(
        stderr(&output).contains("timed-out runs are left out"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn sigkill_then_resume_completes_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("sweep.jsonl");
    let args = [
        "sweep", "-p", "n=1..4", "--runs", "3", "--warmup", "1", "--", "sleep", "0.1",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_scalelaw"))
        .current_dir(dir.path())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = || {
        std::fs::read_to_string(&journal)
            .map(|text| text.lines().count())
            .unwrap_or(0)
    };
    assert!(
        wait_until(Duration::from_secs(30), || lines() >= 5),
        "the sweep made no progress"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let finished_before = lines() - 1;
    assert!(
        finished_before < 16,
        "the sweep finished before it was killed"
    );

    // A kill during a write leaves half a line behind.
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str("{\"type\":\"run\",\"point\":{\"n\"");
    std::fs::write(&journal, text).unwrap();

    let output = scalelaw(dir.path(), &["sweep", "--resume", "sweep.jsonl"]);
    assert_success(&output);
    assert!(
        stderr(&output).contains("incomplete"),
        "{}",
        stderr(&output)
    );

    let runs = journal_runs(&journal);
    assert_eq!(runs.len(), 16);
    let mut seen = BTreeSet::new();
    for run in &runs {
        let key = (
            run["point"]["n"].to_string(),
            run["warmup"] == true,
            run["repeat"].as_u64().unwrap(),
        );
        assert!(
            seen.insert(key.clone()),
            "run {key:?} is in the journal twice"
        );
    }
    for n in 1..=4 {
        let n = format!("\"{n}\"");
        for repeat in 0..3 {
            assert!(
                seen.contains(&(n.clone(), false, repeat)),
                "n={n} repeat {repeat} missing"
            );
        }
        assert!(seen.contains(&(n.clone(), true, 0)), "n={n} warmup missing");
    }
    assert_eq!(read_csv(&dir.path().join("sweep.csv")).rows.len(), 12);

    // Resuming a finished sweep runs nothing more.
    let output = scalelaw(dir.path(), &["sweep", "--resume", "sweep.jsonl"]);
    assert_success(&output);
    assert_eq!(journal_runs(&journal).len(), 16);
}

#[test]
fn resume_with_other_settings_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &["sweep", "-p", "n=1,2", "--runs", "1", "--", "true"],
    );
    assert_success(&output);

    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "--resume",
            "sweep.jsonl",
            "-p",
            "n=1,2",
            "--runs",
            "2",
            "--",
            "true",
        ],
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("settings differ"), "{message}");
    assert!(message.contains("stop"), "{message}");

    for flag in [&["--runs", "2"][..], &["--order", "sequential"][..]] {
        let mut args = vec!["sweep", "--resume", "sweep.jsonl"];
        args.extend_from_slice(flag);
        let output = scalelaw(dir.path(), &args);
        assert!(!output.status.success(), "{flag:?} was accepted");
        assert!(stderr(&output).contains(flag[0]), "{}", stderr(&output));
    }

    // The same options (the seed comes from the journal) continue the sweep.
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "--resume",
            "sweep.jsonl",
            "-p",
            "n=1,2",
            "--runs",
            "1",
            "--",
            "true",
        ],
    );
    assert_success(&output);
    assert_eq!(journal_runs(&dir.path().join("sweep.jsonl")).len(), 2);
}

#[test]
fn existing_journal_needs_resume_or_force() {
    let dir = tempfile::tempdir().unwrap();
    assert_success(&scalelaw(
        dir.path(),
        &["sweep", "--runs", "1", "--", "true"],
    ));
    let output = scalelaw(dir.path(), &["sweep", "--runs", "1", "--", "true"]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("--resume sweep.jsonl"), "{message}");
    assert!(message.contains("--force"), "{message}");
    assert_success(&scalelaw(
        dir.path(),
        &["sweep", "--runs", "2", "--force", "--", "true"],
    ));
    assert_eq!(journal_runs(&dir.path().join("sweep.jsonl")).len(), 2);
}

#[test]
fn interrupt_keeps_finished_runs() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("sweep.jsonl");
    let child = Command::new(env!("CARGO_BIN_EXE_scalelaw"))
        .current_dir(dir.path())
        .args([
            "sweep",
            "-p",
            "n=1,2",
            "--runs",
            "2",
            "--order",
            "sequential",
            "--",
            "sh",
            "-c",
            "if [ {n} = 2 ]; then sleep 1000 & echo $! > child.pid; wait; fi",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let pid_file = dir.path().join("child.pid");
    assert!(
        wait_until(Duration::from_secs(30), || pid_file.exists()),
        "the hanging run never started"
    );
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());

    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("--resume"), "{message}");
    assert_eq!(journal_runs(&journal).len(), 2);
    assert_eq!(read_csv(&dir.path().join("sweep.csv")).rows.len(), 2);

    let pid = std::fs::read_to_string(&pid_file).unwrap();
    assert!(
        wait_until(Duration::from_secs(5), || process_is_gone(pid.trim())),
        "the run in flight outlived the interrupt"
    );
}

#[test]
fn statistics_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let run = |format: &str| {
        let output = scalelaw(
            dir.path(),
            &[
                "sweep", "-p", "n=1,2", "--runs", "3", "--force", "--format", format, "--", "true",
            ],
        );
        assert_success(&output);
        stdout(&output)
    };

    let json: Value = serde_json::from_str(&run("json")).expect("--format json prints JSON");
    assert_eq!(json["parameters"], serde_json::json!(["n"]));
    let points = json["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    for point in points {
        assert_eq!(point["ok"], 3);
        let time = &point["metrics"]["time_s"];
        assert_eq!(time["n"], 3);
        for key in ["mean", "median", "std_dev", "min", "max", "rse"] {
            assert!(time[key].is_number(), "{key} is {}", time[key]);
        }
        let ci = time["ci95"].as_array().unwrap();
        let mean = time["mean"].as_f64().unwrap();
        assert!(ci[0].as_f64().unwrap() <= mean, "{ci:?} vs mean {mean}");
        assert!(mean <= ci[1].as_f64().unwrap(), "{ci:?} vs mean {mean}");
        assert!(time["outlier_repeats"].is_array());
    }

    let csv_text = run("csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header[..4], ["n", "metric", "runs", "mean"]);
    assert_eq!(reader.records().count(), 8);

    let markdown = run("markdown");
    assert!(markdown.starts_with("| n | metric |"), "{markdown}");
    assert!(markdown.lines().nth(1).unwrap().starts_with("| --- |"));

    let table = run("table");
    assert!(table.starts_with("n  metric"), "{table}");
    assert_eq!(table.lines().count(), 9);
}

#[test]
fn hyperfine_export_has_its_fields() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "-p",
            "n=1,2",
            "--runs",
            "3",
            "--export-hyperfine",
            "hf.json",
            "--",
            "sleep",
            "0.0{n}",
        ],
    );
    assert_success(&output);
    let export: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("hf.json")).unwrap())
            .unwrap();
    let results = export["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for (result, n) in results.iter().zip(["1", "2"]) {
        assert_eq!(result["command"], format!("sleep 0.0{n}"));
        assert_eq!(result["parameters"]["n"], n);
        for key in ["mean", "stddev", "median", "user", "system", "min", "max"] {
            assert!(result[key].is_number(), "{key} is {}", result[key]);
        }
        assert_eq!(result["times"].as_array().unwrap().len(), 3);
        assert_eq!(result["exit_codes"], serde_json::json!([0, 0, 0]));
        assert!(result["mean"].as_f64().unwrap() >= 0.01);
    }
}

#[test]
fn bad_input_rejected_before_runs() {
    let cases: &[(&[&str], &str)] = &[
        (&["-p", "n=1..x", "--", "true"], "-p"),
        (&["-p", "n", "--", "true"], "NAME=VALUES"),
        (&["-p", "n=1", "-p", "n=2", "--", "true"], "given twice"),
        (&["-p", "n=1", "--", "echo", "{m}"], "-p m=VALUES"),
        (
            &["-p", "n=1", "--env", "X={m}", "--", "true"],
            "-p m=VALUES",
        ),
        (&["--", "scalelaw-no-such-command"], "--shell"),
        (&["-o", "missing-dir/out.csv", "--", "true"], "--output"),
        (
            &["--export-hyperfine", "missing-dir/hf.json", "--", "true"],
            "--export-hyperfine",
        ),
        (&["--metric", "x=(", "--", "true"], "--metric"),
        (&["--metric", "time_s=([0-9]+)", "--", "true"], "time_s"),
        (&["--target-rse", "0", "--", "true"], "--target-rse"),
        (&["--timeout", "-1", "--", "true"], "--timeout"),
        (
            &[
                "--min-runs",
                "5",
                "--max-runs",
                "2",
                "--min-time",
                "1",
                "--",
                "true",
            ],
            "--max-runs",
        ),
        (&["--env", "NOEQUALS", "--", "true"], "--env"),
        (&["-p", "n=0,1", "--work", "{n}", "--", "true"], "--work"),
        (&["-p", "n=1"], "no command"),
        (&["--resume", "missing.jsonl"], "missing.jsonl"),
        (
            &["--runs", "1", "--no-such-option", "--", "true"],
            "unknown option '--no-such-option'",
        ),
        (&["--", "echo 'unterminated"], "--shell"),
    ];
    for (args, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut full = vec!["sweep"];
        full.extend_from_slice(args);
        let output = scalelaw(dir.path(), &full);
        let message = stderr(&output);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert_eq!(output.status.code(), Some(1), "{args:?}: {message}");
        assert!(
            message.contains(expected),
            "{args:?}: '{expected}' not in: {message}"
        );
        assert!(!message.contains("panicked"), "{args:?}: {message}");
        let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert!(files.is_empty(), "{args:?} left {files:?}: a run started");
    }
}

#[test]
fn help_lists_units_and_examples() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(dir.path(), &["sweep", "--help"]);
    assert_success(&output);
    let help = stdout(&output);
    for needle in [
        "Examples:",
        "--timeout <SECONDS>",
        "--target-rse <PERCENT>",
        "units per second",
        "OMP_NUM_THREADS={threads}",
    ] {
        assert!(help.contains(needle), "'{needle}' missing from:\n{help}");
    }
}

/// Checks that `scalelaw fit` reads the CSV a sweep writes, directly and through `--fit`.
#[test]
fn fit_reads_sweep_csv() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "-p",
            "n=1..6",
            "--runs",
            "3",
            "--work",
            "1e6",
            "--",
            "sh",
            "-c",
            "sleep 0.0{n}",
        ],
    );
    assert_success(&output);
    assert_success(&scalelaw(
        dir.path(),
        &[
            "fit",
            "sweep.csv",
            "--law",
            "amdahl",
            "--x",
            "n",
            "--y",
            "time_s",
        ],
    ));
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "-p",
            "n=1..6",
            "--runs",
            "3",
            "--work",
            "1e6",
            "--fit",
            "usl",
            "-o",
            "fit.csv",
            "--",
            "sh",
            "-c",
            "sleep 0.0{n}",
        ],
    );
    assert_success(&output);
}

#[test]
fn outliers_warned_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    // The fourth run sleeps 0.5 s; the others about 0.01 s.
    let output = scalelaw(
        dir.path(),
        &[
            "sweep", "--runs", "7", "--format", "json", "--shell", "--",
            "n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count; if [ $n = 3 ]; then sleep 0.5; else sleep 0.01; fi",
        ],
    );
    assert_success(&output);
    let message = stderr(&output);
    assert!(
        message.contains("outliers by modified z-score"),
        "{message}"
    );
    assert!(message.contains("--warmup"), "{message}");
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let time = &json["points"][0]["metrics"]["time_s"];
    // Load from other programs may flag more runs, but never hides the slow one.
    let flagged = time["outlier_repeats"].as_array().unwrap();
    assert!(
        flagged.contains(&serde_json::json!(3)),
        "flagged {flagged:?}"
    );
    // Flagged runs stay in the statistics.
    assert_eq!(time["n"], 7);
    assert!(time["max"].as_f64().unwrap() >= 0.5);
}

#[test]
fn show_output_journal_and_fsync() {
    let dir = tempfile::tempdir().unwrap();
    let output = scalelaw(
        dir.path(),
        &[
            "sweep",
            "--runs",
            "2",
            "--show-output",
            "--fsync",
            "--journal",
            "runs.jsonl",
            "-o",
            "data.csv",
            "--",
            "echo",
            "visible-marker",
        ],
    );
    assert_success(&output);
    assert_eq!(stdout(&output).matches("visible-marker").count(), 2);
    assert_eq!(journal_runs(&dir.path().join("runs.jsonl")).len(), 2);
    assert_eq!(read_csv(&dir.path().join("data.csv")).rows.len(), 2);
    assert!(!dir.path().join("data.jsonl").exists());

    // Without --show-output the command's output is discarded.
    let output = scalelaw(
        dir.path(),
        &["sweep", "--runs", "1", "--", "echo", "hidden-marker"],
    );
    assert_success(&output);
    assert!(!stdout(&output).contains("hidden-marker"));
}
