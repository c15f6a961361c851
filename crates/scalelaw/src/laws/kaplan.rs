//! Kaplan's single-variable power laws of loss: L(x) = (x_c/x)^α, and the form with an
//! irreducible loss, L(x) = E + A·x^−α.
//!
//! Reference: Kaplan et al., "Scaling Laws for Neural Language Models",
//! arXiv:2001.08361, 2020, eqs. 1.1–1.3, where x is the number of parameters N, the
//! data size D or the compute C, and for N they report α_N = 0.076 with
//! N_c = 8.8·10¹³. The irreducible term E is the form Henighan et al. (arXiv:2010.14701,
//! 2020) fit across modalities.

use crate::data::Observations;
use crate::law::{Derived, Estimates, Law, ParamSpec, Regime, RegimeKind};
use crate::neural::nnls;
use crate::stats::format_sig;

/// L(x) = (x_c/x)^α, parameters `[x_c, alpha]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Kaplan;

/// L(x) = E + A·x^−α, parameters `[E, A, alpha]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct KaplanE;

const KAPLAN_PARAMS: [ParamSpec; 2] = [
    ParamSpec {
        name: "x_c",
        meaning: "scale at which the loss would be 1",
        lower: 0.0,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "alpha",
        meaning: "exponent of the power law",
        lower: 0.0,
        upper: 5.0,
    },
];

const KAPLAN_E_PARAMS: [ParamSpec; 3] = [
    ParamSpec {
        name: "E",
        meaning: "irreducible loss",
        lower: 0.0,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "A",
        meaning: "coefficient of the power-law term",
        lower: 0.0,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "alpha",
        meaning: "exponent of the power-law term",
        lower: 0.0,
        upper: 5.0,
    },
];

/// Least-squares line through (u, v): returns (intercept, slope).
fn line_fit(u: &[f64], v: &[f64]) -> (f64, f64) {
    let n = u.len() as f64;
    let mean_u = u.iter().sum::<f64>() / n;
    let mean_v = v.iter().sum::<f64>() / n;
    let (mut suu, mut suv) = (0.0, 0.0);
    for (a, b) in u.iter().zip(v) {
        suu += (a - mean_u) * (a - mean_u);
        suv += (a - mean_u) * (b - mean_v);
    }
    let slope = if suu > 0.0 { suv / suu } else { 0.0 };
    (mean_v - slope * mean_u, slope)
}

fn power_law_regime(alpha: f64, floor: Option<f64>) -> Regime {
    if alpha > 0.0 {
        let floor_text = floor.map_or(String::new(), |e| {
            format!(" toward the irreducible loss E = {}", format_sig(e, 4))
        });
        Regime {
            kind: RegimeKind::ContentionBound,
            reason: format!(
                "loss falls as x^-{}{floor_text}, so each doubling of scale gains less than the \
                 one before",
                format_sig(alpha, 3)
            ),
        }
    } else {
        Regime {
            kind: RegimeKind::NotDescribed,
            reason: "the exponent is not above zero, so loss does not fall with scale".to_string(),
        }
    }
}

impl Law for Kaplan {
    fn id(&self) -> &'static str {
        "kaplan"
    }

    fn name(&self) -> &'static str {
        "Kaplan power law"
    }

    fn formula(&self) -> &'static str {
        "L(x) = (x_c / x)^alpha"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &KAPLAN_PARAMS
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        (theta[0] / x[0]).powf(theta[1])
    }

    fn gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) {
        let value = self.predict(theta, x);
        grad[0] = theta[1] * value / theta[0];
        grad[1] = value * (theta[0] / x[0]).ln();
    }

    /// Fits a line through (log x, log L), since log L = α·log x_c − α·log x.
    fn initial_guess(&self, data: &Observations) -> Vec<f64> {
        let u: Vec<f64> = data.column(0).iter().map(|x| x.ln()).collect();
        let v: Vec<f64> = data.y().iter().map(|y| y.ln()).collect();
        let (intercept, slope) = line_fit(&u, &v);
        let alpha = if slope < 0.0 { -slope } else { 0.1 };
        vec![(intercept / alpha).exp(), alpha]
    }

    fn derived(&self, _theta: &[f64]) -> Vec<Derived> {
        Vec::new()
    }

    fn regime(&self, estimates: &Estimates<'_>) -> Regime {
        power_law_regime(estimates.values[1], None)
    }
}

