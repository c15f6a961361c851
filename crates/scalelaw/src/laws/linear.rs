//! Linear (ideal) scaling: X(N) = γN, the baseline every other law is compared with.

use crate::data::Observations;
use crate::law::{Derived, Estimates, Law, ParamSpec, Regime, RegimeKind};
use crate::stats::format_sig;

/// Ideal linear scaling, parameter `[gamma]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Linear;

const PARAMS: [ParamSpec; 1] = [ParamSpec {
    name: "gamma",
    meaning: "throughput per unit of N",
    lower: 0.0,
    upper: f64::INFINITY,
}];

impl Law for Linear {
    fn id(&self) -> &'static str {
        "linear"
    }

    fn name(&self) -> &'static str {
        "linear scaling"
    }

    fn formula(&self) -> &'static str {
        "X(N) = gamma*N"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &PARAMS
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        theta[0] * x[0]
    }

    fn gradient(&self, _theta: &[f64], x: &[f64], grad: &mut [f64]) {
        grad[0] = x[0];
    }

    /// The exact least-squares slope through the origin, ΣNX / ΣN².
    fn initial_guess(&self, data: &Observations) -> Vec<f64> {
        let (mut nx, mut nn) = (0.0, 0.0);
        for i in 0..data.len() {
            let n = data.x_row(i)[0];
            nx += n * data.y()[i];
            nn += n * n;
        }
        vec![if nn > 0.0 { nx / nn } else { 1.0 }]
    }

    fn derived(&self, _theta: &[f64]) -> Vec<Derived> {
        Vec::new()
    }

    fn regime(&self, estimates: &Estimates<'_>) -> Regime {
        Regime {
            kind: RegimeKind::Linear,
            reason: format!(
                "the law assumes ideal scaling: {} per unit of N",
                format_sig(estimates.values[0], 4)
            ),
        }
    }

    fn unit_rate(&self, theta: &[f64]) -> Option<f64> {
        Some(theta[0])
    }
}
