//! `scalelaw fit` end to end on the bundled published data sets (data/usl and the
//! NVIDIA BERT throughput table): the pipeline from file to JSON must reproduce the
//! published values, and every file must either fit or explain why not.

mod common;

use common::{data, fit_of, param, scalelaw};

fn value(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn assert_relative(actual: f64, expected: f64, tolerance: f64, what: &str) {
    let error = ((actual - expected) / expected).abs();
    assert!(
        error <= tolerance,
        "{what} = {actual}, expected {expected} within relative error {tolerance} (got {error:e})"
    );
}

#[test]
fn specsdm91_reproduces_r_usl() {
    // R package usl 3.0.3 README (bounded fit): alpha 0.0277285, beta 0.0001044,
    // gamma 89.9952330, SPEC SDM91 data from Gunther, Guerrilla Capacity Planning.
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&[
        "fit",
        &file,
        "--law",
        "usl",
        "--bounded",
        "--bootstrap",
        "100",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["schema_version"], 1);
    let fit = fit_of(&json["series"][0], "usl");
    assert_eq!(fit["chosen"], true);
    assert_relative(
        value(&param(fit, "alpha")["value"]),
        0.0277285,
        1e-5,
        "alpha",
    );
    assert_relative(
        value(&param(fit, "gamma")["value"]),
        89.9952330,
        1e-5,
        "gamma",
    );
    // Published with 7 decimals, so 0.0001044 carries about 3 significant digits.
    let beta = value(&param(fit, "beta")["value"]);
    assert!((beta - 0.0001044).abs() < 5e-8, "beta = {beta}");
    assert_eq!(param(fit, "beta")["at_bound"], false);
}

#[test]
fn specsdm91_chooses_usl_among_all_laws() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&["fit", &file, "--bootstrap", "50", "--format", "json"]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    let series = &json["series"][0];
    assert_eq!(series["comparison"]["chosen"], "usl");
    assert!(series["comparison"]["reason"]
        .as_str()
        .unwrap()
        .contains("lowest"));
    assert_eq!(series["fits"].as_array().unwrap().len(), 4);
    assert!(
        run.stderr.contains("using x = load, y = throughput"),
        "{}",
        run.stderr
    );
}

