//! `scalelaw fit`: read observations, fit one law or rank every applicable law, and
//! print the fits with their uncertainty, the chosen law and why it was chosen.
//!
//! Other commands reuse [`FitSettings`] (flatten it into their arguments) and
//! [`fit_series`], which turns one [`Series`] into a [`SeriesResult`].

mod csv_out;
mod document;
mod json;
mod plot;
mod predict;
mod text;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use scalelaw::select::{self, Comparison};
use scalelaw::{DataError, Fit, FitOptions, Law, PointSummary};

use crate::input::{self, DataArgs, InputSummary, Series};
use crate::output::Format;
pub use predict::{LatencyPrediction, Prediction};

/// Value of `--law` that fits every applicable law and ranks them.
pub const ALL_LAWS: &str = "all";

/// Fit settings, shared by every command that fits (`#[command(flatten)]`).
#[derive(clap::Args, Clone, Debug)]
pub struct FitSettings {
    /// Law to fit: usl, amdahl, gustafson, linear, or all to fit every law, rank them
    /// and choose one. The neural laws chinchilla, kaplan, kaplan-e and bnsl read N, D,
    /// C and loss columns, as `scalelaw neural fit` does
    #[arg(long, default_value = ALL_LAWS, value_name = "LAW", value_parser = parse_law)]
    pub law: String,

    /// Keep parameters within their bounds (for USL: alpha and beta in [0, 1], gamma
    /// >= 0), as R's usl package does
    #[arg(long)]
    pub bounded: bool,

    /// Bootstrap resamples for the intervals; 0 turns the bootstrap off
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub bootstrap: usize,

    /// Seed of the bootstrap's random numbers; equal seeds give equal intervals
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Two-sided confidence level of every interval, between 0 and 1
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL", value_parser = parse_confidence)]
    pub confidence: f64,

    /// Predict the metric at these values of the scale parameter, with intervals
    #[arg(long, value_delimiter = ',', value_name = "N,...", value_parser = parse_positive)]
    pub predict: Vec<f64>,

    /// With latency input: predict the concurrency and throughput at which the mean
    /// latency reaches these values (same time unit as the latency column)
    #[arg(long, value_delimiter = ',', value_name = "R,...", value_parser = parse_positive)]
    pub predict_latency: Vec<f64>,
}

impl Default for FitSettings {
    fn default() -> Self {
        Self {
            law: ALL_LAWS.to_string(),
            bounded: false,
            bootstrap: 1000,
            seed: 1,
            confidence: 0.95,
            predict: Vec::new(),
            predict_latency: Vec::new(),
        }
    }
}

impl FitSettings {
    /// Converts these settings to the library's options.
    pub fn options(&self) -> FitOptions {
        FitOptions {
            bounded: self.bounded,
            bootstrap_resamples: self.bootstrap,
            seed: self.seed,
            confidence: self.confidence,
            leave_one_out: true,
        }
    }

    /// Returns the laws these settings request, simplest first.
    pub fn laws(&self) -> anyhow::Result<Vec<Box<dyn Law>>> {
        if self.law == ALL_LAWS {
            return Ok(scalelaw::laws::throughput_laws());
        }
        let law = scalelaw::laws::by_id(&self.law).with_context(|| unknown_law(&self.law))?;
        Ok(vec![law])
    }
}

fn unknown_law(id: &str) -> String {
    format!(
        "unknown law `{id}`; known laws: {}, {}, or {ALL_LAWS}",
        scalelaw::laws::ids().join(", "),
        NEURAL_LAWS.join(", ")
    )
}

/// Neural scaling laws that `--law` hands to `scalelaw neural fit`.
const NEURAL_LAWS: [&str; 4] = ["chinchilla", "kaplan", "kaplan-e", "bnsl"];

fn parse_law(value: &str) -> Result<String, String> {
    let id = value.trim().to_ascii_lowercase();
    if id == ALL_LAWS || scalelaw::laws::by_id(&id).is_some() || NEURAL_LAWS.contains(&id.as_str())
    {
        Ok(id)
    } else {
        Err(unknown_law(value))
    }
}

fn parse_positive(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(number) if number.is_finite() && number > 0.0 => Ok(number),
        Ok(_) => Err(format!("{value} is not above zero; give a positive number")),
        Err(_) => Err(format!("`{value}` is not a number")),
    }
}

