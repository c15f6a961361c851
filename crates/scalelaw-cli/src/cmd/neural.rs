//! `scalelaw neural fit|plan`: neural scaling laws of training runs.
//!
//! `fit` fits the Chinchilla law by Huber loss on log loss (with bootstrap intervals
//! and identifiability warnings), Kaplan's power laws or the broken power law. `plan`
//! fits the Chinchilla law and returns the compute-optimal allocation for compute
//! budgets, or the least compute that reaches a target loss. Both read a CSV file with
//! one row per training run; [`run_fit`] and [`run_plan`] also serve `scalelaw fit` and
//! `scalelaw plan`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use serde::Serialize;

use scalelaw::fit::ParamEstimate;
use scalelaw::laws::{Kaplan, KaplanE};
use scalelaw::neural::allocation::{allocate_with_uncertainty, plan_for_loss};
use scalelaw::neural::bnsl::{fit_bnsl, BnslFit};
use scalelaw::neural::isoflop::{compare, fit_isoflop, IsoFlopOptions};
use scalelaw::neural::replication::fit_replication;
use scalelaw::neural::{
    fit_chinchilla, AllocationEstimate, ChinchillaFit, ChinchillaOptions, LossData,
    LossTargetEstimate,
};
use scalelaw::stats::format_sig;
use scalelaw::{Fit, FitOptions, Observations};

use crate::output::Format;

/// The `neural` subcommands.
#[derive(clap::Subcommand)]
pub enum NeuralCommand {
    /// Fit a neural scaling law (Chinchilla, Kaplan, broken power law) to training runs
    Fit(Box<NeuralFitArgs>),
    /// Compute-optimal model size and tokens for a compute budget or a target loss
    Plan(Box<NeuralPlanArgs>),
}

/// Runs a `neural` subcommand.
pub fn run(command: NeuralCommand) -> anyhow::Result<ExitCode> {
    match command {
        NeuralCommand::Fit(args) => run_fit(&args),
        NeuralCommand::Plan(args) => run_plan(&args),
    }
}

/// Neural scaling laws that `fit --law` accepts.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeuralLaw {
    /// L(N, D) = E + A/N^alpha + B/D^beta, Huber fit on log loss (Hoffmann et al. 2022)
    Chinchilla,
    /// L(x) = (x_c/x)^alpha (Kaplan et al. 2020)
    Kaplan,
    /// L(x) = E + A x^-alpha
    KaplanE,
    /// y = a + b x^-c0 (1 + (x/d1)^(1/f1))^(-c1 f1), fit on log(y+1) (Caballero et al. 2023)
    Bnsl,
}

/// Input file of the runs and the columns that contain N, D, C and the loss.
#[derive(clap::Args, Clone, Debug)]
pub struct RunsArgs {
    /// CSV file with one row per training run
    pub file: PathBuf,

    /// Column that contains the number of parameters N (guessed from N, params, params_N,
    /// parameters when omitted)
    #[arg(long = "n-column", value_name = "COLUMN")]
    pub n_column: Option<String>,

    /// Column that contains the number of training tokens D (guessed from D, tokens,
    /// tokens_D, train_tokens; computed as C/(6N) when only compute is present)
    #[arg(long = "d-column", value_name = "COLUMN")]
    pub d_column: Option<String>,

    /// Column that contains the training compute C in FLOP (guessed from C, compute, flops,
    /// flops_C; computed as 6ND when absent)
    #[arg(long = "c-column", value_name = "COLUMN")]
    pub c_column: Option<String>,

    /// Column that contains the final loss (guessed from loss, final_loss, test_loss)
    #[arg(long = "loss-column", value_name = "COLUMN")]
    pub loss_column: Option<String>,

    /// Keep only rows where COLUMN equals VALUE; repeat to combine conditions
    #[arg(long = "where", value_name = "COLUMN=VALUE")]
    pub filters: Vec<String>,
}

