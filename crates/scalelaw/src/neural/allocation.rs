//! Compute-optimal allocation of a Chinchilla fit, and the least compute that reaches
//! a target loss.
//!
//! With training compute C = 6ND, minimising E + A/N^α + B/D^β gives
//! N_opt = G·(C/6)^a and D_opt = G⁻¹·(C/6)^b with a = β/(α+β), b = α/(α+β) and
//! G = (αA/(βB))^(1/(α+β)) (Hoffmann et al. 2022, eq. 4). Both terms then shrink as
//! (C/6)^(−αβ/(α+β)), so the optimal loss is
//! L_opt(C) = E + (A·G^−α + B·G^β)·(C/6)^(−αβ/(α+β)), and the least compute for a target
//! loss L > E inverts it in closed form.

use serde::{Deserialize, Serialize};

use super::chinchilla::ChinchillaFit;
use super::NeuralError;
use crate::laws::Chinchilla;
use crate::stats;

/// The compute-optimal model size and data for one compute budget.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    /// Training compute, FLOP.
    pub compute: f64,
    /// Compute-optimal number of parameters.
    pub n_opt: f64,
    /// Compute-optimal number of training tokens.
    pub d_opt: f64,
    /// D_opt / N_opt.
    pub tokens_per_parameter: f64,
    /// Predicted loss at (N_opt, D_opt).
    pub loss: f64,
}

/// An allocation with percentile bootstrap intervals of each quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationEstimate {
    pub allocation: Allocation,
    pub n_opt_interval: Option<(f64, f64)>,
    pub d_opt_interval: Option<(f64, f64)>,
    pub tokens_per_parameter_interval: Option<(f64, f64)>,
    pub loss_interval: Option<(f64, f64)>,
    /// Resamples where the allocation exists (every exponent and coefficient above zero).
    pub resamples_used: usize,
    pub confidence: f64,
}

/// Minimum compute that reaches a target loss, with its allocation and intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LossTargetEstimate {
    pub target_loss: f64,
    /// Allocation at the least compute; its `loss` equals the target.
    pub allocation: Allocation,
    pub compute_interval: Option<(f64, f64)>,
    pub n_opt_interval: Option<(f64, f64)>,
    pub d_opt_interval: Option<(f64, f64)>,
    /// Share of resamples whose fitted E lies below the target, so the target is
    /// reachable in them; intervals use only those.
    pub reachable_share: Option<f64>,
    pub confidence: f64,
}

/// Computes the compute-optimal allocation of `compute` FLOP under parameters
/// (E, A, B, α, β).
pub fn allocate(theta: &[f64; 5], compute: f64) -> Result<Allocation, NeuralError> {
    check_compute(compute)?;
    let law = Chinchilla::allocation_law(theta).ok_or_else(|| {
        NeuralError::NoAllocation(format!(
            "A, B, alpha and beta must all be above zero, got A = {}, B = {}, alpha = {}, \
             beta = {}",
            theta[1], theta[2], theta[3], theta[4]
        ))
    })?;
    let base = compute / 6.0;
    let n_opt = law.g * base.powf(law.a);
    let d_opt = base.powf(law.b) / law.g;
    Ok(Allocation {
        compute,
        n_opt,
        d_opt,
        tokens_per_parameter: d_opt / n_opt,
        loss: Chinchilla::loss(theta, n_opt, d_opt),
    })
}

/// Finds the minimum compute whose optimal allocation reaches `target` loss.
pub fn compute_for_loss(theta: &[f64; 5], target: f64) -> Result<Allocation, NeuralError> {
    if !(target.is_finite() && target > 0.0) {
        return Err(NeuralError::InvalidOption(format!(
            "the target loss must be a number above zero, got {target}"
        )));
    }
    let irreducible = theta[0];
    if target <= irreducible {
        return Err(NeuralError::TargetBelowIrreducible {
            target,
            irreducible,
        });
    }
    let law = Chinchilla::allocation_law(theta).ok_or_else(|| {
        NeuralError::NoAllocation("A, B, alpha and beta must all be above zero".to_string())
    })?;
    let (big_a, big_b, alpha, beta) = (theta[1], theta[2], theta[3], theta[4]);
    let coefficient = big_a * law.g.powf(-alpha) + big_b * law.g.powf(beta);
    let exponent = alpha * beta / (alpha + beta);
    let compute = 6.0 * ((target - irreducible) / coefficient).powf(-1.0 / exponent);
    if !(compute.is_finite() && compute > 0.0) {
        return Err(NeuralError::NoAllocation(format!(
            "the compute reaching loss {target} is not a finite number ({compute}); the \
             target is too close to E = {irreducible}"
        )));
    }
    let mut allocation = allocate(theta, compute)?;
    allocation.loss = target;
    Ok(allocation)
}

