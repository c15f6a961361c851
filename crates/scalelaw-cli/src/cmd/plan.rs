//! `scalelaw plan`: the balance points of a fit, with intervals, for a cost model
//! and a goal.

mod data;
mod parse;
mod render;

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use scalelaw::plan::{
    cheapest_configuration, describe_non_monotonic, CostModel, FittedLaw, Goal, MetricForm, Plan,
    PlanOptions, DEFAULT_MAX_N, DEFAULT_MIN_EFFICIENCY,
};
use scalelaw::{laws, select, FitOptions, Law, Observations, RegimeKind};

use crate::input::{self, DataArgs};
use crate::output::Format;

use parse::UnitCost;

/// Exit status when the input is valid but the goal cannot be met at any N.
pub const EXIT_GOAL_NOT_MET: u8 = 3;

#[derive(clap::Args)]
#[command(after_help = "Goals (give exactly one):\n  \
    --target-throughput X          cheapest N whose throughput reaches X per second\n  \
    --arrival-rate L --latency-slo S  cheapest N serving L requests per second within S\n  \
    --deadline D --job-size W      cheapest N finishing W work units within D\n  \
    --budget B                     most throughput for at most B per hour\n\n\
Latency SLO: 200ms or mean=200ms bounds the mean response time; p99=200ms bounds the\n\
99th percentile. Durations need a unit: ns, us, ms, s, min, h, d.\n\n\
Units: throughput is read per second, run times in seconds, costs per hour.\n\n\
FILE may also be a saved fit: the .json output of `scalelaw fit --format json`, whose\n\
chosen fit keeps its bootstrap resamples for the intervals.\n\n\
Exit status: 0 when the goal can be met, 1 on invalid input, 2 on invalid flags,\n\
3 when the goal cannot be met at any N.\n\n\
Examples:\n  \
    scalelaw plan runs.csv --cost-per-unit 2.5 --target-throughput 1500\n  \
    scalelaw plan runs.csv --cost-per-unit 0.1 --arrival-rate 800 --latency-slo p99=150ms\n  \
    scalelaw plan jobs.csv --y time --cost-per-unit 0.2 --job-size 50000 --deadline 10min\n  \
    scalelaw plan jobs.csv --y time --config-column instance_type \\\n      \
    --cost-per-unit m5.large=0.096,c5.xlarge=0.17 --job-size 100 --deadline 1h")]
