//! The global Chinchilla fit: a profile of the Huber objective over a grid of
//! exponents, then Newton polish of all five parameters from the best cells.
//!
//! For fixed exponents (α, β) the law E + A·N^−α + B·D^−β is linear in (E, A, B), but
//! the Huber objective on log loss is not quadratic in them. Each grid cell therefore
//! starts from the nonnegative least-squares solution on relative residuals
//! (L̂ − L)/L ≈ log L̂ − log L. Damped Newton steps on (log E, log A, log B) then
//! minimise the Huber objective for that cell. The cells that are local minima
//! of this profile are polished in all five parameters, and the lowest result wins.
//! Since each cell's inner problem has a good start and only two parameters are
//! searched, the result does not depend on chosen starting points; the tests compare
//! it against the multi-start procedure of [`super::replication`].

use nalgebra::{Matrix3, Vector3};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::huber::{self, huber_psi, huber_psi_prime, Theta};
use super::{bootstrap, identify, newton, nnls, LossData, NeuralError};
use crate::fit::{DerivedEstimate, ParamEstimate};
use crate::law::Law;
use crate::laws::Chinchilla;
use crate::stats;

/// Settings of the Chinchilla fit.
#[derive(Debug, Clone, PartialEq)]
pub struct ChinchillaOptions {
    /// Huber threshold on log-loss residuals.
    pub delta: f64,
    /// Range of α searched by the grid; the polish may leave it.
    pub alpha_range: (f64, f64),
    /// Range of β searched by the grid; the polish may leave it.
    pub beta_range: (f64, f64),
    /// Grid values per exponent.
    pub grid_steps: usize,
    /// Number of the lowest local minima of the profile that are polished.
    pub polish_cells: usize,
    /// Bootstrap resamples (case resampling); 0 turns the bootstrap off.
    pub bootstrap_resamples: usize,
    /// Seed of the bootstrap's random numbers; equal seeds give equal intervals.
    pub seed: u64,
    /// Two-sided confidence level of every interval, in (0, 1).
    pub confidence: f64,
}

impl Default for ChinchillaOptions {
    fn default() -> Self {
        Self {
            delta: huber::DEFAULT_DELTA,
            alpha_range: (0.02, 2.0),
            beta_range: (0.02, 2.0),
            grid_steps: 34,
            polish_cells: 4,
            bootstrap_resamples: 1000,
            seed: 1,
            confidence: 0.95,
        }
    }
}

impl ChinchillaOptions {
    fn check(&self) -> Result<(), NeuralError> {
        let invalid = |message: String| Err(NeuralError::InvalidOption(message));
        if !(self.delta > 0.0 && self.delta.is_finite()) {
            return invalid(format!(
                "the Huber threshold delta must be above zero, got {}",
                self.delta
            ));
        }
        for (name, (low, high)) in [("alpha", self.alpha_range), ("beta", self.beta_range)] {
            if !(low > 0.0 && high > low && high.is_finite()) {
                return invalid(format!(
                    "the {name} search range must satisfy 0 < low < high, got {low}..{high}"
                ));
            }
        }
        if self.grid_steps < 3 {
            return invalid(format!(
                "the exponent grid needs at least 3 values per exponent, got {}",
                self.grid_steps
            ));
        }
        if self.polish_cells == 0 {
            return invalid("at least one grid cell must be polished, got 0".to_string());
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return invalid(format!(
                "confidence level must lie strictly between 0 and 1, got {}",
                self.confidence
            ));
        }
        Ok(())
    }
}

/// The point estimate of the global search, without uncertainty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointEstimate {
    /// (E, A, B, α, β).
    pub params: [f64; 5],
    /// Huber objective at the estimate, summed over runs.
    pub objective: f64,
    /// Number of (α, β) grid cells profiled.
    pub grid_cells: usize,
    /// Number of cells that are local minima of the profile.
    pub local_minima: usize,
    /// Number of cells polished in all five parameters.
    pub polished: usize,
    /// Whether the polish of the winning cell met a stopping rule.
    pub converged: bool,
    /// Exponents that ended on or beyond the edge of the searched range.
    pub at_search_edge: Vec<String>,
}

impl PointEstimate {
    /// Returns the estimate in log form (e, a, b, α, β).
    pub fn log_form(&self) -> Theta {
        huber::to_log_form(&self.params)
    }
}

