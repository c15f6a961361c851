//! Timing of the neural scaling-law fits on the bundled data: the global Chinchilla fit
//! on the 240 runs Besiroglu et al. 2024 keep, the same with 1,000 bootstrap
//! resamples, the replication's 4,500-start L-BFGS procedure, and the broken power law
//! fit of Caballero et al. 2023. Figures and commands are in bench/RESULTS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use scalelaw::neural::bnsl::fit_bnsl;
use scalelaw::neural::huber::DEFAULT_DELTA;
use scalelaw::neural::replication::fit_replication;
use scalelaw::neural::{fit_chinchilla, fit_chinchilla_point, ChinchillaOptions, LossData};

fn read(relative: &str) -> String {
    let path = format!("{}/../../data/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("bundled data file exists")
}

/// Reads the 240 Chinchilla runs, leaving out the 5 the replication drops.
fn chinchilla_runs() -> LossData {
    let text = read("chinchilla/chinchilla_epoch_tidy.csv");
    let (mut n, mut d, mut loss) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[5] == "True" {
            continue;
        }
        n.push(cells[1].parse().unwrap());
        d.push(cells[2].parse().unwrap());
        loss.push(cells[4].parse().unwrap());
    }
    LossData::new(n, d, loss).unwrap()
}

fn bnsl_points() -> (Vec<f64>, Vec<f64>) {
    let text = read("bnsl_4digit_addition/bnsl_4digit_addition.csv");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in text.lines().skip(1).filter(|l| l.ends_with(",fit")) {
        let cells: Vec<&str> = line.split(',').collect();
        x.push(cells[0].parse().unwrap());
        y.push(cells[1].parse().unwrap());
    }
    (x, y)
}

fn chinchilla(c: &mut Criterion) {
    let data = chinchilla_runs();
    let mut group = c.benchmark_group("chinchilla");
    group.sample_size(20);
    group.bench_function("global_fit_240_runs", |b| {
        b.iter(|| fit_chinchilla_point(black_box(&data), &ChinchillaOptions::default()).unwrap())
    });
    group.bench_function("fit_and_1000_bootstrap", |b| {
        b.iter(|| fit_chinchilla(black_box(&data), &ChinchillaOptions::default()).unwrap())
    });
    group.sample_size(10);
    group.bench_function("replication_4500_starts", |b| {
        b.iter(|| fit_replication(black_box(&data), DEFAULT_DELTA).unwrap())
    });
    group.finish();
}

fn bnsl(c: &mut Criterion) {
    let (x, y) = bnsl_points();
    let mut group = c.benchmark_group("bnsl");
    group.sample_size(20);
    group.bench_function("fit_4digit_addition", |b| {
        b.iter(|| fit_bnsl(black_box(&x), black_box(&y)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, chinchilla, bnsl);
criterion_main!(benches);
