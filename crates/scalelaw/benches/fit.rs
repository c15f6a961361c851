//! Speed of the USL fit: the point estimate on 32 points against the `usl` crate
//! (codahale's usl-rs, which fits with MPFIT) in the same run, and a 1,000-resample
//! bootstrap of that fit.
//!
//! Run: `cargo bench -p scalelaw --bench fit`

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use scalelaw::fit::{bootstrap, solve};
use scalelaw::laws::Usl;
use scalelaw::{Law, Observations};

/// 32 points of a retrograde USL system with ±3% deterministic wobble.
fn thirty_two_points() -> (Vec<f64>, Vec<f64>) {
    let theta = [0.03, 0.0004, 950.0];
    (1..=32)
        .map(|i| {
            let n = f64::from(i);
            let wobble = 1.0 + 0.03 * ((i * 7919) % 13) as f64 / 13.0 - 0.015;
            (n, Usl.predict(&theta, &[n]) * wobble)
        })
        .unzip()
}

fn usl_fit(c: &mut Criterion) {
    let (x, y) = thirty_two_points();
    let data = Observations::new("n", "throughput", x.clone(), y.clone()).unwrap();
    let measurements: Vec<usl::Measurement> = x
        .iter()
        .zip(&y)
        .map(|(&n, &t)| usl::Measurement::concurrency_and_throughput(n as u32, t))
        .collect();

    let mut group = c.benchmark_group("usl_fit_32_points");
    group.bench_function("scalelaw", |b| {
        b.iter(|| solve(&Usl, black_box(&data), false).unwrap())
    });
    group.bench_function("usl_crate", |b| {
        b.iter(|| usl::Model::build(black_box(&measurements)))
    });
    group.finish();

    let solution = solve(&Usl, &data, false).unwrap();
    let residuals: Vec<f64> = (0..data.len())
        .map(|i| data.y()[i] - Usl.predict(&solution.theta, data.x_row(i)))
        .collect();
    c.bench_function("usl_bootstrap_1000_resamples", |b| {
        b.iter(|| {
            bootstrap::residual_resamples(
                &Usl,
                black_box(&data),
                &solution.theta,
                &residuals,
                1000,
                1,
                false,
            )
        })
    });
}

criterion_group!(benches, usl_fit);
criterion_main!(benches);
