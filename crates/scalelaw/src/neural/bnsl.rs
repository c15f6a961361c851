//! The broken power law fit of Caballero et al. ("Broken Neural Scaling Laws",
//! arXiv:2210.14891, 2023): least squares on log(y + 1), found globally.
//!
//! The authors minimise mean((log(ŷ + 1) − log(y + 1))²) by scipy's brute-force grid
//! over all six parameters followed by a local fit. Here a and b enter ŷ linearly, so
//! nonnegative least squares solves them for each cell of a grid over the four
//! nonlinear parameters (c0, c1, log d1, log f1). Each residual is weighted by
//! 1/(y + 1) so that it approximates the log residual. Levenberg–Marquardt then
//! polishes the best cells in all six parameters, with d1 and f1 in log form so they
//! stay above zero.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{nnls, NeuralError};
use crate::data::{DataError, Observations};
use crate::fit::{lm, standard_errors, ParamEstimate};
use crate::law::{Derived, Estimates, Law, ParamSpec, Regime};
use crate::laws::Bnsl;

/// Number of grid cells polished by Levenberg–Marquardt.
const POLISHED_CELLS: usize = 24;

/// A broken power law fit on log(y + 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BnslFit {
    /// a, b, c0, c1, d1, f1 with standard errors from the Jacobian of the log residuals
    /// (d1 and f1 by the delta method from their log form).
    // NOTE: no bootstrap or t intervals yet, so `bootstrap_interval` and `t_interval`
    // stay `None`; only the standard errors carry the uncertainty.
    pub params: Vec<ParamEstimate>,
    /// Σ (log(ŷ + 1) − log(y + 1))² over the fitted points: the minimised objective.
    pub rss_log1p: f64,
    /// Root mean square log error sqrt(mean((log ŷ − log y)²)) over the fitted points.
    /// `None` when some ŷ or y is not above zero.
    pub rms_log_error: Option<f64>,
    pub points: usize,
    pub warnings: Vec<String>,
}

impl BnslFit {
    /// Returns the estimates (a, b, c0, c1, d1, f1).
    pub fn theta(&self) -> [f64; 6] {
        std::array::from_fn(|k| self.params[k].value)
    }

    /// Predicted metric at scale `x`.
    pub fn predict(&self, x: f64) -> f64 {
        Bnsl.predict(&self.theta(), &[x])
    }

    /// Looks up a parameter estimate by name.
    pub fn param(&self, name: &str) -> Option<&ParamEstimate> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// log(1 + BNSL) as a law in (a, b, c0, c1, log d1, log f1), so the generic
/// Levenberg–Marquardt solver fits the log residuals.
struct LogBnsl;

const LOG_PARAMS: [ParamSpec; 6] = [
    ParamSpec {
        name: "a",
        meaning: "",
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "b",
        meaning: "",
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "c0",
        meaning: "",
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "c1",
        meaning: "",
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "log d1",
        meaning: "",
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "log f1",
        meaning: "",
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    },
];

fn natural(theta: &[f64]) -> [f64; 6] {
    [
        theta[0],
        theta[1],
        theta[2],
        theta[3],
        theta[4].exp(),
        theta[5].exp(),
    ]
}

impl Law for LogBnsl {
    fn id(&self) -> &'static str {
        "bnsl-log"
    }

    fn name(&self) -> &'static str {
        "broken power law"
    }

    fn formula(&self) -> &'static str {
        "log(1 + y)"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &LOG_PARAMS
    }

    fn validate(&self, _data: &Observations) -> Result<(), DataError> {
        Ok(())
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        Bnsl.predict(&natural(theta), x).ln_1p()
    }

    fn gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) {
        let params = natural(theta);
        let y = Bnsl.predict(&params, x);
        Bnsl.gradient(&params, x, grad);
        grad[4] *= params[4];
        grad[5] *= params[5];
        for g in grad.iter_mut() {
            *g /= 1.0 + y;
        }
    }

    fn initial_guess(&self, _data: &Observations) -> Vec<f64> {
        Vec::new()
    }

    fn derived(&self, _theta: &[f64]) -> Vec<Derived> {
        Vec::new()
    }

    fn regime(&self, estimates: &Estimates<'_>) -> Regime {
        Bnsl.regime(estimates)
    }
}

/// Evenly spaced values from `low` to `high`, `count` of them.
fn linspace(low: f64, high: f64, count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| low + (high - low) * i as f64 / (count - 1) as f64)
        .collect()
}

