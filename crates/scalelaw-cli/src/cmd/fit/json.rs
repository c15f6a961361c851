//! The JSON output of `scalelaw fit`, documented field by field in
//! docs/json-output.md. Scripts depend on it: add fields freely, but rename or remove
//! one only with a new `schema_version`.
//!
//! JSON has no NaN or infinity, so a value that is not finite is written as `null`
//! and the object that contains it gets a `null_notes` entry naming the field.

use std::io::Write;

use scalelaw::fit::{DerivedEstimate, Fit, ParamEstimate, PointFit};
use scalelaw::select::Entry;
use scalelaw::PointSummary;
use serde_json::{json, Map, Value};

use super::document::Context;
use super::{LawResult, Prediction, SeriesOutcome, SeriesResult};
use crate::output::json_number;

/// Version of the JSON layout; raised when a field is renamed or removed.
pub const SCHEMA_VERSION: u32 = 1;

/// Writes the whole result as one pretty-printed JSON object and a newline.
pub fn write(
    out: &mut impl Write,
    context: &Context<'_>,
    outcomes: &[SeriesOutcome],
) -> anyhow::Result<()> {
    let document = document(context, outcomes);
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn document(context: &Context<'_>, outcomes: &[SeriesOutcome]) -> Value {
    let input = context.input;
    let settings = context.settings;
    json!({
        "schema_version": SCHEMA_VERSION,
        "command": "fit",
        "input": {
            "file": input.file.display().to_string(),
            "format": input.format.id(),
            "columns": input.columns,
            "rows": input.rows,
            "rows_used": input.rows_used,
            "scale": input.scale_name,
            "metric": input.metric_name,
            "roles": input.roles,
            "run_time_column": input.run_time_column,
            "where": input.filters,
            "by": input.by,
            "notes": input.notes,
        },
        "settings": {
            "law": settings.law,
            "bounded": settings.bounded,
            "bootstrap_resamples": settings.bootstrap,
            "seed": settings.seed,
            "confidence": settings.confidence,
            "predict": settings.predict,
            "predict_latency": settings.predict_latency,
        },
        "series": outcomes.iter().map(series).collect::<Vec<_>>(),
    })
}

fn group(pairs: &[(String, String)]) -> Value {
    let map: Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Value::Object(map)
}

fn series(outcome: &SeriesOutcome) -> Value {
    match outcome {
        SeriesOutcome::Failed {
            label,
            group: pairs,
            points,
            error,
        } => json!({
            "label": label,
            "group": group(pairs),
            "status": "failed",
            "error": error,
            "distinct_points": points,
        }),
        SeriesOutcome::Fitted(result) => fitted_series(result),
    }
}

fn fitted_series(result: &SeriesResult) -> Value {
    let mut nulls = Nulls::default();
    let points: Vec<Value> = result
        .points
        .iter()
        .enumerate()
        .map(|(k, p)| measured_point(p, &format!("points[{k}]"), &mut nulls))
        .collect();
    let comparison = &result.comparison;
    let fits: Vec<Value> = result
        .display_order()
        .into_iter()
        .map(|i| {
            let chosen = comparison.chosen == Some(i);
            fit_entry(&comparison.entries[i], &result.laws[i], chosen)
        })
        .collect();
    json!({
        "label": result.label,
        "group": group(&result.group),
        "status": "fitted",
        "error": null,
        "scale": result.scale_name,
        "metric": result.metric_name,
        "latency_column": result.latency_column,
        "notes": result.notes,
        "points": points,
        "comparison": {
            "criterion": comparison.criterion,
            "chosen": comparison.chosen.map(|i| comparison.entries[i].law.clone()),
            "reason": comparison.reason,
        },
        "fits": fits,
        "null_notes": nulls.0,
    })
}

/// Paths of fields written as `null` because their value was not finite.
#[derive(Default)]
struct Nulls(Vec<String>);

impl Nulls {
    fn number(&mut self, path: &str, value: f64) -> Value {
        if !value.is_finite() {
            self.0.push(format!("{path} is {value}, written as null"));
        }
        json_number(value)
    }

    fn optional(&mut self, path: &str, value: Option<f64>) -> Value {
        value.map_or(Value::Null, |v| self.number(path, v))
    }

    fn interval(&mut self, path: &str, value: Option<(f64, f64)>) -> Value {
        match value {
            Some((lower, upper)) => json!({
                "lower": self.number(&format!("{path}.lower"), lower),
                "upper": self.number(&format!("{path}.upper"), upper),
            }),
            None => Value::Null,
        }
    }
}

fn measured_point(p: &PointSummary, path: &str, nulls: &mut Nulls) -> Value {
    json!({
        "x": nulls.number(&format!("{path}.x"), p.x[0]),
        "runs": p.runs,
        "mean": nulls.number(&format!("{path}.mean"), p.mean),
        "std_dev": nulls.number(&format!("{path}.std_dev"), p.std_dev),
        "min": nulls.number(&format!("{path}.min"), p.min),
        "max": nulls.number(&format!("{path}.max"), p.max),
    })
}

fn fit_entry(entry: &Entry, law: &LawResult, chosen: bool) -> Value {
    let mut object = json!({
        "law": entry.law,
        "law_name": entry.law_name,
        "chosen": chosen,
        "rank": entry.rank,
        "delta": entry.delta.and_then(|d| d.is_finite().then_some(d)),
        "weight": entry.weight.and_then(|w| w.is_finite().then_some(w)),
        "error": entry.error,
    });
    if let Some(fit) = &entry.fit {
        let details = fit_details(fit, law);
        if let (Value::Object(target), Value::Object(source)) = (&mut object, details) {
            target.extend(source);
            // Only the chosen fit keeps its resamples, so `scalelaw plan` can give
            // intervals from saved output without every law's thousands of numbers.
            if chosen {
                target.insert("bootstrap_thetas".to_string(), json!(fit.bootstrap_thetas));
            }
        }
    }
    object
}

fn fit_details(fit: &Fit, law: &LawResult) -> Value {
    let mut nulls = Nulls::default();
    let params: Vec<Value> = fit.params.iter().map(|p| param(p, &mut nulls)).collect();
    let derived: Vec<Value> = fit.derived.iter().map(|d| derived(d, &mut nulls)).collect();
    let d = &fit.diagnostics;
    let r_squared = if d.r_squared.is_finite() {
        json_number(d.r_squared)
    } else {
        nulls.0.push(
            "diagnostics.r_squared is undefined because every observation has the same value"
                .to_string(),
        );
        Value::Null
    };
    let diagnostics = json!({
        "n": d.n,
        "points": d.points,
        "p": d.p,
        "rss": nulls.number("diagnostics.rss", d.rss),
        "residual_std_error": nulls.optional("diagnostics.residual_std_error", d.residual_std_error),
        "r_squared": r_squared,
        "aicc": nulls.optional("diagnostics.aicc", d.aicc),
        "bic": nulls.number("diagnostics.bic", d.bic),
        "loo_rmse": nulls.optional("diagnostics.loo_rmse", d.loo_rmse),
        "iterations": d.iterations,
    });
    let points: Vec<Value> = fit
        .points
        .iter()
        .enumerate()
        .map(|(k, p)| fitted_point(p, &format!("points[{k}]"), &mut nulls))
        .collect();
    let predicted = predictions(&law.predictions, "predictions", &mut nulls);
    let response_times = predictions(&law.response_times, "response_time_predictions", &mut nulls);
    let at_latency: Vec<Value> = law
        .at_latency
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let path = format!("latency_predictions[{k}]");
            json!({
                "latency": nulls.number(&format!("{path}.latency"), p.latency),
                "concurrency": prediction(&p.concurrency, &format!("{path}.concurrency"), &mut nulls),
                "throughput": prediction(&p.throughput, &format!("{path}.throughput"), &mut nulls),
            })
        })
        .collect();
    json!({
        "formula": fit.formula,
        "bounded": fit.bounded,
        "confidence": fit.confidence,
        "seed": fit.seed,
        "bootstrap_resamples_used": fit.bootstrap_thetas.len(),
        "params": params,
        "derived": derived,
        "diagnostics": diagnostics,
        "regime": fit.regime,
        "warnings": fit.warnings,
        "points": points,
        "predictions": predicted,
        "response_time_predictions": response_times,
        "latency_predictions": at_latency,
        "null_notes": nulls.0,
    })
}

