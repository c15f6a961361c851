//! Levenberg–Marquardt least squares with optional box bounds.
//!
//! Algorithm: Marquardt's damped Gauss–Newton step (JᵀJ + μ·diag(JᵀJ))δ = Jᵀr with
//! the damping update of Nielsen (1999, "Damping parameter in Marquardt's method",
//! IMM-REP-1999-05): after an accepted step μ ← μ·max(1/3, 1 − (2ρ − 1)³), after a
//! rejected one μ ← μ·ν, ν ← 2ν, where ρ is the ratio of actual to predicted decrease.
//! Bounds are kept by projection. A parameter on a bound whose gradient points outward
//! is held fixed for that step (an active-set rule), so a bounded fit can converge on
//! the bound.
//!
//! Stopping rules (defaults in [`Settings`]): relative decrease of the RSS below
//! `ftol`, relative step below `xtol`, largest free gradient component below `gtol`, or
//! `max_iterations`.
//!
//! The normal equations are accumulated point by point into a fixed-size matrix
//! (nalgebra `SMatrix`), so a fit allocates nothing per iteration. That keeps a
//! 32-point USL fit in the low microseconds.

use nalgebra::{SMatrix, SVector};

use crate::data::Observations;
use crate::law::Law;

/// Largest number of parameters the solver handles.
pub const MAX_PARAMS: usize = 8;

/// Stopping rules of the solver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub max_iterations: usize,
    pub ftol: f64,
    pub xtol: f64,
    pub gtol: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_iterations: 500,
            ftol: 1e-14,
            xtol: 1e-10,
            gtol: 1e-7,
        }
    }
}

/// The solver's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    pub theta: Vec<f64>,
    pub rss: f64,
    pub iterations: usize,
    /// Whether a stopping rule other than the iteration limit ended the search.
    pub converged: bool,
}

/// Minimises the residual sum of squares of `law` on `data` from `start`.
///
/// `bounds` gives a (lower, upper) pair per parameter.
///
/// # Panics
/// When the law has more than [`MAX_PARAMS`] parameters or `start` has the wrong length;
/// both are programming errors, not input errors.
pub fn minimize(
    law: &dyn Law,
    data: &Observations,
    start: &[f64],
    bounds: Option<&[(f64, f64)]>,
    settings: &Settings,
) -> Solution {
    assert_eq!(
        start.len(),
        law.params().len(),
        "start has one value per parameter"
    );
    match start.len() {
        1 => minimize_fixed::<1>(law, data, start, bounds, settings),
        2 => minimize_fixed::<2>(law, data, start, bounds, settings),
        3 => minimize_fixed::<3>(law, data, start, bounds, settings),
        4 => minimize_fixed::<4>(law, data, start, bounds, settings),
        5 => minimize_fixed::<5>(law, data, start, bounds, settings),
        6 => minimize_fixed::<6>(law, data, start, bounds, settings),
        7 => minimize_fixed::<7>(law, data, start, bounds, settings),
        8 => minimize_fixed::<8>(law, data, start, bounds, settings),
        p => panic!("the solver handles at most {MAX_PARAMS} parameters, the law has {p}"),
    }
}

/// JᵀJ at `theta`, row-major, for standard errors.
pub fn normal_matrix(law: &dyn Law, data: &Observations, theta: &[f64]) -> Vec<f64> {
    let p = theta.len();
    let mut grad = vec![0.0; p];
    let mut jtj = vec![0.0; p * p];
    for i in 0..data.len() {
        law.gradient(theta, data.x_row(i), &mut grad);
        for a in 0..p {
            for b in 0..p {
                jtj[a * p + b] += grad[a] * grad[b];
            }
        }
    }
    jtj
}

struct Normal<const P: usize> {
    jtj: SMatrix<f64, P, P>,
    jtr: SVector<f64, P>,
    rss: f64,
}

fn accumulate<const P: usize>(law: &dyn Law, data: &Observations, theta: &[f64; P]) -> Normal<P> {
    // Plain arrays in the hot loop; the symmetric lower half is filled in at the end.
    let mut jtj = [[0.0; P]; P];
    let mut jtr = [0.0; P];
    let mut rss = 0.0;
    let mut grad = [0.0; P];
    let dims = data.dims();
    for (x, &yi) in data.x().chunks_exact(dims).zip(data.y()) {
        let r = yi - law.value_and_gradient(theta, x, &mut grad);
        rss += r * r;
        for a in 0..P {
            jtr[a] += grad[a] * r;
            for b in a..P {
                jtj[a][b] += grad[a] * grad[b];
            }
        }
    }
    Normal {
        jtj: SMatrix::from_fn(|a, b| if a <= b { jtj[a][b] } else { jtj[b][a] }),
        jtr: SVector::from(jtr),
        rss,
    }
}

