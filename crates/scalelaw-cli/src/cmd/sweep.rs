//! `scalelaw sweep`: run a command at every point of one or more scale parameters and
//! record each run's metrics as observations.
//!
//! The command checks everything it can before the first run: the points, placeholders,
//! metrics, the program and the output paths. Then it runs the sweep with a progress bar.
//! At the end it writes the tidy CSV that `scalelaw fit` reads and prints per-point
//! statistics, and on request writes a hyperfine export and runs a fit.

mod output;
mod progress;

use std::fs::OpenOptions;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::ValueEnum;
use scalelaw_sweep::metric::MetricSpec;
use scalelaw_sweep::{
    journal, JournalWriter, Order, Plan, ProcessExecutor, RunRecord, RunStatus, ScaleParameter,
    Settings, Stop, StopRule, Sweep,
};

/// Measured runs per point when no run option is given.
const DEFAULT_RUNS: usize = 10;
/// Minimum measured runs per point with `--target-rse` when `--min-runs` is not given.
const DEFAULT_MIN_RUNS_FOR_RSE: usize = 3;
/// Run cap per point with `--target-rse` when `--max-runs` is not given.
const DEFAULT_MAX_RUNS_FOR_RSE: usize = 100;
/// Exit code after an interrupt, as shells report a process ended by SIGINT.
const EXIT_INTERRUPTED: u8 = 130;

pub use crate::output::Format;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    /// Rounds of one run per point, each round in a seeded random order
    Interleaved,
    /// All runs of one point, then the next point
    Sequential,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  scalelaw sweep -p workers=1,2,4,8 -- ./bench --threads {workers}
  scalelaw sweep -p threads=1..64:x2 --env OMP_NUM_THREADS={threads} --runs 5 -- ./solver
  scalelaw sweep -p size=1..16 --target-rse 2 --timeout 60 -o scaling.csv -- ./bench {size}
  scalelaw sweep -p workers=1..8 --metric throughput='([0-9.]+) samples/s' -- ./train -w {workers}
  scalelaw sweep -p nodes=1,2,4 --metric-json rate=stats.samples_per_s -- ./train --json -N {nodes}
  scalelaw sweep -p size=1..8 --work '1e6*{size}' --fit usl -- ./bench {size}
  scalelaw sweep --shell -p jobs=1,2 -- 'make -j{jobs} && make clean'
  scalelaw sweep --resume sweep.jsonl")]
pub struct SweepArgs {
    // Boxed so that the subcommand enum stays small next to the other commands' options.
    #[command(flatten)]
    options: Box<SweepOptions>,
}

