//! `scalelaw report`: fit the laws to a data file and write a self-contained HTML
//! report with plots, and optionally the plots as SVG or PNG files.

use std::path::PathBuf;
use std::process::ExitCode;

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
    let loaded = input::load(&args.data)?;
    let single = loaded.series.len() == 1;
    let mut series_reports = Vec::new();
    for series in loaded.series {
        let (comparison, predictions) = match fit_series(&series, &args.settings) {
            Ok(result) => {
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
        report.predictions = predictions;
        series_reports.push(report);
    }

    let file_name = args.data.file.file_name().map_or_else(
        || args.data.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
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

/// A comparison with no fitted law, carrying the reason in place of a ranking.
fn unfitted(reason: String) -> Comparison {
    Comparison {
        entries: Vec::new(),
        criterion: Criterion::Aicc,
        chosen: None,
        reason,
    }
}
