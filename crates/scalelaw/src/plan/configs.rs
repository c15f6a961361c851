//! Comparing plans of several configurations (instance types, say) fitted one by one.

use crate::fit::PointFit;
use crate::stats::format_sig;

use super::{Goal, MetricForm, Plan};

/// Index of the plan whose goal is met most cheaply: the lowest cost per job for a
/// deadline, the most throughput for a budget (the lower cost on a tie), and the
/// lowest hourly cost otherwise. `None` when no plan meets its goal.
pub fn cheapest_configuration(plans: &[&Plan]) -> Option<usize> {
    let mut best: Option<(usize, f64, f64)> = None;
    for (index, plan) in plans.iter().enumerate() {
        let Some(goal) = plan.goal.as_ref().filter(|g| g.met) else {
            continue;
        };
        let (Some(cost), Some(throughput)) =
            (goal.cheapest.cost.value, goal.cheapest.throughput.value)
        else {
            continue;
        };
        let better = match best {
            None => true,
            Some((_, best_cost, best_throughput)) => match goal.goal {
                Goal::Budget { .. } => {
                    throughput > best_throughput
                        || (throughput == best_throughput && cost < best_cost)
                }
                _ => cost < best_cost,
            },
        };
        if better {
            best = Some((index, cost, throughput));
        }
    }
    best.map(|(index, _, _)| index)
}

/// Describes where the measured means break the shape a scalability law can follow,
/// or returns `None` when they do not: a run time that rises as N grows, or a
/// throughput that falls and then rises again.
pub fn describe_non_monotonic(points: &[PointFit], form: MetricForm) -> Option<String> {
    let n_of = |point: &PointFit| format_sig(point.x[0], 6);
    match form {
        MetricForm::Time { .. } => points.windows(2).find_map(|pair| {
            (pair[1].mean > pair[0].mean).then(|| {
                format!(
                    "run time rises from {} at N = {} to {} at N = {}",
                    format_sig(pair[0].mean, 4),
                    n_of(&pair[0]),
                    format_sig(pair[1].mean, 4),
                    n_of(&pair[1])
                )
            })
        }),
        MetricForm::Throughput => {
            let mut fell_at: Option<&PointFit> = None;
            for pair in points.windows(2) {
                if pair[1].mean < pair[0].mean {
                    fell_at.get_or_insert(&pair[1]);
                } else if pair[1].mean > pair[0].mean {
                    if let Some(fell) = fell_at {
                        return Some(format!(
                            "throughput falls by N = {} and rises again at N = {}",
                            n_of(fell),
                            n_of(&pair[1])
                        ));
                    }
                }
            }
            None
        }
    }
}