fn parse_confidence(value: &str) -> Result<f64, String> {
    let level: f64 = value
        .parse()
        .map_err(|_| format!("`{value}` is not a number; give a level such as 0.95"))?;
    if level > 0.0 && level < 1.0 {
        Ok(level)
    } else {
        Err(format!(
            "{value} is not between 0 and 1; give a level such as 0.95 for 95% intervals"
        ))
    }
}

#[derive(clap::Args)]
#[command(after_help = "Examples:
  scalelaw fit data/usl/specsdm91.csv
      guess the columns, fit every law, rank them and show the chosen one
  scalelaw fit data/usl/specsdm91.csv --law usl --bounded --predict 64,128
      fit the USL with alpha, beta >= 0 and predict throughput at N = 64 and 128
  scalelaw fit data/nvidia_bert_dp_throughput/bert_pytorch_dp_throughput.csv \\
        --x total_gpus --y throughput_seq_per_s --by system,phase,seq_len,precision,batch_per_gpu
      fit one series per group of rows
  scalelaw fit runs.csv --x clients --y latency_ms --predict-latency 50
      derive throughput N/R from latency (Little's law), and find the N at R = 50 ms
  scalelaw fit runs.jsonl --format json > fit.json
      stable JSON output, described in docs/json-output.md

Rows repeated at one point are runs: all are fitted and each point shows their mean
and spread. Rows whose `status` is not `ok` are left out, and so are empty cells.")]
pub struct FitArgs {
    #[command(flatten)]
    pub data: DataArgs,

    #[command(flatten)]
    pub settings: FitSettings,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Draw a text plot of the data and the chosen law after the table: auto draws it
    /// when the output is a terminal
    #[arg(long, value_enum, default_value_t = PlotChoice::Auto)]
    pub plot: PlotChoice,
}

/// When to draw the text plot.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotChoice {
    Auto,
    Always,
    Never,
}

/// One law's fit (or failure) in a series, with its predictions.
#[derive(Debug, Clone)]
pub struct LawResult {
    /// Predictions of the metric at `--predict` values.
    pub predictions: Vec<Prediction>,
    /// Mean latency R(N) at `--predict` values (USL with latency input only).
    pub response_times: Vec<Prediction>,
    /// Concurrency and throughput at `--predict-latency` values (USL with latency
    /// input only).
    pub at_latency: Vec<LatencyPrediction>,
}

/// The fits of one series: the ranked comparison of laws and their predictions.
#[derive(Debug, Clone)]
pub struct SeriesResult {
    pub label: String,
    pub group: Vec<(String, String)>,
    pub scale_name: String,
    pub metric_name: String,
    pub notes: Vec<String>,
    /// The measured points: runs grouped by scale value, with mean and spread.
    pub points: Vec<PointSummary>,
    pub comparison: Comparison,
    /// One per entry of `comparison.entries`, in the same order.
    pub laws: Vec<LawResult>,
    pub latency_column: Option<String>,
}

impl SeriesResult {
    /// Returns the chosen law's fit and predictions.
    pub fn chosen(&self) -> Option<(&Fit, &LawResult)> {
        let index = self.comparison.chosen?;
        let fit = self.comparison.entries[index].fit.as_ref()?;
        Some((fit, &self.laws[index]))
    }

    /// Indices into `comparison.entries` of the fitted laws, chosen first, then by rank,
    /// then the failed ones.
    pub fn display_order(&self) -> Vec<usize> {
        let entries = &self.comparison.entries;
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&i| {
            (
                Some(i) != self.comparison.chosen,
                entries[i].rank.unwrap_or(usize::MAX),
                i,
            )
        });
        order
    }
}

/// Outcome of one series: its fits, or why it could not be fitted.
#[derive(Debug)]
pub enum SeriesOutcome {
    Fitted(Box<SeriesResult>),
    Failed {
        label: String,
        group: Vec<(String, String)>,
        points: usize,
        error: String,
    },
}

