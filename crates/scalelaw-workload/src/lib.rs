//! The built-in data-parallel training workload.
