//! The files and text `scalelaw sweep` writes at the end: the tidy CSV, the per-point statistics in
//! each `--format`, warnings about the results, and the hyperfine export.
//!
//! The JSON statistics (`--format json`) are a stable interface:
//!
//! ```json
//! {"parameters": ["n"], "metrics": ["time_s", "user_s", "sys_s", "max_rss_kib"],
//!  "points": [{"point": {"n": "4"}, "ok": 10, "failed": 0, "timed_out": 0,
//!              "metrics": {"time_s": {"n": 10, "mean": 0.5, "median": 0.5,
//!                                     "std_dev": 0.01, "min": 0.48, "max": 0.53,
//!                                     "ci95": [0.49, 0.51], "rse": 0.006,
//!                                     "outlier_repeats": []}}}]}
//! ```
//!
//! Scale parameter values are strings, as written in `-p`. A metric with no successful
//! run is `null`; `std_dev`, `ci95` and `rse` are `null` for a single run.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use scalelaw_sweep::{Plan, PointResult, RunRecord, RunStatus, Summary};
use serde_json::{json, Value};

use super::Format;

/// Writes the tidy CSV: one row per measured run, in the order the runs finished, with a
/// column per scale parameter and per metric, then `repeat`, `status` and `timestamp`.
/// Failed and timed-out runs keep their row and status, with empty metric cells.
pub fn write_csv(path: &Path, plan: &Plan, records: &[RunRecord]) -> anyhow::Result<()> {
    let parameters = plan.parameter_names();
    let metrics = plan.metric_names();
    let mut writer = csv::Writer::from_path(path).with_context(|| {
        format!(
            "cannot write {}; choose another path with --output",
            path.display()
        )
    })?;
    let mut header: Vec<&str> = parameters.iter().map(String::as_str).collect();
    header.extend(metrics.iter().map(String::as_str));
    header.extend(["repeat", "status", "timestamp"]);
    writer.write_record(&header)?;

    for record in records.iter().filter(|r| !r.warmup) {
        let mut row: Vec<String> = parameters
            .iter()
            .map(|name| record.point.get(name).cloned().unwrap_or_default())
            .collect();
        for name in &metrics {
            let cell = match (record.status, record.metrics.get(name)) {
                (RunStatus::Ok, Some(value)) => value.to_string(),
                _ => String::new(),
            };
            row.push(cell);
        }
        row.push(record.repeat.to_string());
        row.push(record.status.word().to_string());
        row.push(record.timestamp.clone());
        writer.write_record(&row)?;
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn point_label(result: &PointResult) -> String {
    if result.point.0.is_empty() {
        "the point".to_string()
    } else {
        format!("point {}", result.point.label())
    }
}

/// Prints warnings about outliers, failures and timeouts to standard error.
pub fn warn_about_results(results: &[PointResult]) {
    let mut outlier_points = 0;
    for result in results {
        let flagged: Vec<String> = result
            .metrics
            .iter()
            .filter(|m| !m.outlier_repeats.is_empty())
            .map(|m| {
                let repeats: Vec<String> =
                    m.outlier_repeats.iter().map(|r| r.to_string()).collect();
                format!("{} (runs {})", m.name, repeats.join(", "))
            })
            .collect();
        if !flagged.is_empty() {
            outlier_points += 1;
            eprintln!(
                "warning: {}: outliers by modified z-score (|M| > 3.5) in {}; they are kept in \
                 every statistic",
                point_label(result),
                flagged.join("; ")
            );
        }
        if result.failed > 0 || result.timed_out > 0 {
            eprintln!(
                "warning: {}: {} failed and {} timed-out runs are in the CSV with their \
                 status and no metric values",
                point_label(result),
                result.failed,
                result.timed_out
            );
        }
        if result.ok == 0 && result.failed + result.timed_out > 0 {
            eprintln!(
                "warning: {}: no successful run, so it has no statistics",
                point_label(result)
            );
        }
    }
    if outlier_points > 0 {
        eprintln!(
            "hint: outliers often come from cold caches or other programs: add warmup runs \
             (--warmup 3), close other programs or run on a quieter machine, and keep the \
             default interleaved order so drift spreads over all points"
        );
    }
}

/// Formats a number with about four significant digits.
fn format_number(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-4..9).contains(&magnitude) {
        return format!("{value:.3e}");
    }
    let decimals = (3 - magnitude).max(0) as usize;
    format!("{value:.decimals$}")
}

const STAT_COLUMNS: [&str; 10] = [
    "metric",
    "runs",
    "mean",
    "ci95_low",
    "ci95_high",
    "median",
    "std_dev",
    "min",
    "max",
    "outliers",
];

/// Returns the rows of the statistics table: parameters, then [`STAT_COLUMNS`].
fn table_rows(plan: &Plan, results: &[PointResult]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = plan.parameter_names();
    header.extend(STAT_COLUMNS.iter().map(|s| s.to_string()));
    let mut rows = Vec::new();
    for result in results {
        for metric in &result.metrics {
            let mut row: Vec<String> = result.point.0.iter().map(|(_, v)| v.clone()).collect();
            row.push(metric.name.clone());
            match &metric.summary {
                Some(summary) => {
                    let optional =
                        |value: Option<f64>| value.map(format_number).unwrap_or_default();
                    row.push(summary.n.to_string());
                    row.push(format_number(summary.mean));
                    row.push(optional(summary.ci95.map(|ci| ci[0])));
                    row.push(optional(summary.ci95.map(|ci| ci[1])));
                    row.push(format_number(summary.median));
                    row.push(optional(summary.std_dev));
                    row.push(format_number(summary.min));
                    row.push(format_number(summary.max));
                    row.push(metric.outlier_repeats.len().to_string());
                }
                None => {
                    row.push("0".to_string());
                    row.extend(std::iter::repeat_n(String::new(), STAT_COLUMNS.len() - 2));
                }
            }
            rows.push(row);
        }
    }
    (header, rows)
}

fn summary_json(summary: &Option<Summary>, outlier_repeats: &[usize]) -> Value {
    match summary {
        None => Value::Null,
        Some(summary) => json!({
            "n": summary.n,
            "mean": summary.mean,
            "median": summary.median,
            "std_dev": summary.std_dev,
            "min": summary.min,
            "max": summary.max,
            "ci95": summary.ci95,
            "rse": summary.rse,
            "outlier_repeats": outlier_repeats,
        }),
    }
}

/// Returns the statistics as the JSON document described in the module documentation.
pub fn statistics_json(plan: &Plan, results: &[PointResult]) -> Value {
    let points: Vec<Value> = results
        .iter()
        .map(|result| {
            let point: serde_json::Map<String, Value> = result
                .point
                .0
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let metrics: serde_json::Map<String, Value> = result
                .metrics
                .iter()
                .map(|m| (m.name.clone(), summary_json(&m.summary, &m.outlier_repeats)))
                .collect();
            json!({
                "point": point,
                "ok": result.ok,
                "failed": result.failed,
                "timed_out": result.timed_out,
                "metrics": metrics,
            })
        })
        .collect();
    json!({
        "parameters": plan.parameter_names(),
        "metrics": plan.metric_names(),
        "points": points,
    })
}

/// Prints the per-point statistics in `format`.
pub fn print_statistics(
    out: &mut dyn Write,
    format: Format,
    plan: &Plan,
    results: &[PointResult],
) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &statistics_json(plan, results))?;
            writeln!(out)?;
        }
        Format::Csv => {
            let (header, rows) = table_rows(plan, results);
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(&header)?;
            for row in rows {
                writer.write_record(&row)?;
            }
            writer.flush()?;
        }
        Format::Table => {
            let (header, rows) = table_rows(plan, results);
            let mut widths: Vec<usize> = header.iter().map(String::len).collect();
            for row in &rows {
                for (width, cell) in widths.iter_mut().zip(row) {
                    *width = (*width).max(cell.len());
                }
            }
            let line = |cells: &[String]| {
                let padded: Vec<String> = cells
                    .iter()
                    .zip(&widths)
                    .map(|(cell, width)| format!("{cell:<width$}"))
                    .collect();
                padded.join("  ").trim_end().to_string()
            };
            writeln!(out, "{}", line(&header))?;
            for row in &rows {
                writeln!(out, "{}", line(row))?;
            }
        }
        Format::Markdown => {
            let (header, rows) = table_rows(plan, results);
            writeln!(out, "| {} |", header.join(" | "))?;
            let rule: Vec<&str> = header.iter().map(|_| "---").collect();
            writeln!(out, "| {} |", rule.join(" | "))?;
            for row in rows {
                writeln!(out, "| {} |", row.join(" | "))?;
            }
        }
    }
    Ok(())
}

