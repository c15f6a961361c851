//! Fitting a law to observations: least squares, standard errors, t intervals and
//! seeded bootstrap intervals, diagnostics and the regime.
//!
//! The point estimate comes from Levenberg–Marquardt ([`lm`]) started at the law's
//! data-driven guess. Standard errors are sqrt(diag((JᵀJ)⁻¹)·s²) with
//! s² = RSS/(n−p), and the t intervals are two-sided with n−p degrees of freedom
//! (Bates & Watts, *Nonlinear Regression Analysis and Its Applications*, 1988, §2.3).
//! Bootstrap intervals are percentile intervals over residual resamples ([`bootstrap`]).

pub mod bootstrap;
pub mod lm;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::data::{DataError, Observations};
use crate::law::{Derived, Estimates, Law, Regime, RegimeKind};
use crate::stats;

/// Settings of one fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Keep every parameter within its [`crate::ParamSpec`] bounds (R `usl` style).
    pub bounded: bool,
    /// Bootstrap resamples; 0 turns the bootstrap off.
    pub bootstrap_resamples: usize,
    /// Seed of the bootstrap's random numbers; equal seeds give equal intervals.
    pub seed: u64,
    /// Two-sided confidence level of every interval, in (0, 1).
    pub confidence: f64,
    /// Compute leave-one-out prediction error (n extra fits).
    pub leave_one_out: bool,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            bounded: false,
            bootstrap_resamples: 1000,
            seed: 1,
            confidence: 0.95,
            leave_one_out: true,
        }
    }
}

/// Error returned when a fit cannot be made.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FitError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("invalid fit option: {0}")]
    InvalidOption(String),
    #[error("the {law} fit did not converge: {reason}")]
    NoConvergence { law: String, reason: String },
}

/// One parameter estimate with its uncertainty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamEstimate {
    pub name: String,
    pub value: f64,
    /// `None` when the parameter is not identifiable from these data.
    pub std_error: Option<f64>,
    /// Two-sided t interval with n−p degrees of freedom.
    pub t_interval: Option<(f64, f64)>,
    /// Percentile bootstrap interval.
    pub bootstrap_interval: Option<(f64, f64)>,
    /// Whether a bounded fit left the estimate on a bound.
    pub at_bound: bool,
}

/// A derived quantity with its bootstrap interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedEstimate {
    #[serde(flatten)]
    pub derived: Derived,
    pub bootstrap_interval: Option<(f64, f64)>,
    /// Share of bootstrap resamples in which the quantity existed (a peak, say).
    pub bootstrap_share: Option<f64>,
}

/// Goodness-of-fit measures used to judge and rank fits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// Number of observations.
    pub n: usize,
    /// Number of distinct points.
    pub points: usize,
    /// Number of parameters.
    pub p: usize,
    pub rss: f64,
    /// sqrt(RSS/(n−p)); `None` when n = p.
    pub residual_std_error: Option<f64>,
    pub r_squared: f64,
    /// R² of the point means, each weighted by its run count. It leaves out the
    /// run-to-run noise that no law can explain, and equals `r_squared` without
    /// repeated runs.
    pub r_squared_of_means: f64,
    /// Akaike's criterion with the small-sample correction; `None` when n ≤ p+2.
    pub aicc: Option<f64>,
    pub bic: f64,
    /// Root mean square of leave-one-out prediction errors.
    pub loo_rmse: Option<f64>,
    pub iterations: usize,
}

/// The fit at one measured point: measured mean against the law, and the scaling
/// measures derived from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointFit {
    pub x: Vec<f64>,
    pub runs: usize,
    pub mean: f64,
    pub std_dev: f64,
    pub fitted: f64,
    /// Measured mean minus fitted value.
    pub residual: f64,
    /// Measured efficiency X(N)/(N·X(1)) with X(1) the fitted unit rate; `None` for
    /// laws whose metric is not a rate.
    pub efficiency: Option<f64>,
    /// Karp–Flatt experimentally determined serial fraction
    /// e = (1/S − 1/N)/(1 − 1/N) with S = X(N)/X(1) (Karp & Flatt, CACM 33(5), 1990);
    /// `None` at N = 1 or for laws whose metric is not a rate.
    pub karp_flatt: Option<f64>,
}

