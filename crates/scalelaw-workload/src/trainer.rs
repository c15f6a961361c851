//! Synchronous data-parallel training on a pool of worker threads.
//!
//! Each worker keeps a full copy of the parameters and of the Adam state. At every step
//! it computes the gradient on its shard of the global batch, the gradients are summed by
//! a ring allreduce, and every worker applies the same update to its copy, so the copies
//! stay bit-identical. The threads live for the whole run, so thread start-up is not
//! timed.
//!
//! Two scalars ride along in the allreduce buffer after the gradient: the shard's share
//! of the mean loss, and a stop vote that worker 0 casts when a duration limit has run
//! out. So every worker reads the same loss and stops after the same step without an
//! extra barrier.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::adam::Adam;
use crate::allreduce::{RingAllreduce, RingMember};
use crate::barrier::Poisoned;
use crate::config::RunSizes;
use crate::dataset::{rng_for, stream, Dataset};
use crate::mlp::{init_params, loss_and_gradient, ParamLayout, Workspace};
use crate::report::{Progress, TrainReport, ALLREDUCE_ALGORITHM};
use crate::{StopRule, TrainConfig, WorkloadError};

/// Extra values after the gradient in the allreduce buffer.
const LOSS_SLOT: usize = 0;
const STOP_SLOT: usize = 1;
const EXTRA_SLOTS: usize = 2;

/// Trains the model of `config` and returns its timings and losses.
pub fn train(config: &TrainConfig) -> Result<TrainReport, WorkloadError> {
    train_with_progress(config, |_| {})
}

/// Trains like [`train`] and calls `on_progress` on the calling thread with the loss of
/// the first step, the last step and steps at least `config.progress_interval` apart.
///
/// The callback runs while the workers go on, so a slow callback does not slow training.
pub fn train_with_progress(
    config: &TrainConfig,
    mut on_progress: impl FnMut(&Progress),
) -> Result<TrainReport, WorkloadError> {
    let sizes = config.validate()?;
    let params = ParamLayout::new(config.shape);
    let dataset = Dataset::generate(config.shape, sizes.dataset_size, config.seed);
    let initial = init_params(&params, &mut rng_for(config.seed, stream::INITIAL_WEIGHTS));
    let job = Job {
        config,
        sizes,
        params: &params,
        dataset: &dataset,
        initial: &initial,
    };

    let mut ring = RingAllreduce::new(config.workers, params.len() + EXTRA_SLOTS);
    let members = ring.members();
    let barrier = members[0].barrier();
    let (sender, receiver) = mpsc::channel();

    let outcomes = std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(config.workers);
        let mut spawn_error = None;
        for member in members {
            let rank = member.rank();
            let progress = (rank == 0).then(|| sender.clone());
            let job = &job;
            let spawned = std::thread::Builder::new()
                .name(format!("scalelaw-worker-{rank}"))
                .spawn_scoped(scope, move || run_worker(job, member, progress));
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(source) => {
                    // The workers already started wait at the start barrier, so poisoning
                    // it lets them exit.
                    barrier.poison();
                    spawn_error = Some(WorkloadError::Spawn { rank, source });
                    break;
                }
            }
        }
        drop(sender);

        // Ends when worker 0 drops its sender, that is, when it finishes or fails.
        // NOTE: a panic in `on_progress` unwinds only after the workers finish their run.
        for progress in receiver {
            on_progress(&progress);
        }

        let outcomes: Vec<_> = handles
            .into_iter()
            .enumerate()
            .map(|(rank, handle)| {
                handle
                    .join()
                    .map_err(|payload| WorkloadError::WorkerPanicked {
                        rank,
                        message: panic_message(payload.as_ref()),
                    })
            })
            .collect();
        (outcomes, spawn_error)
    });
    let (outcomes, spawn_error) = outcomes;
    if let Some(error) = spawn_error {
        return Err(error);
    }
    summarise(&job, outcomes)
}

/// Data and settings that the workers of one run share.
struct Job<'a> {
    config: &'a TrainConfig,
    sizes: RunSizes,
    params: &'a ParamLayout,
    dataset: &'a Dataset,
    initial: &'a [f32],
}

/// Measurements of one worker.
#[derive(Default)]
struct WorkerStats {
    timed_steps: u64,
    /// Start of the first and end of the last timed step.
    timed_window: Option<(Instant, Instant)>,
    compute: Duration,
    allreduce: Duration,
    initial_loss: f64,
    final_loss: f64,
}

/// Reason a worker stopped early: divergence, or release from a poisoned barrier.
enum WorkerError {
    Diverged { step: u64, loss: f64 },
    Poisoned,
}

impl From<Poisoned> for WorkerError {
    fn from(_: Poisoned) -> Self {
        Self::Poisoned
    }
}

/// Poisons the ring's barrier if the worker unwinds from a panic, so the others exit.
struct PoisonOnPanic<'a>(&'a crate::barrier::SpinBarrier);

impl Drop for PoisonOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.poison();
        }
    }
}

