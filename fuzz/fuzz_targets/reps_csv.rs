//! Arbitrary bytes as reps.csv, with the tiny and the Salesforce accounts.
//! The body is `allot_model::fuzzing::reps_csv`, which `cargo test` also runs under stable
//! (crates/allot-model/tests/fuzz_stable.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    allot_model::fuzzing::reps_csv(data);
});
