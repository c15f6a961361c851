//! `scalelaw fit` on bad input: each case must exit non-zero without a panic and name
//! the problem (and, where there is one, the row, column or flag that fixes it).

mod common;

use common::{assert_clear_failure, data, scalelaw, temp_file};

/// Runs `scalelaw fit` on a temporary CSV file with these contents and extra flags.
fn fit_csv(contents: &str, extra: &[&str]) -> common::Run {
    let (_dir, path) = temp_file("runs.csv", contents.as_bytes());
    let file = path.to_string_lossy().into_owned();
    let mut args = vec!["fit", file.as_str(), "--bootstrap", "0"];
    args.extend_from_slice(extra);
    scalelaw(&args)
}

#[test]
fn empty_file() {
    let run = fit_csv("", &[]);
    assert_clear_failure(&run, &["is empty", "header"]);
}

#[test]
fn header_without_rows() {
    let run = fit_csv("n,throughput\n", &[]);
    assert_clear_failure(&run, &["no data rows", "`n`, `throughput`"]);
}

#[test]
fn one_row() {
    let run = fit_csv("n,throughput\n4,100\n", &[]);
    assert_clear_failure(&run, &["only one row", "n = 4", "usl needs 3"]);
}

#[test]
fn all_rows_at_one_point() {
    let run = fit_csv("n,throughput\n4,100\n4,104\n4,98\n", &[]);
    assert_clear_failure(&run, &["all 3 rows", "n = 4", "single point"]);
}

#[test]
fn nan_value() {
    let run = fit_csv("n,throughput\n1,10\n2,NaN\n4,35\n", &[]);
    assert_clear_failure(
        &run,
        &["line 3", "`throughput`", "NaN", "not a finite number"],
    );
}

#[test]
fn infinite_value() {
    let run = fit_csv("n,throughput\n1,10\n2,inf\n4,35\n", &[]);
    assert_clear_failure(
        &run,
        &["line 3", "`throughput`", "inf", "not a finite number"],
    );
}

#[test]
fn negative_value() {
    let run = fit_csv("n,throughput\n1,10\n2,19\n4,-35\n8,60\n", &[]);
    assert_clear_failure(&run, &["line 4", "throughput", "-35", "above zero"]);
}

#[test]
fn zero_scale_value() {
    let run = fit_csv("n,throughput\n0,10\n2,19\n4,35\n8,60\n", &[]);
    assert_clear_failure(&run, &["line 2", "n is 0", "above zero"]);
}

#[test]
fn text_in_numeric_column() {
    let run = fit_csv("n,throughput\n1,10\n2,fast\n4,35\n", &[]);
    assert_clear_failure(&run, &["line 3", "`throughput`", "`fast` is not a number"]);
}

#[test]
fn missing_column() {
    let run = fit_csv("n,throughput\n1,10\n2,19\n4,35\n", &["--y", "latency"]);
    assert_clear_failure(
        &run,
        &[
            "no column `latency`",
            "available columns",
            "`n`, `throughput`",
        ],
    );
}

#[test]
fn too_few_points_for_law() {
    let run = fit_csv("n,throughput\n1,10\n2,19\n2,18\n", &["--law", "usl"]);
    assert_clear_failure(
        &run,
        &["only 2 distinct values of n", "usl needs 3", "measure more"],
    );
}

#[test]
fn non_utf8_bytes() {
    let (_dir, path) = temp_file("latin1.csv", b"n,throughput\n1,10\n2,19\xe9\n4,35\n");
    let file = path.to_string_lossy().into_owned();
    let run = scalelaw(&["fit", &file]);
    assert_clear_failure(&run, &["not UTF-8", "line 3", "0xe9"]);
}

#[test]
fn file_not_found() {
    let run = scalelaw(&["fit", "no/such/runs.csv"]);
    assert_clear_failure(&run, &["no/such/runs.csv", "not found"]);
}

#[test]
fn unknown_law() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&["fit", &file, "--law", "moore"]);
    assert_clear_failure(&run, &["unknown law `moore`", "usl", "amdahl", "all"]);
}

#[test]
fn where_selects_nothing() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&["fit", &file, "--where", "load=7"]);
    assert_clear_failure(&run, &["--where load=7 selects no rows", "`1`, `18`"]);
}

#[test]
fn where_without_equals() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&["fit", &file, "--where", "load"]);
    assert_clear_failure(&run, &["expected COLUMN=VALUE"]);
}

#[test]
fn ragged_row() {
    let run = fit_csv("n,throughput\n1,10\n2\n4,35\n", &[]);
    assert_clear_failure(&run, &["line 3", "1 fields", "header has 2"]);
}

#[test]
fn invalid_confidence() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&["fit", &file, "--confidence", "95"]);
    assert_clear_failure(&run, &["--confidence", "between 0 and 1"]);
}

#[test]
fn every_run_failed() {
    let run = fit_csv("n,throughput,status\n1,,failed\n2,,timeout\n", &[]);
    assert_clear_failure(&run, &["no row has status `ok`"]);
}

#[test]
fn unguessable_columns() {
    let run = fit_csv("a,b,c\n1,10,3\n2,19,4\n", &[]);
    assert_clear_failure(&run, &["scale parameter", "--x", "`a`, `b`, `c`"]);
}

#[test]
fn invalid_json_line() {
    let (_dir, path) = temp_file(
        "runs.jsonl",
        b"{\"n\": 1, \"throughput\": 10}\n{\"n\": 2,\n",
    );
    let file = path.to_string_lossy().into_owned();
    let run = scalelaw(&["fit", &file]);
    assert_clear_failure(&run, &["line 2", "not valid JSON"]);
}

#[test]
fn zero_latency() {
    let run = fit_csv("clients,latency\n1,0.01\n2,0\n4,0.012\n", &[]);
    assert_clear_failure(&run, &["line 3", "response time is 0", "above zero"]);
}

#[test]
fn predict_latency_without_latency() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&["fit", &file, "--predict-latency", "0.05"]);
    assert_clear_failure(
        &run,
        &["--predict-latency needs latency input", "--latency"],
    );
}

#[test]
fn negative_prediction_point() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&["fit", &file, "--predict=64,-4"]);
    assert_clear_failure(&run, &["--predict", "not above zero"]);
}

#[test]
fn where_on_missing_column() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&["fit", &file, "--where", "region=eu"]);
    assert_clear_failure(
        &run,
        &[
            "--where region",
            "no column `region`",
            "`load`, `throughput`",
        ],
    );
}

#[test]
fn by_on_missing_column() {
    let file = data("usl/specsdm91.csv");
    let run = scalelaw(&["fit", &file, "--by", "host"]);
    assert_clear_failure(
        &run,
        &["--by host", "no column `host`", "`load`, `throughput`"],
    );
}