fn minimize_fixed<const P: usize>(
    law: &dyn Law,
    data: &Observations,
    start: &[f64],
    bounds: Option<&[(f64, f64)]>,
    settings: &Settings,
) -> Solution {
    let mut theta = [0.0; P];
    theta.copy_from_slice(start);
    let clamp = |t: &mut [f64; P]| {
        if let Some(bounds) = bounds {
            for (value, &(lower, upper)) in t.iter_mut().zip(bounds) {
                *value = value.clamp(lower, upper);
            }
        }
    };
    clamp(&mut theta);

    let mut normal = accumulate(law, data, &theta);
    let max_diagonal = (0..P).map(|k| normal.jtj[(k, k)]).fold(0.0, f64::max);
    // Small initial damping: the laws' starting points are close to the optimum.
    let mut mu = 1e-6;
    let mut nu = 2.0;
    let mut converged = false;
    let mut iterations = 0;
    if !normal.rss.is_finite() || max_diagonal == 0.0 {
        return Solution {
            theta: theta.to_vec(),
            rss: normal.rss,
            iterations,
            converged,
        };
    }

    while iterations < settings.max_iterations {
        iterations += 1;

        let mut free = [true; P];
        if let Some(bounds) = bounds {
            for k in 0..P {
                let (lower, upper) = bounds[k];
                if (theta[k] <= lower && normal.jtr[k] < 0.0)
                    || (theta[k] >= upper && normal.jtr[k] > 0.0)
                {
                    free[k] = false;
                }
            }
        }
        let gradient_norm = (0..P)
            .filter(|&k| free[k])
            .map(|k| {
                (normal.jtr[k] * normal.jtr[k].signum()) / normal.jtj[(k, k)].sqrt().max(1e-300)
            })
            .fold(0.0, f64::max);
        if gradient_norm <= settings.gtol * normal.rss.sqrt().max(f64::MIN_POSITIVE) {
            converged = true;
            break;
        }

        let mut system = normal.jtj;
        let mut rhs = normal.jtr;
        for k in 0..P {
            let d = normal.jtj[(k, k)].max(1e-300);
            system[(k, k)] += mu * d;
            if !free[k] {
                for j in 0..P {
                    system[(k, j)] = 0.0;
                    system[(j, k)] = 0.0;
                }
                system[(k, k)] = 1.0;
                rhs[k] = 0.0;
            }
        }
        let Some(cholesky) = system.cholesky() else {
            mu *= nu;
            nu *= 2.0;
            if mu > 1e30 {
                break;
            }
            continue;
        };
        let step = cholesky.solve(&rhs);

        let mut candidate = theta;
        for k in 0..P {
            candidate[k] += step[k];
        }
        clamp(&mut candidate);
        let mut applied_step = SVector::<f64, P>::zeros();
        for k in 0..P {
            applied_step[k] = candidate[k] - theta[k];
        }

        // One pass gives the RSS and, if the step is accepted, the next normal
        // equations, which is cheaper than a separate RSS pass for most steps.
        let candidate_normal = accumulate(law, data, &candidate);
        let new_rss = candidate_normal.rss;
        let predicted =
            2.0 * applied_step.dot(&normal.jtr) - (normal.jtj * applied_step).dot(&applied_step);
        let actual = normal.rss - new_rss;
        let rho = if predicted > 0.0 {
            actual / predicted
        } else {
            -1.0
        };

        if new_rss.is_finite() && actual > 0.0 && rho > 0.0 {
            let old_rss = normal.rss;
            theta = candidate;
            normal = candidate_normal;
            mu *= f64::max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0).powi(3));
            nu = 2.0;

            let theta_norm = theta.iter().map(|v| v * v).sum::<f64>().sqrt();
            let step_norm = applied_step.norm();
            if actual <= settings.ftol * old_rss
                || step_norm <= settings.xtol * (theta_norm + settings.xtol)
                || normal.rss == 0.0
            {
                converged = true;
                break;
            }
        } else {
            mu *= nu;
            nu *= 2.0;
            if mu > 1e30 {
                // No step of any length lowers the RSS: the point is a minimum to
                // working precision.
                converged = true;
                break;
            }
        }
    }

    Solution {
        theta: theta.to_vec(),
        rss: normal.rss,
        iterations,
        converged,
    }
}
