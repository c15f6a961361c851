//! The Pareto frontier of cost against throughput, or against latency for a latency
//! goal: the N at which no cheaper N does as well.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::capacity::Capacity;
use super::goal::queue_at;
use super::{Answers, Context, Estimate, Goal, GoalPlan};

/// Consecutive N listed after the first stable N of a latency goal, where the
/// response time falls fastest.
const LATENCY_STEPS: u64 = 12;

/// One row of the frontier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierRow {
    pub n: u64,
    /// Hourly cost at N; for a latency goal the served rate is the arrival rate.
    pub cost_per_hour: f64,
    /// Throughput at N, in work units per second.
    pub throughput: Estimate,
    /// Efficiency X(N)/(N·X(1)) under the fitted parameters.
    pub efficiency: f64,
    /// Response time the SLO constrains (mean or percentile), in seconds, for a
    /// latency goal.
    pub response_time: Option<Estimate>,
    /// Cost of one job, for a deadline goal.
    pub job_cost: Option<f64>,
    pub extrapolation: bool,
}

/// N values on a grid of 1, 2, 3, 4, 6, 8, 12, 16, … up to `upper`.
fn grid(upper: u64) -> Vec<u64> {
    let mut out = vec![1, 2, 3];
    let mut power = 4u64;
    while power <= upper {
        out.push(power);
        out.push(power + power / 2);
        power *= 2;
    }
    out.retain(|&n| n <= upper);
    out
}

pub(super) fn frontier(
    context: &Context<'_>,
    capacity: &Capacity<'_>,
    point: &Answers,
    goal_plan: Option<&GoalPlan>,
) -> Vec<FrontierRow> {
    let answer_ns: Vec<u64> = [
        point.knee,
        point.best_value,
        point.peak.map(|p| p.2),
        goal_plan.and_then(|g| g.cheapest.whole_n),
    ]
    .into_iter()
    .flatten()
    .collect();
    let upper = match point.peak {
        Some((_, _, whole)) => whole,
        None => {
            let measured = (4.0 * context.fit.max_measured_n).ceil() as u64;
            let answers = answer_ns.iter().copied().max().unwrap_or(1);
            measured.max(answers).min(capacity.max_n())
        }
    };
    let mut candidates = grid(upper);
    candidates.push(upper);
    candidates.extend(&answer_ns);
    let latency = match context.options.goal {
        Some(Goal::Latency { arrival_rate, slo }) => Some((arrival_rate, slo)),
        _ => None,
    };
    if let Some((arrival_rate, _)) = latency {
        if let Some(first) = capacity.smallest_n_exceeding(arrival_rate) {
            candidates.extend(first..=(first + LATENCY_STEPS).min(upper));
        }
    }
    candidates.sort_unstable();
    candidates.dedup();

    let mut rows = Vec::new();
    let mut best_throughput = f64::NEG_INFINITY;
    let mut best_response = f64::INFINITY;
    for n in candidates {
        let throughput = capacity.throughput(n as f64);
        let response = latency.map(|(arrival_rate, slo)| {
            queue_at(capacity, n, arrival_rate, &slo).map(|q| q.constrained())
        });
        let on_frontier = match response {
            Some(value) => value.is_some_and(|r| r < best_response),
            None => throughput > best_throughput,
        };
        if !on_frontier {
            continue;
        }
        best_throughput = best_throughput.max(throughput);
        if let Some(Some(r)) = response {
            best_response = r;
        }
        // Resample intervals only for the rows kept, because each costs one queue
        // model per resample.
        let response_time = latency.map(|(arrival_rate, slo)| {
            let samples = context
                .fit
                .bootstrap_thetas
                .par_iter()
                .filter_map(|theta| {
                    queue_at(&context.capacity(theta), n, arrival_rate, &slo)
                        .map(|q| q.constrained())
                })
                .collect();
            context.estimate(response.flatten(), samples)
        });
        let served = latency.map_or(throughput, |(arrival_rate, _)| arrival_rate);
        let samples = context
            .fit
            .bootstrap_thetas
            .iter()
            .map(|theta| context.capacity(theta).throughput(n as f64))
            .collect();
        let job_cost = match context.options.goal {
            Some(Goal::Deadline { job_size, .. }) => {
                Some(context.options.cost.job(n, throughput, job_size))
            }
            _ => None,
        };
        rows.push(FrontierRow {
            n,
            cost_per_hour: context.options.cost.hourly(n, served),
            throughput: context.estimate(Some(throughput), samples),
            efficiency: capacity.efficiency(n),
            response_time,
            job_cost,
            extrapolation: n as f64 > context.limit,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_doubles_with_midpoints() {
        assert_eq!(grid(20), vec![1, 2, 3, 4, 6, 8, 12, 16]);
        assert_eq!(grid(1), vec![1]);
    }
}