/// Fits the laws `settings` requests to one series, ranks them and computes the
/// predictions. Fails when no law can be fitted, with the reason.
pub fn fit_series(series: &Series, settings: &FitSettings) -> anyhow::Result<SeriesResult> {
    let observations = &series.observations;
    let points = observations.points();
    let laws = settings.laws()?;
    check_points(series, &points, &laws)?;

    // Law-specific data checks run here first, so their row numbers can be turned into
    // file lines; the comparison then reports the same laws as failed.
    let mut validation_errors: Vec<Option<String>> = Vec::with_capacity(laws.len());
    for law in &laws {
        validation_errors.push(
            law.validate(observations)
                .err()
                .map(|err| describe_data_error(&err, series)),
        );
    }
    if let Some(first) = validation_errors.iter().flatten().next() {
        if validation_errors.iter().all(Option::is_some) {
            anyhow::bail!("{first}");
        }
    }

    let mut comparison = select::compare(&laws, observations, &settings.options());
    for (entry, error) in comparison.entries.iter_mut().zip(validation_errors) {
        if let Some(error) = error {
            entry.error = Some(error);
        }
    }
    if comparison.chosen.is_none() {
        anyhow::bail!("{}", combined_errors(&comparison));
    }

    let law_results = comparison
        .entries
        .iter()
        .zip(&laws)
        .map(|(entry, law)| match &entry.fit {
            Some(fit) => predict::law_result(law.as_ref(), fit, settings, series),
            None => LawResult {
                predictions: Vec::new(),
                response_times: Vec::new(),
                at_latency: Vec::new(),
            },
        })
        .collect();

    Ok(SeriesResult {
        label: series.label.clone(),
        group: series.group.clone(),
        scale_name: observations.scale_names().join(", "),
        metric_name: observations.metric_name().to_string(),
        notes: series.notes.clone(),
        points,
        comparison,
        laws: law_results,
        latency_column: series.latency_column.clone(),
    })
}

/// Rejects series whose points cannot support any requested law, with a message that
/// states how many points each law needs.
fn check_points(
    series: &Series,
    points: &[PointSummary],
    laws: &[Box<dyn Law>],
) -> anyhow::Result<()> {
    let scale = series.observations.scale_names().join(", ");
    let fewest = laws.iter().map(|l| l.params().len()).min().unwrap_or(1);
    let needed: Vec<String> = laws
        .iter()
        .map(|l| format!("{} needs {}", l.id(), l.params().len()))
        .collect();
    let runs = series.observations.len();
    match points {
        [single] if runs == 1 => anyhow::bail!(
            "only one row to fit ({scale} = {}); a law needs measurements at several values \
             of {scale} ({})",
            crate::output::number(single.x[0]),
            needed.join(", ")
        ),
        [single] => anyhow::bail!(
            "all {runs} rows are at {scale} = {}, a single point; a law needs measurements at \
             several values of {scale} ({})",
            crate::output::number(single.x[0]),
            needed.join(", ")
        ),
        _ if points.len() < fewest => anyhow::bail!(
            "only {} distinct values of {scale}; too few for any requested law ({}); measure \
             more points",
            points.len(),
            needed.join(", ")
        ),
        _ => Ok(()),
    }
}

/// Describes a data error with its observation row turned into the file line.
fn describe_data_error(err: &DataError, series: &Series) -> String {
    match err {
        DataError::NonPositive {
            row,
            column,
            value,
            law,
        } => {
            let place = match series.line_of_row(*row) {
                Some(line) => format!("line {line}"),
                None => format!("row {row}"),
            };
            format!(
                "{place}: {column} is {value}, but {law} needs values above zero; fix the \
                 value, leave the cell empty to mark it missing, or select other rows with \
                 --where"
            )
        }
        DataError::NonFinite { row, column, value } => {
            let place = series
                .line_of_row(*row)
                .map_or(format!("row {row}"), |line| format!("line {line}"));
            format!("{place}: {column} is {value}, but only finite numbers can be fitted")
        }
        other => other.to_string(),
    }
}

/// Joins the errors of a comparison in which no law could be fitted into one message.
fn combined_errors(comparison: &Comparison) -> String {
    let errors: Vec<(&str, &str)> = comparison
        .entries
        .iter()
        .filter_map(|e| e.error.as_deref().map(|err| (e.law.as_str(), err)))
        .collect();
    match errors.as_slice() {
        [] => comparison.reason.clone(),
        [(_, only)] => only.to_string(),
        many => {
            let lines: Vec<String> = many
                .iter()
                .map(|(law, err)| format!("  {law}: {err}"))
                .collect();
            format!("no law could be fitted:\n{}", lines.join("\n"))
        }
    }
}

/// Fits every series, keeping each failure with its reason instead of stopping.
pub fn fit_all(series: &[Series], settings: &FitSettings) -> Vec<SeriesOutcome> {
    series
        .iter()
        .map(|one| match fit_series(one, settings) {
            Ok(result) => SeriesOutcome::Fitted(Box::new(result)),
            Err(err) => SeriesOutcome::Failed {
                label: one.label.clone(),
                group: one.group.clone(),
                points: one.observations.distinct_points(),
                error: format!("{err:#}"),
            },
        })
        .collect()
}

