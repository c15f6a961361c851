//! Output of `plan`: an aligned table with one sentence per answer, Markdown, or
//! JSON.

use std::io::Write;

use scalelaw::plan::{
    BalancePoint, Estimate, Goal, GoalPlan, LatencySlo, MetricForm, Plan, ShortfallKind,
};
use scalelaw::stats::format_sig;
use serde_json::json;

use super::{ConfigurationPlan, Report};
use crate::output::Format;

/// Version of the JSON layout; raised when a field is renamed or removed.
pub const SCHEMA_VERSION: u32 = 1;

pub fn write(out: &mut impl Write, report: &Report, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &document(report))?;
            writeln!(out)?;
        }
        Format::Markdown => out.write_all(text(report, true).as_bytes())?,
        Format::Table | Format::Csv => out.write_all(text(report, false).as_bytes())?,
    }
    Ok(())
}

fn document(report: &Report) -> serde_json::Value {
    let configurations: Vec<serde_json::Value> = report
        .configurations
        .iter()
        .map(|c| {
            json!({
                "label": c.label,
                "law_name": c.law_name,
                "censored_runs": c.censored,
                "non_monotonic": c.non_monotonic,
                "notes": c.notes,
                "explanations": explanations(&c.plan)
                    .into_iter()
                    .map(|(answer, sentence)| json!({"answer": answer, "sentence": sentence}))
                    .collect::<Vec<_>>(),
                "plan": intervals_as_objects(serde_json::to_value(&c.plan)
                    .expect("a plan serialises to JSON")),
            })
        })
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "command": "plan",
        "input": {"file": report.file, "source": report.source, "notes": report.notes},
        "configurations": configurations,
        "cheapest_configuration": report.cheapest.map(|i| report.configurations[i].label.clone()),
    })
}

/// Rewrites every `interval` pair as `{"lower": …, "upper": …}`, the layout of
/// intervals in the JSON of `scalelaw fit`.
fn intervals_as_objects(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("interval", Value::Array(pair)) if pair.len() == 2 => {
                            json!({"lower": pair[0], "upper": pair[1]})
                        }
                        (_, other) => intervals_as_objects(other),
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(intervals_as_objects).collect()),
        other => other,
    }
}

fn sig(value: f64) -> String {
    format_sig(value, 4)
}

/// Formats seconds in the largest unit that keeps the number readable.
fn duration(seconds: f64) -> String {
    if seconds < 1e-3 {
        format!("{} µs", sig(seconds * 1e6))
    } else if seconds < 1.0 {
        format!("{} ms", sig(seconds * 1e3))
    } else if seconds < 120.0 {
        format!("{} s", sig(seconds))
    } else if seconds < 7200.0 {
        format!("{} min", sig(seconds / 60.0))
    } else {
        format!("{} h", sig(seconds / 3600.0))
    }
}

/// Formats an estimate as `value [low, high]`, or with the interval first and the
/// value marked when it is an extrapolation.
fn estimate(e: &Estimate, extrapolation: bool, show: &dyn Fn(f64) -> String) -> String {
    let interval = e
        .interval
        .map(|(low, high)| format!("[{}, {}]", show(low), show(high)));
    let share = e
        .share
        .filter(|s| *s < 0.995)
        .map(|s| format!(" ({:.0}% of resamples)", s * 100.0))
        .unwrap_or_default();
    match (e.value, interval) {
        (None, _) => "none".to_string(),
        (Some(v), Some(interval)) if extrapolation => {
            format!("{interval} ~{} extrapolated{share}", show(v))
        }
        (Some(v), Some(interval)) => format!("{} {interval}{share}", show(v)),
        (Some(v), None) if extrapolation => format!("~{} extrapolated", show(v)),
        (Some(v), None) => show(v),
    }
}

fn whole(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        sig(value)
    }
}

