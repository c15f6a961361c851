//! Observations: measured values of one metric at points of one or more scale
//! parameters, with the checks every fit relies on.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Problems with input data, each naming the row or column to fix.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DataError {
    #[error("no observations: the input has no data rows")]
    Empty,
    #[error("scale parameter and metric columns have different lengths ({x} and {y})")]
    LengthMismatch { x: usize, y: usize },
    #[error("row {row}: {column} is {value}, but only finite numbers can be fitted")]
    NonFinite {
        row: usize,
        column: String,
        value: f64,
    },
    #[error("row {row}: {column} is {value}, but the {law} law needs values above zero")]
    NonPositive {
        row: usize,
        column: String,
        value: f64,
        law: String,
    },
    #[error(
        "the {law} law has {needed} parameters and needs at least {needed} distinct points \
         of {scale}, but the data has {got}; measure more points"
    )]
    TooFewPoints {
        law: String,
        scale: String,
        needed: usize,
        got: usize,
    },
}

/// Measured values of one metric, one row per run or per observation.
///
/// Scale parameter values are stored row-major: row `i` has `dims()` values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observations {
    scale_names: Vec<String>,
    metric_name: String,
    x: Vec<f64>,
    y: Vec<f64>,
}

/// Summary of the runs at one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointSummary {
    pub x: Vec<f64>,
    pub runs: usize,
    pub mean: f64,
    /// Sample standard deviation (n−1 denominator); zero for a single run.
    pub std_dev: f64,
    pub min: f64,
    pub max: f64,
}

impl Observations {
    /// Builds observations of one scale parameter, rejecting non-finite values.
    pub fn new(
        scale_name: impl Into<String>,
        metric_name: impl Into<String>,
        x: Vec<f64>,
        y: Vec<f64>,
    ) -> Result<Self, DataError> {
        Self::new_multi(vec![scale_name.into()], metric_name, x, y)
    }

    /// Builds observations of several scale parameters; `x` is row-major with
    /// `scale_names.len()` values per row.
    pub fn new_multi(
        scale_names: Vec<String>,
        metric_name: impl Into<String>,
        x: Vec<f64>,
        y: Vec<f64>,
    ) -> Result<Self, DataError> {
        let dims = scale_names.len().max(1);
        if x.len() != y.len() * dims {
            return Err(DataError::LengthMismatch {
                x: x.len() / dims,
                y: y.len(),
            });
        }
        if y.is_empty() {
            return Err(DataError::Empty);
        }
        let metric_name = metric_name.into();
        for (row, &value) in y.iter().enumerate() {
            if !value.is_finite() {
                return Err(DataError::NonFinite {
                    row: row + 1,
                    column: metric_name.clone(),
                    value,
                });
            }
        }
        for (i, &value) in x.iter().enumerate() {
            if !value.is_finite() {
                return Err(DataError::NonFinite {
                    row: i / dims + 1,
                    column: scale_names[i % dims].clone(),
                    value,
                });
            }
        }
        Ok(Self {
            scale_names,
            metric_name,
            x,
            y,
        })
    }

    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Number of scale parameters per row.
    pub fn dims(&self) -> usize {
        self.scale_names.len()
    }

    pub fn scale_names(&self) -> &[String] {
        &self.scale_names
    }

    pub fn metric_name(&self) -> &str {
        &self.metric_name
    }

    /// Scale parameter values of row `i`.
    pub fn x_row(&self, i: usize) -> &[f64] {
        let d = self.dims();
        &self.x[i * d..(i + 1) * d]
    }

    /// All scale parameter values, row-major.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// Values of scale parameter `k` for every row.
    pub fn column(&self, k: usize) -> Vec<f64> {
        (0..self.len()).map(|i| self.x_row(i)[k]).collect()
    }

    /// Returns a copy with the metric replaced, keeping the scale values.
    pub fn with_y(&self, y: Vec<f64>) -> Self {
        assert_eq!(y.len(), self.y.len(), "with_y needs one value per row");
        Self {
            scale_names: self.scale_names.clone(),
            metric_name: self.metric_name.clone(),
            x: self.x.clone(),
            y,
        }
    }

    /// Returns the rows at the given indices (repeats allowed, as in a bootstrap).
    pub fn select_rows(&self, rows: &[usize]) -> Self {
        let d = self.dims();
        let mut x = Vec::with_capacity(rows.len() * d);
        let mut y = Vec::with_capacity(rows.len());
        for &i in rows {
            x.extend_from_slice(self.x_row(i));
            y.push(self.y[i]);
        }
        Self {
            scale_names: self.scale_names.clone(),
            metric_name: self.metric_name.clone(),
            x,
            y,
        }
    }

    /// Groups rows with identical scale values into points, sorted by scale value.
    pub fn points(&self) -> Vec<PointSummary> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| {
            self.x_row(a)
                .partial_cmp(self.x_row(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut points: Vec<PointSummary> = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let key = self.x_row(order[start]);
            let mut end = start + 1;
            while end < order.len() && self.x_row(order[end]) == key {
                end += 1;
            }
            let values: Vec<f64> = order[start..end].iter().map(|&i| self.y[i]).collect();
            points.push(summarize(key.to_vec(), &values));
            start = end;
        }
        points
    }

    /// Number of distinct points (settings of the scale parameters).
    pub fn distinct_points(&self) -> usize {
        self.points().len()
    }

    /// Checks that every value in the listed scale columns (and the metric, when
    /// `metric` is set) is above zero.
    pub fn require_positive(
        &self,
        law: &str,
        scale_columns: &[usize],
        metric: bool,
    ) -> Result<(), DataError> {
        for i in 0..self.len() {
            for &k in scale_columns {
                let value = self.x_row(i)[k];
                if value <= 0.0 {
                    return Err(DataError::NonPositive {
                        row: i + 1,
                        column: self.scale_names[k].clone(),
                        value,
                        law: law.to_string(),
                    });
                }
            }
            if metric && self.y[i] <= 0.0 {
                return Err(DataError::NonPositive {
                    row: i + 1,
                    column: self.metric_name.clone(),
                    value: self.y[i],
                    law: law.to_string(),
                });
            }
        }
        Ok(())
    }
}

fn summarize(x: Vec<f64>, values: &[f64]) -> PointSummary {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std_dev = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    PointSummary {
        x,
        runs: values.len(),
        mean,
        std_dev,
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_group_repeated_runs() {
        let obs = Observations::new("n", "x", vec![2.0, 1.0, 2.0], vec![4.0, 1.0, 6.0]).unwrap();
        let points = obs.points();
        assert_eq!(points.len(), 2);
        assert_eq!(points[0].x, vec![1.0]);
        assert_eq!(points[1].runs, 2);
        assert_eq!(points[1].mean, 5.0);
        assert!((points[1].std_dev - 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn new_rejects_nan_with_row_number() {
        let err = Observations::new("n", "x", vec![1.0, 2.0], vec![1.0, f64::NAN]).unwrap_err();
        assert!(matches!(err, DataError::NonFinite { row: 2, .. }));
    }

    #[test]
    fn new_rejects_empty() {
        let err = Observations::new("n", "x", vec![], vec![]).unwrap_err();
        assert_eq!(err, DataError::Empty);
    }
}
