//! Arbitrary bytes as plan.toml; a plan that parses must validate and build the tiny instance.
//! The body is `allot_model::fuzzing::plan_toml`, which `cargo test` also runs under stable
//! (crates/allot-model/tests/fuzz_stable.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    allot_model::fuzzing::plan_toml(data);
});
