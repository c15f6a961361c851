//! Training settings and their validation.

use std::time::Duration;

use serde::Serialize;

use crate::WorkloadError;

/// Layer sizes of the multilayer perceptron: `inputs → hidden (ReLU) → classes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MlpShape {
    pub inputs: usize,
    pub hidden: usize,
    pub classes: usize,
}

impl Default for MlpShape {
    fn default() -> Self {
        Self {
            inputs: 100,
            hidden: 128,
            classes: 10,
        }
    }
}

impl MlpShape {
    /// Returns the number of trainable parameters (weights and biases of both layers).
    pub fn parameter_count(&self) -> usize {
        self.inputs * self.hidden + self.hidden + self.hidden * self.classes + self.classes
    }
}

/// Batch sizing as the number of workers changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Batch {
    /// Strong scaling: a fixed global batch, split evenly between the workers.
    Global(usize),
    /// Weak scaling: a fixed batch per worker, so the global batch grows with the workers.
    PerWorker(usize),
}

/// The scaling mode named in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scaling {
    Strong,
    Weak,
}

/// When the timed part of training ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopRule {
    /// Run exactly this many timed steps.
    Steps(u64),
    /// Run timed steps until this much wall-clock time has passed. The step in flight when
    /// the time runs out is finished, so the run lasts slightly longer.
    Duration(Duration),
}

/// Settings of one training run.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Number of worker threads, each holding a full copy of the model.
    pub workers: usize,
    pub batch: Batch,
    pub stop: StopRule,
    /// Steps run before timing starts, so caches and allocations are warm.
    pub warmup_steps: u64,
    pub shape: MlpShape,
    /// Adam learning rate.
    pub learning_rate: f32,
    /// Seed of the data, the teacher network and the initial weights.
    pub seed: u64,
    /// Number of generated training samples; `None` uses 65,536 or the global batch,
    /// whichever is larger. Steps take global batches from it in order and start again at
    /// the front, so rows after the last whole global batch are never used.
    pub dataset_size: Option<usize>,
    /// Minimum time between two progress reports; zero reports every step.
    pub progress_interval: Duration,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            workers: 1,
            batch: Batch::Global(1024),
            stop: StopRule::Steps(100),
            warmup_steps: 10,
            shape: MlpShape::default(),
            learning_rate: 1e-3,
            seed: 0,
            dataset_size: None,
            progress_interval: Duration::from_millis(500),
        }
    }
}

/// Largest accepted number of workers. Each worker is an OS thread with its own model copy.
pub const MAX_WORKERS: usize = 1024;

/// Default number of generated samples when the global batch is smaller.
pub const DEFAULT_DATASET_SIZE: usize = 65_536;

/// Largest accepted dataset, in `f32` input values (8 GiB).
const MAX_DATASET_VALUES: usize = 1 << 31;

/// Batch and dataset sizes of a valid [`TrainConfig`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSizes {
    pub scaling: Scaling,
    pub global_batch: usize,
    pub batch_per_worker: usize,
    pub dataset_size: usize,
}

impl TrainConfig {
    /// Checks every setting and works out the global and per-worker batch sizes and the
    /// dataset size. [`crate::train`] runs the same checks, so calling this first is only
    /// needed to report the sizes or an error before training.
    pub fn validate(&self) -> Result<RunSizes, WorkloadError> {
        let workers = self.workers;
        if workers == 0 {
            return Err(WorkloadError::invalid(
                "workers",
                "0 workers; at least 1 is needed",
            ));
        }
        if workers > MAX_WORKERS {
            return Err(WorkloadError::invalid(
                "workers",
                format!("{workers} workers; at most {MAX_WORKERS} are supported"),
            ));
        }

        let (scaling, global_batch, batch_per_worker) = match self.batch {
            Batch::Global(global) => {
                if global < workers {
                    return Err(WorkloadError::invalid(
                        "global_batch",
                        format!(
                            "{global} is smaller than the number of workers ({workers}); \
                             every worker needs at least one sample"
                        ),
                    ));
                }
                if global % workers != 0 {
                    return Err(WorkloadError::invalid(
                        "global_batch",
                        format!(
                            "{global} is not divisible by the number of workers ({workers}); \
                             use a multiple of {workers} such as {}",
                            global / workers * workers
                        ),
                    ));
                }
                (Scaling::Strong, global, global / workers)
            }
            Batch::PerWorker(per_worker) => {
                if per_worker == 0 {
                    return Err(WorkloadError::invalid(
                        "batch_per_worker",
                        "0 samples per worker; at least 1 is needed",
                    ));
                }
                let global = per_worker.checked_mul(workers).ok_or_else(|| {
                    WorkloadError::invalid(
                        "batch_per_worker",
                        format!(
                            "{per_worker} samples times {workers} workers is too large \
                             a global batch"
                        ),
                    )
                })?;
                (Scaling::Weak, global, per_worker)
            }
        };

        match self.stop {
            StopRule::Steps(0) => {
                return Err(WorkloadError::invalid(
                    "steps",
                    "0 steps; at least 1 timed step is needed",
                ))
            }
            StopRule::Steps(steps) if steps.checked_add(self.warmup_steps).is_none() => {
                return Err(WorkloadError::invalid(
                    "steps",
                    format!(
                        "{steps} steps after {} warm-up steps overflow the step counter",
                        self.warmup_steps
                    ),
                ))
            }
            StopRule::Duration(duration) if duration.is_zero() => {
                return Err(WorkloadError::invalid(
                    "duration",
                    "a zero duration; give a positive time",
                ))
            }
            _ => {}
        }

        let shape = self.shape;
        if shape.inputs == 0 {
            return Err(WorkloadError::invalid(
                "inputs",
                "0 inputs; at least 1 is needed",
            ));
        }
        if shape.hidden == 0 {
            return Err(WorkloadError::invalid(
                "hidden",
                "0 hidden units; at least 1 is needed",
            ));
        }
        if shape.classes < 2 {
            return Err(WorkloadError::invalid(
                "classes",
                format!("{} classes; at least 2 are needed", shape.classes),
            ));
        }

        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(WorkloadError::invalid(
                "learning_rate",
                format!("{}; it must be a positive number", self.learning_rate),
            ));
        }

