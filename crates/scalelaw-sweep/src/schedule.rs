//! The run order of a sweep, and the rule for when a point has had enough runs.
//!
//! The scheduler keeps only counts and values per point, so a resumed sweep rebuilds it by
//! replaying the journal through [`Scheduler::record`]. With the interleaved order, each
//! round runs every unfinished point once, in an order shuffled by a ChaCha8 generator
//! seeded from the sweep's seed and the number of runs already journaled.

use std::collections::VecDeque;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::settings::{Order, StopRule};
use crate::stats::relative_standard_error;

/// Whether a run is a warmup or a measured run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Warmup,
    Measured,
}

/// A finished run, as far as scheduling cares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finished {
    pub kind: RunKind,
    /// Wall-clock time the run took, whatever its status, in seconds.
    pub elapsed_s: f64,
    /// Value of the stop rule's RSE metric, for successful runs only.
    pub rse_value: Option<f64>,
}

#[derive(Debug, Clone, Default)]
struct PointState {
    warmups: usize,
    runs: usize,
    elapsed_s: f64,
    rse_values: Vec<f64>,
}

/// Decides the next run of a sweep.
#[derive(Debug, Clone)]
pub struct Scheduler {
    warmup: usize,
    stop: StopRule,
    order: Order,
    rng: ChaCha8Rng,
    points: Vec<PointState>,
    round: VecDeque<usize>,
}

