//! Seeded percentile bootstrap for parameters and derived quantities.
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

/// Fills in percentile intervals of the parameters and derived quantities.
///
/// A derived quantity that exists in only some resamples (a peak when β may be zero)
/// gets the interval of the resamples where it exists and the share of those.
pub fn attach_intervals(
    law: &dyn Law,
    thetas: &[Vec<f64>],
    confidence: f64,
    params: &mut [ParamEstimate],
    derived: &mut [DerivedEstimate],
) {
    if thetas.is_empty() {
        return;
    }
    for (k, param) in params.iter_mut().enumerate() {
        let mut values: Vec<f64> = thetas.iter().map(|t| t[k]).collect();
        param.bootstrap_interval = stats::percentile_interval(&mut values, confidence);
    }
    let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(thetas.len()); derived.len()];
    for theta in thetas {
        for (column, quantity) in columns.iter_mut().zip(law.derived(theta)) {
            if let Some(value) = quantity.value {
                column.push(value);
            }
        }
    }
    for (estimate, mut values) in derived.iter_mut().zip(columns) {
        estimate.bootstrap_share = Some(values.len() as f64 / thetas.len() as f64);
        estimate.bootstrap_interval = stats::percentile_interval(&mut values, confidence);
    }
}
