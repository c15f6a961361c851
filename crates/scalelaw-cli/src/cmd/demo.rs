//! `scalelaw demo`: the main job end to end on the built-in workload.
//!
//! It sweeps data-parallel MLP training over 1 to 2× the core count workers, so the
//! cost of oversubscription shows, and writes every run to disk as it finishes. Then it
//! fits every law, chooses one and finds the balance points with a default cost model.
//! Last, it writes the HTML report and prints a short explained summary. Every number
//! printed comes from the runs just made.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use scalelaw::plan::{Plan, PlanError};
use scalelaw::select::{compare, Comparison};
use scalelaw::{FitOptions, Observations};
use scalelaw_workload::{train, Batch, MlpShape, StopRule, TrainConfig, TrainReport};

use crate::output::Format;
use crate::report::{self, ReportInputs, SeriesReport};

mod summary;

/// Minimum number of worker counts the demo measures. The USL has three parameters, and
/// fewer points leave no degrees of freedom for its uncertainty.
const MIN_POINTS: usize = 3;

/// Global batch of the demo before it is rounded so every worker count divides it.
const BASE_GLOBAL_BATCH: usize = 1024;

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = "Examples:
  scalelaw demo
      sweep 1 to 2x the core count workers, 3 runs each, and explain the result
  scalelaw demo --max-workers 8 --runs 5 --run-seconds 2
      a longer, more precise sweep
  scalelaw demo --cost-per-worker 0.34 --target-throughput 150000
      plan with your own price per worker-hour and throughput target

Files written to --out-dir: observations.csv (one row per run, readable by
`scalelaw fit`), runs.jsonl (the full report of each run) and report.html.")]
pub struct DemoArgs {
    /// Largest number of workers to measure, at least 3 [default: twice the number of
    /// cores, and at least 3]
    #[arg(long, value_name = "N")]
    pub max_workers: Option<usize>,

    /// Timed runs at each worker count
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub runs: usize,

    /// Seconds of timed training in each run (after a short untimed warm-up)
    #[arg(long, default_value_t = 1.5, value_name = "SECONDS")]
    pub run_seconds: f64,

    /// Hidden units of the MLP (100 inputs, 10 classes)
    #[arg(long, default_value_t = 128, value_name = "N")]
    pub hidden: usize,

    /// Folder for observations.csv, runs.jsonl and report.html
    #[arg(long, short = 'o', default_value = "scalelaw-demo", value_name = "DIR")]
    pub out_dir: PathBuf,

    /// Seed of the training data, the run order and the bootstrap
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Bootstrap resamples for the intervals
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub bootstrap: usize,

    /// Price of one worker per hour, in any currency unit
    #[arg(long, default_value_t = 1.0, value_name = "PRICE")]
    pub cost_per_worker: f64,

    /// Throughput target in samples/s for the cheapest worker count [default: 90% of
    /// the highest measured mean]
    #[arg(long, value_name = "SAMPLES_PER_S")]
    pub target_throughput: Option<f64>,

    /// Lowest acceptable parallel efficiency for the knee, between 0 and 1
    #[arg(long, default_value_t = 0.5, value_name = "FRACTION")]
    pub min_efficiency: f64,

    /// Output format of the summary
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One finished run of the sweep.
#[derive(Debug, Clone)]
pub struct DemoRun {
    pub workers: usize,
    pub repeat: usize,
    pub report: TrainReport,
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    validate(&args)?;
    let started = Instant::now();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max_workers = args.max_workers.unwrap_or((2 * cores).max(MIN_POINTS));
    let (global_batch, worker_counts) = choose_points(max_workers);
    if worker_counts.len() < MIN_POINTS {
        anyhow::bail!(
            "--max-workers {max_workers} gives {} worker count(s), but a law with uncertainty \
             needs at least {MIN_POINTS}; set --max-workers {MIN_POINTS} or more",
            worker_counts.len()
        );
    }
    check_workload(&args, global_batch, &worker_counts)?;

    fs::create_dir_all(&args.out_dir).with_context(|| {
        format!(
            "cannot create the output folder {}; choose another with --out-dir",
            args.out_dir.display()
        )
    })?;
    let mut journal = Journal::create(&args.out_dir)?;

    eprintln!(
        "scalelaw demo: data-parallel training of a {}-{}-{} MLP with Adam, ring allreduce, \
         strong scaling (global batch {global_batch}), {} to {} workers on {cores} cores, \
         {} runs each",
        MlpShape::default().inputs,
        args.hidden,
        MlpShape::default().classes,
        worker_counts[0],
        worker_counts[worker_counts.len() - 1],
        args.runs,
    );

