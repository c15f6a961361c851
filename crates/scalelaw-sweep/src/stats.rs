//! Statistics of one metric over the runs at one point.
//!
//! - The confidence interval of the mean uses Student's t distribution with n − 1 degrees
//!   of freedom, which assumes roughly normal run-to-run noise.
//! - Outliers are flagged by the modified z-score of Iglewicz and Hoaglin ("How to Detect
//!   and Handle Outliers", ASQC Quality Press, 1993): M = 0.6745 (x − median) / MAD, where
//!   MAD is the median absolute deviation, and a value is an outlier when |M| > 3.5.
//!   Flagged values stay in every statistic: flags only warn.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The |M| above which a value is flagged as an outlier (Iglewicz and Hoaglin, 1993).
pub const OUTLIER_THRESHOLD: f64 = 3.5;

/// The minimum number of values for flagging outliers.
pub const OUTLIER_MIN_VALUES: usize = 5;

/// The confidence level of [`Summary::ci95`].
pub const CONFIDENCE: f64 = 0.95;

/// Summary statistics of one metric at one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of values summarized.
    pub n: usize,
    pub mean: f64,
    pub median: f64,
    /// Sample standard deviation (n − 1 denominator); `None` for a single value.
    pub std_dev: Option<f64>,
    pub min: f64,
    pub max: f64,
    /// 95% confidence interval of the mean, `[low, high]`; `None` for a single value.
    pub ci95: Option<[f64; 2]>,
    /// Relative standard error of the mean: (std_dev / √n) / |mean|. `None` for a single
    /// value or a zero mean.
    pub rse: Option<f64>,
    /// Indices (into the summarized values) of values flagged as outliers.
    pub outliers: Vec<usize>,
}

