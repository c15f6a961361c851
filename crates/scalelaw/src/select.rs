//! Model selection: fit several laws to the same observations, rank them and report
//! which one to use and why.
//!
//! Ranking uses the root mean square leave-one-out prediction error (Stone, "Cross-
//! validatory choice and assessment of statistical predictions", JRSS B 36(2), 1974)
//! when every fitted law has one, because it measures what users want from a law:
//! predicting a point it has not seen. With a handful of points, AICc's small-sample
//! penalty dominates (7 points and 3 parameters cost 20 units), and it would prefer
//! Amdahl's law on data that visibly turn down. Without leave-one-out errors, the
//! ranking falls back to AICc (Hurvich & Tsai, Biometrika 76(2), 1989) and then BIC
//! (Schwarz, Annals of Statistics 6(2), 1978).
//!
//! A simpler law close to the best is preferred: within [`LOO_INDIFFERENCE`] relative
//! for leave-one-out errors (a judgment call), within 2 units for AICc and BIC (Burnham
//! & Anderson, *Model Selection and Multimodel Inference*, 2nd ed., 2002, §2.6). Laws
//! whose regime is "not described" are chosen only when no other law fits.

use serde::{Deserialize, Serialize};

use crate::data::Observations;
use crate::fit::{fit, Fit, FitOptions};
use crate::law::{Law, RegimeKind};
use crate::stats::format_sig;

/// AICc or BIC differences below this are treated as no real difference.
pub const INDIFFERENCE: f64 = 2.0;

/// Leave-one-out errors within this fraction of the best are treated as equal.
pub const LOO_INDIFFERENCE: f64 = 0.05;

/// One law's result in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub law: String,
    pub law_name: String,
    /// The fit, or `None` when it failed (see `error`).
    pub fit: Option<Fit>,
    pub error: Option<String>,
    /// 1 for the best criterion value; `None` for failed fits.
    pub rank: Option<usize>,
    /// Criterion value minus the best one.
    pub delta: Option<f64>,
    /// Akaike weight exp(−ΔAICc/2) normalised over the fitted laws, when every fitted
    /// law has an AICc.
    pub weight: Option<f64>,
}

/// Criterion that ranked the laws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// Root mean square leave-one-out prediction error.
    #[serde(rename = "leave_one_out")]
    LeaveOneOut,
    Aicc,
    Bic,
}

impl Criterion {
    pub fn label(self) -> &'static str {
        match self {
            Criterion::LeaveOneOut => "leave-one-out error",
            Criterion::Aicc => "AICc",
            Criterion::Bic => "BIC",
        }
    }
}

/// Fits of several laws to the same observations, ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// In the order the laws were given (simplest first).
    pub entries: Vec<Entry>,
    pub criterion: Criterion,
    /// Index into `entries` of the law to use; `None` when no law could be fitted.
    pub chosen: Option<usize>,
    /// Reason for the choice, in words.
    pub reason: String,
}

impl Comparison {
    /// Returns the chosen fit, if any.
    pub fn chosen_fit(&self) -> Option<&Fit> {
        self.chosen.and_then(|i| self.entries[i].fit.as_ref())
    }
}

