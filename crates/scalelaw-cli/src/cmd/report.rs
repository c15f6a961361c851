//! `scalelaw report`: fit the laws to a data file and write a self-contained HTML
//! report with plots, and optionally the plots as SVG or PNG files.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use scalelaw::{laws, select, FitOptions, Observations};

use crate::input::{DataArgs, Series};
use crate::report::{self, ErrorBars, PlotFormat, ReportInputs, SeriesReport};

#[derive(clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// Path of the HTML report to write
    #[arg(short, long, default_value = "report.html")]
    pub output: PathBuf,

    /// Laws to fit and compare (default: every law for one scale parameter)
    #[arg(long, value_delimiter = ',', value_name = "LAW,...")]
    pub law: Vec<String>,

    /// Keep every parameter within its bounds (alpha and beta in [0, 1], gamma >= 0)
    #[arg(long)]
    pub bounded: bool,

    /// Bootstrap resamples for intervals and confidence bands; 0 turns them off
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,

    /// Seed of the bootstrap's random numbers; equal seeds give equal reports
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Two-sided confidence level of intervals and bands, in (0, 1)
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,

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
    if std::io::stdout().is_terminal() {
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
pub fn build_inputs(args: &ReportArgs) -> anyhow::Result<ReportInputs> {
    let law_ids: Vec<String> = if args.law.is_empty() {
        laws::ids().into_iter().map(str::to_string).collect()
    } else {
        args.law.clone()
    };
    let mut chosen_laws = Vec::new();
    for id in &law_ids {
        match laws::by_id(id) {
            Some(law) => chosen_laws.push(law),
            None => bail!(
                "unknown law {id:?} in --law; known laws: {}",
                laws::ids().join(", ")
            ),
        }
    }
    let options = FitOptions {
        bounded: args.bounded,
        bootstrap_resamples: args.bootstrap,
        seed: args.seed,
        confidence: args.confidence,
        ..FitOptions::default()
    };

    let mut series_reports = Vec::new();
    for series in load_csv_series_minimal(&args.data)? {
        let comparison = select::compare(&chosen_laws, &series.observations, &options);
        let marks = comparison
            .chosen_fit()
            .map(report::marks_from_fit)
            .unwrap_or_default();
        series_reports.push(SeriesReport {
            label: series.label,
            observations: series.observations,
            comparison,
            notes: series.notes,
            marks,
            frontier: None,
        });
    }

    let file_name = args.data.file.file_name().map_or_else(
        || args.data.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(ReportInputs {
        title: format!("scalelaw report: {file_name}"),
        settings: vec![
            ("data".to_string(), args.data.file.display().to_string()),
            ("laws".to_string(), law_ids.join(", ")),
            (
                "fit".to_string(),
                if args.bounded { "bounded" } else { "unbounded" }.to_string(),
            ),
            (
                "bootstrap".to_string(),
                format!("{} resamples, seed {}", args.bootstrap, args.seed),
            ),
            ("confidence".to_string(), args.confidence.to_string()),
        ],
        error_bars: args.error_bars,
        series: series_reports,
    })
}

/// Scale parameter names tried in order when `--x` is not given.
const SCALE_GUESSES: &[&str] = &[
    "n",
    "workers",
    "nodes",
    "threads",
    "concurrency",
    "clients",
    "processors",
    "load",
    "total_gpus",
    "gpus",
];

/// Metric names tried in order when `--y` is not given.
const METRIC_GUESSES: &[&str] = &["throughput", "time", "latency", "runtime"];

/// A minimal tidy CSV reader used until `input::load_series` lands on main: one scale
/// column and one metric column (given or guessed from names), `--where` filters and
/// `--by` groups. It reads no JSON Lines.
// TODO: replace with `crate::input::load_series` once the input layer is on main.
fn load_csv_series_minimal(args: &DataArgs) -> anyhow::Result<Vec<Series>> {
    let path = &args.file;
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("failed to open {}", path.display()))?;
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("failed to read the header row of {}", path.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let find = |name: &str| headers.iter().position(|h| h == name);
    let mut notes = Vec::new();
    let pick = |given: &Option<String>, guesses: &[&str], role: &str, flag: &str| {
        if let Some(name) = given {
            return find(name).map(|i| (i, false)).ok_or_else(|| {
                anyhow::anyhow!(
                    "column {name:?} given by {flag} not found in {}; columns: {}",
                    path.display(),
                    headers.join(", ")
                )
            });
        }
        guesses
            .iter()
            .find_map(|guess| {
                headers.iter().position(|h| {
                    h.eq_ignore_ascii_case(guess) || h.starts_with(&format!("{guess}_"))
                })
            })
            .map(|i| (i, true))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no {role} column recognised in {}; name it with {flag} (columns: {})",
                    path.display(),
                    headers.join(", ")
                )
            })
    };
    let (x_index, x_guessed) = pick(&args.x, SCALE_GUESSES, "scale parameter", "--x")?;
    let (y_index, y_guessed) = pick(&args.y, METRIC_GUESSES, "metric", "--y")?;
    if x_guessed || y_guessed {
        notes.push(format!(
            "columns guessed from their names: scale parameter {}, metric {}",
            headers[x_index], headers[y_index]
        ));
    }

    let mut filters = Vec::new();
    for filter in &args.filters {
        let (column, value) = filter
            .split_once('=')
            .with_context(|| format!("--where {filter:?} is not of the form COLUMN=VALUE"))?;
        let index = find(column.trim()).with_context(|| {
            format!(
                "column {column:?} in --where not found; columns: {}",
                headers.join(", ")
            )
        })?;
        filters.push((index, value.trim().to_string()));
    }
    let mut group_columns = Vec::new();
    for column in &args.by {
        group_columns.push(find(column.trim()).with_context(|| {
            format!(
                "column {column:?} in --by not found; columns: {}",
                headers.join(", ")
            )
        })?);
    }

    let mut groups: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let mut skipped = 0usize;
    for (row, record) in reader.records().enumerate() {
        let record = record
            .with_context(|| format!("failed to read row {} of {}", row + 2, path.display()))?;
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        if filters.iter().any(|(i, value)| field(*i) != value) {
            continue;
        }
        let (Ok(x), Ok(y)) = (field(x_index).parse::<f64>(), field(y_index).parse::<f64>()) else {
            skipped += 1;
            continue;
        };
        let label = group_columns
            .iter()
            .map(|&i| format!("{}={}", headers[i], field(i)))
            .collect::<Vec<_>>()
            .join(", ");
        let entry = groups.entry(label).or_default();
        entry.0.push(x);
        entry.1.push(y);
    }
    if skipped > 0 {
        notes.push(format!(
            "{skipped} rows skipped because {} or {} is not a number",
            headers[x_index], headers[y_index]
        ));
    }
    if groups.is_empty() {
        bail!(
            "no rows of {} are left after the --where filters",
            path.display()
        );
    }
    groups
        .into_iter()
        .map(|(label, (x, y))| {
            let observations = Observations::new(&headers[x_index], &headers[y_index], x, y)
                .with_context(|| format!("invalid data in {}", path.display()))?;
            Ok(Series {
                label,
                observations,
                notes: notes.clone(),
            })
        })
        .collect()
}
