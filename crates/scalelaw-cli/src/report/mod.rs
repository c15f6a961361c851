//! The report stage: a self-contained HTML page with plots, the same plots as SVG or
//! PNG files, and a compact plot for the terminal.
//!
//! Callers (the `report` and `demo` commands) fill a [`ReportInputs`] with fitted and
//! ranked series and call [`write_report`]. The page embeds every plot as inline SVG
//! and its style as inline CSS, so it needs no network access to view.

mod chart;
mod curves;
mod font;
mod html;
mod neural;
mod plots;
mod terminal;

use std::path::{Path, PathBuf};

use anyhow::Context;
use scalelaw::plan::{BalancePoint, Goal, Plan};
use scalelaw::select::Comparison;
use scalelaw::{Fit, Observations};

use chart::format_number;
pub use chart::Chart;
pub use html::render_html;
pub use neural::{FrontierSample, IsoFlopProfile, NeuralSection, TrainingRun};
pub use plots::series_charts;
pub use terminal::terminal_plot;

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct ReportInputs {
    /// Page title, usually naming the data file.
    pub title: String,
    /// Settings that produced the fits, shown as `name: value` lines (data file, laws,
    /// bootstrap resamples, seed).
    pub settings: Vec<(String, String)>,
    /// Input reader's decisions for the whole file (guessed columns, skipped rows).
    pub notes: Vec<String>,
    /// Span of the error bars on measured points.
    pub error_bars: ErrorBars,
    pub series: Vec<SeriesReport>,
    /// Neural scaling fits (loss against model size and tokens), after the series.
    pub neural: Vec<NeuralSection>,
}

/// One series of observations with its ranked fits.
#[derive(Debug, Clone)]
pub struct SeriesReport {
    /// `column=value` pairs of the `--by` group; empty for a single series.
    pub label: String,
    pub observations: Observations,
    pub comparison: Comparison,
    /// Input reader's decisions for this series (guessed columns, skipped rows).
    pub notes: Vec<String>,
    /// Balance points to mark on the plots and list in the page.
    pub marks: Vec<BalanceMark>,
    /// Cost against throughput, when a cost model was given.
    pub frontier: Option<CostFrontier>,
    /// Predictions at scale values the user requested (`--predict`).
    pub predictions: Vec<PredictionRow>,
}

impl ReportInputs {
    /// Starts a report with a title and no settings, notes or series.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            settings: Vec::new(),
            notes: Vec::new(),
            error_bars: ErrorBars::default(),
            series: Vec::new(),
            neural: Vec::new(),
        }
    }
}

impl SeriesReport {
    /// Builds a series from its observations and ranked fits, with the balance points
    /// of the chosen fit marked and no cost frontier or predictions.
    pub fn new(
        label: impl Into<String>,
        observations: Observations,
        comparison: Comparison,
    ) -> Self {
        let marks = comparison
            .chosen_fit()
            .map(marks_from_fit)
            .unwrap_or_default();
        Self {
            label: label.into(),
            observations,
            comparison,
            notes: Vec::new(),
            marks,
            frontier: None,
            predictions: Vec::new(),
        }
    }
}

/// One law's prediction of the metric at one scale value.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionRow {
    pub law: String,
    pub scale: f64,
    /// `None` when the law gives no value there.
    pub value: Option<f64>,
    pub interval: Option<(f64, f64)>,
    /// Whether the scale lies outside the measured range.
    pub extrapolated: bool,
}

/// Span of the vertical bars on measured points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ErrorBars {
    /// Mean ± one sample standard deviation of the runs at a point
    #[default]
    StdDev,
    /// Smallest to largest run at a point
    MinMax,
}

impl ErrorBars {
    pub fn describe(self) -> &'static str {
        match self {
            ErrorBars::StdDev => "± one standard deviation of the runs",
            ErrorBars::MinMax => "smallest to largest run",
        }
    }
}

