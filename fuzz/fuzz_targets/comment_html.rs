//! Fuzz target `comment_html`: its property is `properties::comment_html` (shared with the
//! regression tests in `tests/it/hostile.rs`).
#![no_main]

#[path = "../../tests/properties/mod.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::comment_html(data));
