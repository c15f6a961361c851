//! Planning: the balance points of a fit, each with a bootstrap interval.
//!
//! From a fitted law and a cost model, [`plan`] finds the peak (N*, X(N*)), the roof,
//! the knee (the largest N whose efficiency X(N)/(N·X(1)) stays at or above a
//! threshold), the N with the most throughput per unit of cost, the cheapest whole N
//! that meets a [`Goal`], and the Pareto frontier of cost against throughput or
//! latency. Every answer is computed again under each bootstrap resample of the
//! parameters ([`Fit::bootstrap_thetas`]); the percentiles of those answers give its
//! interval, and the share of resamples in which it exists is reported beside it.
//!
//! Latency under load comes from the M/M/c queue ([`crate::queueing`]): with N servers
//! the system completes X(N) per second, so each server serves μ = X(N)/N.
//!
//! Units: throughput is in work units per second, times in seconds and costs per hour.
//! Run times fitted by a time law ([`crate::laws::JobTime`]) become a throughput of
//! `work_per_run`/T(N), so time-form and throughput-form data give the same plan.

mod capacity;
pub mod configs;
mod frontier;
mod goal;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::fit::Fit;
use crate::law::Law;
use crate::laws;
use crate::stats;

use capacity::Capacity;
pub use configs::{cheapest_configuration, describe_non_monotonic};
pub use frontier::FrontierRow;
pub use goal::QueueMetrics;
use goal::{GoalPoint, Miss};

/// Default efficiency threshold of the knee.
pub const DEFAULT_MIN_EFFICIENCY: f64 = 0.5;

/// Default largest N the searches consider.
pub const DEFAULT_MAX_N: u64 = 1_000_000;

/// Answers beyond this multiple of the largest measured N are marked as
/// extrapolations.
pub const EXTRAPOLATION_FACTOR: f64 = 2.0;

/// Kind of quantity the fitted metric is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum MetricForm {
    /// A rate in work units per second (throughput laws).
    Throughput,
    /// The run time in seconds of a job of `work_per_run` work units (time laws).
    Time { work_per_run: f64 },
}

/// Running cost of N workers or nodes.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct CostModel {
    /// Cost of one worker or node per hour.
    pub per_unit_hour: f64,
    /// Cost per hour that does not depend on N.
    pub fixed_hour: f64,
    /// Cost of one request or work unit served.
    pub per_request: f64,
}

impl CostModel {
    /// Cost per hour of N units serving `served_rate` work units per second.
    pub fn hourly(&self, n: u64, served_rate: f64) -> f64 {
        self.fixed_hour + self.per_unit_hour * n as f64 + self.per_request * served_rate * 3600.0
    }

    /// Cost of one job of `job_size` work units on N units running at `throughput`.
    pub fn job(&self, n: u64, throughput: f64, job_size: f64) -> f64 {
        let hours = job_size / throughput / 3600.0;
        (self.fixed_hour + self.per_unit_hour * n as f64) * hours + self.per_request * job_size
    }
}

/// A latency service-level objective.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum LatencySlo {
    /// The mean response time stays at or below `seconds`.
    Mean { seconds: f64 },
    /// The response time at probability `percentile` (0.99 for p99) stays at or below
    /// `seconds`.
    Percentile { percentile: f64, seconds: f64 },
}

impl LatencySlo {
    /// Returns the response time limit in seconds.
    pub fn seconds(&self) -> f64 {
        match *self {
            LatencySlo::Mean { seconds } | LatencySlo::Percentile { seconds, .. } => seconds,
        }
    }
}

/// Requirement the cheapest N has to meet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Goal {
    /// Throughput of at least `target` work units per second.
    Throughput { target: f64 },
    /// Poisson arrivals at `arrival_rate` per second served within the SLO.
    Latency { arrival_rate: f64, slo: LatencySlo },
    /// A job of `job_size` work units finished within `deadline` seconds, at the
    /// lowest cost per job.
    Deadline { job_size: f64, deadline: f64 },
    /// Maximum throughput whose hourly cost stays within `per_hour`.
    Budget { per_hour: f64 },
}