/// A balance point (a recommended scale or a limit), marked on the plots.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceMark {
    /// Short name shown on the plot (`peak N*`, `roof`).
    pub label: String,
    /// Scale value of the point; `None` for a level such as a throughput roof.
    pub scale: Option<f64>,
    /// Interval of the scale value.
    pub scale_interval: Option<(f64, f64)>,
    /// Metric value at the point, or the level of a roof.
    pub value: Option<f64>,
    /// Definition of the point, in words.
    pub meaning: String,
}

/// Cost against throughput at each scale, cheapest first.
#[derive(Debug, Clone, PartialEq)]
pub struct CostFrontier {
    /// Unit of cost (`$/h`, `node-hours`).
    pub cost_unit: String,
    pub points: Vec<FrontierPoint>,
}

/// One scale on the cost frontier.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierPoint {
    pub scale: f64,
    pub throughput: f64,
    pub cost: f64,
}

/// File format of the plots written beside the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PlotFormat {
    /// Scalable vector graphics
    #[default]
    Svg,
    /// Portable network graphics, 760×440 pixels
    Png,
}

/// Builds the balance points that follow from a fit alone: the peak N* with its throughput, and
/// the contention roof. Laws without these quantities give none. Used where no plan
/// could be made; [`marks_from_plan`] adds the knee and the goal.
pub fn marks_from_fit(fit: &Fit) -> Vec<BalanceMark> {
    let mut marks = Vec::new();
    let value = |name: &str| fit.derived(name).and_then(|d| d.derived.value);
    if let Some(peak) = fit.derived("peak_n") {
        if let Some(n) = peak.derived.value {
            marks.push(BalanceMark {
                label: "peak N*".to_string(),
                scale: Some(n),
                scale_interval: peak.bootstrap_interval,
                value: value("peak_throughput"),
                meaning: format!("{} ({})", peak.derived.meaning, fit.law_name),
            });
        }
    }
    if let Some(roof) = fit.derived("roof") {
        if let Some(level) = roof.derived.value {
            marks.push(BalanceMark {
                label: "roof".to_string(),
                scale: None,
                scale_interval: None,
                value: Some(level),
                meaning: format!("{} ({})", roof.derived.meaning, fit.law_name),
            });
        }
    }
    marks
}

/// Builds the balance points of a plan: peak, roof, knee, and, when a cost model was given
/// (`with_cost`), the best throughput per cost and the cheapest N meeting the goal.
pub fn marks_from_plan(plan: &Plan, with_cost: bool) -> Vec<BalanceMark> {
    let mut marks = Vec::new();
    let beyond = |point: &BalancePoint| {
        if point.extrapolation {
            format!(
                "; beyond {} times the largest measured N, so an extrapolation",
                format_number(scalelaw::plan::EXTRAPOLATION_FACTOR)
            )
        } else {
            String::new()
        }
    };
    let mut push_point = |label: String, point: &BalancePoint, meaning: String| {
        if let Some(n) = point.n.value {
            marks.push(BalanceMark {
                label,
                scale: Some(n),
                scale_interval: point.n.interval,
                value: point.throughput.value,
                meaning: format!("{meaning}{}", beyond(point)),
            });
        }
    };
    push_point(
        "peak N*".to_string(),
        &plan.peak,
        "the N at which throughput is highest".to_string(),
    );
    push_point(
        "knee".to_string(),
        &plan.knee,
        format!(
            "the largest N whose efficiency X(N)/(N·X(1)) stays at or above {}",
            format_number(plan.min_efficiency)
        ),
    );
    if with_cost {
        push_point(
            "best value".to_string(),
            &plan.best_value,
            "the N with the most throughput per unit of hourly cost".to_string(),
        );
        if let Some(goal) = &plan.goal {
            let goal_text = describe_goal(&goal.goal);
            if goal.met {
                push_point(
                    "cheapest".to_string(),
                    &goal.cheapest,
                    format!("the cheapest N that meets the goal: {goal_text}"),
                );
            } else {
                marks.push(BalanceMark {
                    label: "goal not met".to_string(),
                    scale: None,
                    scale_interval: None,
                    value: None,
                    meaning: format!("no N up to the search limit meets the goal: {goal_text}"),
                });
            }
            if let Goal::Throughput { target } = goal.goal {
                marks.push(BalanceMark {
                    label: "target".to_string(),
                    scale: None,
                    scale_interval: None,
                    value: Some(target),
                    meaning: "the throughput the goal requires".to_string(),
                });
            }
        }
    }
    if let Some(level) = plan.roof.value {
        marks.push(BalanceMark {
            label: "roof".to_string(),
            scale: None,
            scale_interval: plan.roof.interval,
            value: Some(level),
            meaning: "the throughput limit as N grows".to_string(),
        });
    }
    marks
}

