//! IsoFLOP profiles: approach 2 of Hoffmann et al. 2022 (arXiv:2203.15556, §3.2).
//!
//! Runs are grouped by training compute. Within each budget, loss is fitted by a
//! parabola in log N and its minimum gives that budget's N_opt. A least-squares line
//! through (log C, log N_opt) then gives N_opt ∝ C^a, and D_opt = C/(6·N_opt) ∝ C^(1−a).
//! Hoffmann et al. report a = 0.49 (0.462–0.534) by this approach.

use serde::{Deserialize, Serialize};

use super::allocation::allocate;
use super::chinchilla::ChinchillaFit;
use super::NeuralError;
use crate::data::DataError;
use crate::laws::Chinchilla;
use crate::stats::{self, format_sig};

/// Settings of the isoFLOP fit.
#[derive(Debug, Clone, PartialEq)]
pub struct IsoFlopOptions {
    /// Runs whose compute lies within this relative distance above the smallest compute
    /// of a budget belong to that budget (0.1 groups 1.00e20 with 1.09e20).
    pub budget_tolerance: f64,
    /// Two-sided confidence level of the exponent's t interval, in (0, 1).
    pub confidence: f64,
}

impl Default for IsoFlopOptions {
    fn default() -> Self {
        Self {
            budget_tolerance: 0.1,
            confidence: 0.95,
        }
    }
}

/// The parabola fit of one compute budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetProfile {
    /// Geometric mean compute of the budget's runs, FLOP.
    pub compute: f64,
    pub runs: usize,
    /// Number of distinct model sizes.
    pub sizes: usize,
    /// N at the parabola's minimum; `None` when the budget has no minimum.
    pub n_opt: Option<f64>,
    /// Loss at the parabola's minimum.
    pub loss_at_n_opt: Option<f64>,
    /// Whether N_opt lies within the budget's range of N.
    pub inside_range: bool,
    /// Whether the budget enters the line fit.
    pub used: bool,
    /// Reason the budget was left out, if it was.
    pub note: Option<String>,
}

/// Approach 2's scaling of the compute-optimal model size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsoFlopFit {
    pub budgets: Vec<BudgetProfile>,
    /// Exponent a of N_opt = k·C^a.
    pub exponent_a: f64,
    /// Standard error of a from the line fit; `None` with only two budgets.
    pub exponent_a_std_error: Option<f64>,
    /// t interval of a with (budgets − 2) degrees of freedom.
    pub exponent_a_interval: Option<(f64, f64)>,
    /// Coefficient k of N_opt = k·C^a.
    pub coefficient: f64,
    pub confidence: f64,
    pub warnings: Vec<String>,
}

impl IsoFlopFit {
    /// Compute-optimal N at `compute` FLOP by the fitted line.
    pub fn n_opt(&self, compute: f64) -> f64 {
        self.coefficient * compute.powf(self.exponent_a)
    }
}

/// How far approaches 2 and 3 disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApproachComparison {
    pub compute: f64,
    /// a = β/(α+β) of the Chinchilla fit (approach 3) and its bootstrap interval.
    pub approach3_a: f64,
    pub approach3_a_interval: Option<(f64, f64)>,
    /// a of the isoFLOP fit (approach 2) and its t interval.
    pub approach2_a: f64,
    pub approach2_a_interval: Option<(f64, f64)>,
    /// approach2_a − approach3_a.
    pub difference: f64,
    /// Whether the two intervals overlap; `None` when either is missing.
    pub intervals_overlap: Option<bool>,
    /// N_opt at `compute` by each approach.
    pub approach3_n_opt: f64,
    pub approach2_n_opt: f64,
}