fn interval_words(e: &Estimate, level: f64, show: &dyn Fn(f64) -> String) -> String {
    match e.interval {
        Some((low, high)) => {
            let share = match e.share {
                Some(s) if s < 0.995 => format!(", in {:.0}% of resamples", s * 100.0),
                _ => String::new(),
            };
            format!(
                " ({:.0}% interval {} to {}{share})",
                level * 100.0,
                show(low),
                show(high)
            )
        }
        None => String::new(),
    }
}

fn extrapolation_words(point: &BalancePoint, plan: &Plan) -> String {
    if point.extrapolation {
        format!(
            "; this is an extrapolation beyond twice the largest measured N ({})",
            whole(plan.max_measured_n)
        )
    } else {
        String::new()
    }
}

fn slo_words(slo: &LatencySlo) -> String {
    match *slo {
        LatencySlo::Mean { .. } => "mean".to_string(),
        LatencySlo::Percentile { percentile, .. } => {
            format!("p{}", (percentile * 1e4).round() / 1e2)
        }
    }
}

/// Explains each answer in one sentence, paired with the answer's name.
fn explanations(plan: &Plan) -> Vec<(String, String)> {
    let level = plan.confidence;
    let rate = |v: f64| format!("{}/s", sig(v));
    let mut out = Vec::new();

    let peak = &plan.peak;
    let sentence = match (peak.n.value, peak.throughput.value) {
        (Some(n), Some(x)) => format!(
            "Throughput peaks at N* = {}{} with {}; adding nodes beyond it lowers \
             throughput{}.",
            sig(n),
            interval_words(&peak.n, level, &|v| sig(v)),
            rate(x),
            extrapolation_words(peak, plan)
        ),
        _ => format!(
            "{}.",
            peak.note.clone().unwrap_or_else(|| "No peak".to_string())
        ),
    };
    out.push(("peak".to_string(), sentence));

    let sentence = match plan.roof.value {
        Some(roof) => format!(
            "However large N grows, throughput stays below the roof of {}{}.",
            rate(roof),
            interval_words(&plan.roof, level, &rate)
        ),
        None => "The fitted law sets no throughput limit as N grows.".to_string(),
    };
    out.push(("roof".to_string(), sentence));

    let knee = &plan.knee;
    let sentence = match knee.n.value {
        Some(n) => format!(
            "N = {}{} is the largest N whose efficiency X(N)/(N·X(1)) stays at or above {}{}.",
            whole(n),
            interval_words(&knee.n, level, &whole),
            plan.min_efficiency,
            extrapolation_words(knee, plan)
        ),
        None => format!(
            "Efficiency stays at or above {} at every N searched, so there is no knee.",
            plan.min_efficiency
        ),
    };
    out.push(("knee".to_string(), sentence));

    let best = &plan.best_value;
    let sentence = match (best.n.value, best.throughput.value, best.cost.value) {
        (Some(n), Some(x), Some(cost)) => format!(
            "N = {}{} gives the most throughput per unit of cost: {} for {} per hour{}.",
            whole(n),
            interval_words(&best.n, level, &whole),
            rate(x),
            sig(cost),
            extrapolation_words(best, plan)
        ),
        _ => format!(
            "{}.",
            best.note
                .clone()
                .unwrap_or_else(|| "No best value".to_string())
        ),
    };
    out.push(("best value".to_string(), sentence));

    if let Some(goal) = &plan.goal {
        out.push(("goal".to_string(), goal_sentence(goal, plan)));
    }
    out
}

