//! Neural scaling laws: the Chinchilla fit by Huber loss on log loss, its uncertainty
//! and identifiability checks, the compute-optimal allocation, isoFLOP profiles, and
//! the fits of Kaplan's power laws and the broken power law.
//!
//! The Chinchilla fit follows approach 3 of Hoffmann et al. ("Training
//! Compute-Optimal Large Language Models", arXiv:2203.15556, 2022) as replicated by
//! Besiroglu et al. ("Chinchilla Scaling: A replication attempt", arXiv:2404.10102,
//! 2024): minimise Σ Huber_δ(LSE(a − α log N, b − β log D, e) − log L) with
//! E = exp(e), A = exp(a), B = exp(b), δ = 10⁻³, terms summed. Instead of a lottery of
//! L-BFGS starts, [`chinchilla`] profiles the objective over a grid of exponents, with
//! E, A and B solved in each cell, and polishes the best cells with Newton's method.
//! [`replication`] runs the published multi-start procedure for comparison.

pub mod allocation;
pub mod bnsl;
pub mod bootstrap;
pub mod chinchilla;
pub mod huber;
pub mod identify;
pub mod isoflop;
pub mod lbfgs;
pub mod newton;
pub mod nnls;
pub mod replication;

use thiserror::Error;

use crate::data::{DataError, Observations};

pub use allocation::{Allocation, AllocationEstimate, LossTargetEstimate};
pub use chinchilla::{fit_chinchilla, fit_chinchilla_point, ChinchillaFit, ChinchillaOptions};

/// Errors of neural scaling law fits and plans.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum NeuralError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("invalid option: {0}")]
    InvalidOption(String),
    #[error(
        "target loss {target} is at or below the fitted irreducible loss E = {}, so no \
         finite compute reaches it; choose a target above E",
        crate::stats::format_sig(*irreducible, 5)
    )]
    TargetBelowIrreducible { target: f64, irreducible: f64 },
    #[error(
        "isoFLOP profiles need at least two compute budgets with three or more model sizes \
         each, but the data has {usable} such budget(s) out of {budgets}; add runs at \
         more budgets or widen --budget-tolerance"
    )]
    TooFewBudgets { budgets: usize, usable: usize },
    #[error("no compute-optimal allocation: {0}")]
    NoAllocation(String),
    #[error("the {law} fit did not converge: {reason}")]
    NoConvergence { law: String, reason: String },
}

/// Final losses of training runs at N parameters and D tokens, checked to be finite and
/// above zero, with their logarithms.
#[derive(Debug, Clone, PartialEq)]
pub struct LossData {
    n: Vec<f64>,
    d: Vec<f64>,
    loss: Vec<f64>,
    log_n: Vec<f64>,
    log_d: Vec<f64>,
    log_loss: Vec<f64>,
}

impl LossData {
    /// Checks and stores the runs; rows are numbered from 1 in errors.
    pub fn new(n: Vec<f64>, d: Vec<f64>, loss: Vec<f64>) -> Result<Self, DataError> {
        if n.len() != loss.len() || d.len() != loss.len() {
            return Err(DataError::LengthMismatch {
                x: n.len().min(d.len()),
                y: loss.len(),
            });
        }
        if loss.is_empty() {
            return Err(DataError::Empty);
        }
        for (column, values) in [("N", &n), ("D", &d), ("loss", &loss)] {
            for (i, &value) in values.iter().enumerate() {
                if !value.is_finite() {
                    return Err(DataError::NonFinite {
                        row: i + 1,
                        column: column.to_string(),
                        value,
                    });
                }
                if value <= 0.0 {
                    return Err(DataError::NonPositive {
                        row: i + 1,
                        column: column.to_string(),
                        value,
                        law: "Chinchilla".to_string(),
                    });
                }
            }
        }
        let logs = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<_>>();
        Ok(Self {
            log_n: logs(&n),
            log_d: logs(&d),
            log_loss: logs(&loss),
            n,
            d,
            loss,
        })
    }

    /// Builds from observations with two scale parameters, N then D.
    pub fn from_observations(data: &Observations) -> Result<Self, NeuralError> {
        if data.dims() != 2 {
            return Err(NeuralError::InvalidOption(format!(
                "the Chinchilla law needs two scale parameters (N and D), but the data has {}",
                data.dims()
            )));
        }
        Ok(Self::new(
            data.column(0),
            data.column(1),
            data.y().to_vec(),
        )?)
    }

    pub fn len(&self) -> usize {
        self.loss.len()
    }

    pub fn is_empty(&self) -> bool {
        self.loss.is_empty()
    }

    pub fn n(&self) -> &[f64] {
        &self.n
    }

    pub fn d(&self) -> &[f64] {
        &self.d
    }

    pub fn loss(&self) -> &[f64] {
        &self.loss
    }

    pub fn log_n(&self) -> &[f64] {
        &self.log_n
    }

    pub fn log_d(&self) -> &[f64] {
        &self.log_d
    }

    pub fn log_loss(&self) -> &[f64] {
        &self.log_loss
    }

    /// Returns the rows at the given indices (repeats allowed, as in a bootstrap).
    pub fn select_rows(&self, rows: &[usize]) -> Self {
        let pick = |v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<_>>();
        Self {
            n: pick(&self.n),
            d: pick(&self.d),
            loss: pick(&self.loss),
            log_n: pick(&self.log_n),
            log_d: pick(&self.log_d),
            log_loss: pick(&self.log_loss),
        }
    }

    /// Training compute 6·N·D of each run, in FLOP.
    pub fn compute(&self) -> Vec<f64> {
        self.n
            .iter()
            .zip(&self.d)
            .map(|(n, d)| 6.0 * n * d)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_data_rejects_zero_tokens_with_row() {
        let err = LossData::new(vec![1e8, 2e8], vec![1e9, 0.0], vec![3.0, 2.9]).unwrap_err();
        assert!(matches!(
            err,
            DataError::NonPositive { row: 2, ref column, .. } if column == "D"
        ));
    }

    #[test]
    fn loss_data_rejects_negative_loss() {
        let err = LossData::new(vec![1e8], vec![1e9], vec![-1.0]).unwrap_err();
        assert!(matches!(err, DataError::NonPositive { row: 1, .. }));
        assert!(err.to_string().contains("loss is -1"));
    }

    #[test]
    fn loss_data_rejects_length_mismatch() {
        let err = LossData::new(vec![1e8], vec![1e9, 2e9], vec![3.0, 2.9]).unwrap_err();
        assert!(matches!(err, DataError::LengthMismatch { .. }));
    }
}
