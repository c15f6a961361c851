//! The `scalelaw` command: measure how a system scales, fit the law the measurements
//! follow and find the balance point between performance and cost.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod input;
mod output;
mod report;

#[derive(Parser)]
#[command(
    name = "scalelaw",
    version,
    about = "Measure how a system scales, fit the law it follows, find its balance point",
    long_about = None,
    after_help = "Examples:\n  \
        scalelaw demo\n  \
        scalelaw fit data/usl/specsdm91.csv --law usl\n  \
        scalelaw sweep -p workers=1..8 -- ./bench --threads {workers}\n  \
        scalelaw plan data.csv --cost-per-unit 2.5 --target-throughput 1500"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process, so the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Fit scalability laws to measurements in a CSV or JSON Lines file
    Fit(cmd::fit::FitArgs),
    /// Run a command at every point of a sweep and record the observations
    Sweep(cmd::sweep::SweepArgs),
    /// Find the balance point between performance and cost
    Plan(cmd::plan::PlanArgs),
    /// Write a self-contained HTML report with plots
    Report(cmd::report::ReportArgs),
    /// Run the built-in workload end to end: sweep, fit, plan and report
    Demo(cmd::demo::DemoArgs),
    /// Fit neural scaling laws (Chinchilla, Kaplan, broken power law) and plan compute
    #[command(subcommand)]
    Neural(cmd::neural::NeuralCommand),
    /// Run a built-in workload once
    #[command(subcommand)]
    Workload(cmd::workload::WorkloadCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fit(args) => cmd::fit::run(args),
        Command::Sweep(args) => cmd::sweep::run(args),
        Command::Plan(args) => cmd::plan::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Workload(command) => cmd::workload::run(command),
        Command::Neural(command) => cmd::neural::run(command),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
