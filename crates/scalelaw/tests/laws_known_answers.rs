//! Every throughput law: analytic derivatives against finite differences, recovery of
//! known parameters from exact synthetic data, and published or reference fits.

mod common;

use scalelaw::laws::{throughput_laws, Amdahl, Gustafson, Linear, Usl};
use scalelaw::select::{compare, Criterion};
use scalelaw::{fit, FitOptions, Law, Observations, RegimeKind};

fn quick() -> FitOptions {
    FitOptions {
        bootstrap_resamples: 0,
        ..FitOptions::default()
    }
}

fn synthetic(law: &dyn Law, theta: &[f64], ns: &[f64]) -> Observations {
    let y = ns.iter().map(|&n| law.predict(theta, &[n])).collect();
    Observations::new("n", "throughput", ns.to_vec(), y).unwrap()
}

fn sample_theta(law: &dyn Law) -> Vec<f64> {
    match law.id() {
        "usl" => vec![0.05, 0.002, 120.0],
        "amdahl" | "gustafson" => vec![0.07, 80.0],
        _ => vec![42.0],
    }
}

#[test]
fn gradients_match_finite_differences() {
    for law in throughput_laws() {
        let theta = sample_theta(law.as_ref());
        for n in [1.0, 3.0, 17.0, 64.0] {
            let mut grad = vec![0.0; theta.len()];
            law.gradient(&theta, &[n], &mut grad);
            for k in 0..theta.len() {
                let h = 1e-6 * theta[k].abs().max(1e-3);
                let mut plus = theta.clone();
                let mut minus = theta.clone();
                plus[k] += h;
                minus[k] -= h;
                let numeric = (law.predict(&plus, &[n]) - law.predict(&minus, &[n])) / (2.0 * h);
                let scale = numeric.abs().max(1e-8);
                assert!(
                    (grad[k] - numeric).abs() / scale < 1e-6,
                    "{} d/d{} at N={n}: analytic {} numeric {numeric}",
                    law.id(),
                    law.params()[k].name,
                    grad[k]
                );
            }
        }
    }
}

#[test]
fn exact_data_recovers_parameters() {
    let ns = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];
    for law in throughput_laws() {
        let theta = sample_theta(law.as_ref());
        let data = synthetic(law.as_ref(), &theta, &ns);
        let result = fit(law.as_ref(), &data, &quick()).unwrap();
        for (estimate, truth) in result.theta().iter().zip(&theta) {
            assert!(
                ((estimate - truth) / truth).abs() < 1e-8,
                "{}: estimate {estimate} truth {truth}",
                law.id()
            );
        }
    }
}

#[test]
fn amdahl_roof_and_regime() {
    let data = synthetic(&Amdahl, &[0.1, 50.0], &[1.0, 2.0, 4.0, 8.0, 16.0]);
    let result = fit(&Amdahl, &data, &quick()).unwrap();
    let roof = result.derived("roof").unwrap().derived.value.unwrap();
    assert!((roof - 500.0).abs() < 1e-6, "roof {roof}");
    assert_eq!(result.regime.kind, RegimeKind::ContentionBound);
}

#[test]
fn gustafson_limit_efficiency() {
    let data = synthetic(&Gustafson, &[0.2, 10.0], &[1.0, 2.0, 4.0, 8.0]);
    let result = fit(&Gustafson, &data, &quick()).unwrap();
    let limit = result
        .derived("limit_efficiency")
        .unwrap()
        .derived
        .value
        .unwrap();
    assert!((limit - 0.8).abs() < 1e-9);
}

