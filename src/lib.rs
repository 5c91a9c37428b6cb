//! allot — territory balancing optimizer. This root package hosts the `allot` binary, the
//! end-to-end tests and the benches, and re-exports the three crates.

pub use allot_cli as cli;
pub use allot_model as model;
pub use allot_opt as opt;
