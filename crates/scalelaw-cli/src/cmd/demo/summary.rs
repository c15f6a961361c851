//! The demo's explained summary: what was measured, which law fits and why, and the
//! balance points, in the four output formats.

use std::path::PathBuf;

use scalelaw::plan::{self, BalancePoint, CostModel, Estimate, Goal, Plan, PlanOptions};
use scalelaw::select::Comparison;
use scalelaw::{Fit, Observations};
use serde_json::json;

use super::{DemoArgs, DemoRun};
use crate::output::{self, Format};

/// Inputs of the summary besides the runs and the fits.
pub struct Context<'a> {
    pub args: &'a DemoArgs,
    pub cores: usize,
    pub global_batch: usize,
    pub sweep_seconds: f64,
    pub observations_path: PathBuf,
    pub report_path: Option<PathBuf>,
}

/// Measured means of one worker count.
struct PointRow {
    workers: usize,
    runs: usize,
    mean: f64,
    std_dev: f64,
    compute_ms: f64,
    allreduce_ms: f64,
    efficiency: f64,
}

fn point_rows(runs: &[DemoRun], observations: &Observations) -> Vec<PointRow> {
    let points = observations.points();
    let single = points
        .iter()
        .find(|p| p.x[0] == 1.0)
        .map(|p| p.mean)
        .unwrap_or(f64::NAN);
    points
        .iter()
        .map(|point| {
            let workers = point.x[0] as usize;
            let mine: Vec<&DemoRun> = runs.iter().filter(|r| r.workers == workers).collect();
            let mean_of = |f: &dyn Fn(&DemoRun) -> f64| {
                mine.iter().map(|r| f(r)).sum::<f64>() / mine.len() as f64
            };
            PointRow {
                workers,
                runs: point.runs,
                mean: point.mean,
                std_dev: point.std_dev,
                compute_ms: mean_of(&|r| r.report.compute_ms),
                allreduce_ms: mean_of(&|r| r.report.allreduce_ms),
                efficiency: point.mean / (workers as f64 * single),
            }
        })
        .collect()
}

/// Returns the plan's target throughput and whether the user gave it: the user's, or 90%
/// of the best measured mean.
pub fn target(args: &DemoArgs, observations: &Observations) -> (f64, bool) {
    match args.target_throughput {
        Some(target) => (target, true),
        None => {
            let best = observations
                .points()
                .iter()
                .map(|p| p.mean)
                .fold(0.0, f64::max);
            (0.9 * best, false)
        }
    }
}

/// Finds the balance points of the chosen fit with the demo's cost model and target.
pub fn make_plan(fit: &Fit, args: &DemoArgs, target: f64) -> Result<Plan, plan::PlanError> {
    let options = PlanOptions {
        cost: CostModel {
            per_unit_hour: args.cost_per_worker,
            ..CostModel::default()
        },
        goal: Some(Goal::Throughput { target }),
        min_efficiency: args.min_efficiency,
        ..PlanOptions::default()
    };
    plan::plan(fit, &options)
}

/// Renders the summary in the format the user chose.
pub fn render(
    context: &Context<'_>,
    runs: &[DemoRun],
    observations: &Observations,
    comparison: &Comparison,
    plan: Option<&Result<Plan, plan::PlanError>>,
) -> String {
    let rows = point_rows(runs, observations);
    let (target, target_given) = target(context.args, observations);
    match context.args.format {
        Format::Json => render_json(context, &rows, comparison, plan, target),
        Format::Csv => render_csv(&rows),
        Format::Table | Format::Markdown => {
            render_text(context, &rows, comparison, plan, target, target_given)
        }
    }
}

fn interval_text(estimate: &Estimate) -> String {
    match estimate.interval {
        Some((low, high)) => format!(" [{}, {}]", output::sig(low, 3), output::sig(high, 3)),
        None => String::new(),
    }
}

