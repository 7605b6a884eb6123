//! Watching a site for changes: the site folder itself (so `site.toml`
//! saved by rename, and folders made while serving, are seen) and, below
//! it, what a build reads (`content/`, `static/`, `themes/`), never the
//! output or hidden folders (`.parlor/`, `.git/`). notify-debouncer-full turns the kernel's
//! events into one per path once that path is quiet; they are reduced to
//! the ones that change content (creating, writing, renaming, removing;
//! never reading, which the build itself does), with editors' swap and
//! backup files ignored. Lost events (the kernel's queue overflowed) are
//! passed on as a rescan: anything may have changed.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result};
use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache};

type Watcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// What changed since the last `Changes::next`.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Change {
    /// The files and folders that changed, below the site root, each once.
    pub(super) paths: Vec<PathBuf>,
    /// Events were lost: any file may have changed, named here or not.
    pub(super) rescan: bool,
}

/// The site's changes, as they come. Watching stops when this drops.
pub(super) struct Changes {
    watcher: Watcher,
    events: mpsc::Receiver<DebounceEventResult>,
    site: Site,
}

/// What is watched: the root, less the folders that are skipped.
struct Site {
    root: PathBuf,
    /// The output folder (a build run beside `serve` writes there).
    skipped: Vec<PathBuf>,
}

/// Starts watching `root` (an absolute path), but for `skipped` folders
/// and hidden ones. A path is reported once it has been quiet for `quiet`
/// (an editor's save is often a write, a rename and a chmod).
pub(super) fn watch(root: &Path, skipped: Vec<PathBuf>, quiet: Duration) -> Result<Changes> {
    let (tx, events) = mpsc::channel();
    // The debouncer looks for quiet paths every tick: half the quiet time.
    let quiet = quiet.max(Duration::from_millis(1));
    let watcher = notify_debouncer_full::new_debouncer(quiet, Some(quiet / 2), tx)
        .context("cannot watch files for changes")?;
    let site = Site { root: root.to_path_buf(), skipped };
    let mut changes = Changes { watcher, events, site };
    changes.add(root, RecursiveMode::NonRecursive)?;
    let entries = std::fs::read_dir(root)
        .with_context(|| format!("cannot list the site folder `{}`", root.display()))?;
    for entry in entries.flatten() {
        // A folder linked in (`themes/` shared by two sites) counts too.
        let path = entry.path();
        if path.is_dir() && changes.site.watched(&path) {
            changes.add_folder(&path);
        }
    }
    Ok(changes)
}

impl Changes {
    /// Waits for the next changes, and takes every change that has come
    /// since with them. `None` once watching has stopped.
    pub(super) fn next(&mut self) -> Option<Change> {
        loop {
            let first = self.events.recv().ok()?;
            if let Some(change) = self.take(first) {
                return Some(change);
            }
        }
    }

    /// The change that `first` and the results queued behind it make, if
    /// any of them changes the site.
    fn take(&mut self, first: DebounceEventResult) -> Option<Change> {
        let change = self.site.change(std::iter::once(first).chain(self.events.try_iter()));
        // A folder made in the root is watched from now on. What was written
        // in it before is read by the build that follows.
        for path in &change.paths {
            if path.parent() == Some(&self.site.root) && path.is_dir() && self.site.watched(path) {
                self.add_folder(path);
            }
        }
        (change.rescan || !change.paths.is_empty()).then_some(change)
    }

    /// Watches a folder in the root and all below it. A folder that cannot
    /// be watched (unreadable, or past the system's number of watches) is
    /// still built from, and serving goes on.
    fn add_folder(&mut self, path: &Path) {
        if let Err(e) = self.add(path, RecursiveMode::Recursive) {
            eprintln!("warning: {e:#}; changes in it are not seen");
        }
    }

    fn add(&mut self, path: &Path, mode: RecursiveMode) -> Result<()> {
        self.watcher.watch(path, mode).with_context(|| format!("cannot watch `{}`", path.display()))
    }
}

impl Site {
    /// The changes that `results` tell of.
    fn change(&self, results: impl IntoIterator<Item = DebounceEventResult>) -> Change {
        let mut change = Change::default();
        // A branch switch names thousands of paths: each is looked up once.
        let mut seen = foldhash::HashSet::default();
        for result in results {
            let events = match result {
                Ok(events) => events,
                Err(errors) => {
                    // The watcher failed (a watch could not be added for a
                    // new folder, say): changes may have gone unseen.
                    for e in errors {
                        eprintln!("warning: watching for changes: {e}");
                    }
                    change.rescan = true;
                    continue;
                }
            };
            for event in events {
                if event.need_rescan() {
                    change.rescan = true;
                }
                if !changes_content(&event.kind) {
                    continue;
                }
                for path in event.event.paths {
                    if self.matters(&path) && seen.insert(path.clone()) {
                        change.paths.push(path);
                    }
                }
            }
        }
        change
    }

    /// Whether a folder in the root is watched.
    fn watched(&self, dir: &Path) -> bool {
        // `matters` leaves out the output and hidden folders already.
        self.matters(dir)
    }

    /// Whether a change to `path` can change the site. Only the part below
    /// the site root counts: a site may well live inside a hidden folder.
    fn matters(&self, path: &Path) -> bool {
        let Ok(inside) = path.strip_prefix(&self.root) else { return false };
        let first = inside.components().next().map(|c| c.as_os_str().to_string_lossy());
        first.is_some_and(|first| BUILT_FROM.contains(&first.as_ref()))
            && !self.skipped.iter().any(|s| path.starts_with(s))
            && !inside.components().any(|c| crate::load::is_ignored(&c.as_os_str().to_string_lossy()))
    }
}

