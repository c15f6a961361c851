//! The CSV output of `scalelaw fit`: one long (tidy) table with a row per reported
//! quantity, so scripts can filter it by `series`, `law`, `section` and `name`.
//!
//! Columns: `series, law, chosen, section, name, x, value, std_error, t_lower,
//! t_upper, bootstrap_lower, bootstrap_upper, note`. Sections: `param`, `derived`,
//! `diagnostic`, `regime`, `point`, `prediction`, `response_time`,
//! `latency_concurrency`, `latency_throughput`, `error`. Empty cells are absent values.

use std::io::Write;

use super::{SeriesOutcome, SeriesResult};
use crate::output::Table;

const HEADERS: [&str; 13] = [
    "series",
    "law",
    "chosen",
    "section",
    "name",
    "x",
    "value",
    "std_error",
    "t_lower",
    "t_upper",
    "bootstrap_lower",
    "bootstrap_upper",
    "note",
];

/// One row's cells by column name; unset cells stay empty.
#[derive(Default)]
struct Row {
    name: String,
    x: Option<f64>,
    value: Option<f64>,
    std_error: Option<f64>,
    t: Option<(f64, f64)>,
    bootstrap: Option<(f64, f64)>,
    note: String,
}

/// Writes every series as rows of the long table.
pub fn write(out: &mut impl Write, outcomes: &[SeriesOutcome]) -> anyhow::Result<()> {
    let mut table = Table::new(&HEADERS);
    for outcome in outcomes {
        match outcome {
            SeriesOutcome::Fitted(result) => series_rows(result, &mut table),
            SeriesOutcome::Failed { label, error, .. } => table.push(cells(
                label,
                "",
                false,
                "error",
                Row {
                    name: "not fitted".into(),
                    note: error.clone(),
                    ..Row::default()
                },
            )),
        }
    }
    let mut writer = csv::Writer::from_writer(out);
    table.write_csv(&mut writer)?;
    writer.flush()?;
    Ok(())
}

fn number(value: Option<f64>) -> String {
    // Full precision, so a script reads back the same double; absent or non-finite
    // values are empty cells.
    value
        .filter(|v| v.is_finite())
        .map_or_else(String::new, |v| v.to_string())
}

fn cells(series: &str, law: &str, chosen: bool, section: &str, row: Row) -> Vec<String> {
    vec![
        series.to_string(),
        law.to_string(),
        chosen.to_string(),
        section.to_string(),
        row.name,
        number(row.x),
        number(row.value),
        number(row.std_error),
        number(row.t.map(|t| t.0)),
        number(row.t.map(|t| t.1)),
        number(row.bootstrap.map(|b| b.0)),
        number(row.bootstrap.map(|b| b.1)),
        row.note,
    ]
}

fn series_rows(result: &SeriesResult, table: &mut Table) {
    let comparison = &result.comparison;
    for index in result.display_order() {
        let entry = &comparison.entries[index];
        let chosen = comparison.chosen == Some(index);
        let mut push = |section: &str, row: Row| {
            table.push(cells(&result.label, &entry.law, chosen, section, row))
        };
        let Some(fit) = &entry.fit else {
            push(
                "error",
                Row {
                    name: "not fitted".into(),
                    note: entry.error.clone().unwrap_or_default(),
                    ..Row::default()
                },
            );
            continue;
        };
        for p in &fit.params {
            push(
                "param",
                Row {
                    name: p.name.clone(),
                    value: Some(p.value),
                    std_error: p.std_error,
                    t: p.t_interval,
                    bootstrap: p.bootstrap_interval,
                    note: if p.at_bound {
                        "on its bound".into()
                    } else {
                        String::new()
                    },
                    ..Row::default()
                },
            );
        }
        for d in &fit.derived {
            push(
                "derived",
                Row {
                    name: d.derived.name.clone(),
                    value: d.derived.value,
                    bootstrap: d.bootstrap_interval,
                    note: d.derived.note.clone().unwrap_or_default(),
                    ..Row::default()
                },
            );
        }
        let d = &fit.diagnostics;
        let diagnostics = [
            ("n", Some(d.n as f64)),
            ("points", Some(d.points as f64)),
            ("p", Some(d.p as f64)),
            ("rss", Some(d.rss)),
            ("residual_std_error", d.residual_std_error),
            ("r_squared", Some(d.r_squared)),
            ("aicc", d.aicc),
            ("bic", Some(d.bic)),
            ("loo_rmse", d.loo_rmse),
            ("rank", entry.rank.map(|r| r as f64)),
            ("weight", entry.weight),
        ];
        for (name, value) in diagnostics {
            push(
                "diagnostic",
                Row {
                    name: name.into(),
                    value,
                    ..Row::default()
                },
            );
        }
        push(
            "regime",
            Row {
                name: fit.regime.kind.label().into(),
                note: fit.regime.reason.clone(),
                ..Row::default()
            },
        );
        for warning in &fit.warnings {
            push(
                "warning",
                Row {
                    name: "warning".into(),
                    note: warning.clone(),
                    ..Row::default()
                },
            );
        }
        for p in &fit.points {
            let quantities = [
                ("runs", Some(p.runs as f64)),
                ("mean", Some(p.mean)),
                ("std_dev", Some(p.std_dev)),
                ("fitted", Some(p.fitted)),
                ("residual", Some(p.residual)),
                ("efficiency", p.efficiency),
                ("karp_flatt", p.karp_flatt),
            ];
            for (name, value) in quantities {
                push(
                    "point",
                    Row {
                        name: name.into(),
                        x: Some(p.x[0]),
                        value,
                        ..Row::default()
                    },
                );
            }
        }
        let law = &result.laws[index];
        let lists = [
            ("prediction", &law.predictions, result.metric_name.as_str()),
            ("response_time", &law.response_times, "latency"),
        ];
        for (section, list, name) in lists {
            for p in list {
                push(
                    section,
                    Row {
                        name: name.into(),
                        x: Some(p.at),
                        value: p.value,
                        bootstrap: p.interval,
                        note: if p.extrapolated {
                            "outside the measured range".into()
                        } else {
                            String::new()
                        },
                        ..Row::default()
                    },
                );
            }
        }
        for p in &law.at_latency {
            for (section, prediction) in [
                ("latency_concurrency", &p.concurrency),
                ("latency_throughput", &p.throughput),
            ] {
                push(
                    section,
                    Row {
                        name: "latency".into(),
                        x: Some(p.latency),
                        value: prediction.value,
                        bootstrap: prediction.interval,
                        ..Row::default()
                    },
                );
            }
        }
    }
}