/// The options of `scalelaw sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepOptions {
    /// The command to run at every point, after `--`. `{name}` is replaced by the value of
    /// the scale parameter `name`; `{{` and `}}` give literal braces. One quoted argument
    /// is split into words like a shell does (quotes only, no pipes). Leave it out with
    /// --resume to reuse the journal's command and settings.
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,

    /// Scale parameter and its values: a list (workers=1,2,4,8), an inclusive range of
    /// whole numbers (n=1..16, with a step: n=0..100:+10) or a geometric range
    /// (n=1..64:x2). Repeat -p for the cartesian product of several parameters.
    #[arg(
        short = 'p',
        long = "param",
        value_name = "NAME=VALUES",
        help_heading = "Points"
    )]
    pub params: Vec<String>,

    /// Environment variable set for every run, with placeholders, as in
    /// OMP_NUM_THREADS={threads}. Repeat for several variables.
    #[arg(long, value_name = "NAME=VALUE", help_heading = "Command")]
    pub env: Vec<String>,

    /// Run the command through a shell (`SHELL -c 'COMMAND'`), for pipes, `&&` and
    /// built-ins. Without a value the shell is sh. By default no shell runs between
    /// scalelaw and the command, so its start-up is not measured.
    #[arg(long, value_name = "SHELL", num_args = 0..=1, require_equals = true,
          default_missing_value = "sh", help_heading = "Command")]
    pub shell: Option<String>,

    /// Let the command's output through to the terminal (it is discarded by default, and
    /// captured, not shown, when a custom metric reads it).
    #[arg(long, help_heading = "Command")]
    pub show_output: bool,

    /// Warmup runs per point before its measured runs [default: 0]. They are journaled but
    /// left out of the CSV and the statistics.
    #[arg(short = 'w', long, value_name = "N", help_heading = "Runs")]
    pub warmup: Option<usize>,

    /// Exactly N measured runs per point [default: 10 when no other run option is given].
    #[arg(short = 'r', long, value_name = "N", help_heading = "Runs",
          conflicts_with_all = ["min_runs", "min_time", "max_runs", "target_rse"])]
    pub runs: Option<usize>,

    /// At least N measured runs per point [default: 10, or 3 with --target-rse].
    #[arg(long, value_name = "N", help_heading = "Runs")]
    pub min_runs: Option<usize>,

    /// Keep running a point until its measured runs add up to at least this many seconds
    /// of wall-clock time (and --min-runs are done).
    #[arg(long, value_name = "SECONDS", help_heading = "Runs")]
    pub min_time: Option<f64>,

    /// Keep running a point until the relative standard error of its mean (standard error
    /// divided by the mean) is at most PERCENT, or --max-runs is reached. Applies to the
    /// metric --rse-metric names.
    #[arg(long, value_name = "PERCENT", help_heading = "Runs")]
    pub target_rse: Option<f64>,

    /// The metric --target-rse checks [default: time_s].
    #[arg(long, value_name = "METRIC", help_heading = "Runs")]
    pub rse_metric: Option<String>,

    /// At most N measured runs per point, for --min-time and --target-rse [default: 100
    /// with --target-rse, otherwise no cap].
    #[arg(long, value_name = "N", help_heading = "Runs")]
    pub max_runs: Option<usize>,

    /// Order of the runs across points [default: interleaved]. Interleaving spreads slow
    /// drift of the machine (heat, background load) over all points, so it does not pass
    /// for a scaling effect.
    #[arg(long, value_enum, help_heading = "Runs")]
    pub order: Option<OrderArg>,

    /// Seed of the interleaved order [default: taken from the clock, and recorded in the
    /// journal; with --resume, the journal's seed].
    #[arg(long, value_name = "N", help_heading = "Runs")]
    pub seed: Option<u64>,

    /// Kill a run, with every process it started, after this many seconds. The run is
    /// recorded as timed_out, with no metric values: its time is only known to exceed the
    /// timeout.
    #[arg(long, value_name = "SECONDS", help_heading = "Runs")]
    pub timeout: Option<f64>,

    /// Record failed and timed-out runs and go on. By default the sweep stops at the first
    /// run that exits with a non-zero code, times out or lacks a custom metric.
    #[arg(short = 'i', long, help_heading = "Runs")]
    pub ignore_failure: bool,

    /// Custom metric read from the output by a regular expression: the last match's first
    /// capture group (or the whole match without a group) must be a number. Standard
    /// output is searched first, then standard error. Repeat for several metrics.
    #[arg(long = "metric", value_name = "NAME=REGEX", help_heading = "Metrics")]
    pub metrics: Vec<String>,

    /// Custom metric read from a JSON line of the output: the value at PATH (keys
    /// separated by dots, as in stats.samples_per_s) in the last line that is a JSON object
    /// containing it. The value is a JSON number or a string containing one. The metric is
    /// named NAME, or the last key of PATH. Repeat for several.
    #[arg(
        long = "metric-json",
        value_name = "[NAME=]PATH",
        help_heading = "Metrics"
    )]
    pub metrics_json: Vec<String>,

    /// Work one run does, in any unit, to record `throughput` in units per second: a number
    /// (1e6) or a product with placeholders (1e6*{size}).
    #[arg(long, value_name = "AMOUNT", help_heading = "Metrics")]
    pub work: Option<String>,

    /// Tidy CSV of the measured runs, the input of `scalelaw fit` [default: sweep.csv, or
    /// with --resume the journal's name with .csv].
    #[arg(short = 'o', long, value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// JSON Lines journal that every finished run is appended to [default: the --output
    /// name with .jsonl].
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub journal: Option<PathBuf>,

    /// Continue the interrupted sweep in JOURNAL without repeating its finished runs.
    #[arg(
        long,
        value_name = "JOURNAL",
        conflicts_with = "journal",
        help_heading = "Output"
    )]
    pub resume: Option<PathBuf>,

    /// Overwrite an existing journal instead of stopping with an error.
    #[arg(long, help_heading = "Output")]
    pub force: bool,

    /// Flush each journal line to the storage device (fdatasync), so finished runs also
    /// survive a power loss. Without it they survive a crash or kill of scalelaw.
    #[arg(long, help_heading = "Output")]
    pub fsync: bool,

    /// Format of the per-point statistics printed at the end.
    #[arg(long, value_enum, default_value_t = Format::Table, help_heading = "Output")]
    pub format: Format,

    /// Also write the per-point results in hyperfine's JSON export format.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub export_hyperfine: Option<PathBuf>,

    /// Fit LAW (such as usl or amdahl) to the CSV when the sweep ends, with `scalelaw fit`.
    #[arg(long, value_name = "LAW", help_heading = "Output")]
    pub fit: Option<String>,
}

