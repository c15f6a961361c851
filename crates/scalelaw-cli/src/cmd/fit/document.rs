//! The fit results as a document of headings, lines and tables, rendered as terminal
//! text or Markdown by [`super::text`]. It shows the work: which points, which laws,
//! which one was chosen and why.

use scalelaw::fit::{Fit, PointFit};
use scalelaw::select::Entry;

use super::{FitSettings, LawResult, SeriesOutcome, SeriesResult};
use crate::input::InputSummary;
use crate::output::{interval, number, optional, percent, sig, Align, Table};

/// Input description and settings, which the document shows besides the results.
pub struct Context<'a> {
    pub input: &'a InputSummary,
    pub settings: &'a FitSettings,
}

/// One piece of the document.
pub enum Block {
    /// A heading of level 1 (series) or 2 (law).
    Heading(u8, String),
    Line(String),
    Bullets(Vec<String>),
    Table(Table),
}

/// Builds the document for every series.
pub fn build(context: &Context<'_>, outcomes: &[SeriesOutcome]) -> Vec<Block> {
    let mut blocks = vec![
        Block::Line(describe_input(context.input)),
        Block::Line(describe_settings(context.settings)),
    ];
    if outcomes.len() > 1 {
        blocks.push(Block::Line(format!(
            "{} series; the chosen law of each (details follow):",
            outcomes.len()
        )));
        blocks.push(Block::Table(summary_table(outcomes)));
    }
    for outcome in outcomes {
        match outcome {
            SeriesOutcome::Fitted(result) => series_blocks(context, result, &mut blocks),
            SeriesOutcome::Failed {
                label,
                points,
                error,
                ..
            } => {
                blocks.push(Block::Heading(1, series_title(context.input, label)));
                let plural = if *points == 1 { "" } else { "s" };
                blocks.push(Block::Line(format!(
                    "not fitted ({points} distinct point{plural}): {error}"
                )));
            }
        }
    }
    blocks
}

/// One row per series: its points, the chosen law, its regime and the efficiency at
/// the largest measured scale value.
fn summary_table(outcomes: &[SeriesOutcome]) -> Table {
    let mut table = Table::new(&[
        "series",
        "points",
        "max x",
        "chosen",
        "R²",
        "efficiency at max x",
        "regime",
    ])
    .align(0, Align::Left)
    .align(3, Align::Left)
    .align(6, Align::Left);
    for outcome in outcomes {
        match outcome {
            SeriesOutcome::Fitted(result) => {
                let max_x = result.points.last().map_or(f64::NAN, |p| p.x[0]);
                let row = match result.chosen() {
                    Some((fit, _)) => vec![
                        fit.law.clone(),
                        r_squared(fit),
                        optional(fit.points.last().and_then(|p| p.efficiency)),
                        fit.regime.kind.label().to_string(),
                    ],
                    None => vec!["-".into(), "-".into(), "-".into(), "not fitted".into()],
                };
                let mut cells = vec![
                    result.label.clone(),
                    result.points.len().to_string(),
                    number(max_x),
                ];
                cells.extend(row);
                table.push(cells);
            }
            SeriesOutcome::Failed { label, points, .. } => table.push(vec![
                label.clone(),
                points.to_string(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "not fitted".into(),
            ]),
        }
    }
    table
}

fn describe_input(input: &InputSummary) -> String {
    let mut text = format!(
        "input: {} ({}), {} rows, {} observations used, {} against {}",
        input.file.display(),
        input.format.id(),
        input.rows,
        input.rows_used,
        input.metric_name,
        input.scale_name
    );
    if !input.filters.is_empty() {
        text.push_str(&format!("; where {}", input.filters.join(" and ")));
    }
    if !input.by.is_empty() {
        text.push_str(&format!("; one series per {}", input.by.join(", ")));
    }
    text
}

fn describe_settings(settings: &FitSettings) -> String {
    let laws = if settings.law == super::ALL_LAWS {
        "every law, ranked".to_string()
    } else {
        format!("law {}", settings.law)
    };
    let bootstrap = if settings.bootstrap == 0 {
        "bootstrap off".to_string()
    } else {
        format!(
            "{} bootstrap resamples (seed {})",
            settings.bootstrap, settings.seed
        )
    };
    format!(
        "settings: {laws}, {} fit, {bootstrap}, {} intervals",
        if settings.bounded {
            "bounded"
        } else {
            "unbounded"
        },
        percent(settings.confidence)
    )
}

fn series_title(input: &InputSummary, label: &str) -> String {
    if label.is_empty() {
        format!("{} against {}", input.metric_name, input.scale_name)
    } else {
        label.to_string()
    }
}

fn series_blocks(context: &Context<'_>, result: &SeriesResult, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(
        1,
        series_title(context.input, &result.label),
    ));
    let runs: usize = result.points.iter().map(|p| p.runs).sum();
    let (min_x, max_x) = result
        .points
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), p| {
            (a.min(p.x[0]), b.max(p.x[0]))
        });
    blocks.push(Block::Line(format!(
        "{} runs at {} points, {} = {} to {}",
        runs,
        result.points.len(),
        result.scale_name,
        number(min_x),
        number(max_x)
    )));
    if !result.notes.is_empty() {
        blocks.push(Block::Bullets(result.notes.clone()));
    }

    let comparison = &result.comparison;
    if comparison.entries.len() > 1 {
        blocks.push(Block::Line(format!(
            "laws ranked by {} (lower is better; * = chosen):",
            comparison.criterion.label()
        )));
        blocks.push(Block::Table(ranking_table(result)));
    }
    if let Some(chosen) = comparison.chosen {
        blocks.push(Block::Line(format!(
            "chosen: {}, because {}",
            comparison.entries[chosen].law, comparison.reason
        )));
    }

    for index in result.display_order() {
        let entry = &comparison.entries[index];
        let chosen = comparison.chosen == Some(index);
        law_blocks(entry, &result.laws[index], chosen, result, blocks);
    }
}

