//! End-to-end checks of `train` on the teacher task.

use std::time::Duration;

use scalelaw_workload::{
    train, train_with_progress, Batch, MlpShape, Scaling, StopRule, TrainConfig, WorkloadError,
};

fn config(workers: usize, batch: Batch, steps: u64) -> TrainConfig {
    TrainConfig {
        workers,
        batch,
        stop: StopRule::Steps(steps),
        warmup_steps: 0,
        learning_rate: 0.01,
        dataset_size: Some(4096),
        progress_interval: Duration::ZERO,
        ..TrainConfig::default()
    }
}

/// Trains and returns the loss of every step.
fn loss_trajectory(config: &TrainConfig) -> Vec<f64> {
    let mut losses = Vec::new();
    train_with_progress(config, |progress| {
        assert_eq!(
            progress.step as usize,
            losses.len(),
            "a step was not reported"
        );
        losses.push(progress.loss);
    })
    .unwrap();
    losses
}

#[test]
fn workers_follow_single_worker_trajectory() {
    // Only the summation order of the gradient differs between worker counts, so the
    // losses agree to f32 rounding amplified over the steps. 1e-4 relative is about 840 f32 ulp.
    let steps = 25;
    let reference = loss_trajectory(&config(1, Batch::Global(96), steps));
    assert_eq!(reference.len(), steps as usize);
    for workers in [2, 3, 4, 8] {
        let losses = loss_trajectory(&config(workers, Batch::Global(96), steps));
        assert_eq!(losses.len(), reference.len());
        for (step, (got, want)) in losses.iter().zip(&reference).enumerate() {
            assert!(
                (got - want).abs() <= 1e-4 * want.abs(),
                "{workers} workers, step {step}: loss {got} vs {want} with 1 worker"
            );
        }
    }
}

#[test]
fn same_seed_same_losses() {
    let first = loss_trajectory(&config(3, Batch::Global(96), 10));
    let second = loss_trajectory(&config(3, Batch::Global(96), 10));
    assert_eq!(first, second);

    let mut other_seed = config(3, Batch::Global(96), 10);
    other_seed.seed = 1;
    assert_ne!(loss_trajectory(&other_seed), first);
}

#[test]
fn loss_halves_on_teacher_task() {
    // The initial loss is close to ln(10) ≈ 2.30. With batch 128 and learning rate 0.01,
    // the loss falls below half of it within about 150 steps; 200 leaves a margin.
    let report = train(&config(2, Batch::Global(128), 200)).unwrap();
    assert!(
        (report.initial_loss - 10f64.ln()).abs() < 0.2,
        "initial loss {}",
        report.initial_loss
    );
    assert!(
        report.final_loss < 0.5 * report.initial_loss,
        "loss fell only from {} to {}",
        report.initial_loss,
        report.final_loss
    );
}

#[test]
fn report_describes_strong_scaling_run() {
    let mut strong = config(4, Batch::Global(64), 6);
    strong.warmup_steps = 2;
    let report = train(&strong).unwrap();
    assert_eq!(report.workload, "mlp");
    assert_eq!(report.workers, 4);
    assert_eq!(report.scaling, Scaling::Strong);
    assert_eq!(report.global_batch, 64);
    assert_eq!(report.batch_per_worker, 16);
    assert_eq!(report.steps, 6);
    assert_eq!(report.warmup_steps, 2);
    assert_eq!(report.allreduce, "ring");
    assert_eq!(report.parameters, 100 * 128 + 128 + 128 * 10 + 10);
    assert!(report.samples_per_s > 0.0);
    assert!(report.compute_ms > 0.0);
    assert!(report.allreduce_ms > 0.0);
    assert!(report.step_ms > 0.0);
    let expected_rate = 64.0 * 6.0 / report.elapsed_s;
    assert!((report.samples_per_s - expected_rate).abs() < 1e-6 * expected_rate);
}

#[test]
fn weak_scaling_grows_global_batch() {
    let report = train(&config(3, Batch::PerWorker(10), 2)).unwrap();
    assert_eq!(report.scaling, Scaling::Weak);
    assert_eq!(report.global_batch, 30);
    assert_eq!(report.batch_per_worker, 10);
}

#[test]
fn duration_stops_training() {
    let mut timed = config(2, Batch::Global(32), 1);
    timed.stop = StopRule::Duration(Duration::from_millis(100));
    let report = train(&timed).unwrap();
    assert!(report.steps >= 1);
    assert!(report.elapsed_s >= 0.1, "elapsed {}", report.elapsed_s);
    assert!(report.elapsed_s < 5.0, "elapsed {}", report.elapsed_s);
}

#[test]
fn progress_throttled_by_interval() {
    // With an interval far longer than the run, only the first and last steps report.
    let mut throttled = config(1, Batch::Global(16), 50);
    throttled.progress_interval = Duration::from_secs(3600);
    let mut steps = Vec::new();
    train_with_progress(&throttled, |progress| steps.push(progress.step)).unwrap();
    assert_eq!(steps, vec![0, 49]);
}

#[test]
fn huge_learning_rate_reports_divergence() {
    let mut unstable = config(2, Batch::Global(32), 20);
    unstable.learning_rate = 1e30;
    match train(&unstable) {
        Err(WorkloadError::Diverged { step, loss }) => {
            assert!(step < 20);
            assert!(!loss.is_finite());
        }
        other => panic!("expected divergence, got {other:?}"),
    }
}

#[test]
fn invalid_config_rejected_before_training() {
    let cases = [
        (config(0, Batch::Global(32), 1), "workers"),
        (config(4, Batch::Global(2), 1), "global_batch"),
        (config(3, Batch::Global(32), 1), "global_batch"),
        (config(2, Batch::PerWorker(0), 1), "batch_per_worker"),
        (config(2, Batch::Global(32), 0), "steps"),
    ];
    for (config, expected) in cases {
        match train(&config) {
            Err(WorkloadError::InvalidConfig { setting, reason }) => {
                assert_eq!(setting, expected, "{reason}");
            }
            other => panic!("expected an invalid {expected}, got {other:?}"),
        }
    }
}

#[test]
fn small_shape_trains() {
    let mut small = config(2, Batch::Global(8), 3);
    small.shape = MlpShape {
        inputs: 3,
        hidden: 2,
        classes: 2,
    };
    let report = train(&small).unwrap();
    assert_eq!(report.parameters, 3 * 2 + 2 + 2 * 2 + 2);
    assert!(report.final_loss.is_finite());
}
