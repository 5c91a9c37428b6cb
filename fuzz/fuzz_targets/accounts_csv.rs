//! Arbitrary bytes as accounts.csv, with the tiny and the Salesforce reps.
#![no_main]

mod common;

use allot_model::Plan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::read_and_build(data, common::TINY_REPS, None, &Plan::default());
    common::read_and_build(data, common::SF_REPS, None, &common::salesforce_plan());
});
