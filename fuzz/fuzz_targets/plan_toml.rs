//! Arbitrary bytes as plan.toml; a plan that parses must validate and build the tiny
//! instance (or refuse it with a reason).
#![no_main]

mod common;

use allot_model::Plan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Plan::from_toml(&text, "plan.toml") {
        Ok(plan) => {
            plan.validate("plan.toml")
                .expect("from_toml returned a plan that does not validate");
            common::read_and_build(common::TINY_ACCOUNTS, common::TINY_REPS, None, &plan);
        }
        Err(e) => assert!(e.to_string().starts_with("plan.toml")),
    }
});
