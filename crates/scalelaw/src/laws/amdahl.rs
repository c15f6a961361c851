//! Amdahl's law in throughput form: X(N) = γN / (1 + α(N−1)).
//!
//! Reference: G. M. Amdahl, "Validity of the single processor approach to achieving
//! large scale computing capabilities", AFIPS 1967. α is the serial fraction of a fixed
//! amount of work, so speedup tends to 1/α and throughput to the roof γ/α. It is the
//! USL with β = 0.

use crate::data::Observations;
use crate::law::{Derived, Estimates, Law, ParamSpec, Regime, RegimeKind};
use crate::laws::{fit_line, is_significant};
use crate::stats::format_sig;

/// Amdahl's law, parameters `[alpha, gamma]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Amdahl;

const PARAMS: [ParamSpec; 2] = [
    ParamSpec {
        name: "alpha",
        meaning: "serial fraction of the work",
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

impl Law for Amdahl {
    fn id(&self) -> &'static str {
        "amdahl"
    }

    fn name(&self) -> &'static str {
        "Amdahl's law"
    }

    fn formula(&self) -> &'static str {
        "X(N) = gamma*N / (1 + alpha*(N-1))"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &PARAMS
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        let n = x[0];
        theta[1] * n / (1.0 + theta[0] * (n - 1.0))
    }

    fn gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(theta, x, grad);
    }

    fn value_and_gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) -> f64 {
        let n = x[0];
        let denominator = 1.0 + theta[0] * (n - 1.0);
        let unit = n / denominator;
        let value = theta[1] * unit;
        grad[0] = -value * (n - 1.0) / denominator;
        grad[1] = unit;
        value
    }

    /// Straight line N/X = 1/γ + (α/γ)(N−1), fitted by least squares.
    fn initial_guess(&self, data: &Observations) -> Vec<f64> {
        let (xs, ys): (Vec<f64>, Vec<f64>) = (0..data.len())
            .map(|i| {
                let n = data.x_row(i)[0];
                (n - 1.0, n / data.y()[i])
            })
            .unzip();
        match fit_line(&xs, &ys) {
            Some((intercept, slope)) if intercept > 0.0 => vec![slope / intercept, 1.0 / intercept],
            _ => vec![0.01, max_rate(data)],
        }
    }

    fn derived(&self, theta: &[f64]) -> Vec<Derived> {
        let (alpha, gamma) = (theta[0], theta[1]);
        if alpha > 0.0 {
            vec![
                Derived::some(
                    "roof",
                    gamma / alpha,
                    "gamma/alpha, the throughput limit as N grows",
                ),
                Derived::some("max_speedup", 1.0 / alpha, "1/alpha, the largest speedup"),
                Derived::some(
                    "n_opt",
                    1.0 / alpha,
                    "1/alpha, where efficiency has fallen to about one half",
                ),
            ]
        } else {
            let note = "no limit: alpha <= 0";
            vec![
                Derived::none("roof", "gamma/alpha", note),
                Derived::none("max_speedup", "1/alpha", note),
                Derived::none("n_opt", "1/alpha", note),
            ]
        }
    }

    fn regime(&self, estimates: &Estimates<'_>) -> Regime {
        let alpha = estimates.values[0];
        let a = format_sig(alpha, 3);
        if !is_significant(estimates, 0) {
            return Regime {
                kind: RegimeKind::Linear,
                reason: format!(
                    "alpha = {a} is indistinguishable from 0: throughput grows in proportion \
                     to N over the measured range"
                ),
            };
        }
        if alpha < 0.0 {
            return Regime {
                kind: RegimeKind::Superlinear,
                reason: format!(
                    "alpha = {a} < 0: throughput grows faster than linearly, which Amdahl's \
                     law cannot produce with a real serial fraction"
                ),
            };
        }
        if alpha > 1.0 {
            return Regime {
                kind: RegimeKind::NotDescribed,
                reason: format!(
                    "alpha = {a} > 1: throughput falls as N grows, which no serial fraction \
                     can cause, so Amdahl's law does not describe these data; try the USL"
                ),
            };
        }
        Regime {
            kind: RegimeKind::ContentionBound,
            reason: format!(
                "serial fraction alpha = {a}: throughput approaches the roof gamma/alpha = {} \
                 and never turns down",
                format_sig(estimates.values[1] / alpha, 4)
            ),
        }
    }

    fn unit_rate(&self, theta: &[f64]) -> Option<f64> {
        Some(theta[1])
    }
}

pub(crate) fn max_rate(data: &Observations) -> f64 {
    (0..data.len())
        .map(|i| data.y()[i] / data.x_row(i)[0])
        .fold(0.0, f64::max)
}
