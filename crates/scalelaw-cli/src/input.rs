//! Reading observations from files: tidy CSV and JSON Lines, column roles given by
//! flags or guessed from names, row filters (`--where`) and series grouping (`--by`).
//!
//! Latency input follows Little's law, N = X·R for a closed system with no think
//! time: given any two of concurrency N, throughput X and latency R, the third is
//! derived, and the laws are fitted to throughput against concurrency.

mod columns;
mod table;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Context};
use scalelaw::{little, Observations};

use columns::{best, metric_score, scale_score, Guess, MetricKind, RECOGNISED};
pub use table::FileFormat;
use table::{quoted_list, read_table, Table};

/// Data source and column roles, shared by `fit`, `plan` and `report`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct DataArgs {
    /// Data file: tidy CSV (one row per run or observation) or JSON Lines (.jsonl)
    pub file: PathBuf,

    /// Column holding the scale parameter (guessed from names such as n, workers,
    /// nodes, threads, concurrency, load when omitted)
    #[arg(long, value_name = "COLUMN")]
    pub x: Option<String>,

    /// Column holding the metric (guessed from names such as throughput, time,
    /// latency when omitted). A latency column (latency, response_time) gives
    /// throughput N/R, and a run time column (time, runtime, duration) is fitted as its
    /// rate 1/T. Several columns, comma-separated, give one series each
    #[arg(long, value_name = "COLUMN[,...]")]
    pub y: Option<String>,

    /// Column holding concurrency N, the scale parameter of Little's law (same role
    /// as --x)
    #[arg(long, value_name = "COLUMN")]
    pub concurrency: Option<String>,

    /// Column holding throughput X, in requests per unit of time (same role as --y)
    #[arg(long, value_name = "COLUMN")]
    pub throughput: Option<String>,

    /// Column holding mean latency R, in the time unit of the throughput. With
    /// concurrency it gives throughput X = N/R; with throughput it gives N = X·R
    #[arg(long, value_name = "COLUMN")]
    pub latency: Option<String>,

    /// Keep only rows where COLUMN equals VALUE; repeat to combine conditions
    #[arg(long = "where", value_name = "COLUMN=VALUE")]
    pub filters: Vec<String>,

    /// Fit one series per distinct combination of these columns
    #[arg(long, value_delimiter = ',', value_name = "COLUMN,...")]
    pub by: Vec<String>,
}

/// One series of observations selected from a file.
#[derive(Debug, Clone)]
pub struct Series {
    /// `column=value` pairs of the `--by` group; empty without `--by`.
    pub label: String,
    /// The `--by` columns and their values in this series.
    pub group: Vec<(String, String)>,
    pub observations: Observations,
    /// Decisions the reader made on the user's behalf (guessed columns, derived
    /// metrics, skipped rows), to be printed.
    pub notes: Vec<String>,
    /// File line (1-based) of each observation, to point error messages at the file.
    pub lines: Vec<usize>,
    /// Latency column involved, if any; the metric is then throughput and the scale
    /// parameter concurrency, so response-time predictions make sense.
    pub latency_column: Option<String>,
}

impl Series {
    /// File line of observation `row` (1-based, as in [`scalelaw::DataError`]).
    pub fn line_of_row(&self, row: usize) -> Option<usize> {
        row.checked_sub(1).and_then(|i| self.lines.get(i)).copied()
    }
}

/// The input description for the output: file, format, rows used and column roles.
#[derive(Debug, Clone)]
pub struct InputSummary {
    pub file: PathBuf,
    pub format: FileFormat,
    pub columns: Vec<String>,
    /// Data rows in the file.
    pub rows: usize,
    /// Observations fitted: rows kept after `--where`, status and missing values,
    /// summed over the metrics when `--y` names several.
    pub rows_used: usize,
    pub scale_name: String,
    pub metric_name: String,
    /// Origin of the column roles: `flags`, `guessed` or `derived`.
    pub roles: String,
    /// Run time column T when the metric is its rate 1/T.
    pub run_time_column: Option<String>,
    pub filters: Vec<String>,
    pub by: Vec<String>,
    /// Notes that concern the whole file (guessed columns, skipped rows).
    pub notes: Vec<String>,
}

/// A file's series with the description of how they were read.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub input: InputSummary,
    pub series: Vec<Series>,
}

