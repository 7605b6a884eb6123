//! Fuzz target `import_wxr`: its property is `properties::import_wxr` (shared with the
//! regression tests in `tests/it/hostile.rs`).
#![no_main]

#[path = "../../tests/properties/mod.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::import_wxr(data));
