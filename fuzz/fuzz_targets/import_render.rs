//! Fuzz target `import_render`: its property is `properties::import_render` (shared with the
//! regression tests in `tests/it/hostile.rs`): an export, imported and built, publishes only
//! what a post may show.
#![no_main]

#[path = "../../tests/properties/mod.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::import_render(data));
