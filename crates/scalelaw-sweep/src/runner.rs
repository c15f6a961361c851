//! The sweep loop: ask the scheduler for the next run, execute it, turn the execution into
//! a [`RunRecord`] and journal it before the next run starts.

use std::collections::BTreeMap;

use thiserror::Error;

use crate::executor::{ExecuteError, Execution, Executor, RunStatus};
use crate::journal::{timestamp_now, JournalError, JournalWriter, RunRecord};
use crate::metric;
use crate::param::Point;
use crate::schedule::{Finished, RunKind, Scheduler};
use crate::settings::{Plan, StopRule};

/// Errors that end a sweep early. Runs finished before the error stay in the journal.
#[derive(Debug, Error)]
pub enum SweepError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Execute(#[from] ExecuteError),
    #[error("the journal has a run at point {0}, which this sweep does not have; the journal belongs to a different sweep")]
    UnknownPoint(String),
}

/// The reason a sweep loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Every point has all its runs.
    Completed,
    /// An interrupt stopped the sweep; the run in flight was discarded.
    Interrupted,
    /// A run failed or timed out and failures are not ignored. Holds the index of that
    /// run in [`Sweep::records`].
    Failed(usize),
}

/// Receives progress events, for a progress bar.
pub trait Observer {
    /// Called before each run with the runs finished so far and an estimate of those left.
    fn run_started(&mut self, _point: &Point, _kind: RunKind, _done: usize, _remaining: usize) {}
    /// Called after each run is journaled.
    fn run_finished(&mut self, _record: &RunRecord) {}
}

/// An observer that ignores every event.
pub struct Silent;

impl Observer for Silent {}

/// A sweep in progress.
pub struct Sweep<'plan, E: Executor> {
    plan: &'plan Plan,
    executor: E,
    journal: JournalWriter,
    scheduler: Scheduler,
    records: Vec<RunRecord>,
    ignore_failure: bool,
}

fn rse_metric(plan: &Plan) -> Option<&str> {
    match &plan.settings.stop {
        StopRule::Adaptive {
            target_rse: Some(_),
            rse_metric,
            ..
        } => Some(rse_metric),
        _ => None,
    }
}

impl<'plan, E: Executor> Sweep<'plan, E> {
    /// Prepares a sweep that continues after `records` (none for a new sweep).
    pub fn new(
        plan: &'plan Plan,
        executor: E,
        journal: JournalWriter,
        records: Vec<RunRecord>,
        ignore_failure: bool,
    ) -> Result<Self, SweepError> {
        let settings = &plan.settings;
        let mut scheduler = Scheduler::new(
            plan.points.len(),
            settings.warmup,
            settings.stop.clone(),
            settings.order,
            settings.seed,
            records.len() as u64,
        );
        for record in &records {
            let values: Vec<(String, String)> = record
                .point
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let point = plan.find_point(&values).ok_or_else(|| {
                let label: Vec<String> = values.iter().map(|(k, v)| format!("{k}={v}")).collect();
                SweepError::UnknownPoint(label.join(" "))
            })?;
            scheduler.record(point, finished(plan, record));
        }
        Ok(Sweep {
            plan,
            executor,
            journal,
            scheduler,
            records,
            ignore_failure,
        })
    }

    /// Returns every run journaled so far, including those of earlier sessions.
    pub fn records(&self) -> &[RunRecord] {
        &self.records
    }

    pub fn executor(&self) -> &E {
        &self.executor
    }

    /// Returns an estimate of the runs left.
    pub fn remaining_estimate(&self) -> usize {
        self.scheduler.remaining_estimate()
    }