/// Runs `scalelaw sweep`.
pub fn run(args: SweepArgs) -> anyhow::Result<ExitCode> {
    let args = *args.options;
    let resumed = match &args.resume {
        Some(path) => Some(
            journal::read(path)
                .with_context(|| format!("cannot resume from {}", path.display()))?,
        ),
        None => None,
    };
    let settings = match &resumed {
        Some(loaded) if args.command.is_empty() => {
            reject_settings_flags_on_bare_resume(&args)?;
            loaded.settings.clone()
        }
        Some(loaded) => {
            let settings = settings_from_args(&args, Some(loaded.settings.seed))?;
            let differences = settings.differences(&loaded.settings);
            if !differences.is_empty() {
                bail!(
                    "the settings differ from those journal {} was started with (given vs \
                     journal: {}); \
                     give the original options, or leave out the command to reuse the \
                     journal's settings",
                    args.resume.as_deref().unwrap_or(Path::new("")).display(),
                    differences.join("; ")
                );
            }
            settings
        }
        None => settings_from_args(&args, None)?,
    };

    let mut plan = Plan::new(settings)?;
    plan.show_output = args.show_output;
    plan.check_programs()?;

    let csv_path = output_path(&args);
    let journal_path = match (&args.resume, &args.journal) {
        (Some(path), _) => path.clone(),
        (None, Some(path)) => path.clone(),
        (None, None) => csv_path.with_extension("jsonl"),
    };
    if journal_path == csv_path {
        bail!(
            "the CSV output and the journal are the same file, {}; choose another with --output or --journal",
            csv_path.display()
        );
    }
    check_writable(&csv_path, "--output")?;
    if let Some(path) = &args.export_hyperfine {
        check_writable(path, "--export-hyperfine")?;
    }

    let (journal, records) = match resumed {
        Some(loaded) => {
            if let Some(tail) = &loaded.incomplete_tail {
                eprintln!(
                    "warning: the last line of {} is incomplete (the sweep was killed while \
                     writing it) and is dropped: {}",
                    journal_path.display(),
                    tail.trim_end()
                );
            }
            let writer = JournalWriter::resume(&journal_path, loaded.valid_len, args.fsync)?;
            (writer, loaded.records)
        }
        None => {
            if args.force && journal_path.exists() {
                std::fs::remove_file(&journal_path).with_context(|| {
                    format!("cannot remove the old journal {}", journal_path.display())
                })?;
            }
            let writer = JournalWriter::create(&journal_path, &plan.settings, args.fsync)
                .map_err(|err| match err {
                    journal::JournalError::Exists { path } => anyhow::anyhow!(
                        "journal {} already exists; pass --resume {} to continue that sweep, \
                         --force to overwrite it, or choose another file with --journal or --output",
                        path.display(),
                        path.display()
                    ),
                    other => other.into(),
                })?;
            (writer, Vec::new())
        }
    };

    let executor = ProcessExecutor::new();
    let interrupt = executor.interrupt();
    // ctrlc allows one handler per process. Without it, Ctrl-C still ends scalelaw, but
    // the CSV and statistics of the finished runs are not written (the journal keeps them).
    if let Err(err) = ctrlc::set_handler(move || interrupt.trigger()) {
        eprintln!("warning: Ctrl-C will not stop the sweep cleanly: {err}");
    }

    let resumed_runs = records.len();
    let mut sweep = Sweep::new(&plan, executor, journal, records, args.ignore_failure)?;
    if resumed_runs > 0 {
        eprintln!(
            "Resuming {}: {} runs already done, about {} to go.",
            journal_path.display(),
            resumed_runs,
            sweep.remaining_estimate()
        );
    }
    let mut bar = progress::Bar::new(std::io::stderr().is_terminal());
    let stop = sweep.run(&mut bar);
    bar.finish();

    let records = sweep.records();
    // The CSV is written even when the sweep broke off with an error, so that it matches
    // the journal.
    let written = output::write_csv(&csv_path, &plan, records);
    let stop = stop?;
    written?;
    let results = scalelaw_sweep::summarize(&plan, records);
    output::warn_about_results(&results);
    let mut stdout = std::io::stdout().lock();
    output::print_statistics(&mut stdout, args.format, &plan, &results)?;
    if let Some(path) = &args.export_hyperfine {
        output::write_hyperfine(path, &plan, records)?;
    }
    eprintln!(
        "Wrote {} (measured runs: {}) and the journal {}.",
        csv_path.display(),
        records.iter().filter(|r| !r.warmup).count(),
        journal_path.display()
    );

    match stop {
        Stop::Completed => {}
        Stop::Interrupted => {
            eprintln!(
                "Interrupted: the run in flight was discarded and {} finished runs are kept; \
                 continue with: scalelaw sweep --resume {}",
                records.len(),
                journal_path.display()
            );
            return Ok(ExitCode::from(EXIT_INTERRUPTED));
        }
        Stop::Failed(index) => bail!(describe_failure(&records[index], &journal_path)),
    }

    if let Some(law) = &args.fit {
        return fit_sweep_csv(&csv_path, &plan, law);
    }
    Ok(ExitCode::SUCCESS)
}

