//! Per-point statistics of a sweep's measured runs.

use serde::Serialize;

use crate::executor::RunStatus;
use crate::journal::RunRecord;
use crate::param::Point;
use crate::settings::Plan;
use crate::stats::Summary;

/// Statistics of one metric at one point, over the successful measured runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricResult {
    pub name: String,
    /// `None` when no successful run has a value.
    pub summary: Option<Summary>,
    /// `repeat` numbers of the runs whose value is an outlier by modified z-score.
    pub outlier_repeats: Vec<usize>,
}

/// The measured runs at one point and the statistics of each metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointResult {
    pub point: Point,
    pub ok: usize,
    pub failed: usize,
    pub timed_out: usize,
    pub metrics: Vec<MetricResult>,
}

impl PointResult {
    /// Returns the statistics of metric `name`.
    pub fn metric(&self, name: &str) -> Option<&MetricResult> {
        self.metrics.iter().find(|m| m.name == name)
    }
}

/// Summarizes the measured runs in `records`, one result per point of `plan` in point
/// order. Warmup runs are left out; failed and timed-out runs are counted but carry no
/// values into the statistics.
pub fn summarize(plan: &Plan, records: &[RunRecord]) -> Vec<PointResult> {
    let names = plan.metric_names();
    plan.points
        .iter()
        .map(|point| {
            let mut runs: Vec<&RunRecord> = records
                .iter()
                .filter(|r| !r.warmup && point.0.iter().all(|(k, v)| r.point.get(k) == Some(v)))
                .collect();
            runs.sort_by_key(|r| r.repeat);
            let count = |word: &str| runs.iter().filter(|r| r.status.word() == word).count();
            let ok_runs: Vec<&&RunRecord> =
                runs.iter().filter(|r| r.status == RunStatus::Ok).collect();
            let metrics = names
                .iter()
                .map(|name| {
                    let (repeats, values): (Vec<usize>, Vec<f64>) = ok_runs
                        .iter()
                        .filter_map(|r| r.metrics.get(name).map(|v| (r.repeat, *v)))
                        .unzip();
                    let summary = Summary::of(&values);
                    let outlier_repeats = summary
                        .as_ref()
                        .map(|s| s.outliers.iter().map(|&i| repeats[i]).collect())
                        .unwrap_or_default();
                    MetricResult {
                        name: name.clone(),
                        summary,
                        outlier_repeats,
                    }
                })
                .collect();
            PointResult {
                point: point.clone(),
                ok: count("ok"),
                failed: count("failed"),
                timed_out: count("timed_out"),
                metrics,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::settings::tests::settings;

    fn record(n: &str, repeat: usize, warmup: bool, status: RunStatus, time: f64) -> RunRecord {
        RunRecord {
            point: BTreeMap::from([("n".to_string(), n.to_string())]),
            warmup,
            repeat,
            status,
            timestamp: String::new(),
            elapsed_s: time,
            metrics: BTreeMap::from([("time_s".to_string(), time)]),
            error: None,
        }
    }

    #[test]
    fn summary_counts_statuses_and_skips_warmup() {
        let plan = Plan::new(settings(&["bench"], &["n=1,2"])).unwrap();
        let failed = RunStatus::Failed {
            exit_code: Some(1),
            signal: None,
        };
        let records = [
            record("1", 0, true, RunStatus::Ok, 100.0),
            record("1", 0, false, RunStatus::Ok, 1.0),
            record("1", 1, false, RunStatus::Ok, 3.0),
            record("1", 2, false, failed, 50.0),
            record("2", 0, false, RunStatus::TimedOut, 9.0),
        ];
        let results = summarize(&plan, &records);
        assert_eq!(results.len(), 2);
        assert_eq!(
            (results[0].ok, results[0].failed, results[0].timed_out),
            (2, 1, 0)
        );
        let time = results[0]
            .metric("time_s")
            .unwrap()
            .summary
            .as_ref()
            .unwrap();
        assert_eq!(time.n, 2);
        assert_eq!(time.mean, 2.0);
        assert_eq!(results[1].timed_out, 1);
        assert!(results[1].metric("time_s").unwrap().summary.is_none());
    }

    #[test]
    fn outliers_reported_by_repeat() {
        let plan = Plan::new(settings(&["bench"], &["n=1"])).unwrap();
        let times = [1.0, 1.1, 0.9, 1.0, 9.0];
        let records: Vec<RunRecord> = times
            .iter()
            .enumerate()
            .rev()
            .map(|(repeat, &t)| record("1", repeat, false, RunStatus::Ok, t))
            .collect();
        let results = summarize(&plan, &records);
        assert_eq!(results[0].metric("time_s").unwrap().outlier_repeats, [4]);
    }
}
