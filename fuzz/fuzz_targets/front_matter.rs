//! Fuzz target `front_matter`: its property is `properties::front_matter` (shared with the
//! regression tests in `tests/it/hostile.rs`).
#![no_main]

#[path = "../../tests/properties/mod.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::front_matter(data));
