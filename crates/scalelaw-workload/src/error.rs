//! Errors of the training workload.

/// An error from [`crate::train`].
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    /// A [`crate::TrainConfig`] setting is invalid. `setting` is the name of the field, so
    /// a command-line front end can map it to its flag (`global_batch` to `--global-batch`).
    #[error("invalid {setting}: {reason}")]
    InvalidConfig {
        setting: &'static str,
        reason: String,
    },

    /// The loss became NaN or infinite, which usually means the learning rate is too high.
    #[error("training diverged at step {step}: the loss is {loss}; lower the learning rate")]
    Diverged { step: u64, loss: f64 },

    /// The operating system could not start a worker thread.
    #[error("failed to start worker thread {rank}: {source}")]
    Spawn { rank: usize, source: std::io::Error },

    /// A worker thread panicked, which is a bug in this crate.
    #[error("worker thread {rank} panicked: {message}")]
    WorkerPanicked { rank: usize, message: String },
}

impl WorkloadError {
    pub(crate) fn invalid(setting: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidConfig {
            setting,
            reason: reason.into(),
        }
    }
}
