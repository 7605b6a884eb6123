//! Stage 5: write the rendered site. The whole site goes into a folder
//! beside the output, is synced to disk, and only then swapped in, so a
//! failed or killed build leaves the previous output whole.
//!
//! That folder is the build before last (`.public.previous`), rewritten in
//! place: files are overwritten, not created, and the old site is kept for
//! the next build rather than deleted. Creating and deleting tens of
//! thousands of files costs far more than writing their bytes (on ext4,
//! each new inode is searched for past recently freed ones), so a rebuild
//! creates and deletes only what the site gained or lost.
//!
//! Also the one place that writes single files atomically (temp file,
//! fsync, rename), for every other write that matters.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::fsx::sync_dir;
use crate::render::{OutputContent, OutputFile, Rendered, Sink, WrittenFiles};

/// Writes `rendered` to `dest`, replacing what was there only once the new
/// site is complete on disk.
pub fn write_site(rendered: &Rendered, dest: &Path) -> Result<()> {
    let staging = Staging::open(dest)?;
    let written = rendered.files.par_iter().try_for_each(|file| staging.put(file));
    match written {
        Ok(()) => staging.commit().map(drop),
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

/// A new site being written beside `dest`, file by file as pages are
/// rendered; `commit` swaps it in, `abandon` leaves the old site alone.
pub struct Staging {
    root: PathBuf,
    dest: PathBuf,
    spare: PathBuf,
    /// Reused from the build before last: files it has that the new site
    /// lacks are removed on commit.
    reused: bool,
    /// Each written file's size and modification time.
    written: Mutex<HashMap<String, (u64, SystemTime)>>,
    writeback: Writeback,
}

impl Staging {
    /// Claims the folder to build in: the build before last if there is
    /// one (and no other build holds it), else a new folder.
    pub fn open(dest: &Path) -> Result<Staging> {
        let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent).with_context(|| format!("failed to create `{}`", parent.display()))?;
        let name = dest.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let spare = parent.join(format!(".{name}.previous"));
        let root = parent.join(format!(".{name}.building-{}", std::process::id()));
        let reused = fs::rename(&spare, &root).is_ok() || adopt_orphan(parent, &name, &root) || root.exists();
        if !reused {
            fs::create_dir(&root).with_context(|| format!("failed to create `{}`", root.display()))?;
        }
        Ok(Staging {
            root,
            dest: dest.to_path_buf(),
            spare,
            reused,
            written: Mutex::default(),
            writeback: Writeback::default(),
        })
    }

    /// Writes one file of the new site.
    pub fn put(&self, file: &OutputFile) -> Result<()> {
        let target = self.root.join(&file.path);
        let written = match overwrite(&target, &file.content) {
            // Folders are made on first need, not looked for before each file.
            Err(e) if lacks_folder(&e) => {
                make_dir(target.parent().unwrap_or(&self.root))?;
                overwrite(&target, &file.content)
            }
            written => written,
        }
        .with_context(|| format!("failed to write `{}`", target.display()))?;
        self.written.lock().unwrap_or_else(|e| e.into_inner()).insert(file.path.clone(), written);
        self.writeback.wrote(written.0, &self.root);
        Ok(())
    }

    /// Removes what the new site lacks, syncs it to disk and swaps it in;
    /// the old site is kept as the folder the next build rewrites.
    pub fn commit(self) -> Result<WrittenFiles> {
        let written = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        let result = (if self.reused { remove_stale(&self.root, &written) } else { Ok(()) })
            .and_then(|()| sync_tree(&self.root))
            .and_then(|()| swap_in(&self.root, &self.dest, &self.spare));
        if let Err(e) = result {
            self.abandon();
            return Err(e);
        }
        Ok(written)
    }

    /// Leaves the old site as it was. Whatever the folder holds, the next
    /// build rewrites it whole.
    pub fn abandon(self) {
        let _ = fs::rename(&self.root, &self.spare);
    }
}

/// Sends the new site to the disk while it is still being written. The
/// commit's `syncfs` would otherwise start writing hundreds of megabytes only
/// once the last page is made, and the build would wait for all of it; a
/// `syncfs` on a side thread after every `EVERY` bytes lets the disk work
/// while pages render. The commit still syncs everything before the swap,
/// so this changes when bytes reach the disk, never whether they have.
#[derive(Default)]
struct Writeback {
    /// Bytes written since the last side sync began.
    unsynced: AtomicU64,
    /// A side sync is running (at most one at a time).
    running: Arc<AtomicBool>,
}

impl Writeback {
    const EVERY: u64 = 48 << 20;

    fn wrote(&self, len: u64, root: &Path) {
        if self.unsynced.fetch_add(len, Ordering::Relaxed) + len < Self::EVERY
            || self.running.swap(true, Ordering::AcqRel)
        {
            return;
        }
        self.unsynced.store(0, Ordering::Relaxed);
        let running = Arc::clone(&self.running);
        let started = fs::File::open(root).ok().and_then(|dir| {
            let sync = move || {
                // Only a head start: a failure shows in the commit's own sync.
                let _ = rustix::fs::syncfs(&dir);
                running.store(false, Ordering::Release);
            };
            std::thread::Builder::new().name("writeback".into()).spawn(sync).ok()
        });
        if started.is_none() {
            self.running.store(false, Ordering::Release);
        }
    }
}

/// The render stage's sink for `build`: each file is written as soon as it
/// is rendered, so the site is never held in memory whole. Outputs the
/// output folder already holds are only noted, until some file changes: a
/// build in which nothing changed writes nothing. The first write error
/// is kept; later files are dropped and `commit` returns the error.
pub struct StreamingSink {
    dest: PathBuf,
    state: Mutex<SinkState>,
}

#[derive(Default)]
struct SinkState {
    staging: Option<Arc<Staging>>,
    /// Unchanged outputs seen before the first changed one.
    unchanged: Vec<OutputFile>,
    error: Option<anyhow::Error>,
}

impl StreamingSink {
    pub fn new(dest: &Path) -> StreamingSink {
        StreamingSink { dest: dest.to_path_buf(), state: Mutex::default() }
    }

    /// Swaps the new site in; `None` when every one of the `on_disk`
    /// outputs the folder held is unchanged and there is nothing else.
    pub fn commit(self, on_disk: usize) -> Result<Option<WrittenFiles>> {
        {
            let mut state = self.state();
            if let Some(e) = state.error.take() {
                drop(state);
                self.abandon();
                return Err(e);
            }
            if state.staging.is_none() && state.unchanged.len() == on_disk && on_disk > 0 {
                return Ok(None);
            }
        }
        let staging = self.staging()?;
        drop(self.state);
        let staging = Arc::into_inner(staging).context("a write of the new site is still running")?;
        staging.commit().map(Some)
    }

    pub fn abandon(self) {
        let staging = self.state.into_inner().unwrap_or_else(|e| e.into_inner()).staging;
        if let Some(staging) = staging.and_then(Arc::into_inner) {
            staging.abandon();
        }
    }

    /// The folder the new site is written in, opened on first need; the
    /// unchanged outputs noted so far are copied in then.
    fn staging(&self) -> Result<Arc<Staging>> {
        let (staging, unchanged) = {
            let mut state = self.state();
            if let Some(staging) = &state.staging {
                return Ok(Arc::clone(staging));
            }
            let staging = Arc::new(Staging::open(&self.dest)?);
            state.staging = Some(Arc::clone(&staging));
            (staging, std::mem::take(&mut state.unchanged))
        };
        unchanged.par_iter().try_for_each(|file| staging.put(file))?;
        Ok(staging)
    }

    fn write(&self, file: OutputFile) -> Result<()> {
        if matches!(file.content, OutputContent::Unchanged(_)) {
            let mut state = self.state();
            if state.staging.is_none() {
                state.unchanged.push(file);
                return Ok(());
            }
        }
        self.staging()?.put(&file)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SinkState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for StreamingSink {
    fn take(&self, file: OutputFile) -> Option<OutputFile> {
        let failed = self.state().error.is_some();
        if !failed && let Err(e) = self.write(file) {
            self.state().error.get_or_insert(e);
        }
        None
    }
}

/// Takes over the build folder of a build that was killed, so its files
/// are rewritten rather than left behind.
fn adopt_orphan(parent: &Path, name: &str, staging: &Path) -> bool {
    let prefix = format!(".{name}.building-");
    let Ok(entries) = fs::read_dir(parent) else { return false };
    entries.flatten().any(|entry| {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { return false };
        !process_is_alive(pid) && fs::rename(entry.path(), staging).is_ok()
    })
}

/// Whether the process `pid` still runs; where that cannot be known, it
/// is assumed to, so its folder is left alone.
fn process_is_alive(pid: &str) -> bool {
    if !cfg!(target_os = "linux") || pid.parse::<u32>().is_err() {
        return true;
    }
    Path::new("/proc").join(pid).exists()
}

/// Creates `dir` and its parents, replacing any file that stands where a
/// folder must be (a page of the old site whose path is now a folder).
fn make_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut at = dir;
    while let Some(up) = at.parent() {
        if up.is_file() || up.is_symlink() {
            remove_file(up)?;
        }
        if up.is_dir() {
            break;
        }
        at = up;
    }
    if dir.is_file() || dir.is_symlink() {
        remove_file(dir)?;
    }
    fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))
}

