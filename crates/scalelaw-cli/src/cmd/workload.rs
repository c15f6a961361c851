//! `scalelaw workload`.

use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum WorkloadCommand {
    /// Data-parallel training of a multilayer perceptron
    Mlp,
}

pub fn run(_command: WorkloadCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("scalelaw workload is not built yet")
}
