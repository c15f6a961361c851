//! `scalelaw fit` output formats and input features end to end: table, JSON, CSV and
//! Markdown on specsdm91, runs at repeated points, status and JSON Lines input,
//! latency input with Little's law, and predictions.

mod common;

use common::{data, fit_of, param, scalelaw, temp_file};

fn specsdm91(format: &str) -> common::Run {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&[
        "fit",
        &file,
        "--bootstrap",
        "100",
        "--format",
        format,
        "--predict",
        "64,300",
    ]);
    assert!(run.success, "{format}: {}", run.stderr);
    run
}

#[test]
fn table_shows_the_work() {
    let out = specsdm91("table").stdout;
    for needle in [
        "laws ranked by leave-one-out error",
        "chosen: usl, because Universal Scalability Law has the lowest",
        "95% t interval",
        "95% bootstrap",
        "peak_n",
        "roof",
        "R² = 0.98956",
        "LOO RMSE",
        "regime: retrograde",
        "Karp-Flatt",
        "efficiency",
        "predicted throughput",
        "outside the measured range",
    ] {
        assert!(out.contains(needle), "table lacks `{needle}`:\n{out}");
    }
    // Not a terminal, so no plot unless asked.
    assert!(!out.contains("o = measured mean"));
}

#[test]
fn json_is_documented_shape() {
    let json = specsdm91("json").json();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["command"], "fit");
    assert_eq!(json["input"]["scale"], "load");
    assert_eq!(json["input"]["metric"], "throughput");
    assert_eq!(json["input"]["roles"], "guessed");
    assert_eq!(json["settings"]["bootstrap_resamples"], 100);
    let series = &json["series"][0];
    assert_eq!(series["status"], "fitted");
    assert_eq!(series["points"].as_array().unwrap().len(), 7);
    assert_eq!(series["comparison"]["criterion"], "leave_one_out");
    let usl = fit_of(series, "usl");
    assert_eq!(usl["rank"], 1);
    let alpha = param(usl, "alpha");
    assert!(alpha["t_interval"]["lower"].is_f64());
    assert!(alpha["bootstrap_interval"]["upper"].is_f64());
    let prediction = &usl["predictions"][1];
    assert_eq!(prediction["x"], 300.0);
    assert_eq!(prediction["extrapolated"], true);
    assert!(prediction["interval"]["lower"].is_f64());
    // The first fit listed is the chosen one.
    assert_eq!(series["fits"][0]["chosen"], true);
}

#[test]
fn json_has_no_nan_or_infinity() {
    // Identical values make R² undefined: it must be null with a note.
    let (_dir, path) = temp_file("flat.csv", b"n,throughput\n1,10\n2,10\n4,10\n8,10\n");
    let file = path.to_string_lossy().into_owned();
    let run = scalelaw(&["fit", &file, "--law", "linear", "--format", "json"]);
    assert!(run.success, "{}", run.stderr);
    for token in [": NaN", ": inf", ": -inf", ": Infinity"] {
        assert!(!run.stdout.contains(token), "{}", run.stdout);
    }
    let json = run.json();
    let fit = fit_of(&json["series"][0], "linear");
    assert!(fit["diagnostics"]["r_squared"].is_null());
    assert!(fit["null_notes"].to_string().contains("r_squared"));
}

#[test]
fn csv_is_one_long_table() {
    let out = specsdm91("csv").stdout;
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "series");
    assert_eq!(headers.len(), 13);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let alpha = rows
        .iter()
        .find(|r| &r[1] == "usl" && &r[3] == "param" && &r[4] == "alpha")
        .expect("usl alpha row");
    assert_eq!(&alpha[2], "true");
    let value: f64 = alpha[6].parse().unwrap();
    assert!((value - 0.0277285).abs() < 1e-6);
    assert!(rows
        .iter()
        .any(|r| &r[3] == "point" && &r[4] == "karp_flatt"));
    assert!(rows.iter().any(|r| &r[3] == "prediction" && &r[5] == "64"));
}

#[test]
fn markdown_has_headings_and_tables() {
    let out = specsdm91("markdown").stdout;
    assert!(out.contains("# throughput against load"), "{out}");
    assert!(
        out.contains("## Universal Scalability Law (usl, chosen)"),
        "{out}"
    );
    assert!(out.contains("| parameter | estimate |"), "{out}");
    assert!(
        out.contains("| ---: |") || out.contains("| :--- |"),
        "{out}"
    );
}

