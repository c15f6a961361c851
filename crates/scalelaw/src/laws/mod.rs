//! The scalability laws, one module per law, and lookup by identifier.

pub mod amdahl;
pub mod bnsl;
pub mod chinchilla;
pub mod gustafson;
pub mod job_time;
pub mod kaplan;
pub mod linear;
pub mod usl;

use crate::law::{Estimates, Law};

pub use amdahl::Amdahl;
pub use bnsl::Bnsl;
pub use chinchilla::Chinchilla;
pub use gustafson::Gustafson;
pub use job_time::JobTime;
pub use kaplan::{Kaplan, KaplanE};
pub use linear::Linear;
pub use usl::Usl;

/// Returns every law that fits a rate against one scale parameter, simplest first.
pub fn throughput_laws() -> Vec<Box<dyn Law>> {
    vec![
        Box::new(Linear),
        Box::new(Amdahl),
        Box::new(Gustafson),
        Box::new(Usl),
    ]
}

/// Looks up a law by its identifier (`usl`).
pub fn by_id(id: &str) -> Option<Box<dyn Law>> {
    throughput_laws().into_iter().find(|law| law.id() == id)
}

/// Identifiers of every law that [`by_id`] finds.
pub fn ids() -> Vec<&'static str> {
    throughput_laws().iter().map(|law| law.id()).collect()
}

/// Returns every law whose metric is the run time of a fixed job rather than a rate.
pub fn time_laws() -> Vec<Box<dyn Law>> {
    vec![Box::new(JobTime)]
}

/// Looks up a law by its identifier among the throughput and the time laws.
pub fn any_by_id(id: &str) -> Option<Box<dyn Law>> {
    by_id(id).or_else(|| time_laws().into_iter().find(|law| law.id() == id))
}

/// Returns whether estimate `k` lies more than two standard errors from zero; without a
/// standard error, whether it is non-zero.
pub(crate) fn is_significant(estimates: &Estimates<'_>, k: usize) -> bool {
    let value = estimates.values[k];
    match estimates.std_errors[k] {
        Some(se) => value.abs() > 2.0 * se,
        None => value != 0.0,
    }
}

/// Ordinary least-squares line y = a + b·x; `None` when x has no spread.
pub(crate) fn fit_line(x: &[f64], y: &[f64]) -> Option<(f64, f64)> {
    let n = x.len() as f64;
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let sxx: f64 = x.iter().map(|v| (v - mean_x).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| (a - mean_x) * (b - mean_y))
        .sum();
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    (slope.is_finite() && intercept.is_finite()).then_some((intercept, slope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_line_recovers_exact_line() {
        let (a, b) = fit_line(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]).unwrap();
        assert!((a - 1.0).abs() < 1e-12);
        assert!((b - 2.0).abs() < 1e-12);
    }

    #[test]
    fn fit_line_rejects_constant_x() {
        assert!(fit_line(&[2.0, 2.0], &[1.0, 3.0]).is_none());
    }

    #[test]
    fn by_id_finds_every_law() {
        for id in ids() {
            assert_eq!(by_id(id).unwrap().id(), id);
        }
        assert!(by_id("nonsense").is_none());
    }
}
