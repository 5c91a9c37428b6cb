//! Arbitrary bytes as reps.csv, with the tiny and the Salesforce accounts.
#![no_main]

mod common;

use allot_model::Plan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::read_and_build(common::TINY_ACCOUNTS, data, None, &Plan::default());
    common::read_and_build(common::SF_ACCOUNTS, data, None, &common::salesforce_plan());
});
