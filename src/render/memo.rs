//! What earlier builds rendered, by output path, with the fingerprint of
//! what each output showed (`fingerprint.rs`): an output whose fingerprint
//! is unchanged is not rendered again.
//!
//! `serve` keeps the bytes in memory. `build` keeps, in
//! `.parlor/cache/outputs.bin`, each output's fingerprint and the size and
//! modification time of the file it wrote; an unchanged output whose file
//! is still as written is taken from the output folder, and a build in
//! which nothing changed writes nothing at all.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{OutputContent, OutputFile};

const FILE: &str = "outputs.bin";
const MAGIC: &[u8; 8] = b"PRLROM01";

#[derive(Default)]
pub struct RenderMemo {
    /// Outputs kept in memory (`serve`). Most lookups find an unchanged
    /// output, so they share the lock.
    outputs: RwLock<foldhash::HashMap<String, Kept>>,
    /// Outputs in the output folder as the last build wrote them (`build`).
    on_disk: Option<OnDisk>,
}

/// An output's fingerprint and bytes.
type Kept = (u64, Arc<[u8]>);

/// The output folder the last build wrote, what each of its files showed,
/// and the fingerprints this build computed, to record once it is written.
struct OnDisk {
    dest: PathBuf,
    written: HashMap<String, Written>,
    seen: Mutex<HashMap<String, u64>>,
}

/// One file as a build wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Written {
    fingerprint: u64,
    len: u64,
    modified: SystemTime,
}

impl OnDisk {
    /// Records `fingerprint` for `path`, and gives the output folder's file
    /// if it already holds exactly that output.
    fn unchanged(&self, path: &str, fingerprint: u64) -> Option<PathBuf> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), fingerprint);
        let written = self.written.get(path).filter(|w| w.fingerprint == fingerprint)?;
        let live = self.dest.join(path);
        (stat(&live)? == (written.len, written.modified)).then_some(live)
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    dest: PathBuf,
    /// The identity (device, inode) of the output folder when written:
    /// a folder replaced since by anything else is not trusted.
    folder: (u64, u64),
    files: Vec<(String, Written)>,
}

impl RenderMemo {
    /// The memo `build` leaves in `cache` for the output folder `dest`.
    pub fn load(cache: &Path, dest: &Path) -> RenderMemo {
        let written = read(&cache.join(FILE), dest).unwrap_or_default();
        let on_disk = OnDisk { dest: dest.to_path_buf(), written, seen: Mutex::default() };
        RenderMemo { outputs: RwLock::default(), on_disk: Some(on_disk) }
    }

    /// How many outputs the output folder holds as the last build wrote
    /// them: a build that reuses all of them and adds none changes nothing.
    pub fn outputs_on_disk(&self) -> usize {
        self.on_disk.as_ref().map_or(0, |d| d.written.len())
    }

    /// The output at `path` with `fingerprint`: kept, or made now.
    pub(crate) fn file(&self, path: &str, fingerprint: u64, make: impl FnOnce() -> Vec<u8>) -> OutputContent {
        match self.try_file(path, fingerprint, || Ok::<_, std::convert::Infallible>(make())) {
            Ok(content) => content,
            Err(never) => match never {},
        }
    }

    /// Like `file`, for a render that can fail.
    pub(crate) fn try_file<E>(
        &self,
        path: &str,
        fingerprint: u64,
        make: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<OutputContent, E> {
        let Some(on_disk) = &self.on_disk else {
            return self.in_memory(path, fingerprint, make);
        };
        match on_disk.unchanged(path, fingerprint) {
            Some(live) => Ok(OutputContent::Unchanged(live)),
            None => make().map(OutputContent::Bytes),
        }
    }

    /// A file made without rendering (stylesheets, static files, assets),
    /// fingerprinted by its bytes, or a copied file's size and time.
    pub(crate) fn settle(&self, file: OutputFile) -> OutputFile {
        let Some(on_disk) = &self.on_disk else { return file };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        match &file.content {
            OutputContent::Bytes(b) => b.hash(&mut h),
            OutputContent::Shared(b) => b.hash(&mut h),
            OutputContent::Static(b) => b.hash(&mut h),
            OutputContent::Copy(source) => (source, stat(source)).hash(&mut h),
            OutputContent::Unchanged(_) => return file,
        }
        match on_disk.unchanged(&file.path, h.finish()) {
            Some(live) => OutputFile { path: file.path, content: OutputContent::Unchanged(live) },
            None => file,
        }
    }

    fn in_memory<E>(
        &self,
        path: &str,
        fingerprint: u64,
        make: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<OutputContent, E> {
        let kept = self.outputs.read().unwrap_or_else(|e| e.into_inner()).get(path).cloned();
        if let Some((fp, bytes)) = kept
            && fp == fingerprint
        {
            return Ok(OutputContent::Shared(bytes));
        }
        // Render outside the lock: other outputs go on in parallel.
        let shared: Arc<[u8]> = make()?.into();
        self.outputs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string(), (fingerprint, Arc::clone(&shared)));
        Ok(OutputContent::Shared(shared))
    }

    /// Records what the output folder holds after a build wrote it, for
    /// the next build: `files` are the written files, with their sizes and
    /// modification times. Streamed to the file: for 100,000 posts a copy
    /// in memory would be tens of megabytes at the build's peak.
    pub fn save(&self, cache: &Path, files: &super::WrittenFiles) -> anyhow::Result<()> {
        let Some(on_disk) = &self.on_disk else { return Ok(()) };
        let seen = std::mem::take(&mut *on_disk.seen.lock().unwrap_or_else(|e| e.into_inner()));
        let files = files
            .iter()
            .filter_map(|(path, &(len, modified))| {
                let fingerprint = *seen.get(path)?;
                Some((path.as_str(), Written { fingerprint, len, modified }))
            })
            .collect();
        let Some(folder) = identity(&on_disk.dest) else { return Ok(()) };
        let stored = StoredRef { dest: &on_disk.dest, folder, files };
        crate::cache_file::write(&cache.join(FILE), MAGIC, &stored)
    }
}

/// `Stored`, borrowed from the build that writes it.
#[derive(Serialize)]
struct StoredRef<'a> {
    dest: &'a Path,
    folder: (u64, u64),
    files: Vec<(&'a str, Written)>,
}

fn read(path: &Path, dest: &Path) -> Option<HashMap<String, Written>> {
    let stored: Stored = crate::cache_file::read(path, MAGIC)?;
    let trusted = stored.dest == dest && identity(dest) == Some(stored.folder);
    trusted.then(|| stored.files.into_iter().collect())
}

/// A file's size and modification time.
fn stat(path: &Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    meta.is_file().then_some((meta.len(), meta.modified().ok()?))
}

#[cfg(unix)]
fn identity(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
}

/// Without a folder identity, the output folder is never trusted.
#[cfg(not(unix))]
fn identity(_: &Path) -> Option<(u64, u64)> {
    None
}