/// Removes a file another thread may have removed already.
fn remove_file(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("failed to remove `{}`", path.display()))
        }
        _ => Ok(()),
    }
}

/// Writes `content` at `path` over what is there, unless its bytes are
/// already there: the folder being rewritten is the build before last, so
/// most files hold exactly what they will hold. Such a file is only read,
/// costs the disk nothing, and keeps its modification time (so a deploy
/// that copies by time sends only what changed). A file that differs is not
/// truncated first: overwriting its blocks and then cutting it to length is
/// much cheaper than freeing them and allocating new ones. Three or four
/// system calls a file; a site has tens of thousands of files.
fn overwrite(path: &Path, content: &OutputContent) -> io::Result<(u64, SystemTime)> {
    let mut file = open_over(path)?;
    let before = file.metadata()?;
    let written = match content {
        OutputContent::Bytes(bytes) => write_unless_held(&mut file, bytes, before.len())?,
        OutputContent::Static(bytes) => write_unless_held(&mut file, bytes, before.len())?,
        OutputContent::Shared(bytes) => write_unless_held(&mut file, bytes, before.len())?,
        OutputContent::Copy(source) | OutputContent::Unchanged(source) => {
            copy_unless_held(&mut fs::File::open(source)?, &mut file, before.len())?
        }
    };
    let Some(len) = written else {
        return Ok((before.len(), before.modified()?));
    };
    if before.len() > len {
        // The old file was longer: cut its tail.
        file.set_len(len)?;
    }
    Ok((len, file.metadata()?.modified()?))
}

