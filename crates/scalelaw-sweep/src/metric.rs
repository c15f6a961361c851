//! Custom metrics read from a run's output, and throughput derived from a work amount.
//!
//! Two kinds of custom metric exist:
//!
//! - **regex** (`NAME=REGEX`): the last match of REGEX in the output. The value is the
//!   first capture group, or the whole match when the regex has no group.
//! - **JSON** (`PATH` or `NAME=PATH`): the value at PATH (keys separated by dots, as in
//!   `stats.samples_per_s`) in the last output line that is a JSON object holding it. The
//!   value may be a JSON number or a string that parses as a number.
//!
//! Standard output is searched first, then standard error, so a program may report its
//! figures on either stream.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::param::is_identifier;

/// Names the sweep writes itself, which custom metrics and scale parameters may not take.
/// `throughput` is taken too when the sweep has a work amount.
pub const RESERVED_NAMES: &[&str] = &[
    "time_s",
    "user_s",
    "sys_s",
    "max_rss_kib",
    "repeat",
    "status",
    "timestamp",
];

/// The metric derived from the work amount.
pub const THROUGHPUT: &str = "throughput";

/// Problems with a `--metric` or `--metric-json` specification.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MetricError {
    #[error(
        "invalid --metric '{spec}': expected NAME=REGEX, as in throughput='([0-9.]+) samples/s'"
    )]
    MissingEquals { spec: String },
    #[error("invalid metric name '{name}': use letters, digits and underscores, starting with a letter or underscore")]
    InvalidName { name: String },
    #[error("invalid regular expression for --metric {name}: {reason}")]
    InvalidRegex { name: String, reason: String },
    #[error("the regular expression for --metric {name} must have at most one capture group, but has {groups}")]
    TooManyGroups { name: String, groups: usize },
    #[error("invalid --metric-json '{spec}': the key path has an empty part; write keys separated by single dots, as in stats.samples_per_s")]
    InvalidPath { spec: String },
    #[error("the name '{name}' is taken by a column the sweep writes, a scale parameter or another metric; rename the metric (--metric, --metric-json) or the scale parameter (-p)")]
    DuplicateName { name: String },
}

/// The source of a custom metric's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MetricSource {
    Regex { pattern: String },
    Json { path: Vec<String> },
}

/// A custom metric: its column name and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricSpec {
    pub name: String,
    pub source: MetricSource,
}

impl MetricSpec {
    /// Parses a `--metric NAME=REGEX` specification.
    pub fn parse_regex(spec: &str) -> Result<Self, MetricError> {
        let Some((name, pattern)) = spec.split_once('=') else {
            return Err(MetricError::MissingEquals {
                spec: spec.to_string(),
            });
        };
        let name = name.trim();
        if !is_identifier(name) {
            return Err(MetricError::InvalidName {
                name: name.to_string(),
            });
        }
        let metric = MetricSpec {
            name: name.to_string(),
            source: MetricSource::Regex {
                pattern: pattern.to_string(),
            },
        };
        metric.compile()?;
        Ok(metric)
    }

    /// Parses a `--metric-json PATH` or `--metric-json NAME=PATH` specification. Without a
    /// name, the metric is named after the last key of the path.
    pub fn parse_json(spec: &str) -> Result<Self, MetricError> {
        let (name, path) = match spec.split_once('=') {
            Some((name, path)) => (Some(name.trim()), path.trim()),
            None => (None, spec.trim()),
        };
        let keys: Vec<String> = path.split('.').map(str::to_string).collect();
        if keys.iter().any(String::is_empty) {
            return Err(MetricError::InvalidPath {
                spec: spec.to_string(),
            });
        }
        let name = name.unwrap_or_else(|| keys.last().map(String::as_str).unwrap_or(""));
        if !is_identifier(name) {
            return Err(MetricError::InvalidName {
                name: name.to_string(),
            });
        }
        Ok(MetricSpec {
            name: name.to_string(),
            source: MetricSource::Json { path: keys },
        })
    }