fn point_text(point: &BalancePoint, unit: &str) -> String {
    match (point.whole_n, point.throughput.value) {
        (Some(n), Some(x)) => {
            let extrapolated = if point.extrapolation {
                " (an extrapolation beyond the measured workers)"
            } else {
                ""
            };
            let plural = if n == 1 { "" } else { "s" };
            format!(
                "{n} worker{plural}{}, {} {unit}{}{extrapolated}",
                interval_text(&point.n),
                output::sig(x, 4),
                interval_text(&point.throughput)
            )
        }
        _ => point
            .note
            .clone()
            .unwrap_or_else(|| "does not exist for this fit".to_string()),
    }
}

fn render_text(
    context: &Context<'_>,
    rows: &[PointRow],
    comparison: &Comparison,
    plan: Option<&Result<Plan, plan::PlanError>>,
    target: f64,
    target_given: bool,
) -> String {
    let args = context.args;
    let mut out = String::new();
    let level = output::percent(0.95);
    out.push_str(&format!(
        "\nMeasured: {} runs of data-parallel MLP training in {:.0} s on {} cores \
         (strong scaling, global batch {}), saved to {}\n\n",
        rows.iter().map(|r| r.runs).sum::<usize>(),
        context.sweep_seconds,
        context.cores,
        context.global_batch,
        context.observations_path.display()
    ));
    let mut table = output::Table::new(&[
        "workers",
        "runs",
        "samples/s",
        "sd",
        "compute ms",
        "allreduce ms",
        "efficiency",
    ]);
    for row in rows {
        table.push(vec![
            row.workers.to_string(),
            row.runs.to_string(),
            output::sig(row.mean, 4),
            output::sig(row.std_dev, 2),
            output::sig(row.compute_ms, 3),
            output::sig(row.allreduce_ms, 3),
            format!("{:.0}%", 100.0 * row.efficiency),
        ]);
    }
    if args.format == Format::Markdown {
        out.push_str(&table.to_markdown());
    } else {
        out.push_str(&table.to_text(2));
    }
    out.push('\n');

    let Some(fit) = comparison.chosen_fit() else {
        out.push_str(&format!("No law could be fitted: {}\n", comparison.reason));
        return out;
    };
    out.push_str(&format!(
        "Law: {} ({}), because {}.\n",
        fit.law_name, fit.formula, comparison.reason
    ));
    let params: Vec<String> = fit
        .params
        .iter()
        .map(|p| {
            let interval = p
                .bootstrap_interval
                .map(|(l, h)| format!(" [{}, {}]", output::sig(l, 3), output::sig(h, 3)))
                .unwrap_or_default();
            format!("{} = {}{interval}", p.name, output::sig(p.value, 4))
        })
        .collect();
    out.push_str(&format!(
        "Parameters ({level} bootstrap intervals): {}\n",
        params.join(", ")
    ));
    out.push_str(&format!(
        "Regime: {}: {}.\n",
        fit.regime.kind.label(),
        fit.regime.reason
    ));
    for warning in &fit.warnings {
        out.push_str(&format!("Warning: {warning}\n"));
    }

    out.push_str(&format!(
        "\nBalance points (cost {} per worker-hour; {level} intervals):\n",
        output::sig(args.cost_per_worker, 3)
    ));
    match plan {
        Some(Ok(plan)) => {
            let peak = match (plan.peak.n.value, plan.peak.throughput.value) {
                (Some(n), Some(x)) => format!(
                    "N* = {}{} workers, {} samples/s{}{}",
                    output::sig(n, 3),
                    interval_text(&plan.peak.n),
                    output::sig(x, 4),
                    interval_text(&plan.peak.throughput),
                    if plan.peak.extrapolation {
                        " (an extrapolation beyond the measured workers)"
                    } else {
                        ""
                    }
                ),
                _ => plan
                    .peak
                    .note
                    .clone()
                    .unwrap_or_else(|| "no peak".to_string()),
            };
            out.push_str(&format!("  peak:        {peak}\n"));
            out.push_str(&format!(
                "  knee:        {} (the most workers still at {:.0}% efficiency or more)\n",
                point_text(&plan.knee, "samples/s"),
                100.0 * args.min_efficiency
            ));
            out.push_str(&format!(
                "  best value:  {} (the most samples/s per unit of cost)\n",
                point_text(&plan.best_value, "samples/s")
            ));
            if let Some(goal) = &plan.goal {
                let origin = if target_given {
                    "your target".to_string()
                } else {
                    "90% of the best measured throughput".to_string()
                };
                if goal.met {
                    out.push_str(&format!(
                        "  cheapest for {} samples/s ({origin}): {}\n",
                        output::sig(target, 4),
                        point_text(&goal.cheapest, "samples/s")
                    ));
                } else {
                    let reachable = goal
                        .shortfall
                        .and_then(|s| s.reachable.value)
                        .map(|v| output::sig(v, 4))
                        .unwrap_or_else(|| "unknown".to_string());
                    out.push_str(&format!(
                        "  target {} samples/s ({origin}) cannot be met: the fit reaches at \
                         most {reachable} samples/s\n",
                        output::sig(target, 4)
                    ));
                }
            }
        }
        Some(Err(err)) => out.push_str(&format!("  no plan: {err}\n")),
        None => out.push_str("  no plan: no law was chosen\n"),
    }
    if let Some(path) = &context.report_path {
        out.push_str(&format!("\nReport: {}\n", path.display()));
    }
    out
}

