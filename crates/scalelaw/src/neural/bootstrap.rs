//! Seeded case-resampling bootstrap of the Chinchilla fit.
//!
//! Each resample draws runs with replacement, as Besiroglu et al. 2024 do, because the
//! runs of a scaling study are many and spread over the (N, D) plane, unlike the few
//! chosen points of a throughput sweep. Each refit is a Newton polish started at the
//! full-data estimate, since a resample moves the optimum only a little.
//!
//! Resample `b` draws from ChaCha8 stream `b` of the seed, so the result does not
//! depend on how rayon spreads the work over threads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::chinchilla::polish;
use super::huber::{self, Theta};
use super::{newton, LossData};

/// Returns (E, A, B, α, β) of `resamples` refits; refits with non-finite estimates are
/// left out.
// NOTE: each resample is refitted only locally, from the full-data estimate. Where a
// resample's optimum lies in another basin, its intervals can come out too narrow.
pub fn resample_fits(
    data: &LossData,
    start: &Theta,
    delta: f64,
    resamples: usize,
    seed: u64,
) -> Vec<[f64; 5]> {
    let count = data.len();
    let settings = newton::Settings {
        max_iterations: 100,
        ..newton::Settings::default()
    };
    let results: Vec<Option<[f64; 5]>> = (0..resamples)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b as u64);
            let rows: Vec<usize> = (0..count).map(|_| rng.random_range(0..count)).collect();
            let resample = data.select_rows(&rows);
            let solution = polish(&resample, *start, delta, &settings);
            let params = huber::from_log_form(&solution.x);
            (solution.value.is_finite() && params.iter().all(|v| v.is_finite())).then_some(params)
        })
        .collect();
    results.into_iter().flatten().collect()
}
