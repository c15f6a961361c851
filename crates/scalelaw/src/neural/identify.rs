//! Identifiability checks of a Chinchilla fit: flat directions of the objective,
//! strongly correlated parameters, estimates on the edge of the search, and bootstrap
//! spreads too wide for a confident allocation.
//!
//! The checks work in centred parameters (e, a_c, b_c, α, β) with
//! a_c = a − α·mean(log N) and b_c = b − β·mean(log D): the log size of each term at
//! the data's geometric-mean N and D. In the raw log form a and α are almost perfectly
//! correlated for any data far from N = 1, an artefact of the parametrisation. After
//! centring, a strong correlation means the data cannot tell the parameters apart.

use nalgebra::{SMatrix, SymmetricEigen};
use serde::{Deserialize, Serialize};

use super::allocation::allocate;
use super::chinchilla::PointEstimate;
use super::huber::{self, Theta};
use super::LossData;
use crate::laws::Chinchilla;
use crate::stats::{self, format_sig};

/// Names of the centred parameters, in order.
pub const CENTRED_NAMES: [&str; 5] = ["log E", "log A_c", "log B_c", "alpha", "beta"];

/// Smallest ratio of the least to the largest eigenvalue of the unit-diagonal Hessian
/// below which the objective counts as flat along the least eigenvector: moving 300
/// times (√10⁵) further along it than along the stiffest direction costs the same.
pub const MIN_EIGENVALUE_RATIO: f64 = 1e-5;

/// Absolute bootstrap correlation above which two parameters count as not separable.
pub const MAX_CORRELATION: f64 = 0.99;

/// Width of the 95% bootstrap interval of the allocation exponent a = β/(α+β) above
/// which the allocation counts as undetermined. a lies in (0, 1), and published
/// estimates differ by about 0.1 (0.46 to 0.51 in Hoffmann et al. 2022 and Besiroglu et
/// al. 2024), so an interval wider than 0.25 cannot choose between them.
pub const MAX_ALLOCATION_EXPONENT_WIDTH: f64 = 0.25;

/// Multiple of the data's largest training compute at which the spread of the
/// compute-optimal tokens per parameter is checked. Planning usually extrapolates about
/// two orders of magnitude (Chinchilla's 5.88e23 FLOP is 45 times the largest run in
/// Hoffmann et al.'s Figure 4).
pub const PLANNING_COMPUTE_FACTOR: f64 = 100.0;

/// Ratio of the upper to the lower end of the 95% bootstrap interval of tokens per
/// parameter above which the allocation counts as undetermined.
pub const MAX_TOKENS_PER_PARAMETER_SPREAD: f64 = 10.0;

/// Two parameters whose bootstrap estimates move together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelatedPair {
    pub first: String,
    pub second: String,
    pub correlation: f64,
}

/// The outcome of the identifiability checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identifiability {
    /// Eigenvalues of the Hessian in centred parameters scaled to unit diagonal,
    /// ascending.
    pub hessian_eigenvalues: Vec<f64>,
    /// Smallest over largest eigenvalue, or `None` when the Hessian has a non-positive
    /// diagonal.
    pub eigenvalue_ratio: Option<f64>,
    /// Parameter pairs whose bootstrap correlation exceeds [`MAX_CORRELATION`].
    pub correlated_pairs: Vec<CorrelatedPair>,
    /// Width of the bootstrap interval (at 95%) of the allocation exponent a.
    pub allocation_exponent_width: Option<f64>,
    /// Compute at which the allocation spread is checked, FLOP.
    pub planning_compute: f64,
    /// Upper over lower end of the 95% bootstrap interval of tokens per parameter at
    /// `planning_compute`.
    pub tokens_per_parameter_spread: Option<f64>,
    /// Whether every check passed.
    pub identifiable: bool,
    /// One warning per failed check, with its numbers.
    pub warnings: Vec<String>,
}

