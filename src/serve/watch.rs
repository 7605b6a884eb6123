//! Watching a site for changes: notify events, reduced to the ones that
//! change content (creating, writing, renaming, removing; never reading,
//! which the build itself does), debounced into one call per burst, with
//! editors' swap and backup files ignored.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result};
use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};

/// The folders (and `site.toml`) a site is built from.
fn watched(root: &Path) -> Vec<(PathBuf, RecursiveMode)> {
    let mut out = vec![(root.join("site.toml"), RecursiveMode::NonRecursive)];
    for dir in ["content", "themes", "static"] {
        let path = root.join(dir);
        if path.is_dir() {
            out.push((path, RecursiveMode::Recursive));
        }
    }
    out
}

/// Calls `on_change` (on a thread of its own) with the changed files after
/// each burst of changes: events closer together than `quiet` are one
/// change (an editor's save is often a write, a rename and a chmod).
/// Watching stops when the returned watcher drops.
pub(super) fn watch(
    root: &Path,
    quiet: Duration,
    on_change: impl Fn(Vec<PathBuf>) + Send + 'static,
) -> Result<RecommendedWatcher> {
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let root_for_events = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        let Ok(event) = result else { return };
        if changes_content(&event.kind) {
            for path in event.paths.into_iter().filter(|p| matters(&root_for_events, p)) {
                let _ = tx.send(path);
            }
        }
    })
    .context("cannot watch files for changes")?;
    for (path, mode) in watched(root) {
        if path.exists() {
            watcher.watch(&path, mode).with_context(|| format!("cannot watch `{}`", path.display()))?;
        }
    }
    std::thread::Builder::new()
        .name("parlor-watch".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut changed = vec![first];
                while let Ok(more) = rx.recv_timeout(quiet) {
                    if !changed.contains(&more) {
                        changed.push(more);
                    }
                }
                on_change(changed);
            }
        })
        .context("cannot start the watching thread")?;
    Ok(watcher)
}

/// Creating, writing, renaming or removing: what can change the site.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any) => true,
        // Reads (the build's own) and metadata (access times) change nothing.
        EventKind::Modify(ModifyKind::Metadata(_) | ModifyKind::Other) | EventKind::Access(_) => false,
        EventKind::Any | EventKind::Other => false,
    }
}

/// Whether a change to `path` can change the site. Only the part below the
/// site root counts: a site may well live inside a hidden folder.
fn matters(root: &Path, path: &Path) -> bool {
    let inside = path.strip_prefix(root).unwrap_or(path);
    !inside.components().any(|c| crate::load::is_ignored(&c.as_os_str().to_string_lossy()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, DataChange, MetadataKind};

    #[test]
    fn editor_leftovers_do_not_matter() {
        let root = Path::new("/tmp/.hidden/site");
        assert!(
            matters(root, Path::new("/tmp/.hidden/site/content/posts/a.md")),
            "the site may sit in a hidden folder"
        );
        for p in [
            "content/posts/.a.md.swp",
            "content/posts/a.md~",
            "content/posts/#a.md#",
            "content/comments/p/.parlor-x.tmp",
        ] {
            assert!(!matters(root, &root.join(p)), "{p}");
        }
    }

    #[test]
    fn reading_is_not_a_change() {
        assert!(!changes_content(&EventKind::Access(AccessKind::Any)));
        assert!(!changes_content(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))));
        assert!(changes_content(&EventKind::Modify(ModifyKind::Data(DataChange::Content))));
        assert!(changes_content(&EventKind::Create(CreateKind::File)));
    }
}