#[test]
fn raytracer_bounded_puts_beta_on_bound() {
    let file = data("usl/raytracer.csv");
    let run = scalelaw(&[
        "fit",
        &file,
        "--law",
        "usl",
        "--bounded",
        "--bootstrap",
        "50",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    let fit = fit_of(&json["series"][0], "usl");
    let beta = param(fit, "beta");
    assert!(
        value(&beta["value"]).abs() < 1e-12,
        "beta = {}",
        beta["value"]
    );
    assert_eq!(beta["at_bound"], true);
    let warnings = fit["warnings"].to_string();
    assert!(
        warnings.contains("beta") && warnings.contains("bound"),
        "{warnings}"
    );

    let table = scalelaw(&[
        "fit",
        &file,
        "--law",
        "usl",
        "--bounded",
        "--bootstrap",
        "50",
    ]);
    assert!(table.stdout.contains("on its bound"), "{}", table.stdout);
}

#[test]
fn raytracer_unbounded_explains_negative_beta() {
    let file = data("usl/raytracer.csv");
    let run = scalelaw(&[
        "fit",
        &file,
        "--law",
        "usl",
        "--bootstrap",
        "50",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    let fit = fit_of(&json["series"][0], "usl");
    let beta = value(&param(fit, "beta")["value"]);
    // Independent re-fit (scipy least_squares, unbounded): beta = -2.011e-4.
    assert_relative(beta, -2.011e-4, 1e-3, "beta");
    let reason = fit["regime"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("beta") && reason.contains("< 0"),
        "{reason}"
    );
    assert!(reason.contains("--bounded"), "{reason}");
}

#[test]
fn every_usl_file_fits_or_explains() {
    let folder = data("usl");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .expect("data/usl exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the bundled USL files in {folder}"
    );
    for path in files {
        let file = path.to_string_lossy().into_owned();
        let run = scalelaw(&["fit", &file, "--bootstrap", "20", "--format", "json"]);
        assert!(!run.stderr.contains("panicked"), "{file}: {}", run.stderr);
        if run.success {
            let json = run.json();
            let chosen = &json["series"][0]["comparison"]["chosen"];
            assert!(chosen.is_string(), "{file}: no law chosen");
        } else {
            // Files whose columns cannot be guessed name the flag to set.
            assert!(
                run.stderr.contains("--x") || run.stderr.contains("--y"),
                "{file}: unclear failure: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn files_needing_columns_fit_with_flags() {
    let cases = [
        ("usl/oracledb.csv", "db_time", "txn_rate"),
        ("usl/paypal_node_java.csv", "concurrency", "node_throughput"),
        ("usl/paypal_node_java.csv", "concurrency", "java_throughput"),
    ];
    for (relative, x, y) in cases {
        let file = data(relative);
        let run = scalelaw(&[
            "fit",
            &file,
            "--x",
            x,
            "--y",
            y,
            "--bootstrap",
            "20",
            "--format",
            "json",
        ]);
        assert!(run.success, "{relative} {y}: {}", run.stderr);
    }
}

#[test]
fn paypal_java_blanks_are_missing() {
    let file = data("usl/paypal_node_java.csv");
    let run = scalelaw(&[
        "fit",
        &file,
        "--y",
        "java_throughput",
        "--bootstrap",
        "20",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["input"]["rows_used"], 4);
    let points = json["series"][0]["points"].as_array().unwrap();
    assert_eq!(points.len(), 4);
    assert!(
        points.iter().all(|p| value(&p["mean"]) > 0.0),
        "a blank became 0"
    );
    assert!(
        run.stderr.contains("empty `java_throughput`"),
        "{}",
        run.stderr
    );
}

const BERT: &str = "nvidia_bert_dp_throughput/bert_pytorch_dp_throughput.csv";

#[test]
fn bert_dgx2h_reports_efficiency_at_1024_gpus() {
    let file = data(BERT);
    let run = scalelaw(&[
        "fit",
        &file,
        "--x",
        "total_gpus",
        "--y",
        "throughput_seq_per_s",
        "--where",
        "system=DGX-2H (16x V100 32GB) multi-node",
        "--where",
        "phase=pretrain",
        "--where",
        "seq_len=128",
        "--where",
        "precision=mixed",
        "--law",
        "usl",
        "--bootstrap",
        "50",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["input"]["rows_used"], 4);
    let fit = fit_of(&json["series"][0], "usl");
    let last = fit["points"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(value(&last["x"]), 1024.0);
    assert_eq!(value(&last["mean"]), 188088.32);
    let efficiency = value(&last["efficiency"]);
    // NVIDIA reports 87% against one 16-GPU node; against the fitted one-GPU rate the
    // efficiency is of the same size.
    assert!(
        (0.8..1.0).contains(&efficiency),
        "efficiency = {efficiency}"
    );
}

#[test]
fn bert_by_group_fits_every_series() {
    let file = data(BERT);
    let run = scalelaw(&[
        "fit",
        &file,
        "--x",
        "total_gpus",
        "--y",
        "throughput_seq_per_s",
        "--by",
        "system,phase,seq_len,precision,batch_per_gpu",
        "--bootstrap",
        "10",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    let series = json["series"].as_array().unwrap();
    let rows: u64 = 86;
    assert_eq!(json["input"]["rows"], rows);
    assert!(series.len() >= 20, "only {} series", series.len());
    let failed: Vec<_> = series.iter().filter(|s| s["status"] == "failed").collect();
    let fitted = series.len() - failed.len();
    assert!(fitted >= 20, "only {fitted} series fitted");
    // The two DGX-2H fp32 rows are single points at 1,024 GPUs: each gets its reason.
    assert_eq!(failed.len(), 2, "{failed:?}");
    for s in failed {
        let error = s["error"].as_str().unwrap();
        assert!(error.contains("only one row"), "{error}");
        assert!(s["group"]["system"].is_string());
    }
}

#[test]
fn paypal_both_metrics_as_series() {
    let file = data("usl/paypal_node_java.csv");
    let guessed = scalelaw(&["fit", &file, "--bootstrap", "0"]);
    assert!(!guessed.success);
    assert!(
        guessed
            .stderr
            .contains("--y node_throughput,java_throughput"),
        "{}",
        guessed.stderr
    );

    let run = scalelaw(&[
        "fit",
        &file,
        "--y",
        "node_throughput,java_throughput",
        "--bootstrap",
        "20",
        "--format",
        "json",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json = run.json();
    let series = json["series"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[0]["group"]["metric"], "node_throughput");
    assert_eq!(series[1]["group"]["metric"], "java_throughput");
    assert_eq!(series[1]["points"].as_array().unwrap().len(), 4);
}

#[test]
fn bert_by_group_table_summarises_series() {
    let file = data(BERT);
    let run = scalelaw(&[
        "fit",
        &file,
        "--x",
        "total_gpus",
        "--y",
        "throughput_seq_per_s",
        "--by",
        "system,phase,seq_len,precision,batch_per_gpu",
        "--bootstrap",
        "0",
    ]);
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stdout.contains("27 series; the chosen law of each"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("efficiency at max x"), "{}", run.stdout);
    let not_fitted = run
        .stdout
        .lines()
        .filter(|line| line.contains("precision=fp32") && line.ends_with("not fitted"))
        .count();
    assert_eq!(not_fitted, 2, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("not fitted (1 distinct point): only one row"),
        "{}",
        run.stdout
    );
}