#[test]
fn linear_efficiency_is_one_on_ideal_data() {
    let data = synthetic(&Linear, &[5.0], &[1.0, 2.0, 3.0]);
    let result = fit(&Linear, &data, &quick()).unwrap();
    for point in &result.points {
        assert!((point.efficiency.unwrap() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn karp_flatt_equals_amdahl_serial_fraction() {
    // On exact Amdahl data, the Karp–Flatt metric equals alpha at every N > 1 (Karp &
    // Flatt, CACM 33(5), 1990: e is constant when the serial fraction is the only loss).
    let data = synthetic(&Amdahl, &[0.03, 10.0], &[1.0, 2.0, 4.0, 8.0, 16.0]);
    let result = fit(&Amdahl, &data, &quick()).unwrap();
    for point in result.points.iter().filter(|p| p.x[0] > 1.0) {
        assert!((point.karp_flatt.unwrap() - 0.03).abs() < 1e-9);
    }
    assert!(result.points[0].karp_flatt.is_none());
}

#[test]
fn nvidia_dgx2h_amdahl_matches_reference_fit() {
    // data/nvidia_bert_dp_throughput/reference_fits_ours.csv: DGX-2H multi-node,
    // pre-training seq 128, mixed precision, x = nodes: Amdahl s = 0.00238035 (scipy
    // least_squares on S(n) = n/(1+s(n-1)) with X(1) fixed at the measured value, so
    // only the order of magnitude is compared here).
    let rows = [
        (1.0, 3379.0),
        (4.0, 12709.0),
        (16.0, 50276.0),
        (64.0, 188088.0),
    ];
    let text = std::fs::read_to_string(common::data_path(
        "nvidia_bert_dp_throughput/bert_pytorch_dp_throughput.csv",
    ))
    .unwrap();
    let mut x = Vec::new();
    let mut y = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[0].starts_with("DGX-2H")
            && cells[1] == "pretrain"
            && cells[6] == "128"
            && cells[7] == "mixed"
        {
            x.push(cells[2].parse::<f64>().unwrap());
            y.push(cells[8].parse::<f64>().unwrap());
        }
    }
    assert_eq!(x.len(), rows.len(), "series rows in the bundled table");
    let data = Observations::new("nodes", "throughput", x, y).unwrap();
    let result = fit(
        &Amdahl,
        &data,
        &FitOptions {
            bounded: true,
            ..quick()
        },
    )
    .unwrap();
    let alpha = result.param("alpha").unwrap().value;
    assert!(alpha > 0.001, "alpha {alpha}");
    assert!(alpha < 0.005, "alpha {alpha}");
    let last = result.points.last().unwrap();
    // NVIDIA's own figure: weak scaling 55.66 at 64 nodes, 87.0% efficiency.
    let efficiency = last.mean / (64.0 * 3379.0);
    assert!((efficiency - 0.8697).abs() < 1e-3);
}

#[test]
fn compare_prefers_usl_on_specsdm91() {
    let data = common::read_columns("usl/specsdm91.csv", "load", "throughput");
    let comparison = compare(&throughput_laws(), &data, &quick());
    // Leave-one-out errors: USL 153, Amdahl 211; the USL's retrograde tail is real.
    assert_eq!(comparison.criterion, Criterion::LeaveOneOut);
    let chosen = comparison.chosen_fit().unwrap();
    assert_eq!(chosen.law, "usl", "reason: {}", comparison.reason);
    assert!(comparison.reason.contains("leave-one-out"));
}

#[test]
fn compare_prefers_simpler_law_on_amdahl_data() {
    // Amdahl data with mild noise: the USL's extra beta cannot earn its keep.
    let ns = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
    let noise = [1.004, 0.997, 1.002, 0.996, 1.003, 0.999];
    let y: Vec<f64> = ns
        .iter()
        .zip(noise)
        .map(|(&n, e)| Amdahl.predict(&[0.05, 100.0], &[n]) * e)
        .collect();
    let data = Observations::new("n", "throughput", ns.to_vec(), y).unwrap();
    let comparison = compare(&throughput_laws(), &data, &quick());
    assert_eq!(
        comparison.chosen_fit().unwrap().law,
        "amdahl",
        "{}",
        comparison.reason
    );
}

#[test]
fn compare_reports_failed_laws() {
    let data = Observations::new("n", "throughput", vec![1.0, 2.0], vec![10.0, 19.0]).unwrap();
    let comparison = compare(&throughput_laws(), &data, &quick());
    let usl = comparison.entries.iter().find(|e| e.law == "usl").unwrap();
    assert!(usl.fit.is_none());
    assert!(usl
        .error
        .as_ref()
        .unwrap()
        .contains("needs at least 3 distinct points"));
    assert!(comparison.chosen.is_some());
}

#[test]
fn usl_latency_inverse_round_trips() {
    // N(R) must invert R(N) = (1 + alpha(N-1) + beta N(N-1))/gamma, beta included.
    let theta = [0.0277285, 0.0001044, 89.995233];
    for n in [1.0, 10.0, 96.5, 300.0] {
        let r = Usl::response_time(&theta, n);
        let back = Usl::concurrency_at_response_time(&theta, r).unwrap();
        assert!((back - n).abs() < 1e-9 * n, "N {n} -> R {r} -> N {back}");
        let x = Usl::throughput_at_response_time(&theta, r).unwrap();
        assert!((x - Usl.predict(&theta, &[n])).abs() < 1e-9 * x);
    }
}
