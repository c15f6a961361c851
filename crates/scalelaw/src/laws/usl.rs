//! Universal Scalability Law: X(N) = γN / (1 + α(N−1) + βN(N−1)).
//!
//! Reference: N. J. Gunther, *Guerrilla Capacity Planning*, Springer 2007, ch. 4–5.
//! α (contention) is the serialised share of the work, β (coherency) the cost of
//! keeping N workers consistent, γ the throughput of one worker. With β > 0 the
//! throughput peaks at N* = sqrt((1−α)/β); with β = 0 it approaches the roof γ/α.

use crate::data::Observations;
use crate::law::{Derived, Estimates, Law, ParamSpec, Regime, RegimeKind};
use crate::laws::is_significant;
use crate::stats::format_sig;

/// The Universal Scalability Law, parameters `[alpha, beta, gamma]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usl;

const PARAMS: [ParamSpec; 3] = [
    ParamSpec {
        name: "alpha",
        meaning: "contention: the serialised share of the work",
        lower: 0.0,
        upper: 1.0,
    },
    ParamSpec {
        name: "beta",
        meaning: "coherency: the cost of pairwise coordination between workers",
        lower: 0.0,
        upper: 1.0,
    },
    ParamSpec {
        name: "gamma",
        meaning: "throughput at N = 1",
        lower: 0.0,
        upper: f64::INFINITY,
    },
];

impl Usl {
    /// Returns the N at which throughput peaks, when β > 0 and α < 1.
    pub fn peak_n(alpha: f64, beta: f64) -> Option<f64> {
        (beta > 0.0 && alpha < 1.0).then(|| ((1.0 - alpha) / beta).sqrt())
    }

    /// Mean response time R(N) = N / X(N) of a closed system with N clients and no
    /// think time (Little's law).
    pub fn response_time(theta: &[f64], n: f64) -> f64 {
        let (alpha, beta, gamma) = (theta[0], theta[1], theta[2]);
        (1.0 + alpha * (n - 1.0) + beta * n * (n - 1.0)) / gamma
    }

    /// Concurrency N at which the mean response time equals `r`: the positive root of
    /// βN² + (α−β)N + (1 − α − γR) = 0, keeping the β term (dropping it, as some ports
    /// do, is exact only when β = 0). Returns `None` when no N ≥ 0 gives that time.
    pub fn concurrency_at_response_time(theta: &[f64], r: f64) -> Option<f64> {
        let (alpha, beta, gamma) = (theta[0], theta[1], theta[2]);
        let c = 1.0 - alpha - gamma * r;
        let b = alpha - beta;
        let n = if beta.abs() < 1e-300 {
            if b == 0.0 {
                return None;
            }
            -c / b
        } else {
            let discriminant = b * b - 4.0 * beta * c;
            if discriminant < 0.0 {
                return None;
            }
            // Citardauq form of the larger root avoids cancellation when β is tiny.
            let root = discriminant.sqrt();
            if b >= 0.0 {
                (2.0 * -c) / (b + root)
            } else {
                (-b + root) / (2.0 * beta)
            }
        };
        (n.is_finite() && n >= 0.0).then_some(n)
    }

    /// Throughput at which the mean response time equals `r`: X = N(R)/R.
    pub fn throughput_at_response_time(theta: &[f64], r: f64) -> Option<f64> {
        Self::concurrency_at_response_time(theta, r).map(|n| n / r)
    }
}