/// Fits every law in `laws` (given simplest first) and ranks the fits.
pub fn compare(laws: &[Box<dyn Law>], data: &Observations, options: &FitOptions) -> Comparison {
    let mut entries: Vec<Entry> = laws
        .iter()
        .map(|law| {
            let (fit, error) = match fit(law.as_ref(), data, options) {
                Ok(fit) => (Some(fit), None),
                Err(err) => (None, Some(err.to_string())),
            };
            Entry {
                law: law.id().to_string(),
                law_name: law.name().to_string(),
                fit,
                error,
                rank: None,
                delta: None,
                weight: None,
            }
        })
        .collect();

    let fitted: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].fit.is_some())
        .collect();
    let all_have = |has: &dyn Fn(&Fit) -> bool| {
        fitted
            .iter()
            .all(|&i| entries[i].fit.as_ref().is_some_and(has))
    };
    let all_have_loo = all_have(&|f| f.diagnostics.loo_rmse.is_some());
    let all_have_aicc = all_have(&|f| f.diagnostics.aicc.is_some());
    let criterion = if all_have_loo {
        Criterion::LeaveOneOut
    } else if all_have_aicc {
        Criterion::Aicc
    } else {
        Criterion::Bic
    };
    let value = |entry: &Entry| -> f64 {
        let fit = entry.fit.as_ref().expect("only fitted entries are ranked");
        match criterion {
            Criterion::LeaveOneOut => fit.diagnostics.loo_rmse.unwrap_or(f64::INFINITY),
            Criterion::Aicc => fit.diagnostics.aicc.unwrap_or(f64::INFINITY),
            Criterion::Bic => fit.diagnostics.bic,
        }
    };

    if fitted.is_empty() {
        return Comparison {
            entries,
            criterion,
            chosen: None,
            reason: "no law could be fitted; see each law's error".to_string(),
        };
    }

    let mut order = fitted.clone();
    order.sort_by(|&a, &b| value(&entries[a]).total_cmp(&value(&entries[b])));
    let best_value = value(&entries[order[0]]);
    for (rank, &i) in order.iter().enumerate() {
        entries[i].rank = Some(rank + 1);
        entries[i].delta = Some(value(&entries[i]) - best_value);
    }
    if all_have_aicc {
        let aicc = |i: usize| entries[i].fit.as_ref().and_then(|f| f.diagnostics.aicc);
        let best_aicc = fitted
            .iter()
            .filter_map(|&i| aicc(i))
            .fold(f64::INFINITY, f64::min);
        let weights: Vec<f64> = fitted
            .iter()
            .map(|&i| (-(aicc(i).unwrap_or(f64::INFINITY) - best_aicc) / 2.0).exp())
            .collect();
        let weight_sum: f64 = weights.iter().sum();
        for (&i, w) in fitted.iter().zip(&weights) {
            entries[i].weight = Some(w / weight_sum);
        }
    }

    let described = |i: usize| {
        entries[i]
            .fit
            .as_ref()
            .is_some_and(|f| f.regime.kind != RegimeKind::NotDescribed)
    };
    let candidates: Vec<usize> = order.iter().copied().filter(|&i| described(i)).collect();
    let label = criterion.label();
    let Some(&best) = candidates.first() else {
        return Comparison {
            chosen: Some(order[0]),
            reason: format!(
                "no law describes these data well; {} has the lowest {label}, but read its \
                 regime before using it",
                entries[order[0]].law_name
            ),
            entries,
            criterion,
        };
    };

    // The law with fewest parameters (then earliest in the list) close to the best.
    let best_value = value(&entries[best]);
    let close = |i: usize| match criterion {
        Criterion::LeaveOneOut => value(&entries[i]) <= best_value * (1.0 + LOO_INDIFFERENCE),
        Criterion::Aicc | Criterion::Bic => value(&entries[i]) - best_value < INDIFFERENCE,
    };
    let parameter_count = |i: usize| {
        entries[i]
            .fit
            .as_ref()
            .map_or(usize::MAX, |f| f.diagnostics.p)
    };
    let simplest = candidates
        .iter()
        .copied()
        .filter(|&i| close(i))
        .min_by_key(|&i| (parameter_count(i), i))
        .unwrap_or(best);

    let describe = |i: usize| format_sig(value(&entries[i]), 4);
    let reason = if simplest != best {
        format!(
            "{} has nearly the lowest {label} ({} against {} for {}) with fewer parameters, \
             so the simpler law is preferred",
            entries[simplest].law_name,
            describe(simplest),
            describe(best),
            entries[best].law_name,
        )
    } else {
        let runner_up = candidates.get(1).map(|&i| {
            format!(
                "; the next best, {}, has {}",
                entries[i].law_name,
                describe(i)
            )
        });
        let excluded = if best != order[0] {
            format!(
                " among the laws that describe the data ({} scores {} but its regime rules \
                 it out)",
                entries[order[0]].law_name,
                describe(order[0])
            )
        } else {
            String::new()
        };
        format!(
            "{} has the lowest {label} ({}){excluded}{}",
            entries[best].law_name,
            describe(best),
            runner_up.unwrap_or_default()
        )
    };
    Comparison {
        entries,
        criterion,
        chosen: Some(simplest),
        reason,
    }
}