fn ranking_table(result: &SeriesResult) -> Table {
    let mut table = Table::new(&[
        "rank", "law", "params", "LOO RMSE", "AICc", "BIC", "R²", "weight", "regime",
    ])
    .align(1, Align::Left)
    .align(8, Align::Left);
    for index in result.display_order() {
        let entry = &result.comparison.entries[index];
        let mark = if result.comparison.chosen == Some(index) {
            "*"
        } else {
            ""
        };
        let rank = entry.rank.map_or("-".to_string(), |r| format!("{r}{mark}"));
        match &entry.fit {
            Some(fit) => table.push(vec![
                rank,
                entry.law.clone(),
                fit.diagnostics.p.to_string(),
                optional(fit.diagnostics.loo_rmse),
                optional(fit.diagnostics.aicc),
                number(fit.diagnostics.bic),
                r_squared(fit),
                optional(entry.weight),
                fit.regime.kind.label().to_string(),
            ]),
            None => table.push(vec![
                rank,
                entry.law.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "not fitted".into(),
            ]),
        }
    }
    table
}

fn r_squared(fit: &Fit) -> String {
    let r2 = fit.diagnostics.r_squared;
    if r2.is_finite() {
        sig(r2, 5)
    } else {
        "-".to_string()
    }
}

fn law_blocks(
    entry: &Entry,
    law: &LawResult,
    chosen: bool,
    result: &SeriesResult,
    blocks: &mut Vec<Block>,
) {
    let mark = if chosen { ", chosen" } else { "" };
    blocks.push(Block::Heading(
        2,
        format!("{} ({}{mark})", entry.law_name, entry.law),
    ));
    let Some(fit) = &entry.fit else {
        blocks.push(Block::Line(format!(
            "not fitted: {}",
            entry.error.as_deref().unwrap_or("unknown reason")
        )));
        return;
    };

    let level = percent(fit.confidence);
    blocks.push(Block::Line(format!(
        "{}, {} fit",
        fit.formula,
        if fit.bounded { "bounded" } else { "unbounded" }
    )));
    blocks.push(Block::Table(parameter_table(fit, &level)));
    if !fit.derived.is_empty() {
        blocks.push(Block::Table(derived_table(fit, &level)));
    }

    blocks.push(Block::Line(diagnostics_line(fit)));
    blocks.push(Block::Line(format!(
        "regime: {}: {}",
        fit.regime.kind.label(),
        fit.regime.reason
    )));
    if !fit.warnings.is_empty() {
        let warnings = fit
            .warnings
            .iter()
            .map(|w| format!("warning: {w}"))
            .collect();
        blocks.push(Block::Bullets(warnings));
    }

    blocks.push(Block::Table(point_table(&fit.points, result)));
    if !law.predictions.is_empty() {
        blocks.push(Block::Table(prediction_table(law, result, &level)));
    }
    if !law.at_latency.is_empty() {
        blocks.push(Block::Table(latency_table(law, result, &level)));
    }
}

