//! The Huber objective of the Chinchilla fit, with its gradient and Hessian.
//!
//! Parameters θ = (e, a, b, α, β) with E = exp(e), A = exp(a), B = exp(b). For run i
//! the residual is rᵢ = LSE(e, a − α log Nᵢ, b − β log Dᵢ) − log Lᵢ, where
//! LSE(t) = log Σₖ exp(tₖ) is log(E + A/Nᵢ^α + B/Dᵢ^β). The objective is
//! Σᵢ Huber_δ(rᵢ) with Huber_δ(r) = r²/2 for |r| ≤ δ and δ(|r| − δ/2) beyond (Huber,
//! "Robust Estimation of a Location Parameter", Ann. Math. Statist. 35, 1964), summed
//! rather than averaged as in Besiroglu et al. 2024.
//!
//! Derivatives: with p = softmax(t), ∂r/∂(e, a, b) = p and ∂r/∂(α, β) = −(p₁ log N,
//! p₂ log D); the Hessian of r is Mᵀ(diag p − ppᵀ)M where t = Mθ. The objective's
//! Hessian is Σ ψ′(r)∇r∇rᵀ + ψ(r)∇²r with ψ the derivative of the Huber function.

use nalgebra::{SMatrix, SVector};

use super::LossData;

/// Default Huber threshold on log-loss residuals, as in Hoffmann et al. 2022.
pub const DEFAULT_DELTA: f64 = 1e-3;

/// The Huber function.
pub fn huber(r: f64, delta: f64) -> f64 {
    let magnitude = r.abs();
    if magnitude <= delta {
        0.5 * r * r
    } else {
        delta * (magnitude - 0.5 * delta)
    }
}

/// Derivative ψ of the Huber function: r clipped to [−δ, δ].
pub fn huber_psi(r: f64, delta: f64) -> f64 {
    r.clamp(-delta, delta)
}

/// Second derivative of the Huber function: 1 inside [−δ, δ], 0 outside.
pub fn huber_psi_prime(r: f64, delta: f64) -> f64 {
    if r.abs() <= delta {
        1.0
    } else {
        0.0
    }
}

/// Vector of the five log-form parameters.
pub type Theta = SVector<f64, 5>;
/// Hessian in the five log-form parameters.
pub type Hessian = SMatrix<f64, 5, 5>;

/// Converts (E, A, B, α, β) to the log form (e, a, b, α, β).
pub fn to_log_form(params: &[f64; 5]) -> Theta {
    Theta::new(
        params[0].ln(),
        params[1].ln(),
        params[2].ln(),
        params[3],
        params[4],
    )
}

/// Converts the log form (e, a, b, α, β) to (E, A, B, α, β).
pub fn from_log_form(theta: &Theta) -> [f64; 5] {
    [
        theta[0].exp(),
        theta[1].exp(),
        theta[2].exp(),
        theta[3],
        theta[4],
    ]
}

/// Log-sum-exp of three terms and their softmax weights.
fn log_sum_exp3(t: [f64; 3]) -> (f64, [f64; 3]) {
    let max = t[0].max(t[1]).max(t[2]);
    let w = [(t[0] - max).exp(), (t[1] - max).exp(), (t[2] - max).exp()];
    let sum = w[0] + w[1] + w[2];
    (max + sum.ln(), [w[0] / sum, w[1] / sum, w[2] / sum])
}

/// Residual rᵢ of every run at θ.
pub fn residuals(data: &LossData, theta: &Theta) -> Vec<f64> {
    (0..data.len())
        .map(|i| {
            let t = [
                theta[0],
                theta[1] - theta[3] * data.log_n()[i],
                theta[2] - theta[4] * data.log_d()[i],
            ];
            log_sum_exp3(t).0 - data.log_loss()[i]
        })
        .collect()
}

/// Objective at θ.
pub fn objective(data: &LossData, theta: &Theta, delta: f64) -> f64 {
    let (log_n, log_d, log_loss) = (data.log_n(), data.log_d(), data.log_loss());
    let mut total = 0.0;
    for i in 0..data.len() {
        let t = [
            theta[0],
            theta[1] - theta[3] * log_n[i],
            theta[2] - theta[4] * log_d[i],
        ];
        total += huber(log_sum_exp3(t).0 - log_loss[i], delta);
    }
    total
}

/// Objective and gradient at θ.
pub fn objective_gradient(data: &LossData, theta: &Theta, delta: f64) -> (f64, Theta) {
    let (log_n, log_d, log_loss) = (data.log_n(), data.log_d(), data.log_loss());
    let mut total = 0.0;
    let mut gradient = Theta::zeros();
    for i in 0..data.len() {
        let t = [
            theta[0],
            theta[1] - theta[3] * log_n[i],
            theta[2] - theta[4] * log_d[i],
        ];
        let (lse, p) = log_sum_exp3(t);
        let r = lse - log_loss[i];
        total += huber(r, delta);
        let psi = huber_psi(r, delta);
        gradient[0] += psi * p[0];
        gradient[1] += psi * p[1];
        gradient[2] += psi * p[2];
        gradient[3] -= psi * p[1] * log_n[i];
        gradient[4] -= psi * p[2] * log_d[i];
    }
    (total, gradient)
}

