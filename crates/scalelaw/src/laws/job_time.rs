//! Job time under strong scaling: T(n) = P + S/n.
//!
//! A job whose work R is split evenly over n nodes of capacity C, plus a part P that
//! does not shrink with n, runs in T(n) = R/(n·C) + P. Writing S = R/C (the time of the
//! parallel part on one node) gives T(n) = P + S/n, which is Amdahl's law written in
//! time (G. M. Amdahl, "Validity of the single processor approach to achieving large
//! scale computing capabilities", AFIPS 1967): the serial fraction is s = P/(P + S),
//! one node runs 1/(P + S) jobs per unit of time and the speed-up is capped at
//! 1/s = (P + S)/P.
//!
//! The law is linear in P and S, so its starting point is the ordinary least-squares
//! fit of T on 1/n and the solver converges in one step.

use crate::data::Observations;
use crate::law::{Derived, Estimates, Law, ParamSpec, Regime, RegimeKind};
use crate::stats::format_sig;

use super::is_significant;

/// Job time T(n) = P + S/n, parameters `[serial_time, parallel_time]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JobTime;

/// Identifier of [`JobTime`] in `--law` and in JSON.
pub const ID: &str = "job-time";

const PARAMS: [ParamSpec; 2] = [
    ParamSpec {
        name: "serial_time",
        meaning: "P: the part of the run time that does not shrink with n",
        lower: 0.0,
        upper: f64::INFINITY,
    },
    ParamSpec {
        name: "parallel_time",
        meaning: "S: the run time of the parallel part on one node",
        lower: 0.0,
        upper: f64::INFINITY,
    },
];

/// Amdahl's parameters equivalent to a job-time fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmdahlForm {
    /// s = P/(P + S), the share of the one-node run time that is serial.
    pub serial_fraction: f64,
    /// X(1) = 1/(P + S), jobs per unit of time on one node.
    pub unit_rate: f64,
}

impl JobTime {
    /// Maps `[serial_time, parallel_time]` to Amdahl's serial fraction and unit rate;
    /// `None` when P + S is not above zero.
    pub fn to_amdahl(theta: &[f64]) -> Option<AmdahlForm> {
        let total = theta[0] + theta[1];
        (total > 0.0 && total.is_finite()).then(|| AmdahlForm {
            serial_fraction: theta[0] / total,
            unit_rate: 1.0 / total,
        })
    }

    /// Maps Amdahl's serial fraction and unit rate back to `[serial_time, parallel_time]`.
    pub fn from_amdahl(form: AmdahlForm) -> [f64; 2] {
        let total = 1.0 / form.unit_rate;
        [
            form.serial_fraction * total,
            (1.0 - form.serial_fraction) * total,
        ]
    }
}

