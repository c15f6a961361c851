//! Parsers of the `plan` flags that carry units or lists: durations, latency SLOs
//! and per-configuration costs.

use std::collections::BTreeMap;

use scalelaw::plan::LatencySlo;

/// Duration units accepted by `--latency-slo` and `--deadline`, with their length in
/// seconds.
const DURATION_UNITS: &[(&str, f64)] = &[
    ("ns", 1e-9),
    ("us", 1e-6),
    ("µs", 1e-6),
    ("ms", 1e-3),
    ("s", 1.0),
    ("sec", 1.0),
    ("min", 60.0),
    ("m", 60.0),
    ("h", 3600.0),
    ("hr", 3600.0),
    ("d", 86_400.0),
];

/// Parses a duration with a unit (`200ms`, `1.5s`, `2min`, `4h`) into seconds.
pub fn duration(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
        .unwrap_or(text.len());
    // The number may carry an exponent (1e-3s), so `e` belongs to it; no unit starts with `e`.
    let (number, unit) = text.split_at(split);
    if unit.is_empty() {
        return Err(format!(
            "`{text}` has no unit; write it as 200ms, 1.5s, 2min or 1h"
        ));
    }
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` does not start with a number; write it as 200ms or 1.5s"))?;
    let Some(&(_, scale)) = DURATION_UNITS.iter().find(|(name, _)| *name == unit) else {
        let known: Vec<&str> = DURATION_UNITS.iter().map(|(name, _)| *name).collect();
        return Err(format!(
            "unknown time unit `{unit}` in `{text}`; use one of {}",
            known.join(", ")
        ));
    };
    let seconds = value * scale;
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(format!("`{text}` must be a duration above zero"));
    }
    Ok(seconds)
}

/// Parses a latency SLO: `200ms` or `mean=200ms` bounds the mean response time,
/// `p99=200ms` (or `p99.9=1s`, `p50=80ms`) bounds that percentile.
pub fn latency_slo(text: &str) -> Result<LatencySlo, String> {
    let Some((statistic, limit)) = text.split_once('=') else {
        return Ok(LatencySlo::Mean {
            seconds: duration(text)?,
        });
    };
    let seconds = duration(limit)?;
    let statistic = statistic.trim();
    if statistic == "mean" {
        return Ok(LatencySlo::Mean { seconds });
    }
    let percent: f64 = statistic
        .strip_prefix('p')
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| {
            format!(
                "unknown statistic `{statistic}` in `{text}`; use mean=DURATION or pNN=DURATION \
                 such as p99=200ms"
            )
        })?;
    if !(percent > 0.0 && percent < 100.0) {
        return Err(format!(
            "the percentile in `{text}` must lie strictly between 0 and 100"
        ));
    }
    Ok(LatencySlo::Percentile {
        percentile: percent / 100.0,
        seconds,
    })
}

/// Parses a cost at or above zero.
pub fn cost(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if !value.is_finite() {
        return Err(format!("`{text}` is not a finite number"));
    }
    if value < 0.0 {
        return Err(format!(
            "`{text}` is negative; a cost must be at or above 0"
        ));
    }
    Ok(value)
}

/// Parses a number above zero.
pub fn positive(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("`{text}` must be a number above 0"));
    }
    Ok(value)
}

/// Cost per unit and hour: one value for every configuration, or one per
/// configuration name.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitCost {
    All(f64),
    PerConfiguration(BTreeMap<String, f64>),
}

impl UnitCost {
    /// Cost for configuration `label` (empty for data without configurations).
    pub fn for_configuration(&self, label: &str) -> Result<f64, String> {
        match self {
            UnitCost::All(value) => Ok(*value),
            UnitCost::PerConfiguration(costs) => costs.get(label).copied().ok_or_else(|| {
                let known: Vec<&str> = costs.keys().map(String::as_str).collect();
                if label.is_empty() {
                    format!(
                        "--cost-per-unit names configurations ({}), but the data has none; \
                         give one number or set --config-column",
                        known.join(", ")
                    )
                } else {
                    format!(
                        "--cost-per-unit has no cost for configuration `{label}` (it has {}); \
                         add {label}=COST",
                        known.join(", ")
                    )
                }
            }),
        }
    }
}

/// Parses `--cost-per-unit`: `0.096`, or `m5.large=0.096,c5.xlarge=0.17`.
pub fn unit_cost(text: &str) -> Result<UnitCost, String> {
    if !text.contains('=') {
        return cost(text).map(UnitCost::All);
    }
    let mut costs = BTreeMap::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = pair
            .rsplit_once('=')
            .ok_or_else(|| format!("`{pair}` is not CONFIG=COST"))?;
        let value = cost(value).map_err(|e| format!("{}: {e}", name.trim()))?;
        if costs.insert(name.trim().to_string(), value).is_some() {
            return Err(format!("configuration `{}` is given twice", name.trim()));
        }
    }
    Ok(UnitCost::PerConfiguration(costs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_reads_units() {
        assert_eq!(duration("200ms").unwrap(), 0.2);
        assert_eq!(duration("1.5s").unwrap(), 1.5);
        assert_eq!(duration("2min").unwrap(), 120.0);
        assert_eq!(duration("1h").unwrap(), 3600.0);
        assert!((duration("250us").unwrap() - 250e-6).abs() < 1e-18);
    }

    #[test]
    fn duration_rejects_unknown_unit() {
        let err = duration("200parsecs").unwrap_err();
        assert!(err.contains("unknown time unit `parsecs`"), "{err}");
    }

    #[test]
    fn duration_rejects_missing_unit_and_negative() {
        assert!(duration("200").unwrap_err().contains("no unit"));
        assert!(duration("-5s").is_err());
        assert!(duration("ms").is_err());
    }

    #[test]
    fn latency_slo_reads_mean_and_percentile() {
        assert_eq!(
            latency_slo("200ms").unwrap(),
            LatencySlo::Mean { seconds: 0.2 }
        );
        assert_eq!(
            latency_slo("mean=1s").unwrap(),
            LatencySlo::Mean { seconds: 1.0 }
        );
        let LatencySlo::Percentile {
            percentile,
            seconds,
        } = latency_slo("p99.9=50ms").unwrap()
        else {
            panic!("expected a percentile SLO");
        };
        assert!((percentile - 0.999).abs() < 1e-12);
        assert!((seconds - 0.05).abs() < 1e-15);
    }

    #[test]
    fn latency_slo_rejects_bad_statistic() {
        assert!(latency_slo("max=1s").is_err());
        assert!(latency_slo("p100=1s").is_err());
        assert!(latency_slo("p0=1s").is_err());
    }

    #[test]
    fn unit_cost_reads_list() {
        let costs = unit_cost("m5.large=0.096, c5.xlarge=0.17").unwrap();
        assert_eq!(costs.for_configuration("m5.large").unwrap(), 0.096);
        assert_eq!(costs.for_configuration("c5.xlarge").unwrap(), 0.17);
        assert!(costs.for_configuration("t3.micro").is_err());
        assert_eq!(unit_cost("2.5").unwrap(), UnitCost::All(2.5));
    }

    #[test]
    fn cost_rejects_negative() {
        assert!(cost("-1").unwrap_err().contains("negative"));
        assert!(unit_cost("a=-1").is_err());
    }
}
