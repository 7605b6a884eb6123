//! Fuzz target `intake_form`: its property is `properties::intake_form` (shared with the
//! regression tests in `tests/it/hostile.rs`).
#![no_main]

#[path = "../../tests/properties/mod.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::intake_form(data));