/// Fits approach 2 to runs of `n` parameters, `compute` FLOP and final `loss`.
pub fn fit_isoflop(
    n: &[f64],
    compute: &[f64],
    loss: &[f64],
    options: &IsoFlopOptions,
) -> Result<IsoFlopFit, NeuralError> {
    if n.len() != loss.len() || compute.len() != loss.len() {
        return Err(DataError::LengthMismatch {
            x: n.len().min(compute.len()),
            y: loss.len(),
        }
        .into());
    }
    if loss.is_empty() {
        return Err(DataError::Empty.into());
    }
    for (column, values) in [("N", n), ("C", compute), ("loss", loss)] {
        if let Some(row) = values.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(DataError::NonPositive {
                row: row + 1,
                column: column.to_string(),
                value: values[row],
                law: "isoFLOP".to_string(),
            }
            .into());
        }
    }
    if !(options.budget_tolerance >= 0.0 && options.budget_tolerance.is_finite()) {
        return Err(NeuralError::InvalidOption(format!(
            "the budget tolerance must be a relative distance of zero or more, got {}",
            options.budget_tolerance
        )));
    }
    if !(options.confidence > 0.0 && options.confidence < 1.0) {
        return Err(NeuralError::InvalidOption(format!(
            "confidence level must lie strictly between 0 and 1, got {}",
            options.confidence
        )));
    }

    let mut order: Vec<usize> = (0..loss.len()).collect();
    order.sort_by(|&i, &j| compute[i].total_cmp(&compute[j]));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_start = f64::NAN;
    for &i in &order {
        if groups.is_empty() || compute[i] > group_start * (1.0 + options.budget_tolerance) {
            groups.push(Vec::new());
            group_start = compute[i];
        }
        groups.last_mut().expect("a group was just pushed").push(i);
    }

    let budgets: Vec<BudgetProfile> = groups
        .iter()
        .map(|rows| profile_budget(rows, n, compute, loss))
        .collect();
    let used: Vec<&BudgetProfile> = budgets.iter().filter(|b| b.used).collect();
    if used.len() < 2 {
        return Err(NeuralError::TooFewBudgets {
            budgets: budgets.len(),
            usable: used.len(),
        });
    }

    let u: Vec<f64> = used.iter().map(|b| b.compute.ln()).collect();
    let v: Vec<f64> = used
        .iter()
        .map(|b| b.n_opt.expect("used budgets have a minimum").ln())
        .collect();
    let m = u.len() as f64;
    let mean_u = u.iter().sum::<f64>() / m;
    let mean_v = v.iter().sum::<f64>() / m;
    let suu: f64 = u.iter().map(|x| (x - mean_u).powi(2)).sum();
    let suv: f64 = u
        .iter()
        .zip(&v)
        .map(|(x, y)| (x - mean_u) * (y - mean_v))
        .sum();
    let slope = suv / suu;
    let intercept = mean_v - slope * mean_u;
    let dof = used.len() - 2;
    let (std_error, interval) = if dof > 0 {
        let rss: f64 = u
            .iter()
            .zip(&v)
            .map(|(x, y)| (y - intercept - slope * x).powi(2))
            .sum();
        let se = (rss / dof as f64 / suu).sqrt();
        let q = stats::t_quantile(0.5 + options.confidence / 2.0, dof as f64);
        (Some(se), Some((slope - q * se, slope + q * se)))
    } else {
        (None, None)
    };

    let mut warnings = Vec::new();
    if dof == 0 {
        warnings.push(
            "only two budgets have a minimum, so the line through them has no uncertainty \
             estimate; add runs at more compute budgets"
                .to_string(),
        );
    }
    for budget in budgets.iter().filter(|b| b.used && !b.inside_range) {
        warnings.push(format!(
            "the budget at {} FLOP has its minimum outside its range of model sizes, so its \
             N_opt is extrapolated; add runs at sizes around {}",
            format_sig(budget.compute, 3),
            format_sig(budget.n_opt.unwrap_or(f64::NAN), 3)
        ));
    }
    let left_out = budgets.iter().filter(|b| !b.used).count();
    if left_out > 0 {
        warnings.push(format!(
            "{left_out} of {} budgets were left out (fewer than three model sizes, or no \
             minimum); see each budget's note",
            budgets.len()
        ));
    }

    Ok(IsoFlopFit {
        budgets,
        exponent_a: slope,
        exponent_a_std_error: std_error,
        exponent_a_interval: interval,
        coefficient: intercept.exp(),
        confidence: options.confidence,
        warnings,
    })
}

/// Fits loss = p₀ + p₁·u + p₂·u² with u = log N centred on the budget's mean.
fn profile_budget(rows: &[usize], n: &[f64], compute: &[f64], loss: &[f64]) -> BudgetProfile {
    let log_compute = rows.iter().map(|&i| compute[i].ln()).sum::<f64>() / rows.len() as f64;
    let mut sizes: Vec<f64> = rows.iter().map(|&i| n[i]).collect();
    sizes.sort_by(f64::total_cmp);
    sizes.dedup();
    let mut profile = BudgetProfile {
        compute: log_compute.exp(),
        runs: rows.len(),
        sizes: sizes.len(),
        n_opt: None,
        loss_at_n_opt: None,
        inside_range: false,
        used: false,
        note: None,
    };

    if sizes.len() < 3 {
        profile.note = Some(format!(
            "{} model size(s); a parabola needs at least 3",
            sizes.len()
        ));
        return profile;
    }

    let centre = rows.iter().map(|&i| n[i].ln()).sum::<f64>() / rows.len() as f64;
    let mut gram = nalgebra::Matrix3::<f64>::zeros();
    let mut rhs = nalgebra::Vector3::<f64>::zeros();
    for &i in rows {
        let u = n[i].ln() - centre;
        let basis = nalgebra::Vector3::new(1.0, u, u * u);
        gram += basis * basis.transpose();
        rhs += basis * loss[i];
    }
    let Some(p) = gram.lu().solve(&rhs) else {
        profile.note = Some("the parabola's normal equations are singular".to_string());
        return profile;
    };
    if p[2].is_nan() || p[2] <= 0.0 {
        profile.note = Some(
            "loss does not curve upward in log N within this budget, so it has no minimum"
                .to_string(),
        );
        return profile;
    }

    let u_min = -p[1] / (2.0 * p[2]);
    let n_opt = (centre + u_min).exp();
    profile.n_opt = Some(n_opt);
    profile.loss_at_n_opt = Some(p[0] + p[1] * u_min + p[2] * u_min * u_min);
    profile.inside_range = n_opt >= sizes[0] && n_opt <= sizes[sizes.len() - 1];
    profile.used = true;
    profile
}

