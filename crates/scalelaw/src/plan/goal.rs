//! The cheapest whole N that meets a goal, for one parameter vector.

use serde::{Deserialize, Serialize};

use crate::queueing::MmcQueue;

use super::capacity::Capacity;
use super::{CostModel, Goal, LatencySlo};

/// Maximum number of N scanned for a latency goal. It guards against curves that break
/// the unimodality the searches assume.
const MAX_LATENCY_SCAN: u64 = 100_000;

/// Erlang C below which an arrival practically never waits, so more servers cannot
/// lower the response time under the service time.
const NO_WAIT_PROBABILITY: f64 = 1e-9;

/// Response time of the M/M/c model at one N.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QueueMetrics {
    /// Mean response time (wait plus service), in seconds.
    pub mean_response: f64,
    /// Response time at the SLO's percentile, in seconds; `None` for a mean SLO.
    pub percentile_response: Option<f64>,
    /// Mean service time N/X(N), in seconds.
    pub service_time: f64,
    /// Share of time each server is busy, λ/X(N).
    pub utilisation: f64,
    /// Probability that a request waits before service (Erlang C).
    pub wait_probability: f64,
}

impl QueueMetrics {
    /// Returns the value the SLO constrains: the mean or the percentile response time.
    pub fn constrained(&self) -> f64 {
        self.percentile_response.unwrap_or(self.mean_response)
    }
}

/// The goal met at one N.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GoalPoint {
    pub n: u64,
    pub throughput: f64,
    /// Hourly cost, or the cost of one job for a deadline goal.
    pub cost: f64,
    pub queue: Option<QueueMetrics>,
    /// Run time of the job, in seconds, for a deadline goal.
    pub job_time: Option<f64>,
}

/// Reason a goal cannot be met, with the best value the curve reaches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Miss {
    /// Throughput never reaches the target; `reachable` is the most it reaches.
    Throughput { reachable: f64 },
    /// Arrivals reach or exceed the most throughput at any N, so the queue is unstable.
    Unstable { capacity: f64 },
    /// The constrained response time never falls to the SLO; `best` is its lowest value.
    Latency { best: f64, at_n: u64 },
    /// The job never finishes by the deadline; `fastest` is its shortest run time.
    Deadline { fastest: f64, at_n: u64 },
    /// Even N = 1 costs more per hour than the budget.
    Budget { cheapest: f64 },
}

impl Miss {
    /// Returns the best value reached, in the goal's own quantity.
    pub fn reachable(&self) -> f64 {
        match *self {
            Miss::Throughput { reachable } => reachable,
            Miss::Unstable { capacity } => capacity,
            Miss::Latency { best, .. } => best,
            Miss::Deadline { fastest, .. } => fastest,
            Miss::Budget { cheapest } => cheapest,
        }
    }
}

/// M/M/c metrics with N servers each serving X(N)/N per second, or `None` when the
/// queue is unstable.
pub(crate) fn queue_at(
    capacity: &Capacity<'_>,
    n: u64,
    arrival_rate: f64,
    slo: &LatencySlo,
) -> Option<QueueMetrics> {
    let throughput = capacity.throughput(n as f64);
    let queue = MmcQueue::new(arrival_rate, throughput / n as f64, n).ok()?;
    let percentile_response = match *slo {
        LatencySlo::Mean { .. } => None,
        LatencySlo::Percentile { percentile, .. } => Some(queue.response_percentile(percentile)),
    };
    Some(QueueMetrics {
        mean_response: queue.mean_response_time(),
        percentile_response,
        service_time: queue.mean_service_time(),
        utilisation: queue.utilisation(),
        wait_probability: queue.wait_probability(),
    })
}

/// Finds the cheapest whole N that meets `goal` on this curve.
pub(crate) fn cheapest_meeting(
    capacity: &Capacity<'_>,
    cost: &CostModel,
    goal: &Goal,
) -> Result<GoalPoint, Miss> {
    match *goal {
        Goal::Throughput { target } => {
            let n = capacity
                .smallest_n_reaching(target)
                .ok_or(Miss::Throughput {
                    reachable: capacity.max_throughput(),
                })?;
            Ok(GoalPoint {
                n,
                throughput: capacity.throughput(n as f64),
                cost: cost.hourly(n, target),
                queue: None,
                job_time: None,
            })
        }
        Goal::Latency { arrival_rate, slo } => {
            cheapest_for_latency(capacity, cost, arrival_rate, &slo)
        }
        Goal::Deadline { job_size, deadline } => {
            let limit = capacity.rising_limit();
            let Some(first) = capacity.smallest_n_reaching(job_size / deadline) else {
                return Err(Miss::Deadline {
                    fastest: job_size / capacity.max_throughput(),
                    at_n: limit,
                });
            };
            let n = capacity.cheapest_job(cost, job_size, first);
            let throughput = capacity.throughput(n as f64);
            Ok(GoalPoint {
                n,
                throughput,
                cost: cost.job(n, throughput, job_size),
                queue: None,
                job_time: Some(job_size / throughput),
            })
        }
        Goal::Budget { per_hour } => {
            let n = capacity
                .largest_within_budget(cost, per_hour)
                .ok_or_else(|| Miss::Budget {
                    cheapest: cost.hourly(1, capacity.throughput(1.0)),
                })?;
            let throughput = capacity.throughput(n as f64);
            Ok(GoalPoint {
                n,
                throughput,
                cost: cost.hourly(n, throughput),
                queue: None,
                job_time: None,
            })
        }
    }
}

/// Scans N upwards from the first stable N and returns the first N whose response
/// time meets the SLO. The scan stops at the peak, where capacity starts to fall, or
/// once requests no longer wait and the response time (then the service time) rises.
fn cheapest_for_latency(
    capacity: &Capacity<'_>,
    cost: &CostModel,
    arrival_rate: f64,
    slo: &LatencySlo,
) -> Result<GoalPoint, Miss> {
    let Some(first) = capacity.smallest_n_exceeding(arrival_rate) else {
        return Err(Miss::Unstable {
            capacity: capacity.max_throughput(),
        });
    };
    let limit = capacity.rising_limit().min(first + MAX_LATENCY_SCAN);
    let mut best = (f64::INFINITY, first);
    let mut previous = f64::INFINITY;
    for n in first..=limit {
        let Some(metrics) = queue_at(capacity, n, arrival_rate, slo) else {
            continue;
        };
        let value = metrics.constrained();
        if value <= slo.seconds() {
            return Ok(GoalPoint {
                n,
                throughput: capacity.throughput(n as f64),
                cost: cost.hourly(n, arrival_rate),
                queue: Some(metrics),
                job_time: None,
            });
        }
        if value < best.0 {
            best = (value, n);
        }
        if metrics.wait_probability < NO_WAIT_PROBABILITY && value >= previous {
            break;
        }
        previous = value;
    }
    Err(Miss::Latency {
        best: best.0,
        at_n: best.1,
    })
}
