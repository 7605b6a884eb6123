//! The built-in theme is embedded with include_dir; rebuild when it changes.
//! `PARLOR_BUILD_ID` names this exact build of parlor (a hash of its
//! sources and theme), so a cache written by any other build is not used.

use std::hash::{Hash, Hasher};
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    for dir in ["src", "themes/default"] {
        hash_tree(Path::new(dir), &mut hasher);
    }
    if let Ok(lock) = std::fs::read("Cargo.lock") {
        lock.hash(&mut hasher);
    }
    println!("cargo:rustc-env=PARLOR_BUILD_ID={}-{:016x}", env!("CARGO_PKG_VERSION"), hasher.finish());
}

fn hash_tree(dir: &Path, hasher: &mut impl Hasher) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            hash_tree(&path, hasher);
        } else if let Ok(bytes) = std::fs::read(&path) {
            path.hash(hasher);
            bytes.hash(hasher);
        }
    }
}
