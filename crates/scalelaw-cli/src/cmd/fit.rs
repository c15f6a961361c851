//! `scalelaw fit`.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct FitArgs {}

pub fn run(_args: FitArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("scalelaw fit is not built yet")
}
