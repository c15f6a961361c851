//! Seeded percentile bootstrap for parameters and derived quantities.
//!
//! Intervals are bias-corrected and accelerated (BCa) percentile intervals (Efron,
//! "Better bootstrap confidence intervals", JASA 82(397), 1987): the percentiles taken
//! from the resamples are shifted by the bias z₀ = Φ⁻¹(share of resamples below the
//! estimate) and the acceleration a from the jackknife's skewness. With 20 points, plain
//! percentile intervals of USL parameters covered the truth in only 85–91% of trials
//! at 95% nominal; BCa corrects most of that. When the jackknife is unavailable the
//! acceleration is 0 (the BC interval).
//!
//! Resampling scheme: residual resampling with the fixed design (Davison & Hinkley,
//! *Bootstrap Methods and their Application*, 1997, algorithm 6.1), because the
//! points of a sweep are chosen, not drawn at random, and a case resample of a few
//! points often leaves too few distinct points to fit. Residuals are centred and
//! inflated by sqrt(n/(n−p)) so their spread matches the error variance estimate.
//!
//! Resample `b` draws from a ChaCha8 stream numbered `b` of the seed, so the result
//! does not depend on how rayon spreads the work over threads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::data::Observations;
use crate::fit::{lm, DerivedEstimate, ParamEstimate};
use crate::law::Law;
use crate::stats;
use statrs::distribution::{ContinuousCDF, Normal};

/// Returns the parameter vectors of `resamples` residual-bootstrap refits; failed
/// refits (non-finite parameters) are left out.
pub fn residual_resamples(
    law: &dyn Law,
    data: &Observations,
    theta: &[f64],
    residuals: &[f64],
    resamples: usize,
    seed: u64,
    bounded: bool,
) -> Vec<Vec<f64>> {
    let n = data.len();
    let p = theta.len();
    let inflation = if n > p {
        (n as f64 / (n - p) as f64).sqrt()
    } else {
        1.0
    };
    let mean = residuals.iter().sum::<f64>() / n as f64;
    let modified: Vec<f64> = residuals.iter().map(|r| (r - mean) * inflation).collect();
    let fitted: Vec<f64> = (0..n).map(|i| law.predict(theta, data.x_row(i))).collect();
    let bounds: Option<Vec<(f64, f64)>> =
        bounded.then(|| law.params().iter().map(|s| (s.lower, s.upper)).collect());
    let settings = lm::Settings::default();

    let results: Vec<Option<Vec<f64>>> = (0..resamples)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b as u64);
            let y: Vec<f64> = fitted
                .iter()
                .map(|f| f + modified[rng.random_range(0..n)])
                .collect();
            let resample = data.with_y(y);
            let solution = lm::minimize(law, &resample, theta, bounds.as_deref(), &settings);
            solution
                .theta
                .iter()
                .all(|v| v.is_finite())
                .then_some(solution.theta)
        })
        .collect();
    results.into_iter().flatten().collect()
}

/// Leave-one-out estimates of the parameters, for the BCa acceleration; empty when a
/// subset cannot be fitted (too few points).
pub fn jackknife(
    law: &dyn Law,
    data: &Observations,
    theta: &[f64],
    bounded: bool,
) -> Vec<Vec<f64>> {
    let n = data.len();
    let p = theta.len();
    let bounds: Option<Vec<(f64, f64)>> =
        bounded.then(|| law.params().iter().map(|s| (s.lower, s.upper)).collect());
    let mut out = Vec::with_capacity(n);
    for left_out in 0..n {
        let rows: Vec<usize> = (0..n).filter(|&i| i != left_out).collect();
        let subset = data.select_rows(&rows);
        if subset.distinct_points() < p {
            return Vec::new();
        }
        let solution = lm::minimize(
            law,
            &subset,
            theta,
            bounds.as_deref(),
            &lm::Settings::default(),
        );
        if solution.theta.iter().any(|v| !v.is_finite()) {
            return Vec::new();
        }
        out.push(solution.theta);
    }
    out
}