/// A Chinchilla fit: estimates with bootstrap uncertainty, derived allocation
/// exponents, identifiability diagnostics and warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChinchillaFit {
    pub law: String,
    pub formula: String,
    /// E, A, B, alpha, beta. `std_error` is the bootstrap standard deviation and
    /// `t_interval` is not computed.
    pub params: Vec<ParamEstimate>,
    /// a, b and G of the compute-optimal allocation.
    pub derived: Vec<DerivedEstimate>,
    pub estimate: PointEstimate,
    pub delta: f64,
    pub runs: usize,
    pub confidence: f64,
    pub seed: u64,
    /// Bootstrap resamples of (E, A, B, α, β); failed refits are left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bootstrap_params: Vec<[f64; 5]>,
    pub identifiability: identify::Identifiability,
    /// Smallest and largest N and D of the data, for extrapolation checks.
    pub n_range: (f64, f64),
    pub d_range: (f64, f64),
    /// Plain-language warnings the user can act on.
    pub warnings: Vec<String>,
}

impl ChinchillaFit {
    /// Returns the estimates (E, A, B, α, β).
    pub fn theta(&self) -> [f64; 5] {
        self.estimate.params
    }

    /// Looks up a parameter estimate by name.
    pub fn param(&self, name: &str) -> Option<&ParamEstimate> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Looks up a derived quantity by name.
    pub fn derived(&self, name: &str) -> Option<&DerivedEstimate> {
        self.derived.iter().find(|d| d.derived.name == name)
    }
}

/// Fits the Chinchilla law with bootstrap intervals and identifiability checks.
pub fn fit_chinchilla(
    data: &LossData,
    options: &ChinchillaOptions,
) -> Result<ChinchillaFit, NeuralError> {
    let estimate = fit_chinchilla_point(data, options)?;
    let resamples = bootstrap::resample_fits(
        data,
        &estimate.log_form(),
        options.delta,
        options.bootstrap_resamples,
        options.seed,
    );
    let mut warnings = Vec::new();
    let failed = options.bootstrap_resamples - resamples.len();
    if failed > 0 {
        warnings.push(format!(
            "{failed} of {} bootstrap refits did not converge and were left out",
            options.bootstrap_resamples
        ));
    }

    let specs = Chinchilla.params();
    let mut params: Vec<ParamEstimate> = specs
        .iter()
        .enumerate()
        .map(|(k, spec)| {
            let mut values: Vec<f64> = resamples.iter().map(|t| t[k]).collect();
            ParamEstimate {
                name: spec.name.to_string(),
                value: estimate.params[k],
                std_error: standard_deviation(&values),
                t_interval: None,
                bootstrap_interval: stats::percentile_interval(&mut values, options.confidence),
                at_bound: false,
            }
        })
        .collect();
    for name in &estimate.at_search_edge {
        if let Some(param) = params.iter_mut().find(|p| &p.name == name) {
            param.at_bound = true;
        }
    }

    let mut derived: Vec<DerivedEstimate> = Chinchilla
        .derived(&estimate.params)
        .into_iter()
        .map(|derived| DerivedEstimate {
            derived,
            bootstrap_interval: None,
            bootstrap_share: None,
        })
        .collect();
    if !resamples.is_empty() {
        let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples.len()); derived.len()];
        for theta in &resamples {
            for (column, quantity) in columns.iter_mut().zip(Chinchilla.derived(theta)) {
                column.extend(quantity.value);
            }
        }
        for (estimate, mut values) in derived.iter_mut().zip(columns) {
            estimate.bootstrap_share = Some(values.len() as f64 / resamples.len() as f64);
            estimate.bootstrap_interval =
                stats::percentile_interval(&mut values, options.confidence);
        }
    }

    let identifiability = identify::check(data, &estimate, &resamples, options.delta);
    warnings.extend(identifiability.warnings.iter().cloned());

    let range = |v: &[f64]| {
        v.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            })
    };
    Ok(ChinchillaFit {
        law: Chinchilla.id().to_string(),
        formula: Chinchilla.formula().to_string(),
        params,
        derived,
        delta: options.delta,
        runs: data.len(),
        confidence: options.confidence,
        seed: options.seed,
        bootstrap_params: resamples,
        identifiability,
        n_range: range(data.n()),
        d_range: range(data.d()),
        warnings,
        estimate,
    })
}

