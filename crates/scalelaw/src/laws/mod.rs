//! The scalability laws, one module per law, and lookup by identifier.

pub mod bnsl;
pub mod chinchilla;
pub mod kaplan;
pub mod usl;

use crate::law::Law;

pub use bnsl::Bnsl;
pub use chinchilla::Chinchilla;
pub use kaplan::{Kaplan, KaplanE};
pub use usl::Usl;

/// Every law that fits one scale parameter against a rate or time, in ranking order
/// of simplicity (simplest first).
pub fn throughput_laws() -> Vec<Box<dyn Law>> {
    vec![Box::new(Usl)]
}

/// Looks up a law by its identifier (`usl`).
pub fn by_id(id: &str) -> Option<Box<dyn Law>> {
    throughput_laws().into_iter().find(|law| law.id() == id)
}

/// Identifiers of every law [`by_id`] knows.
pub fn ids() -> Vec<&'static str> {
    throughput_laws().iter().map(|law| law.id()).collect()
}
