//! `serve`'s cache of what `load` read: file texts, folder listings and
//! each folder's files, kept between rebuilds. What invalidates it: a
//! file's modification time or size (when nothing says what changed); the
//! watcher's list of changed paths (`only_changed`: those are read again,
//! everything else is trusted without a `stat`); `clear` when the watcher
//! lost events.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;

/// Texts read by an earlier build (`serve`), by path, valid while the
/// file's modification time and size are the same: a rebuild reads again
/// only the files that changed. Folder listings are kept too, and taken
/// again only when a file appeared or went away.
#[derive(Default)]
pub struct LoadCache {
    pub(super) files: std::sync::RwLock<PathMap<Stamped>>,
    /// When set (by `serve`'s watcher), what changed since the last build:
    /// a file named is read again whatever its modification time says (a
    /// same-size save within one tick of the clock keeps it), and any
    /// other cached file is used without a `stat`.
    pub(super) changed: std::sync::RwLock<Option<Changed>>,
    pub(super) markdown: Listings<MarkdownEntry>,
    pub(super) comments: Listings<CommentEntry>,
    /// What the last build read from each folder.
    pub(super) markdown_read: Kept<SourceFile>,
    pub(super) comments_read: Kept<CommentSource>,
}

/// The files the last build read from each folder, by folder, kept while
/// every one of them read cleanly (so in the order of its listing).
pub(super) struct Kept<T>(pub(super) std::sync::Mutex<PathMap<Vec<Arc<T>>>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(std::sync::Mutex::new(PathMap::default()))
    }
}

/// The paths the watcher named, and which of them are folders now: a
/// folder renamed or moved in brings files that were never named.
#[derive(Default)]
pub(super) struct Changed {
    paths: foldhash::HashSet<OsString>,
    folders: Vec<PathBuf>,
}

/// What the cache knows of a file.
enum Known {
    /// Unchanged since the last build read it: this text.
    Unchanged(Text),
    /// The watcher named it: read it again.
    Changed,
    /// Nothing to go by: compare its modification time and size.
    Unknown,
}

impl LoadCache {
    /// The next build may trust that only `paths` changed.
    pub fn only_changed(&self, paths: impl IntoIterator<Item = PathBuf>) {
        let mut changed = Changed::default();
        for path in paths {
            if path.is_dir() {
                changed.folders.push(path.clone());
            }
            changed.paths.insert(path.into_os_string());
        }
        *self.changed.write().unwrap_or_else(|e| e.into_inner()) = Some(changed);
    }

