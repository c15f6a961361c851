//! `scalelaw report`: fit the laws to a data file and write a self-contained HTML
//! report with plots, and optionally the plots as SVG or PNG files.

mod neural;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use scalelaw::plan::{
    CostModel, Goal, MetricForm, PlanOptions, DEFAULT_MAX_N, DEFAULT_MIN_EFFICIENCY,
};
use scalelaw::select::{Comparison, Criterion};

use crate::cmd::fit::{fit_series, FitSettings};
use crate::input::{self, DataArgs};
use crate::report::{self, ErrorBars, PlotFormat, PredictionRow, ReportInputs, SeriesReport};

#[derive(clap::Args)]
#[command(after_help = "Examples:
  scalelaw report data/usl/specsdm91.csv -o specsdm91.html
  scalelaw report runs.csv --by system --plot-dir plots --plot-format png")]
pub struct ReportArgs {
    #[command(flatten)]
    pub data: DataArgs,

    #[command(flatten)]
    pub settings: FitSettings,

    #[command(flatten)]
    pub plan: ReportPlanArgs,

    #[command(flatten)]
    pub neural: neural::NeuralColumns,

    /// Path of the HTML report to write
    #[arg(short, long, default_value = "report.html")]
    pub output: PathBuf,

    /// What the error bars on measured points span
    #[arg(long, value_enum, default_value_t = ErrorBars::StdDev)]
    pub error_bars: ErrorBars,

    /// Also write every plot as a file into this directory
    #[arg(long, value_name = "DIR")]
    pub plot_dir: Option<PathBuf>,

    /// File format of the plots written to --plot-dir
    #[arg(long, value_enum, default_value_t = PlotFormat::Svg)]
    pub plot_format: PlotFormat,
}

/// Cost model and goal of the balance points; a subset of `plan`'s options.
// NOTE: `plan`'s latency (--arrival-rate, --latency-slo) and deadline goals are not
// accepted here yet, because their parsers are private to `cmd::plan`.
#[derive(clap::Args, Clone, Debug)]
pub struct ReportPlanArgs {
    /// Cost of one node or worker per hour; with any cost, the report shows the cost
    /// frontier and the best throughput per cost
    #[arg(long, value_name = "COST")]
    pub cost_per_unit: Option<f64>,

    /// Cost per hour that does not depend on N
    #[arg(long, default_value_t = 0.0, value_name = "COST")]
    pub fixed_cost: f64,

    /// Cost of each request or work unit served
    #[arg(long, default_value_t = 0.0, value_name = "COST")]
    pub cost_per_request: f64,

    /// Goal: throughput to reach, in work units per second; marks the cheapest N
    /// that reaches it (needs a cost)
    #[arg(long, value_name = "RATE", conflicts_with = "budget")]
    pub target_throughput: Option<f64>,

    /// Goal: most throughput whose cost stays within this amount per hour (needs a
    /// cost)
    #[arg(long, value_name = "COST")]
    pub budget: Option<f64>,

    /// Efficiency X(N)/(N·X(1)) that the knee keeps, above 0 and at most 1
    #[arg(long, default_value_t = DEFAULT_MIN_EFFICIENCY, value_name = "SHARE")]
    pub min_efficiency: f64,

    /// Largest N the plan searches
    #[arg(long, default_value_t = DEFAULT_MAX_N, value_name = "N")]
    pub max_n: u64,
}

impl ReportPlanArgs {
    /// Returns whether any cost was given.
    fn has_cost(&self) -> bool {
        self.cost_per_unit.is_some() || self.fixed_cost != 0.0 || self.cost_per_request != 0.0
    }

