//! The neural scaling section of `scalelaw report --law chinchilla`: the Chinchilla
//! fit of the training runs, its compute-optimal frontier and isoFLOP profiles.

use anyhow::Context;
use scalelaw::laws::Chinchilla;
use scalelaw::neural::allocation::{allocate, allocate_with_uncertainty};
use scalelaw::neural::{fit_chinchilla, ChinchillaOptions, LossData};
use scalelaw::stats::format_sig;

use super::ReportArgs;
use crate::cmd::neural::{read_runs, RunsArgs};
use crate::report::{FrontierSample, IsoFlopProfile, NeuralSection, ReportInputs, TrainingRun};

/// Columns of the training runs, as `scalelaw neural fit` reads them.
#[derive(clap::Args, Clone, Debug)]
pub struct NeuralColumns {
    /// With --law chinchilla: column that contains the number of parameters N
    /// (guessed from N, params, params_N, parameters when omitted)
    #[arg(long = "n-column", value_name = "COLUMN")]
    pub n_column: Option<String>,

    /// With --law chinchilla: column that contains the training tokens D (guessed from
    /// D, tokens, tokens_D, train_tokens when omitted)
    #[arg(long = "d-column", value_name = "COLUMN")]
    pub d_column: Option<String>,

    /// With --law chinchilla: column that contains the training compute C in FLOP
    /// (guessed from C, compute, flops, flops_C when omitted)
    #[arg(long = "c-column", value_name = "COLUMN")]
    pub c_column: Option<String>,
}

/// Compute budgets sampled along the compute-optimal frontier.
const FRONTIER_SAMPLES: usize = 48;

/// Model sizes sampled along each isoFLOP profile.
const PROFILE_SAMPLES: usize = 48;

/// Most isoFLOP profiles drawn in one plot.
const MAX_PROFILES: usize = 5;

/// Runs whose compute lies within this factor of a budget are drawn on its profile.
const BUDGET_MATCH: f64 = 1.15;

