//! placeholder

/// Synthetic territory instances for demos, tests and benchmarks.
pub mod generate;