/// Writes the measured runs in hyperfine's JSON export format: one result per point with
/// `command`, `mean`, `stddev`, `median`, `user`, `system`, `min`, `max`, `times`,
/// `exit_codes` and `parameters`.
///
/// As in hyperfine with `--ignore-failure`, `times` and the statistics cover every run
/// that exited, failed ones included. Timed-out runs have no time and are left out, with a
/// warning.
pub fn write_hyperfine(path: &Path, plan: &Plan, records: &[RunRecord]) -> anyhow::Result<()> {
    let mut results = Vec::new();
    let mut left_out = 0;
    for point in &plan.points {
        let mut runs: Vec<&RunRecord> = records
            .iter()
            .filter(|r| !r.warmup && point.0.iter().all(|(k, v)| r.point.get(k) == Some(v)))
            .collect();
        runs.sort_by_key(|r| r.repeat);
        left_out += runs
            .iter()
            .filter(|r| r.status == RunStatus::TimedOut)
            .count();
        let exited: Vec<&&RunRecord> = runs
            .iter()
            .filter(|r| r.status != RunStatus::TimedOut && r.metrics.contains_key("time_s"))
            .collect();
        let times: Vec<f64> = exited.iter().map(|r| r.metrics["time_s"]).collect();
        let Some(summary) = Summary::of(&times) else {
            if !runs.is_empty() {
                eprintln!(
                    "warning: point {} is left out of {}: none of its runs exited before the timeout",
                    point.label(),
                    path.display()
                );
            }
            continue;
        };
        let mean_of = |name: &str| {
            exited
                .iter()
                .map(|r| r.metrics.get(name).copied().unwrap_or(0.0))
                .sum::<f64>()
                / exited.len() as f64
        };
        let exit_codes: Vec<Value> = exited
            .iter()
            .map(|r| match r.status {
                RunStatus::Ok => json!(0),
                RunStatus::Failed { exit_code, .. } => json!(exit_code),
                RunStatus::TimedOut => Value::Null,
            })
            .collect();
        let parameters: BTreeMap<&str, &str> = point
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        results.push(json!({
            "command": plan.request(point).command_line(),
            "mean": summary.mean,
            "stddev": summary.std_dev,
            "median": summary.median,
            "user": mean_of("user_s"),
            "system": mean_of("sys_s"),
            "min": summary.min,
            "max": summary.max,
            "times": times,
            "exit_codes": exit_codes,
            "parameters": parameters,
        }));
    }
    if left_out > 0 {
        eprintln!(
            "warning: {left_out} timed-out runs are left out of {}, because hyperfine's format \
             has no place for a run without a time; the CSV and the journal keep them",
            path.display()
        );
    }
    let text = serde_json::to_string_pretty(&json!({ "results": results }))?;
    std::fs::write(path, text + "\n").with_context(|| {
        format!(
            "cannot write {}; choose another path with --export-hyperfine",
            path.display()
        )
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_format_four_digits() {
        assert_eq!(format_number(0.123456), "0.1235");
        assert_eq!(format_number(1234.56), "1235");
        assert_eq!(format_number(12.0), "12.00");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(1.5e-7), "1.500e-7");
    }
}