/// Settings of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    pub cost: CostModel,
    pub goal: Option<Goal>,
    /// Efficiency threshold of the knee, in (0, 1].
    pub min_efficiency: f64,
    /// Largest N the searches consider.
    pub max_n: u64,
    pub form: MetricForm,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            cost: CostModel::default(),
            goal: None,
            min_efficiency: DEFAULT_MIN_EFFICIENCY,
            max_n: DEFAULT_MAX_N,
            form: MetricForm::Throughput,
        }
    }
}

/// Invalid plan settings, each naming the setting to fix.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PlanError {
    #[error("invalid {name}: {value} (it must be a finite number {requirement})")]
    InvalidSetting {
        name: &'static str,
        value: f64,
        requirement: &'static str,
    },
    #[error("no cost given: set a cost per unit, a fixed cost or a cost per request")]
    NoCost,
    #[error("unknown law `{0}` in the fit; planning knows {1}")]
    UnknownLaw(String, String),
    #[error("the {law} law's metric is {actual}, but the plan was asked to read it as {expected}")]
    WrongForm {
        law: String,
        actual: &'static str,
        expected: &'static str,
    },
    #[error("the saved {law} fit has {got} parameters, but the law has {expected}")]
    ParameterCount {
        law: String,
        expected: usize,
        got: usize,
    },
    #[error(
        "the fit's parameters give no positive throughput at N = 1, so there is nothing to plan"
    )]
    NoThroughput,
    #[error(
        "the latency SLO of {} s is at or below the {what} of {} s that a request takes \
         without waiting even at the most efficient N = {n}, so no N can meet it; raise the \
         SLO above the service time",
        stats::format_sig(*slo, 4),
        stats::format_sig(*floor, 4)
    )]
    SloBelowServiceTime {
        slo: f64,
        what: &'static str,
        floor: f64,
        n: u64,
    },
}

/// A value with its bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Estimate {
    /// Value under the fitted parameters; `None` when it does not exist for them.
    pub value: Option<f64>,
    /// Percentile interval over the resamples in which the value exists.
    pub interval: Option<(f64, f64)>,
    /// Share of resamples in which the value exists; `None` without resamples.
    pub share: Option<f64>,
}

impl Estimate {
    /// Rounds the interval outward to whole numbers, for answers that are counts.
    fn whole(mut self) -> Self {
        self.interval = self.interval.map(|(low, high)| (low.floor(), high.ceil()));
        self
    }

    fn from_samples(value: Option<f64>, mut samples: Vec<f64>, total: usize, level: f64) -> Self {
        samples.retain(|v| v.is_finite());
        Self {
            value: value.filter(|v| v.is_finite()),
            share: (total > 0).then(|| samples.len() as f64 / total as f64),
            interval: stats::percentile_interval(&mut samples, level),
        }
    }
}

/// One balance point: an N with its throughput and cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalancePoint {
    /// N; real-valued for the peak N*, a whole count of workers or nodes otherwise.
    pub n: Estimate,
    /// The whole N that `throughput` and `cost` refer to, under the fitted parameters.
    pub whole_n: Option<u64>,
    /// Throughput at N, in work units per second.
    pub throughput: Estimate,
    /// Cost per hour at N, or per job for a deadline goal.
    pub cost: Estimate,
    /// Whether N lies beyond [`EXTRAPOLATION_FACTOR`] times the largest measured N.
    pub extrapolation: bool,
    /// Reason the point does not exist under the fitted parameters.
    pub note: Option<String>,
}

