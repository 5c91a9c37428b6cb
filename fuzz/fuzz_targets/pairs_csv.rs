//! Arbitrary bytes as pairs.csv, with the tiny accounts and reps, default and strict plan.
//! The body is `allot_model::fuzzing::pairs_csv`, which `cargo test` also runs under stable
//! (crates/allot-model/tests/fuzz_stable.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    allot_model::fuzzing::pairs_csv(data);
});