fn goal_sentence(goal: &GoalPlan, plan: &Plan) -> String {
    let level = plan.confidence;
    let rate = |v: f64| format!("{}/s", sig(v));
    let point = &goal.cheapest;
    if let (true, Some(n)) = (goal.met, point.n.value) {
        let n_words = format!(
            "N = {}{}",
            whole(n),
            interval_words(&point.n, level, &whole)
        );
        let cost = point.cost.value.map(sig).unwrap_or_default();
        let extrapolated = extrapolation_words(point, plan);
        return match goal.goal {
            Goal::Throughput { target } => format!(
                "{n_words} is the cheapest N that reaches {}, at {cost} per hour{extrapolated}.",
                rate(target)
            ),
            Goal::Latency { arrival_rate, slo } => {
                let queue = goal.queue.as_ref();
                let response = queue
                    .and_then(|q| match slo {
                        LatencySlo::Mean { .. } => q.mean_response.value,
                        LatencySlo::Percentile { .. } => q.percentile_response.value,
                    })
                    .map(duration)
                    .unwrap_or_default();
                format!(
                    "{n_words} is the cheapest N that serves {} within the SLO: its {} response \
                     time is {response}, at most {}, at {cost} per hour{extrapolated}.",
                    rate(arrival_rate),
                    slo_words(&slo),
                    duration(slo.seconds())
                )
            }
            Goal::Deadline { job_size, deadline } => format!(
                "{n_words} finishes the job of {} work units in {} (deadline {}) at the lowest \
                 cost per job, {cost}{extrapolated}.",
                sig(job_size),
                goal.job_time
                    .and_then(|t| t.value)
                    .map(duration)
                    .unwrap_or_default(),
                duration(deadline)
            ),
            Goal::Budget { per_hour } => format!(
                "{n_words} gives the most throughput within the budget of {} per hour: {} for \
                 {cost} per hour{extrapolated}.",
                sig(per_hour),
                point.throughput.value.map(rate).unwrap_or_default()
            ),
        };
    }
    let Some(shortfall) = goal.shortfall else {
        return "The goal cannot be met at any N.".to_string();
    };
    let reachable = shortfall.reachable.value.unwrap_or(f64::NAN);
    let at = match shortfall.at_n {
        Some(n) => format!(" at N = {n}"),
        None => " as N grows".to_string(),
    };
    let requested = shortfall.requested;
    match shortfall.kind {
        ShortfallKind::Throughput => format!(
            "No N reaches {}: the most the fit reaches is {}{at}, {} short ({:.0}% of the \
             target).",
            rate(requested),
            rate(reachable),
            rate(requested - reachable),
            100.0 * reachable / requested
        ),
        ShortfallKind::Unstable => format!(
            "No N can serve {}: the most throughput at any N is {}{at}, {} short, so the \
             queue would grow without bound.",
            rate(requested),
            rate(reachable),
            rate(requested - reachable)
        ),
        ShortfallKind::Latency => format!(
            "No N meets the SLO of {}: the lowest {} response time the model gives is \
             {}{at}, {} above it.",
            duration(requested),
            match goal.goal {
                Goal::Latency { slo, .. } => slo_words(&slo),
                _ => String::new(),
            },
            duration(reachable),
            duration(reachable - requested)
        ),
        ShortfallKind::Deadline => format!(
            "No N finishes the job within {}: the fastest run takes {}{at}, {} over the \
             deadline.",
            duration(requested),
            duration(reachable),
            duration(reachable - requested)
        ),
        ShortfallKind::Budget => format!(
            "The budget of {} per hour is below the cost of one node, {} per hour, by {}.",
            sig(requested),
            sig(reachable),
            sig(reachable - requested)
        ),
    }
}

