//! Reading observations from files: tidy CSV and JSON Lines, column roles given by
//! flags or guessed from names, row filters (`--where`) and series grouping (`--by`).

use std::path::PathBuf;

use scalelaw::Observations;

/// Where the data comes from and which columns play which role; shared by `fit`,
/// `plan` and `report`.
#[derive(clap::Args, Clone, Debug)]
pub struct DataArgs {
    /// Data file: tidy CSV (one row per run or observation) or JSON Lines (.jsonl)
    pub file: PathBuf,

    /// Column holding the scale parameter (guessed from names such as n, workers,
    /// nodes, threads, concurrency, load when omitted)
    #[arg(long)]
    pub x: Option<String>,

    /// Column holding the metric (guessed from names such as throughput, time,
    /// latency when omitted)
    #[arg(long)]
    pub y: Option<String>,

    /// Keep only rows where COLUMN equals VALUE; repeat to combine conditions
    #[arg(long = "where", value_name = "COLUMN=VALUE")]
    pub filters: Vec<String>,

    /// Fit one series per distinct combination of these columns
    #[arg(long, value_delimiter = ',', value_name = "COLUMN,...")]
    pub by: Vec<String>,
}

/// One series of observations selected from a file.
#[derive(Debug, Clone)]
pub struct Series {
    /// `column=value` pairs of the `--by` group; empty without `--by`.
    pub label: String,
    pub observations: Observations,
    /// What the reader decided on the user's behalf (guessed columns, derived
    /// metrics, skipped rows), to be printed.
    pub notes: Vec<String>,
}

/// Reads the file and returns one series per `--by` group (one series without it).
pub fn load_series(args: &DataArgs) -> anyhow::Result<Vec<Series>> {
    anyhow::bail!(
        "reading {} is not built yet (this placeholder is replaced by the input reader)",
        args.file.display()
    )
}