/// What in the site folder a build reads. A change anywhere else (notes,
/// a log file, `node_modules/`) changes nothing, and seeing it could make
/// a loop: a server log kept in the site folder is written on every
/// rebuild.
const BUILT_FROM: &[&str] = &[crate::config::CONFIG_FILE, "content", "static", "themes"];

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

#[cfg(test)]
mod tests {
    use super::*;
    use notify::Event;
    use notify::event::{AccessKind, CreateKind, DataChange, Flag, MetadataKind, RenameMode};
    use notify_debouncer_full::DebouncedEvent;

    fn site() -> Site {
        Site {
            root: PathBuf::from("/tmp/.hidden/site"),
            skipped: vec![PathBuf::from("/tmp/.hidden/site/public")],
        }
    }

    fn event(kind: EventKind, paths: &[&str]) -> DebouncedEvent {
        let mut event = Event::new(kind);
        for p in paths {
            event = event.add_path(site().root.join(p));
        }
        DebouncedEvent::new(event, std::time::Instant::now())
    }

    #[test]
    fn editor_leftovers_the_output_and_hidden_folders_do_not_matter() {
        let site = site();
        assert!(site.matters(&site.root.join("content/posts/a.md")), "the site may sit in a hidden folder");
        assert!(site.matters(&site.root.join("site.toml")));
        for p in [
            "content/posts/.a.md.swp",
            "content/posts/a.md~",
            "content/posts/#a.md#",
            "content/comments/p/.parlor-x.tmp",
            "public/index.html",
            ".parlor/cache/content.bin",
            ".public.building-12/index.html",
            ".git/index",
        ] {
            assert!(!site.matters(&site.root.join(p)), "{p}");
        }
        assert!(!site.matters(Path::new("/elsewhere/site.toml")));
        assert!(site.watched(&site.root.join("themes")));
        assert!(!site.watched(&site.root.join("public")) && !site.watched(&site.root.join(".parlor")));
    }

    /// A log kept in the site folder (as the browser test keeps serve's) was
    /// a change, so each rebuild's log line made another rebuild.
    #[test]
    fn what_the_build_does_not_read_does_not_matter() {
        let site = site();
        for p in ["serve.log", "notes/todo.md", "node_modules/x/index.js", "README.md"] {
            assert!(!site.matters(&site.root.join(p)), "{p}");
        }
        for p in ["site.toml", "content", "static/logo.png", "themes/mine/templates/post.html"] {
            assert!(site.matters(&site.root.join(p)), "{p}");
        }
        assert!(!site.watched(&site.root.join("notes")));
    }

    #[test]
    fn reading_is_not_a_change() {
        assert!(!changes_content(&EventKind::Access(AccessKind::Any)));
        assert!(!changes_content(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))));
        assert!(changes_content(&EventKind::Modify(ModifyKind::Data(DataChange::Content))));
        assert!(changes_content(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn a_rename_names_both_paths_once_and_skips_the_ignored_one() {
        let site = site();
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        let change = site.change([
            Ok(vec![event(renamed, &["site.toml.tmp", "site.toml"])]),
            Ok(vec![
                event(EventKind::Modify(ModifyKind::Data(DataChange::Any)), &["site.toml"]),
                event(EventKind::Access(AccessKind::Any), &["content/posts/a.md"]),
            ]),
        ]);
        assert_eq!(change, Change { paths: vec![site.root.join("site.toml")], rescan: false });
    }

    #[test]
    fn lost_events_and_errors_are_a_rescan() {
        let site = site();
        let overflow = DebouncedEvent::new(
            Event::new(EventKind::Other).set_flag(Flag::Rescan),
            std::time::Instant::now(),
        );
        let change = site.change([Ok(vec![overflow])]);
        assert_eq!(change, Change { paths: vec![], rescan: true });
        let change = site.change([Err(vec![notify::Error::generic("no more watches")])]);
        assert!(change.rescan);
    }

    /// The next change, failing after 20 s rather than waiting forever.
    fn next_within(changes: &mut Changes) -> Change {
        loop {
            let first = changes.events.recv_timeout(Duration::from_secs(20)).expect("a change within 20 s");
            if let Some(change) = changes.take(first) {
                return change;
            }
        }
    }

    #[test]
    fn a_folder_made_in_the_root_is_watched_and_the_output_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let mut changes = watch(&root, vec![root.join("public")], Duration::from_millis(1)).unwrap();
        std::fs::create_dir(root.join("themes")).unwrap();
        while !next_within(&mut changes).paths.contains(&root.join("themes")) {}
        // Made once the folder is watched: seen. (Made faster than the
        // kernel's watches follow, a new folder is named, not the files in
        // it; the build reads the folder whole.)
        let file = root.join("themes/t/templates/base.html");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "x").unwrap();
        let named =
            |change: &Change| change.paths.iter().any(|p| file.starts_with(p) && p != &root.join("themes"));
        while !named(&next_within(&mut changes)) {}
        // And changed again, two levels down: the file is named.
        std::fs::write(&file, "y").unwrap();
        while !next_within(&mut changes).paths.contains(&file) {}
        std::fs::create_dir(root.join("public")).unwrap();
        std::fs::write(root.join("public/index.html"), "x").unwrap();
        std::fs::write(root.join("site.toml"), "x").unwrap();
        loop {
            let change = next_within(&mut changes);
            assert!(change.paths.iter().all(|p| !p.starts_with(root.join("public"))), "{change:?}");
            if change.paths.contains(&root.join("site.toml")) {
                break;
            }
        }
    }
}