impl Law for JobTime {
    fn id(&self) -> &'static str {
        ID
    }

    fn name(&self) -> &'static str {
        "job time (Amdahl's law in time)"
    }

    fn formula(&self) -> &'static str {
        "T(n) = serial_time + parallel_time/n"
    }

    fn params(&self) -> &'static [ParamSpec] {
        &PARAMS
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        theta[0] + theta[1] / x[0]
    }

    fn gradient(&self, _theta: &[f64], x: &[f64], grad: &mut [f64]) {
        grad[0] = 1.0;
        grad[1] = 1.0 / x[0];
    }

    /// Ordinary least squares of T on [1, 1/n]; falls back to P = 0 and S = the mean
    /// of n·T when every point has the same n, so the system is singular.
    fn initial_guess(&self, data: &Observations) -> Vec<f64> {
        let count = data.len() as f64;
        let (mut sum_u, mut sum_uu, mut sum_t, mut sum_ut) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..data.len() {
            let u = 1.0 / data.x_row(i)[0];
            let t = data.y()[i];
            sum_u += u;
            sum_uu += u * u;
            sum_t += t;
            sum_ut += u * t;
        }
        let determinant = count * sum_uu - sum_u * sum_u;
        if determinant.abs() <= 1e-12 * count * sum_uu {
            let mean_work = (0..data.len())
                .map(|i| data.x_row(i)[0] * data.y()[i])
                .sum::<f64>()
                / count;
            return vec![0.0, mean_work];
        }
        let serial = (sum_uu * sum_t - sum_u * sum_ut) / determinant;
        let parallel = (count * sum_ut - sum_u * sum_t) / determinant;
        vec![serial, parallel]
    }

    fn derived(&self, theta: &[f64]) -> Vec<Derived> {
        let mut out = Vec::new();
        match Self::to_amdahl(theta) {
            Some(form) => {
                out.push(Derived::some(
                    "serial_fraction",
                    form.serial_fraction,
                    "s = serial_time/(serial_time + parallel_time), Amdahl's serial fraction",
                ));
                out.push(Derived::some(
                    "unit_rate",
                    form.unit_rate,
                    "1/(serial_time + parallel_time), runs per unit of time on one node",
                ));
            }
            None => {
                let note = "serial_time + parallel_time is not above zero";
                out.push(Derived::none(
                    "serial_fraction",
                    "Amdahl's serial fraction",
                    note,
                ));
                out.push(Derived::none(
                    "unit_rate",
                    "runs per unit of time on one node",
                    note,
                ));
            }
        }
        if theta[0] > 0.0 {
            out.push(Derived::some(
                "max_speedup",
                (theta[0] + theta[1]) / theta[0],
                "(serial_time + parallel_time)/serial_time, the speed-up limit as n grows",
            ));
        } else {
            out.push(Derived::none(
                "max_speedup",
                "(serial_time + parallel_time)/serial_time",
                "no limit: serial_time <= 0, so the time keeps falling as 1/n",
            ));
        }
        out.push(Derived::some(
            "min_time",
            theta[0],
            "serial_time, the run time approached as n grows",
        ));
        out
    }

    fn regime(&self, estimates: &Estimates<'_>) -> Regime {
        let values = estimates.values;
        let (serial, parallel) = (values[0], values[1]);
        let significant = |k: usize| is_significant(estimates, k);
        let p = format_sig(serial, 3);
        let s = format_sig(parallel, 3);
        if parallel <= 0.0 {
            return Regime {
                kind: RegimeKind::NotDescribed,
                reason: format!(
                    "parallel_time = {s} <= 0: the run time does not fall as n grows, so \
                     there is no parallel part for more nodes to share"
                ),
            };
        }
        if serial < 0.0 && significant(0) {
            return Regime {
                kind: RegimeKind::Superlinear,
                reason: format!(
                    "serial_time = {p} < 0: the run time falls faster than 1/n (caches or \
                     memory that grow with n); do not plan far beyond the measured n"
                ),
            };
        }
        if serial > 0.0 && significant(0) {
            let fraction = serial / (serial + parallel);
            return Regime {
                kind: RegimeKind::ContentionBound,
                reason: format!(
                    "serial_time = {p} > 0: a serial fraction of {} caps the speed-up at {} \
                     and the run time at no less than {p}",
                    format_sig(fraction, 3),
                    format_sig(1.0 / fraction, 4)
                ),
            };
        }
        Regime {
            kind: RegimeKind::Linear,
            reason: format!(
                "serial_time = {p} is indistinguishable from 0: the run time falls as 1/n \
                 over the measured range"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{fit, FitOptions};

    #[test]
    fn amdahl_mapping_round_trips() {
        let theta = [2.0, 18.0];
        let form = JobTime::to_amdahl(&theta).unwrap();
        assert!((form.serial_fraction - 0.1).abs() < 1e-15);
        assert!((form.unit_rate - 0.05).abs() < 1e-15);
        let back = JobTime::from_amdahl(form);
        assert!((back[0] - 2.0).abs() < 1e-12, "{back:?}");
        assert!((back[1] - 18.0).abs() < 1e-12, "{back:?}");
    }

    #[test]
    fn initial_guess_solves_exact_data() {
        let n = vec![1.0, 2.0, 4.0, 8.0];
        let t: Vec<f64> = n.iter().map(|n| 3.0 + 40.0 / n).collect();
        let data = Observations::new("nodes", "time", n, t).unwrap();
        let guess = JobTime.initial_guess(&data);
        assert!((guess[0] - 3.0).abs() < 1e-12, "{guess:?}");
        assert!((guess[1] - 40.0).abs() < 1e-12, "{guess:?}");
    }

    #[test]
    fn gradient_matches_finite_difference() {
        let theta = [1.5, 20.0];
        let mut grad = [0.0; 2];
        JobTime.gradient(&theta, &[7.0], &mut grad);
        for k in 0..2 {
            let mut shifted = theta;
            shifted[k] += 1e-6;
            let numeric =
                (JobTime.predict(&shifted, &[7.0]) - JobTime.predict(&theta, &[7.0])) / 1e-6;
            assert!(
                (grad[k] - numeric).abs() < 1e-6,
                "{k}: {} {numeric}",
                grad[k]
            );
        }
    }

    #[test]
    fn fit_recovers_noisy_amdahl_times() {
        let n = vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
        let noise = [0.02, -0.03, 0.01, -0.01, 0.02, -0.01];
        let t: Vec<f64> = n
            .iter()
            .zip(noise)
            .map(|(n, e)| 5.0 + 95.0 / n + e)
            .collect();
        let data = Observations::new("nodes", "time", n, t).unwrap();
        let options = FitOptions {
            bootstrap_resamples: 20,
            ..FitOptions::default()
        };
        let result = fit(&JobTime, &data, &options).unwrap();
        let serial = result.param("serial_time").unwrap().value;
        let fraction = result.derived("serial_fraction").unwrap().derived.value;
        assert!((serial - 5.0).abs() < 0.05, "{serial}");
        assert!((fraction.unwrap() - 0.05).abs() < 1e-3);
        assert_eq!(result.regime.kind, RegimeKind::ContentionBound);
    }
}
