//! One module per command.

pub mod balance;
pub mod bench;
pub mod bench_records;
pub mod bench_territory;
pub mod capacity;
pub mod compare;
pub mod demo;
pub mod evaluate;
pub mod frontier;
pub mod generate;
pub mod init;
