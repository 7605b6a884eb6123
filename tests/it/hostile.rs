//! Hostile input: the fuzz targets' properties (`tests/properties/`) over
//! the inputs kept from fuzzing (`tests/fuzz-regressions/<target>/`) and
//! over hand-written attacks.

#[path = "../properties/mod.rs"]
mod properties;

use std::path::Path;

#[test]
fn kept_fuzz_inputs_still_hold_their_properties() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let counts = properties::run_regressions(&base);
    for (name, _) in properties::TARGETS {
        assert!(counts.get(name).copied().unwrap_or(0) > 0, "no kept inputs for the fuzz target `{name}`");
    }
}