    /// Runs until every point has its runs, a run fails (unless failures are ignored) or
    /// the executor is interrupted.
    pub fn run(&mut self, observer: &mut dyn Observer) -> Result<Stop, SweepError> {
        while let Some((index, kind)) = self.scheduler.next_run() {
            let point = &self.plan.points[index];
            observer.run_started(
                point,
                kind,
                self.records.len(),
                self.scheduler.remaining_estimate(),
            );
            let request = self.plan.request(point);
            let repeat = match kind {
                RunKind::Warmup => self.scheduler.warmups_at(index),
                RunKind::Measured => self.scheduler.runs_at(index),
            };
            let timestamp = timestamp_now();
            let execution = match self.executor.execute(&request) {
                Ok(execution) => execution,
                Err(ExecuteError::Interrupted) => return Ok(Stop::Interrupted),
                Err(err) => return Err(err.into()),
            };

            let record = self.record(point, kind, repeat, timestamp, execution);
            self.journal.append(&record)?;
            self.scheduler.record(index, finished(self.plan, &record));
            observer.run_finished(&record);
            let failed = record.status != RunStatus::Ok;
            self.records.push(record);
            if failed && !self.ignore_failure {
                return Ok(Stop::Failed(self.records.len() - 1));
            }
        }
        Ok(Stop::Completed)
    }

    fn record(
        &self,
        point: &Point,
        kind: RunKind,
        repeat: usize,
        timestamp: String,
        execution: Execution,
    ) -> RunRecord {
        let mut status = execution.status;
        let mut metrics = BTreeMap::new();
        let mut error = None;
        if status != RunStatus::TimedOut {
            metrics.insert("time_s".to_string(), execution.wall_s);
            metrics.insert("user_s".to_string(), execution.user_s);
            metrics.insert("sys_s".to_string(), execution.sys_s);
            metrics.insert("max_rss_kib".to_string(), execution.max_rss_kib as f64);
        }
        if status == RunStatus::Ok {
            for reader in self.plan.readers() {
                match reader.read(&execution.stdout, &execution.stderr) {
                    Ok(value) => {
                        metrics.insert(reader.name.clone(), value);
                    }
                    Err(err) => {
                        let spec = self
                            .plan
                            .settings
                            .metrics
                            .iter()
                            .find(|m| m.name == reader.name)
                            .map(|m| m.describe())
                            .unwrap_or_default();
                        error = Some(format!("metric {} ({spec}): {err}", reader.name));
                        status = RunStatus::Failed {
                            exit_code: Some(0),
                            signal: None,
                        };
                        break;
                    }
                }
            }
        }
        if status == RunStatus::Ok && execution.wall_s > 0.0 {
            // Plan::new checked the work amount at every point, so it parses here.
            if let Ok(Some(work)) = self.plan.work_at(point) {
                metrics.insert(metric::THROUGHPUT.to_string(), work / execution.wall_s);
            }
        }
        RunRecord {
            point: point.0.iter().cloned().collect(),
            warmup: kind == RunKind::Warmup,
            repeat,
            status,
            timestamp,
            elapsed_s: execution.wall_s,
            metrics,
            error,
        }
    }
}