    /// Prepares the metric for reading outputs.
    pub fn compile(&self) -> Result<MetricReader, MetricError> {
        let matcher = match &self.source {
            MetricSource::Regex { pattern } => {
                let regex =
                    regex_lite::Regex::new(pattern).map_err(|err| MetricError::InvalidRegex {
                        name: self.name.clone(),
                        reason: err.to_string(),
                    })?;
                let groups = regex.captures_len() - 1;
                if groups > 1 {
                    return Err(MetricError::TooManyGroups {
                        name: self.name.clone(),
                        groups,
                    });
                }
                Matcher::Regex(regex)
            }
            MetricSource::Json { path } => Matcher::Json(path.clone()),
        };
        Ok(MetricReader {
            name: self.name.clone(),
            matcher,
        })
    }

    /// Describes the source for messages: the regex or the JSON key path.
    pub fn describe(&self) -> String {
        match &self.source {
            MetricSource::Regex { pattern } => format!("regex '{pattern}'"),
            MetricSource::Json { path } => format!("JSON key '{}'", path.join(".")),
        }
    }
}

/// Checks that custom metric names are unique and differ from the built-in columns, the
/// scale parameters and, when `has_work`, `throughput`.
pub fn check_names(
    metrics: &[MetricSpec],
    parameter_names: &[&str],
    has_work: bool,
) -> Result<(), MetricError> {
    let mut seen: Vec<&str> = RESERVED_NAMES.to_vec();
    if has_work {
        seen.push(THROUGHPUT);
    }
    seen.extend_from_slice(parameter_names);
    for metric in metrics {
        if seen.contains(&metric.name.as_str()) {
            return Err(MetricError::DuplicateName {
                name: metric.name.clone(),
            });
        }
        seen.push(&metric.name);
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Matcher {
    Regex(regex_lite::Regex),
    Json(Vec<String>),
}

/// A compiled custom metric.
#[derive(Debug, Clone)]
pub struct MetricReader {
    pub name: String,
    matcher: Matcher,
}

/// The reason a metric could not be read from a run's output.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReadError {
    #[error("not found in the output")]
    NotFound,
    #[error("found '{0}', which is not a number")]
    NotANumber(String),
}

impl MetricReader {
    /// Reads the metric from standard output, or from standard error when standard output
    /// has no value.
    pub fn read(&self, stdout: &str, stderr: &str) -> Result<f64, ReadError> {
        match self.read_stream(stdout) {
            Err(ReadError::NotFound) => self.read_stream(stderr),
            found => found,
        }
    }

    fn read_stream(&self, text: &str) -> Result<f64, ReadError> {
        match &self.matcher {
            Matcher::Regex(regex) => {
                let captures = regex
                    .captures_iter(text)
                    .last()
                    .ok_or(ReadError::NotFound)?;
                let found = captures
                    .get(1)
                    .or_else(|| captures.get(0))
                    .map(|m| m.as_str())
                    .unwrap_or("");
                parse_number(found)
            }
            Matcher::Json(path) => {
                for line in text.lines().rev() {
                    let line = line.trim();
                    if !line.starts_with('{') {
                        continue;
                    }
                    let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
                        continue;
                    };
                    let mut node = &value;
                    let mut found = true;
                    for key in path {
                        match node.get(key) {
                            Some(child) => node = child,
                            None => {
                                found = false;
                                break;
                            }
                        }
                    }
                    if !found {
                        continue;
                    }
                    return match node {
                        serde_json::Value::Number(number) => number
                            .as_f64()
                            .ok_or_else(|| ReadError::NotANumber(number.to_string())),
                        serde_json::Value::String(text) => parse_number(text),
                        other => Err(ReadError::NotANumber(other.to_string())),
                    };
                }
                Err(ReadError::NotFound)
            }
        }
    }
}

fn parse_number(text: &str) -> Result<f64, ReadError> {
    let trimmed = text.trim();
    match trimmed.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(ReadError::NotANumber(trimmed.to_string())),
    }
}