/// Returns the sample standard deviation, or `None` for fewer than two values.
fn standard_deviation(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    Some((values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt())
}

/// One profiled grid cell.
#[derive(Debug, Clone, Copy)]
struct Cell {
    objective: f64,
    /// (e, a, b) minimising the objective at this cell's exponents.
    linear: Vector3<f64>,
}

/// Finds the global minimum of the Huber objective, without uncertainty.
pub fn fit_chinchilla_point(
    data: &LossData,
    options: &ChinchillaOptions,
) -> Result<PointEstimate, NeuralError> {
    options.check()?;
    let distinct = distinct_points(data);
    if distinct < 5 {
        return Err(crate::data::DataError::TooFewPoints {
            law: "Chinchilla".to_string(),
            scale: "N, D".to_string(),
            needed: 5,
            got: distinct,
        }
        .into());
    }

    let steps = options.grid_steps;
    let grid =
        |(low, high): (f64, f64), i: usize| low + (high - low) * i as f64 / (steps - 1) as f64;
    let cells: Vec<Cell> = (0..steps * steps)
        .into_par_iter()
        .map(|index| {
            let alpha = grid(options.alpha_range, index / steps);
            let beta = grid(options.beta_range, index % steps);
            profile_cell(data, alpha, beta, options.delta)
        })
        .collect();

    // Local minima of the profile over the 8-neighbourhood, lowest first.
    let mut minima: Vec<usize> = (0..steps * steps)
        .filter(|&index| {
            let (i, j) = ((index / steps) as isize, (index % steps) as isize);
            let value = cells[index].objective;
            value.is_finite()
                && (-1..=1).all(|di| {
                    (-1..=1).all(|dj| {
                        let (ni, nj) = (i + di, j + dj);
                        if (di == 0 && dj == 0)
                            || ni < 0
                            || nj < 0
                            || ni >= steps as isize
                            || nj >= steps as isize
                        {
                            return true;
                        }
                        value <= cells[ni as usize * steps + nj as usize].objective
                    })
                })
        })
        .collect();
    minima.sort_by(|&x, &y| cells[x].objective.total_cmp(&cells[y].objective));
    let local_minima = minima.len();
    if minima.is_empty() {
        return Err(NeuralError::NoConvergence {
            law: "Chinchilla".to_string(),
            reason: "the objective is not finite anywhere on the exponent grid".to_string(),
        });
    }
    minima.truncate(options.polish_cells);

    let settings = newton::Settings::default();
    let polished: Vec<newton::Solution<5>> = minima
        .par_iter()
        .map(|&index| {
            let cell = cells[index];
            let start = Theta::new(
                cell.linear[0],
                cell.linear[1],
                cell.linear[2],
                grid(options.alpha_range, index / steps),
                grid(options.beta_range, index % steps),
            );
            polish(data, start, options.delta, &settings)
        })
        .collect();
    let best = polished
        .iter()
        .filter(|s| s.value.is_finite())
        .min_by(|x, y| x.value.total_cmp(&y.value))
        .ok_or_else(|| NeuralError::NoConvergence {
            law: "Chinchilla".to_string(),
            reason: "every polished grid cell diverged to a non-finite objective".to_string(),
        })?;

    let params = huber::from_log_form(&best.x);
    if params.iter().any(|v| !v.is_finite()) {
        return Err(NeuralError::NoConvergence {
            law: "Chinchilla".to_string(),
            reason: format!("the estimates are not finite: {params:?}"),
        });
    }
    let mut at_search_edge = Vec::new();
    let step = |(low, high): (f64, f64)| (high - low) / (steps - 1) as f64;
    for (name, value, range) in [
        ("alpha", params[3], options.alpha_range),
        ("beta", params[4], options.beta_range),
    ] {
        if value <= range.0 + 0.5 * step(range) || value >= range.1 - 0.5 * step(range) {
            at_search_edge.push(name.to_string());
        }
    }

    Ok(PointEstimate {
        params,
        objective: best.value,
        grid_cells: steps * steps,
        local_minima,
        polished: polished.len(),
        converged: best.converged,
        at_search_edge,
    })
}

/// Minimises the Huber objective in all five parameters from `start`.
pub fn polish(
    data: &LossData,
    start: Theta,
    delta: f64,
    settings: &newton::Settings,
) -> newton::Solution<5> {
    newton::minimize(
        start,
        |theta| huber::objective(data, theta, delta),
        |theta| huber::objective_hessian(data, theta, delta),
        settings,
    )
}

fn distinct_points(data: &LossData) -> usize {
    let mut pairs: Vec<(f64, f64)> = data
        .n()
        .iter()
        .copied()
        .zip(data.d().iter().copied())
        .collect();
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
    pairs.dedup();
    pairs.len()
}

/// Newton steps spent on each grid cell. The profile only ranks cells and supplies
/// starting points, so it need not be exact: a few steps from the NNLS start bring the
/// objective close to the cell's minimum, and the full polish finishes the winners.
const PROFILE_NEWTON_STEPS: usize = 8;

/// Minimises the objective over (e, a, b) with the exponents held at (α, β), within
/// [`PROFILE_NEWTON_STEPS`] Newton steps.
fn profile_cell(data: &LossData, alpha: f64, beta: f64, delta: f64) -> Cell {
    let count = data.len();
    let mut columns = Vec::with_capacity(count);
    let mut weights = Vec::with_capacity(count);
    for i in 0..count {
        columns.push([
            1.0,
            (-alpha * data.log_n()[i]).exp(),
            (-beta * data.log_d()[i]).exp(),
        ]);
        weights.push(1.0 / data.loss()[i]);
    }
    let (coefficients, _) = nnls::solve3(&columns, data.loss(), Some(&weights));

    // A coefficient of zero has no logarithm: start it where its term contributes a
    // thousandth of the smallest loss at the run where it is largest.
    let min_loss = data.loss().iter().copied().fold(f64::INFINITY, f64::min);
    let floor = |k: usize| {
        let largest = columns.iter().map(|c| c[k]).fold(0.0, f64::max);
        1e-3 * min_loss / largest.max(f64::MIN_POSITIVE)
    };
    let start = Vector3::new(
        coefficients[0].max(floor(0)).ln(),
        coefficients[1].max(floor(1)).ln(),
        coefficients[2].max(floor(2)).ln(),
    );

    let log_loss = data.log_loss();
    let value = |x: &Vector3<f64>| {
        let (e, a, b) = (x[0].exp(), x[1].exp(), x[2].exp());
        columns
            .iter()
            .zip(log_loss)
            .map(|(c, ll)| huber::huber((e + a * c[1] + b * c[2]).ln() - ll, delta))
            .sum::<f64>()
    };
    let derivatives = |x: &Vector3<f64>| {
        let (e, a, b) = (x[0].exp(), x[1].exp(), x[2].exp());
        let mut total = 0.0;
        let mut gradient = Vector3::zeros();
        let mut hessian = Matrix3::zeros();
        for (c, ll) in columns.iter().zip(log_loss) {
            let terms = Vector3::new(e, a * c[1], b * c[2]);
            let sum = terms.sum();
            let r = sum.ln() - ll;
            let p = terms / sum;
            total += huber::huber(r, delta);
            let psi = huber_psi(r, delta);
            let curvature = huber_psi_prime(r, delta);
            gradient += p * psi;
            let outer = p * p.transpose();
            hessian += outer * (curvature - psi) + Matrix3::from_diagonal(&p) * psi;
        }
        (total, gradient, hessian)
    };
    let settings = newton::Settings {
        max_iterations: PROFILE_NEWTON_STEPS,
        ftol: 1e-10,
        gtol: 1e-8,
    };
    let solution = newton::minimize(start, value, derivatives, &settings);
    Cell {
        objective: solution.value,
        linear: solution.x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synthetic(params: [f64; 5]) -> LossData {
        let mut n = Vec::new();
        let mut d = Vec::new();
        let mut loss = Vec::new();
        for i in 0..8 {
            for j in 0..6 {
                let size = 5e7 * 2.5f64.powi(i);
                let tokens = size * 2f64.powi(2 * j - 3);
                n.push(size);
                d.push(tokens);
                loss.push(Chinchilla::loss(&params, size, tokens));
            }
        }
        LossData::new(n, d, loss).unwrap()
    }

    #[test]
    fn point_fit_recovers_noiseless_parameters() {
        let truth = [1.69, 406.4, 410.7, 0.34, 0.28];
        let data = synthetic(truth);
        let estimate = fit_chinchilla_point(&data, &ChinchillaOptions::default()).unwrap();
        for (k, (value, expected)) in estimate.params.iter().zip(truth).enumerate() {
            let relative = (value - expected).abs() / expected;
            assert!(relative < 1e-5, "parameter {k}: {:?}", estimate.params);
        }
        assert!(estimate.objective < 1e-12);
    }

    #[test]
    fn options_reject_zero_delta() {
        let data = synthetic([1.69, 406.4, 410.7, 0.34, 0.28]);
        let options = ChinchillaOptions {
            delta: 0.0,
            ..ChinchillaOptions::default()
        };
        let err = fit_chinchilla_point(&data, &options).unwrap_err();
        assert!(err.to_string().contains("delta"));
    }
}