/// How far a goal that cannot be met is from being met.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShortfallKind {
    /// Throughput target above the most throughput reachable (work units per second).
    Throughput,
    /// Arrival rate at or above the most throughput reachable (per second).
    Unstable,
    /// SLO below the lowest response time reachable (seconds).
    Latency,
    /// Deadline below the shortest job time reachable (seconds).
    Deadline,
    /// Budget below the hourly cost of N = 1.
    Budget,
}

/// The gap between a goal and the best the fit reaches.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Shortfall {
    pub kind: ShortfallKind,
    /// The goal's value (target throughput, arrival rate, SLO, deadline or budget).
    pub requested: f64,
    /// The best value reached, in the same unit.
    pub reachable: Estimate,
    /// The N at which `reachable` is reached, where it is reached at one N.
    pub at_n: Option<u64>,
}

/// M/M/c response times at the cheapest N, each with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QueueEstimate {
    pub mean_response: Estimate,
    pub percentile_response: Estimate,
    pub service_time: Estimate,
    pub utilisation: Estimate,
    pub wait_probability: Estimate,
}

/// The cheapest N for a goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalPlan {
    pub goal: Goal,
    /// Whether the goal can be met under the fitted parameters.
    pub met: bool,
    pub cheapest: BalancePoint,
    /// Queue metrics at the cheapest N, for a latency goal.
    pub queue: Option<QueueEstimate>,
    /// Run time of the job at the cheapest N in seconds, for a deadline goal.
    pub job_time: Option<Estimate>,
    /// How far the goal is out of reach, when it is.
    pub shortfall: Option<Shortfall>,
}

/// The balance points of one fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Identifier of the fitted law.
    pub law: String,
    pub form: MetricForm,
    pub cost_model: CostModel,
    pub min_efficiency: f64,
    pub confidence: f64,
    /// Number of bootstrap resamples the intervals come from.
    pub resamples: usize,
    /// Largest N measured.
    pub max_measured_n: f64,
    /// N beyond which an answer is an extrapolation.
    pub extrapolation_limit: f64,
    /// Most throughput at any N, with N* real-valued.
    pub peak: BalancePoint,
    /// Throughput limit as N grows (γ/α for the USL), in work units per second.
    pub roof: Estimate,
    /// Largest whole N whose efficiency stays at or above `min_efficiency`.
    pub knee: BalancePoint,
    /// Whole N with the most throughput per unit of hourly cost.
    pub best_value: BalancePoint,
    pub goal: Option<GoalPlan>,
    /// Pareto frontier of cost against throughput, or against latency for a latency
    /// goal, cheapest first.
    pub frontier: Vec<FrontierRow>,
    /// Assumptions of the models behind the answers.
    pub assumptions: Vec<String>,
}

/// A fitted law as planning needs it: the law, its estimates and their bootstrap
/// resamples. Built from a [`Fit`], or from a saved fit that kept only some fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLaw {
    /// Law identifier (`usl`, `job-time`).
    pub law: String,
    /// Parameter estimates in the law's order.
    pub theta: Vec<f64>,
    /// Bootstrap resamples of `theta`; empty when the fit kept none, so answers then
    /// have no intervals.
    pub bootstrap_thetas: Vec<Vec<f64>>,
    /// Largest N measured.
    pub max_measured_n: f64,
    /// Two-sided level of every interval.
    pub confidence: f64,
}

impl From<&Fit> for FittedLaw {
    fn from(fit: &Fit) -> Self {
        Self {
            law: fit.law.clone(),
            theta: fit.theta(),
            bootstrap_thetas: fit.bootstrap_thetas.clone(),
            max_measured_n: fit.max_x,
            confidence: fit.confidence,
        }
    }
}

/// Every balance point of one parameter vector.
struct Answers {
    peak: Option<(f64, f64, u64)>,
    roof: Option<f64>,
    knee: Option<u64>,
    best_value: Option<u64>,
    goal: Option<Result<GoalPoint, Miss>>,
}