impl Scheduler {
    /// Creates a scheduler for `point_count` points. `resumed_runs` is the number of runs
    /// already in the journal, which selects a fresh random stream for the rest.
    pub fn new(
        point_count: usize,
        warmup: usize,
        stop: StopRule,
        order: Order,
        seed: u64,
        resumed_runs: u64,
    ) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(resumed_runs);
        Scheduler {
            warmup,
            stop,
            order,
            rng,
            points: vec![PointState::default(); point_count],
            round: VecDeque::new(),
        }
    }

    /// Records a finished run at `point`.
    pub fn record(&mut self, point: usize, run: Finished) {
        let state = &mut self.points[point];
        match run.kind {
            RunKind::Warmup => state.warmups += 1,
            RunKind::Measured => {
                state.runs += 1;
                state.elapsed_s += run.elapsed_s;
                if let Some(value) = run.rse_value {
                    state.rse_values.push(value);
                }
            }
        }
    }

    /// Returns the number of measured runs recorded at `point`.
    pub fn runs_at(&self, point: usize) -> usize {
        self.points[point].runs
    }

    /// Returns the number of warmup runs recorded at `point`.
    pub fn warmups_at(&self, point: usize) -> usize {
        self.points[point].warmups
    }

    fn needs_run(&self, point: usize) -> bool {
        let state = &self.points[point];
        state.warmups < self.warmup || !self.is_done(state)
    }

    fn is_done(&self, state: &PointState) -> bool {
        match &self.stop {
            StopRule::Fixed { runs } => state.runs >= *runs,
            StopRule::Adaptive {
                min_runs,
                min_time_s,
                target_rse,
                max_runs,
                ..
            } => {
                if state.runs >= *max_runs {
                    return true;
                }
                if state.runs < *min_runs || state.elapsed_s < *min_time_s {
                    return false;
                }
                match target_rse {
                    None => true,
                    Some(target) => {
                        relative_standard_error(&state.rse_values).is_some_and(|rse| rse <= *target)
                    }
                }
            }
        }
    }

    /// Returns whether every point has all its runs.
    pub fn is_finished(&self) -> bool {
        (0..self.points.len()).all(|point| !self.needs_run(point))
    }

    /// Returns the next point to run and the kind of run, or `None` when the sweep is
    /// complete.
    pub fn next_run(&mut self) -> Option<(usize, RunKind)> {
        let point = match self.order {
            Order::Sequential => (0..self.points.len()).find(|&p| self.needs_run(p))?,
            Order::Interleaved => loop {
                if self.round.is_empty() {
                    let mut round: Vec<usize> = (0..self.points.len())
                        .filter(|&p| self.needs_run(p))
                        .collect();
                    if round.is_empty() {
                        return None;
                    }
                    round.shuffle(&mut self.rng);
                    self.round = round.into();
                }
                let point = self.round.pop_front()?;
                if self.needs_run(point) {
                    break point;
                }
            },
        };
        let kind = if self.points[point].warmups < self.warmup {
            RunKind::Warmup
        } else {
            RunKind::Measured
        };
        Some((point, kind))
    }

    /// Estimates how many runs remain: exact for a fixed run count, a lower estimate
    /// for adaptive rules (from the minimum run count and the mean run time so far).
    pub fn remaining_estimate(&self) -> usize {
        self.points
            .iter()
            .map(|state| {
                let warmups = self.warmup.saturating_sub(state.warmups);
                let runs = if self.is_done(state) {
                    0
                } else {
                    match &self.stop {
                        StopRule::Fixed { runs } => runs - state.runs,
                        StopRule::Adaptive {
                            min_runs,
                            min_time_s,
                            max_runs,
                            ..
                        } => {
                            let by_time = if state.runs > 0 && state.elapsed_s > 0.0 {
                                let mean = state.elapsed_s / state.runs as f64;
                                (min_time_s / mean).ceil() as usize
                            } else {
                                0
                            };
                            let wanted = (*min_runs).max(by_time).max(state.runs + 1);
                            wanted.min(*max_runs) - state.runs
                        }
                    }
                };
                warmups + runs
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(elapsed_s: f64) -> Finished {
        Finished {
            kind: RunKind::Measured,
            elapsed_s,
            rse_value: Some(elapsed_s),
        }
    }

    fn drain(
        scheduler: &mut Scheduler,
        value: impl Fn(usize, usize) -> f64,
    ) -> Vec<(usize, RunKind)> {
        let mut order = Vec::new();
        while let Some((point, kind)) = scheduler.next_run() {
            let run = match kind {
                RunKind::Warmup => Finished {
                    kind,
                    elapsed_s: 1.0,
                    rse_value: None,
                },
                RunKind::Measured => measured(value(point, scheduler.runs_at(point))),
            };
            scheduler.record(point, run);
            order.push((point, kind));
            assert!(order.len() < 10_000, "the scheduler does not stop");
        }
        order
    }

    #[test]
    fn fixed_runs_exact_count() {
        let mut scheduler =
            Scheduler::new(3, 1, StopRule::Fixed { runs: 4 }, Order::Interleaved, 7, 0);
        assert_eq!(scheduler.remaining_estimate(), 15);
        let order = drain(&mut scheduler, |_, _| 1.0);
        assert_eq!(order.len(), 15);
        for point in 0..3 {
            assert_eq!(scheduler.runs_at(point), 4);
            assert_eq!(scheduler.warmups_at(point), 1);
        }
        assert!(scheduler.is_finished());
    }

    #[test]
    fn warmups_come_before_measured_runs() {
        let mut scheduler =
            Scheduler::new(2, 2, StopRule::Fixed { runs: 2 }, Order::Interleaved, 1, 0);
        let order = drain(&mut scheduler, |_, _| 1.0);
        for point in 0..2 {
            let kinds: Vec<RunKind> = order
                .iter()
                .filter(|(p, _)| *p == point)
                .map(|(_, kind)| *kind)
                .collect();
            assert_eq!(
                kinds,
                [
                    RunKind::Warmup,
                    RunKind::Warmup,
                    RunKind::Measured,
                    RunKind::Measured
                ]
            );
        }
    }

    #[test]
    fn interleaved_order_is_seeded() {
        let run = |seed| {
            let mut scheduler = Scheduler::new(
                6,
                0,
                StopRule::Fixed { runs: 3 },
                Order::Interleaved,
                seed,
                0,
            );
            drain(&mut scheduler, |_, _| 1.0)
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn interleaved_rounds_visit_each_point() {
        let mut scheduler =
            Scheduler::new(5, 0, StopRule::Fixed { runs: 2 }, Order::Interleaved, 3, 0);
        let order = drain(&mut scheduler, |_, _| 1.0);
        let mut first_round: Vec<usize> = order[..5].iter().map(|(p, _)| *p).collect();
        first_round.sort();
        assert_eq!(first_round, [0, 1, 2, 3, 4]);
        assert_ne!(
            order.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 0, 1, 2, 3, 4],
            "the order is not shuffled"
        );
    }

    #[test]
    fn sequential_order_finishes_each_point() {
        let mut scheduler =
            Scheduler::new(3, 1, StopRule::Fixed { runs: 2 }, Order::Sequential, 3, 0);
        let order = drain(&mut scheduler, |_, _| 1.0);
        let points: Vec<usize> = order.iter().map(|(p, _)| *p).collect();
        assert_eq!(points, [0, 0, 0, 1, 1, 1, 2, 2, 2]);
    }

    #[test]
    fn adaptive_min_time_extends_runs() {
        let stop = StopRule::Adaptive {
            min_runs: 2,
            min_time_s: 1.0,
            target_rse: None,
            rse_metric: "time_s".into(),
            max_runs: 100,
        };
        let mut scheduler = Scheduler::new(2, 0, stop, Order::Interleaved, 3, 0);
        drain(
            &mut scheduler,
            |point, _| if point == 0 { 0.125 } else { 0.6 },
        );
        assert_eq!(scheduler.runs_at(0), 8);
        assert_eq!(scheduler.runs_at(1), 2);
    }

    #[test]
    fn target_rse_stops_when_precise() {
        let stop = StopRule::Adaptive {
            min_runs: 3,
            min_time_s: 0.0,
            target_rse: Some(0.01),
            rse_metric: "time_s".into(),
            max_runs: 50,
        };
        let mut scheduler = Scheduler::new(2, 0, stop, Order::Interleaved, 3, 0);
        // Point 0 is steady; point 1 alternates 1 and 3, whose RSE never falls to 1%
        // within 50 runs, so it reaches the cap.
        drain(&mut scheduler, |point, run| match point {
            0 => 1.0 + 0.001 * (run % 2) as f64,
            _ => 1.0 + 2.0 * (run % 2) as f64,
        });
        assert_eq!(scheduler.runs_at(0), 3);
        assert_eq!(scheduler.runs_at(1), 50);
    }

    #[test]
    fn target_rse_ignores_failed_runs() {
        let stop = StopRule::Adaptive {
            min_runs: 2,
            min_time_s: 0.0,
            target_rse: Some(0.05),
            rse_metric: "time_s".into(),
            max_runs: 6,
        };
        let mut scheduler = Scheduler::new(1, 0, stop, Order::Interleaved, 3, 0);
        while let Some((point, _)) = scheduler.next_run() {
            scheduler.record(
                point,
                Finished {
                    kind: RunKind::Measured,
                    elapsed_s: 1.0,
                    rse_value: None,
                },
            );
        }
        assert_eq!(scheduler.runs_at(0), 6);
    }

    #[test]
    fn replayed_runs_are_not_repeated() {
        let mut scheduler =
            Scheduler::new(3, 1, StopRule::Fixed { runs: 2 }, Order::Interleaved, 9, 4);
        scheduler.record(
            0,
            Finished {
                kind: RunKind::Warmup,
                elapsed_s: 1.0,
                rse_value: None,
            },
        );
        scheduler.record(0, measured(1.0));
        scheduler.record(0, measured(1.0));
        scheduler.record(
            2,
            Finished {
                kind: RunKind::Warmup,
                elapsed_s: 1.0,
                rse_value: None,
            },
        );
        assert_eq!(scheduler.remaining_estimate(), 5);
        let order = drain(&mut scheduler, |_, _| 1.0);
        assert_eq!(order.len(), 5);
        assert!(order.iter().all(|(p, _)| *p != 0));
    }
}