/// Writes `bytes` from the start of `file` (of length `old_len`), unless it
/// holds them already: the length written, or `None` when it did.
fn write_unless_held(file: &mut fs::File, bytes: &[u8], old_len: u64) -> io::Result<Option<u64>> {
    if old_len == bytes.len() as u64 && holds(file, bytes)? {
        return Ok(None);
    }
    file.rewind()?;
    file.write_all(bytes)?;
    Ok(Some(bytes.len() as u64))
}

/// Copies `source` over `file` (of length `old_len`), unless it holds the
/// same bytes already: the length written, or `None` when it did. An
/// unchanged page of the last build is most often unchanged in the build
/// before last too, and reading two files costs far less than dirtying
/// one that the final sync must then write to disk.
fn copy_unless_held(source: &mut fs::File, file: &mut fs::File, old_len: u64) -> io::Result<Option<u64>> {
    if source.metadata()?.len() == old_len && same_bytes(source, file)? {
        return Ok(None);
    }
    source.rewind()?;
    file.rewind()?;
    Ok(Some(io::copy(source, file)?))
}

/// Whether two files of one length hold the same bytes, read a block at a
/// time from the start, stopping at the first difference.
fn same_bytes(a: &mut fs::File, b: &mut fs::File) -> io::Result<bool> {
    let (mut x, mut y) = ([0u8; 16 * 1024], [0u8; 16 * 1024]);
    loop {
        let n = a.read(&mut x)?;
        if n == 0 {
            return Ok(true);
        }
        match b.read_exact(&mut y[..n]) {
            Ok(()) if x[..n] == y[..n] => {}
            Ok(()) => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e),
        }
    }
}