impl Law for KaplanE {
    fn id(&self) -> &'static str {
        "kaplan-e"
    }

    fn name(&self) -> &'static str {
        "power law with irreducible loss"
    }

    fn formula(&self) -> &'static str {
        "L(x) = E + A * x^-alpha"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &KAPLAN_E_PARAMS
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        theta[0] + theta[1] * x[0].powf(-theta[2])
    }

    fn gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) {
        let term = x[0].powf(-theta[2]);
        grad[0] = 1.0;
        grad[1] = term;
        grad[2] = -theta[1] * term * x[0].ln();
    }

    /// Profiles α over 0.01 to 2.00 in steps of 0.01, solving E and A ≥ 0 by
    /// nonnegative least squares at each value, and returns the best.
    fn initial_guess(&self, data: &Observations) -> Vec<f64> {
        let x = data.column(0);
        let mut best = (f64::INFINITY, vec![0.0, data.y()[0], 0.1]);
        for step in 1..=200 {
            let alpha = 0.01 * step as f64;
            let columns: Vec<[f64; 3]> = x.iter().map(|v| [1.0, v.powf(-alpha), 0.0]).collect();
            let (coefficients, rss) = nnls::solve3(&columns, data.y(), None);
            if rss < best.0 {
                best = (rss, vec![coefficients[0], coefficients[1], alpha]);
            }
        }
        best.1
    }

    fn derived(&self, _theta: &[f64]) -> Vec<Derived> {
        Vec::new()
    }

    fn regime(&self, estimates: &Estimates<'_>) -> Regime {
        power_law_regime(estimates.values[2], Some(estimates.values[0]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{fit, FitOptions};

    fn options() -> FitOptions {
        FitOptions {
            bootstrap_resamples: 0,
            leave_one_out: false,
            ..FitOptions::default()
        }
    }

    #[test]
    fn kaplan_recovers_published_size_law() {
        // Kaplan et al. 2020, eq. 1.1: alpha_N = 0.076, N_c = 8.8e13.
        let x: Vec<f64> = (0..10).map(|i| 1e6 * 4f64.powi(i)).collect();
        let y: Vec<f64> = x.iter().map(|n| (8.8e13 / n).powf(0.076)).collect();
        let data = Observations::new("N", "loss", x, y).unwrap();
        let fitted = fit(&Kaplan, &data, &options()).unwrap();
        let theta = fitted.theta();
        assert!((theta[0] / 8.8e13 - 1.0).abs() < 1e-6, "{theta:?}");
        assert!((theta[1] - 0.076).abs() < 1e-8, "{theta:?}");
    }

    #[test]
    fn kaplan_e_recovers_noiseless_parameters() {
        // Model-size part of the Chinchilla law of Hoffmann et al. 2022 (rounded):
        // E = 1.69, A = 406.4, alpha = 0.34.
        let x: Vec<f64> = (0..12).map(|i| 1e7 * 2.5f64.powi(i)).collect();
        let y: Vec<f64> = x.iter().map(|n| 1.69 + 406.4 * n.powf(-0.34)).collect();
        let data = Observations::new("N", "loss", x, y).unwrap();
        let fitted = fit(&KaplanE, &data, &options()).unwrap();
        let theta = fitted.theta();
        assert!((theta[0] - 1.69).abs() < 1e-6, "{theta:?}");
        assert!((theta[1] / 406.4 - 1.0).abs() < 1e-5, "{theta:?}");
        assert!((theta[2] - 0.34).abs() < 1e-7, "{theta:?}");
    }

    #[test]
    fn kaplan_gradient_matches_finite_differences() {
        let x = [3e9];
        for (law, theta) in [
            (&Kaplan as &dyn Law, vec![8.8e13, 0.076]),
            (&KaplanE as &dyn Law, vec![1.69, 406.4, 0.34]),
        ] {
            let mut grad = vec![0.0; theta.len()];
            law.gradient(&theta, &x, &mut grad);
            for k in 0..theta.len() {
                let h = 1e-6 * theta[k].abs();
                let mut up = theta.clone();
                let mut down = theta.clone();
                up[k] += h;
                down[k] -= h;
                let numeric = (law.predict(&up, &x) - law.predict(&down, &x)) / (2.0 * h);
                assert!(
                    (numeric - grad[k]).abs() <= 1e-6 * grad[k].abs().max(1e-12),
                    "{} parameter {k}: numeric {numeric}, analytic {}",
                    law.id(),
                    grad[k]
                );
            }
        }
    }
}