    /// The next build checks every file.
    pub fn check_all(&self) {
        *self.changed.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Forgets everything (`serve`, when the watcher lost events): the
    /// next build lists every folder and reads every file again.
    pub fn clear(&self) {
        self.check_all();
        self.files.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.markdown.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.comments.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.markdown_read.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.comments_read.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn known(&self, path: &Path) -> Known {
        let changed = self.changed.read().unwrap_or_else(|e| e.into_inner());
        let Some(changed) = changed.as_ref() else { return Known::Unknown };
        if changed.paths.contains(path.as_os_str()) || changed.folders.iter().any(|f| path.starts_with(f)) {
            return Known::Changed;
        }
        match self.files.read().unwrap_or_else(|e| e.into_inner()).get(path.as_os_str()) {
            Some((_, _, text)) => Known::Unchanged(text.clone()),
            None => Known::Unknown,
        }
    }

    /// The listing of `base`: the last build's when it still holds, else
    /// a new one from `list`.
    pub(super) fn listing<T: Listed>(
        &self,
        listings: &Listings<T>,
        base: &Path,
        diags: &Diagnostics,
        list: impl FnOnce(&Diagnostics) -> Vec<T>,
    ) -> Vec<T> {
        let mut kept = listings.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((entries, warnings)) = kept.get(base.as_os_str())
            && self.changes_within(base, entries).is_some()
        {
            diags.extend(warnings.iter().cloned());
            return entries.clone();
        }
        let own = Diagnostics::new();
        let entries = list(&own);
        let warnings = own.into_sorted();
        diags.extend(warnings.iter().cloned());
        kept.insert(base.as_os_str().to_owned(), (entries.clone(), warnings));
        entries
    }

    /// The last build's files of `base`, with the files the watcher named
    /// read again, when its listing still holds and each of them reads
    /// cleanly; else `None`, and the folder is read as usual.
    pub(super) fn patch<E: Listed, T>(
        &self,
        listings: &Listings<E>,
        kept: &Kept<T>,
        base: &Path,
        diags: &Diagnostics,
        read: &impl Fn(&E, &Diagnostics) -> Option<T>,
    ) -> Option<Vec<Arc<T>>> {
        let listings = listings.0.lock().unwrap_or_else(|e| e.into_inner());
        let (entries, warnings) = listings.get(base.as_os_str())?;
        let changed = self.changes_within(base, entries)?;
        let mut files = kept.0.lock().unwrap_or_else(|e| e.into_inner()).get(base.as_os_str())?.clone();
        for path in changed {
            // The listing holds: a changed path is a listed file, or a
            // temp file that came and went.
            let Some(i) = entries.iter().position(|e| e.path() == path) else { continue };
            let own = Diagnostics::new();
            let file = read(&entries[i], &own).filter(|_| own.is_empty())?;
            *files.get_mut(i)? = Arc::new(file);
        }
        diags.extend(warnings.iter().cloned());
        kept.0.lock().unwrap_or_else(|e| e.into_inner()).insert(base.as_os_str().to_owned(), files.clone());
        Some(files)
    }

    /// The changes below `base` when a listing of it taken by the last
    /// build still holds: the watcher named every change, and none of them
    /// made a file appear or go away. `None` when it does not hold.
    pub(super) fn changes_within<T: Listed>(&self, base: &Path, listed: &[T]) -> Option<Vec<PathBuf>> {
        /// More changes than this (a branch switch) are cheaper to list again.
        const MAX_CHECKED: usize = 64;
        let changed = self.changed.read().unwrap_or_else(|e| e.into_inner());
        let changed = &changed.as_ref()?.paths;
        // A folder above it made, renamed or removed: the listing is gone.
        if changed.iter().any(|p| base.starts_with(p) && base.as_os_str() != p) {
            return None;
        }
        let below: Vec<PathBuf> = changed.iter().map(PathBuf::from).filter(|p| p.starts_with(base)).collect();
        let holds = below.len() <= MAX_CHECKED
            && below.iter().all(|p| {
                let was_listed = listed.iter().any(|e| e.path().as_os_str() == p.as_os_str());
                if p.is_file() {
                    was_listed
                } else if p.exists() {
                    false // a new folder: its files are not listed
                } else {
                    // Gone, or an editor's short-lived temp file; a folder
                    // that went away takes its files with it.
                    !was_listed && !listed.iter().any(|e| e.path().starts_with(p))
                }
            });
        holds.then_some(below)
    }
}

/// What a listing holds: files, by path.
pub(super) trait Listed: Clone {
    fn path(&self) -> &Path;
}

/// Folder listings by folder, with the warnings taking them gave.
pub(super) struct Listings<T>(std::sync::Mutex<PathMap<Listing<T>>>);

/// A folder's entries, and the warnings listing it gave.
pub(super) type Listing<T> = (Vec<T>, Vec<Diagnostic>);

impl<T> Default for Listings<T> {
    fn default() -> Self {
        Listings(std::sync::Mutex::new(PathMap::default()))
    }
}

/// Values by path. Keyed by the path's bytes: hashing a `Path` walks its
/// components, which costs more than the lookup it is for.
pub(super) type PathMap<V> = foldhash::HashMap<OsString, V>;

/// A file's modification time, size and text.
pub(super) type Stamped = (std::time::SystemTime, u64, Text);

pub(super) fn read_maybe_cached(
    path: &Path,
    shown_as: &Path,
    cache: Option<&LoadCache>,
    diags: &Diagnostics,
) -> Option<Text> {
    let Some(cache) = cache else { return read_text(path, shown_as, diags).map(Text::from) };
    let known = cache.known(path);
    if let Known::Unchanged(text) = known {
        return Some(text);
    }
    let stamp = std::fs::metadata(path).ok().and_then(|m| Some((m.modified().ok()?, m.len())));
    if let Known::Unknown = known
        && let Some((modified, len)) = stamp
        && let Some((m, l, text)) =
            cache.files.read().unwrap_or_else(|e| e.into_inner()).get(path.as_os_str())
        && *m == modified
        && *l == len
    {
        return Some(text.clone());
    }
    let Some(text) = read_text(path, shown_as, diags).map(Text::from) else {
        // Forget the last good text, or the next build would trust it.
        cache.files.write().unwrap_or_else(|e| e.into_inner()).remove(path.as_os_str());
        return None;
    };
    if let Some((modified, len)) = stamp {
        cache
            .files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.as_os_str().to_owned(), (modified, len, text.clone()));
    }
    Some(text)
}
