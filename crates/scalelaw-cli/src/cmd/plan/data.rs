//! Inputs of `plan`: a tidy CSV of runs, split by configuration, or a saved fit.
//!
//! NOTE: `read_runs_minimal` is a small CSV reader kept here until `plan` moves to the
//! shared reader (`input::load_series` with `--by` set to the configuration column).
//! It reads only CSV (no JSON Lines), guesses columns from a short list of names and
//! does not derive throughput from latency.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use scalelaw::plan::FittedLaw;
use scalelaw::Observations;
use serde_json::Value;

/// Column names read as the scale parameter when `--x` is not given, in order of
/// preference.
const SCALE_NAMES: &[&str] = &[
    "n",
    "workers",
    "nodes",
    "threads",
    "processes",
    "processors",
    "concurrency",
    "load",
    "clients",
    "cores",
    "gpus",
    "replicas",
    "instances",
];

/// Column names read as the metric when `--y` is not given, in order of preference.
const METRIC_NAMES: &[&str] = &[
    "throughput",
    "rate",
    "tps",
    "qps",
    "rps",
    "ops",
    "samples_per_second",
    "time",
    "run_time",
    "runtime",
    "duration",
    "elapsed",
    "wall_time",
    "job_time",
    "seconds",
];

/// Metric names read as the run time of a job, so the job-time law applies.
pub const TIME_NAMES: &[&str] = &[
    "time",
    "run_time",
    "runtime",
    "duration",
    "elapsed",
    "elapsed_s",
    "wall_time",
    "wallclock",
    "job_time",
    "seconds",
    "time_s",
    "time_sec",
];

/// The runs of one configuration.
#[derive(Debug, Clone)]
pub struct ConfigurationRuns {
    /// Value of the configuration column; empty without `--config-column`.
    pub label: String,
    pub observations: Observations,
    /// Runs whose `status` was not `ok` (failed or timed out), left out of the fit.
    pub censored: usize,
}

/// What the reader read, for the output.
#[derive(Debug, Clone)]
pub struct Runs {
    pub metric_name: String,
    pub configurations: Vec<ConfigurationRuns>,
    /// Decisions taken on the user's behalf (guessed columns, skipped rows).
    pub notes: Vec<String>,
}

/// Column choices for [`read_runs_minimal`].
pub struct Columns<'a> {
    pub x: Option<&'a str>,
    pub y: Option<&'a str>,
    pub config: Option<&'a str>,
    /// `COLUMN=VALUE` row filters.
    pub filters: &'a [String],
}

/// Reads a tidy CSV of runs and splits it by configuration.
pub fn read_runs_minimal(path: &Path, columns: &Columns<'_>) -> anyhow::Result<Runs> {
    let file = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read {file}"))?;
    let header: Vec<String> = reader
        .headers()
        .with_context(|| format!("{file}: cannot read the header row"))?
        .iter()
        .map(str::to_string)
        .collect();
    let find = |name: &str, flag: &str| -> anyhow::Result<usize> {
        header.iter().position(|h| h == name).with_context(|| {
            format!(
                "{file} has no column `{name}` (given by {flag}); its columns are {}",
                header.join(", ")
            )
        })
    };
    let guess = |names: &[&str], flag: &str, what: &str| -> anyhow::Result<usize> {
        names
            .iter()
            .find_map(|name| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
            .with_context(|| {
                format!(
                    "{file}: no column looks like the {what} (columns: {}); name it with {flag}",
                    header.join(", ")
                )
            })
    };
    let mut notes = Vec::new();
    let x = match columns.x {
        Some(name) => find(name, "--x")?,
        None => {
            let index = guess(SCALE_NAMES, "--x", "scale parameter")?;
            notes.push(format!(
                "scale parameter: column `{}` (guessed)",
                header[index]
            ));
            index
        }
    };
    let y = match columns.y {
        Some(name) => find(name, "--y")?,
        None => {
            let index = guess(METRIC_NAMES, "--y", "metric")?;
            notes.push(format!("metric: column `{}` (guessed)", header[index]));
            index
        }
    };
    let config = columns
        .config
        .map(|name| find(name, "--config-column"))
        .transpose()?;
    let status = header.iter().position(|h| h == "status");
    let mut filters = Vec::new();
    for filter in columns.filters {
        let (name, value) = filter
            .split_once('=')
            .with_context(|| format!("--where `{filter}` is not COLUMN=VALUE"))?;
        filters.push((find(name.trim(), "--where")?, value.trim().to_string()));
    }

    let mut groups: BTreeMap<String, (Vec<f64>, Vec<f64>, usize)> = BTreeMap::new();
    let mut skipped_empty = 0;
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.with_context(|| format!("{file}:{line}: cannot read the row"))?;
        if filters
            .iter()
            .any(|(column, value)| record.get(*column) != Some(value.as_str()))
        {
            continue;
        }
        let label = config
            .and_then(|c| record.get(c))
            .unwrap_or_default()
            .to_string();
        let entry = groups.entry(label).or_default();
        if let Some(status) = status.and_then(|s| record.get(s)) {
            if !status.eq_ignore_ascii_case("ok") {
                entry.2 += 1;
                continue;
            }
        }
        let (Some(x_text), Some(y_text)) = (record.get(x), record.get(y)) else {
            skipped_empty += 1;
            continue;
        };
        if x_text.is_empty() || y_text.is_empty() {
            skipped_empty += 1;
            continue;
        }
        let parse = |text: &str, column: usize| -> anyhow::Result<f64> {
            text.parse().with_context(|| {
                format!(
                    "{file}:{line}: `{text}` in column `{}` is not a number",
                    header[column]
                )
            })
        };
        entry.0.push(parse(x_text, x)?);
        entry.1.push(parse(y_text, y)?);
    }
    if skipped_empty > 0 {
        notes.push(format!(
            "{skipped_empty} rows with an empty cell were left out"
        ));
    }
    if groups.is_empty() {
        bail!("{file} has no data rows (after --where)");
    }

    let mut configurations = Vec::new();
    for (label, (xs, ys, censored)) in groups {
        if ys.is_empty() {
            let what = if label.is_empty() {
                String::new()
            } else {
                format!(" for configuration `{label}`")
            };
            bail!("{file}: no run has status `ok`{what}, so there is nothing to fit");
        }
        let observations = Observations::new(header[x].clone(), header[y].clone(), xs, ys)
            .with_context(|| format!("{file}: invalid data"))?;
        configurations.push(ConfigurationRuns {
            label,
            observations,
            censored,
        });
    }
    Ok(Runs {
        metric_name: header[y].clone(),
        configurations,
        notes,
    })
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
            "{file} holds no saved fit: expected the output of `scalelaw fit --format json` \
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

/// The chosen fit of each fitted series in `scalelaw fit --format json` output. That
/// output keeps no bootstrap resamples, so plans from it have no intervals.
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
                bootstrap_thetas: Vec::new(),
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
