//! File-system writes that matter: atomic replacement (temp file, fsync,
//! rename, fsync of the folder). A leaf: it knows nothing of sites.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `bytes` to `path` atomically: a temp file in the same folder,
/// fsync, rename, fsync of the folder. `create_new` refuses to replace an
/// existing file.
pub fn atomic_write(path: &Path, bytes: &[u8], create_new: bool) -> Result<()> {
    atomic_write_with(path, create_new, |out| Ok(out.write_all(bytes)?))
}

/// `atomic_write` for text made as it is written (`write` gets a buffered
/// writer), so a large file is never held in memory whole.
pub fn atomic_write_with(
    path: &Path,
    create_new: bool,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".parlor-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("failed to create a temporary file in `{}`", dir.display()))?;
    let mut out = io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
    write(&mut out)
        .and_then(|()| Ok(out.flush()?))
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    drop(out);
    tmp.as_file().sync_all().with_context(|| format!("failed to write `{}`", path.display()))?;
    // A failpoint for crash tests: die as a crash would, with the new text
    // safely in the temp file and the old file not yet replaced.
    if std::env::var_os("PARLOR_TEST_CRASH_BEFORE_RENAME").is_some() {
        let _ = tmp.keep();
        std::process::abort();
    }
    if create_new {
        tmp.persist_noclobber(path)
            .map_err(|e| e.error)
            .with_context(|| format!("failed to create `{}`", path.display()))?;
    } else {
        tmp.persist(path)
            .map_err(|e| e.error)
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    sync_dir(dir)
}

/// Syncs a folder, so that a rename in it survives a crash.
pub fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("failed to sync `{}`", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_can_refuse_to_replace() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("c.md");
        atomic_write(&path, b"a", true).unwrap();
        assert!(atomic_write(&path, b"b", true).is_err());
        atomic_write(&path, b"c", false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"c");
    }
}
