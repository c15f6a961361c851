//! Fitted curves and their bootstrap percentile bands, sampled on a grid of scale
//! values.
//!
//! The band at each scale value is the percentile interval of the law's prediction
//! under every bootstrap resample of the parameters (`Fit::bootstrap_thetas`), at the
//! fit's confidence level. It is pointwise: each x has its own interval, so the band
//! is not a simultaneous confidence region for the whole curve.

use scalelaw::law::Law;
use scalelaw::stats::percentile_sorted;
use scalelaw::Fit;

/// Fewest usable bootstrap predictions at a scale value for a band to be drawn there.
const MIN_BAND_SAMPLES: usize = 20;

/// What to plot against scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// The law's prediction of the metric.
    Metric,
    /// Efficiency X(N) / (N·X(1)), for laws whose metric is a rate.
    Efficiency,
}

/// A fitted curve, with its band where the bootstrap ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Lower and upper band edges, one per x; `None` without bootstrap resamples.
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

/// `count` evenly spaced values from `low` to `high`, both included.
pub fn linear_grid(low: f64, high: f64, count: usize) -> Vec<f64> {
    let count = count.max(2);
    let step = (high - low) / (count - 1) as f64;
    (0..count).map(|i| low + step * i as f64).collect()
}

/// Evaluates `quantity` for one parameter vector at scale `x`; `None` where it is
/// undefined or not finite.
pub fn evaluate(law: &dyn Law, theta: &[f64], x: f64, quantity: Quantity) -> Option<f64> {
    let value = law.predict(theta, &[x]);
    let value = match quantity {
        Quantity::Metric => value,
        Quantity::Efficiency => {
            let rate = law.unit_rate(theta).filter(|r| *r > 0.0 && r.is_finite())?;
            value / (x * rate)
        }
    };
    value.is_finite().then_some(value)
}

/// Samples the fitted curve of `quantity` and its bootstrap band on `grid`.
///
/// Returns `None` when the law has more than one scale parameter or the quantity is
/// undefined for the estimates (efficiency of a law whose metric is not a rate).
pub fn fitted_curve(law: &dyn Law, fit: &Fit, grid: &[f64], quantity: Quantity) -> Option<Curve> {
    if law.dims() != 1 {
        return None;
    }
    let theta = fit.theta();
    let mut x = Vec::with_capacity(grid.len());
    let mut y = Vec::with_capacity(grid.len());
    let mut lower = Vec::with_capacity(grid.len());
    let mut upper = Vec::with_capacity(grid.len());
    let tail = (1.0 - fit.confidence) / 2.0;
    let mut band_complete = !fit.bootstrap_thetas.is_empty();
    let mut samples = Vec::with_capacity(fit.bootstrap_thetas.len());
    for &at in grid {
        let Some(value) = evaluate(law, &theta, at, quantity) else {
            continue;
        };
        x.push(at);
        y.push(value);
        if !band_complete {
            continue;
        }
        samples.clear();
        samples.extend(
            fit.bootstrap_thetas
                .iter()
                .filter_map(|resample| evaluate(law, resample, at, quantity)),
        );
        if samples.len() < MIN_BAND_SAMPLES {
            band_complete = false;
            continue;
        }
        samples.sort_by(f64::total_cmp);
        lower.push(percentile_sorted(&samples, tail));
        upper.push(percentile_sorted(&samples, 1.0 - tail));
    }
    if x.is_empty() {
        return None;
    }
    let band = band_complete.then_some((lower, upper));
    Some(Curve { x, y, band })
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalelaw::laws::Usl;
    use scalelaw::{FitOptions, Observations};

    fn usl_fit(resamples: usize) -> Fit {
        let n = vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 48.0, 64.0];
        let theta = [0.05, 0.0005, 100.0];
        let y: Vec<f64> = n
            .iter()
            .enumerate()
            .map(|(i, &x)| Usl.predict(&theta, &[x]) * (1.0 + 0.01 * ((i % 3) as f64 - 1.0)))
            .collect();
        let data = Observations::new("n", "throughput", n, y).unwrap();
        let options = FitOptions {
            bootstrap_resamples: resamples,
            leave_one_out: false,
            ..FitOptions::default()
        };
        scalelaw::fit(&Usl, &data, &options).unwrap()
    }

    #[test]
    fn band_encloses_fitted_curve() {
        let fit = usl_fit(200);
        let grid = linear_grid(1.0, 64.0, 50);
        let curve = fitted_curve(&Usl, &fit, &grid, Quantity::Metric).unwrap();
        let (lower, upper) = curve.band.expect("bootstrap ran, so a band exists");
        assert_eq!(lower.len(), curve.x.len());
        for k in 0..curve.x.len() {
            assert!(
                lower[k] <= curve.y[k] * 1.001,
                "lower edge above fit at {k}"
            );
            assert!(
                upper[k] >= curve.y[k] * 0.999,
                "upper edge below fit at {k}"
            );
        }
    }

    #[test]
    fn no_band_without_bootstrap() {
        let fit = usl_fit(0);
        let curve = fitted_curve(&Usl, &fit, &[1.0, 2.0], Quantity::Metric).unwrap();
        assert!(curve.band.is_none());
    }

    #[test]
    fn efficiency_is_one_at_unit_scale() {
        let fit = usl_fit(0);
        let curve = fitted_curve(&Usl, &fit, &[1.0], Quantity::Efficiency).unwrap();
        assert!((curve.y[0] - 1.0).abs() < 1e-12);
    }
}