fn answers(capacity: &Capacity<'_>, options: &PlanOptions) -> Answers {
    if !capacity.is_valid() {
        return Answers {
            peak: None,
            roof: None,
            knee: None,
            best_value: None,
            goal: None,
        };
    }
    Answers {
        peak: capacity.peak().map(|(n, x)| (n, x, capacity.peak_whole())),
        roof: capacity.roof(),
        knee: capacity.knee(options.min_efficiency),
        best_value: capacity.best_value(&options.cost),
        goal: options
            .goal
            .as_ref()
            .map(|goal| goal::cheapest_meeting(capacity, &options.cost, goal)),
    }
}

/// Finds the balance points of `fit` with bootstrap intervals from its resamples.
pub fn plan(fit: &Fit, options: &PlanOptions) -> Result<Plan, PlanError> {
    plan_fitted(&FittedLaw::from(fit), options)
}

/// Finds the balance points of a fitted law, as [`plan`] does for a [`Fit`].
pub fn plan_fitted(fit: &FittedLaw, options: &PlanOptions) -> Result<Plan, PlanError> {
    let law = laws::any_by_id(&fit.law).ok_or_else(|| {
        let mut known = laws::ids();
        known.extend(laws::time_laws().iter().map(|law| law.id()));
        PlanError::UnknownLaw(fit.law.clone(), known.join(", "))
    })?;
    if fit.theta.len() != law.params().len() {
        return Err(PlanError::ParameterCount {
            law: fit.law.clone(),
            expected: law.params().len(),
            got: fit.theta.len(),
        });
    }
    if let Some(bad) = fit
        .bootstrap_thetas
        .iter()
        .find(|t| t.len() != fit.theta.len())
    {
        return Err(PlanError::ParameterCount {
            law: fit.law.clone(),
            expected: fit.theta.len(),
            got: bad.len(),
        });
    }
    check_options(law.as_ref(), &fit.theta, options)?;
    let theta = fit.theta.clone();
    let capacity = Capacity::new(law.as_ref(), &theta, options.form, options.max_n);
    if !capacity.is_valid() {
        return Err(PlanError::NoThroughput);
    }
    if let Some(Goal::Latency { slo, .. }) = &options.goal {
        check_slo(&capacity, slo)?;
    }

    let point = answers(&capacity, options);
    let resampled: Vec<Answers> = fit
        .bootstrap_thetas
        .par_iter()
        .map(|theta| {
            let capacity = Capacity::new(law.as_ref(), theta, options.form, options.max_n);
            answers(&capacity, options)
        })
        .collect();
    let context = Context {
        law: law.as_ref(),
        fit,
        options,
        level: fit.confidence,
        limit: EXTRAPOLATION_FACTOR * fit.max_measured_n,
    };

    let peak = context.peak(&point, &resampled);
    let roof = Estimate::from_samples(
        point.roof,
        resampled.iter().filter_map(|a| a.roof).collect(),
        resampled.len(),
        context.level,
    );
    let knee = context.whole_point(
        point.knee,
        resampled.iter().map(|a| a.knee).collect(),
        "efficiency stays at or above the threshold up to the largest N searched",
    );
    let best_value = context.whole_point(
        point.best_value,
        resampled.iter().map(|a| a.best_value).collect(),
        "throughput per unit cost still rises at the largest N searched",
    );
    let goal_plan = options
        .goal
        .map(|goal| context.goal_plan(goal, &capacity, &point, &resampled));
    let frontier = frontier::frontier(&context, &capacity, &point, goal_plan.as_ref());

    let mut assumptions = vec![format!(
        "throughput follows the fitted {}; whole N from 1 to {} is searched, \
         assuming throughput rises to at most one peak",
        law.name(),
        options.max_n
    )];
    if let Some(Goal::Latency { .. }) = options.goal {
        assumptions.push(
            "latency comes from an M/M/c queue: Poisson arrivals, exponential service \
             times, first-come first-served, an infinite queue, and N servers that each \
             serve X(N)/N per second"
                .to_string(),
        );
    }
    if let MetricForm::Time { work_per_run } = options.form {
        assumptions.push(format!(
            "each measured run does {work_per_run} work units, and run time grows in \
             proportion to the work"
        ));
    }

    Ok(Plan {
        law: fit.law.clone(),
        form: options.form,
        cost_model: options.cost,
        min_efficiency: options.min_efficiency,
        confidence: fit.confidence,
        resamples: resampled.len(),
        max_measured_n: fit.max_measured_n,
        extrapolation_limit: context.limit,
        peak,
        roof,
        knee,
        best_value,
        goal: goal_plan,
        frontier,
        assumptions,
    })
}

