//! Arbitrary bytes as accounts.csv, with the tiny and the Salesforce reps.
//! The body is `allot_model::fuzzing::accounts_csv`, which `cargo test` also runs under stable
//! (crates/allot-model/tests/fuzz_stable.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    allot_model::fuzzing::accounts_csv(data);
});
