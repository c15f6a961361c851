//! Scale parameters and the points of a sweep.
//!
//! A scale parameter is given as `NAME=VALUES`, where VALUES is one of:
//!
//! - a list: `workers=1,2,4,8` (values are kept as written, so `0.5` stays `0.5`);
//! - an inclusive range of whole numbers: `n=1..16`, with an optional step `n=0..100:+10`;
//! - a geometric range: `n=1..64:x2` (multiply by the factor while the value stays within
//!   the end).
//!
//! Several scale parameters give the cartesian product of their values as points, with the
//! last parameter varying fastest.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The largest number of values a single range may expand to.
///
/// A larger range is almost certainly a typing mistake (`1..1000000` instead of `1..100`).
pub const MAX_RANGE_VALUES: usize = 100_000;

/// Problems with a `-p NAME=VALUES` specification.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParamError {
    #[error(
        "invalid scale parameter '{spec}': expected NAME=VALUES, as in workers=1,2,4 or n=1..16"
    )]
    MissingEquals { spec: String },
    #[error(
        "invalid scale parameter name '{name}': use letters, digits and underscores, \
         starting with a letter or underscore"
    )]
    InvalidName { name: String },
    #[error("scale parameter '{name}' has no values: give a list (1,2,4) or a range (1..8)")]
    NoValues { name: String },
    #[error("scale parameter '{name}' has an empty value in '{values}'")]
    EmptyValue { name: String, values: String },
    #[error("scale parameter '{name}' lists the value '{value}' twice")]
    DuplicateValue { name: String, value: String },
    #[error("scale parameter '{name}' is given twice; give each name once, with all its values")]
    DuplicateName { name: String },
    #[error(
        "invalid range '{range}' for scale parameter '{name}': {reason}; \
         ranges look like 1..16, 0..100:+10 or 1..64:x2"
    )]
    InvalidRange {
        name: String,
        range: String,
        reason: String,
    },
}

/// A scale parameter and the values the sweep sets it to, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleParameter {
    pub name: String,
    pub values: Vec<String>,
}

/// One setting of every scale parameter: pairs of name and value, in parameter order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Point(pub Vec<(String, String)>);

impl Point {
    /// Returns the value of the scale parameter `name`, if the point sets it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Formats the point as `n=4 workers=2`, for messages.
    pub fn label(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        parts.join(" ")
    }
}

/// Returns whether `name` can be a scale parameter, metric or placeholder name.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if first.is_ascii_alphabetic() || first == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl ScaleParameter {
    /// Parses one `NAME=VALUES` specification.
    pub fn parse(spec: &str) -> Result<Self, ParamError> {
        let Some((name, values)) = spec.split_once('=') else {
            return Err(ParamError::MissingEquals {
                spec: spec.to_string(),
            });
        };
        let name = name.trim();
        let values = values.trim();
        if !is_identifier(name) {
            return Err(ParamError::InvalidName {
                name: name.to_string(),
            });
        }
        if values.is_empty() {
            return Err(ParamError::NoValues {
                name: name.to_string(),
            });
        }

        let parsed = if values.contains("..") {
            parse_range(name, values)?
        } else {
            parse_list(name, values)?
        };
        Ok(ScaleParameter {
            name: name.to_string(),
            values: parsed,
        })
    }
}

fn parse_list(name: &str, values: &str) -> Result<Vec<String>, ParamError> {
    let mut list: Vec<String> = Vec::new();
    for value in values.split(',') {
        let value = value.trim();
        if value.is_empty() {
            return Err(ParamError::EmptyValue {
                name: name.to_string(),
                values: values.to_string(),
            });
        }
        if list.iter().any(|seen| seen == value) {
            return Err(ParamError::DuplicateValue {
                name: name.to_string(),
                value: value.to_string(),
            });
        }
        list.push(value.to_string());
    }
    Ok(list)
}

enum Step {
    Add(i64),
    Multiply(i64),
}