/// Inputs shared by every aggregation step.
struct Context<'a> {
    law: &'a dyn Law,
    fit: &'a FittedLaw,
    options: &'a PlanOptions,
    level: f64,
    limit: f64,
}

impl Context<'_> {
    fn capacity<'t>(&'t self, theta: &'t [f64]) -> Capacity<'t> {
        Capacity::new(self.law, theta, self.options.form, self.options.max_n)
    }

    fn estimate(&self, value: Option<f64>, samples: Vec<f64>) -> Estimate {
        Estimate::from_samples(value, samples, self.fit.bootstrap_thetas.len(), self.level)
    }

    fn peak(&self, point: &Answers, resampled: &[Answers]) -> BalancePoint {
        let theta = self.fit.theta.clone();
        let capacity = self.capacity(&theta);
        let cost_at = |capacity: &Capacity<'_>, whole: u64| {
            self.options
                .cost
                .hourly(whole, capacity.throughput(whole as f64))
        };
        let mut costs = Vec::new();
        for (answers, theta) in resampled.iter().zip(&self.fit.bootstrap_thetas) {
            if let Some((_, _, whole)) = answers.peak {
                costs.push(cost_at(&self.capacity(theta), whole));
            }
        }
        let n = point.peak.map(|p| p.0);
        BalancePoint {
            n: self.estimate(
                n,
                resampled
                    .iter()
                    .filter_map(|a| a.peak.map(|p| p.0))
                    .collect(),
            ),
            whole_n: point.peak.map(|p| p.2),
            throughput: self.estimate(
                point.peak.map(|p| p.1),
                resampled
                    .iter()
                    .filter_map(|a| a.peak.map(|p| p.1))
                    .collect(),
            ),
            cost: self.estimate(point.peak.map(|p| cost_at(&capacity, p.2)), costs),
            extrapolation: n.is_some_and(|n| n > self.limit),
            note: point
                .peak
                .is_none()
                .then(|| "no peak: throughput still rises at the largest N searched".to_string()),
        }
    }

    /// Builds a balance point at a whole N, with throughput and hourly cost at that N
    /// under each resample.
    fn whole_point(&self, n: Option<u64>, resampled: Vec<Option<u64>>, note: &str) -> BalancePoint {
        let theta = self.fit.theta.clone();
        let capacity = self.capacity(&theta);
        let mut ns = Vec::new();
        let mut throughputs = Vec::new();
        let mut costs = Vec::new();
        for (whole, theta) in resampled.iter().zip(&self.fit.bootstrap_thetas) {
            let Some(whole) = *whole else { continue };
            let throughput = self.capacity(theta).throughput(whole as f64);
            ns.push(whole as f64);
            throughputs.push(throughput);
            costs.push(self.options.cost.hourly(whole, throughput));
        }
        let throughput = n.map(|n| capacity.throughput(n as f64));
        BalancePoint {
            n: self.estimate(n.map(|n| n as f64), ns).whole(),
            whole_n: n,
            throughput: self.estimate(throughput, throughputs),
            cost: self.estimate(
                n.zip(throughput)
                    .map(|(n, x)| self.options.cost.hourly(n, x)),
                costs,
            ),
            extrapolation: n.is_some_and(|n| n as f64 > self.limit),
            note: n.is_none().then(|| note.to_string()),
        }
    }

    fn goal_plan(
        &self,
        goal: Goal,
        capacity: &Capacity<'_>,
        point: &Answers,
        resampled: &[Answers],
    ) -> GoalPlan {
        let outcome = point.goal.expect("the goal is evaluated when one is set");
        let met_samples: Vec<&GoalPoint> = resampled
            .iter()
            .filter_map(|a| a.goal.as_ref().and_then(|g| g.as_ref().ok()))
            .collect();
        let met_point = outcome.ok();
        let collect = |get: &dyn Fn(&GoalPoint) -> Option<f64>| -> Estimate {
            self.estimate(
                met_point.as_ref().and_then(get),
                met_samples.iter().filter_map(|g| get(g)).collect(),
            )
        };
        let n = met_point.map(|g| g.n);
        let cheapest = BalancePoint {
            n: collect(&|g| Some(g.n as f64)).whole(),
            whole_n: n,
            throughput: collect(&|g| Some(g.throughput)),
            cost: collect(&|g| Some(g.cost)),
            extrapolation: n.is_some_and(|n| n as f64 > self.limit),
            note: outcome
                .err()
                .map(|_| "the goal cannot be met at any N".to_string()),
        };
        let queue = matches!(goal, Goal::Latency { .. }).then(|| QueueEstimate {
            mean_response: collect(&|g| g.queue.map(|q| q.mean_response)),
            percentile_response: collect(&|g| g.queue.and_then(|q| q.percentile_response)),
            service_time: collect(&|g| g.queue.map(|q| q.service_time)),
            utilisation: collect(&|g| g.queue.map(|q| q.utilisation)),
            wait_probability: collect(&|g| g.queue.map(|q| q.wait_probability)),
        });
        let job_time = matches!(goal, Goal::Deadline { .. }).then(|| collect(&|g| g.job_time));
        let shortfall = outcome
            .err()
            .map(|miss| self.shortfall(goal, miss, capacity, resampled));
        GoalPlan {
            goal,
            met: outcome.is_ok(),
            cheapest,
            queue,
            job_time,
            shortfall,
        }
    }

    fn shortfall(
        &self,
        goal: Goal,
        miss: Miss,
        capacity: &Capacity<'_>,
        resampled: &[Answers],
    ) -> Shortfall {
        let (kind, requested) = match (goal, miss) {
            (Goal::Throughput { target }, _) => (ShortfallKind::Throughput, target),
            (Goal::Latency { arrival_rate, .. }, Miss::Unstable { .. }) => {
                (ShortfallKind::Unstable, arrival_rate)
            }
            (Goal::Latency { slo, .. }, _) => (ShortfallKind::Latency, slo.seconds()),
            (Goal::Deadline { deadline, .. }, _) => (ShortfallKind::Deadline, deadline),
            (Goal::Budget { per_hour }, _) => (ShortfallKind::Budget, per_hour),
        };
        let at_n = match miss {
            Miss::Latency { at_n, .. } | Miss::Deadline { at_n, .. } => Some(at_n),
            Miss::Throughput { .. } | Miss::Unstable { .. } => Some(capacity.peak_whole()),
            Miss::Budget { .. } => Some(1),
        }
        .filter(|&n| n < self.options.max_n);
        let samples = resampled
            .iter()
            .filter_map(|a| match a.goal {
                Some(Err(other))
                    if std::mem::discriminant(&other) == std::mem::discriminant(&miss) =>
                {
                    Some(other.reachable())
                }
                _ => None,
            })
            .collect();
        Shortfall {
            kind,
            requested,
            reachable: self.estimate(Some(miss.reachable()), samples),
            at_n,
        }
    }
}