/// Objective, gradient and Hessian at θ.
pub fn objective_hessian(data: &LossData, theta: &Theta, delta: f64) -> (f64, Theta, Hessian) {
    let (log_n, log_d, log_loss) = (data.log_n(), data.log_d(), data.log_loss());
    let mut total = 0.0;
    let mut gradient = Theta::zeros();
    let mut hessian = Hessian::zeros();
    for i in 0..data.len() {
        let t = [
            theta[0],
            theta[1] - theta[3] * log_n[i],
            theta[2] - theta[4] * log_d[i],
        ];
        let (lse, p) = log_sum_exp3(t);
        let r = lse - log_loss[i];
        total += huber(r, delta);
        let psi = huber_psi(r, delta);
        let curvature = huber_psi_prime(r, delta);
        let jacobian = Theta::new(p[0], p[1], p[2], -p[1] * log_n[i], -p[2] * log_d[i]);
        gradient += jacobian * psi;
        // M maps θ to t: t₀ = e, t₁ = a − α log N, t₂ = b − β log D.
        let m = SMatrix::<f64, 3, 5>::new(
            1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, -log_n[i], 0.0, 0.0, 0.0, 1.0, 0.0, -log_d[i],
        );
        let pv = nalgebra::Vector3::new(p[0], p[1], p[2]);
        let softmax_hessian = nalgebra::Matrix3::from_diagonal(&pv) - pv * pv.transpose();
        hessian +=
            jacobian * jacobian.transpose() * curvature + m.transpose() * softmax_hessian * m * psi;
    }
    (total, gradient, hessian)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_data() -> LossData {
        let n = vec![1e8, 4e8, 1e9, 3e9, 8e8, 2e8];
        let d = vec![2e9, 5e9, 3e10, 6e10, 1e10, 4e9];
        let loss = vec![3.1, 2.75, 2.4, 2.21, 2.52, 2.95];
        LossData::new(n, d, loss).unwrap()
    }

    #[test]
    fn huber_joins_quadratic_and_linear() {
        let delta = 1e-3;
        assert_eq!(huber(5e-4, delta), 0.5 * 5e-4 * 5e-4);
        assert!((huber(-0.01, delta) - 1e-3 * (0.01 - 5e-4)).abs() < 1e-18);
        assert!((huber(delta, delta) - 0.5 * delta * delta).abs() < 1e-20);
    }

    #[test]
    fn gradient_and_hessian_match_finite_differences() {
        let data = sample_data();
        // A wide δ keeps every residual in the smooth quadratic part, and a narrow one
        // puts most of them in the linear part.
        for delta in [1.0, 1e-3] {
            let theta = Theta::new(0.6, 6.1, 7.6, 0.34, 0.37);
            let (_, gradient, hessian) = objective_hessian(&data, &theta, delta);
            let (value, gradient_only) = objective_gradient(&data, &theta, delta);
            assert!((value - objective(&data, &theta, delta)).abs() < 1e-15);
            for k in 0..5 {
                let h = 1e-6;
                let mut up = theta;
                let mut down = theta;
                up[k] += h;
                down[k] -= h;
                let numeric =
                    (objective(&data, &up, delta) - objective(&data, &down, delta)) / (2.0 * h);
                assert!(
                    (numeric - gradient[k]).abs() < 1e-6 * gradient[k].abs().max(1e-6),
                    "delta {delta}, gradient {k}: numeric {numeric}, analytic {}",
                    gradient[k]
                );
                assert_eq!(gradient[k], gradient_only[k]);
                let (_, g_up) = objective_gradient(&data, &up, delta);
                let (_, g_down) = objective_gradient(&data, &down, delta);
                for j in 0..5 {
                    let numeric = (g_up[j] - g_down[j]) / (2.0 * h);
                    assert!(
                        (numeric - hessian[(j, k)]).abs() < 1e-5 * hessian[(j, k)].abs().max(1e-3),
                        "delta {delta}, hessian ({j}, {k}): numeric {numeric}, analytic {}",
                        hessian[(j, k)]
                    );
                }
            }
        }
    }

    #[test]
    fn log_form_round_trips() {
        let params = [1.8172, 482.01, 2085.43, 0.3478, 0.3658];
        let back = from_log_form(&to_log_form(&params));
        for k in 0..5 {
            assert!((back[k] - params[k]).abs() < 1e-9 * params[k]);
        }
    }
}
