//! `scalelaw workload`: run a built-in workload once and print its measurements as one
//! JSON line on stdout, so a sweep can read them.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};
use scalelaw_workload::{
    train_with_progress, Batch, MlpShape, Progress, RunSizes, Scaling, StopRule, TrainConfig,
    TrainReport, WorkloadError, ALLREDUCE_ALGORITHM,
};

#[derive(Subcommand)]
pub enum WorkloadCommand {
    /// Data-parallel training of a multilayer perceptron on worker threads
    #[command(long_about = MLP_ABOUT)]
    Mlp(MlpArgs),
}

const MLP_ABOUT: &str = "\
Data-parallel training of a multilayer perceptron on worker threads

Trains an MLP (inputs -> hidden (ReLU) -> classes, softmax cross-entropy) with Adam in f32 on \
Gaussian inputs labelled by a fixed random teacher network. Each worker thread computes the \
gradient on its shard of the batch, a ring allreduce (reduce-scatter, then allgather) over \
shared memory sums the gradients, and every worker applies the same update.

Prints one JSON line on stdout when done, with these keys:
  workload, workers, scaling (strong|weak), global_batch, batch_per_worker,
  steps (timed steps), warmup_steps, elapsed_s (wall time of the timed steps),
  samples_per_s, step_ms, compute_ms (forward, backward and Adam per step, mean over
  workers), allreduce_ms (allreduce per step including barrier waits, mean over workers),
  allreduce (\"ring\"), initial_loss, final_loss, inputs, hidden, classes, parameters,
  learning_rate, seed, dataset_size.
Progress (loss per step, at most once per second) goes to stderr unless --quiet.

The losses are deterministic for a given seed and number of workers; the timings are not.";

const MLP_EXAMPLES: &str = "\
Examples:
  Strong scaling, a fixed global batch of 1024 samples split between 2 workers:
    scalelaw workload mlp --workers 2 --global-batch 1024 --steps 200
  Weak scaling, 256 samples per worker, for 5 seconds:
    scalelaw workload mlp --workers 4 --batch-per-worker 256 --duration 5
  A sweep over worker counts:
    scalelaw sweep -p workers=1,2,4 -- scalelaw workload mlp --quiet --workers {workers}";

#[derive(Args)]
#[command(after_help = MLP_EXAMPLES, allow_negative_numbers = true)]
pub struct MlpArgs {
    /// Number of worker threads, each with a copy of the model
    #[arg(short, long, default_value_t = 1, value_name = "N")]
    workers: usize,

    /// Samples per step, split evenly between the workers (strong scaling); must be a
    /// multiple of --workers [default: 1024]
    #[arg(long, value_name = "SAMPLES", conflicts_with = "batch_per_worker")]
    global_batch: Option<usize>,

    /// Samples per step for each worker, so the global batch grows with the workers (weak
    /// scaling)
    #[arg(long, value_name = "SAMPLES")]
    batch_per_worker: Option<usize>,

    /// Number of timed steps [default: 100]
    #[arg(long, value_name = "STEPS", conflicts_with = "duration")]
    steps: Option<u64>,

    /// Train for this many seconds instead of a number of steps (e.g. 2.5); the last step
    /// is finished, so the run lasts slightly longer
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    duration: Option<Duration>,

    /// Steps run before timing starts
    #[arg(long, default_value_t = 10, value_name = "STEPS")]
    warmup_steps: u64,

    /// Input features per sample
    #[arg(long, default_value_t = 100, value_name = "N")]
    inputs: usize,

    /// Hidden units (ReLU)
    #[arg(long, default_value_t = 128, value_name = "N")]
    hidden: usize,

    /// Output classes
    #[arg(long, default_value_t = 10, value_name = "N")]
    classes: usize,

    /// Adam learning rate
    #[arg(long, default_value_t = 1e-3, value_name = "RATE")]
    lr: f32,

    /// Seed of the data, the teacher network and the initial weights
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Number of generated training samples [default: 65536, or the global batch if
    /// larger]
    #[arg(long, value_name = "SAMPLES")]
    dataset_size: Option<usize>,

    /// Print only the JSON line, no progress on stderr
    #[arg(short, long)]
    quiet: bool,
}

/// Minimum time between two progress lines on stderr.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

pub fn run(command: WorkloadCommand) -> anyhow::Result<ExitCode> {
    match command {
        WorkloadCommand::Mlp(args) => run_mlp(args),
    }
}

fn run_mlp(args: MlpArgs) -> anyhow::Result<ExitCode> {
    let config = mlp_config(&args);
    let sizes = config.validate().map_err(with_flag_names)?;
    let quiet = args.quiet;
    if !quiet {
        eprintln!("{}", describe(&config, &sizes));
    }

    let report = train_with_progress(&config, |progress| {
        if !quiet {
            eprintln!("{}", progress_line(progress));
        }
    })
    .map_err(with_flag_names)?;

    if !quiet {
        eprintln!("{}", summary_line(&report));
    }
    let line = serde_json::to_string(&report).context("failed to serialise the report")?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .context("failed to write the report to stdout")?;
    Ok(ExitCode::SUCCESS)
}

fn mlp_config(args: &MlpArgs) -> TrainConfig {
    let batch = match (args.global_batch, args.batch_per_worker) {
        (_, Some(per_worker)) => Batch::PerWorker(per_worker),
        (Some(global), None) => Batch::Global(global),
        (None, None) => Batch::Global(1024),
    };
    let stop = match args.duration {
        Some(duration) => StopRule::Duration(duration),
        None => StopRule::Steps(args.steps.unwrap_or(100)),
    };
    TrainConfig {
        workers: args.workers,
        batch,
        stop,
        warmup_steps: args.warmup_steps,
        shape: MlpShape {
            inputs: args.inputs,
            hidden: args.hidden,
            classes: args.classes,
        },
        learning_rate: args.lr,
        seed: args.seed,
        dataset_size: args.dataset_size,
        progress_interval: PROGRESS_INTERVAL,
    }
}

/// Parses a positive, finite number of seconds.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(format!("{text} seconds is not a positive duration"));
    }
    Duration::try_from_secs_f64(seconds).map_err(|err| format!("{text} seconds: {err}"))
}