/// A law with estimated parameters, their uncertainty and diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// Law identifier (`usl`).
    pub law: String,
    pub law_name: String,
    pub formula: String,
    pub scale_names: Vec<String>,
    pub metric_name: String,
    pub bounded: bool,
    pub confidence: f64,
    pub params: Vec<ParamEstimate>,
    pub derived: Vec<DerivedEstimate>,
    pub diagnostics: Diagnostics,
    pub points: Vec<PointFit>,
    pub regime: Regime,
    /// Plain-language warnings the user can act on.
    pub warnings: Vec<String>,
    /// Largest scale value measured (first scale parameter), for extrapolation checks.
    pub max_x: f64,
    /// Bootstrap resamples of the parameter vector, in [`Fit::params`] order.
    /// Resamples whose fit failed are left out; their count is in the warnings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bootstrap_thetas: Vec<Vec<f64>>,
    pub seed: u64,
}

impl Fit {
    /// Returns the estimated parameter vector, in the law's order.
    pub fn theta(&self) -> Vec<f64> {
        self.params.iter().map(|p| p.value).collect()
    }

    /// Looks up a parameter estimate by name.
    pub fn param(&self, name: &str) -> Option<&ParamEstimate> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Looks up a derived quantity by name.
    pub fn derived(&self, name: &str) -> Option<&DerivedEstimate> {
        self.derived.iter().find(|d| d.derived.name == name)
    }
}

