//! Stage 5: write the rendered site. The whole site goes into a fresh
//! folder beside the output, is synced to disk, and only then swapped in,
//! so a failed or killed build leaves the previous output whole.
//!
//! Also the one place that writes single files atomically (temp file,
//! fsync, rename), for every other write that matters.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::render::{OutputContent, OutputFile, Rendered};

/// Writes `rendered` to `dest`, replacing what was there only once the new
/// site is complete on disk.
pub fn write_site(rendered: &Rendered, dest: &Path) -> Result<()> {
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("failed to create `{}`", parent.display()))?;
    let name = dest.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.building-"))
        .tempdir_in(parent)
        .with_context(|| format!("failed to create a build folder in `{}`", parent.display()))?;
    write_files(&rendered.files, staging.path())?;
    sync_tree(staging.path())?;
    swap_in(staging.keep(), dest, parent, &name)
}

fn write_files(files: &[OutputFile], root: &Path) -> Result<()> {
    let mut dirs: Vec<PathBuf> =
        files.iter().filter_map(|f| Path::new(&f.path).parent().map(|p| root.join(p))).collect();
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
    }
    files.par_iter().try_for_each(|file| {
        let target = root.join(&file.path);
        match &file.content {
            OutputContent::Bytes(bytes) => fs::write(&target, bytes).map(drop),
            OutputContent::Static(bytes) => fs::write(&target, bytes).map(drop),
            OutputContent::Shared(bytes) => fs::write(&target, bytes).map(drop),
            OutputContent::Copy(source) => fs::copy(source, &target).map(drop),
        }
        .with_context(|| format!("failed to write `{}`", file.path))
    })
}

/// One `syncfs` flushes every file of the new site (cheaper than an fsync
/// per file, and just as durable for the swap that follows).
fn sync_tree(root: &Path) -> Result<()> {
    let dir = fs::File::open(root).with_context(|| format!("failed to open `{}`", root.display()))?;
    rustix::fs::syncfs(&dir).with_context(|| format!("failed to sync `{}` to disk", root.display()))
}

/// Moves the old output aside, the new one in, then deletes the old one.
/// At every moment either the old or the new site is at `dest` (or, for
/// the instant between the two renames, the old one sits beside it).
fn swap_in(staging: PathBuf, dest: &Path, parent: &Path, name: &str) -> Result<()> {
    let old = if dest.exists() {
        let aside = parent.join(format!(".{name}.old-{}", std::process::id()));
        fs::rename(dest, &aside)
            .with_context(|| format!("failed to move the old `{}` aside", dest.display()))?;
        Some(aside)
    } else {
        None
    };
    if let Err(e) = fs::rename(&staging, dest) {
        if let Some(aside) = &old {
            let _ = fs::rename(aside, dest);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(e).with_context(|| format!("failed to move the new site into `{}`", dest.display()));
    }
    sync_dir(parent)?;
    if let Some(aside) = old {
        fs::remove_dir_all(&aside)
            .with_context(|| format!("failed to remove the old site at `{}`", aside.display()))?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("failed to sync `{}`", dir.display()))
}

/// Writes `bytes` to `path` atomically: a temp file in the same folder,
/// fsync, rename, fsync of the folder. `create_new` refuses to replace an
/// existing file.
pub fn atomic_write(path: &Path, bytes: &[u8], create_new: bool) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".parlor-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("failed to create a temporary file in `{}`", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("failed to write `{}`", path.display()))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(pairs: &[(&str, &str)]) -> Rendered {
        Rendered {
            files: pairs
                .iter()
                .map(|(p, c)| OutputFile {
                    path: p.to_string(),
                    content: OutputContent::Bytes(c.as_bytes().to_vec()),
                })
                .collect(),
            pages: pairs.len(),
        }
    }

    #[test]
    fn the_new_site_replaces_the_old_one_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        write_site(&rendered(&[("index.html", "one"), ("a/b/index.html", "x")]), &dest).unwrap();
        write_site(&rendered(&[("index.html", "two")]), &dest).unwrap();
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "two");
        assert!(!dest.join("a").exists(), "stale files are gone");
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["public"]);
    }

    #[test]
    fn a_failed_write_leaves_the_old_site() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        write_site(&rendered(&[("index.html", "one")]), &dest).unwrap();
        let bad = Rendered {
            files: vec![OutputFile {
                path: "x".into(),
                content: OutputContent::Copy("/no/such/file".into()),
            }],
            pages: 0,
        };
        assert!(write_site(&bad, &dest).is_err());
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "one");
    }

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
