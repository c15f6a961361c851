//! scalelaw: fit the law that scaling measurements follow and find the balance point
//! between performance and cost.
//!
//! The library does no I/O. Callers build [`Observations`] from their own files, pick a
//! [`Law`] (or let [`select::compare`] rank all of them) and call [`fit::fit`]. The
//! resulting [`fit::Fit`] carries parameter estimates with standard errors, t intervals
//! and seeded bootstrap intervals, diagnostics and the regime the fit implies.

pub mod data;
pub mod fit;
pub mod law;
pub mod laws;
pub mod little;
pub mod neural;
pub mod plan;
pub mod queueing;
pub mod select;
pub mod stats;

pub use data::{DataError, Observations, PointSummary};

pub use fit::{fit, Fit, FitError, FitOptions};
pub use law::{Derived, Law, ParamSpec, Regime, RegimeKind};