/// Reads the file and returns one series per `--by` group (one series without it).
// The entry point for `plan`, `report` and `sweep --fit`; `fit` itself calls `load`.
#[allow(dead_code)]
pub fn load_series(args: &DataArgs) -> anyhow::Result<Vec<Series>> {
    load(args).map(|loaded| loaded.series)
}

/// Reads the file like [`load_series`] and also describes what was read.
pub fn load(args: &DataArgs) -> anyhow::Result<Loaded> {
    let table = read_table(&args.file)?;
    let metrics: Vec<&str> = args
        .y
        .as_deref()
        .map(|y| {
            y.split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if metrics.len() < 2 {
        // A single name with a stray comma (`--y throughput,`) is that one column.
        let one_args = DataArgs {
            y: metrics.first().map(|m| m.to_string()).or(args.y.clone()),
            ..args.clone()
        };
        return load_table(&one_args, &table);
    }

    // Several metric columns: one load per column, each series labelled by its metric.
    let mut combined: Option<Loaded> = None;
    for metric in metrics {
        let one_args = DataArgs {
            y: Some(metric.to_string()),
            ..args.clone()
        };
        let mut loaded = load_table(&one_args, &table)?;
        for series in &mut loaded.series {
            series
                .group
                .insert(0, ("metric".to_string(), metric.to_string()));
            series.label = series
                .group
                .iter()
                .map(|(c, v)| format!("{c}={v}"))
                .collect::<Vec<_>>()
                .join(", ");
        }
        match &mut combined {
            None => combined = Some(loaded),
            Some(all) => {
                all.input.rows_used += loaded.input.rows_used;
                all.input.metric_name =
                    format!("{}, {}", all.input.metric_name, loaded.input.metric_name);
                for note in loaded.input.notes {
                    if !all.input.notes.contains(&note) {
                        all.input.notes.push(note);
                    }
                }
                all.series.extend(loaded.series);
            }
        }
    }
    Ok(combined.expect("at least two metrics"))
}

fn load_table(args: &DataArgs, table: &Table) -> anyhow::Result<Loaded> {
    let file = args.file.display().to_string();
    let mut kept: Vec<usize> = (0..table.rows.len()).collect();
    for filter in &args.filters {
        kept = apply_filter(table, &kept, filter, &file)?;
    }
    let roles = resolve_roles(args, table, &file)?;
    let mut notes = roles.notes.clone();
    if let Some(status) = table.column_index("status") {
        kept = drop_unsuccessful(table, kept, status, &mut notes);
        if kept.is_empty() {
            bail!("{file}: no row has status `ok`, so there is nothing to fit");
        }
    }

    let group_columns = args
        .by
        .iter()
        .map(|name| require_column(table, name, "--by", &file))
        .collect::<anyhow::Result<Vec<usize>>>()?;
    let groups = group_rows(table, &kept, &group_columns);

    let mut rows_used = 0;
    let mut series = Vec::with_capacity(groups.len());
    let mut missing = MissingCount::default();
    for (values, rows) in groups {
        let group: Vec<(String, String)> = group_columns
            .iter()
            .map(|&c| table.columns[c].clone())
            .zip(values)
            .collect();
        if let Some(one) = build_series(table, &rows, &roles, group, &file, &mut missing)? {
            rows_used += one.observations.len();
            series.push(one);
        }
    }
    if let Some(note) = missing.note() {
        notes.push(note);
    }
    if series.is_empty() {
        bail!(
            "{file}: every selected row has an empty {} or {} value, so there is nothing to fit",
            roles.scale_name,
            roles.metric_name
        );
    }

    Ok(Loaded {
        input: InputSummary {
            file: args.file.clone(),
            format: table.format,
            columns: table.columns.clone(),
            rows: table.rows.len(),
            rows_used,
            scale_name: roles.scale_name.clone(),
            metric_name: roles.metric_name.clone(),
            roles: roles.how.to_string(),
            run_time_column: roles.run_time_column(table),
            filters: args.filters.clone(),
            by: args.by.clone(),
            notes,
        },
        series,
    })
}

/// Origin of the scale parameter or metric value in a row.
#[derive(Debug, Clone, Copy)]
enum Source {
    Column(usize),
    /// N = X·R (throughput column, latency column).
    Product(usize, usize),
    /// X = N/R (concurrency column, latency column).
    Quotient(usize, usize),
    /// X = 1/T (run time column): the laws describe rates.
    Reciprocal(usize),
}

impl Roles {
    /// Name of the run time column whose rate 1/T is the metric, if it is one.
    fn run_time_column(&self, table: &Table) -> Option<String> {
        match self.metric {
            Source::Reciprocal(c) => Some(table.columns[c].clone()),
            _ => None,
        }
    }

    /// Columns whose values the scale parameter and metric are computed from.
    fn columns_needed(&self) -> Vec<usize> {
        let mut columns = Vec::new();
        for source in [self.scale, self.metric] {
            let used = match source {
                Source::Column(c) | Source::Reciprocal(c) => vec![c],
                Source::Product(a, b) | Source::Quotient(a, b) => vec![a, b],
            };
            for c in used {
                if !columns.contains(&c) {
                    columns.push(c);
                }
            }
        }
        columns
    }
}

#[derive(Debug)]
struct Roles {
    scale: Source,
    scale_name: String,
    metric: Source,
    metric_name: String,
    latency: Option<usize>,
    how: &'static str,
    notes: Vec<String>,
}

/// Columns the user named for each role, after merging the synonyms.
struct Named {
    scale: Option<usize>,
    throughput: Option<usize>,
    latency: Option<usize>,
    /// A `--y` column that is neither throughput nor latency by name.
    metric: Option<usize>,
}

fn resolve_roles(args: &DataArgs, table: &Table, file: &str) -> anyhow::Result<Roles> {
    let named = named_columns(args, table, file)?;
    let any_named = named.scale.is_some()
        || named.throughput.is_some()
        || named.latency.is_some()
        || named.metric.is_some();
    let mut notes = Vec::new();
    let mut guessed = Vec::new();
    let name = |i: usize| table.columns[i].clone();

    let excluded: Vec<usize> = [named.scale, named.throughput, named.latency, named.metric]
        .into_iter()
        .flatten()
        .chain(
            args.by
                .iter()
                .chain(filter_columns(&args.filters).iter())
                .filter_map(|c| table.column_index(c)),
        )
        .collect();
    let free: Vec<usize> = (0..table.columns.len())
        .filter(|i| !excluded.contains(i) && !RECOGNISED.contains(&table.columns[*i].as_str()))
        .collect();

    // The metric: a named one, else a guessed throughput, latency or run time column,
    // in that order of preference.
    let mut throughput = named.throughput;
    let mut latency = named.latency;
    let mut metric = named.metric;
    let explicit_metric = throughput.is_some() || latency.is_some() || metric.is_some();
    if !explicit_metric {
        for kind in [
            MetricKind::Throughput,
            MetricKind::Latency,
            MetricKind::Time,
        ] {
            match best(&table.columns, &free, |n| metric_score(n, kind)) {
                Guess::None => continue,
                Guess::One(i) => {
                    let role = match kind {
                        MetricKind::Latency => "latency",
                        MetricKind::Throughput | MetricKind::Time => "y",
                    };
                    guessed.push(format!("{role} = {}", name(i)));
                    match kind {
                        MetricKind::Throughput => throughput = Some(i),
                        MetricKind::Latency => latency = Some(i),
                        MetricKind::Time => metric = Some(i),
                    }
                    break;
                }
                Guess::Tie(columns) => {
                    let names: Vec<String> = columns.iter().map(|&i| name(i)).collect();
                    bail!(
                        "{file}: several columns could hold the {}: {}; choose one with --y, \
                         or fit each as its own series with --y {}",
                        kind.label(),
                        quoted_list(&names),
                        names.join(",")
                    );
                }
            }
        }
    }

    // The scale parameter: named, else guessed, unless throughput and latency were
    // both named, which requests that concurrency be derived.
    let mut scale = named.scale;
    let derive_concurrency =
        scale.is_none() && named.throughput.is_some() && named.latency.is_some();
    if scale.is_none() && !derive_concurrency {
        let candidates: Vec<usize> = free
            .iter()
            .copied()
            .filter(|i| Some(*i) != throughput && Some(*i) != latency && Some(*i) != metric)
            .collect();
        match best(&table.columns, &candidates, scale_score) {
            Guess::One(i) => {
                guessed.insert(0, format!("x = {}", name(i)));
                scale = Some(i);
            }
            Guess::Tie(columns) => {
                let names: Vec<String> = columns.iter().map(|&i| name(i)).collect();
                bail!(
                    "{file}: several columns could hold the scale parameter: {}; choose one \
                     with --x",
                    quoted_list(&names)
                );
            }
            Guess::None => {
                if throughput.is_none() || latency.is_none() {
                    // Last resort: a file of exactly two plain columns is read as x, y.
                    if !any_named && free.len() == 2 && metric.is_none() && throughput.is_none() {
                        notes.push(format!(
                            "using x = {}, y = {} (guessed from column order; set --x/--y to \
                             choose)",
                            name(free[0]),
                            name(free[1])
                        ));
                        return Ok(Roles {
                            scale: Source::Column(free[0]),
                            scale_name: name(free[0]),
                            metric: Source::Column(free[1]),
                            metric_name: name(free[1]),
                            latency: None,
                            how: "guessed",
                            notes,
                        });
                    }
                    bail!(
                        "{file}: no column name looks like a scale parameter (n, workers, \
                         nodes, threads, concurrency, load, ...); available columns: {}; \
                         set --x COLUMN",
                        table.column_list()
                    );
                }
            }
        }
    }

    let how = if guessed.is_empty() {
        "flags"
    } else {
        "guessed"
    };
    if !guessed.is_empty() {
        notes.push(format!(
            "using {} (guessed from column names; set --x/--y to choose)",
            guessed.join(", ")
        ));
    }

    let roles = match (scale, throughput, latency, metric) {
        (Some(n), _, _, Some(y)) if metric_score(&name(y), MetricKind::Time) > 0 => {
            notes.push(format!(
                "fitting the rate 1/{} (runs per time unit) against {}, because the laws \
                 describe rates; a run time T gives the rate 1/T",
                name(y),
                name(n)
            ));
            Roles {
                scale: Source::Column(n),
                scale_name: name(n),
                metric: Source::Reciprocal(y),
                metric_name: format!("1/{}", name(y)),
                latency: None,
                how: "derived",
                notes,
            }
        }
        (Some(n), _, _, Some(y)) => Roles {
            scale: Source::Column(n),
            scale_name: name(n),
            metric: Source::Column(y),
            metric_name: name(y),
            latency: None,
            how,
            notes,
        },
        (Some(n), Some(x), r, None) => {
            if let Some(r) = r {
                notes.push(format!(
                    "fitting {} against {}; latency {} is used for response-time predictions",
                    name(x),
                    name(n),
                    name(r)
                ));
            }
            Roles {
                scale: Source::Column(n),
                scale_name: name(n),
                metric: Source::Column(x),
                metric_name: name(x),
                latency: r,
                how,
                notes,
            }
        }
        (Some(n), None, Some(r), None) => {
            notes.push(format!(
                "throughput derived as {} / {} by Little's law (X = N/R), in requests per \
                 time unit of {}",
                name(n),
                name(r),
                name(r)
            ));
            Roles {
                scale: Source::Column(n),
                scale_name: name(n),
                metric: Source::Quotient(n, r),
                metric_name: "throughput".to_string(),
                latency: Some(r),
                how: "derived",
                notes,
            }
        }
        (None, Some(x), Some(r), None) => {
            notes.push(format!(
                "concurrency derived as {} × {} by Little's law (N = X·R); both must use the \
                 same time unit",
                name(x),
                name(r)
            ));
            Roles {
                scale: Source::Product(x, r),
                scale_name: "concurrency".to_string(),
                metric: Source::Column(x),
                metric_name: name(x),
                latency: Some(r),
                how: "derived",
                notes,
            }
        }
        (Some(_), None, None, None) => bail!(
            "{file}: no column name looks like a metric (throughput, latency, time, ...); \
             available columns: {}; set --y COLUMN",
            table.column_list()
        ),
        _ => bail!(
            "{file}: cannot tell which columns to fit: give --x and --y, or two of \
             --concurrency, --throughput and --latency; available columns: {}",
            table.column_list()
        ),
    };
    Ok(roles)
}

fn named_columns(args: &DataArgs, table: &Table, file: &str) -> anyhow::Result<Named> {
    let lookup = |value: &Option<String>, flag: &str| -> anyhow::Result<Option<usize>> {
        value
            .as_deref()
            .map(|name| require_column(table, name, flag, file))
            .transpose()
    };
    let x = lookup(&args.x, "--x")?;
    let concurrency = lookup(&args.concurrency, "--concurrency")?;
    let y = lookup(&args.y, "--y")?;
    let throughput = lookup(&args.throughput, "--throughput")?;
    let latency = lookup(&args.latency, "--latency")?;

    let scale = merge_synonyms(x, concurrency, "--x", "--concurrency", table)?;
    let mut named = Named {
        scale,
        throughput,
        latency,
        metric: None,
    };
    if let Some(y) = y {
        let y_name = &table.columns[y];
        let looks_like_latency = metric_score(y_name, MetricKind::Latency) > 0
            && metric_score(y_name, MetricKind::Throughput) == 0;
        if named.throughput == Some(y) || named.latency == Some(y) {
            // Already named by its specific flag.
        } else if named.throughput.is_some() {
            bail!(
                "--y {y_name} and --throughput {} name different columns for the metric; \
                 give only one",
                table.columns[named.throughput.expect("checked")]
            );
        } else if looks_like_latency && named.latency.is_none() {
            named.latency = Some(y);
        } else if metric_score(y_name, MetricKind::Throughput) > 0 {
            named.throughput = Some(y);
        } else {
            named.metric = Some(y);
        }
    }
    Ok(named)
}

fn merge_synonyms(
    a: Option<usize>,
    b: Option<usize>,
    flag_a: &str,
    flag_b: &str,
    table: &Table,
) -> anyhow::Result<Option<usize>> {
    match (a, b) {
        (Some(a), Some(b)) if a != b => bail!(
            "{flag_a} {} and {flag_b} {} name different columns for the same role; give only \
             one",
            table.columns[a],
            table.columns[b]
        ),
        (a, b) => Ok(a.or(b)),
    }
}

fn require_column(table: &Table, name: &str, flag: &str, file: &str) -> anyhow::Result<usize> {
    table.column_index(name).with_context(|| {
        format!(
            "{flag} {name}: {file} has no column `{name}`; available columns: {}",
            table.column_list()
        )
    })
}

fn filter_columns(filters: &[String]) -> Vec<String> {
    filters
        .iter()
        .filter_map(|f| f.split_once('=').map(|(c, _)| c.trim().to_string()))
        .collect()
}

/// Keeps the rows of `rows` whose column equals the value of `filter` (`COLUMN=VALUE`).
/// Values match as text, or as numbers when both parse (so `8` matches `8.0`).
fn apply_filter(
    table: &Table,
    rows: &[usize],
    filter: &str,
    file: &str,
) -> anyhow::Result<Vec<usize>> {
    let Some((column, value)) = filter.split_once('=') else {
        bail!("--where {filter}: expected COLUMN=VALUE, for example --where precision=mixed");
    };
    let (column, value) = (column.trim(), value.trim());
    let index = require_column(table, column, "--where", file)?;
    let wanted_number = value.parse::<f64>().ok();
    let matches = |cell: &str| {
        cell == value
            || match (wanted_number, cell.parse::<f64>()) {
                (Some(a), Ok(b)) => a == b,
                _ => false,
            }
    };
    let kept: Vec<usize> = rows
        .iter()
        .copied()
        .filter(|&r| matches(&table.rows[r][index]))
        .collect();
    if kept.is_empty() {
        let mut values: Vec<&str> = Vec::new();
        for &r in rows {
            let cell = table.rows[r][index].as_str();
            if !values.contains(&cell) {
                values.push(cell);
            }
        }
        let shown: Vec<String> = values.iter().take(12).map(|v| v.to_string()).collect();
        let more = if values.len() > shown.len() {
            format!(" and {} more", values.len() - shown.len())
        } else {
            String::new()
        };
        bail!(
            "--where {filter} selects no rows of {file}; values of `{column}` in the rows \
             left: {}{more}",
            if shown.is_empty() {
                "none".to_string()
            } else {
                quoted_list(&shown)
            }
        );
    }
    Ok(kept)
}

/// Drops rows whose status is not `ok` (runs that failed or timed out) and notes the
/// count per status.
fn drop_unsuccessful(
    table: &Table,
    rows: Vec<usize>,
    status: usize,
    notes: &mut Vec<String>,
) -> Vec<usize> {
    let mut dropped: BTreeMap<String, usize> = BTreeMap::new();
    let total = rows.len();
    let kept: Vec<usize> = rows
        .into_iter()
        .filter(|&r| {
            let value = table.rows[r][status].trim();
            let ok = value.eq_ignore_ascii_case("ok");
            if !ok {
                let label = if value.is_empty() { "empty" } else { value };
                *dropped.entry(label.to_string()).or_default() += 1;
            }
            ok
        })
        .collect();
    if !dropped.is_empty() {
        let counts: Vec<String> = dropped.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        notes.push(format!(
            "left out {} of {total} rows whose status is not ok ({}); failed runs are not fitted",
            total - kept.len(),
            counts.join(", ")
        ));
    }
    kept
}

/// Splits rows into groups by the text of the `--by` columns, in order of first
/// appearance.
fn group_rows(table: &Table, rows: &[usize], columns: &[usize]) -> Vec<(Vec<String>, Vec<usize>)> {
    let mut groups: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
    for &r in rows {
        let key: Vec<String> = columns.iter().map(|&c| table.rows[r][c].clone()).collect();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    groups
}

/// Rows left out because a value they need is empty, per column.
#[derive(Default)]
struct MissingCount {
    by_column: BTreeMap<String, Vec<usize>>,
}

impl MissingCount {
    fn note(&self) -> Option<String> {
        if self.by_column.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .by_column
            .iter()
            .map(|(column, lines)| {
                let shown: Vec<String> = lines.iter().take(8).map(|l| l.to_string()).collect();
                let more = if lines.len() > shown.len() {
                    ", ..."
                } else {
                    ""
                };
                format!(
                    "{} row(s) with an empty `{column}` (line {}{more})",
                    lines.len(),
                    shown.join(", ")
                )
            })
            .collect();
        Some(format!(
            "left out {}: empty cells are missing values, not zeros",
            parts.join("; ")
        ))
    }
}

/// Builds the series of `rows`, or `None` when every row lacks a value it needs.
fn build_series(
    table: &Table,
    rows: &[usize],
    roles: &Roles,
    group: Vec<(String, String)>,
    file: &str,
    missing: &mut MissingCount,
) -> anyhow::Result<Option<Series>> {
    let needed = roles.columns_needed();
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(rows.len()); needed.len()];
    let mut lines = Vec::with_capacity(rows.len());
    'rows: for &r in rows {
        let mut row = Vec::with_capacity(needed.len());
        for &c in &needed {
            match parse_cell(table, r, c, file)? {
                Some(value) => row.push(value),
                None => {
                    missing
                        .by_column
                        .entry(table.columns[c].clone())
                        .or_default()
                        .push(table.lines[r]);
                    continue 'rows;
                }
            }
        }
        for (column, value) in values.iter_mut().zip(row) {
            column.push(value);
        }
        lines.push(table.lines[r]);
    }
    if lines.is_empty() {
        return Ok(None);
    }

    let column = |c: usize| -> &[f64] {
        let k = needed.iter().position(|&n| n == c).expect("needed column");
        &values[k]
    };
    let little_error = |err: little::LittleError| match err {
        little::LittleError::NonPositive {
            row,
            quantity,
            value,
        } => anyhow::anyhow!(
            "{file} line {}: {quantity} is {value}, but Little's law (N = X·R) needs values \
             above zero; fix the value or leave the cell empty",
            lines[row - 1]
        ),
        other => anyhow::anyhow!("{file}: {other}"),
    };
    let x = match roles.scale {
        Source::Column(c) => column(c).to_vec(),
        Source::Product(t, r) => {
            little::complete(None, Some(column(t)), Some(column(r)))
                .map_err(little_error)?
                .concurrency
        }
        Source::Quotient(..) | Source::Reciprocal(_) => unreachable!("not a scale source"),
    };
    let y = match roles.metric {
        Source::Column(c) => column(c).to_vec(),
        Source::Quotient(n, r) => {
            little::complete(Some(column(n)), None, Some(column(r)))
                .map_err(little_error)?
                .throughput
        }
        Source::Reciprocal(c) => reciprocal(column(c), &lines, &table.columns[c], file)?,
        Source::Product(..) => unreachable!("not a metric source"),
    };

    let label = group
        .iter()
        .map(|(c, v)| format!("{c}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let observations = Observations::new(&roles.scale_name, &roles.metric_name, x, y)
        .with_context(|| format!("{file}: invalid data"))?;
    Ok(Some(Series {
        label,
        group,
        observations,
        notes: Vec::new(),
        lines,
        latency_column: roles.latency.map(|c| table.columns[c].clone()),
    }))
}

/// Rates 1/T of run times T, rejecting times that are not above zero.
fn reciprocal(
    times: &[f64],
    lines: &[usize],
    column: &str,
    file: &str,
) -> anyhow::Result<Vec<f64>> {
    times
        .iter()
        .zip(lines)
        .map(|(&t, line)| {
            if t > 0.0 {
                Ok(1.0 / t)
            } else {
                bail!(
                    "{file} line {line}, column `{column}`: run time {t} is not above zero, so \
                     its rate 1/T is undefined; fix or remove the row"
                )
            }
        })
        .collect()
}

/// Parses one numeric cell; `None` for an empty cell (or `NA`, `null`).
fn parse_cell(table: &Table, r: usize, c: usize, file: &str) -> anyhow::Result<Option<f64>> {
    let text = table.rows[r][c].trim();
    if text.is_empty() || text == "NA" || text == "null" {
        return Ok(None);
    }
    let line = table.lines[r];
    let column = &table.columns[c];
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Some(value)),
        Ok(_) => bail!(
            "{file} line {line}, column `{column}`: {text} is not a finite number; remove the \
             row, or leave the cell empty to mark the value missing"
        ),
        Err(_) => bail!(
            "{file} line {line}, column `{column}`: `{text}` is not a number; fix the value, \
             or choose another column with --x/--y"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(columns: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            format: FileFormat::Csv,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
            lines: (2..rows.len() + 2).collect(),
        }
    }

    #[test]
    fn roles_guessed_from_names() {
        let t = table(&["load", "throughput"], &[&["1", "2"]]);
        let roles = resolve_roles(&DataArgs::default(), &t, "f").unwrap();
        assert_eq!(roles.scale_name, "load");
        assert_eq!(roles.metric_name, "throughput");
        assert!(roles.notes[0].contains("guessed"), "{:?}", roles.notes);
    }

    #[test]
    fn latency_y_derives_throughput() {
        let t = table(&["clients", "latency_ms"], &[&["4", "2"]]);
        let args = DataArgs {
            y: Some("latency_ms".into()),
            ..DataArgs::default()
        };
        let roles = resolve_roles(&args, &t, "f").unwrap();
        assert!(matches!(roles.metric, Source::Quotient(0, 1)));
        assert_eq!(roles.latency, Some(1));
    }

    #[test]
    fn throughput_and_latency_derive_concurrency() {
        let t = table(&["tput", "latency"], &[&["100", "0.05"]]);
        let args = DataArgs {
            throughput: Some("tput".into()),
            latency: Some("latency".into()),
            ..DataArgs::default()
        };
        let roles = resolve_roles(&args, &t, "f").unwrap();
        assert!(matches!(roles.scale, Source::Product(0, 1)));
        assert_eq!(roles.scale_name, "concurrency");
    }

    #[test]
    fn tie_between_metrics_is_an_error() {
        let t = table(&["n", "a_throughput", "b_throughput"], &[&["1", "2", "3"]]);
        let err = resolve_roles(&DataArgs::default(), &t, "f").unwrap_err();
        assert!(err.to_string().contains("--y"), "{err}");
    }

    #[test]
    fn filter_matches_numbers_by_value() {
        let t = table(&["n", "seq"], &[&["1", "128"], &["2", "512.0"]]);
        assert_eq!(apply_filter(&t, &[0, 1], "seq=512", "f").unwrap(), [1]);
        let err = apply_filter(&t, &[0, 1], "seq=64", "f").unwrap_err();
        assert!(err.to_string().contains("`128`, `512.0`"), "{err}");
    }
}