/// Fits the Chinchilla law to the training runs and builds the neural section.
pub fn build_neural_inputs(args: &ReportArgs) -> anyhow::Result<ReportInputs> {
    if !args.data.by.is_empty() {
        anyhow::bail!(
            "--by does not apply to neural scaling laws; select rows with --where instead"
        );
    }
    let columns = &args.neural;
    let runs_args = RunsArgs {
        file: args.data.file.clone(),
        n_column: columns.n_column.clone(),
        d_column: columns.d_column.clone(),
        c_column: columns.c_column.clone(),
        loss_column: args.data.y.clone(),
        filters: args.data.filters.clone(),
    };
    let runs = read_runs(&runs_args)?;
    let file = args.data.file.display();
    let n = runs.n.clone().with_context(|| {
        format!("{file}: no column of parameters N found; name it with --n-column")
    })?;
    // Tokens follow from compute as D = C/(6N) when the file has no token column.
    let d = match (&runs.d, &runs.c) {
        (Some(d), _) => d.clone(),
        (None, Some(c)) => c.iter().zip(&n).map(|(c, n)| c / (6.0 * n)).collect(),
        (None, None) => anyhow::bail!(
            "{file}: no column of tokens D or compute C found; name one with --d-column or \
             --c-column"
        ),
    };
    let data = LossData::new(n.clone(), d.clone(), runs.loss.clone())
        .with_context(|| format!("invalid training runs in {file}"))?;
    let options = ChinchillaOptions {
        bootstrap_resamples: args.settings.bootstrap,
        seed: args.settings.seed,
        confidence: args.settings.confidence,
        ..ChinchillaOptions::default()
    };
    let fit = fit_chinchilla(&data, &options)?;
    let theta = fit.theta();

    let training_runs: Vec<TrainingRun> = (0..n.len())
        .map(|i| TrainingRun {
            parameters: n[i],
            tokens: d[i],
            loss: runs.loss[i],
        })
        .collect();
    let computes: Vec<f64> = training_runs.iter().map(TrainingRun::compute).collect();
    let smallest = computes.iter().copied().fold(f64::INFINITY, f64::min);
    let largest = computes.iter().copied().fold(f64::NEG_INFINITY, f64::max);

    // The frontier runs from the smallest run to ten times the largest, so the plot
    // shows where the law leads one decade past the data.
    let frontier = log_spaced(smallest, largest * 10.0, FRONTIER_SAMPLES)
        .into_iter()
        .filter_map(|compute| {
            let estimate = allocate_with_uncertainty(&fit, compute).ok()?;
            Some(FrontierSample {
                compute,
                loss: estimate.allocation.loss,
                loss_interval: estimate.loss_interval,
                parameters: estimate.allocation.n_opt,
            })
        })
        .collect();

    let profiles = isoflop_budgets(&computes)
        .into_iter()
        .filter_map(|compute| {
            let optimum = allocate(&theta, compute).ok()?;
            let curve = log_spaced(optimum.n_opt / 30.0, optimum.n_opt * 30.0, PROFILE_SAMPLES)
                .into_iter()
                .map(|size| (size, Chinchilla::loss(&theta, size, compute / (6.0 * size))))
                .filter(|(_, loss)| loss.is_finite())
                .collect();
            let matching = training_runs
                .iter()
                .filter(|run| {
                    let ratio = run.compute() / compute;
                    (1.0 / BUDGET_MATCH..=BUDGET_MATCH).contains(&ratio)
                })
                .map(|run| (run.parameters, run.loss))
                .collect();
            Some(IsoFlopProfile {
                compute,
                curve,
                optimum: Some((optimum.n_opt, optimum.loss)),
                runs: matching,
            })
        })
        .collect();

    let parameters = fit
        .params
        .iter()
        .map(|p| {
            let interval = p.bootstrap_interval.map_or_else(
                || "–".to_string(),
                |(low, high)| format!("[{}, {}]", format_sig(low, 4), format_sig(high, 4)),
            );
            (p.name.clone(), format_sig(p.value, 4), interval)
        })
        .collect();

    let mut inputs = ReportInputs::new(format!(
        "scalelaw report: {}",
        super::file_name(&args.data.file)
    ));
    inputs.settings = vec![
        ("data".to_string(), file.to_string()),
        ("runs".to_string(), training_runs.len().to_string()),
        ("law".to_string(), fit.law.clone()),
        (
            "bootstrap".to_string(),
            format!(
                "{} resamples, seed {}",
                args.settings.bootstrap, args.settings.seed
            ),
        ),
        (
            "confidence".to_string(),
            args.settings.confidence.to_string(),
        ),
    ];
    inputs.notes = runs.notes.clone();
    inputs.neural.push(NeuralSection {
        title: "Chinchilla scaling law".to_string(),
        formula: fit.formula.clone(),
        runs: training_runs,
        frontier,
        isoflop: profiles,
        parameters,
        warnings: fit.warnings.clone(),
    });
    Ok(inputs)
}

/// `count` values from `low` to `high`, evenly spaced in log10.
fn log_spaced(low: f64, high: f64, count: usize) -> Vec<f64> {
    let (low, high) = (low.log10(), high.log10());
    let step = (high - low) / (count.max(2) - 1) as f64;
    (0..count.max(2))
        .map(|i| 10f64.powf(low + step * i as f64))
        .collect()
}

/// Chooses the compute budgets for the isoFLOP plot: the budgets shared by at least three runs
/// when the runs form isoFLOP groups, otherwise budgets evenly spaced in log10 over
/// the runs' compute. At most [`MAX_PROFILES`].
fn isoflop_budgets(computes: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = computes.iter().copied().filter(|c| *c > 0.0).collect();
    sorted.sort_by(f64::total_cmp);
    let mut groups: Vec<Vec<f64>> = Vec::new();
    for compute in sorted {
        match groups.last_mut() {
            Some(group) if compute / group[0] <= BUDGET_MATCH => group.push(compute),
            _ => groups.push(vec![compute]),
        }
    }
    let shared: Vec<f64> = groups
        .iter()
        .filter(|g| g.len() >= 3)
        .map(|g| g.iter().map(|c| c.ln()).sum::<f64>() / g.len() as f64)
        .map(f64::exp)
        .collect();
    let budgets = if shared.len() >= 2 {
        shared
    } else {
        let low = groups.first().map_or(1.0, |g| g[0]);
        let high = groups.last().map_or(1.0, |g| *g.last().unwrap());
        log_spaced(low, high, MAX_PROFILES)
    };
    if budgets.len() <= MAX_PROFILES {
        return budgets;
    }
    // Keep an even spread: the first, the last and evenly spaced ones between.
    (0..MAX_PROFILES)
        .map(|k| budgets[k * (budgets.len() - 1) / (MAX_PROFILES - 1)])
        .collect()
}