/// Runs every check on a point estimate and its bootstrap resamples.
pub fn check(
    data: &LossData,
    estimate: &PointEstimate,
    resamples: &[[f64; 5]],
    delta: f64,
) -> Identifiability {
    let mean_log_n = data.log_n().iter().sum::<f64>() / data.len() as f64;
    let mean_log_d = data.log_d().iter().sum::<f64>() / data.len() as f64;
    let mut warnings = Vec::new();

    // Hessian in centred parameters: θ = Tθ_c with a = a_c + α·mean(log N), likewise b.
    let theta = estimate.log_form();
    let (_, _, hessian) = huber::objective_hessian(data, &theta, delta);
    let mut transform = SMatrix::<f64, 5, 5>::identity();
    transform[(1, 3)] = mean_log_n;
    transform[(2, 4)] = mean_log_d;
    let centred = transform.transpose() * hessian * transform;
    let diagonal: Vec<f64> = (0..5).map(|k| centred[(k, k)]).collect();
    let (hessian_eigenvalues, eigenvalue_ratio) = if diagonal.iter().all(|d| *d > 0.0) {
        let scaled = SMatrix::<f64, 5, 5>::from_fn(|i, j| {
            centred[(i, j)] / (diagonal[i] * diagonal[j]).sqrt()
        });
        let eigen = SymmetricEigen::new(scaled);
        let mut order: Vec<usize> = (0..5).collect();
        order.sort_by(|&x, &y| eigen.eigenvalues[x].total_cmp(&eigen.eigenvalues[y]));
        let values: Vec<f64> = order.iter().map(|&k| eigen.eigenvalues[k]).collect();
        let ratio = values[0] / values[4];
        if ratio < MIN_EIGENVALUE_RATIO {
            let direction = eigen.eigenvectors.column(order[0]);
            let mut parts: Vec<(usize, f64)> = (0..5).map(|k| (k, direction[k])).collect();
            parts.sort_by(|x, y| y.1.abs().total_cmp(&x.1.abs()));
            let described: Vec<String> = parts
                .iter()
                .take(2)
                .map(|(k, w)| format!("{} ({})", CENTRED_NAMES[*k], format_sig(*w, 2)))
                .collect();
            warnings.push(format!(
                "the objective is nearly flat along one direction (least over largest \
                 Hessian eigenvalue {}, below {MIN_EIGENVALUE_RATIO}), mostly {}: the data \
                 cannot fix these parameters separately; add runs that vary N and D over a \
                 wider range",
                format_sig(ratio, 2),
                described.join(" and ")
            ));
        }
        (values, Some(ratio))
    } else {
        warnings.push(
            "the Hessian of the objective has a non-positive diagonal entry at the estimate, \
             so some parameter does not change the fit at all; add runs that vary N and D \
             over a wider range"
                .to_string(),
        );
        (Vec::new(), None)
    };

    let mut correlated_pairs = Vec::new();
    let mut allocation_exponent_width = None;
    if resamples.len() >= 10 {
        let centred_samples: Vec<[f64; 5]> = resamples
            .iter()
            .map(|p| {
                let t: Theta = huber::to_log_form(p);
                [
                    t[0],
                    t[1] - t[3] * mean_log_n,
                    t[2] - t[4] * mean_log_d,
                    t[3],
                    t[4],
                ]
            })
            .collect();
        for (i, first) in CENTRED_NAMES.iter().enumerate() {
            for (j, second) in CENTRED_NAMES.iter().enumerate().skip(i + 1) {
                let correlation = correlation(&centred_samples, i, j);
                if correlation.abs() > MAX_CORRELATION {
                    correlated_pairs.push(CorrelatedPair {
                        first: first.to_string(),
                        second: second.to_string(),
                        correlation,
                    });
                }
            }
        }
        for pair in &correlated_pairs {
            warnings.push(format!(
                "{} and {} have bootstrap correlation {} (beyond ±{MAX_CORRELATION}): the \
                 data fix only a combination of the two, so their separate intervals \
                 overstate what is known",
                pair.first,
                pair.second,
                format_sig(pair.correlation, 4)
            ));
        }

        let mut exponents: Vec<f64> = resamples
            .iter()
            .filter_map(|p| Chinchilla::allocation_law(p).map(|law| law.a))
            .collect();
        if let Some((low, high)) = stats::percentile_interval(&mut exponents, 0.95) {
            let width = high - low;
            allocation_exponent_width = Some(width);
            if width > MAX_ALLOCATION_EXPONENT_WIDTH {
                warnings.push(format!(
                    "the compute-optimal exponent a = beta/(alpha+beta) has a 95% bootstrap \
                     interval of {} to {} (width {}, above {MAX_ALLOCATION_EXPONENT_WIDTH}): \
                     these data do not determine how to split compute between parameters \
                     and tokens, so do not plan with this fit",
                    format_sig(low, 3),
                    format_sig(high, 3),
                    format_sig(width, 2)
                ));
            }
        }
    }

    let planning_compute =
        PLANNING_COMPUTE_FACTOR * data.compute().iter().copied().fold(0.0, f64::max);
    let mut ratios: Vec<f64> = resamples
        .iter()
        .filter_map(|p| allocate(p, planning_compute).ok())
        .map(|a| a.tokens_per_parameter)
        .filter(|r| r.is_finite() && *r > 0.0)
        .collect();
    let mut tokens_per_parameter_spread = None;
    if ratios.len() >= 10 {
        if let Some((low, high)) = stats::percentile_interval(&mut ratios, 0.95) {
            let spread = high / low;
            tokens_per_parameter_spread = Some(spread);
            if spread > MAX_TOKENS_PER_PARAMETER_SPREAD {
                warnings.push(format!(
                    "at {} FLOP ({PLANNING_COMPUTE_FACTOR} times the largest run) the \
                     compute-optimal tokens per parameter has a 95% bootstrap interval of {} \
                     to {}, a factor of {} (above {MAX_TOKENS_PER_PARAMETER_SPREAD}): the \
                     allocation is not determined by these data, so do not plan with this fit",
                    format_sig(planning_compute, 3),
                    format_sig(low, 3),
                    format_sig(high, 3),
                    format_sig(spread, 3)
                ));
            }
        }
    }

    for name in &estimate.at_search_edge {
        warnings.push(format!(
            "{name} ended at the edge of its search range; the optimum may lie beyond it, so \
             widen the range or treat the estimate as unreliable"
        ));
    }
    let min_loss = data.loss().iter().copied().fold(f64::INFINITY, f64::min);
    if estimate.params[0] < 1e-3 * min_loss {
        warnings.push(format!(
            "the irreducible loss E = {} is indistinguishable from zero at these data, so the \
             fit cannot separate it from the power-law terms",
            format_sig(estimate.params[0], 3)
        ));
    }

    Identifiability {
        hessian_eigenvalues,
        eigenvalue_ratio,
        correlated_pairs,
        allocation_exponent_width,
        planning_compute,
        tokens_per_parameter_spread,
        identifiable: warnings.is_empty(),
        warnings,
    }
}

/// Pearson correlation of columns `i` and `j`; 0 when either has no spread.
fn correlation(samples: &[[f64; 5]], i: usize, j: usize) -> f64 {
    let n = samples.len() as f64;
    let mean_i = samples.iter().map(|s| s[i]).sum::<f64>() / n;
    let mean_j = samples.iter().map(|s| s[j]).sum::<f64>() / n;
    let (mut sii, mut sjj, mut sij) = (0.0, 0.0, 0.0);
    for s in samples {
        let (di, dj) = (s[i] - mean_i, s[j] - mean_j);
        sii += di * di;
        sjj += dj * dj;
        sij += di * dj;
    }
    if sii > 0.0 && sjj > 0.0 {
        sij / (sii * sjj).sqrt()
    } else {
        0.0
    }
}
