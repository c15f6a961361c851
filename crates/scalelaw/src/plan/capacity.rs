//! The capacity curve of one parameter vector: throughput X(N) at whole N, and the
//! searches every balance point is built from.
//!
//! Every search assumes that X(N) is unimodal in N (rises to at most one peak, then
//! falls) and that efficiency X(N)/(N·X(1)) falls once past its maximum. Both hold
//! for the USL, Amdahl, Gustafson, linear and job-time laws with parameters in their
//! usual ranges, so integer bisection and ternary search find the exact whole N.

use crate::law::Law;
use crate::laws::job_time::JobTime;

use super::{CostModel, MetricForm};

/// X(N) for one parameter vector, in work units per second.
pub(crate) struct Capacity<'a> {
    law: &'a dyn Law,
    theta: &'a [f64],
    form: MetricForm,
    max_n: u64,
}

impl<'a> Capacity<'a> {
    pub(crate) fn new(law: &'a dyn Law, theta: &'a [f64], form: MetricForm, max_n: u64) -> Self {
        Self {
            law,
            theta,
            form,
            max_n,
        }
    }

    /// Largest N the searches consider.
    pub(crate) fn max_n(&self) -> u64 {
        self.max_n
    }

    /// Throughput at N (which may be fractional), in work units per second; a time
    /// law's run time T(N) becomes work_per_run/T(N).
    ///
    /// A value that is not finite or not above zero (a USL with β < 0 whose denominator
    /// crosses zero, say) is read as no throughput, so the searches stay within the N
    /// where the law describes a working system.
    pub(crate) fn throughput(&self, n: f64) -> f64 {
        let value = self.law.predict(self.theta, &[n]);
        let throughput = match self.form {
            MetricForm::Throughput => value,
            MetricForm::Time { work_per_run } => work_per_run / value,
        };
        if throughput.is_finite() && throughput > 0.0 {
            throughput
        } else {
            0.0
        }
    }

    fn throughput_at(&self, n: u64) -> f64 {
        self.throughput(n as f64)
    }

    /// Efficiency X(N)/(N·X(1)).
    pub(crate) fn efficiency(&self, n: u64) -> f64 {
        self.throughput_at(n) / (n as f64 * self.throughput_at(1))
    }

    /// Returns whether X(1) is finite and above zero, so the curve can be planned on.
    pub(crate) fn is_valid(&self) -> bool {
        let unit = self.throughput_at(1);
        unit.is_finite() && unit > 0.0
    }

    /// Whole N in [1, max_n] with the most throughput.
    pub(crate) fn peak_whole(&self) -> u64 {
        argmax_unimodal(1, self.max_n, |n| self.throughput_at(n))
    }

    /// Finds the peak (N*, X(N*)) with N* real-valued, or `None` when throughput still
    /// rises at max_n. It uses the law's own `peak_n` where it has one (the USL's closed form)
    /// and otherwise a golden-section search between the neighbours of the whole peak.
    pub(crate) fn peak(&self) -> Option<(f64, f64)> {
        let whole = self.peak_whole();
        let top = self.throughput_at(whole);
        let at_limit = self.throughput_at(self.max_n);
        if whole >= self.max_n || top <= at_limit * (1.0 + 1e-9) {
            return None;
        }
        let from_law = self
            .law
            .derived(self.theta)
            .into_iter()
            .find(|d| d.name == "peak_n")
            .and_then(|d| d.value);
        let n = match from_law {
            Some(n) if n.is_finite() && n >= 1.0 => n,
            _ => golden_section_max((whole as f64 - 1.0).max(1.0), whole as f64 + 1.0, |n| {
                self.throughput(n)
            }),
        };
        Some((n, self.throughput(n)))
    }

    /// Returns the throughput limit as N grows, when the law has one: the `roof` derived
    /// quantity of a throughput law, or work_per_run/serial_time for the job-time law.
    pub(crate) fn roof(&self) -> Option<f64> {
        let value = match self.form {
            MetricForm::Time { work_per_run } if self.law.id() == JobTime.id() => {
                (self.theta[0] > 0.0).then(|| work_per_run / self.theta[0])
            }
            _ => self
                .law
                .derived(self.theta)
                .into_iter()
                .find(|d| d.name == "roof")
                .and_then(|d| d.value),
        };
        value.filter(|v| v.is_finite() && *v > 0.0)
    }

    /// Most throughput reachable at any whole N up to max_n.
    pub(crate) fn max_throughput(&self) -> f64 {
        self.throughput_at(self.peak_whole())
    }

    /// Whole N at which throughput stops rising: the whole peak, or max_n.
    pub(crate) fn rising_limit(&self) -> u64 {
        self.peak_whole()
    }

    /// Smallest whole N whose throughput is at least `target`, searching where
    /// throughput rises; `None` when even the peak falls short.
    pub(crate) fn smallest_n_reaching(&self, target: f64) -> Option<u64> {
        let limit = self.rising_limit();
        if self.throughput_at(limit) < target {
            return None;
        }
        Some(first_true(1, limit, |n| self.throughput_at(n) >= target))
    }