/// Whether `file`, whose length is `bytes.len()`, holds exactly `bytes`.
/// Read a block at a time, stopping at the first difference.
fn holds(file: &mut fs::File, bytes: &[u8]) -> io::Result<bool> {
    let mut block = [0u8; 16 * 1024];
    for expected in bytes.chunks(block.len()) {
        let got = &mut block[..expected.len()];
        match file.read_exact(got) {
            Ok(()) if got == expected => {}
            Ok(()) => return Ok(false),
            // Cut short while we read: not the same.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Opens `path` to write over it, never through a symlink: a folder or a
/// symlink standing there (the old site's, or put there by hand) is removed
/// first. A missing folder is the caller's to make (`lacks_folder`).
fn open_over(path: &Path) -> io::Result<fs::File> {
    let open = || {
        let mut options = fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut options,
            rustix::fs::OFlags::NOFOLLOW.bits() as i32,
        );
        options.open(path)
    };
    match open() {
        Err(e) if !lacks_folder(&e) => {
            match fs::symlink_metadata(path) {
                Ok(meta) if meta.is_dir() => fs::remove_dir_all(path)?,
                Ok(meta) if meta.file_type().is_symlink() => fs::remove_file(path)?,
                _ => return Err(e),
            }
            open()
        }
        opened => opened,
    }
}

/// Whether opening a file failed because its folder is missing, or a file
/// stands where one of its folders should be.
fn lacks_folder(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(rustix::io::Errno::NOTDIR.raw_os_error())
}

/// Removes the files and folders of the old site that the new one lacks.
fn remove_stale(root: &Path, keep: &HashMap<String, (u64, SystemTime)>) -> Result<()> {
    let keep_dirs: HashSet<&Path> = keep.keys().flat_map(|f| Path::new(f).ancestors().skip(1)).collect();
    sweep(root, Path::new(""), &Kept { files: keep, dirs: &keep_dirs })
}

/// What the new site has: its files, and the folders that hold them.
struct Kept<'a> {
    files: &'a HashMap<String, (u64, SystemTime)>,
    dirs: &'a HashSet<&'a Path>,
}

/// Removes what `dir` (at `relative` below the site's folder) holds that the
/// new site lacks, then does the same in its kept folders, in parallel: a
/// large site has a hundred thousand of them.
fn sweep(dir: &Path, relative: &Path, kept: &Kept) -> Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("failed to read `{}`", dir.display()))?;
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("failed to read `{}`", dir.display()))?;
        let path = entry.path();
        let at = relative.join(entry.file_name());
        // Not followed: a symlink to a folder is removed like a file.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let removed = if is_dir {
            if kept.dirs.contains(at.as_path()) {
                folders.push((path, at));
                continue;
            }
            fs::remove_dir_all(&path)
        } else if at.to_str().is_some_and(|r| kept.files.contains_key(r)) {
            continue;
        } else {
            fs::remove_file(&path)
        };
        removed.with_context(|| format!("failed to remove `{}`", path.display()))?;
    }
    folders.par_iter().try_for_each(|(path, at)| sweep(path, at, kept))
}

/// One `syncfs` flushes every file of the new site (cheaper than an fsync
/// per file, and just as durable for the swap that follows).
fn sync_tree(root: &Path) -> Result<()> {
    let dir = fs::File::open(root).with_context(|| format!("failed to open `{}`", root.display()))?;
    rustix::fs::syncfs(&dir).with_context(|| format!("failed to sync `{}` to disk", root.display()))
}

