//! Chinchilla law: L(N, D) = E + A/N^α + B/D^β.
//!
//! Reference: Hoffmann et al., "Training Compute-Optimal Large Language Models",
//! arXiv:2203.15556, 2022, eq. 2 (the law) and eq. 4 (the compute-optimal allocation).
//! N is the number of parameters, D the number of training tokens, L the final loss in
//! nats. E is the irreducible loss, A/N^α the loss a model of finite size adds and
//! B/D^β the loss finite data adds.
//!
//! The generic least-squares fit ([`crate::fit::fit`]) works with this law, but the
//! fit the field uses is the Huber fit on log loss in [`crate::neural`].

use crate::data::{DataError, Observations};
use crate::law::{Derived, Estimates, Law, ParamSpec, Regime, RegimeKind};
use crate::stats::format_sig;

/// The Chinchilla law, parameters `[E, A, B, alpha, beta]`; scale parameters `[N, D]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Chinchilla;

const PARAMS: [ParamSpec; 5] = [
    ParamSpec {
        name: "E",
        meaning: "irreducible loss",
        lower: 0.0,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "A",
        meaning: "coefficient of the model-size term A/N^alpha",
        lower: 0.0,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "B",
        meaning: "coefficient of the data term B/D^beta",
        lower: 0.0,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "alpha",
        meaning: "exponent of the model-size term",
        lower: 0.0,
        upper: 5.0,
    },
    ParamSpec {
        name: "beta",
        meaning: "exponent of the data term",
        lower: 0.0,
        upper: 5.0,
    },
];

/// The compute-optimal allocation exponents and coefficient of Hoffmann et al. eq. 4.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AllocationLaw {
    /// Exponent of N_opt = G·(C/6)^a: a = β/(α+β).
    pub a: f64,
    /// Exponent of D_opt = G⁻¹·(C/6)^b: b = α/(α+β).
    pub b: f64,
    /// G = (αA/(βB))^(1/(α+β)).
    pub g: f64,
}

impl Chinchilla {
    /// Predicted loss at `n` parameters and `d` tokens.
    pub fn loss(theta: &[f64], n: f64, d: f64) -> f64 {
        theta[0] + theta[1] * n.powf(-theta[3]) + theta[2] * d.powf(-theta[4])
    }

    /// The allocation law of these parameters; `None` when an exponent or coefficient
    /// is not positive, because the optimum then does not exist.
    pub fn allocation_law(theta: &[f64]) -> Option<AllocationLaw> {
        let (big_a, big_b, alpha, beta) = (theta[1], theta[2], theta[3], theta[4]);
        if !(big_a > 0.0 && big_b > 0.0 && alpha > 0.0 && beta > 0.0) {
            return None;
        }
        let sum = alpha + beta;
        let g = (alpha * big_a / (beta * big_b)).powf(1.0 / sum);
        g.is_finite().then_some(AllocationLaw {
            a: beta / sum,
            b: alpha / sum,
            g,
        })
    }
}