    /// Builds the library's plan options. Without a cost, a cost of 1 per unit and
    /// hour is used because the plan requires one, and the cost-dependent answers are
    /// then left out of the report.
    fn options(&self) -> anyhow::Result<PlanOptions> {
        let goal = match (self.target_throughput, self.budget) {
            (Some(target), _) => Some(Goal::Throughput { target }),
            (None, Some(per_hour)) => Some(Goal::Budget { per_hour }),
            (None, None) => None,
        };
        if goal.is_some() && !self.has_cost() {
            bail!(
                "--target-throughput and --budget need a cost: set --cost-per-unit, \
                 --fixed-cost or --cost-per-request"
            );
        }
        let cost = if self.has_cost() {
            CostModel {
                per_unit_hour: self.cost_per_unit.unwrap_or(0.0),
                fixed_hour: self.fixed_cost,
                per_request: self.cost_per_request,
            }
        } else {
            CostModel {
                per_unit_hour: 1.0,
                ..CostModel::default()
            }
        };
        Ok(PlanOptions {
            cost,
            goal,
            min_efficiency: self.min_efficiency,
            max_n: self.max_n,
            form: MetricForm::Throughput,
        })
    }
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let inputs = build_inputs(&args)?;
    report::write_report(&inputs, &args.output)?;
    if crate::output::stdout_is_terminal() {
        for series in &inputs.series {
            if let Some(fit) = series.comparison.chosen_fit() {
                println!("{}", report::terminal_plot(fit, 60, 12));
            }
        }
    }
    println!("wrote {}", args.output.display());
    if let Some(dir) = &args.plot_dir {
        for path in report::write_plot_files(&inputs, dir, args.plot_format)? {
            println!("wrote {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the data, fits and ranks the laws per series and collects the balance points.
///
/// A single series that cannot be fitted is an error, as in `fit`. With several
/// series, a failed one is shown in the report with its reason.
pub fn build_inputs(args: &ReportArgs) -> anyhow::Result<ReportInputs> {
    match args.settings.law.as_str() {
        "chinchilla" => return neural::build_neural_inputs(args),
        law @ ("kaplan" | "kaplan-e" | "bnsl") => bail!(
            "the report draws neural scaling fits of the chinchilla law only; print the \
             {law} fit with scalelaw fit --law {law}"
        ),
        _ => {}
    }
    let plan_options = args.plan.options()?;
    let loaded = input::load(&args.data)?;
    let single = loaded.series.len() == 1;
    let mut series_reports = Vec::new();
    for series in loaded.series {
        let (comparison, predictions) = match fit_series(&series, &args.settings) {
            Ok(result) => {
                // NOTE: --predict-latency results (`LawResult::at_latency`) are not shown
                // in the report yet; `scalelaw fit` prints them.
                let predictions = result
                    .comparison
                    .entries
                    .iter()
                    .zip(&result.laws)
                    .flat_map(|(entry, law)| {
                        law.predictions.iter().map(|p| PredictionRow {
                            law: entry.law_name.clone(),
                            scale: p.at,
                            value: p.value,
                            interval: p.interval,
                            extrapolated: p.extrapolated,
                        })
                    })
                    .collect();
                (result.comparison, predictions)
            }
            Err(err) if single => {
                return Err(err.context(format!("{}", args.data.file.display())));
            }
            Err(err) => (unfitted(format!("{err:#}")), Vec::new()),
        };
        let mut report = SeriesReport::new(series.label, series.observations, comparison);
        report.notes = series.notes;
        if let Some(fit) = report.comparison.chosen_fit() {
            match scalelaw::plan::plan(fit, &plan_options) {
                Ok(plan) => {
                    report.marks = report::marks_from_plan(&plan, args.plan.has_cost());
                    if args.plan.has_cost() {
                        report.frontier = report::frontier_from_plan(&plan);
                    }
                }
                Err(err) => report.notes.push(format!(
                    "no plan for the {}: {err}; the balance points come from the fit alone",
                    fit.law_name
                )),
            }
        }
        report.predictions = predictions;
        series_reports.push(report);
    }

    let file_name = file_name(&args.data.file);
    let settings = &args.settings;
    let mut shown = vec![
        ("data".to_string(), args.data.file.display().to_string()),
        (
            "columns".to_string(),
            format!(
                "{} against {} ({})",
                loaded.input.metric_name, loaded.input.scale_name, loaded.input.roles
            ),
        ),
        (
            "rows".to_string(),
            format!("{} of {} used", loaded.input.rows_used, loaded.input.rows),
        ),
        ("laws".to_string(), settings.law.clone()),
        (
            "fit".to_string(),
            if settings.bounded {
                "bounded"
            } else {
                "unbounded"
            }
            .to_string(),
        ),
        (
            "bootstrap".to_string(),
            format!("{} resamples, seed {}", settings.bootstrap, settings.seed),
        ),
        ("confidence".to_string(), settings.confidence.to_string()),
    ];
    if args.plan.has_cost() {
        shown.push((
            "cost".to_string(),
            format!(
                "{} per unit and hour, {} fixed per hour, {} per request",
                args.plan.cost_per_unit.unwrap_or(0.0),
                args.plan.fixed_cost,
                args.plan.cost_per_request
            ),
        ));
    }
    if let Some(target) = args.plan.target_throughput {
        shown.push((
            "goal".to_string(),
            format!("throughput of at least {target}"),
        ));
    }
    if let Some(budget) = args.plan.budget {
        shown.push((
            "goal".to_string(),
            format!("most throughput within {budget} per hour"),
        ));
    }
    if !loaded.input.filters.is_empty() {
        shown.push(("where".to_string(), loaded.input.filters.join(", ")));
    }
    if !loaded.input.by.is_empty() {
        shown.push(("by".to_string(), loaded.input.by.join(", ")));
    }
    let mut inputs = ReportInputs::new(format!("scalelaw report: {file_name}"));
    inputs.settings = shown;
    inputs.notes = loaded.input.notes;
    inputs.error_bars = args.error_bars;
    inputs.series = series_reports;
    Ok(inputs)
}

/// Returns the last component of `path`, or the whole path when it has none.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// Builds a comparison with no fitted law, carrying the reason in place of a ranking.
fn unfitted(reason: String) -> Comparison {
    Comparison {
        entries: Vec::new(),
        criterion: Criterion::Aicc,
        chosen: None,
        reason,
    }
}