/// Searches the grid and polishes its best cells. Returns the (a, b, c0, c1, d1, f1)
/// with the lowest log-residual sum of squares, or `None` when nothing finite was found.
pub fn global_search(x: &[f64], y: &[f64]) -> Option<[f64; 6]> {
    let log_x_min = x.iter().copied().fold(f64::INFINITY, f64::min).ln();
    let log_x_max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max).ln();
    let c0_values = linspace(-0.2, 1.0, 13);
    let c1_values = linspace(0.0, 8.0, 17);
    // The break may sit a little beyond the data on either side.
    let span = log_x_max - log_x_min;
    let log_d1_values = linspace(log_x_min - 0.25 * span, log_x_max + 0.25 * span, 24);
    let log_f1_values = linspace(0.01f64.ln(), 3.0f64.ln(), 12);
    let weights: Vec<f64> = y.iter().map(|v| 1.0 / (1.0 + v)).collect();
    let log_y: Vec<f64> = y.iter().map(|v| v.ln_1p()).collect();

    let cells = c0_values.len() * c1_values.len() * log_d1_values.len() * log_f1_values.len();
    let mut scored: Vec<(f64, [f64; 6])> = (0..cells)
        .into_par_iter()
        .filter_map(|index| {
            let f1 = log_f1_values[index % log_f1_values.len()].exp();
            let rest = index / log_f1_values.len();
            let d1 = log_d1_values[rest % log_d1_values.len()].exp();
            let rest = rest / log_d1_values.len();
            let c1 = c1_values[rest % c1_values.len()];
            let c0 = c0_values[rest / c1_values.len()];
            let columns: Vec<[f64; 3]> = x
                .iter()
                .map(|&v| [1.0, Bnsl::factor(c0, c1, d1, f1, v), 0.0])
                .collect();
            if columns.iter().any(|c| !c[1].is_finite()) {
                return None;
            }
            let (coefficients, _) = nnls::solve3(&columns, y, Some(&weights));
            let theta = [coefficients[0], coefficients[1], c0, c1, d1, f1];
            let rss: f64 = x
                .iter()
                .zip(&log_y)
                .map(|(&v, ly)| (Bnsl.predict(&theta, &[v]).ln_1p() - ly).powi(2))
                .sum();
            rss.is_finite().then_some((rss, theta))
        })
        .collect();
    scored.sort_by(|p, q| p.0.total_cmp(&q.0));
    scored.truncate(POLISHED_CELLS);

    let transformed = Observations::new("x", "log(1 + y)", x.to_vec(), log_y).ok()?;
    let settings = lm::Settings::default();
    scored
        .par_iter()
        .filter_map(|(_, theta)| {
            let start = [
                theta[0],
                theta[1],
                theta[2],
                theta[3],
                theta[4].ln(),
                theta[5].ln(),
            ];
            let solution = lm::minimize(&LogBnsl, &transformed, &start, None, &settings);
            let params = natural(&solution.theta);
            (solution.rss.is_finite() && params.iter().all(|v| v.is_finite()))
                .then_some((solution.rss, params))
        })
        .min_by(|p, q| p.0.total_cmp(&q.0))
        .map(|(_, params)| params)
}

/// sqrt(mean((log ŷ − log y)²)), or `None` when some ŷ or y is not above zero.
pub fn rms_log_error(theta: &[f64; 6], x: &[f64], y: &[f64]) -> Option<f64> {
    let mut squares = 0.0;
    for (&xv, &yv) in x.iter().zip(y) {
        let predicted = Bnsl.predict(theta, &[xv]);
        if !(predicted > 0.0 && yv > 0.0) {
            return None;
        }
        squares += (predicted.ln() - yv.ln()).powi(2);
    }
    Some((squares / x.len() as f64).sqrt())
}

/// Fits the broken power law to (x, y) by least squares on log(y + 1).
pub fn fit_bnsl(x: &[f64], y: &[f64]) -> Result<BnslFit, NeuralError> {
    let data = Observations::new("x", "y", x.to_vec(), y.to_vec())?;
    data.require_positive("broken power law", &[0], false)?;
    if let Some(row) = y.iter().position(|v| *v <= -1.0) {
        return Err(NeuralError::InvalidOption(format!(
            "row {}: y is {}, but log(y + 1) needs y above -1",
            row + 1,
            y[row]
        )));
    }
    let points = data.distinct_points();
    if points < 6 {
        return Err(DataError::TooFewPoints {
            law: "broken power law".to_string(),
            scale: "x".to_string(),
            needed: 6,
            got: points,
        }
        .into());
    }
    let params = global_search(x, y).ok_or_else(|| NeuralError::NoConvergence {
        law: "broken power law".to_string(),
        reason: "no grid cell gave a finite fit".to_string(),
    })?;

    let log_form = [
        params[0],
        params[1],
        params[2],
        params[3],
        params[4].ln(),
        params[5].ln(),
    ];
    let transformed = data.with_y(y.iter().map(|v| v.ln_1p()).collect());
    let rss_log1p: f64 = (0..x.len())
        .map(|i| (LogBnsl.predict(&log_form, &[x[i]]) - transformed.y()[i]).powi(2))
        .sum();
    let dof = x.len().saturating_sub(6);
    let errors = standard_errors(&LogBnsl, &transformed, &log_form, rss_log1p, dof);
    let mut warnings = Vec::new();
    if dof == 0 {
        warnings.push(
            "the fit has as many points as parameters (6), so it passes through every point \
             and has no uncertainty estimate; measure more points"
                .to_string(),
        );
    } else if errors.iter().any(Option::is_none) {
        warnings.push(
            "some parameters of the broken power law are not identifiable from these data \
             (the Jacobian is singular); the break may lie outside the measured range"
                .to_string(),
        );
    }
    let estimates = Bnsl
        .params()
        .iter()
        .enumerate()
        .map(|(k, spec)| {
            // d1 and f1 were fitted in log form: se(p) ≈ p·se(log p).
            let std_error = errors[k].map(|se| if k >= 4 { se * params[k] } else { se });
            ParamEstimate {
                name: spec.name.to_string(),
                value: params[k],
                std_error,
                t_interval: None,
                bootstrap_interval: None,
                at_bound: false,
            }
        })
        .collect();
    Ok(BnslFit {
        params: estimates,
        rss_log1p,
        rms_log_error: rms_log_error(&params, x, y),
        points: x.len(),
        warnings,
    })
}
