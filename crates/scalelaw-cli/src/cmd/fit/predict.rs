//! Predictions from a fit at values the user asks for, with percentile intervals over
//! the fit's bootstrap resamples (`Fit::bootstrap_thetas`).
//!
//! With latency input, the USL also gives the mean latency R(N) = N/X(N) and, from a
//! target latency, the concurrency N(R) and throughput X(R) (Little's law).

use scalelaw::laws::Usl;
use scalelaw::stats::percentile_interval;
use scalelaw::{Fit, Law};

use super::{FitSettings, LawResult};
use crate::input::Series;

/// A predicted value with its bootstrap interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Scale value or target latency at which the prediction is made.
    pub at: f64,
    /// `None` when the law gives no value there (a latency it never reaches).
    pub value: Option<f64>,
    pub interval: Option<(f64, f64)>,
    /// Share of bootstrap resamples that gave a value, when some did not.
    pub bootstrap_share: Option<f64>,
    /// Whether `at` lies outside the measured range of the scale parameter.
    pub extrapolated: bool,
}

/// Concurrency and throughput at which the mean latency reaches a target.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyPrediction {
    pub latency: f64,
    pub concurrency: Prediction,
    pub throughput: Prediction,
}

/// Computes the predictions `settings` requests from one law's fit.
pub fn law_result(law: &dyn Law, fit: &Fit, settings: &FitSettings, series: &Series) -> LawResult {
    let theta = fit.theta();
    let scale = series.observations.column(0);
    let min_x = scale.iter().copied().fold(f64::INFINITY, f64::min);
    let outside = |n: f64| n < min_x || n > fit.max_x;

    let predictions = settings
        .predict
        .iter()
        .map(|&n| {
            predict_with(fit, n, outside(n), |t| {
                let value = law.predict(t, &[n]);
                value.is_finite().then_some(value)
            })
        })
        .collect();

    let latency_law = series.latency_column.is_some() && fit.law == "usl";
    let mut response_times = Vec::new();
    let mut at_latency = Vec::new();
    if latency_law {
        response_times = settings
            .predict
            .iter()
            .map(|&n| {
                predict_with(fit, n, outside(n), |t| {
                    let r = Usl::response_time(t, n);
                    r.is_finite().then_some(r)
                })
            })
            .collect();
        at_latency = settings
            .predict_latency
            .iter()
            .map(|&r| {
                let concurrency = Usl::concurrency_at_response_time(&theta, r);
                let extrapolated = concurrency.is_some_and(outside);
                LatencyPrediction {
                    latency: r,
                    concurrency: predict_with(fit, r, extrapolated, |t| {
                        Usl::concurrency_at_response_time(t, r)
                    }),
                    throughput: predict_with(fit, r, extrapolated, |t| {
                        Usl::throughput_at_response_time(t, r)
                    }),
                }
            })
            .collect();
    }
    LawResult {
        predictions,
        response_times,
        at_latency,
    }
}

/// Evaluates `f` at the estimate and at every bootstrap resample.
// NOTE: the interval is a plain percentile interval, not BCa like the parameter
// intervals, because `Fit` does not keep the jackknife refits BCa needs.
fn predict_with(
    fit: &Fit,
    at: f64,
    extrapolated: bool,
    f: impl Fn(&[f64]) -> Option<f64>,
) -> Prediction {
    let value = f(&fit.theta());
    let mut values: Vec<f64> = fit
        .bootstrap_thetas
        .iter()
        .filter_map(|t| f(t))
        .filter(|v| v.is_finite())
        .collect();
    let resamples = fit.bootstrap_thetas.len();
    let share =
        (resamples > 0 && values.len() < resamples).then(|| values.len() as f64 / resamples as f64);
    Prediction {
        at,
        value,
        interval: percentile_interval(&mut values, fit.confidence),
        bootstrap_share: share,
        extrapolated,
    }
}