/// Returns the median of `values`, which must be sorted and non-empty.
fn median_of_sorted(values: &[f64]) -> f64 {
    let middle = values.len() / 2;
    if values.len() % 2 == 0 {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// Returns the two-sided critical value t with `df` degrees of freedom for `confidence`.
pub fn t_critical(confidence: f64, df: usize) -> f64 {
    let distribution =
        StudentsT::new(0.0, 1.0, df as f64).expect("degrees of freedom are at least one");
    distribution.inverse_cdf(0.5 + confidence / 2.0)
}

/// Returns the indices of values whose modified z-score exceeds [`OUTLIER_THRESHOLD`].
///
/// Nothing is flagged among fewer than [`OUTLIER_MIN_VALUES`] values, where the MAD rests
/// on one or two deviations, or when more than half the values are equal, which makes the
/// MAD zero and the score undefined.
pub fn modified_z_outliers(values: &[f64]) -> Vec<usize> {
    if values.len() < OUTLIER_MIN_VALUES {
        return Vec::new();
    }
    let median = median_of_sorted(&sorted(values));
    let deviations: Vec<f64> = values.iter().map(|x| (x - median).abs()).collect();
    let mad = median_of_sorted(&sorted(&deviations));
    if mad == 0.0 {
        return Vec::new();
    }
    values
        .iter()
        .enumerate()
        .filter(|(_, x)| (0.6745 * (*x - median) / mad).abs() > OUTLIER_THRESHOLD)
        .map(|(index, _)| index)
        .collect()
}

/// Returns the relative standard error of the mean, (s / √n) / |mean|, or `None` for
/// fewer than two values or a zero mean. Cheaper than a full [`Summary`], for stopping
/// rules that check it after every run.
pub fn relative_standard_error(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if mean == 0.0 {
        return None;
    }
    let variance = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some(variance.sqrt() / (n as f64).sqrt() / mean.abs())
}

impl Summary {
    /// Summarizes `values`, or returns `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Summary> {
        if values.is_empty() {
            return None;
        }
        let n = values.len();
        let sorted = sorted(values);
        let mean = values.iter().sum::<f64>() / n as f64;

        let (std_dev, ci95, rse) = if n >= 2 {
            let variance = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let std_dev = variance.sqrt();
            let std_error = std_dev / (n as f64).sqrt();
            let half_width = t_critical(CONFIDENCE, n - 1) * std_error;
            let rse = relative_standard_error(values);
            (
                Some(std_dev),
                Some([mean - half_width, mean + half_width]),
                rse,
            )
        } else {
            (None, None, None)
        };

        Some(Summary {
            n,
            mean,
            median: median_of_sorted(&sorted),
            std_dev,
            min: sorted[0],
            max: sorted[n - 1],
            ci95,
            rse,
            outliers: modified_z_outliers(values),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    /// Upper critical values t(0.025, df) from the table of Student's t distribution in
    /// the NIST/SEMATECH e-Handbook of Statistical Methods (three decimals).
    #[test]
    fn t_critical_matches_nist_table() {
        for (df, expected) in [
            (1, 12.706),
            (4, 2.776),
            (9, 2.262),
            (30, 2.042),
            (100, 1.984),
        ] {
            let t = t_critical(0.95, df);
            assert!(close(t, expected, 5e-4), "df {df}: {t} vs {expected}");
        }
    }

    #[test]
    fn summary_of_known_values() {
        let summary = Summary::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(summary.n, 8);
        assert_eq!(summary.mean, 5.0);
        assert_eq!(summary.median, 4.5);
        assert_eq!(summary.min, 2.0);
        assert_eq!(summary.max, 9.0);
        // Sample variance 32 / 7.
        let std_dev = summary.std_dev.unwrap();
        assert!(close(std_dev, (32.0f64 / 7.0).sqrt(), 1e-12));
        // t(0.025, 7) = 2.365 in the NIST/SEMATECH table.
        let half_width = 2.365 * std_dev / 8f64.sqrt();
        let [low, high] = summary.ci95.unwrap();
        assert!(close(low, 5.0 - half_width, 1e-3), "{low}");
        assert!(close(high, 5.0 + half_width, 1e-3), "{high}");
        assert!(close(
            summary.rse.unwrap(),
            std_dev / 8f64.sqrt() / 5.0,
            1e-12
        ));
    }

    #[test]
    fn rse_of_known_values() {
        // Mean 2, sample standard deviation 1, n 3: (1 / √3) / 2.
        let rse = relative_standard_error(&[1.0, 2.0, 3.0]).unwrap();
        assert!(close(rse, 1.0 / 3f64.sqrt() / 2.0, 1e-12));
        assert_eq!(relative_standard_error(&[1.0]), None);
        assert_eq!(relative_standard_error(&[-1.0, 1.0]), None);
    }

    #[test]
    fn summary_of_one_value() {
        let summary = Summary::of(&[3.0]).unwrap();
        assert_eq!(summary.mean, 3.0);
        assert_eq!(summary.median, 3.0);
        assert_eq!(summary.std_dev, None);
        assert_eq!(summary.ci95, None);
        assert_eq!(summary.rse, None);
    }

    #[test]
    fn summary_of_nothing() {
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn outlier_far_from_median_flagged() {
        // median 3, MAD 1: M(100) = 0.6745 * 97 = 65.4, M(1) = -1.35.
        assert_eq!(modified_z_outliers(&[1.0, 2.0, 3.0, 4.0, 100.0]), [4]);
    }

    #[test]
    fn outlier_threshold_boundary() {
        // median 10, MAD 1: M(15) = 3.37 stays, M(16) = 4.05 is flagged.
        let values = [9.0, 10.0, 10.0, 11.0, 9.0, 11.0, 15.0];
        assert!(modified_z_outliers(&values).is_empty());
        let values = [9.0, 10.0, 10.0, 11.0, 9.0, 11.0, 16.0];
        assert_eq!(modified_z_outliers(&values), [6]);
    }

    #[test]
    fn outliers_none_when_mad_zero() {
        assert!(modified_z_outliers(&[1.0, 1.0, 1.0, 1.0, 50.0]).is_empty());
    }

    #[test]
    fn outliers_none_below_five_values() {
        assert!(modified_z_outliers(&[1.0, 1.1, 90.0, 1.0]).is_empty());
    }
}