/// Fits `law` to `data`.
pub fn fit(law: &dyn Law, data: &Observations, options: &FitOptions) -> Result<Fit, FitError> {
    check_options(options)?;
    if data.dims() != law.dims() {
        return Err(FitError::InvalidOption(format!(
            "the {} law needs {} scale parameter(s), but the data has {}",
            law.name(),
            law.dims(),
            data.dims()
        )));
    }
    law.validate(data)?;
    let p = law.params().len();
    let points = data.distinct_points();
    if points < p {
        return Err(DataError::TooFewPoints {
            law: law.name().to_string(),
            scale: data.scale_names().join(", "),
            needed: p,
            got: points,
        }
        .into());
    }

    let solution = solve(law, data, options.bounded)?;
    let theta = solution.theta.clone();
    let n = data.len();
    let mut warnings = Vec::new();

    let fitted: Vec<f64> = (0..n).map(|i| law.predict(&theta, data.x_row(i))).collect();
    let residuals: Vec<f64> = data.y().iter().zip(&fitted).map(|(y, f)| y - f).collect();
    let rss: f64 = residuals.iter().map(|r| r * r).sum();
    let dof = n.saturating_sub(p);

    let std_errors = standard_errors(law, data, &theta, rss, dof);
    if dof == 0 {
        warnings.push(format!(
            "the fit has as many observations as parameters ({p}), so it passes through every \
             point and has no uncertainty estimate; measure more points"
        ));
    } else if std_errors.iter().any(Option::is_none) {
        warnings.push(
            "some parameters are not identifiable from these data (the Jacobian is singular); \
             measure points over a wider range of scale"
                .to_string(),
        );
    }
    let t_quantile =
        (dof > 0).then(|| stats::t_quantile(0.5 + options.confidence / 2.0, dof as f64));

    let specs = law.params();
    let mut params: Vec<ParamEstimate> = specs
        .iter()
        .enumerate()
        .map(|(k, spec)| {
            let at_bound = options.bounded
                && (theta[k] <= spec.lower + 1e-12 * spec.lower.abs().max(1.0)
                    || theta[k] >= spec.upper - 1e-12 * spec.upper.abs().max(1.0));
            ParamEstimate {
                name: spec.name.to_string(),
                value: theta[k],
                std_error: std_errors[k],
                t_interval: match (std_errors[k], t_quantile) {
                    (Some(se), Some(q)) => Some((theta[k] - q * se, theta[k] + q * se)),
                    _ => None,
                },
                bootstrap_interval: None,
                at_bound,
            }
        })
        .collect();
    for param in params.iter().filter(|p| p.at_bound) {
        let spec = specs
            .iter()
            .find(|s| s.name == param.name)
            .expect("known name");
        warnings.push(format!(
            "{} = {} sits on its bound of the bounded fit ({}); the data pull it further, so \
             its interval is not reliable; compare with the unbounded fit",
            param.name,
            stats::format_sig(param.value, 4),
            spec.meaning
        ));
    }

    let mean_y = data.y().iter().sum::<f64>() / n as f64;
    let tss: f64 = data.y().iter().map(|y| (y - mean_y).powi(2)).sum();
    let k = (p + 1) as f64;
    let nf = n as f64;
    let log_likelihood_term = nf * (rss.max(f64::MIN_POSITIVE) / nf).ln();
    let aicc = (nf > k + 1.0)
        .then(|| log_likelihood_term + 2.0 * k + 2.0 * k * (k + 1.0) / (nf - k - 1.0));
    let loo_rmse = if options.leave_one_out {
        leave_one_out_rmse(law, data, options.bounded)
    } else {
        None
    };
    let diagnostics = Diagnostics {
        n,
        points,
        p,
        rss,
        residual_std_error: (dof > 0).then(|| (rss / dof as f64).sqrt()),
        r_squared: if tss > 0.0 { 1.0 - rss / tss } else { f64::NAN },
        r_squared_of_means: r_squared_of_means(law, data, &theta),
        aicc,
        bic: log_likelihood_term + k * nf.ln(),
        loo_rmse,
        iterations: solution.iterations,
    };
    if tss <= 0.0 {
        warnings.push("every observation has the same value, so R² is undefined".to_string());
    }

    let max_x = data.column(0).into_iter().fold(f64::NEG_INFINITY, f64::max);
    let mut regime = law.regime(&Estimates {
        values: &theta,
        std_errors: &std_errors,
        max_x,
    });
    let described = diagnostics.r_squared_of_means;
    if described.is_nan() {
        regime = Regime {
            kind: RegimeKind::NotDescribed,
            reason: format!(
                "every point has the same mean {}, so the data show no scaling for {} to \
                 describe; measure over a wider range of {}",
                data.metric_name(),
                law.name(),
                data.scale_names().join(", ")
            ),
        };
    } else if described < MIN_R_SQUARED {
        regime = Regime {
            kind: RegimeKind::NotDescribed,
            reason: format!(
                "R² = {}{}: {} explains too little of the variation in {} (below {}), so \
                 its parameters say little about this system; try another law or check the \
                 data for mixed series (--where, --by)",
                stats::format_sig(described, 3),
                if diagnostics.points < n {
                    " on the point means"
                } else {
                    ""
                },
                law.name(),
                data.metric_name(),
                MIN_R_SQUARED
            ),
        };
    }
    let points_fit = point_fits(law, data, &theta);
    let mut derived: Vec<DerivedEstimate> = law
        .derived(&theta)
        .into_iter()
        .map(|derived| DerivedEstimate {
            derived,
            bootstrap_interval: None,
            bootstrap_share: None,
        })
        .collect();

    let mut bootstrap_thetas = Vec::new();
    if options.bootstrap_resamples > 0 && dof > 0 {
        let resamples = bootstrap::residual_resamples(
            law,
            data,
            &theta,
            &residuals,
            options.bootstrap_resamples,
            options.seed,
            options.bounded,
        );
        if resamples.len() < bootstrap::MIN_VALUES_FOR_INTERVAL {
            warnings.push(format!(
                "{} bootstrap resamples are too few for intervals (at least {} are needed, \
                 1000 is the default)",
                resamples.len(),
                bootstrap::MIN_VALUES_FOR_INTERVAL
            ));
        }
        let failed = options.bootstrap_resamples - resamples.len();
        if failed > 0 {
            warnings.push(format!(
                "{failed} of {} bootstrap resamples did not converge and were left out",
                options.bootstrap_resamples
            ));
        }
        let jackknife = bootstrap::jackknife(law, data, &theta, options.bounded);
        bootstrap::attach_intervals(
            law,
            &theta,
            &resamples,
            &jackknife,
            options.confidence,
            &mut params,
            &mut derived,
        );
        bootstrap_thetas = resamples;
    }

    Ok(Fit {
        law: law.id().to_string(),
        law_name: law.name().to_string(),
        formula: law.formula().to_string(),
        scale_names: data.scale_names().to_vec(),
        metric_name: data.metric_name().to_string(),
        bounded: options.bounded,
        confidence: options.confidence,
        params,
        derived,
        diagnostics,
        points: points_fit,
        regime,
        warnings,
        max_x,
        bootstrap_thetas,
        seed: options.seed,
    })
}

