//! The `Law` trait: what every scalability law provides to the solvers, the
//! uncertainty machinery and the planner.
//!
//! A law is a model family `y = f(x; θ)`. It names its parameters and their bounds,
//! predicts, gives analytic derivatives, proposes a data-driven starting point and
//! computes its derived quantities (peak, roof, optimal allocation). Solvers live in
//! `fit/` and work for any law.

use serde::{Deserialize, Serialize};

use crate::data::Observations;

/// One parameter of a law.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// Short name used in output and JSON keys (`alpha`, `gamma`).
    pub name: &'static str,
    /// Meaning of the parameter, in one phrase.
    pub meaning: &'static str,
    /// Lower bound applied by a bounded fit.
    pub lower: f64,
    /// Upper bound applied by a bounded fit.
    pub upper: f64,
}

/// A quantity derived from the parameters (peak N, roof, efficiency at a point).
///
/// `value` is `None` when the quantity does not exist for these parameters (no peak
/// without coherency cost), and `note` then gives the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    pub name: String,
    pub value: Option<f64>,
    pub meaning: String,
    pub note: Option<String>,
}

impl Derived {
    pub fn some(name: &str, value: f64, meaning: &str) -> Self {
        if value.is_finite() {
            Self {
                name: name.into(),
                value: Some(value),
                meaning: meaning.into(),
                note: None,
            }
        } else {
            Self::none(name, meaning, "not finite for these parameters")
        }
    }

    pub fn none(name: &str, meaning: &str, note: &str) -> Self {
        Self {
            name: name.into(),
            value: None,
            meaning: meaning.into(),
            note: Some(note.into()),
        }
    }
}

/// Kind of scaling behaviour a fit implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegimeKind {
    Linear,
    ContentionBound,
    Retrograde,
    Superlinear,
    NotDescribed,
}

impl RegimeKind {
    pub fn label(self) -> &'static str {
        match self {
            RegimeKind::Linear => "linear",
            RegimeKind::ContentionBound => "contention-bound",
            RegimeKind::Retrograde => "retrograde",
            RegimeKind::Superlinear => "superlinear",
            RegimeKind::NotDescribed => "not described by the law",
        }
    }
}

/// The regime with the reason, written for the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Regime {
    pub kind: RegimeKind,
    pub reason: String,
}

/// Parameter estimates with their standard errors, as seen by [`Law::regime`].
#[derive(Debug, Clone, Copy)]
pub struct Estimates<'a> {
    pub values: &'a [f64],
    /// `None` where the standard error could not be computed (singular Jacobian).
    pub std_errors: &'a [Option<f64>],
    /// Largest scale value measured, to judge whether a peak lies within the data.
    pub max_x: f64,
}

/// A scalability law: a model family with named parameters.
pub trait Law: Send + Sync {
    /// Identifier used by `--law` and in JSON (`usl`, `amdahl`).
    fn id(&self) -> &'static str;

    /// Display name (`Universal Scalability Law`).
    fn name(&self) -> &'static str;

    /// Returns the formula in plain text, with parameter names as in [`Law::params`].
    fn formula(&self) -> &'static str;

    /// Returns the parameters in the order used by every `theta` slice.
    fn params(&self) -> &'static [ParamSpec];

    /// Number of scale parameters each observation needs.
    fn dims(&self) -> usize {
        1
    }

    /// Checks law-specific requirements on the data (positive values, say).
    fn validate(&self, data: &Observations) -> Result<(), crate::data::DataError> {
        data.require_positive(self.name(), &[0], true)
    }

    /// Predicted metric at scale `x`.
    fn predict(&self, theta: &[f64], x: &[f64]) -> f64;

    /// Writes ∂f/∂θ at `x` into `grad` (same order as [`Law::params`]).
    fn gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]);

    /// Predicted metric at `x`, writing ∂f/∂θ into `grad`. Override when the two share
    /// work; the solver calls this once per observation and iteration.
    fn value_and_gradient(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) -> f64 {
        self.gradient(theta, x, grad);
        self.predict(theta, x)
    }

    /// Computes a starting point from the data, good enough for a local solver.
    fn initial_guess(&self, data: &Observations) -> Vec<f64>;

    /// Derived quantities (peak, roof) for these parameters.
    fn derived(&self, theta: &[f64]) -> Vec<Derived>;

    /// Classifies the regime these estimates imply, with the reason in words.
    fn regime(&self, estimates: &Estimates<'_>) -> Regime;

    /// Throughput-like value at one unit of scale, used for efficiency X(N)/(N·X(1)).
    /// `None` for laws whose metric is not a rate.
    fn unit_rate(&self, theta: &[f64]) -> Option<f64> {
        let _ = theta;
        None
    }
}