/// With `--resume` and no command the journal supplies every setting, so options that
/// change settings would be silently ignored; reject them instead.
fn reject_settings_flags_on_bare_resume(args: &SweepOptions) -> anyhow::Result<()> {
    let given = [
        (!args.params.is_empty(), "-p"),
        (!args.env.is_empty(), "--env"),
        (args.shell.is_some(), "--shell"),
        (args.warmup.is_some(), "--warmup"),
        (args.runs.is_some(), "--runs"),
        (args.min_runs.is_some(), "--min-runs"),
        (args.min_time.is_some(), "--min-time"),
        (args.target_rse.is_some(), "--target-rse"),
        (args.max_runs.is_some(), "--max-runs"),
        (args.rse_metric.is_some(), "--rse-metric"),
        (args.order.is_some(), "--order"),
        (args.seed.is_some(), "--seed"),
        (args.timeout.is_some(), "--timeout"),
        (!args.metrics.is_empty(), "--metric"),
        (!args.metrics_json.is_empty(), "--metric-json"),
        (args.work.is_some(), "--work"),
    ];
    let flags: Vec<&str> = given
        .iter()
        .filter(|(present, _)| *present)
        .map(|(_, flag)| *flag)
        .collect();
    if !flags.is_empty() {
        bail!(
            "{} given with --resume but no command; a resumed sweep keeps the journal's \
             settings, so give the command and all original options, or leave out {}",
            flags.join(", "),
            flags.join(", ")
        );
    }
    Ok(())
}

