//! Damped Newton's method for small smooth problems with an analytic Hessian.
//!
//! Algorithm: Levenberg-damped Newton steps (H + μ·diag(|H|))s = −g (Nocedal &
//! Wright, *Numerical Optimization*, 2nd ed., 2006, §3.4 and §4.3). A step that lowers
//! the objective is taken and μ shrinks threefold; otherwise μ grows fourfold and the
//! step is tried again. A Hessian that is not positive definite even with damping is
//! regularised in the same way, so the method works away from the minimum too.
//!
//! Stopping rules (defaults in [`Settings`]): the largest gradient component, scaled by
//! the square root of its Hessian diagonal, below `gtol`; a taken step that lowers the
//! objective by less than `ftol` relative to its value; μ above 10³⁰ (no step lowers the
//! objective, so the point is a minimum to working precision); or `max_iterations`.

use nalgebra::{SMatrix, SVector};

/// Stopping rules of the solver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub max_iterations: usize,
    pub ftol: f64,
    pub gtol: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_iterations: 200,
            ftol: 1e-15,
            gtol: 1e-13,
        }
    }
}

/// The solver's result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Solution<const P: usize> {
    pub x: SVector<f64, P>,
    pub value: f64,
    pub iterations: usize,
    /// Whether a stopping rule other than the iteration limit ended the search.
    pub converged: bool,
}

/// Minimises a function from `start`. `value` returns the objective alone and
/// `derivatives` the objective, gradient and Hessian.
pub fn minimize<const P: usize>(
    start: SVector<f64, P>,
    value: impl Fn(&SVector<f64, P>) -> f64,
    derivatives: impl Fn(&SVector<f64, P>) -> (f64, SVector<f64, P>, SMatrix<f64, P, P>),
    settings: &Settings,
) -> Solution<P> {
    let mut x = start;
    let (mut f, mut g, mut h) = derivatives(&x);
    let mut mu = 1e-6;
    let mut iterations = 0;
    let mut converged = false;
    if !f.is_finite() {
        return Solution {
            x,
            value: f,
            iterations,
            converged,
        };
    }

    while iterations < settings.max_iterations {
        iterations += 1;
        let scaled_gradient = (0..P)
            .map(|k| g[k].abs() / h[(k, k)].abs().sqrt().max(1e-300))
            .fold(0.0, f64::max);
        if scaled_gradient <= settings.gtol * f.abs().sqrt().max(f64::MIN_POSITIVE) {
            converged = true;
            break;
        }

        let mut system = h;
        for k in 0..P {
            system[(k, k)] += mu * h[(k, k)].abs().max(1e-12);
        }
        let Some(cholesky) = system.cholesky() else {
            mu = (mu * 4.0).max(1e-6);
            if mu > 1e30 {
                converged = true;
                break;
            }
            continue;
        };
        let step = -cholesky.solve(&g);
        let candidate = x + step;
        let new_value = value(&candidate);
        if new_value.is_finite() && new_value < f {
            let decrease = f - new_value;
            x = candidate;
            (f, g, h) = derivatives(&x);
            mu = (mu / 3.0).max(1e-12);
            if decrease <= settings.ftol * f.abs() {
                converged = true;
                break;
            }
        } else {
            mu = (mu * 4.0).max(1e-6);
            if mu > 1e30 {
                converged = true;
                break;
            }
        }
    }

    Solution {
        x,
        value: f,
        iterations,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{Matrix2, Vector2};

    #[test]
    fn minimize_finds_rosenbrock_minimum() {
        // Rosenbrock's function has its minimum 0 at (1, 1).
        let value = |x: &Vector2<f64>| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let derivatives = |x: &Vector2<f64>| {
            let g = Vector2::new(
                -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]),
                200.0 * (x[1] - x[0] * x[0]),
            );
            let h = Matrix2::new(
                2.0 - 400.0 * x[1] + 1200.0 * x[0] * x[0],
                -400.0 * x[0],
                -400.0 * x[0],
                200.0,
            );
            (value(x), g, h)
        };
        let solution = minimize(
            Vector2::new(-1.2, 1.0),
            value,
            derivatives,
            &Settings::default(),
        );
        assert!(solution.converged);
        assert!((solution.x[0] - 1.0).abs() < 1e-6, "x = {}", solution.x);
        assert!((solution.x[1] - 1.0).abs() < 1e-6, "x = {}", solution.x);
    }
}