/// Rows of a table, rendered aligned or as Markdown.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    fn render(&self, markdown: bool) -> String {
        let mut out = String::new();
        if markdown {
            out += &format!("| {} |\n", self.header.join(" | "));
            out += &format!("|{}\n", "---|".repeat(self.header.len()));
            for row in &self.rows {
                out += &format!("| {} |\n", row.join(" | "));
            }
            return out;
        }
        let widths: Vec<usize> = (0..self.header.len())
            .map(|k| {
                self.rows
                    .iter()
                    .map(|r| r[k].chars().count())
                    .chain([self.header[k].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            out += &format!("  {}\n", cells.join("  ").trim_end());
        }
        out
    }
}

fn cost_words(plan: &Plan) -> String {
    let cost = &plan.cost_model;
    let mut parts = Vec::new();
    if cost.per_unit_hour > 0.0 {
        parts.push(format!("{} per node and hour", sig(cost.per_unit_hour)));
    }
    if cost.fixed_hour > 0.0 {
        parts.push(format!("{} fixed per hour", sig(cost.fixed_hour)));
    }
    if cost.per_request > 0.0 {
        parts.push(format!("{} per request", sig(cost.per_request)));
    }
    parts.join(" + ")
}

fn text(report: &Report, markdown: bool) -> String {
    let mut out = String::new();
    let heading = |level: usize, title: &str| -> String {
        if markdown {
            format!("{} {title}\n\n", "#".repeat(level))
        } else {
            format!("{title}\n")
        }
    };
    let bullet = if markdown { "- " } else { "  " };
    out += &heading(1, &format!("Plan for {} ({})", report.file, report.source));
    for note in &report.notes {
        out += &format!("{bullet}{note}\n");
    }
    for configuration in &report.configurations {
        out += "\n";
        out += &configuration_text(configuration, markdown);
    }
    if report.configurations.len() > 1 {
        out += "\n";
        out += &heading(2, "Cheapest configuration");
        out += &match report.cheapest {
            Some(i) => {
                let c = &report.configurations[i];
                let goal = c.plan.goal.as_ref().expect("a goal is always set");
                format!(
                    "{bullet}`{}` at N = {} meets the goal most cheaply ({} {}).\n",
                    c.label,
                    goal.cheapest.whole_n.unwrap_or_default(),
                    goal.cheapest.cost.value.map(sig).unwrap_or_default(),
                    if matches!(goal.goal, Goal::Deadline { .. }) {
                        "per job"
                    } else {
                        "per hour"
                    }
                )
            }
            None => format!("{bullet}No configuration meets the goal.\n"),
        };
        let flagged: Vec<String> = report
            .configurations
            .iter()
            .filter(|c| c.censored > 0 || c.non_monotonic.is_some())
            .map(|c| c.label.clone())
            .collect();
        if !flagged.is_empty() {
            out += &format!(
                "{bullet}Configurations with censored or non-monotonic runs: {}.\n",
                flagged.join(", ")
            );
        }
    }
    out
}

fn configuration_text(c: &ConfigurationPlan, markdown: bool) -> String {
    let plan = &c.plan;
    let bullet = if markdown { "- " } else { "  " };
    let mut out = String::new();
    let title = if c.label.is_empty() {
        "Balance points".to_string()
    } else {
        format!("Configuration {}", c.label)
    };
    out += &if markdown {
        format!("## {title}\n\n")
    } else {
        format!("{title}\n")
    };
    let intervals = if plan.resamples > 0 {
        format!(
            "{:.0}% intervals from {} bootstrap resamples",
            plan.confidence * 100.0,
            plan.resamples
        )
    } else {
        "no intervals (no bootstrap resamples)".to_string()
    };
    out += &format!(
        "{bullet}law: {}; N measured up to {}; {intervals}\n",
        c.law_name,
        whole(plan.max_measured_n)
    );
    out += &format!("{bullet}cost: {}\n", cost_words(plan));
    if let MetricForm::Time { work_per_run } = plan.form {
        out += &format!("{bullet}throughput is {work_per_run} work units per run / run time\n");
    }
    for note in &c.notes {
        out += &format!("{bullet}note: {note}\n");
    }
    if c.censored > 0 {
        out += &format!(
            "{bullet}warning: {} runs did not finish with status ok (failed or timed out) \
             and were left out, so the fit may be optimistic at the N where they ran\n",
            c.censored
        );
    }
    if let Some(shape) = &c.non_monotonic {
        out += &format!("{bullet}warning: non-monotonic runs: {shape}\n");
    }
    if markdown {
        out += "\n";
    }

    let rate = |v: f64| sig(v);
    let cost_header = match plan.goal.as_ref().map(|g| g.goal) {
        Some(Goal::Deadline { .. }) => "cost (per hour; per job for the goal)",
        _ => "cost per hour",
    };
    let mut table = Table::new(&["answer", "N", "throughput/s", cost_header]);
    let mut push = |name: &str, point: &BalancePoint, n_show: &dyn Fn(f64) -> String| {
        table.rows.push(vec![
            name.to_string(),
            estimate(&point.n, point.extrapolation, n_show),
            estimate(&point.throughput, point.extrapolation, &rate),
            estimate(&point.cost, point.extrapolation, &rate),
        ]);
    };
    push("peak", &plan.peak, &|v| sig(v));
    push("knee", &plan.knee, &whole);
    push("best value", &plan.best_value, &whole);
    if let Some(goal) = &plan.goal {
        push("goal", &goal.cheapest, &whole);
    }
    table.rows.push(vec![
        "roof".to_string(),
        "-".to_string(),
        estimate(&plan.roof, false, &rate),
        "-".to_string(),
    ]);
    out += &table.render(markdown);
    if markdown {
        out += "\n";
    }
    for (name, sentence) in explanations(plan) {
        out += &format!("{bullet}{name}: {sentence}\n");
    }

    if let Some(queue) = plan.goal.as_ref().and_then(|g| g.queue.as_ref()) {
        if queue.mean_response.value.is_some() {
            let show = |v: f64| duration(v);
            let mut lines = vec![
                format!(
                    "mean response {}",
                    estimate(&queue.mean_response, false, &show)
                ),
                format!(
                    "mean service {}",
                    estimate(&queue.service_time, false, &show)
                ),
                format!(
                    "utilisation {}",
                    estimate(&queue.utilisation, false, &|v| sig(v))
                ),
                format!(
                    "wait probability {}",
                    estimate(&queue.wait_probability, false, &|v| sig(v))
                ),
            ];
            if let (Some(Goal::Latency { slo, .. }), Some(_)) = (
                plan.goal.as_ref().map(|g| g.goal),
                queue.percentile_response.value,
            ) {
                lines.insert(
                    1,
                    format!(
                        "{} response {}",
                        slo_words(&slo),
                        estimate(&queue.percentile_response, false, &show)
                    ),
                );
            }
            out += &format!("{bullet}queue at the goal's N: {}\n", lines.join("; "));
        }
    }
    for assumption in &plan.assumptions {
        out += &format!("{bullet}assumes {assumption}\n");
    }

    if !plan.frontier.is_empty() {
        let latency = plan.frontier.iter().any(|r| r.response_time.is_some());
        let jobs = plan.frontier.iter().any(|r| r.job_cost.is_some());
        out += &if markdown {
            format!(
                "\n### Pareto frontier: cost against {}\n\n",
                if latency { "latency" } else { "throughput" }
            )
        } else {
            format!(
                "Pareto frontier: cost against {}\n",
                if latency { "latency" } else { "throughput" }
            )
        };
        let mut header = vec!["N", "cost per hour", "throughput/s", "efficiency"];
        if latency {
            header.push("response time");
        }
        if jobs {
            header.push("cost per job");
        }
        let mut table = Table::new(&header);
        for row in &plan.frontier {
            let mut cells = vec![
                if row.extrapolation {
                    format!("{} (extrapolated)", row.n)
                } else {
                    row.n.to_string()
                },
                sig(row.cost_per_hour),
                estimate(&row.throughput, row.extrapolation, &rate),
                format!("{:.2}", row.efficiency),
            ];
            if let Some(response) = &row.response_time {
                cells.push(estimate(response, row.extrapolation, &|v| duration(v)));
            }
            if let Some(job_cost) = row.job_cost {
                cells.push(sig(job_cost));
            }
            table.rows.push(cells);
        }
        out += &table.render(markdown);
    }
    out
}