fn param(p: &ParamEstimate, nulls: &mut Nulls) -> Value {
    let path = format!("params.{}", p.name);
    json!({
        "name": p.name,
        "value": nulls.number(&format!("{path}.value"), p.value),
        "std_error": nulls.optional(&format!("{path}.std_error"), p.std_error),
        "t_interval": nulls.interval(&format!("{path}.t_interval"), p.t_interval),
        "bootstrap_interval": nulls.interval(&format!("{path}.bootstrap_interval"), p.bootstrap_interval),
        "at_bound": p.at_bound,
    })
}

fn derived(d: &DerivedEstimate, nulls: &mut Nulls) -> Value {
    let path = format!("derived.{}", d.derived.name);
    json!({
        "name": d.derived.name,
        "value": nulls.optional(&format!("{path}.value"), d.derived.value),
        "meaning": d.derived.meaning,
        "note": d.derived.note,
        "bootstrap_interval": nulls.interval(&format!("{path}.bootstrap_interval"), d.bootstrap_interval),
        "bootstrap_share": nulls.optional(&format!("{path}.bootstrap_share"), d.bootstrap_share),
    })
}

fn fitted_point(p: &PointFit, path: &str, nulls: &mut Nulls) -> Value {
    json!({
        "x": nulls.number(&format!("{path}.x"), p.x[0]),
        "runs": p.runs,
        "mean": nulls.number(&format!("{path}.mean"), p.mean),
        "std_dev": nulls.number(&format!("{path}.std_dev"), p.std_dev),
        "fitted": nulls.number(&format!("{path}.fitted"), p.fitted),
        "residual": nulls.number(&format!("{path}.residual"), p.residual),
        "efficiency": nulls.optional(&format!("{path}.efficiency"), p.efficiency),
        "karp_flatt": nulls.optional(&format!("{path}.karp_flatt"), p.karp_flatt),
    })
}

fn predictions(list: &[Prediction], name: &str, nulls: &mut Nulls) -> Vec<Value> {
    list.iter()
        .enumerate()
        .map(|(k, p)| {
            let path = format!("{name}[{k}]");
            let mut value = prediction(p, &path, nulls);
            value["x"] = nulls.number(&format!("{path}.x"), p.at);
            value
        })
        .collect()
}

fn prediction(p: &Prediction, path: &str, nulls: &mut Nulls) -> Value {
    json!({
        "value": nulls.optional(&format!("{path}.value"), p.value),
        "interval": nulls.interval(&format!("{path}.interval"), p.interval),
        "bootstrap_share": nulls.optional(&format!("{path}.bootstrap_share"), p.bootstrap_share),
        "extrapolated": p.extrapolated,
    })
}
