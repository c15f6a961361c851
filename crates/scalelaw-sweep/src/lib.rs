//! Runs a command template at every point of a sweep and records observations.