/// Settings of the Chinchilla fit shared by `fit` and `plan`.
#[derive(clap::Args, Clone, Debug)]
pub struct HuberArgs {
    /// Huber threshold on log-loss residuals
    #[arg(long, default_value_t = 1e-3)]
    pub delta: f64,

    /// Bootstrap resamples for intervals (0 turns the bootstrap off)
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,

    /// Seed of the bootstrap; equal seeds give equal intervals
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Two-sided confidence level of every interval, in (0, 1)
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
}

impl HuberArgs {
    fn options(&self) -> ChinchillaOptions {
        ChinchillaOptions {
            delta: self.delta,
            bootstrap_resamples: self.bootstrap,
            seed: self.seed,
            confidence: self.confidence,
            ..ChinchillaOptions::default()
        }
    }
}

/// Arguments of `scalelaw neural fit`.
#[derive(clap::Args, Clone, Debug)]
pub struct NeuralFitArgs {
    #[command(flatten)]
    pub runs: RunsArgs,

    /// Law to fit
    #[arg(long, value_enum, default_value = "chinchilla")]
    pub law: NeuralLaw,

    /// Scale column of the one-variable laws (kaplan, kaplan-e, bnsl): N, D or C, or any
    /// column name
    #[arg(long, value_name = "COLUMN", default_value = "N")]
    pub x: String,

    #[command(flatten)]
    pub huber: HuberArgs,

    /// Also run the multi-start L-BFGS procedure of Besiroglu et al. 2024 (4,500
    /// starts) and report how many starts reach the best objective
    #[arg(long)]
    pub compare_multistart: bool,

    /// Also fit isoFLOP profiles (approach 2) to runs grouped by compute budget
    #[arg(long)]
    pub isoflop: bool,

    /// Relative width of a compute budget when grouping runs for --isoflop
    #[arg(long, default_value_t = 0.1)]
    pub budget_tolerance: f64,

    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `scalelaw neural plan`.
#[derive(clap::Args, Clone, Debug)]
pub struct NeuralPlanArgs {
    #[command(flatten)]
    pub runs: RunsArgs,

    #[command(flatten)]
    pub huber: HuberArgs,

    /// Compute budget in FLOP; repeat for several budgets
    #[arg(long, value_name = "FLOP")]
    pub compute: Vec<f64>,

