//! Limited-memory BFGS for unconstrained minimisation.
//!
//! Algorithm: the two-loop recursion for the inverse-Hessian product with the initial
//! scaling γ = sᵀy/yᵀy (Nocedal & Wright, *Numerical Optimization*, 2nd ed., 2006,
//! algorithms 7.4 and 7.5), and a backtracking line search that accepts the first step
//! meeting the Armijo condition with c₁ = 10⁻⁴ (ibid., algorithm 3.1). A pair whose
//! curvature sᵀy is not positive is not stored, so the product stays positive
//! definite without the strong Wolfe conditions.
//!
//! Stopping rules (defaults in [`Settings`]): the largest gradient component below
//! `gtol`; the relative decrease (f_k − f_{k+1})/max(|f_k|, |f_{k+1}|, 1) below `ftol`,
//! the rule scipy's L-BFGS-B uses with its `factr`; a line search that finds no
//! decrease; or `max_iterations`.

use nalgebra::SVector;

/// Stopping rules and memory of the solver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Number of correction pairs kept.
    pub memory: usize,
    pub max_iterations: usize,
    pub gtol: f64,
    pub ftol: f64,
}

impl Default for Settings {
    /// scipy 1.x defaults of `minimize(method="L-BFGS-B")`: 10 pairs, 15,000 iterations,
    /// gtol 10⁻⁵, ftol 2.2·10⁻⁹.
    fn default() -> Self {
        Self {
            memory: 10,
            max_iterations: 15_000,
            gtol: 1e-5,
            ftol: 2.220446049250313e-9,
        }
    }
}

/// The solver's result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Solution<const P: usize> {
    pub x: SVector<f64, P>,
    pub value: f64,
    pub iterations: usize,
    /// Number of objective and gradient evaluations.
    pub evaluations: usize,
    /// Whether a stopping rule other than the iteration limit ended the search.
    pub converged: bool,
}

/// Minimises `f` from `start`; `f` returns the objective and its gradient.
pub fn minimize<const P: usize>(
    start: SVector<f64, P>,
    f: impl Fn(&SVector<f64, P>) -> (f64, SVector<f64, P>),
    settings: &Settings,
) -> Solution<P> {
    let memory = settings.memory.max(1);
    let mut s_list: Vec<SVector<f64, P>> = Vec::with_capacity(memory);
    let mut y_list: Vec<SVector<f64, P>> = Vec::with_capacity(memory);
    let mut rho_list: Vec<f64> = Vec::with_capacity(memory);

    let mut x = start;
    let (mut value, mut gradient) = f(&x);
    let mut evaluations = 1;
    let mut iterations = 0;
    let mut converged = false;
    if !value.is_finite() {
        return Solution {
            x,
            value,
            iterations,
            evaluations,
            converged,
        };
    }

    while iterations < settings.max_iterations {
        if gradient.amax() <= settings.gtol {
            converged = true;
            break;
        }
        iterations += 1;

        // Two-loop recursion: direction = −H·g.
        let mut q = gradient;
        let mut alphas = [0.0; 64];
        for k in (0..s_list.len()).rev() {
            let a = rho_list[k] * s_list[k].dot(&q);
            alphas[k % 64] = a;
            q -= y_list[k] * a;
        }
        let gamma = match (s_list.last(), y_list.last()) {
            (Some(s), Some(y)) => s.dot(y) / y.dot(y),
            _ => 1.0 / gradient.norm().max(1e-300),
        };
        let mut direction = q * gamma;
        for k in 0..s_list.len() {
            let b = rho_list[k] * y_list[k].dot(&direction);
            direction += s_list[k] * (alphas[k % 64] - b);
        }
        direction = -direction;
        let mut slope = gradient.dot(&direction);
        if slope.is_nan() || slope >= 0.0 {
            // Not a descent direction: drop the memory and follow the gradient.
            s_list.clear();
            y_list.clear();
            rho_list.clear();
            direction = -gradient / gradient.norm().max(1e-300);
            slope = gradient.dot(&direction);
        }

        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let candidate = x + direction * step;
            let (candidate_value, candidate_gradient) = f(&candidate);
            evaluations += 1;
            if candidate_value.is_finite() && candidate_value <= value + 1e-4 * step * slope {
                accepted = Some((candidate, candidate_value, candidate_gradient));
                break;
            }
            step *= 0.5;
        }
        let Some((new_x, new_value, new_gradient)) = accepted else {
            converged = true;
            break;
        };

        let s = new_x - x;
        let y = new_gradient - gradient;
        let curvature = s.dot(&y);
        if curvature > 1e-12 * y.dot(&y) {
            if s_list.len() == memory.min(64) {
                s_list.remove(0);
                y_list.remove(0);
                rho_list.remove(0);
            }
            s_list.push(s);
            y_list.push(y);
            rho_list.push(1.0 / curvature);
        }
        let decrease = value - new_value;
        let scale = value.abs().max(new_value.abs()).max(1.0);
        x = new_x;
        value = new_value;
        gradient = new_gradient;
        if decrease <= settings.ftol * scale {
            converged = true;
            break;
        }
    }

    Solution {
        x,
        value,
        iterations,
        evaluations,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::Vector2;

    #[test]
    fn minimize_finds_rosenbrock_minimum() {
        let f = |x: &Vector2<f64>| {
            let value = (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
            let gradient = Vector2::new(
                -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]),
                200.0 * (x[1] - x[0] * x[0]),
            );
            (value, gradient)
        };
        let settings = Settings {
            gtol: 1e-10,
            ftol: 0.0,
            ..Settings::default()
        };
        let solution = minimize(Vector2::new(-1.2, 1.0), f, &settings);
        assert!(solution.converged);
        assert!((solution.x[0] - 1.0).abs() < 1e-6, "x = {}", solution.x);
        assert!((solution.x[1] - 1.0).abs() < 1e-6, "x = {}", solution.x);
    }
}