fn run_worker(
    job: &Job<'_>,
    mut member: RingMember<'_>,
    progress: Option<mpsc::Sender<Progress>>,
) -> Result<WorkerStats, WorkerError> {
    let _guard = PoisonOnPanic(member.barrier());
    let config = job.config;
    let sizes = job.sizes;
    let rank = member.rank();
    let parameter_count = job.params.len();
    let scale = 1.0 / sizes.global_batch as f32;
    let batches_per_epoch = (sizes.dataset_size / sizes.global_batch) as u64;
    let warmup = config.warmup_steps;

    let mut params = job.initial.to_vec();
    let mut adam = Adam::new(parameter_count, config.learning_rate);
    let mut workspace = Workspace::new(config.shape, sizes.batch_per_worker);
    let mut stats = WorkerStats::default();
    let mut last_report: Option<Instant> = None;

    // Start together, so no worker's clock includes another's thread start-up.
    member.barrier().wait()?;
    let started = Instant::now();
    let mut timed_start = started;

    for step in 0.. {
        let timed = step >= warmup;
        let compute_start = Instant::now();
        if step == warmup {
            timed_start = compute_start;
        }

        let batch = (step % batches_per_epoch) as usize;
        let first_row = batch * sizes.global_batch + rank * sizes.batch_per_worker;
        let (inputs, labels) = job.dataset.rows(first_row, sizes.batch_per_worker);
        let buffer = member.buffer_mut();
        let (grad, extra) = buffer.split_at_mut(parameter_count);
        let loss_sum = loss_and_gradient(
            job.params,
            &params,
            inputs,
            labels,
            scale,
            &mut workspace,
            grad,
        );
        extra[LOSS_SLOT] = (loss_sum / sizes.global_batch as f64) as f32;
        let out_of_time = match config.stop {
            StopRule::Duration(limit) => rank == 0 && timed && timed_start.elapsed() >= limit,
            StopRule::Steps(_) => false,
        };
        extra[STOP_SLOT] = if out_of_time { 1.0 } else { 0.0 };

        let allreduce_start = Instant::now();
        let reduced = member.allreduce()?;
        let update_start = Instant::now();

        let loss = f64::from(reduced[parameter_count + LOSS_SLOT]);
        if !loss.is_finite() {
            return Err(WorkerError::Diverged { step, loss });
        }
        adam.update(&mut params, &reduced[..parameter_count]);
        let stop = match config.stop {
            StopRule::Steps(steps) => step + 1 >= warmup + steps,
            StopRule::Duration(_) => reduced[parameter_count + STOP_SLOT] > 0.0,
        };
        let step_end = Instant::now();

        if step == 0 {
            stats.initial_loss = loss;
        }
        stats.final_loss = loss;
        if timed {
            stats.timed_steps += 1;
            stats.compute += (allreduce_start - compute_start) + (step_end - update_start);
            stats.allreduce += update_start - allreduce_start;
            stats.timed_window = Some((timed_start, step_end));
        }

        if let Some(sender) = &progress {
            let due = last_report.is_none_or(|last| step_end - last >= config.progress_interval);
            if due || stop {
                last_report = Some(step_end);
                // A closed channel means the caller stopped listening, which is harmless.
                let _ = sender.send(Progress {
                    step,
                    warmup: !timed,
                    loss,
                    elapsed: step_end - started,
                });
            }
        }
        if stop {
            break;
        }
    }
    Ok(stats)
}

/// Combines the workers' statistics into the report, or picks the error to return.
fn summarise(
    job: &Job<'_>,
    outcomes: Vec<Result<Result<WorkerStats, WorkerError>, WorkloadError>>,
) -> Result<TrainReport, WorkloadError> {
    let mut stats = Vec::with_capacity(outcomes.len());
    let mut diverged = None;
    for outcome in outcomes {
        match outcome? {
            Ok(worker) => stats.push(worker),
            Err(WorkerError::Diverged { step, loss }) => diverged = Some((step, loss)),
            Err(WorkerError::Poisoned) => {}
        }
    }
    if let Some((step, loss)) = diverged {
        return Err(WorkloadError::Diverged { step, loss });
    }
    // Without a panic or divergence no barrier is poisoned, so every worker reported.
    assert_eq!(
        stats.len(),
        job.config.workers,
        "a worker stopped without an error"
    );

    let config = job.config;
    let sizes = job.sizes;
    let leader = &stats[0];
    let steps = leader.timed_steps;
    // The timed region runs from the first worker's start to the last worker's end, so a
    // worker that lags in its final update still counts. Clamped so a clock that did not
    // advance cannot produce an infinite throughput.
    let windows = stats.iter().filter_map(|s| s.timed_window);
    let first_start = windows.clone().map(|(start, _)| start).min();
    let last_end = windows.map(|(_, end)| end).max();
    let elapsed = match (first_start, last_end) {
        (Some(start), Some(end)) => end - start,
        _ => Duration::ZERO,
    };
    let elapsed_s = elapsed.as_secs_f64().max(1e-9);
    let per_step_ms = |total: Duration| total.as_secs_f64() * 1e3 / steps as f64;
    let mean_ms = |part: fn(&WorkerStats) -> Duration| {
        stats.iter().map(|s| per_step_ms(part(s))).sum::<f64>() / stats.len() as f64
    };

    Ok(TrainReport {
        workload: "mlp",
        workers: config.workers,
        scaling: sizes.scaling,
        global_batch: sizes.global_batch,
        batch_per_worker: sizes.batch_per_worker,
        steps,
        warmup_steps: config.warmup_steps,
        elapsed_s,
        samples_per_s: (sizes.global_batch as u64 * steps) as f64 / elapsed_s,
        step_ms: elapsed_s * 1e3 / steps as f64,
        compute_ms: mean_ms(|s| s.compute),
        allreduce_ms: mean_ms(|s| s.allreduce),
        allreduce: ALLREDUCE_ALGORITHM,
        initial_loss: leader.initial_loss,
        final_loss: leader.final_loss,
        inputs: config.shape.inputs,
        hidden: config.shape.hidden,
        classes: config.shape.classes,
        parameters: config.shape.parameter_count(),
        learning_rate: config.learning_rate,
        seed: config.seed,
        dataset_size: sizes.dataset_size,
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    }
}