fn describe_goal(goal: &Goal) -> String {
    match goal {
        Goal::Throughput { target } => format!("throughput of at least {}", format_number(*target)),
        Goal::Latency { arrival_rate, slo } => format!(
            "serve {} requests per second within {} s",
            format_number(*arrival_rate),
            format_number(slo.seconds())
        ),
        Goal::Deadline { job_size, deadline } => format!(
            "finish {} work units within {} s",
            format_number(*job_size),
            format_number(*deadline)
        ),
        Goal::Budget { per_hour } => {
            format!(
                "most throughput for at most {} per hour",
                format_number(*per_hour)
            )
        }
    }
}

/// Extracts the plan's Pareto frontier of hourly cost against throughput.
pub fn frontier_from_plan(plan: &Plan) -> Option<CostFrontier> {
    let points: Vec<FrontierPoint> = plan
        .frontier
        .iter()
        .filter_map(|row| {
            Some(FrontierPoint {
                scale: row.n as f64,
                throughput: row.throughput.value?,
                cost: row.cost_per_hour,
            })
        })
        .collect();
    (!points.is_empty()).then(|| CostFrontier {
        cost_unit: "per hour".to_string(),
        points,
    })
}

/// Writes the HTML report to `path`.
pub fn write_report(inputs: &ReportInputs, path: &Path) -> anyhow::Result<()> {
    let page = render_html(inputs)?;
    std::fs::write(path, page)
        .with_context(|| format!("failed to write the report to {}", path.display()))
}

/// Writes every plot of every series into `dir` as `<series>-<plot>.<svg|png>` and
/// returns the paths written.
pub fn write_plot_files(
    inputs: &ReportInputs,
    dir: &Path,
    format: PlotFormat,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("failed to create the plot directory {}", dir.display()))?;
    let mut written = Vec::new();
    for (index, series) in inputs.series.iter().enumerate() {
        let prefix = file_prefix(series, index);
        for chart in series_charts(series, inputs.error_bars) {
            written.push(write_chart(&chart, dir, &prefix, format)?);
        }
    }
    for (index, section) in inputs.neural.iter().enumerate() {
        for chart in neural::neural_charts(section) {
            written.push(write_chart(
                &chart,
                dir,
                &format!("neural{}", index + 1),
                format,
            )?);
        }
    }
    Ok(written)
}

/// Writes one chart as `<prefix>-<chart id>.<svg|png>` into `dir`.
fn write_chart(
    chart: &Chart,
    dir: &Path,
    prefix: &str,
    format: PlotFormat,
) -> anyhow::Result<PathBuf> {
    match format {
        PlotFormat::Svg => {
            let path = dir.join(format!("{prefix}-{}.svg", chart.id));
            std::fs::write(&path, chart.to_svg()?)
                .with_context(|| format!("failed to write {}", path.display()))?;
            Ok(path)
        }
        PlotFormat::Png => {
            let path = dir.join(format!("{prefix}-{}.png", chart.id));
            chart.write_png(&path)?;
            Ok(path)
        }
    }
}

/// File-name prefix of a series: `series<k>`, followed by its label with every
/// character other than ASCII letters, digits, `-` and `_` replaced by `_`. The number
/// keeps labels that differ only in replaced characters apart.
fn file_prefix(series: &SeriesReport, index: usize) -> String {
    let number = format!("series{}", index + 1);
    if series.label.is_empty() {
        return number;
    }
    let label: String = series
        .label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{number}-{label}")
}