pub struct PlanArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// Column naming the configuration (instance type, say) of each run; each
    /// configuration is fitted and planned on its own
    #[arg(long, value_name = "COLUMN")]
    pub config_column: Option<String>,

    /// Law to fit: usl, amdahl, gustafson, linear, job-time, or auto (job-time for
    /// run times, otherwise the best-ranked throughput law)
    #[arg(long, default_value = "auto", value_name = "LAW")]
    pub law: String,

    /// Read the metric as a run time (time) or a rate (throughput); guessed from the
    /// metric column's name when omitted
    #[arg(long, value_enum, value_name = "KIND")]
    pub metric: Option<MetricKind>,

    /// Work units done by each measured run, for run-time data (throughput is then
    /// work per run / run time)
    #[arg(long, default_value_t = 1.0, value_name = "UNITS", value_parser = parse::positive)]
    pub work_per_run: f64,

    /// Cost of one node or worker per hour: one number, or CONFIG=COST,... per
    /// configuration
    #[arg(long, value_name = "COST", value_parser = parse::unit_cost, allow_negative_numbers = true)]
    pub cost_per_unit: Option<UnitCost>,

    /// Cost per hour that does not depend on N
    #[arg(long, default_value_t = 0.0, value_name = "COST", value_parser = parse::cost, allow_negative_numbers = true)]
    pub fixed_cost: f64,

    /// Cost of each request or work unit served
    #[arg(long, default_value_t = 0.0, value_name = "COST", value_parser = parse::cost, allow_negative_numbers = true)]
    pub cost_per_request: f64,

    /// Goal: throughput to reach, in work units per second
    #[arg(long, value_name = "RATE", value_parser = parse::positive, allow_negative_numbers = true)]
    pub target_throughput: Option<f64>,

    /// Goal: Poisson arrival rate per second to serve within --latency-slo
    #[arg(long, value_name = "RATE", value_parser = parse::positive, allow_negative_numbers = true)]
    pub arrival_rate: Option<f64>,

    /// Response-time limit for --arrival-rate: 200ms (mean), mean=200ms or p99=200ms
    #[arg(long, value_name = "SLO", value_parser = parse::latency_slo)]
    pub latency_slo: Option<scalelaw::plan::LatencySlo>,

    /// Goal: time within which a job of --job-size must finish (200s, 10min, 2h)
    #[arg(long, value_name = "DURATION", value_parser = parse::duration)]
    pub deadline: Option<f64>,

    /// Size of the job for --deadline, in the metric's work units
    #[arg(long, value_name = "UNITS", value_parser = parse::positive, allow_negative_numbers = true)]
    pub job_size: Option<f64>,

    /// Goal: most throughput whose cost stays within this amount per hour
    #[arg(long, value_name = "COST", value_parser = parse::positive, allow_negative_numbers = true)]
    pub budget: Option<f64>,

    /// Efficiency X(N)/(N·X(1)) that the knee keeps, above 0 and at most 1
    #[arg(long, default_value_t = DEFAULT_MIN_EFFICIENCY, value_name = "SHARE")]
    pub min_efficiency: f64,

    /// Largest N searched
    #[arg(long, default_value_t = DEFAULT_MAX_N, value_name = "N")]
    pub max_n: u64,

    /// Keep parameters within their bounds when fitting (USL: alpha, beta in [0, 1])
    #[arg(long)]
    pub bounded: bool,

    /// Bootstrap resamples for the intervals; 0 turns them off
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub bootstrap: usize,

    /// Seed of the bootstrap's random numbers
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Two-sided confidence level of every interval, between 0 and 1
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    pub confidence: f64,

    /// Neural scaling: compute budget in FLOP for the compute-optimal model size and
    /// tokens, from a Chinchilla fit of the N, D, C and loss columns as in `scalelaw
    /// neural plan`. Repeat for several budgets
    #[arg(long, value_name = "FLOP", help_heading = "Neural scaling")]
    pub compute: Vec<f64>,

    /// Neural scaling: the least compute that reaches this loss
    #[arg(long, value_name = "LOSS", help_heading = "Neural scaling")]
    pub target_loss: Option<f64>,

    /// Output format (csv is not available for plans)
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs `plan --compute` or `--target-loss` as `scalelaw neural plan`.
fn run_neural(args: PlanArgs) -> anyhow::Result<ExitCode> {
    if args.data.x.is_some() || !args.data.by.is_empty() {
        bail!(
            "--x and --by do not apply to --compute or --target-loss; name columns with \
             `scalelaw neural plan --n-column/--d-column/--c-column/--loss-column`"
        );
    }
    let neural = super::neural::NeuralPlanArgs {
        runs: super::neural::RunsArgs {
            file: args.data.file,
            n_column: None,
            d_column: None,
            c_column: None,
            loss_column: args.data.y,
            filters: args.data.filters,
        },
        huber: super::neural::HuberArgs {
            delta: 1e-3,
            bootstrap: args.bootstrap,
            seed: args.seed,
            confidence: args.confidence,
        },
        compute: args.compute,
        target_loss: args.target_loss,
        format: args.format,
    };
    super::neural::run_plan(&neural)
}

/// How to read the metric.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// A rate, in work units per second
    Throughput,
    /// The run time of one job, in seconds
    Time,
}

/// The plan of one configuration with what was learnt reading it.
pub struct ConfigurationPlan {
    pub label: String,
    pub law_name: String,
    pub plan: Plan,
    pub censored: usize,
    pub non_monotonic: Option<String>,
    pub notes: Vec<String>,
}

