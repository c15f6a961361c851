//! Broken power law with one break:
//! y = a + b·x^−c0·(1 + (x/d1)^(1/f1))^(−c1·f1).
//!
//! Reference: Caballero, Gupta, Rish & Krueger, "Broken Neural Scaling Laws",
//! arXiv:2210.14891 (ICLR 2023), eq. 1 with n = 1. Below the break at x ≈ d1 the curve
//! falls with slope c0 on log-log axes, beyond it with slope c0 + c1; f1 sets how sharp
//! the break is (smaller is sharper). a is the limit as x grows.
//!
//! The fit the authors use, least squares on log(y + 1), is in [`crate::neural::bnsl`];
//! this law's starting point comes from its global search.

use crate::data::Observations;
use crate::law::{Derived, Estimates, Law, ParamSpec, Regime, RegimeKind};
use crate::stats::format_sig;

/// The broken power law, parameters `[a, b, c0, c1, d1, f1]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bnsl;

const PARAMS: [ParamSpec; 6] = [
    ParamSpec {
        name: "a",
        meaning: "limit of the metric as scale grows",
        lower: 0.0,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "b",
        meaning: "coefficient of the power-law term",
        lower: 0.0,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "c0",
        meaning: "log-log slope before the break",
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "c1",
        meaning: "change of log-log slope across the break",
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "d1",
        meaning: "scale of the break",
        lower: 0.0,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "f1",
        meaning: "smoothness of the break (smaller is sharper)",
        lower: 0.0,
        upper: f64::INFINITY,
    },
];

/// log(1 + exp(z)) without overflow.
pub(crate) fn softplus(z: f64) -> f64 {
    if z > 30.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// 1/(1 + exp(−z)).
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Bnsl {
    /// Computes the power-law factor g = x^−c0·(1 + (x/d1)^(1/f1))^(−c1·f1), so y = a + b·g.
    pub fn factor(c0: f64, c1: f64, d1: f64, f1: f64, x: f64) -> f64 {
        let z = (x / d1).ln() / f1;
        (-c0 * x.ln() - c1 * f1 * softplus(z)).exp()
    }
}

impl Law for Bnsl {
    fn id(&self) -> &'static str {
        "bnsl"
    }

    fn name(&self) -> &'static str {
        "broken power law"
    }

    fn formula(&self) -> &'static str {
        "y = a + b * x^-c0 * (1 + (x/d1)^(1/f1))^(-c1*f1)"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &PARAMS
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        theta[0] + theta[1] * Self::factor(theta[2], theta[3], theta[4], theta[5], x[0])
    }

    fn gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) {
        let (b, c0, c1, d1, f1) = (theta[1], theta[2], theta[3], theta[4], theta[5]);
        let z = (x[0] / d1).ln() / f1;
        let sp = softplus(z);
        let sg = sigmoid(z);
        let g = (-c0 * x[0].ln() - c1 * f1 * sp).exp();
        grad[0] = 1.0;
        grad[1] = g;
        grad[2] = -b * g * x[0].ln();
        grad[3] = -b * g * f1 * sp;
        grad[4] = b * g * c1 * sg / d1;
        grad[5] = -b * g * c1 * (sp - sg * z);
    }

    fn initial_guess(&self, data: &Observations) -> Vec<f64> {
        let x = data.column(0);
        match crate::neural::bnsl::global_search(&x, data.y()) {
            Some(start) => start.to_vec(),
            None => vec![0.0, data.y()[0], 0.1, 0.1, x[x.len() / 2], 0.5],
        }
    }

    fn derived(&self, theta: &[f64]) -> Vec<Derived> {
        vec![
            Derived::some("break", theta[4], "scale x of the break"),
            Derived::some(
                "slope_after_break",
                theta[2] + theta[3],
                "log-log slope of y − a well beyond the break",
            ),
        ]
    }

    fn regime(&self, estimates: &Estimates<'_>) -> Regime {
        let theta = estimates.values;
        Regime {
            kind: RegimeKind::NotDescribed,
            reason: format!(
                "a broken power law: log-log slope {} before the break at x = {} and {} after \
                 it; regimes of throughput laws do not apply",
                format_sig(-theta[2], 3),
                format_sig(theta[4], 4),
                format_sig(-(theta[2] + theta[3]), 3)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CABALLERO: [f64; 6] = [
        0.413_884_530_716_294_55,
        2.277_272_289_773_755_6,
        0.055_077_348_404_973_955,
        5.662_903_816_010_331,
        612.583_617_291_800_1,
        0.059_193_036_393_742_314,
    ];

    #[test]
    fn predict_matches_caballero_extrapolations() {
        // SOURCES.md of the 4-digit addition data: predictions 0.7602, 0.6375, 0.5626 at
        // x = 800, 864, 928 from the authors' fitted parameters.
        for (x, expected) in [(800.0, 0.7602), (864.0, 0.6375), (928.0, 0.5626)] {
            let y = Bnsl.predict(&CABALLERO, &[x]);
            assert!((y - expected).abs() < 5e-5, "x {x}: {y}");
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        for x in [160.0, 612.0, 900.0, 4000.0] {
            let mut grad = [0.0; 6];
            Bnsl.gradient(&CABALLERO, &[x], &mut grad);
            for k in 0..6 {
                let h = 1e-6 * CABALLERO[k].abs();
                let mut up = CABALLERO;
                let mut down = CABALLERO;
                up[k] += h;
                down[k] -= h;
                let numeric = (Bnsl.predict(&up, &[x]) - Bnsl.predict(&down, &[x])) / (2.0 * h);
                assert!(
                    (numeric - grad[k]).abs() <= 1e-5 * grad[k].abs() + 1e-8,
                    "x {x}, parameter {k}: numeric {numeric}, analytic {}",
                    grad[k]
                );
            }
        }
    }
}