/// Computes the allocation of `compute` FLOP under a fit, with bootstrap intervals.
pub fn allocate_with_uncertainty(
    fit: &ChinchillaFit,
    compute: f64,
) -> Result<AllocationEstimate, NeuralError> {
    let allocation = allocate(&fit.theta(), compute)?;
    let samples: Vec<Allocation> = fit
        .bootstrap_params
        .iter()
        .filter_map(|theta| allocate(theta, compute).ok())
        .collect();
    let interval = |pick: fn(&Allocation) -> f64| {
        let mut values: Vec<f64> = samples.iter().map(pick).filter(|v| v.is_finite()).collect();
        stats::percentile_interval(&mut values, fit.confidence)
    };
    Ok(AllocationEstimate {
        allocation,
        n_opt_interval: interval(|a| a.n_opt),
        d_opt_interval: interval(|a| a.d_opt),
        tokens_per_parameter_interval: interval(|a| a.tokens_per_parameter),
        loss_interval: interval(|a| a.loss),
        resamples_used: samples.len(),
        confidence: fit.confidence,
    })
}

/// Finds the minimum compute reaching `target` loss under a fit, with bootstrap
/// intervals.
pub fn plan_for_loss(fit: &ChinchillaFit, target: f64) -> Result<LossTargetEstimate, NeuralError> {
    let allocation = compute_for_loss(&fit.theta(), target)?;
    let samples: Vec<Allocation> = fit
        .bootstrap_params
        .iter()
        .filter_map(|theta| compute_for_loss(theta, target).ok())
        .collect();
    let interval = |pick: fn(&Allocation) -> f64| {
        let mut values: Vec<f64> = samples.iter().map(pick).collect();
        stats::percentile_interval(&mut values, fit.confidence)
    };
    Ok(LossTargetEstimate {
        target_loss: target,
        allocation,
        compute_interval: interval(|a| a.compute),
        n_opt_interval: interval(|a| a.n_opt),
        d_opt_interval: interval(|a| a.d_opt),
        reachable_share: (!fit.bootstrap_params.is_empty())
            .then(|| samples.len() as f64 / fit.bootstrap_params.len() as f64),
        confidence: fit.confidence,
    })
}

fn check_compute(compute: f64) -> Result<(), NeuralError> {
    if compute.is_finite() && compute > 0.0 {
        Ok(())
    } else {
        Err(NeuralError::InvalidOption(format!(
            "the compute budget must be a number of FLOP above zero, got {compute}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BESIROGLU: [f64; 5] = [1.8172, 482.01, 2085.43, 0.3478, 0.3658];

    #[test]
    fn allocate_matches_hand_computation() {
        // Besiroglu et al. 2024 estimates at C = 5.88e23 (70B parameters × 1.4T tokens):
        // a = 0.3658/0.7136 = 0.51261, G = 0.11961, so N_opt = G·(9.8e22)^a ≈ 7.30e10
        // and D_opt ≈ 1.34e12, 18.4 tokens per parameter.
        let allocation = allocate(&BESIROGLU, 5.88e23).unwrap();
        assert!(
            (allocation.n_opt / 7.30e10 - 1.0).abs() < 0.01,
            "{allocation:?}"
        );
        assert!(
            (allocation.d_opt / 1.34e12 - 1.0).abs() < 0.01,
            "{allocation:?}"
        );
        assert!((allocation.tokens_per_parameter - 18.4).abs() < 0.1);
        assert!((6.0 * allocation.n_opt * allocation.d_opt / 5.88e23 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn allocate_is_the_minimum_on_the_compute_curve() {
        let compute = 1e22;
        let best = allocate(&BESIROGLU, compute).unwrap();
        for factor in [0.8, 0.95, 1.05, 1.25] {
            let n = best.n_opt * factor;
            let d = compute / (6.0 * n);
            assert!(Chinchilla::loss(&BESIROGLU, n, d) > best.loss);
        }
    }

    #[test]
    fn compute_for_loss_inverts_allocate() {
        let allocation = allocate(&BESIROGLU, 3e21).unwrap();
        let back = compute_for_loss(&BESIROGLU, allocation.loss).unwrap();
        assert!((back.compute / 3e21 - 1.0).abs() < 1e-9);
        assert!((back.n_opt / allocation.n_opt - 1.0).abs() < 1e-9);
    }

    #[test]
    fn compute_for_loss_rejects_target_below_e() {
        let err = compute_for_loss(&BESIROGLU, 1.8).unwrap_err();
        assert!(matches!(err, NeuralError::TargetBelowIrreducible { .. }));
        assert!(err.to_string().contains("1.8172"));
        let err = compute_for_loss(&BESIROGLU, 1.8172).unwrap_err();
        assert!(matches!(err, NeuralError::TargetBelowIrreducible { .. }));
    }

    #[test]
    fn allocate_rejects_non_positive_compute() {
        assert!(allocate(&BESIROGLU, 0.0).is_err());
        assert!(allocate(&BESIROGLU, f64::NAN).is_err());
    }
}