/// Minimum number of resampled values for an interval. With fewer, the tails of a 95%
/// interval rest on one or two values, so no interval is given.
pub const MIN_VALUES_FOR_INTERVAL: usize = 20;

/// BCa interval from resampled values, the full-data estimate and jackknife values.
fn bca_interval(
    values: &mut [f64],
    estimate: f64,
    jackknife: &[f64],
    level: f64,
) -> Option<(f64, f64)> {
    if values.len() < MIN_VALUES_FOR_INTERVAL {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let normal = Normal::standard();
    let below = values.iter().filter(|&&v| v < estimate).count() as f64;
    let equal = values.iter().filter(|&&v| v == estimate).count() as f64;
    let share = ((below + 0.5 * equal) / values.len() as f64)
        .clamp(0.5 / values.len() as f64, 1.0 - 0.5 / values.len() as f64);
    let z0 = normal.inverse_cdf(share);
    let acceleration = if jackknife.len() > 2 {
        let mean = jackknife.iter().sum::<f64>() / jackknife.len() as f64;
        let d: Vec<f64> = jackknife.iter().map(|v| mean - v).collect();
        let squares: f64 = d.iter().map(|x| x * x).sum();
        let cubes: f64 = d.iter().map(|x| x * x * x).sum();
        if squares > 0.0 {
            cubes / (6.0 * squares.powf(1.5))
        } else {
            0.0
        }
    } else {
        0.0
    };
    let tail = (1.0 - level) / 2.0;
    let adjust = |q: f64| {
        let z = normal.inverse_cdf(q);
        let shifted = z0 + (z0 + z) / (1.0 - acceleration * (z0 + z));
        let adjusted = normal.cdf(shifted);
        if adjusted.is_finite() {
            adjusted
        } else {
            q
        }
    };
    Some((
        stats::percentile_sorted(values, adjust(tail)),
        stats::percentile_sorted(values, adjust(1.0 - tail)),
    ))
}

/// Fills in BCa percentile intervals of the parameters and derived quantities.
///
/// A derived quantity that exists in only some resamples (a peak when β may be zero)
/// gets the interval of the resamples where it exists and the share of those.
pub fn attach_intervals(
    law: &dyn Law,
    theta: &[f64],
    thetas: &[Vec<f64>],
    jackknife: &[Vec<f64>],
    confidence: f64,
    params: &mut [ParamEstimate],
    derived: &mut [DerivedEstimate],
) {
    if thetas.is_empty() {
        return;
    }
    for (k, param) in params.iter_mut().enumerate() {
        let mut values: Vec<f64> = thetas.iter().map(|t| t[k]).collect();
        let jack: Vec<f64> = jackknife.iter().map(|t| t[k]).collect();
        param.bootstrap_interval = bca_interval(&mut values, theta[k], &jack, confidence);
    }
    let collect = |set: &[Vec<f64>]| {
        let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(set.len()); derived.len()];
        for t in set {
            for (column, quantity) in columns.iter_mut().zip(law.derived(t)) {
                if let Some(value) = quantity.value {
                    column.push(value);
                }
            }
        }
        columns
    };
    let columns = collect(thetas);
    let jack_columns = collect(jackknife);
    for ((estimate, mut values), jack) in derived.iter_mut().zip(columns).zip(jack_columns) {
        estimate.bootstrap_share = Some(values.len() as f64 / thetas.len() as f64);
        estimate.bootstrap_interval = match estimate.derived.value {
            Some(center) if jack.len() == jackknife.len() => {
                bca_interval(&mut values, center, &jack, confidence)
            }
            Some(center) => bca_interval(&mut values, center, &[], confidence),
            None if values.len() >= MIN_VALUES_FOR_INTERVAL => {
                stats::percentile_interval(&mut values, confidence)
            }
            None => None,
        };
    }
}