impl Law for Usl {
    fn id(&self) -> &'static str {
        "usl"
    }

    fn name(&self) -> &'static str {
        "Universal Scalability Law"
    }

    fn formula(&self) -> &'static str {
        "X(N) = gamma*N / (1 + alpha*(N-1) + beta*N*(N-1))"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &PARAMS
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        let n = x[0];
        theta[2] * n / (1.0 + theta[0] * (n - 1.0) + theta[1] * n * (n - 1.0))
    }

    fn gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(theta, x, grad);
    }

    fn value_and_gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) -> f64 {
        let n = x[0];
        let inverse = 1.0 / (1.0 + theta[0] * (n - 1.0) + theta[1] * n * (n - 1.0));
        let unit = n * inverse;
        let value = theta[2] * unit;
        let slope = -value * inverse * (n - 1.0);
        grad[0] = slope;
        grad[1] = slope * n;
        grad[2] = unit;
        value
    }

    /// Weighted linear least squares on N/X = a + b(N−1) + cN(N−1), which is the USL
    /// with a = 1/γ, b = α/γ, c = β/γ. An error e in N/X is an error of about
    /// −e·X²/N in X, so weights (X²/N)² make this nearly the nonlinear problem and the
    /// solver starts a step or two from the optimum. Falls back to R `usl`'s start
    /// (γ = max X/N, α = 0.01, β = 1e-4) when that gives a non-positive γ.
    fn initial_guess(&self, data: &Observations) -> Vec<f64> {
        let mut m = [[0.0f64; 3]; 3];
        let mut v = [0.0f64; 3];
        let mut max_rate = 0.0f64;
        for i in 0..data.len() {
            let n = data.x_row(i)[0];
            let y = data.y()[i];
            max_rate = max_rate.max(y / n);
            let row = [1.0, n - 1.0, n * (n - 1.0)];
            let target = n / y;
            let weight = (y * y / n).powi(2);
            for a in 0..3 {
                v[a] += weight * row[a] * target;
                for b in 0..3 {
                    m[a][b] += weight * row[a] * row[b];
                }
            }
        }
        let fallback = vec![0.01, 1e-4, max_rate];
        match solve3(m, v) {
            Some([a, b, c]) if a > 0.0 && a.is_finite() && b.is_finite() && c.is_finite() => {
                vec![b / a, c / a, 1.0 / a]
            }
            _ => fallback,
        }
    }

    fn derived(&self, theta: &[f64]) -> Vec<Derived> {
        let (alpha, beta, gamma) = (theta[0], theta[1], theta[2]);
        let peak = match Self::peak_n(alpha, beta) {
            Some(n) => vec![
                Derived::some(
                    "peak_n",
                    n,
                    "N* = sqrt((1-alpha)/beta), where throughput peaks",
                ),
                Derived::some(
                    "peak_throughput",
                    self.predict(theta, &[n]),
                    "X(N*), the most throughput the system reaches",
                ),
            ],
            None => {
                let note = "no peak: beta <= 0, so throughput never turns down";
                vec![
                    Derived::none("peak_n", "N* = sqrt((1-alpha)/beta)", note),
                    Derived::none("peak_throughput", "X(N*)", note),
                ]
            }
        };
        let mut out = peak;
        if alpha > 0.0 {
            out.push(Derived::some(
                "roof",
                gamma / alpha,
                "gamma/alpha, the throughput limit set by contention alone",
            ));
            out.push(Derived::some(
                "n_opt",
                1.0 / alpha,
                "1/alpha (R usl's optimal N), where contention alone halves efficiency",
            ));
        } else {
            let note = "no contention roof: alpha <= 0";
            out.push(Derived::none("roof", "gamma/alpha", note));
            out.push(Derived::none("n_opt", "1/alpha", note));
        }
        out
    }

    fn regime(&self, estimates: &Estimates<'_>) -> Regime {
        let values = estimates.values;
        let (alpha, beta) = (values[0], values[1]);
        let significant = |k: usize| is_significant(estimates, k);
        let a = format_sig(alpha, 3);
        let b = format_sig(beta, 3);

        let retrograde = beta > 0.0 && significant(1);
        if alpha < 0.0 && significant(0) && !retrograde {
            return Regime {
                kind: RegimeKind::Superlinear,
                reason: format!(
                    "alpha = {a} < 0: throughput grows faster than linearly (caches or memory \
                     that grow with N); the law extrapolates this growth, so do not plan far \
                     beyond the measured N"
                ),
            };
        }
        if beta < 0.0 {
            let (kind, verdict) = if significant(1) {
                (
                    RegimeKind::NotDescribed,
                    "and it is clearly non-zero, so the USL does not describe these data",
                )
            } else {
                (
                    RegimeKind::ContentionBound,
                    "but it is within two standard errors of 0, so the data show contention \
                     without a measurable coherency cost",
                )
            };
            return Regime {
                kind,
                reason: format!(
                    "beta = {b} < 0 means coordination cost shrinks as N grows, which no real \
                     system does: the curve bends up relative to Amdahl's law, {verdict}; \
                     refit with --bounded to hold beta >= 0, or use --law amdahl"
                ),
            };
        }
        if retrograde {
            let peak = Self::peak_n(alpha, beta).unwrap_or(f64::INFINITY);
            let place = if peak <= estimates.max_x {
                "within the measured range".to_string()
            } else {
                format!(
                    "beyond the largest measured N = {}, so it is an extrapolation",
                    format_sig(estimates.max_x, 4)
                )
            };
            let rise = if alpha < 0.0 && significant(0) {
                format!(
                    "; alpha = {a} < 0 means throughput first grows faster than linearly, \
                     so the curve rises steeply to the peak and falls sharply after it"
                )
            } else {
                String::new()
            };
            return Regime {
                kind: RegimeKind::Retrograde,
                reason: format!(
                    "beta = {b} > 0: coordination cost grows with N, so throughput peaks at \
                     N* = {} ({place}) and falls beyond it{rise}",
                    format_sig(peak, 4)
                ),
            };
        }
        if alpha > 0.0 && significant(0) {
            return Regime {
                kind: RegimeKind::ContentionBound,
                reason: format!(
                    "alpha = {a} > 0 and beta = {b} is indistinguishable from 0: contention \
                     limits throughput to the roof gamma/alpha, and there is no peak"
                ),
            };
        }
        Regime {
            kind: RegimeKind::Linear,
            reason: format!(
                "alpha = {a} and beta = {b} are both indistinguishable from 0: throughput grows \
                 in proportion to N over the measured range"
            ),
        }
    }

    fn unit_rate(&self, theta: &[f64]) -> Option<f64> {
        Some(theta[2])
    }
}

/// Solves a 3×3 linear system by Cramer's rule; `None` when it is singular.
fn solve3(m: [[f64; 3]; 3], v: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&m);
    if d == 0.0 || !d.is_finite() {
        return None;
    }
    let mut out = [0.0; 3];
    for (k, slot) in out.iter_mut().enumerate() {
        let mut replaced = m;
        for row in 0..3 {
            replaced[row][k] = v[row];
        }
        *slot = det(&replaced) / d;
    }
    Some(out)
}