    /// Target loss: find the least compute that reaches it
    #[arg(long, value_name = "LOSS")]
    pub target_loss: Option<f64>,

    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Training runs read from a CSV file, with notes on what was guessed.
///
/// N, D and C are `None` when the file has no such column; D is computed from C and N,
/// or C from N and D, when only one of them is present.
#[derive(Debug, Clone)]
pub struct Runs {
    pub n: Option<Vec<f64>>,
    pub d: Option<Vec<f64>>,
    pub c: Option<Vec<f64>>,
    pub loss: Vec<f64>,
    /// Every numeric column by name, for the one-variable laws' `--x`.
    pub columns: HashMap<String, Vec<f64>>,
    pub header: Vec<String>,
    pub notes: Vec<String>,
}

const N_NAMES: [&str; 5] = ["N", "n", "params", "params_N", "parameters"];
const D_NAMES: [&str; 5] = ["D", "tokens", "tokens_D", "train_tokens", "d"];
const C_NAMES: [&str; 5] = ["C", "compute", "flops", "flops_C", "c"];
const LOSS_NAMES: [&str; 4] = ["loss", "final_loss", "test_loss", "Loss"];

/// Reads the runs of a CSV file: N, D, C and loss, guessing columns from their names.
pub fn read_runs(args: &RunsArgs) -> anyhow::Result<Runs> {
    let mut reader = csv::Reader::from_path(&args.file)
        .with_context(|| format!("failed to open {}", args.file.display()))?;
    let header: Vec<String> = reader
        .headers()
        .with_context(|| format!("failed to read the header row of {}", args.file.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let filters = parse_filters(&args.filters, &header)?;

    let mut cells: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for (index, record) in reader.records().enumerate() {
        let record = record.with_context(|| {
            format!(
                "failed to read row {} of {}",
                index + 2,
                args.file.display()
            )
        })?;
        let keep = filters
            .iter()
            .all(|(column, value)| record.get(*column).map(str::trim) == Some(value.as_str()));
        if keep {
            for (k, cell) in record.iter().enumerate().take(header.len()) {
                cells[k].push(cell.trim().to_string());
            }
        }
    }
    let rows = cells.first().map_or(0, Vec::len);
    if rows == 0 {
        bail!(
            "{} has no data rows{}",
            args.file.display(),
            if args.filters.is_empty() {
                ""
            } else {
                " that match the --where conditions"
            }
        );
    }

    let mut columns = HashMap::new();
    for (name, values) in header.iter().zip(&cells) {
        let parsed: Option<Vec<f64>> = values.iter().map(|v| v.parse().ok()).collect();
        if let Some(parsed) = parsed {
            columns.insert(name.clone(), parsed);
        }
    }

    let mut notes = Vec::new();
    let loss = find_column(
        &header,
        &columns,
        "loss",
        "--loss-column",
        &args.loss_column,
        &LOSS_NAMES,
        &mut notes,
    )?;
    // N, D and C are optional (the one-variable laws need none of them), unless a flag
    // names them.
    let mut optional =
        |role: &str, flag: &str, given: &Option<String>, names: &[&str]| match find_column(
            &header, &columns, role, flag, given, names, &mut notes,
        ) {
            Ok(values) => Ok(Some(values)),
            Err(err) if given.is_some() => Err(err),
            Err(_) => Ok(None),
        };
    let n = optional("N", "--n-column", &args.n_column, &N_NAMES)?;
    let mut d = optional("D", "--d-column", &args.d_column, &D_NAMES)?;
    let mut c = optional("C", "--c-column", &args.c_column, &C_NAMES)?;
    if let Some(n) = &n {
        match (&d, &c) {
            (Some(d_values), None) => {
                notes.push("no compute column: C = 6ND".to_string());
                c = Some(n.iter().zip(d_values).map(|(n, d)| 6.0 * n * d).collect());
            }
            (None, Some(c_values)) => {
                notes.push("no token column: D = C/(6N)".to_string());
                d = Some(c_values.iter().zip(n).map(|(c, n)| c / (6.0 * n)).collect());
            }
            _ => {}
        }
    }
    Ok(Runs {
        n,
        d,
        c,
        loss,
        columns,
        header,
        notes,
    })
}

/// Finds the column for `role`: the one named by the flag, or the first guess present.
fn find_column(
    header: &[String],
    columns: &HashMap<String, Vec<f64>>,
    role: &str,
    flag: &str,
    given: &Option<String>,
    names: &[&str],
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<f64>> {
    if let Some(name) = given {
        if !header.contains(name) {
            bail!(
                "column {name} given by {flag} is not in the file (columns: {})",
                header.join(", ")
            );
        }
        return match columns.get(name) {
            Some(values) => Ok(values.clone()),
            None => bail!("column {name} given by {flag} contains values that are not numbers"),
        };
    }
    for candidate in names {
        if let Some(values) = columns.get(*candidate) {
            notes.push(format!("{role} from column {candidate}"));
            return Ok(values.clone());
        }
    }
    bail!(
        "no {role} column found (looked for {}); name it with {flag} (columns: {})",
        names.join(", "),
        header.join(", ")
    )
}

fn parse_filters(filters: &[String], header: &[String]) -> anyhow::Result<Vec<(usize, String)>> {
    filters
        .iter()
        .map(|filter| {
            let Some((column, value)) = filter.split_once('=') else {
                bail!("--where {filter} is invalid: write COLUMN=VALUE");
            };
            let Some(index) = header.iter().position(|h| h == column.trim()) else {
                bail!(
                    "--where {filter}: column {} is not in the file (columns: {})",
                    column.trim(),
                    header.join(", ")
                );
            };
            Ok((index, value.trim().to_string()))
        })
        .collect()
}

/// Returns the runs as N, D and loss for the Chinchilla fit.
fn loss_data(runs: &Runs, file: &Path) -> anyhow::Result<LossData> {
    let Some(n) = &runs.n else {
        bail!(
            "{} has no parameter-count column; name it with --n-column",
            file.display()
        );
    };
    let Some(d) = &runs.d else {
        bail!(
            "{} has neither a token column nor a compute column; name one with --d-column \
             or --c-column",
            file.display()
        );
    };
    LossData::new(n.clone(), d.clone(), runs.loss.clone())
        .with_context(|| format!("invalid runs in {}", file.display()))
}

/// Returns the compute of every run, or an error naming the flag that supplies it.
fn compute_column<'a>(runs: &'a Runs, file: &Path) -> anyhow::Result<&'a [f64]> {
    runs.c.as_deref().ok_or_else(|| {
        anyhow::anyhow!(
            "{} has no compute column, and C = 6ND needs N and D; name it with --c-column",
            file.display()
        )
    })
}

/// The report of `neural fit`, as printed with `--format json`.
#[derive(Serialize)]
struct FitReport<'a> {
    law: &'static str,
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    chinchilla: Option<&'a ChinchillaFit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    multistart: Option<&'a scalelaw::neural::replication::MultiStart>,
    #[serde(skip_serializing_if = "Option::is_none")]
    isoflop: Option<&'a scalelaw::neural::isoflop::IsoFlopFit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<&'a scalelaw::neural::isoflop::ApproachComparison>,
    #[serde(skip_serializing_if = "Option::is_none")]
    power_law: Option<&'a Fit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bnsl: Option<&'a BnslFit>,
}

/// Runs `neural fit` (and `scalelaw fit --law chinchilla|kaplan|kaplan-e|bnsl`).
pub fn run_fit(args: &NeuralFitArgs) -> anyhow::Result<ExitCode> {
    let runs = read_runs(&args.runs)?;
    let mut report = FitReport {
        law: "",
        notes: &runs.notes,
        chinchilla: None,
        multistart: None,
        isoflop: None,
        comparison: None,
        power_law: None,
        bnsl: None,
    };
    let chinchilla;
    let multistart;
    let isoflop;
    let comparison;
    let power_law;
    let bnsl;
    match args.law {
        NeuralLaw::Chinchilla => {
            report.law = "chinchilla";
            let data = loss_data(&runs, &args.runs.file)?;
            chinchilla = fit_chinchilla(&data, &args.huber.options())?;
            report.chinchilla = Some(&chinchilla);
            if args.compare_multistart {
                multistart = fit_replication(&data, args.huber.delta)?;
                report.multistart = Some(&multistart);
            }
            if args.isoflop {
                let options = IsoFlopOptions {
                    budget_tolerance: args.budget_tolerance,
                    confidence: args.huber.confidence,
                };
                let compute = compute_column(&runs, &args.runs.file)?;
                let n = data.n();
                isoflop =
                    fit_isoflop(n, compute, &runs.loss, &options).context("--isoflop failed")?;
                let largest = compute.iter().copied().fold(0.0, f64::max);
                comparison = compare(&chinchilla, &isoflop, largest)?;
                report.isoflop = Some(&isoflop);
                report.comparison = Some(&comparison);
            }
        }
        NeuralLaw::Kaplan | NeuralLaw::KaplanE => {
            let x = one_variable(&runs, &args.x)?;
            let data = Observations::new(args.x.clone(), "loss", x, runs.loss.clone())?;
            let options = FitOptions {
                bootstrap_resamples: args.huber.bootstrap,
                seed: args.huber.seed,
                confidence: args.huber.confidence,
                ..FitOptions::default()
            };
            power_law = if args.law == NeuralLaw::Kaplan {
                report.law = "kaplan";
                scalelaw::fit(&Kaplan, &data, &options)?
            } else {
                report.law = "kaplan-e";
                scalelaw::fit(&KaplanE, &data, &options)?
            };
            report.power_law = Some(&power_law);
        }
        NeuralLaw::Bnsl => {
            report.law = "bnsl";
            let x = one_variable(&runs, &args.x)?;
            bnsl = fit_bnsl(&x, &runs.loss)?;
            report.bnsl = Some(&bnsl);
        }
    }

    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Table | Format::Markdown | Format::Csv => render_fit(&report, args.format),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// Returns the scale column of a one-variable law: N, D or C by role, or any numeric
/// column by name.
fn one_variable(runs: &Runs, name: &str) -> anyhow::Result<Vec<f64>> {
    let by_role = match name {
        "N" => runs.n.clone(),
        "D" => runs.d.clone(),
        "C" => runs.c.clone(),
        _ => None,
    };
    by_role
        .or_else(|| runs.columns.get(name).cloned())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--x {name}: no numeric column of that name; use N, D, C or a column of the \
                 file (columns: {})",
                runs.header.join(", ")
            )
        })
}