/// Puts the new site at `dest` and keeps the old one as `spare`. Where the
/// system can, the two folders are exchanged in one atomic rename; else
/// the old one is moved aside first, and for the instant between the two
/// renames no site is at `dest`.
fn swap_in(staging: &Path, dest: &Path, spare: &Path) -> Result<()> {
    let parent = spare.parent().unwrap_or(Path::new("."));
    if dest.exists() {
        if exchange(staging, dest).is_ok() {
            fs::rename(staging, spare)
                .with_context(|| format!("failed to keep the old site as `{}`", spare.display()))?;
            return sync_dir(parent);
        }
        fs::rename(dest, spare)
            .with_context(|| format!("failed to move the old `{}` aside", dest.display()))?;
    }
    if let Err(e) = fs::rename(staging, dest) {
        let _ = fs::rename(spare, dest);
        return Err(e).with_context(|| format!("failed to move the new site into `{}`", dest.display()));
    }
    sync_dir(parent)
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
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
            total: pairs.len(),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_new_site_replaces_the_old_one_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        write_site(&rendered(&[("index.html", "one"), ("a/b/index.html", "x")]), &dest).unwrap();
        write_site(&rendered(&[("index.html", "two")]), &dest).unwrap();
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "two");
        assert!(!dest.join("a").exists(), "stale files are gone");
        assert_eq!(names(tmp.path()), [".public.previous", "public"]);
        assert_eq!(fs::read_to_string(tmp.path().join(".public.previous/index.html")).unwrap(), "one");
    }

    #[test]
    fn a_reused_folder_ends_up_exactly_the_new_site() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        let first =
            [("index.html", "a long first page"), ("a", "a file"), ("b/index.html", "b"), ("c/d/e", "e")];
        write_site(&rendered(&first), &dest).unwrap();
        write_site(&rendered(&[("index.html", "second")]), &dest).unwrap();
        // The third build rewrites the first one's folder: shorter text, a
        // file where a folder was and a folder where a file was.
        let third = [("index.html", "3"), ("a/index.html", "now a folder"), ("b", "now a file")];
        write_site(&rendered(&third), &dest).unwrap();
        assert_eq!(names(&dest), ["a", "b", "index.html"]);
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "3");
        assert_eq!(fs::read_to_string(dest.join("a/index.html")).unwrap(), "now a folder");
        assert_eq!(fs::read_to_string(dest.join("b")).unwrap(), "now a file");
        assert_eq!(names(&dest.join("a")), ["index.html"]);
    }

    #[test]
    fn an_unchanged_file_the_folder_already_holds_is_not_copied_again() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        let pages = [("same.html", "unchanged"), ("moved.html", "one-1")];
        write_site(&rendered(&pages), &dest).unwrap();
        write_site(&rendered(&[("same.html", "unchanged"), ("moved.html", "one-2")]), &dest).unwrap();
        let spare = tmp.path().join(".public.previous");
        let long_ago = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        for name in ["same.html", "moved.html"] {
            fs::File::options().write(true).open(spare.join(name)).unwrap().set_modified(long_ago).unwrap();
        }
        // The third build copies both from the last output (the render
        // memo's `Unchanged`) into the first build's folder.
        let third = Rendered {
            files: ["same.html", "moved.html"]
                .map(|name| OutputFile {
                    path: name.into(),
                    content: OutputContent::Unchanged(dest.join(name)),
                })
                .into(),
            pages: 2,
            total: 2,
        };
        write_site(&third, &dest).unwrap();
        let modified = |name: &str| fs::metadata(dest.join(name)).unwrap().modified().unwrap();
        assert_eq!(modified("same.html"), long_ago, "held already: left alone");
        assert_ne!(modified("moved.html"), long_ago, "other bytes: copied");
        assert_eq!(fs::read_to_string(dest.join("moved.html")).unwrap(), "one-2");
        assert_eq!(fs::read_to_string(dest.join("same.html")).unwrap(), "unchanged");
    }

    #[test]
    fn a_file_already_holding_its_bytes_is_not_written_again() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        let first = [("same.html", "unchanged"), ("edited.html", "one-1"), ("longer.html", "a long page")];
        write_site(&rendered(&first), &dest).unwrap();
        write_site(&rendered(&[("same.html", "x")]), &dest).unwrap();
        let spare = tmp.path().join(".public.previous");
        let long_ago = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        for name in ["same.html", "edited.html", "longer.html"] {
            fs::File::options().write(true).open(spare.join(name)).unwrap().set_modified(long_ago).unwrap();
        }
        // The third build rewrites the first one's folder.
        let third = [("same.html", "unchanged"), ("edited.html", "one-2"), ("longer.html", "short")];
        write_site(&rendered(&third), &dest).unwrap();
        let modified = |name: &str| fs::metadata(dest.join(name)).unwrap().modified().unwrap();
        assert_eq!(modified("same.html"), long_ago, "left alone");
        assert_ne!(modified("edited.html"), long_ago, "same length, other bytes: written");
        for (name, text) in third {
            assert_eq!(fs::read_to_string(dest.join(name)).unwrap(), text);
        }
    }

    #[test]
    #[cfg(unix)]
    fn a_symlink_in_the_reused_folder_is_replaced_never_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        let outside = tmp.path().join("outside.txt");
        fs::write(&outside, "keep me").unwrap();
        write_site(&rendered(&[("index.html", "one"), ("feed.xml", "f")]), &dest).unwrap();
        write_site(&rendered(&[("index.html", "two"), ("feed.xml", "f")]), &dest).unwrap();
        // The folder the next build rewrites has a symlink where a page goes.
        let spare = tmp.path().join(".public.previous");
        fs::remove_file(spare.join("index.html")).unwrap();
        std::os::unix::fs::symlink(&outside, spare.join("index.html")).unwrap();
        write_site(&rendered(&[("index.html", "three"), ("feed.xml", "f")]), &dest).unwrap();
        assert_eq!(fs::read_to_string(&outside).unwrap(), "keep me");
        assert!(!fs::symlink_metadata(dest.join("index.html")).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "three");
    }

    #[test]
    fn a_killed_builds_folder_is_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        // No process has id 0 in /proc: this folder's build is over.
        let orphan = tmp.path().join(".public.building-0");
        fs::create_dir_all(orphan.join("half")).unwrap();
        fs::write(orphan.join("half/written"), "x").unwrap();
        write_site(&rendered(&[("index.html", "one")]), &dest).unwrap();
        assert_eq!(names(&dest), ["index.html"]);
        assert_eq!(names(tmp.path()), ["public"]);
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
            total: 1,
        };
        assert!(write_site(&bad, &dest).is_err());
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "one");
        write_site(&rendered(&[("index.html", "two")]), &dest).unwrap();
        assert_eq!(names(&dest), ["index.html"]);
    }
}
