//! Property tests: random finite data fed to every law never panics, and every number
//! a fit returns is finite or comes with an explanation.

use proptest::prelude::*;
use scalelaw::laws::throughput_laws;
use scalelaw::select::compare;
use scalelaw::{fit, FitOptions, Observations};

fn options() -> FitOptions {
    FitOptions {
        bootstrap_resamples: 20,
        ..FitOptions::default()
    }
}

fn check_finite_or_explained(result: &scalelaw::Fit) {
    for param in &result.params {
        assert!(param.value.is_finite(), "{} = {}", param.name, param.value);
        if let Some(se) = param.std_error {
            assert!(se.is_finite(), "{} SE {se}", param.name);
            assert!(se >= 0.0, "{} SE {se}", param.name);
        }
        if let Some((lower, upper)) = param.t_interval {
            assert!(lower.is_finite(), "{} t interval", param.name);
            assert!(upper.is_finite(), "{} t interval", param.name);
        }
        if let Some((lower, upper)) = param.bootstrap_interval {
            assert!(lower.is_finite(), "{} bootstrap interval", param.name);
            assert!(upper.is_finite(), "{} bootstrap interval", param.name);
            assert!(lower <= upper, "{} bootstrap interval", param.name);
        }
    }
    for derived in &result.derived {
        match derived.derived.value {
            Some(value) => assert!(value.is_finite(), "{} = {value}", derived.derived.name),
            None => assert!(
                derived.derived.note.is_some(),
                "{} has no note",
                derived.derived.name
            ),
        }
    }
    assert!(result.diagnostics.rss.is_finite());
    if result.diagnostics.r_squared.is_nan() {
        assert!(result.warnings.iter().any(|w| w.contains("R²")));
    }
    assert!(!result.regime.reason.is_empty());
}

fn data_strategy() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    prop::collection::vec((1u32..200, 1e-3f64..1e6), 1..24)
        .prop_map(|rows| rows.into_iter().map(|(n, y)| (n as f64, y)).unzip())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fit_never_panics_on_positive_data((x, y) in data_strategy()) {
        let data = Observations::new("n", "throughput", x, y).unwrap();
        for law in throughput_laws() {
            if let Ok(result) = fit(law.as_ref(), &data, &options()) {
                check_finite_or_explained(&result);
            }
        }
    }

    #[test]
    fn fit_rejects_or_handles_any_finite_data(
        rows in prop::collection::vec((-1e3f64..1e3, -1e6f64..1e6), 0..12)
    ) {
        let (x, y): (Vec<f64>, Vec<f64>) = rows.into_iter().unzip();
        let Ok(data) = Observations::new("n", "throughput", x, y) else {
            return Ok(());
        };
        let comparison = compare(&throughput_laws(), &data, &options());
        for entry in &comparison.entries {
            match &entry.fit {
                Some(result) => check_finite_or_explained(result),
                None => prop_assert!(!entry.error.as_deref().unwrap_or("").is_empty()),
            }
        }
    }
}