/// Everything the renderers print.
pub struct Report {
    pub file: String,
    pub source: &'static str,
    pub notes: Vec<String>,
    pub configurations: Vec<ConfigurationPlan>,
    /// Index of the cheapest configuration that meets the goal, with several.
    pub cheapest: Option<usize>,
}

pub fn run(args: PlanArgs) -> anyhow::Result<ExitCode> {
    if !args.compute.is_empty() || args.target_loss.is_some() {
        return run_neural(args);
    }
    if args.format == Format::Csv {
        bail!("--format csv is not available for plans; use table, markdown or json");
    }
    let goal = goal(&args)?;
    let unit_cost = args.cost_per_unit.clone().unwrap_or(UnitCost::All(0.0));
    if args.cost_per_unit.is_none() && args.fixed_cost == 0.0 && args.cost_per_request == 0.0 {
        bail!(
            "no cost given: set --cost-per-unit (per node or worker and hour), --fixed-cost \
             or --cost-per-request"
        );
    }
    let options_for = |label: &str, form: MetricForm| -> anyhow::Result<PlanOptions> {
        let per_unit_hour = unit_cost
            .for_configuration(label)
            .map_err(anyhow::Error::msg)?;
        Ok(PlanOptions {
            cost: CostModel {
                per_unit_hour,
                fixed_hour: args.fixed_cost,
                per_request: args.cost_per_request,
            },
            goal: Some(goal),
            min_efficiency: args.min_efficiency,
            max_n: args.max_n,
            form,
        })
    };

    let file = args.data.file.display().to_string();
    let is_saved_fit = args
        .data
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let report = if is_saved_fit {
        plan_saved(&args, &file, &options_for)?
    } else {
        plan_data(&args, &file, &options_for)?
    };

    render::write(&mut std::io::stdout().lock(), &report, args.format)?;
    let met = match report.cheapest {
        Some(_) => true,
        None => report
            .configurations
            .iter()
            .any(|c| c.plan.goal.as_ref().is_some_and(|g| g.met)),
    };
    Ok(if met {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_GOAL_NOT_MET)
    })
}

fn goal(args: &PlanArgs) -> anyhow::Result<Goal> {
    let mut goals = Vec::new();
    if let Some(target) = args.target_throughput {
        goals.push(("--target-throughput", Goal::Throughput { target }));
    }
    match (args.arrival_rate, args.latency_slo) {
        (Some(arrival_rate), Some(slo)) => {
            goals.push(("--arrival-rate", Goal::Latency { arrival_rate, slo }))
        }
        (Some(_), None) => bail!("--arrival-rate needs --latency-slo (such as p99=200ms)"),
        (None, Some(_)) => bail!("--latency-slo needs --arrival-rate (requests per second)"),
        (None, None) => {}
    }
    match (args.deadline, args.job_size) {
        (Some(deadline), Some(job_size)) => {
            goals.push(("--deadline", Goal::Deadline { job_size, deadline }))
        }
        (Some(_), None) => bail!("--deadline needs --job-size (work units of the job)"),
        (None, Some(_)) => bail!("--job-size needs --deadline (such as 10min)"),
        (None, None) => {}
    }
    if let Some(per_hour) = args.budget {
        goals.push(("--budget", Goal::Budget { per_hour }));
    }
    match goals.len() {
        0 => bail!(
            "no goal given: set one of --target-throughput, --arrival-rate with \
             --latency-slo, --deadline with --job-size, or --budget"
        ),
        1 => Ok(goals[0].1),
        _ => {
            let flags: Vec<&str> = goals.iter().map(|g| g.0).collect();
            bail!(
                "several goals given ({}); plan for one goal at a time",
                flags.join(", ")
            )
        }
    }
}

fn is_time_metric(args: &PlanArgs, metric_name: &str) -> bool {
    match args.metric {
        Some(kind) => kind == MetricKind::Time,
        None => data::is_time_name(metric_name),
    }
}