/// Compares the allocation exponent and N_opt at `compute` of both approaches.
pub fn compare(
    fit: &ChinchillaFit,
    isoflop: &IsoFlopFit,
    compute: f64,
) -> Result<ApproachComparison, NeuralError> {
    let law = Chinchilla::allocation_law(&fit.theta()).ok_or_else(|| {
        NeuralError::NoAllocation("the Chinchilla fit has a non-positive parameter".to_string())
    })?;
    let approach3 = allocate(&fit.theta(), compute)?;
    let approach3_a_interval = fit.derived("a").and_then(|d| d.bootstrap_interval);
    let intervals_overlap = match (approach3_a_interval, isoflop.exponent_a_interval) {
        (Some((l3, h3)), Some((l2, h2))) => Some(l3 <= h2 && l2 <= h3),
        _ => None,
    };
    Ok(ApproachComparison {
        compute,
        approach3_a: law.a,
        approach3_a_interval,
        approach2_a: isoflop.exponent_a,
        approach2_a_interval: isoflop.exponent_a_interval,
        difference: isoflop.exponent_a - law.a,
        intervals_overlap,
        approach3_n_opt: approach3.n_opt,
        approach2_n_opt: isoflop.n_opt(compute),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs at 9 sizes around the optimum of each budget, loss from the law exactly.
    fn synthetic(theta: &[f64; 5], budgets: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let (mut n, mut c, mut loss) = (Vec::new(), Vec::new(), Vec::new());
        for &budget in budgets {
            let centre = allocate(theta, budget).unwrap().n_opt;
            for k in -4..=4 {
                let size = centre * 1.5f64.powi(k);
                n.push(size);
                c.push(budget);
                loss.push(Chinchilla::loss(theta, size, budget / (6.0 * size)));
            }
        }
        (n, c, loss)
    }

    #[test]
    fn isoflop_recovers_allocation_exponent() {
        // Besiroglu et al. 2024 parameters: a = β/(α+β) = 0.5126.
        let theta = [1.8172, 482.01, 2085.43, 0.3478, 0.3658];
        let budgets = [6e18, 1e19, 3e19, 6e19, 1e20, 3e20, 6e20, 1e21, 3e21];
        let (n, c, loss) = synthetic(&theta, &budgets);
        let fit = fit_isoflop(&n, &c, &loss, &IsoFlopOptions::default()).unwrap();
        assert_eq!(fit.budgets.len(), 9);
        assert!(
            (fit.exponent_a - 0.5126).abs() < 0.005,
            "a = {}",
            fit.exponent_a
        );
        let n_opt = allocate(&theta, 1e20).unwrap().n_opt;
        assert!((fit.n_opt(1e20) / n_opt - 1.0).abs() < 0.05);
    }

    #[test]
    fn isoflop_rejects_single_budget() {
        let theta = [1.8172, 482.01, 2085.43, 0.3478, 0.3658];
        let (n, c, loss) = synthetic(&theta, &[1e20]);
        let err = fit_isoflop(&n, &c, &loss, &IsoFlopOptions::default()).unwrap_err();
        assert!(matches!(
            err,
            NeuralError::TooFewBudgets {
                budgets: 1,
                usable: 1
            }
        ));
    }

    #[test]
    fn isoflop_groups_budgets_within_tolerance() {
        let theta = [1.8172, 482.01, 2085.43, 0.3478, 0.3658];
        let (n, mut c, loss) = synthetic(&theta, &[1e19, 1e20]);
        // Jitter the compute by up to 5%: the two budgets must stay two.
        for (i, value) in c.iter_mut().enumerate() {
            *value *= 1.0 + 0.05 * (i % 3) as f64 / 2.0;
        }
        let fit = fit_isoflop(&n, &c, &loss, &IsoFlopOptions::default()).unwrap();
        assert_eq!(fit.budgets.len(), 2);
    }

    #[test]
    fn isoflop_rejects_zero_compute() {
        let err = fit_isoflop(&[1e8], &[0.0], &[3.0], &IsoFlopOptions::default()).unwrap_err();
        assert!(err.to_string().contains("C is 0"), "{err}");
    }
}