fn check_options(law: &dyn Law, theta: &[f64], options: &PlanOptions) -> Result<(), PlanError> {
    let cost = &options.cost;
    for (name, value) in [
        ("cost per unit", cost.per_unit_hour),
        ("fixed cost", cost.fixed_hour),
        ("cost per request", cost.per_request),
    ] {
        non_negative(name, value)?;
    }
    if cost.per_unit_hour == 0.0 && cost.fixed_hour == 0.0 && cost.per_request == 0.0 {
        return Err(PlanError::NoCost);
    }
    if !(options.min_efficiency > 0.0 && options.min_efficiency <= 1.0) {
        return Err(PlanError::InvalidSetting {
            name: "minimum efficiency",
            value: options.min_efficiency,
            requirement: "above 0 and at most 1",
        });
    }
    if options.max_n < 2 {
        return Err(PlanError::InvalidSetting {
            name: "largest N searched",
            value: options.max_n as f64,
            requirement: "of at least 2",
        });
    }
    match options.goal {
        None => {}
        Some(Goal::Throughput { target }) => positive("target throughput", target)?,
        Some(Goal::Latency { arrival_rate, slo }) => {
            positive("arrival rate", arrival_rate)?;
            positive("latency SLO", slo.seconds())?;
            if let LatencySlo::Percentile { percentile, .. } = slo {
                if !(percentile > 0.0 && percentile < 1.0) {
                    return Err(PlanError::InvalidSetting {
                        name: "SLO percentile",
                        value: percentile * 100.0,
                        requirement: "strictly between 0 and 100",
                    });
                }
            }
        }
        Some(Goal::Deadline { job_size, deadline }) => {
            positive("job size", job_size)?;
            positive("deadline", deadline)?;
        }
        Some(Goal::Budget { per_hour }) => positive("budget", per_hour)?,
    }

    let is_time_law = laws::time_laws().iter().any(|l| l.id() == law.id());
    match options.form {
        MetricForm::Throughput if is_time_law => Err(PlanError::WrongForm {
            law: law.name().to_string(),
            actual: "a run time",
            expected: "a throughput",
        }),
        MetricForm::Throughput if law.unit_rate(theta).is_none() => Err(PlanError::WrongForm {
            law: law.name().to_string(),
            actual: "neither a rate nor a time",
            expected: "a throughput",
        }),
        MetricForm::Time { .. } if !is_time_law => Err(PlanError::WrongForm {
            law: law.name().to_string(),
            actual: "not a run time",
            expected: "a run time",
        }),
        MetricForm::Time { work_per_run } => positive("work per run", work_per_run),
        MetricForm::Throughput => Ok(()),
    }
}

/// Rejects an SLO that no N can meet even without queueing: the service time (or its
/// percentile) at the most efficient N already exceeds it.
fn check_slo(capacity: &Capacity<'_>, slo: &LatencySlo) -> Result<(), PlanError> {
    let limit = capacity.rising_limit();
    let n = capacity::argmax_unimodal(1, limit, |n| capacity.efficiency(n));
    let service_time = n as f64 / capacity.throughput(n as f64);
    let (what, floor) = match *slo {
        LatencySlo::Mean { .. } => ("mean service time", service_time),
        LatencySlo::Percentile { percentile, .. } => (
            "service time at that percentile",
            -(1.0 - percentile).ln() * service_time,
        ),
    };
    if slo.seconds() <= floor {
        return Err(PlanError::SloBelowServiceTime {
            slo: slo.seconds(),
            what,
            floor,
            n,
        });
    }
    Ok(())
}

fn positive(name: &'static str, value: f64) -> Result<(), PlanError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(PlanError::InvalidSetting {
            name,
            value,
            requirement: "above zero",
        })
    }
}

fn non_negative(name: &'static str, value: f64) -> Result<(), PlanError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(PlanError::InvalidSetting {
            name,
            value,
            requirement: "at or above zero",
        })
    }
}
