//! `scalelaw plan`.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct PlanArgs {}

pub fn run(_args: PlanArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("scalelaw plan is not built yet")
}
