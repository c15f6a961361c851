//! The multi-start procedure of Besiroglu et al., "Chinchilla Scaling: A replication
//! attempt" (arXiv:2404.10102, 2024), for comparison with the global fit.
//!
//! Their notebook runs L-BFGS on the Huber objective from every point of a grid of
//! 4,500 starts, e ∈ {−1, −0.5, …, 1}, a, b ∈ {0, 5, …, 25}, α, β ∈ {0, 0.5, …, 2}, and
//! keeps the lowest result. Only a small share of the starts reaches that result, so
//! [`MultiStart::reached_best`] reports how many did.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::huber::{self, Theta};
use super::{lbfgs, LossData, NeuralError};

/// Relative distance from the best objective within which a start counts as having
/// reached it.
pub const REACHED_TOLERANCE: f64 = 1e-6;

/// The outcome of a multi-start fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiStart {
    /// (E, A, B, α, β) of the lowest objective found.
    pub params: [f64; 5],
    pub objective: f64,
    /// Number of starting points run.
    pub starts: usize,
    /// Starts whose result lies within [`REACHED_TOLERANCE`] (relative) of the best.
    pub reached_best: usize,
    /// Starts that met a stopping rule before the iteration limit.
    pub converged: usize,
    /// Objective and gradient evaluations over all starts.
    pub evaluations: usize,
}

/// Returns the 4,500 starting points (e, a, b, α, β) of the replication's grid.
pub fn replication_starts() -> Vec<Theta> {
    let mut starts = Vec::with_capacity(4500);
    for i in 0..5 {
        for j in 0..5 {
            for k in 0..5 {
                for l in 0..6 {
                    for m in 0..6 {
                        starts.push(Theta::new(
                            -1.0 + 0.5 * k as f64,
                            5.0 * l as f64,
                            5.0 * m as f64,
                            0.5 * i as f64,
                            0.5 * j as f64,
                        ));
                    }
                }
            }
        }
    }
    starts
}

/// Runs L-BFGS on the Huber objective from every start, in parallel.
pub fn fit_multistart(
    data: &LossData,
    starts: &[Theta],
    delta: f64,
    settings: &lbfgs::Settings,
) -> Result<MultiStart, NeuralError> {
    if starts.is_empty() {
        return Err(NeuralError::InvalidOption(
            "a multi-start fit needs at least one starting point".to_string(),
        ));
    }
    let solutions: Vec<lbfgs::Solution<5>> = starts
        .par_iter()
        .map(|start| {
            lbfgs::minimize(
                *start,
                |theta| huber::objective_gradient(data, theta, delta),
                settings,
            )
        })
        .collect();
    let best = solutions
        .iter()
        .filter(|s| s.value.is_finite() && s.x.iter().all(|v| v.is_finite()))
        .min_by(|x, y| x.value.total_cmp(&y.value))
        .ok_or_else(|| NeuralError::NoConvergence {
            law: "Chinchilla".to_string(),
            reason: "every L-BFGS start diverged".to_string(),
        })?;
    let threshold = best.value + REACHED_TOLERANCE * best.value.abs();
    Ok(MultiStart {
        params: huber::from_log_form(&best.x),
        objective: best.value,
        starts: starts.len(),
        reached_best: solutions.iter().filter(|s| s.value <= threshold).count(),
        converged: solutions.iter().filter(|s| s.converged).count(),
        evaluations: solutions.iter().map(|s| s.evaluations).sum(),
    })
}

/// Runs the replication's procedure: L-BFGS with scipy's default tolerances from the
/// 4,500-point grid.
pub fn fit_replication(data: &LossData, delta: f64) -> Result<MultiStart, NeuralError> {
    fit_multistart(
        data,
        &replication_starts(),
        delta,
        &lbfgs::Settings::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_grid_has_4500_starts() {
        let starts = replication_starts();
        assert_eq!(starts.len(), 4500);
        assert_eq!(starts[0], Theta::new(-1.0, 0.0, 0.0, 0.0, 0.0));
        assert_eq!(starts[4499], Theta::new(1.0, 25.0, 25.0, 2.0, 2.0));
    }
}
