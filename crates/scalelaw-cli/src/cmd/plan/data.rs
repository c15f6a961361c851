//! Inputs of `plan` beyond the shared reader: run counts by status per
//! configuration, and saved fits.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use scalelaw::plan::FittedLaw;
use serde_json::Value;

/// Words that mark a metric as the run time of a job, so the job-time law applies.
const TIME_WORDS: &[&str] = &[
    "time",
    "runtime",
    "duration",
    "elapsed",
    "seconds",
    "walltime",
    "wallclock",
    "makespan",
];

/// Words that mark a metric as the latency of one request rather than a job's run time.
const LATENCY_WORDS: &[&str] = &["latency", "response", "rt", "resp"];

/// Returns whether a metric column's name reads as a run time (`time`, `run_time`,
/// `elapsed_s`) and not as a latency (`response_time`).
pub fn is_time_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(['_', '-', '.', ' ']).collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    has(TIME_WORDS) && !has(LATENCY_WORDS)
}

/// Counts the runs whose `status` is not `ok` (failed or timed out) for each value of
/// `config_column` (all under "" without one). Reads CSV or, for `.jsonl` files, JSON
/// Lines; returns an empty map when the file has no `status` column.
pub fn censored_runs(
    path: &Path,
    config_column: Option<&str>,
) -> anyhow::Result<BTreeMap<String, usize>> {
    let file = path.display().to_string();
    let mut counts = BTreeMap::new();
    let mut count = |config: String, status: &str| {
        if !status.trim().eq_ignore_ascii_case("ok") {
            *counts.entry(config).or_insert(0) += 1;
        }
    };
    let is_jsonl = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    if is_jsonl {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {file}"))?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(object) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let Some(status) = object.get("status").and_then(Value::as_str) else {
                continue;
            };
            let config = config_column
                .and_then(|c| object.get(c))
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .unwrap_or_default();
            count(config, status);
        }
        return Ok(counts);
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read {file}"))?;
    let header = reader.headers()?.clone();
    let Some(status) = header.iter().position(|h| h == "status") else {
        return Ok(counts);
    };
    let config = config_column.and_then(|name| header.iter().position(|h| h == name));
    for record in reader.records() {
        let record = record.with_context(|| format!("{file}: cannot read a row"))?;
        let label = config
            .and_then(|c| record.get(c))
            .unwrap_or_default()
            .to_string();
        count(label, record.get(status).unwrap_or_default());
    }
    Ok(counts)
}

/// One fit read from a saved file.
#[derive(Debug, Clone)]
pub struct SavedFit {
    pub label: String,
    pub fitted: FittedLaw,
}

/// Reads saved fits: the JSON of `scalelaw fit --format json` (the chosen law of each
/// fitted series), or the library's serialised `Fit` or `FittedLaw`, alone or in an
/// array.
pub fn read_saved_fits(path: &Path) -> anyhow::Result<Vec<SavedFit>> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {file}"))?;
    let document: Value =
        serde_json::from_str(&text).with_context(|| format!("{file} is not valid JSON"))?;
    let fits = match &document {
        Value::Array(items) => items
            .iter()
            .map(|item| library_fit(item, ""))
            .collect::<Option<Vec<_>>>(),
        Value::Object(object) if object.contains_key("series") => fit_command_output(&document),
        Value::Object(_) => library_fit(&document, "").map(|fit| vec![fit]),
        _ => None,
    };
    match fits {
        Some(fits) if !fits.is_empty() => Ok(fits),
        _ => bail!(
            "{file} contains no saved fit: expected the output of `scalelaw fit --format json` \
             with at least one fitted series, or a serialised scalelaw Fit"
        ),
    }
}

fn library_fit(value: &Value, label: &str) -> Option<SavedFit> {
    let fitted = if let Ok(fit) = serde_json::from_value::<scalelaw::Fit>(value.clone()) {
        FittedLaw::from(&fit)
    } else {
        serde_json::from_value::<FittedLaw>(value.clone()).ok()?
    };
    Some(SavedFit {
        label: label.to_string(),
        fitted,
    })
}

/// Reads the chosen fit of each fitted series in `scalelaw fit --format json` output,
/// with its bootstrap resamples where the output has them.
fn fit_command_output(document: &Value) -> Option<Vec<SavedFit>> {
    let confidence = document["settings"]["confidence"].as_f64().unwrap_or(0.95);
    let mut out = Vec::new();
    for series in document["series"].as_array()? {
        if series["status"].as_str() != Some("fitted") {
            continue;
        }
        let fits = series["fits"].as_array()?;
        let Some(chosen) = fits.iter().find(|f| f["chosen"].as_bool() == Some(true)) else {
            continue;
        };
        let theta = chosen["params"]
            .as_array()?
            .iter()
            .map(|p| p["value"].as_f64())
            .collect::<Option<Vec<f64>>>()?;
        let max_x = series["points"]
            .as_array()?
            .iter()
            .filter_map(|p| p["x"].as_f64())
            .fold(f64::NEG_INFINITY, f64::max);
        let label = series["label"].as_str().unwrap_or_default().to_string();
        out.push(SavedFit {
            label,
            fitted: FittedLaw {
                law: chosen["law"].as_str()?.to_string(),
                theta,
                bootstrap_thetas: chosen["bootstrap_thetas"]
                    .as_array()
                    .map(|rows| {
                        rows.iter()
                            .filter_map(|row| {
                                row.as_array()?
                                    .iter()
                                    .map(Value::as_f64)
                                    .collect::<Option<Vec<f64>>>()
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                max_measured_n: max_x,
                confidence,
            },
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_names_exclude_latency() {
        assert!(is_time_name("time"));
        assert!(is_time_name("run_time"));
        assert!(is_time_name("elapsed_s"));
        assert!(!is_time_name("response_time"));
        assert!(!is_time_name("throughput"));
    }

    #[test]
    fn fit_command_output_takes_chosen_law() {
        let document = serde_json::json!({
            "settings": {"confidence": 0.9},
            "series": [{
                "label": "",
                "status": "fitted",
                "points": [{"x": 1.0}, {"x": 16.0}],
                "fits": [
                    {"law": "amdahl", "chosen": false, "params": [{"value": 0.1}, {"value": 5.0}]},
                    {"law": "usl", "chosen": true,
                     "params": [{"value": 0.02}, {"value": 0.001}, {"value": 90.0}]}
                ]
            }]
        });
        let fits = fit_command_output(&document).unwrap();
        assert_eq!(fits.len(), 1);
        assert_eq!(fits[0].fitted.law, "usl");
        assert_eq!(fits[0].fitted.theta, vec![0.02, 0.001, 90.0]);
        assert_eq!(fits[0].fitted.max_measured_n, 16.0);
        assert_eq!(fits[0].fitted.confidence, 0.9);
        assert!(fits[0].fitted.bootstrap_thetas.is_empty());
    }
}
