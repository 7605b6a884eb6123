//! The files one build leaves for the next under `.parlor/cache`. Each is
//! a magic number, then postcard, and belongs to one build of parlor
//! (`BUILD_ID`): a file from another build, or one that does not read, is
//! no cache at all, which can cost time, never correctness. A leaf.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// This exact build of parlor (its version and a hash of its sources):
/// caches written by any other build are not used.
pub const BUILD_ID: &str = env!("PARLOR_BUILD_ID");

/// Where a site keeps what one build leaves for the next, under its root.
pub const CACHE_DIR: &str = ".parlor/cache";

/// Writes `value` to `path` atomically, after `magic` and this build's id;
/// streamed, never held whole in memory.
pub fn write(path: &Path, magic: &[u8; 8], value: &impl Serialize) -> anyhow::Result<()> {
    crate::fsx::atomic_write_with(path, false, |out| {
        out.write_all(magic)?;
        postcard::to_io(&(BUILD_ID, value), out)?;
        Ok(())
    })
}

/// What `write` wrote at `path` with `magic`, if this build wrote it.
pub fn read<T: DeserializeOwned>(path: &Path, magic: &[u8; 8]) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    let (build, value): (String, T) = postcard::from_bytes(bytes.strip_prefix(magic)?).ok()?;
    (build == BUILD_ID).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_back_only_with_its_magic_and_this_build() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.bin");
        write(&path, b"TESTMAG1", &vec![1u32, 2, 3]).unwrap();
        assert_eq!(read::<Vec<u32>>(&path, b"TESTMAG1"), Some(vec![1, 2, 3]));
        assert_eq!(read::<Vec<u32>>(&path, b"TESTMAG2"), None);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[9] ^= 1; // a byte of the build id
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(read::<Vec<u32>>(&path, b"TESTMAG1"), None);
    }
}