/// Writes the results in `format`; `plot` adds a text plot after table output.
pub fn write_results(
    out: &mut impl Write,
    format: Format,
    input: &InputSummary,
    settings: &FitSettings,
    outcomes: &[SeriesOutcome],
    plot: bool,
) -> anyhow::Result<()> {
    let context = document::Context { input, settings };
    match format {
        Format::Json => json::write(out, &context, outcomes)?,
        Format::Csv => csv_out::write(out, outcomes)?,
        Format::Table => {
            let blocks = document::build(&context, outcomes);
            out.write_all(text::render(&blocks).as_bytes())?;
            if plot {
                for outcome in outcomes {
                    if let SeriesOutcome::Fitted(result) = outcome {
                        out.write_all(plot::draw(result).as_bytes())?;
                    }
                }
            }
        }
        Format::Markdown => {
            let blocks = document::build(&context, outcomes);
            out.write_all(text::render_markdown(&blocks).as_bytes())?;
        }
    }
    Ok(())
}

/// Runs `scalelaw fit`.
/// Runs `fit --law chinchilla|kaplan|kaplan-e|bnsl` as `scalelaw neural fit`.
fn run_neural(args: FitArgs) -> anyhow::Result<ExitCode> {
    use clap::ValueEnum;
    if !args.data.by.is_empty() {
        anyhow::bail!(
            "--by does not apply to neural scaling laws; select rows with --where instead"
        );
    }
    let law = super::neural::NeuralLaw::from_str(&args.settings.law, true)
        .map_err(|err| anyhow::anyhow!(err))?;
    let neural = super::neural::NeuralFitArgs {
        runs: super::neural::RunsArgs {
            file: args.data.file,
            n_column: None,
            d_column: None,
            c_column: None,
            loss_column: args.data.y,
            filters: args.data.filters,
        },
        law,
        x: args.data.x.unwrap_or_else(|| "N".to_string()),
        huber: super::neural::HuberArgs {
            delta: 1e-3,
            bootstrap: args.settings.bootstrap,
            seed: args.settings.seed,
            confidence: args.settings.confidence,
        },
        compare_multistart: false,
        isoflop: false,
        budget_tolerance: 0.1,
        format: args.format,
    };
    super::neural::run_fit(&neural)
}

pub fn run(args: FitArgs) -> anyhow::Result<ExitCode> {
    if NEURAL_LAWS.contains(&args.settings.law.as_str()) {
        return run_neural(args);
    }
    let loaded = input::load(&args.data)?;
    for note in &loaded.input.notes {
        eprintln!("note: {note}");
    }
    let has_latency = loaded.series.iter().any(|s| s.latency_column.is_some());
    if !args.settings.predict_latency.is_empty() && !has_latency {
        anyhow::bail!(
            "--predict-latency needs latency input: name the latency column with --latency \
             COLUMN (or --y COLUMN when the file has no throughput column)"
        );
    }
    if !args.settings.predict_latency.is_empty()
        && !matches!(args.settings.law.as_str(), "usl" | ALL_LAWS)
    {
        eprintln!(
            "note: --predict-latency is computed for the usl law only, so it is ignored for {}",
            args.settings.law
        );
    }

    let outcomes = fit_all(&loaded.series, &args.settings);
    let fitted = outcomes
        .iter()
        .filter(|o| matches!(o, SeriesOutcome::Fitted(_)))
        .count();
    // A single series that fails is the command's error. With several, each failure
    // is reported in its place, and the command fails only when none fits.
    if let [SeriesOutcome::Failed { error, .. }] = outcomes.as_slice() {
        anyhow::bail!("{}: {error}", args.data.file.display());
    }

    let plot = match args.plot {
        PlotChoice::Always => true,
        PlotChoice::Never => false,
        PlotChoice::Auto => crate::output::stdout_is_terminal(),
    };
    let mut stdout = std::io::stdout().lock();
    write_results(
        &mut stdout,
        args.format,
        &loaded.input,
        &args.settings,
        &outcomes,
        plot,
    )?;
    stdout.flush()?;

    if fitted == 0 {
        eprintln!("error: no series could be fitted; see the reason printed for each");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
