//! Runs a command template at every point of a sweep and records observations.
//!
//! The pieces, in the order a sweep uses them:
//!
//! - [`param`] parses scale parameters (`workers=1,2,4`, `n=1..64:x2`) into points;
//! - [`settings`] contains what defines a sweep and compiles it into a [`Plan`], which fills
//!   [`template`] placeholders to build each [`RunRequest`];
//! - [`schedule`] decides which point runs next and when a point has enough runs;
//! - an [`Executor`] runs it: [`ProcessExecutor`] for real processes, [`MockExecutor`] for
//!   tests;
//! - [`runner`] turns each execution into a [`RunRecord`], reading custom [`metric`]s from
//!   the output, and appends it to the [`journal`] before the next run;
//! - [`results`] summarizes each point with the statistics in [`stats`].
//!
//! The process executor uses Unix process groups, `waitid` and `wait4`, so the crate
//! builds on Unix only (tested on Linux).

pub mod executor;
pub mod journal;
pub mod metric;
pub mod param;
pub mod process;
pub mod results;
pub mod runner;
pub mod schedule;
pub mod settings;
pub mod stats;
pub mod template;

pub use executor::{ExecuteError, Execution, Executor, MockExecutor, RunRequest, RunStatus};
pub use journal::{JournalError, JournalWriter, LoadedJournal, RunRecord};
pub use param::{Point, ScaleParameter};
pub use process::{Interrupt, ProcessExecutor};
pub use results::{summarize, MetricResult, PointResult};
pub use runner::{Observer, Silent, Stop, Sweep, SweepError};
pub use schedule::RunKind;
pub use settings::{Order, Plan, PlanError, Settings, StopRule};
pub use stats::Summary;