fn output_path(args: &SweepOptions) -> PathBuf {
    match (&args.output, &args.resume) {
        (Some(path), _) => path.clone(),
        (None, Some(journal)) => journal.with_extension("csv"),
        (None, None) => PathBuf::from("sweep.csv"),
    }
}

/// Builds the settings from the options. `journal_seed` is the seed to use when `--seed`
/// is not given (on resume).
fn settings_from_args(args: &SweepOptions, journal_seed: Option<u64>) -> anyhow::Result<Settings> {
    if args.command.is_empty() {
        bail!(
            "no command given: put it after --, as in: scalelaw sweep -p n=1..4 -- ./bench {{n}}"
        );
    }
    // The command takes every word from the first one clap does not know, so a mistyped
    // option lands here as the program.
    if args.command[0].starts_with('-') {
        bail!(
            "unknown option '{}'; see scalelaw sweep --help for the options, and put the \
             command after --",
            args.command[0]
        );
    }
    let parameters = args
        .params
        .iter()
        .map(|spec| ScaleParameter::parse(spec).context("invalid -p"))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let mut env = Vec::new();
    for spec in &args.env {
        let Some((name, value)) = spec.split_once('=') else {
            bail!("invalid --env '{spec}': expected NAME=VALUE, as in OMP_NUM_THREADS={{threads}}");
        };
        if name.is_empty() {
            bail!("invalid --env '{spec}': the variable name is empty");
        }
        env.push((name.to_string(), value.to_string()));
    }

    let mut metrics = Vec::new();
    for spec in &args.metrics {
        metrics.push(MetricSpec::parse_regex(spec)?);
    }
    for spec in &args.metrics_json {
        metrics.push(MetricSpec::parse_json(spec)?);
    }

    let target_rse = match args.target_rse {
        Some(percent) if !(percent > 0.0 && percent < 100.0) => bail!(
            "invalid --target-rse {percent}: expected a percentage above 0 and below 100, as in --target-rse 2"
        ),
        Some(percent) => Some(percent / 100.0),
        None => None,
    };
    let stop = match args.runs {
        Some(runs) => StopRule::Fixed { runs },
        None if target_rse.is_none() && args.min_time.is_none() => StopRule::Fixed {
            runs: args.min_runs.unwrap_or(DEFAULT_RUNS),
        },
        None => {
            let default_min = if target_rse.is_some() {
                DEFAULT_MIN_RUNS_FOR_RSE
            } else {
                DEFAULT_RUNS
            };
            let default_max = if target_rse.is_some() {
                DEFAULT_MAX_RUNS_FOR_RSE
            } else {
                usize::MAX
            };
            StopRule::Adaptive {
                min_runs: args.min_runs.unwrap_or(default_min),
                min_time_s: args.min_time.unwrap_or(0.0),
                target_rse,
                rse_metric: args
                    .rse_metric
                    .clone()
                    .unwrap_or_else(|| "time_s".to_string()),
                max_runs: args.max_runs.unwrap_or(default_max),
            }
        }
    };
    if let Some(timeout) = args.timeout {
        if !(timeout.is_finite() && timeout > 0.0) {
            bail!("invalid --timeout {timeout}: expected seconds above zero, as in --timeout 30");
        }
    }

    let seed = args.seed.or(journal_seed).unwrap_or_else(seed_from_clock);
    Ok(Settings {
        command: args.command.clone(),
        shell: args.shell.clone(),
        env,
        parameters,
        warmup: args.warmup.unwrap_or(0),
        stop,
        order: match args.order {
            None | Some(OrderArg::Interleaved) => Order::Interleaved,
            Some(OrderArg::Sequential) => Order::Sequential,
        },
        seed,
        metrics,
        work: args.work.clone(),
        timeout_s: args.timeout,
    })
}