fn parameter_table(fit: &Fit, level: &str) -> Table {
    let t_header = format!("{level} t interval");
    let boot_header = format!("{level} bootstrap");
    let mut table = Table::new(&[
        "parameter",
        "estimate",
        "std error",
        &t_header,
        &boot_header,
        "note",
    ])
    .align(0, Align::Left)
    .align(5, Align::Left);
    for p in &fit.params {
        table.push(vec![
            p.name.clone(),
            sig(p.value, 6),
            optional(p.std_error),
            interval(p.t_interval),
            interval(p.bootstrap_interval),
            if p.at_bound {
                "on its bound".to_string()
            } else {
                String::new()
            },
        ]);
    }
    table
}

fn derived_table(fit: &Fit, level: &str) -> Table {
    let boot_header = format!("{level} bootstrap");
    let mut table = Table::new(&["derived", "value", &boot_header, "meaning"])
        .align(0, Align::Left)
        .align(3, Align::Left);
    for d in &fit.derived {
        let mut meaning = d.derived.meaning.clone();
        if let Some(note) = &d.derived.note {
            meaning = format!("{meaning}; {note}");
        }
        if let Some(share) = d.bootstrap_share.filter(|s| *s < 1.0) {
            meaning = format!(
                "{meaning} (exists in {}% of resamples)",
                sig(share * 100.0, 3)
            );
        }
        table.push(vec![
            d.derived.name.clone(),
            optional(d.derived.value),
            interval(d.bootstrap_interval),
            meaning,
        ]);
    }
    table
}

fn diagnostics_line(fit: &Fit) -> String {
    let d = &fit.diagnostics;
    format!(
        "fit: n = {}, points = {}, p = {}, RSS = {}, residual SE = {}, R² = {}, AICc = {}, \
         BIC = {}, LOO RMSE = {}",
        d.n,
        d.points,
        d.p,
        number(d.rss),
        optional(d.residual_std_error),
        r_squared(fit),
        optional(d.aicc),
        number(d.bic),
        optional(d.loo_rmse)
    )
}

fn point_table(points: &[PointFit], result: &SeriesResult) -> Table {
    let mut table = Table::new(&[
        &result.scale_name,
        "runs",
        "mean",
        "sd",
        "fitted",
        "residual",
        "efficiency",
        "Karp-Flatt",
    ]);
    for p in points {
        table.push(vec![
            number(p.x[0]),
            p.runs.to_string(),
            number(p.mean),
            if p.runs > 1 {
                number(p.std_dev)
            } else {
                "-".to_string()
            },
            number(p.fitted),
            number(p.residual),
            optional(p.efficiency),
            optional(p.karp_flatt),
        ]);
    }
    table
}

fn prediction_table(law: &LawResult, result: &SeriesResult, level: &str) -> Table {
    let value_header = format!("predicted {}", result.metric_name);
    let interval_header = format!("{level} interval");
    let latency = !law.response_times.is_empty();
    let mut headers = vec![
        result.scale_name.as_str(),
        value_header.as_str(),
        interval_header.as_str(),
    ];
    if latency {
        headers.extend(["latency R(N)", interval_header.as_str()]);
    }
    headers.push("note");
    let note_column = headers.len() - 1;
    let mut table = Table::new(&headers).align(note_column, Align::Left);
    for (k, p) in law.predictions.iter().enumerate() {
        let mut row = vec![number(p.at), optional(p.value), interval(p.interval)];
        if let Some(r) = law.response_times.get(k) {
            row.push(optional(r.value));
            row.push(interval(r.interval));
        }
        row.push(prediction_note(p));
        table.push(row);
    }
    table
}

fn prediction_note(p: &super::Prediction) -> String {
    let mut notes = Vec::new();
    if p.extrapolated {
        notes.push("outside the measured range".to_string());
    }
    if let Some(share) = p.bootstrap_share {
        notes.push(format!(
            "interval from {}% of resamples",
            sig(share * 100.0, 3)
        ));
    }
    notes.join("; ")
}

fn latency_table(law: &LawResult, result: &SeriesResult, level: &str) -> Table {
    let interval_header = format!("{level} interval");
    let n_header = format!("{} N(R)", result.scale_name);
    let x_header = format!("{} X(R)", result.metric_name);
    let mut table = Table::new(&[
        "latency R",
        &n_header,
        &interval_header,
        &x_header,
        &interval_header,
        "note",
    ])
    .align(5, Align::Left);
    for p in &law.at_latency {
        let note = if p.concurrency.value.is_none() {
            "the law never reaches this latency".to_string()
        } else {
            prediction_note(&p.concurrency)
        };
        table.push(vec![
            number(p.latency),
            optional(p.concurrency.value),
            interval(p.concurrency.interval),
            optional(p.throughput.value),
            interval(p.throughput.interval),
            note,
        ]);
    }
    table
}
