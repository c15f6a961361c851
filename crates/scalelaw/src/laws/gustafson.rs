//! Gustafson's law in throughput form: X(N) = γ(N − α(N−1)).
//!
//! Reference: J. L. Gustafson, "Reevaluating Amdahl's law", CACM 31(5), 1988. When the
//! problem grows with N (weak scaling), the scaled speedup is N − α(N−1), where α is
//! the serial share of the run time on N workers. Throughput grows without limit,
//! with efficiency tending to 1 − α.

use crate::data::Observations;
use crate::law::{Derived, Estimates, Law, ParamSpec, Regime, RegimeKind};
use crate::laws::{amdahl::max_rate, fit_line, is_significant};
use crate::stats::format_sig;

/// Gustafson's law, parameters `[alpha, gamma]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gustafson;

const PARAMS: [ParamSpec; 2] = [
    ParamSpec {
        name: "alpha",
        meaning: "serial share of the run time on N workers",
        lower: 0.0,
        upper: 1.0,
    },
    ParamSpec {
        name: "gamma",
        meaning: "throughput at N = 1",
        lower: 0.0,
        upper: f64::INFINITY,
    },
];

impl Law for Gustafson {
    fn id(&self) -> &'static str {
        "gustafson"
    }

    fn name(&self) -> &'static str {
        "Gustafson's law"
    }

    fn formula(&self) -> &'static str {
        "X(N) = gamma*(N - alpha*(N-1))"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &PARAMS
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        let n = x[0];
        theta[1] * (n - theta[0] * (n - 1.0))
    }

    fn gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) {
        let n = x[0];
        grad[0] = -theta[1] * (n - 1.0);
        grad[1] = n - theta[0] * (n - 1.0);
    }

    /// Straight line X = c₀ + c₁(N−1), so γ = c₀ and α = 1 − c₁/c₀.
    fn initial_guess(&self, data: &Observations) -> Vec<f64> {
        let xs: Vec<f64> = (0..data.len()).map(|i| data.x_row(i)[0] - 1.0).collect();
        match fit_line(&xs, data.y()) {
            Some((intercept, slope)) if intercept > 0.0 => {
                vec![1.0 - slope / intercept, intercept]
            }
            _ => vec![0.01, max_rate(data)],
        }
    }

    fn derived(&self, theta: &[f64]) -> Vec<Derived> {
        vec![Derived::some(
            "limit_efficiency",
            1.0 - theta[0],
            "1 - alpha, the efficiency that weak scaling tends to",
        )]
    }

    fn regime(&self, estimates: &Estimates<'_>) -> Regime {
        let alpha = estimates.values[0];
        let a = format_sig(alpha, 3);
        if alpha < 0.0 && is_significant(estimates, 0) {
            return Regime {
                kind: RegimeKind::Superlinear,
                reason: format!(
                    "alpha = {a} < 0: each added worker contributes more than the first one did"
                ),
            };
        }
        if alpha > 1.0 && is_significant(estimates, 0) {
            return Regime {
                kind: RegimeKind::NotDescribed,
                reason: format!(
                    "alpha = {a} > 1: throughput falls as N grows, which a serial share of \
                     the run time cannot produce, so Gustafson's law does not describe these \
                     data; try the USL"
                ),
            };
        }
        Regime {
            kind: RegimeKind::Linear,
            reason: format!(
                "scaled speedup grows linearly with slope 1 - alpha = {}: no peak and no roof, \
                 as expected when the problem grows with N",
                format_sig(1.0 - alpha, 3)
            ),
        }
    }

    fn unit_rate(&self, theta: &[f64]) -> Option<f64> {
        Some(theta[1])
    }
}