fn parse_range(name: &str, range: &str) -> Result<Vec<String>, ParamError> {
    let invalid = |reason: &str| ParamError::InvalidRange {
        name: name.to_string(),
        range: range.to_string(),
        reason: reason.to_string(),
    };

    let (bounds, step) = match range.split_once(':') {
        Some((bounds, step)) => (bounds, Some(step.trim())),
        None => (range, None),
    };
    let (start, end) = bounds
        .split_once("..")
        .ok_or_else(|| invalid("missing '..'"))?;
    let parse_bound = |text: &str, which: &str| -> Result<i64, ParamError> {
        text.trim().parse::<i64>().map_err(|_| {
            invalid(&format!(
                "the {which} '{}' is not a whole number (list decimal values instead, as in 0.5,1,1.5)",
                text.trim()
            ))
        })
    };
    let start = parse_bound(start, "start")?;
    let end = parse_bound(end, "end")?;
    if end < start {
        return Err(invalid("the end is smaller than the start"));
    }

    let step = match step {
        None => Step::Add(1),
        Some(text) => {
            let (kind, number) = if let Some(rest) = text.strip_prefix(['x', '*']) {
                ("x", rest)
            } else {
                ("+", text.strip_prefix('+').unwrap_or(text))
            };
            let number: i64 = number
                .trim()
                .parse()
                .map_err(|_| invalid(&format!("the step '{text}' is not a whole number")))?;
            if kind == "x" {
                if number < 2 {
                    return Err(invalid("a geometric factor must be at least 2"));
                }
                if start <= 0 {
                    return Err(invalid("a geometric range must start above zero"));
                }
                Step::Multiply(number)
            } else {
                if number < 1 {
                    return Err(invalid("the step must be at least 1"));
                }
                Step::Add(number)
            }
        }
    };

    let mut values = Vec::new();
    let mut value = start;
    while value <= end {
        if values.len() == MAX_RANGE_VALUES {
            return Err(invalid(&format!(
                "it expands to more than {MAX_RANGE_VALUES} values"
            )));
        }
        values.push(value.to_string());
        let next = match step {
            Step::Add(step) => value.checked_add(step),
            Step::Multiply(factor) => value.checked_mul(factor),
        };
        match next {
            Some(next) => value = next,
            None => break,
        }
    }
    Ok(values)
}

/// Checks that no two scale parameters share a name.
pub fn check_unique_names(parameters: &[ScaleParameter]) -> Result<(), ParamError> {
    for (index, parameter) in parameters.iter().enumerate() {
        if parameters[..index]
            .iter()
            .any(|earlier| earlier.name == parameter.name)
        {
            return Err(ParamError::DuplicateName {
                name: parameter.name.clone(),
            });
        }
    }
    Ok(())
}

/// Returns the cartesian product of the parameters' values, last parameter fastest.
///
/// With no scale parameters the sweep has one point, which sets nothing.
pub fn points(parameters: &[ScaleParameter]) -> Vec<Point> {
    let mut points = vec![Point(Vec::new())];
    for parameter in parameters {
        let mut next = Vec::with_capacity(points.len() * parameter.values.len());
        for point in &points {
            for value in &parameter.values {
                let mut pairs = point.0.clone();
                pairs.push((parameter.name.clone(), value.clone()));
                next.push(Point(pairs));
            }
        }
        points = next;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(spec: &str) -> Vec<String> {
        ScaleParameter::parse(spec).unwrap().values
    }

    #[test]
    fn list_keeps_text() {
        assert_eq!(values("workers=1,2,4,8"), ["1", "2", "4", "8"]);
        assert_eq!(values("x = 0.5, 1.50"), ["0.5", "1.50"]);
    }

    #[test]
    fn range_is_inclusive() {
        assert_eq!(values("n=1..4"), ["1", "2", "3", "4"]);
        assert_eq!(values("n=3..3"), ["3"]);
    }

    #[test]
    fn range_with_additive_step() {
        assert_eq!(values("n=0..25:+10"), ["0", "10", "20"]);
        assert_eq!(values("n=0..20:10"), ["0", "10", "20"]);
    }

    #[test]
    fn geometric_range() {
        assert_eq!(values("n=1..64:x2"), ["1", "2", "4", "8", "16", "32", "64"]);
        assert_eq!(values("n=1..100:*10"), ["1", "10", "100"]);
        assert_eq!(values("n=3..30:x2"), ["3", "6", "12", "24"]);
    }

    #[test]
    fn malformed_specs_rejected() {
        let cases = [
            "workers",
            "=1,2",
            "1n=1,2",
            "n=",
            "n=1,,2",
            "n=1,1",
            "n=4..1",
            "n=1..x",
            "n=0.5..2",
            "n=1..8:x1",
            "n=0..8:x2",
            "n=1..8:+0",
            "n=1..8:fast",
            "n=1..1000000000",
        ];
        for spec in cases {
            assert!(ScaleParameter::parse(spec).is_err(), "accepted '{spec}'");
        }
    }

    #[test]
    fn range_error_names_the_range() {
        let err = ScaleParameter::parse("n=4..1").unwrap_err().to_string();
        assert!(err.contains("4..1"), "{err}");
        assert!(err.contains("end is smaller"), "{err}");
    }

    #[test]
    fn cartesian_product_last_fastest() {
        let parameters = [
            ScaleParameter::parse("a=1,2").unwrap(),
            ScaleParameter::parse("b=x,y,z").unwrap(),
        ];
        let points = points(&parameters);
        let labels: Vec<String> = points.iter().map(Point::label).collect();
        assert_eq!(
            labels,
            ["a=1 b=x", "a=1 b=y", "a=1 b=z", "a=2 b=x", "a=2 b=y", "a=2 b=z"]
        );
    }

    #[test]
    fn no_parameters_one_point() {
        assert_eq!(points(&[]), vec![Point(Vec::new())]);
    }

    #[test]
    fn duplicate_names_rejected() {
        let parameters = [
            ScaleParameter::parse("n=1").unwrap(),
            ScaleParameter::parse("n=2").unwrap(),
        ];
        assert!(check_unique_names(&parameters).is_err());
    }
}
