//! The built-in workload of scalelaw: synchronous data-parallel training of a multilayer
//! perceptron on worker threads, measured so that its scaling can be fitted.
//!
//! The model is `inputs → hidden (ReLU) → classes` (by default 100 → 128 → 10) with a
//! softmax cross-entropy loss, trained with Adam in `f32`. The data are Gaussian inputs
//! labelled by a fixed random teacher network, so the loss really falls. Each of `W`
//! worker threads computes the gradient on its shard of the global batch, a ring
//! allreduce (reduce-scatter, then allgather) over shared memory sums the gradients, and
//! every worker applies the same update. The report splits each step's time into compute
//! and allreduce.
//!
//! Strong scaling fixes the global batch ([`Batch::Global`]), weak scaling fixes the batch
//! per worker ([`Batch::PerWorker`]). A run is deterministic for a given seed and number
//! of workers. Runs with the same global batch and different numbers of workers follow
//! the same loss trajectory up to floating-point rounding, because only the summation
//! order of the gradient differs.
//!
//! ```
//! use scalelaw_workload::{train, Batch, StopRule, TrainConfig};
//!
//! let config = TrainConfig {
//!     workers: 2,
//!     batch: Batch::Global(64),
//!     stop: StopRule::Steps(5),
//!     warmup_steps: 1,
//!     dataset_size: Some(1024),
//!     ..TrainConfig::default()
//! };
//! let report = train(&config)?;
//! assert_eq!(report.steps, 5);
//! assert!(report.samples_per_s > 0.0);
//! # Ok::<(), scalelaw_workload::WorkloadError>(())
//! ```

mod adam;
mod allreduce;
mod barrier;
mod config;
mod dataset;
mod error;
mod gemm;
mod mlp;
mod report;
mod trainer;

pub use config::{
    Batch, MlpShape, RunSizes, Scaling, StopRule, TrainConfig, DEFAULT_DATASET_SIZE, MAX_WORKERS,
};
pub use error::WorkloadError;
pub use report::{Progress, TrainReport, ALLREDUCE_ALGORITHM};
pub use trainer::{train, train_with_progress};