        let dataset_size = self
            .dataset_size
            .unwrap_or(DEFAULT_DATASET_SIZE.max(global_batch));
        if dataset_size < global_batch {
            return Err(WorkloadError::invalid(
                "dataset_size",
                format!("{dataset_size} samples is fewer than the global batch ({global_batch})"),
            ));
        }
        let values = dataset_size.checked_mul(shape.inputs);
        if values.is_none_or(|values| values > MAX_DATASET_VALUES) {
            return Err(WorkloadError::invalid(
                "dataset_size",
                format!(
                    "{dataset_size} samples of {} inputs exceed {MAX_DATASET_VALUES} values \
                     (8 GiB); use fewer samples or inputs",
                    shape.inputs
                ),
            ));
        }

        Ok(RunSizes {
            scaling,
            global_batch,
            batch_per_worker,
            dataset_size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(workers: usize, batch: Batch) -> TrainConfig {
        TrainConfig {
            workers,
            batch,
            ..TrainConfig::default()
        }
    }

    fn rejected_setting(config: &TrainConfig) -> &'static str {
        match config.validate() {
            Err(WorkloadError::InvalidConfig { setting, .. }) => setting,
            other => panic!("expected an invalid config, got {other:?}"),
        }
    }

    #[test]
    fn validate_strong_splits_global_batch() {
        let sizes = config(4, Batch::Global(1024)).validate().unwrap();
        assert_eq!(sizes.scaling, Scaling::Strong);
        assert_eq!(sizes.global_batch, 1024);
        assert_eq!(sizes.batch_per_worker, 256);
        assert_eq!(sizes.dataset_size, DEFAULT_DATASET_SIZE);
    }

    #[test]
    fn validate_weak_multiplies_batch() {
        let sizes = config(3, Batch::PerWorker(100)).validate().unwrap();
        assert_eq!(sizes.scaling, Scaling::Weak);
        assert_eq!(sizes.global_batch, 300);
        assert_eq!(sizes.batch_per_worker, 100);
    }

    #[test]
    fn validate_dataset_grows_to_global_batch() {
        let sizes = config(1, Batch::Global(100_000)).validate().unwrap();
        assert_eq!(sizes.dataset_size, 100_000);
    }

    #[test]
    fn validate_rejects_invalid_settings() {
        assert_eq!(rejected_setting(&config(0, Batch::Global(8))), "workers");
        assert_eq!(
            rejected_setting(&config(2000, Batch::Global(4000))),
            "workers"
        );
        assert_eq!(
            rejected_setting(&config(4, Batch::Global(2))),
            "global_batch"
        );
        assert_eq!(
            rejected_setting(&config(3, Batch::Global(1024))),
            "global_batch"
        );
        assert_eq!(
            rejected_setting(&config(2, Batch::PerWorker(0))),
            "batch_per_worker"
        );

        let mut steps = config(1, Batch::Global(8));
        steps.stop = StopRule::Steps(0);
        assert_eq!(rejected_setting(&steps), "steps");

        let mut overflow = config(1, Batch::Global(8));
        overflow.stop = StopRule::Steps(u64::MAX);
        overflow.warmup_steps = 1;
        assert_eq!(rejected_setting(&overflow), "steps");

        let mut duration = config(1, Batch::Global(8));
        duration.stop = StopRule::Duration(Duration::ZERO);
        assert_eq!(rejected_setting(&duration), "duration");

        let mut classes = config(1, Batch::Global(8));
        classes.shape.classes = 1;
        assert_eq!(rejected_setting(&classes), "classes");

        let mut hidden = config(1, Batch::Global(8));
        hidden.shape.hidden = 0;
        assert_eq!(rejected_setting(&hidden), "hidden");

        let mut inputs = config(1, Batch::Global(8));
        inputs.shape.inputs = 0;
        assert_eq!(rejected_setting(&inputs), "inputs");

        let mut rate = config(1, Batch::Global(8));
        rate.learning_rate = f32::NAN;
        assert_eq!(rejected_setting(&rate), "learning_rate");
        rate.learning_rate = -0.1;
        assert_eq!(rejected_setting(&rate), "learning_rate");

        let mut dataset = config(1, Batch::Global(8));
        dataset.dataset_size = Some(4);
        assert_eq!(rejected_setting(&dataset), "dataset_size");
        dataset.dataset_size = Some(usize::MAX / 2);
        assert_eq!(rejected_setting(&dataset), "dataset_size");
    }

    #[test]
    fn validate_error_suggests_divisible_batch() {
        let err = config(3, Batch::Global(1024)).validate().unwrap_err();
        let message = err.to_string();
        assert!(message.contains("not divisible"), "{message}");
        assert!(message.contains("1023"), "{message}");
    }
}