impl Law for Chinchilla {
    fn id(&self) -> &'static str {
        "chinchilla"
    }

    fn name(&self) -> &'static str {
        "Chinchilla"
    }

    fn formula(&self) -> &'static str {
        "L(N, D) = E + A/N^alpha + B/D^beta"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &PARAMS
    }

    fn dims(&self) -> usize {
        2
    }

    fn validate(&self, data: &Observations) -> Result<(), DataError> {
        data.require_positive(self.name(), &[0, 1], true)
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        Self::loss(theta, x[0], x[1])
    }

    fn gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) {
        let n_term = x[0].powf(-theta[3]);
        let d_term = x[1].powf(-theta[4]);
        grad[0] = 1.0;
        grad[1] = n_term;
        grad[2] = d_term;
        grad[3] = -theta[1] * n_term * x[0].ln();
        grad[4] = -theta[2] * d_term * x[1].ln();
    }

    /// Profiles the exponents over a coarse grid, solving E, A and B by nonnegative
    /// least squares in each cell, and returns the best cell.
    fn initial_guess(&self, data: &Observations) -> Vec<f64> {
        let n = data.column(0);
        let d = data.column(1);
        let mut best = (f64::INFINITY, vec![data.y()[0] * 0.5, 1.0, 1.0, 0.3, 0.3]);
        for i in 1..=20 {
            for j in 1..=20 {
                let (alpha, beta) = (0.05 * i as f64, 0.05 * j as f64);
                let columns: Vec<[f64; 3]> = n
                    .iter()
                    .zip(&d)
                    .map(|(n, d)| [1.0, n.powf(-alpha), d.powf(-beta)])
                    .collect();
                let (coefficients, rss) = crate::neural::nnls::solve3(&columns, data.y(), None);
                if rss < best.0 {
                    best = (
                        rss,
                        vec![
                            coefficients[0],
                            coefficients[1],
                            coefficients[2],
                            alpha,
                            beta,
                        ],
                    );
                }
            }
        }
        best.1
    }

    fn derived(&self, theta: &[f64]) -> Vec<Derived> {
        const A_MEANING: &str = "exponent a of N_opt = G (C/6)^a";
        const B_MEANING: &str = "exponent b of D_opt = (C/6)^b / G";
        const G_MEANING: &str = "coefficient G of the compute-optimal allocation";
        match Self::allocation_law(theta) {
            Some(law) => vec![
                Derived::some("a", law.a, A_MEANING),
                Derived::some("b", law.b, B_MEANING),
                Derived::some("G", law.g, G_MEANING),
            ],
            None => {
                let note = "no compute-optimal allocation: A, B, alpha and beta must all be \
                            above zero";
                vec![
                    Derived::none("a", A_MEANING, note),
                    Derived::none("b", B_MEANING, note),
                    Derived::none("G", G_MEANING, note),
                ]
            }
        }
    }

    fn regime(&self, estimates: &Estimates<'_>) -> Regime {
        let theta = estimates.values;
        if theta[3] > 0.0 && theta[4] > 0.0 {
            Regime {
                kind: RegimeKind::ContentionBound,
                reason: format!(
                    "loss falls as N^-{} and D^-{} toward the irreducible loss E = {}, so each \
                     doubling of parameters or tokens gains less than the one before",
                    format_sig(theta[3], 3),
                    format_sig(theta[4], 3),
                    format_sig(theta[0], 4)
                ),
            }
        } else {
            Regime {
                kind: RegimeKind::NotDescribed,
                reason: "an exponent is not above zero, so loss does not fall with scale as \
                         the law assumes"
                    .to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let theta = [1.8, 480.0, 2100.0, 0.35, 0.37];
        let x = [1.0e9, 2.0e10];
        let mut grad = [0.0; 5];
        Chinchilla.gradient(&theta, &x, &mut grad);
        for k in 0..5 {
            let h = 1e-6 * theta[k].abs();
            let mut up = theta;
            let mut down = theta;
            up[k] += h;
            down[k] -= h;
            let numeric = (Chinchilla.predict(&up, &x) - Chinchilla.predict(&down, &x)) / (2.0 * h);
            assert!(
                (numeric - grad[k]).abs() <= 1e-6 * grad[k].abs().max(1e-9),
                "parameter {k}: numeric {numeric}, analytic {}",
                grad[k]
            );
        }
    }

    #[test]
    fn allocation_law_matches_besiroglu_table() {
        // Besiroglu et al. 2024 estimates; a = 0.5126 and G = 0.1196 by eq. 4 of
        // Hoffmann et al. 2022, evaluated by hand.
        let theta = [1.8172, 482.01, 2085.43, 0.3478, 0.3658];
        let law = Chinchilla::allocation_law(&theta).unwrap();
        assert!((law.a - 0.3658 / 0.7136).abs() < 1e-12);
        assert!((law.a - 0.5126).abs() < 1e-4);
        assert!((law.g - 0.1196).abs() < 1e-4);
        assert!((law.a + law.b - 1.0).abs() < 1e-12);
    }

    #[test]
    fn allocation_law_absent_for_zero_exponent() {
        assert!(Chinchilla::allocation_law(&[1.0, 1.0, 1.0, 0.0, 0.3]).is_none());
    }
}