/// R² of the point means: 1 − Σ runs·(mean − fitted)² / Σ runs·(mean − grand mean)².
fn r_squared_of_means(law: &dyn Law, data: &Observations, theta: &[f64]) -> f64 {
    let points = data.points();
    let total_runs: usize = points.iter().map(|p| p.runs).sum();
    let grand_mean = points.iter().map(|p| p.mean * p.runs as f64).sum::<f64>() / total_runs as f64;
    let (mut residual, mut total) = (0.0, 0.0);
    for point in &points {
        let runs = point.runs as f64;
        residual += runs * (point.mean - law.predict(theta, &point.x)).powi(2);
        total += runs * (point.mean - grand_mean).powi(2);
    }
    if total > 0.0 {
        1.0 - residual / total
    } else {
        f64::NAN
    }
}

/// R² below which a fit is reported as "not described by the law". A judgment call:
/// scalability curves are smooth, so a law that fits explains well over 90% of the
/// variation, and one that explains less is missing the shape of the data.
pub const MIN_R_SQUARED: f64 = 0.9;

fn point_fits(law: &dyn Law, data: &Observations, theta: &[f64]) -> Vec<PointFit> {
    let unit_rate = law.unit_rate(theta).filter(|r| *r > 0.0 && r.is_finite());
    data.points()
        .into_iter()
        .map(|point| {
            let fitted = law.predict(theta, &point.x);
            let n = point.x[0];
            let efficiency = unit_rate.map(|rate| point.mean / (n * rate));
            let karp_flatt = unit_rate.filter(|_| n != 1.0 && n > 0.0).and_then(|rate| {
                let speedup = point.mean / rate;
                let e = (1.0 / speedup - 1.0 / n) / (1.0 - 1.0 / n);
                e.is_finite().then_some(e)
            });
            PointFit {
                runs: point.runs,
                mean: point.mean,
                std_dev: point.std_dev,
                fitted,
                residual: point.mean - fitted,
                efficiency,
                karp_flatt,
                x: point.x,
            }
        })
        .collect()
}

fn check_options(options: &FitOptions) -> Result<(), FitError> {
    if !(options.confidence > 0.0 && options.confidence < 1.0) {
        return Err(FitError::InvalidOption(format!(
            "confidence level must lie strictly between 0 and 1, got {}",
            options.confidence
        )));
    }
    Ok(())
}

/// Least-squares point estimate, without uncertainty.
pub fn solve(law: &dyn Law, data: &Observations, bounded: bool) -> Result<lm::Solution, FitError> {
    let start = law.initial_guess(data);
    let bounds = bounded.then(|| {
        law.params()
            .iter()
            .map(|s| (s.lower, s.upper))
            .collect::<Vec<_>>()
    });
    let solution = lm::minimize(
        law,
        data,
        &start,
        bounds.as_deref(),
        &lm::Settings::default(),
    );
    if solution.theta.iter().any(|v| !v.is_finite()) {
        return Err(FitError::NoConvergence {
            law: law.name().to_string(),
            reason: "the parameters diverged to non-finite values; the law may not describe \
                     these data"
                .to_string(),
        });
    }
    Ok(solution)
}

/// Standard errors sqrt(diag((JᵀJ)⁻¹)·RSS/(n−p)); `None` where JᵀJ is singular.
pub fn standard_errors(
    law: &dyn Law,
    data: &Observations,
    theta: &[f64],
    rss: f64,
    dof: usize,
) -> Vec<Option<f64>> {
    let p = theta.len();
    if dof == 0 {
        return vec![None; p];
    }
    let jtj = lm::normal_matrix(law, data, theta);
    let s2 = rss / dof as f64;
    match stats::invert_spd(&jtj, p) {
        Some(inverse) => (0..p)
            .map(|k| {
                let v = inverse[k * p + k] * s2;
                (v.is_finite() && v >= 0.0).then(|| v.sqrt())
            })
            .collect(),
        None => vec![None; p],
    }
}

fn leave_one_out_rmse(law: &dyn Law, data: &Observations, bounded: bool) -> Option<f64> {
    let n = data.len();
    let p = law.params().len();
    let mut sum = 0.0;
    for left_out in 0..n {
        let rows: Vec<usize> = (0..n).filter(|&i| i != left_out).collect();
        let subset = data.select_rows(&rows);
        if subset.distinct_points() < p {
            return None;
        }
        let solution = solve(law, &subset, bounded).ok()?;
        let error = data.y()[left_out] - law.predict(&solution.theta, data.x_row(left_out));
        if !error.is_finite() {
            return None;
        }
        sum += error * error;
    }
    Some((sum / n as f64).sqrt())
}