fn seed_from_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos() as u64)
        .unwrap_or(0)
}

/// Checks that `path` can be written, before any run starts, without truncating it.
fn check_writable(path: &Path, flag: &str) -> anyhow::Result<()> {
    let existed = path.exists();
    OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .with_context(|| {
            format!(
                "cannot write {} (from {flag}); choose a writable path with {flag}",
                path.display()
            )
        })?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

fn describe_failure(record: &RunRecord, journal: &Path) -> String {
    let point: Vec<String> = record
        .point
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let at = if point.is_empty() {
        String::new()
    } else {
        format!(" at {}", point.join(" "))
    };
    let kind = if record.warmup { "warmup run" } else { "run" };
    let what = match (&record.error, record.status) {
        (Some(error), _) => format!("produced no value for {error}"),
        (None, status) => status.describe(),
    };
    let hint = match record.status {
        RunStatus::TimedOut => "raise --timeout, or pass --ignore-failure to record timed-out runs and go on",
        _ if record.error.is_some() => "check the --metric or --metric-json pattern against the command's output (see it with --show-output), or pass --ignore-failure to record such runs as failed and go on",
        _ => "see its output with --show-output, or pass --ignore-failure to record failed runs and go on",
    };
    format!(
        "{kind} {}{at} {what}; the sweep stopped and the runs so far are in {}. To fix: {hint}",
        record.repeat,
        journal.display()
    )
}

/// Fits `law` to the CSV the sweep wrote, by running `scalelaw fit CSV --law LAW --x
/// PARAM --y METRIC [--by OTHER_PARAMS]` in this process. The metric is `throughput` when
/// there is one, else the first custom metric, else `time_s`.
///
/// NOTE: the fit options are assumed to be `FILE --law LAW --x COLUMN --y COLUMN --by
/// COLUMNS`, as the design describes them. If `scalelaw fit` names them differently, this call fails with
/// clap's message, after the sweep's files are written.
fn fit_sweep_csv(csv_path: &Path, plan: &Plan, law: &str) -> anyhow::Result<ExitCode> {
    #[derive(clap::Parser)]
    struct FitCommand {
        #[command(flatten)]
        args: super::fit::FitArgs,
    }

    let mut parameters = plan.parameter_names().into_iter();
    let Some(x) = parameters.next() else {
        bail!("--fit needs a scale parameter to fit against; add one with -p");
    };
    // Further scale parameters split the runs into one series each.
    let by: Vec<String> = parameters.collect();
    let metrics = plan.metric_names();
    let y = if metrics.iter().any(|m| m == "throughput") {
        "throughput".to_string()
    } else {
        plan.settings
            .metrics
            .first()
            .map(|m| m.name.clone())
            .unwrap_or_else(|| "time_s".to_string())
    };
    eprintln!(
        "Fitting {law}: {y} against {x}, from {}.",
        csv_path.display()
    );
    let mut argv = vec![
        "scalelaw fit".to_string(),
        csv_path.display().to_string(),
        "--law".to_string(),
        law.to_string(),
        "--x".to_string(),
        x,
        "--y".to_string(),
        y,
    ];
    if !by.is_empty() {
        argv.push("--by".to_string());
        argv.push(by.join(","));
    }
    let fit = <FitCommand as clap::Parser>::try_parse_from(argv).map_err(|err| {
        anyhow::anyhow!(
            "the sweep finished, but --fit could not call scalelaw fit: {}",
            err.to_string().trim_end()
        )
    })?;
    super::fit::run(fit.args)
}
