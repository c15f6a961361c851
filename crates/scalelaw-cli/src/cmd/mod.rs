//! One module per subcommand.

pub mod demo;
pub mod fit;
pub mod neural;
pub mod plan;
pub mod report;
pub mod sweep;
pub mod workload;
