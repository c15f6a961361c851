//! The Chinchilla fit on the open_lm runs of Li, Kudugunta & Zettlemoyer, "(Mis)Fitting:
//! A Survey of Scaling Laws" (arXiv:2502.18969, ICLR 2025). Model sizes span only about
//! 1.3 decades, and published fits of these runs swing to extreme exponents (alpha 0.14
//! to 0.20, beta 0.64 to 0.67, tokens per parameter 0.05 at 5.88e23 FLOP), so a correct
//! tool must warn that the parameters are not identifiable rather than report with
//! confidence.

mod common;

use std::collections::BTreeMap;

use scalelaw::neural::identify::{MAX_TOKENS_PER_PARAMETER_SPREAD, MIN_EIGENVALUE_RATIO};
use scalelaw::neural::{fit_chinchilla, ChinchillaOptions, LossData};

/// Keeps the lowest final loss per (N, D), the run with the best peak learning rate,
/// as in data/misfitting_li2025/SOURCES.md (81 points).
fn best_learning_rate_runs() -> LossData {
    let path = common::data_path("misfitting_li2025/scaling_results_last_ckpt_only.csv");
    let text = std::fs::read_to_string(path).expect("bundled data file exists");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (loss_i, n_i, d_i) = (column("loss"), column("N"), column("D"));
    let mut best: BTreeMap<(u64, u64), f64> = BTreeMap::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        let n: f64 = cells[n_i].parse().unwrap();
        let d: f64 = cells[d_i].parse().unwrap();
        let loss: f64 = cells[loss_i].parse().unwrap();
        let entry = best.entry((n as u64, d as u64)).or_insert(f64::INFINITY);
        *entry = entry.min(loss);
    }
    let n = best.keys().map(|k| k.0 as f64).collect();
    let d = best.keys().map(|k| k.1 as f64).collect();
    let loss = best.values().copied().collect();
    LossData::new(n, d, loss).unwrap()
}

#[test]
fn misfitting_fit_warns_not_identifiable() {
    let data = best_learning_rate_runs();
    assert_eq!(data.len(), 81);
    let fit = fit_chinchilla(&data, &ChinchillaOptions::default()).unwrap();
    // Our 4,500-start fit recorded in SOURCES.md: objective 8.86e-4, alpha 0.141,
    // beta 0.670.
    assert!(fit.estimate.objective <= 8.86e-4 + 5e-7);
    assert!((fit.param("alpha").unwrap().value - 0.141).abs() < 0.01);
    assert!((fit.param("beta").unwrap().value - 0.670).abs() < 0.01);

    assert!(!fit.identifiability.identifiable);
    let ratio = fit.identifiability.eigenvalue_ratio.unwrap();
    assert!(ratio < MIN_EIGENVALUE_RATIO, "eigenvalue ratio {ratio}");
    let spread = fit.identifiability.tokens_per_parameter_spread.unwrap();
    assert!(spread > MAX_TOKENS_PER_PARAMETER_SPREAD, "spread {spread}");
    assert!(fit
        .warnings
        .iter()
        .any(|w| w.contains("do not plan with this fit")));
}