fn estimate_json(estimate: &Estimate) -> serde_json::Value {
    json!({
        "value": estimate.value.map(output::json_number),
        "interval": estimate.interval.map(|(l, h)| json!([output::json_number(l), output::json_number(h)])),
    })
}

fn render_json(
    context: &Context<'_>,
    rows: &[PointRow],
    comparison: &Comparison,
    plan: Option<&Result<Plan, plan::PlanError>>,
    target: f64,
) -> String {
    let points: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!({
                "workers": r.workers,
                "runs": r.runs,
                "samples_per_s": output::json_number(r.mean),
                "std_dev": output::json_number(r.std_dev),
                "compute_ms": output::json_number(r.compute_ms),
                "allreduce_ms": output::json_number(r.allreduce_ms),
                "efficiency": output::json_number(r.efficiency),
            })
        })
        .collect();
    let fit = comparison.chosen_fit();
    let plan_json = match plan {
        Some(Ok(plan)) => json!({
            "peak_n": estimate_json(&plan.peak.n),
            "peak_throughput": estimate_json(&plan.peak.throughput),
            "knee_workers": plan.knee.whole_n,
            "best_value_workers": plan.best_value.whole_n,
            "target_throughput": output::json_number(target),
            "target_met": plan.goal.as_ref().map(|g| g.met),
            "cheapest_workers": plan.goal.as_ref().and_then(|g| g.cheapest.whole_n),
        }),
        Some(Err(err)) => json!({ "error": err.to_string() }),
        None => serde_json::Value::Null,
    };
    let document = json!({
        "command": "demo",
        "schema_version": 1,
        "cores": context.cores,
        "global_batch": context.global_batch,
        "sweep_seconds": output::json_number(context.sweep_seconds),
        "observations": context.observations_path,
        "report": context.report_path,
        "points": points,
        "chosen_law": fit.map(|f| f.law.clone()),
        "reason": comparison.reason,
        "regime": fit.map(|f| json!({"kind": f.regime.kind, "reason": f.regime.reason})),
        "params": fit.map(|f| f.params.clone()),
        "plan": plan_json,
    });
    let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialise");
    text.push('\n');
    text
}

fn render_csv(rows: &[PointRow]) -> String {
    let mut out =
        String::from("workers,runs,samples_per_s,std_dev,compute_ms,allreduce_ms,efficiency\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            r.workers, r.runs, r.mean, r.std_dev, r.compute_ms, r.allreduce_ms, r.efficiency
        ));
    }
    out
}