fn plan_data(
    args: &PlanArgs,
    file: &str,
    options_for: &dyn Fn(&str, MetricForm) -> anyhow::Result<PlanOptions>,
) -> anyhow::Result<Report> {
    let mut data_args = args.data.clone();
    if let Some(column) = &args.config_column {
        if !data_args.by.contains(column) {
            data_args.by.push(column.clone());
        }
    }
    let loaded = input::load(&data_args)?;
    let censored = data::censored_runs(&args.data.file, args.config_column.as_deref())?;
    let metric_name = loaded.input.metric_name.clone();
    // The shared reader turns a run-time column T into the rate 1/T and names the
    // metric `1/T`. Planning reads it back as a run time for the job-time law, unless
    // --metric throughput requests a rate.
    let reciprocal_of = metric_name.strip_prefix("1/").map(str::to_string);
    let time = match (&reciprocal_of, args.metric) {
        (Some(_), kind) => kind != Some(MetricKind::Throughput),
        (None, _) => is_time_metric(args, &metric_name),
    };
    let form = if time {
        MetricForm::Time {
            work_per_run: args.work_per_run,
        }
    } else {
        MetricForm::Throughput
    };
    let mut notes: Vec<String> = loaded
        .input
        .notes
        .iter()
        .filter(|note| reciprocal_of.is_none() || !note.starts_with("fitting the rate 1/"))
        .cloned()
        .collect();
    let time_name = reciprocal_of.clone().unwrap_or_else(|| metric_name.clone());
    if time {
        notes.push(format!(
            "`{time_name}` is read as the run time in seconds of a job of {} work units",
            args.work_per_run
        ));
    } else if reciprocal_of.is_some() {
        notes.push(format!(
            "throughput is {} work units per run / `{time_name}`",
            args.work_per_run
        ));
    }
    let metric_values = |observations: &Observations| -> anyhow::Result<Observations> {
        let y: Vec<f64> = match (&reciprocal_of, time) {
            (Some(_), true) => observations.y().iter().map(|rate| 1.0 / rate).collect(),
            (Some(_), false) => observations
                .y()
                .iter()
                .map(|rate| rate * args.work_per_run)
                .collect(),
            (None, _) => return Ok(observations.clone()),
        };
        let name = if time {
            time_name.clone()
        } else {
            "throughput".to_string()
        };
        Ok(Observations::new(
            observations.scale_names()[0].clone(),
            name,
            observations.x().to_vec(),
            y,
        )?)
    };

    let mut configurations = Vec::new();
    for series in &loaded.series {
        let label = match &args.config_column {
            Some(column) => series
                .group
                .iter()
                .find(|(name, _)| name == column)
                .map(|(_, value)| value.clone())
                .unwrap_or_default(),
            None => String::new(),
        };
        let display = if series.label.is_empty() || args.data.by.is_empty() {
            label.clone()
        } else {
            series.label.clone()
        };
        let observations = metric_values(&series.observations)?;
        let (fit, chosen_note) = fit_configuration(args, &observations, time)
            .with_context(|| configuration_context(file, &display))?;
        let options = options_for(&label, form)?;
        let plan = scalelaw::plan::plan(&fit, &options)
            .with_context(|| configuration_context(file, &display))?;
        let mut config_notes: Vec<String> = series.notes.clone();
        config_notes.extend(chosen_note);
        if matches!(
            fit.regime.kind,
            RegimeKind::NotDescribed | RegimeKind::Superlinear
        ) {
            config_notes.push(format!(
                "the fit is {}: {}",
                fit.regime.kind.label(),
                fit.regime.reason
            ));
        }
        config_notes.extend(fit.warnings.iter().cloned());
        configurations.push(ConfigurationPlan {
            label: display,
            law_name: fit.law_name.clone(),
            non_monotonic: describe_non_monotonic(&fit.points, form),
            censored: censored.get(&label).copied().unwrap_or(0),
            notes: config_notes,
            plan,
        });
    }
    Ok(finish(file, "data", notes, configurations))
}

fn configuration_context(file: &str, label: &str) -> String {
    if label.is_empty() {
        format!("planning from {file} failed")
    } else {
        format!("planning configuration `{label}` from {file} failed")
    }
}