/// The report of `neural plan`, as printed with `--format json`.
#[derive(Serialize)]
struct PlanReport<'a> {
    notes: &'a [String],
    fit: &'a ChinchillaFit,
    /// Largest training compute among the runs, FLOP.
    largest_run_compute: f64,
    allocations: Vec<AllocationEstimate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<LossTargetEstimate>,
}

/// Runs `neural plan` (and `scalelaw plan --compute C / --target-loss L` for the
/// Chinchilla law).
pub fn run_plan(args: &NeuralPlanArgs) -> anyhow::Result<ExitCode> {
    if args.compute.is_empty() && args.target_loss.is_none() {
        bail!("nothing to plan: give a budget with --compute FLOP or a target with --target-loss");
    }
    let runs = read_runs(&args.runs)?;
    let data = loss_data(&runs, &args.runs.file)?;
    let fit = fit_chinchilla(&data, &args.huber.options())?;
    let allocations = args
        .compute
        .iter()
        .map(|&c| allocate_with_uncertainty(&fit, c).with_context(|| format!("--compute {c}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let target = args
        .target_loss
        .map(|target| {
            plan_for_loss(&fit, target).with_context(|| format!("--target-loss {target}"))
        })
        .transpose()?;
    let report = PlanReport {
        notes: &runs.notes,
        fit: &fit,
        largest_run_compute: data.compute().iter().copied().fold(0.0, f64::max),
        allocations,
        target,
    };
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Table | Format::Markdown | Format::Csv => render_plan(&report, args.format),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn interval_text(interval: Option<(f64, f64)>) -> String {
    interval.map_or("-".to_string(), |(low, high)| {
        format!("{} .. {}", format_sig(low, 4), format_sig(high, 4))
    })
}

/// Writes rows as aligned columns, Markdown or CSV.
fn render_table(format: Format, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    match format {
        Format::Csv => {
            let quote = |cell: &str| {
                if cell.contains(',') || cell.contains('"') {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                } else {
                    cell.to_string()
                }
            };
            let line = |cells: Vec<String>| cells.join(",");
            let _ = writeln!(out, "{}", line(header.iter().map(|h| quote(h)).collect()));
            for row in rows {
                let _ = writeln!(out, "{}", line(row.iter().map(|c| quote(c)).collect()));
            }
        }
        Format::Markdown => {
            let _ = writeln!(out, "| {} |", header.join(" | "));
            let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
            for row in rows {
                let _ = writeln!(out, "| {} |", row.join(" | "));
            }
        }
        Format::Table | Format::Json => {
            let widths: Vec<usize> = (0..header.len())
                .map(|k| {
                    rows.iter()
                        .map(|r| r[k].chars().count())
                        .chain([header[k].len()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cells: Vec<&str>| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
            };
            let _ = writeln!(out, "{}", line(header.to_vec()));
            for row in rows {
                let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
            }
        }
    }
    out
}

fn param_rows(params: &[ParamEstimate]) -> Vec<Vec<String>> {
    params
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                format_sig(p.value, 5),
                p.std_error.map_or("-".to_string(), |se| format_sig(se, 3)),
                interval_text(p.bootstrap_interval.or(p.t_interval)),
            ]
        })
        .collect()
}

fn render_fit(report: &FitReport<'_>, format: Format) -> String {
    let mut out = String::new();
    let header = ["parameter", "estimate", "std. error", "interval"];
    if format == Format::Table {
        for note in report.notes {
            let _ = writeln!(out, "note: {note}");
        }
    }
    if let Some(fit) = report.chinchilla {
        if format == Format::Table {
            let estimate = &fit.estimate;
            let _ = writeln!(out, "law: Chinchilla, {}", fit.formula);
            let _ = writeln!(
                out,
                "fit: Huber (delta {}) on log loss over {} runs, objective {:.10e}",
                fit.delta, fit.runs, estimate.objective
            );
            let _ = writeln!(
                out,
                "search: {} (alpha, beta) grid cells, {} local minima, {} polished by Newton",
                estimate.grid_cells, estimate.local_minima, estimate.polished
            );
            let _ = writeln!(
                out,
                "intervals: {}% percentile bootstrap, {} case resamples, seed {}; std. error \
                 is the bootstrap standard deviation",
                fit.confidence * 100.0,
                fit.bootstrap_params.len(),
                fit.seed
            );
            let _ = writeln!(out);
        }
        let mut rows = param_rows(&fit.params);
        for d in &fit.derived {
            rows.push(vec![
                d.derived.name.clone(),
                d.derived
                    .value
                    .map_or("-".to_string(), |v| format_sig(v, 5)),
                "-".to_string(),
                interval_text(d.bootstrap_interval),
            ]);
        }
        out += &render_table(format, &header, &rows);
        if let Some(multistart) = report.multistart {
            if format == Format::Table {
                let _ = writeln!(
                    out,
                    "\nmulti-start L-BFGS (Besiroglu et al. 2024): objective {:.10e}, {} of {} \
                     starts reached it (within a relative 1e-6)",
                    multistart.objective, multistart.reached_best, multistart.starts
                );
            }
        }
        if let (Some(iso), Some(comparison)) = (report.isoflop, report.comparison) {
            if format == Format::Table {
                let used = iso.budgets.iter().filter(|b| b.used).count();
                let _ = writeln!(
                    out,
                    "\nisoFLOP profiles (approach 2): {used} of {} budgets, a = {} ({})",
                    iso.budgets.len(),
                    format_sig(iso.exponent_a, 4),
                    interval_text(iso.exponent_a_interval)
                );
                let _ = writeln!(
                    out,
                    "approach 3 (this fit): a = {} ({}); difference {}; N_opt at {} FLOP: {} \
                     (approach 3) against {} (approach 2)",
                    format_sig(comparison.approach3_a, 4),
                    interval_text(comparison.approach3_a_interval),
                    format_sig(comparison.difference, 3),
                    format_sig(comparison.compute, 3),
                    format_sig(comparison.approach3_n_opt, 3),
                    format_sig(comparison.approach2_n_opt, 3)
                );
                for warning in &iso.warnings {
                    let _ = writeln!(out, "warning: {warning}");
                }
            }
        }
        if format == Format::Table {
            for warning in &fit.warnings {
                let _ = writeln!(out, "warning: {warning}");
            }
        }
    }
    if let Some(fit) = report.power_law {
        if format == Format::Table {
            let _ = writeln!(out, "law: {}, {}", fit.law_name, fit.formula);
            let _ = writeln!(
                out,
                "fit: least squares over {} runs, R² {}\n",
                fit.diagnostics.n,
                format_sig(fit.diagnostics.r_squared, 4)
            );
        }
        out += &render_table(format, &header, &param_rows(&fit.params));
        if format == Format::Table {
            for warning in &fit.warnings {
                let _ = writeln!(out, "warning: {warning}");
            }
        }
    }
    if let Some(fit) = report.bnsl {
        if format == Format::Table {
            let _ = writeln!(
                out,
                "law: broken power law, y = a + b x^-c0 (1 + (x/d1)^(1/f1))^(-c1 f1)"
            );
            let _ = writeln!(
                out,
                "fit: least squares on log(y + 1) over {} points, RMS log error {}; std. \
                 errors from the Jacobian\n",
                fit.points,
                fit.rms_log_error
                    .map_or("-".to_string(), |v| format_sig(v, 3))
            );
        }
        out += &render_table(format, &header, &param_rows(&fit.params));
        if format == Format::Table {
            for warning in &fit.warnings {
                let _ = writeln!(out, "warning: {warning}");
            }
        }
    }
    out
}

fn render_plan(report: &PlanReport<'_>, format: Format) -> String {
    let mut out = String::new();
    let fit = report.fit;
    if format == Format::Table {
        for note in report.notes {
            let _ = writeln!(out, "note: {note}");
        }
        let theta = fit.theta();
        let _ = writeln!(
            out,
            "Chinchilla fit over {} runs: E = {}, A = {}, B = {}, alpha = {}, beta = {}",
            fit.runs,
            format_sig(theta[0], 4),
            format_sig(theta[1], 4),
            format_sig(theta[2], 4),
            format_sig(theta[3], 4),
            format_sig(theta[4], 4)
        );
        let _ = writeln!(
            out,
            "compute-optimal allocation N = G (C/6)^a, D = (C/6)^b / G (Hoffmann et al. 2022, \
             eq. 4); {}% bootstrap intervals\n",
            fit.confidence * 100.0
        );
    }
    let header = [
        "compute (FLOP)",
        "N_opt",
        "D_opt",
        "tokens/parameter",
        "loss",
    ];
    let cell = |value: f64, interval: Option<(f64, f64)>| {
        format!("{} ({})", format_sig(value, 4), interval_text(interval))
    };
    let mut rows: Vec<Vec<String>> = report
        .allocations
        .iter()
        .map(|a| {
            vec![
                format_sig(a.allocation.compute, 4),
                cell(a.allocation.n_opt, a.n_opt_interval),
                cell(a.allocation.d_opt, a.d_opt_interval),
                cell(
                    a.allocation.tokens_per_parameter,
                    a.tokens_per_parameter_interval,
                ),
                cell(a.allocation.loss, a.loss_interval),
            ]
        })
        .collect();
    if let Some(target) = &report.target {
        rows.push(vec![
            cell(target.allocation.compute, target.compute_interval),
            cell(target.allocation.n_opt, target.n_opt_interval),
            cell(target.allocation.d_opt, target.d_opt_interval),
            format_sig(target.allocation.tokens_per_parameter, 4),
            format!("{} (target)", format_sig(target.target_loss, 4)),
        ]);
    }
    out += &render_table(format, &header, &rows);
    if format == Format::Table {
        if let Some(share) = report.target.as_ref().and_then(|t| t.reachable_share) {
            if share < 1.0 {
                let _ = writeln!(
                    out,
                    "warning: the target loss lies at or below E in {:.1}% of bootstrap \
                     resamples, so its compute interval covers only the others",
                    (1.0 - share) * 100.0
                );
            }
        }
        let largest = report.largest_run_compute;
        for a in &report.allocations {
            if a.allocation.compute > 100.0 * largest {
                let _ = writeln!(
                    out,
                    "warning: {} FLOP is more than 100 times the largest run in the data \
                     (about {} FLOP); the allocation is an extrapolation",
                    format_sig(a.allocation.compute, 3),
                    format_sig(largest, 3)
                );
            }
        }
        for warning in &fit.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
    }
    out
}