/// Rewrites a configuration error to name the command-line flag that sets the value.
fn with_flag_names(error: WorkloadError) -> anyhow::Error {
    match error {
        WorkloadError::InvalidConfig { setting, reason } => {
            let flag = match setting {
                "learning_rate" => "--lr".to_owned(),
                other => format!("--{}", other.replace('_', "-")),
            };
            anyhow::anyhow!("invalid {flag}: {reason}")
        }
        other => other.into(),
    }
}

fn describe(config: &TrainConfig, sizes: &RunSizes) -> String {
    let shape = config.shape;
    let workers = match config.workers {
        1 => "1 worker".to_owned(),
        many => format!("{many} workers"),
    };
    let scaling = match sizes.scaling {
        Scaling::Strong => "strong scaling",
        Scaling::Weak => "weak scaling",
    };
    let stop = match config.stop {
        StopRule::Steps(steps) => format!("{steps} timed steps"),
        StopRule::Duration(duration) => format!("{:.3} s", duration.as_secs_f64()),
    };
    format!(
        "training mlp {}-{}-{} ({} parameters) on {workers}, {scaling}, global batch {} \
         ({} per worker), {} allreduce, {} warm-up steps then {stop}",
        shape.inputs,
        shape.hidden,
        shape.classes,
        shape.parameter_count(),
        sizes.global_batch,
        sizes.batch_per_worker,
        ALLREDUCE_ALGORITHM,
        config.warmup_steps,
    )
}

fn progress_line(progress: &Progress) -> String {
    let phase = if progress.warmup { " (warm-up)" } else { "" };
    format!(
        "step {:>6}{phase}  loss {:.4}  {:.2} s",
        progress.step,
        progress.loss,
        progress.elapsed.as_secs_f64()
    )
}

fn summary_line(report: &TrainReport) -> String {
    format!(
        "{} worker(s): {:.0} samples/s, {:.3} ms per step (compute {:.3} ms, allreduce {:.3} ms), \
         loss {:.4} -> {:.4}",
        report.workers,
        report.samples_per_s,
        report.step_ms,
        report.compute_ms,
        report.allreduce_ms,
        report.initial_loss,
        report.final_loss
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_seconds_accepts_fractions() {
        assert_eq!(parse_seconds("2.5"), Ok(Duration::from_millis(2500)));
    }

    #[test]
    fn parse_seconds_rejects_non_positive() {
        for text in ["0", "-1", "nan", "inf", "abc", ""] {
            assert!(parse_seconds(text).is_err(), "{text}");
        }
    }

    #[test]
    fn flag_names_replace_setting_names() {
        let error = WorkloadError::InvalidConfig {
            setting: "global_batch",
            reason: "1000 is not divisible".to_owned(),
        };
        assert_eq!(
            with_flag_names(error).to_string(),
            "invalid --global-batch: 1000 is not divisible"
        );
        let error = WorkloadError::InvalidConfig {
            setting: "learning_rate",
            reason: "-1".to_owned(),
        };
        assert!(with_flag_names(error)
            .to_string()
            .starts_with("invalid --lr:"));
    }
}
