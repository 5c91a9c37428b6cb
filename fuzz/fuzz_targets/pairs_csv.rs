//! Arbitrary bytes as pairs.csv, with the tiny accounts and reps.
#![no_main]

mod common;

use allot_model::Plan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let plan = Plan::default();
    common::read_and_build(common::TINY_ACCOUNTS, common::TINY_REPS, Some(data), &plan);
    let strict = Plan {
        strict: true,
        ..Plan::default()
    };
    common::read_and_build(
        common::TINY_ACCOUNTS,
        common::TINY_REPS,
        Some(data),
        &strict,
    );
});