    let mut schedule: Vec<(usize, usize)> = worker_counts
        .iter()
        .flat_map(|&w| (0..args.runs).map(move |r| (w, r)))
        .collect();
    // A seeded random order keeps machine drift from passing for a scaling effect.
    schedule.shuffle(&mut ChaCha8Rng::seed_from_u64(args.seed));

    let progress = progress_bar(schedule.len() as u64);
    let mut runs = Vec::with_capacity(schedule.len());
    for (workers, repeat) in schedule {
        progress.set_message(format!(
            "{workers} workers, run {}/{}",
            repeat + 1,
            args.runs
        ));
        let config = training_config(&args, workers, global_batch);
        let report =
            train(&config).with_context(|| format!("training with {workers} workers failed"))?;
        let run = DemoRun {
            workers,
            repeat,
            report,
        };
        journal.append(&run)?;
        runs.push(run);
        progress.inc(1);
    }
    progress.finish_and_clear();
    let sweep_seconds = started.elapsed().as_secs_f64();

    let observations = Observations::new(
        "workers",
        "samples_per_s",
        runs.iter().map(|r| r.workers as f64).collect(),
        runs.iter().map(|r| r.report.samples_per_s).collect(),
    )
    .context("the runs produced invalid throughputs")?;
    let options = FitOptions {
        bootstrap_resamples: args.bootstrap,
        seed: args.seed,
        ..FitOptions::default()
    };
    let comparison = compare(&scalelaw::laws::throughput_laws(), &observations, &options);

    let (target, _) = summary::target(&args, &observations);
    let plan = comparison
        .chosen_fit()
        .map(|fit| summary::make_plan(fit, &args, target));
    let report_path = write_demo_report(&args, &observations, &comparison, plan.as_ref());

