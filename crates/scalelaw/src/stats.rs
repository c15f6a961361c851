//! Small statistical helpers shared by the fits: quantiles, matrix inversion for
//! covariance, percentiles and number formatting.

use nalgebra::{DMatrix, SymmetricEigen};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Quantile of Student's t distribution with `dof` degrees of freedom at probability `p`.
pub fn t_quantile(p: f64, dof: f64) -> f64 {
    StudentsT::new(0.0, 1.0, dof)
        .expect("degrees of freedom are positive")
        .inverse_cdf(p)
}

/// Smallest ratio of eigenvalues of the scaled normal matrix below which its inverse is
/// treated as not existing: the parameters are then not identifiable.
const MIN_RECIPROCAL_CONDITION: f64 = 1e-13;

/// Inverts a symmetric positive definite `p`×`p` matrix (row-major), or returns `None`
/// when it is singular or too badly conditioned to trust.
///
/// The matrix is first scaled to unit diagonal, so parameters of very different sizes
/// (β ≈ 1e-4 beside γ ≈ 90) do not pass for a singular matrix.
pub fn invert_spd(matrix: &[f64], p: usize) -> Option<Vec<f64>> {
    let diagonal: Vec<f64> = (0..p).map(|k| matrix[k * p + k]).collect();
    if diagonal.iter().any(|d| !(d.is_finite() && *d > 0.0)) {
        return None;
    }
    let scale: Vec<f64> = diagonal.iter().map(|d| 1.0 / d.sqrt()).collect();
    let scaled = DMatrix::from_fn(p, p, |i, j| matrix[i * p + j] * scale[i] * scale[j]);
    let eigen = SymmetricEigen::new(scaled.clone());
    let max = eigen.eigenvalues.max();
    let min = eigen.eigenvalues.min();
    if !(min > 0.0 && min / max > MIN_RECIPROCAL_CONDITION) {
        return None;
    }
    let inverse = scaled.cholesky()?.inverse();
    Some(
        (0..p * p)
            .map(|idx| {
                let (i, j) = (idx / p, idx % p);
                inverse[(i, j)] * scale[i] * scale[j]
            })
            .collect(),
    )
}

/// Percentile of sorted values by linear interpolation between order statistics
/// (type 7 of Hyndman & Fan, "Sample quantiles in statistical packages", 1996).
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    assert!(!sorted.is_empty(), "percentile of an empty sample");
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lower = h.floor() as usize;
    let upper = h.ceil() as usize;
    sorted[lower] + (h - lower as f64) * (sorted[upper] - sorted[lower])
}

/// Two-sided percentile interval at confidence `level`, or `None` for an empty sample.
pub fn percentile_interval(values: &mut [f64], level: f64) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    Some((
        percentile_sorted(values, tail),
        percentile_sorted(values, 1.0 - tail),
    ))
}

/// Formats `value` with `digits` significant digits, without exponent where readable.
pub fn format_sig(value: f64, digits: usize) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-4..=8).contains(&magnitude) {
        return format!("{:.*e}", digits.saturating_sub(1), value);
    }
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantile_matches_table() {
        // Two-sided 95% quantiles: 2.776 for 4 df, 2.228 for 10 df (any t table, e.g.
        // NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2).
        assert!((t_quantile(0.975, 4.0) - 2.776_445).abs() < 1e-5);
        assert!((t_quantile(0.975, 10.0) - 2.228_139).abs() < 1e-5);
    }

    #[test]
    fn invert_spd_inverts_badly_scaled_matrix() {
        let m = [4.0e8, 2.0, 2.0, 3.0e-6];
        let inv = invert_spd(&m, 2).unwrap();
        let det = 4.0e8 * 3.0e-6 - 4.0;
        assert!((inv[0] - 3.0e-6 / det).abs() < 1e-12 * (3.0e-6 / det).abs().max(1.0));
        assert!((inv[3] - 4.0e8 / det).abs() / (4.0e8 / det) < 1e-9);
    }

    #[test]
    fn invert_spd_rejects_singular_matrix() {
        assert!(invert_spd(&[1.0, 2.0, 2.0, 4.0], 2).is_none());
        assert!(invert_spd(&[0.0, 0.0, 0.0, 1.0], 2).is_none());
    }

    #[test]
    fn percentile_interpolates_type_seven() {
        // R: quantile(1:5, c(0.1, 0.5)) gives 1.4 and 3.
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((percentile_sorted(&sorted, 0.1) - 1.4).abs() < 1e-12);
        assert_eq!(percentile_sorted(&sorted, 0.5), 3.0);
    }

    #[test]
    fn format_sig_rounds_to_digits() {
        assert_eq!(format_sig(96.519_56, 4), "96.52");
        assert_eq!(format_sig(0.000_104_4, 3), "0.000104");
        assert_eq!(format_sig(1.5e-7, 2), "1.5e-7");
    }
}