fn finished(plan: &Plan, record: &RunRecord) -> Finished {
    let rse_value = match (rse_metric(plan), record.status) {
        (Some(name), RunStatus::Ok) => record.metrics.get(name).copied(),
        _ => None,
    };
    Finished {
        kind: if record.warmup {
            RunKind::Warmup
        } else {
            RunKind::Measured
        },
        elapsed_s: record.elapsed_s,
        rse_value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::MockExecutor;
    use crate::journal;
    use crate::metric::MetricSpec;
    use crate::settings::tests::settings;
    use crate::settings::{Order, Settings};

    fn plan(settings: Settings) -> Plan {
        Plan::new(settings).unwrap()
    }

    fn ok(wall_s: f64) -> Execution {
        Execution {
            status: RunStatus::Ok,
            wall_s,
            user_s: wall_s / 2.0,
            sys_s: 0.0,
            max_rss_kib: 1000,
            ..Execution::default()
        }
    }

    fn n_of(request: &crate::executor::RunRequest) -> f64 {
        request.point.get("n").unwrap().parse().unwrap()
    }

    #[test]
    fn every_point_gets_runs_and_warmups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut s = settings(&["bench", "{n}"], &["n=1,2,4"]);
        s.warmup = 1;
        let plan = plan(s);
        let journal = JournalWriter::create(&path, &plan.settings, false).unwrap();
        let executor = MockExecutor::new(|request, _| Ok(ok(n_of(request))));
        let mut sweep = Sweep::new(&plan, executor, journal, Vec::new(), false).unwrap();
        assert_eq!(sweep.run(&mut Silent).unwrap(), Stop::Completed);

        let records = sweep.records();
        assert_eq!(records.len(), 12);
        assert_eq!(records.iter().filter(|r| r.warmup).count(), 3);
        let args: Vec<String> = sweep
            .executor()
            .requests
            .iter()
            .map(|r| r.args[0].clone())
            .collect();
        assert_eq!(args.iter().filter(|a| *a == "4").count(), 4);
        for record in records {
            let n: f64 = record.point["n"].parse().unwrap();
            assert_eq!(record.metrics["time_s"], n);
        }
        let loaded = journal::read(&path).unwrap();
        assert_eq!(loaded.records, records);
    }

    #[test]
    fn failure_stops_unless_ignored() {
        let fail_second = |_: &crate::executor::RunRequest, call: usize| {
            Ok(if call == 1 {
                Execution {
                    status: RunStatus::Failed {
                        exit_code: Some(2),
                        signal: None,
                    },
                    ..ok(1.0)
                }
            } else {
                ok(1.0)
            })
        };
        for ignore in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let plan = plan(settings(&["bench"], &["n=1,2"]));
            let journal =
                JournalWriter::create(&dir.path().join("j"), &plan.settings, false).unwrap();
            let executor = MockExecutor::new(fail_second);
            let mut sweep = Sweep::new(&plan, executor, journal, Vec::new(), ignore).unwrap();
            let stop = sweep.run(&mut Silent).unwrap();
            if ignore {
                assert_eq!(stop, Stop::Completed);
                assert_eq!(sweep.records().len(), 6);
            } else {
                assert_eq!(stop, Stop::Failed(1));
                assert_eq!(sweep.records().len(), 2);
            }
            assert_eq!(sweep.records()[1].status.word(), "failed");
        }
    }

    #[test]
    fn timed_out_run_has_no_metrics() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(settings(&["bench"], &[]));
        let journal = JournalWriter::create(&dir.path().join("j"), &plan.settings, false).unwrap();
        let executor = MockExecutor::new(|_, _| {
            Ok(Execution {
                status: RunStatus::TimedOut,
                ..ok(5.0)
            })
        });
        let mut sweep = Sweep::new(&plan, executor, journal, Vec::new(), true).unwrap();
        sweep.run(&mut Silent).unwrap();
        for record in sweep.records() {
            assert_eq!(record.status, RunStatus::TimedOut);
            assert!(record.metrics.is_empty());
            assert_eq!(record.elapsed_s, 5.0);
        }
    }

    #[test]
    fn custom_metric_and_throughput() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings(&["bench"], &["n=1,2"]);
        s.metrics
            .push(MetricSpec::parse_regex("rate=rate ([0-9.]+)").unwrap());
        s.work = Some("100*{n}".into());
        let plan = plan(s);
        let journal = JournalWriter::create(&dir.path().join("j"), &plan.settings, false).unwrap();
        let executor = MockExecutor::new(|request, _| {
            let n = n_of(request);
            assert!(request.capture_output);
            Ok(Execution {
                stdout: format!("rate {}\n", n * 10.0),
                ..ok(0.5)
            })
        });
        let mut sweep = Sweep::new(&plan, executor, journal, Vec::new(), false).unwrap();
        sweep.run(&mut Silent).unwrap();
        for record in sweep.records() {
            let n: f64 = record.point["n"].parse().unwrap();
            assert_eq!(record.metrics["rate"], n * 10.0);
            assert_eq!(record.metrics["throughput"], 100.0 * n / 0.5);
        }
    }

    #[test]
    fn missing_metric_marks_run_failed() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings(&["bench"], &[]);
        s.metrics.push(MetricSpec::parse_json("rate").unwrap());
        let plan = plan(s);
        let journal = JournalWriter::create(&dir.path().join("j"), &plan.settings, false).unwrap();
        let executor = MockExecutor::new(|_, _| Ok(ok(0.5)));
        let mut sweep = Sweep::new(&plan, executor, journal, Vec::new(), false).unwrap();
        assert_eq!(sweep.run(&mut Silent).unwrap(), Stop::Failed(0));
        let record = &sweep.records()[0];
        assert_eq!(record.status.word(), "failed");
        let error = record.error.as_deref().unwrap();
        assert!(error.contains("rate"), "{error}");
        assert!(error.contains("not found"), "{error}");
    }

    #[test]
    fn interrupt_keeps_finished_runs() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(settings(&["bench"], &["n=1,2"]));
        let journal = JournalWriter::create(&dir.path().join("j"), &plan.settings, false).unwrap();
        let executor = MockExecutor::new(|_, call| {
            if call == 4 {
                Err(ExecuteError::Interrupted)
            } else {
                Ok(ok(1.0))
            }
        });
        let mut sweep = Sweep::new(&plan, executor, journal, Vec::new(), false).unwrap();
        assert_eq!(sweep.run(&mut Silent).unwrap(), Stop::Interrupted);
        assert_eq!(sweep.records().len(), 4);
    }

    #[test]
    fn resume_completes_without_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut s = settings(&["bench"], &["n=1,2,3"]);
        s.warmup = 1;
        s.stop = StopRule::Fixed { runs: 4 };
        s.order = Order::Interleaved;
        let plan = plan(s);

        let journal = JournalWriter::create(&path, &plan.settings, false).unwrap();
        let executor = MockExecutor::new(|_, call| {
            if call == 7 {
                Err(ExecuteError::Interrupted)
            } else {
                Ok(ok(1.0))
            }
        });
        let mut sweep = Sweep::new(&plan, executor, journal, Vec::new(), false).unwrap();
        assert_eq!(sweep.run(&mut Silent).unwrap(), Stop::Interrupted);

        let loaded = journal::read(&path).unwrap();
        assert_eq!(loaded.records.len(), 7);
        let journal = JournalWriter::resume(&path, loaded.valid_len, false).unwrap();
        let executor = MockExecutor::constant(1.0);
        let mut sweep = Sweep::new(&plan, executor, journal, loaded.records, false).unwrap();
        assert_eq!(sweep.run(&mut Silent).unwrap(), Stop::Completed);
        assert_eq!(sweep.executor().requests.len(), 15 - 7);

        let loaded = journal::read(&path).unwrap();
        assert_eq!(loaded.records.len(), 15);
        for n in ["1", "2", "3"] {
            for warmup in [true, false] {
                let mut repeats: Vec<usize> = loaded
                    .records
                    .iter()
                    .filter(|r| r.point["n"] == n && r.warmup == warmup)
                    .map(|r| r.repeat)
                    .collect();
                repeats.sort();
                let expected: Vec<usize> = if warmup { vec![0] } else { vec![0, 1, 2, 3] };
                assert_eq!(repeats, expected, "n={n} warmup={warmup}");
            }
        }
    }

    #[test]
    fn resume_rejects_foreign_points() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let plan = plan(settings(&["bench"], &["n=1,2"]));
        let journal = JournalWriter::create(&path, &plan.settings, false).unwrap();
        let record = RunRecord {
            point: BTreeMap::from([("n".to_string(), "9".to_string())]),
            warmup: false,
            repeat: 0,
            status: RunStatus::Ok,
            timestamp: timestamp_now(),
            elapsed_s: 1.0,
            metrics: BTreeMap::new(),
            error: None,
        };
        let result = Sweep::new(
            &plan,
            MockExecutor::constant(1.0),
            journal,
            vec![record],
            false,
        );
        assert!(matches!(result, Err(SweepError::UnknownPoint(p)) if p == "n=9"));
    }
}
