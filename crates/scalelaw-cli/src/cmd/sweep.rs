//! `scalelaw sweep`.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct SweepArgs {}

pub fn run(_args: SweepArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("scalelaw sweep is not built yet")
}