    let context = summary::Context {
        args: &args,
        cores,
        global_batch,
        sweep_seconds,
        observations_path: journal.csv_path.clone(),
        report_path,
    };
    let text = summary::render(&context, &runs, &observations, &comparison, plan.as_ref());
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// Writes `report.html` into the output folder and returns its path. A report that
/// cannot be written (no font for the plot text, say) is a warning, not a failure,
/// because the measurements and the summary are complete without it.
fn write_demo_report(
    args: &DemoArgs,
    observations: &Observations,
    comparison: &Comparison,
    plan: Option<&Result<Plan, PlanError>>,
) -> Option<PathBuf> {
    let mut inputs = ReportInputs::new("scalelaw demo: data-parallel MLP training");
    inputs.settings = vec![
        (
            "workload".into(),
            "MLP 100-hidden-10, Adam, ring allreduce".into(),
        ),
        ("hidden units".into(), args.hidden.to_string()),
        ("runs per point".into(), args.runs.to_string()),
        ("seconds per run".into(), args.run_seconds.to_string()),
        (
            "cost per worker-hour".into(),
            args.cost_per_worker.to_string(),
        ),
        ("bootstrap resamples".into(), args.bootstrap.to_string()),
        ("seed".into(), args.seed.to_string()),
    ];
    let mut series = SeriesReport::new(
        "samples/s against workers",
        observations.clone(),
        comparison.clone(),
    );
    if let Some(Ok(plan)) = plan {
        series.marks = report::marks_from_plan(plan, true);
        series.frontier = report::frontier_from_plan(plan);
    }
    inputs.series.push(series);

    let path = args.out_dir.join("report.html");
    match report::write_report(&inputs, &path) {
        Ok(()) => Some(path),
        Err(err) => {
            eprintln!(
                "warning: the report was not written: {err:#}; the measurements and the \
                 summary are complete (run scripts/setup.sh to install the fonts plots need)"
            );
            None
        }
    }
}

/// Checks every training configuration before the first run, so a bad `--hidden` fails
/// at once instead of part-way through the sweep.
fn check_workload(
    args: &DemoArgs,
    global_batch: usize,
    worker_counts: &[usize],
) -> anyhow::Result<()> {
    for &workers in worker_counts {
        training_config(args, workers, global_batch)
            .validate()
            .map_err(|err| anyhow::anyhow!("{err}"))?;
    }
    Ok(())
}

fn training_config(args: &DemoArgs, workers: usize, global_batch: usize) -> TrainConfig {
    TrainConfig {
        workers,
        batch: Batch::Global(global_batch),
        stop: StopRule::Duration(Duration::from_secs_f64(args.run_seconds)),
        warmup_steps: 5,
        shape: MlpShape {
            hidden: args.hidden,
            ..MlpShape::default()
        },
        seed: args.seed,
        progress_interval: Duration::from_secs(3600),
        ..TrainConfig::default()
    }
}

fn validate(args: &DemoArgs) -> anyhow::Result<()> {
    if args.runs == 0 {
        anyhow::bail!("--runs must be at least 1");
    }
    if !(args.run_seconds > 0.0 && args.run_seconds.is_finite()) {
        anyhow::bail!(
            "--run-seconds must be a positive number of seconds, got {}",
            args.run_seconds
        );
    }
    if args.max_workers == Some(0) {
        anyhow::bail!("--max-workers must be at least 1");
    }
    if !(args.cost_per_worker > 0.0 && args.cost_per_worker.is_finite()) {
        anyhow::bail!(
            "--cost-per-worker must be a positive price, got {}",
            args.cost_per_worker
        );
    }
    if !(args.min_efficiency > 0.0 && args.min_efficiency <= 1.0) {
        anyhow::bail!(
            "--min-efficiency must lie in (0, 1], got {}",
            args.min_efficiency
        );
    }
    if let Some(target) = args.target_throughput {
        if !(target > 0.0 && target.is_finite()) {
            anyhow::bail!("--target-throughput must be positive, got {target}");
        }
    }
    Ok(())
}

/// Picks a global batch near 1,024 that every worker count from 1 to `max_workers`
/// divides, so each worker gets an equal shard. When no such batch is reasonable
/// (the least common multiple exceeds 4,096), keeps 1,024 and measures only the worker
/// counts that divide it.
fn choose_points(max_workers: usize) -> (usize, Vec<usize>) {
    let lcm = (1..=max_workers).fold(1usize, |acc, w| {
        if acc > 4096 {
            acc
        } else {
            acc / gcd(acc, w) * w
        }
    });
    if lcm <= 4096 {
        let batch = BASE_GLOBAL_BATCH.div_ceil(lcm) * lcm;
        (batch, (1..=max_workers).collect())
    } else {
        let counts = (1..=max_workers)
            .filter(|w| BASE_GLOBAL_BATCH % w == 0)
            .collect();
        (BASE_GLOBAL_BATCH, counts)
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} runs  {msg}  ETA {eta}")
            .expect("the template is valid"),
    );
    bar
}

/// The run files: a tidy CSV that `scalelaw fit` reads and a JSON Lines journal, both
/// flushed after every run so an interrupted demo keeps its finished runs.
struct Journal {
    csv: BufWriter<File>,
    jsonl: BufWriter<File>,
    csv_path: PathBuf,
}

impl Journal {
    fn create(dir: &Path) -> anyhow::Result<Self> {
        let csv_path = dir.join("observations.csv");
        let jsonl_path = dir.join("runs.jsonl");
        let open = |path: &Path| {
            File::create(path).with_context(|| {
                format!(
                    "cannot write {}; choose another folder with --out-dir",
                    path.display()
                )
            })
        };
        let mut csv = BufWriter::new(open(&csv_path)?);
        writeln!(
            csv,
            "workers,samples_per_s,step_ms,compute_ms,allreduce_ms,final_loss,repeat,status,timestamp"
        )?;
        csv.flush()?;
        Ok(Self {
            csv,
            jsonl: BufWriter::new(open(&jsonl_path)?),
            csv_path,
        })
    }

    fn append(&mut self, run: &DemoRun) -> anyhow::Result<()> {
        let r = &run.report;
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        writeln!(
            self.csv,
            "{},{},{},{},{},{},{},ok,{timestamp:.3}",
            run.workers,
            r.samples_per_s,
            r.step_ms,
            r.compute_ms,
            r.allreduce_ms,
            r.final_loss,
            run.repeat + 1
        )?;
        self.csv.flush()?;
        self.csv.get_ref().sync_data()?;
        serde_json::to_writer(&mut self.jsonl, r)?;
        writeln!(self.jsonl)?;
        self.jsonl.flush()?;
        self.jsonl.get_ref().sync_data()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choose_points_divides_batch_evenly() {
        let (batch, counts) = choose_points(4);
        assert_eq!(counts, vec![1, 2, 3, 4]);
        assert_eq!(batch, 1032);
        for w in counts {
            assert_eq!(batch % w, 0);
        }
    }

    #[test]
    fn choose_points_falls_back_to_divisors() {
        let (batch, counts) = choose_points(32);
        assert_eq!(batch, 1024);
        assert_eq!(counts, vec![1, 2, 4, 8, 16, 32]);
    }
}