#[test]
fn plot_draws_points_and_curve() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&["fit", &file, "--bootstrap", "0", "--plot", "always"]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("o = measured mean"), "{}", run.stdout);
    assert!(run.stdout.matches('o').count() >= 7);
}

#[test]
fn repeated_runs_give_mean_and_spread() {
    let csv = "workers,throughput,repeat,status\n\
               1,100,1,ok\n1,104,2,ok\n2,190,1,ok\n2,194,2,ok\n2,0,3,failed\n\
               4,350,1,ok\n4,354,2,ok\n8,600,1,ok\n8,610,2,timeout\n8,604,3,ok\n";
    let (_dir, path) = temp_file("runs.csv", csv.as_bytes());
    let file = path.to_string_lossy().into_owned();
    let run = scalelaw(&[
        "fit",
        &file,
        "--law",
        "amdahl",
        "--bootstrap",
        "50",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("left out 2 of 10 rows whose status is not ok (failed: 1, timeout: 1)"),
        "{}",
        run.stderr
    );
    let json = run.json();
    assert_eq!(json["input"]["rows_used"], 8);
    let first = &json["series"][0]["points"][0];
    assert_eq!(first["runs"], 2);
    assert_eq!(first["mean"], 102.0);
    let sd = first["std_dev"].as_f64().unwrap();
    assert!((sd - 8f64.sqrt()).abs() < 1e-12, "sd = {sd}");
    let fit = fit_of(&json["series"][0], "amdahl");
    assert_eq!(fit["diagnostics"]["n"], 8);
    assert_eq!(fit["diagnostics"]["points"], 4);
}

#[test]
fn json_lines_input() {
    let lines = "{\"threads\": 1, \"throughput\": 100, \"status\": \"ok\"}\n\
                 {\"threads\": 2, \"throughput\": 190, \"status\": \"ok\"}\n\
                 {\"threads\": 4, \"throughput\": 340, \"status\": \"ok\"}\n\
                 {\"threads\": 8, \"throughput\": 560, \"status\": \"ok\"}\n\
                 {\"threads\": 16, \"status\": \"failed\"}\n";
    let (_dir, path) = temp_file("journal.jsonl", lines.as_bytes());
    let file = path.to_string_lossy().into_owned();
    let run = scalelaw(&[
        "fit",
        &file,
        "--law",
        "amdahl",
        "--bootstrap",
        "20",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["input"]["format"], "jsonl");
    assert_eq!(json["input"]["scale"], "threads");
    assert_eq!(json["input"]["rows_used"], 4);
}

/// Latency of a closed system following the USL with alpha 0.05, beta 0.001 and
/// gamma 100 per second: R(N) = (1 + alpha(N-1) + beta N(N-1)) / gamma.
fn usl_latency_csv() -> String {
    let mut csv = String::from("clients,latency_s\n");
    for n in [1.0f64, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0] {
        let r = (1.0 + 0.05 * (n - 1.0) + 0.001 * n * (n - 1.0)) / 100.0;
        csv.push_str(&format!("{n},{r}\n"));
    }
    csv
}

#[test]
fn latency_input_derives_throughput() {
    let (_dir, path) = temp_file("latency.csv", usl_latency_csv().as_bytes());
    let file = path.to_string_lossy().into_owned();
    let run = scalelaw(&[
        "fit",
        &file,
        "--y",
        "latency_s",
        "--law",
        "usl",
        "--bootstrap",
        "50",
        "--predict",
        "10",
        "--predict-latency",
        "0.05",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stderr.contains("Little's law"), "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["input"]["roles"], "derived");
    let series = &json["series"][0];
    assert_eq!(series["latency_column"], "latency_s");
    let fit = fit_of(series, "usl");
    let alpha = param(fit, "alpha")["value"].as_f64().unwrap();
    assert!((alpha - 0.05).abs() < 1e-6, "alpha = {alpha}");
    let r10 = fit["response_time_predictions"][0]["value"]
        .as_f64()
        .unwrap();
    let expected = (1.0 + 0.05 * 9.0 + 0.001 * 90.0) / 100.0;
    assert!((r10 - expected).abs() < 1e-6, "R(10) = {r10}");
    let at = &fit["latency_predictions"][0];
    let n = at["concurrency"]["value"].as_f64().unwrap();
    // Positive root of 0.001 N² + 0.049 N + (0.95 - 5) = 0.
    let n_expected = (-0.049 + (0.049f64.powi(2) + 4.0 * 0.001 * 4.05).sqrt()) / 0.002;
    assert!(
        (n - n_expected).abs() < 1e-4,
        "N(0.05) = {n}, expected {n_expected}"
    );
    let x = at["throughput"]["value"].as_f64().unwrap();
    assert!((x - n_expected / 0.05).abs() < 1e-2, "X(0.05) = {x}");
}

#[test]
fn throughput_and_latency_derive_concurrency() {
    let file = data("usl/isilon_sfs2008.csv");
    let run = scalelaw(&[
        "fit",
        &file,
        "--throughput",
        "throughput_ops_per_s",
        "--latency",
        "response_time_s",
        "--law",
        "usl",
        "--bootstrap",
        "20",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["input"]["scale"], "concurrency");
    let first = json["series"][0]["points"][0]["x"].as_f64().unwrap();
    // First row: 25504 ops/s at 0.0007 s, the file's own concurrency 17.8528.
    assert!((first - 17.8528).abs() < 1e-9, "N = {first}");
}

#[test]
fn help_shows_examples() {
    let run = scalelaw(&["fit", "--help"]);
    assert!(run.success);
    assert!(run.stdout.contains("Examples:"), "{}", run.stdout);
    assert!(run.stdout.contains("--predict-latency"), "{}", run.stdout);
}

#[test]
fn spreadsheet_csv_with_bom_and_crlf() {
    let csv = "\u{feff}threads,throughput\r\n1,100\r\n2,190\r\n4,340\r\n8,560\r\n";
    let (_dir, path) = temp_file("export.csv", csv.as_bytes());
    let file = path.to_string_lossy().into_owned();
    let run = scalelaw(&[
        "fit",
        &file,
        "--law",
        "amdahl",
        "--bootstrap",
        "0",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["input"]["scale"], "threads");
    assert_eq!(json["input"]["rows_used"], 4);
}

#[test]
fn run_time_is_fitted_as_rate() {
    // Amdahl's law with serial fraction 0.1 and 100 s on one process:
    // T(N) = 100 (0.1 + 0.9/N), so the rate 1/T follows X(N) = N/(100 (1 + 0.1(N-1))).
    let mut csv = String::from("processes,wall_time_s\n");
    for n in [1.0f64, 2.0, 4.0, 8.0, 16.0, 32.0] {
        csv.push_str(&format!("{n},{}\n", 100.0 * (0.1 + 0.9 / n)));
    }
    let (_dir, path) = temp_file("strong.csv", csv.as_bytes());
    let file = path.to_string_lossy().into_owned();
    let run = scalelaw(&[
        "fit",
        &file,
        "--law",
        "amdahl",
        "--bootstrap",
        "0",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stderr.contains("rate 1/wall_time_s"), "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["input"]["metric"], "1/wall_time_s");
    assert_eq!(json["input"]["run_time_column"], "wall_time_s");
    let fit = fit_of(&json["series"][0], "amdahl");
    let alpha = param(fit, "alpha")["value"].as_f64().unwrap();
    assert!((alpha - 0.1).abs() < 1e-9, "alpha = {alpha}");
    let gamma = param(fit, "gamma")["value"].as_f64().unwrap();
    assert!((gamma - 0.01).abs() < 1e-12, "gamma = {gamma}");
}

#[test]
fn seed_makes_intervals_reproducible() {
    let file = data("usl/specsdm91.csv");
    let interval = |seed: &str| {
        let run = scalelaw(&[
            "fit",
            &file,
            "--law",
            "usl",
            "--bootstrap",
            "100",
            "--seed",
            seed,
            "--format",
            "json",
        ]);
        assert!(run.success, "{}", run.stderr);
        let json = run.json();
        param(fit_of(&json["series"][0], "usl"), "alpha")["bootstrap_interval"].clone()
    };
    assert_eq!(interval("7"), interval("7"));
    assert_ne!(interval("7"), interval("8"));
}

#[test]
fn confidence_level_sets_headers() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&[
        "fit",
        &file,
        "--law",
        "usl",
        "--bootstrap",
        "50",
        "--confidence",
        "0.9",
    ]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("90% t interval"), "{}", run.stdout);
    assert!(run.stdout.contains("90% bootstrap"), "{}", run.stdout);
    assert!(run.stdout.contains("90% intervals"), "{}", run.stdout);
}