/// Fits the law chosen by `--law` and returns it with a note on how it was chosen.
fn fit_configuration(
    args: &PlanArgs,
    observations: &Observations,
    time: bool,
) -> anyhow::Result<(scalelaw::Fit, Option<String>)> {
    if !(args.confidence > 0.0 && args.confidence < 1.0) {
        bail!(
            "--confidence {} must lie strictly between 0 and 1",
            args.confidence
        );
    }
    let mut options = FitOptions {
        bounded: args.bounded,
        bootstrap_resamples: args.bootstrap,
        seed: args.seed,
        confidence: args.confidence,
        leave_one_out: false,
    };
    let law: Box<dyn Law> = match (args.law.as_str(), time) {
        ("auto", true) => Box::new(laws::JobTime),
        ("auto", false) => {
            options.leave_one_out = true;
            let comparison = select::compare(&laws::throughput_laws(), observations, &options);
            let Some(fit) = comparison.chosen_fit() else {
                bail!("no law could be fitted: {}", comparison.reason);
            };
            let note = format!("law: {} ({})", fit.law_name, comparison.reason);
            return Ok((fit.clone(), Some(note)));
        }
        (id, _) => laws::any_by_id(id).with_context(|| {
            let mut known = laws::ids();
            known.extend(laws::time_laws().iter().map(|law| law.id()));
            format!(
                "unknown law `{id}` in --law; use auto, {}",
                known.join(", ")
            )
        })?,
    };
    let is_time_law = laws::time_laws().iter().any(|l| l.id() == law.id());
    if is_time_law != time {
        let metric = if time { "a run time" } else { "a rate" };
        bail!(
            "--law {} does not fit {metric}; use --law auto, or --metric {} if the metric \
             is read wrongly",
            law.id(),
            if time { "throughput" } else { "time" }
        );
    }
    let fit = scalelaw::fit(law.as_ref(), observations, &options)?;
    Ok((fit, None))
}

fn plan_saved(
    args: &PlanArgs,
    file: &str,
    options_for: &dyn Fn(&str, MetricForm) -> anyhow::Result<PlanOptions>,
) -> anyhow::Result<Report> {
    let saved = data::read_saved_fits(Path::new(&args.data.file))?;
    let mut notes = vec![format!(
        "the fits were read from {file}; nothing was fitted again"
    )];
    let mut configurations = Vec::new();
    for fit in saved {
        let FittedLaw { law: id, .. } = &fit.fitted;
        let law = laws::any_by_id(id)
            .with_context(|| format!("{file}: unknown law `{id}` in the saved fit"))?;
        let form = if laws::time_laws().iter().any(|l| l.id() == law.id()) {
            MetricForm::Time {
                work_per_run: args.work_per_run,
            }
        } else {
            MetricForm::Throughput
        };
        let options = options_for(&fit.label, form)?;
        let plan = scalelaw::plan::plan_fitted(&fit.fitted, &options)
            .with_context(|| configuration_context(file, &fit.label))?;
        let mut config_notes = Vec::new();
        if fit.fitted.bootstrap_thetas.is_empty() {
            config_notes.push(
                "the saved fit keeps no bootstrap resamples, so the answers have no \
                 intervals; plan from the data file to get them"
                    .to_string(),
            );
        }
        configurations.push(ConfigurationPlan {
            label: fit.label,
            law_name: law.name().to_string(),
            plan,
            censored: 0,
            non_monotonic: None,
            notes: config_notes,
        });
    }
    notes.dedup();
    Ok(finish(file, "saved fit", notes, configurations))
}

fn finish(
    file: &str,
    source: &'static str,
    notes: Vec<String>,
    configurations: Vec<ConfigurationPlan>,
) -> Report {
    let cheapest = if configurations.len() > 1 {
        let plans: Vec<&Plan> = configurations.iter().map(|c| &c.plan).collect();
        cheapest_configuration(&plans)
    } else {
        None
    };
    Report {
        file: file.to_string(),
        source,
        notes,
        configurations,
        cheapest,
    }
}