/// Parses a work amount after placeholders are filled in: a number, or a product of
/// numbers such as `1e6*8`. Returns `None` unless the result is finite and above zero.
pub fn parse_work(text: &str) -> Option<f64> {
    let mut product = 1.0;
    for factor in text.split('*') {
        let value: f64 = factor.trim().parse().ok()?;
        product *= value;
    }
    (product.is_finite() && product > 0.0).then_some(product)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(spec: MetricSpec, stdout: &str, stderr: &str) -> Result<f64, ReadError> {
        spec.compile().unwrap().read(stdout, stderr)
    }

    #[test]
    fn regex_takes_last_match() {
        let spec = MetricSpec::parse_regex("throughput=([0-9.]+) samples/s").unwrap();
        let out = "warming 10 samples/s\nfinal 12.5 samples/s\n";
        assert_eq!(read(spec, out, ""), Ok(12.5));
    }

    #[test]
    fn regex_without_group_uses_match() {
        let spec = MetricSpec::parse_regex("loss=[0-9]+\\.[0-9]+").unwrap();
        assert_eq!(read(spec, "loss is 0.25", ""), Ok(0.25));
    }

    #[test]
    fn regex_falls_back_to_stderr() {
        let spec = MetricSpec::parse_regex("ops=ops: ([0-9]+)").unwrap();
        assert_eq!(read(spec, "nothing here", "ops: 42"), Ok(42.0));
    }

    #[test]
    fn regex_reports_missing_and_non_numbers() {
        let spec = MetricSpec::parse_regex("x=x=(\\S+)").unwrap();
        assert_eq!(read(spec.clone(), "", ""), Err(ReadError::NotFound));
        assert_eq!(
            read(spec, "x=fast", ""),
            Err(ReadError::NotANumber("fast".into()))
        );
    }

    #[test]
    fn regex_specs_rejected() {
        assert!(MetricSpec::parse_regex("noequals").is_err());
        assert!(MetricSpec::parse_regex("9x=a").is_err());
        assert!(MetricSpec::parse_regex("x=(").is_err());
        assert!(matches!(
            MetricSpec::parse_regex("x=(a)(b)"),
            Err(MetricError::TooManyGroups { groups: 2, .. })
        ));
    }

    #[test]
    fn json_nested_path_last_line() {
        let spec = MetricSpec::parse_json("rate=stats.samples_per_s").unwrap();
        assert_eq!(spec.name, "rate");
        let out = "{\"stats\":{\"samples_per_s\":1}}\nlog line\n{\"stats\":{\"samples_per_s\":\"2.5\"}}\n{\"other\":3}\n";
        assert_eq!(read(spec, out, ""), Ok(2.5));
    }

    #[test]
    fn json_name_defaults_to_last_key() {
        let spec = MetricSpec::parse_json("stats.samples_per_s").unwrap();
        assert_eq!(spec.name, "samples_per_s");
    }

    #[test]
    fn json_rejects_bad_paths_and_values() {
        assert!(MetricSpec::parse_json("a..b").is_err());
        assert!(MetricSpec::parse_json("x=").is_err());
        let spec = MetricSpec::parse_json("v").unwrap();
        assert_eq!(
            read(spec.clone(), "{\"v\": [1]}", ""),
            Err(ReadError::NotANumber("[1]".into()))
        );
        assert_eq!(read(spec, "{not json", ""), Err(ReadError::NotFound));
    }

    #[test]
    fn names_must_be_unique() {
        let metrics = [
            MetricSpec::parse_json("a").unwrap(),
            MetricSpec::parse_json("time_s").unwrap(),
        ];
        assert!(check_names(&metrics, &[], false).is_err());
        let metrics = [MetricSpec::parse_json("n").unwrap()];
        assert!(check_names(&metrics, &["n"], false).is_err());
        assert!(check_names(&metrics, &["m"], false).is_ok());
    }

    #[test]
    fn throughput_reserved_only_with_work() {
        let metrics = [MetricSpec::parse_regex("throughput=([0-9.]+) samples/s").unwrap()];
        assert!(check_names(&metrics, &[], false).is_ok());
        assert!(check_names(&metrics, &[], true).is_err());
    }

    #[test]
    fn work_products() {
        assert_eq!(parse_work("1e6"), Some(1e6));
        assert_eq!(parse_work("1000 * 4"), Some(4000.0));
        assert_eq!(parse_work("0"), None);
        assert_eq!(parse_work("abc"), None);
    }
}