    /// Smallest whole N whose throughput exceeds `rate` strictly, as a stable queue
    /// needs; `None` when no N does.
    pub(crate) fn smallest_n_exceeding(&self, rate: f64) -> Option<u64> {
        let limit = self.rising_limit();
        if self.throughput_at(limit) <= rate {
            return None;
        }
        Some(first_true(1, limit, |n| self.throughput_at(n) > rate))
    }

    /// Largest whole N whose efficiency is at least `min_efficiency`; `None` when
    /// efficiency stays at or above it up to max_n.
    pub(crate) fn knee(&self, min_efficiency: f64) -> Option<u64> {
        if self.efficiency(self.max_n) >= min_efficiency {
            return None;
        }
        let first_below = first_true(1, self.max_n, |n| self.efficiency(n) < min_efficiency);
        Some(first_below.saturating_sub(1).max(1))
    }

    /// Whole N with the most throughput per unit of hourly cost, searched up to the
    /// peak; `None` when the ratio still rises at max_n.
    pub(crate) fn best_value(&self, cost: &CostModel) -> Option<u64> {
        let limit = self.rising_limit();
        let ratio = |n: u64| {
            let throughput = self.throughput_at(n);
            throughput / cost.hourly(n, throughput)
        };
        let best = argmax_unimodal(1, limit, ratio);
        (best < self.max_n).then_some(best)
    }

    /// Largest whole N up to the peak whose hourly cost stays within `budget`;
    /// `None` when even N = 1 costs more.
    pub(crate) fn largest_within_budget(&self, cost: &CostModel, budget: f64) -> Option<u64> {
        let hourly = |n: u64| cost.hourly(n, self.throughput_at(n));
        if hourly(1) > budget {
            return None;
        }
        let limit = self.rising_limit();
        if hourly(limit) <= budget {
            return Some(limit);
        }
        Some(first_true(1, limit, |n| hourly(n) > budget) - 1)
    }

    /// Whole N in [`low`, peak] with the lowest cost of running one job of
    /// `job_size` work units.
    pub(crate) fn cheapest_job(&self, cost: &CostModel, job_size: f64, low: u64) -> u64 {
        let limit = self.rising_limit().max(low);
        let negative_cost = |n: u64| -cost.job(n, self.throughput_at(n), job_size);
        argmax_unimodal(low, limit, negative_cost)
    }
}

/// Finds the smallest n in [low, high] where `predicate` is true, for a predicate that
/// is false and then true. Returns `high` when it is true nowhere before it.
pub(crate) fn first_true(low: u64, high: u64, predicate: impl Fn(u64) -> bool) -> u64 {
    let (mut low, mut high) = (low, high);
    while low < high {
        let middle = low + (high - low) / 2;
        if predicate(middle) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    low
}

/// Finds the whole n in [low, high] that maximises a unimodal `value`. Ternary search
/// narrows the range to a few values, and a scan picks among them, the smaller n on a tie.
pub(crate) fn argmax_unimodal(low: u64, high: u64, value: impl Fn(u64) -> f64) -> u64 {
    let (mut low, mut high) = (low, high.max(low));
    while high - low > 8 {
        let third = (high - low) / 3;
        let left = low + third;
        let right = high - third;
        if value(left) < value(right) {
            low = left + 1;
        } else {
            high = right;
        }
    }
    let mut best = low;
    let mut best_value = value(low);
    for n in low + 1..=high {
        let candidate = value(n);
        if candidate > best_value {
            best = n;
            best_value = candidate;
        }
    }
    best
}

/// Real x in [low, high] maximising a unimodal `value`, by golden-section search to
/// a relative width of 1e-10.
fn golden_section_max(low: f64, high: f64, value: impl Fn(f64) -> f64) -> f64 {
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (low, high);
    let mut c = b - ratio * (b - a);
    let mut d = a + ratio * (b - a);
    let (mut fc, mut fd) = (value(c), value(d));
    while (b - a) > 1e-10 * b.abs().max(1.0) {
        if fc < fd {
            a = c;
            c = d;
            fc = fd;
            d = a + ratio * (b - a);
            fd = value(d);
        } else {
            b = d;
            d = c;
            fd = fc;
            c = b - ratio * (b - a);
            fc = value(c);
        }
    }
    0.5 * (a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_true_finds_boundary() {
        assert_eq!(first_true(1, 100, |n| n >= 37), 37);
        assert_eq!(first_true(1, 100, |n| n >= 1), 1);
        assert_eq!(first_true(1, 100, |_| false), 100);
    }

    #[test]
    fn argmax_unimodal_finds_peak() {
        let peak = argmax_unimodal(1, 1_000_000, |n| -((n as f64) - 4321.0).powi(2));
        assert_eq!(peak, 4321);
        assert_eq!(argmax_unimodal(1, 50, |n| n as f64), 50);
        assert_eq!(argmax_unimodal(1, 50, |n| -(n as f64)), 1);
    }

    #[test]
    fn golden_section_finds_parabola_top() {
        let top = golden_section_max(0.0, 10.0, |x| -(x - 3.3).powi(2));
        assert!((top - 3.3).abs() < 1e-8, "{top}");
    }
}
