//! Reports of a training run: progress while it runs and a summary at the end.

use std::time::Duration;

use serde::Serialize;

use crate::Scaling;

/// Name of the allreduce algorithm, as it appears in reports.
pub const ALLREDUCE_ALGORITHM: &str = "ring";

/// The loss after one step, sent while training runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Step index, counting warm-up steps, starting at 0.
    pub step: u64,
    /// Whether the step is a warm-up step, which is not timed.
    pub warmup: bool,
    /// Mean cross-entropy over the step's global batch, before the step's update.
    pub loss: f64,
    /// Time since the workers started.
    pub elapsed: Duration,
}

/// Summary of one training run; serialised as the JSON line of `scalelaw workload mlp`.
///
/// Times cover the timed steps only, not the warm-up steps.
#[derive(Clone, Debug, Serialize)]
pub struct TrainReport {
    /// Always `"mlp"`.
    pub workload: &'static str,
    pub workers: usize,
    pub scaling: Scaling,
    pub global_batch: usize,
    pub batch_per_worker: usize,
    /// Timed steps.
    pub steps: u64,
    pub warmup_steps: u64,
    /// Wall-clock time of the timed steps, in seconds.
    pub elapsed_s: f64,
    /// Training samples processed per second: `global_batch · steps / elapsed_s`.
    pub samples_per_s: f64,
    /// Wall-clock time per step, in milliseconds.
    pub step_ms: f64,
    /// Time per step spent in the forward pass, the backward pass and the Adam update, in
    /// milliseconds, averaged over the workers.
    pub compute_ms: f64,
    /// Time per step spent in the allreduce of the gradient, in milliseconds, averaged
    /// over the workers. Includes waiting at its barriers for slower workers.
    pub allreduce_ms: f64,
    /// Allreduce algorithm, [`ALLREDUCE_ALGORITHM`].
    pub allreduce: &'static str,
    /// Loss of the first step (the first warm-up step when there are warm-up steps).
    pub initial_loss: f64,
    /// Loss of the last step, before its update.
    pub final_loss: f64,
    pub inputs: usize,
    pub hidden: usize,
    pub classes: usize,
    pub parameters: usize,
    pub learning_rate: f32,
    pub seed: u64,
    pub dataset_size: usize,
}
