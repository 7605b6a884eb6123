//! The persistent cache of rendered Markdown: what parsing posts, pages
//! and comments costs most (Markdown, highlighting, sanitising), kept in
//! `.parlor/cache/content.bin` between builds.
//!
//! An entry is keyed by the fingerprint (SHA-256) of the whole source file,
//! so any edit to a file misses; the file as a whole belongs to one build
//! of parlor (`BUILD_ID`), so a new parlor starts afresh. Anything wrong
//! with the file (missing, truncated, from another build) only means an
//! empty cache: it can cost time, never correctness.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::markdown::RenderedMarkdown;

/// What kind of file an entry was rendered from: the same text renders
/// differently as a post and as a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    Post,
    Page,
    Comment,
}

type Key = (Kind, u128);

const FILE: &str = "content.bin";
const MAGIC: &[u8; 8] = b"PRLRCC01";

/// An entry borrowed from the built site, laid out as `RenderedMarkdown`.
#[derive(Serialize)]
struct EntryRef<'a> {
    html: &'a str,
    summary_html: &'a str,
    has_more: bool,
    words: usize,
}

/// The cache for one build: entries from the last build not yet used, and
/// whether this build had to render anything afresh.
#[derive(Default)]
pub struct ContentCache {
    dir: Option<PathBuf>,
    unused: Mutex<HashMap<Key, RenderedMarkdown>>,
    missed: AtomicBool,
}

impl ContentCache {
    /// A cache that keeps nothing.
    pub fn none() -> ContentCache {
        ContentCache::default()
    }

    /// The cache in `dir` (usually `.parlor/cache`), or an empty one.
    pub fn load(dir: &Path) -> ContentCache {
        let entries = read(&dir.join(FILE)).unwrap_or_default();
        let unused = entries.into_iter().map(|(kind, fp, entry)| ((kind, fp), entry)).collect();
        ContentCache {
            dir: Some(dir.to_path_buf()),
            unused: Mutex::new(unused),
            missed: AtomicBool::new(false),
        }
    }

    /// The rendering of the file with `fingerprint`: cached, or made now.
    pub fn get_or(
        &self,
        kind: Kind,
        fingerprint: u128,
        make: impl FnOnce() -> RenderedMarkdown,
    ) -> RenderedMarkdown {
        if self.dir.is_some() {
            let hit = self.unused.lock().unwrap_or_else(|e| e.into_inner()).remove(&(kind, fingerprint));
            if let Some(entry) = hit {
                return entry;
            }
            self.missed.store(true, Ordering::Relaxed);
        }
        make()
    }

    /// Whether the cache on disk no longer matches this build's content:
    /// something was rendered afresh, or something cached went unused.
    pub fn is_stale(&self) -> bool {
        self.missed.load(Ordering::Relaxed)
            || !self.unused.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
    }

    /// Writes what this build parsed as the cache for the next build, if
    /// it differs from what is there.
    pub fn save(&self, parsed: &super::Parsed) -> anyhow::Result<()> {
        match self.to_save(parsed) {
            Some(save) => save.write(),
            None => Ok(()),
        }
    }

    /// `save` on a thread of its own, so the build goes on while the file
    /// is written and synced (~0.1 s for 10,000 posts); join it before the
    /// build ends. Saves at once if no thread can be started.
    pub fn save_in_background(&self, parsed: &super::Parsed) -> Saving {
        let Some(save) = self.to_save(parsed) else { return Saving::Nothing };
        let spawned = std::thread::Builder::new().name("content-cache".into()).spawn(move || save.write());
        match spawned {
            Ok(thread) => Saving::Running(thread),
            Err(_) => Saving::Done(self.save(parsed)),
        }
    }

    fn to_save(&self, parsed: &super::Parsed) -> Option<ToSave> {
        let dir = self.dir.clone().filter(|_| self.is_stale())?;
        Some(ToSave {
            dir,
            posts: parsed.posts.clone(),
            pages: parsed.pages.clone(),
            comments: parsed.comments.clone(),
        })
    }
}

/// A save of the cache, perhaps under way: `finish` waits for it.
pub enum Saving {
    Nothing,
    Done(anyhow::Result<()>),
    Running(std::thread::JoinHandle<anyhow::Result<()>>),
}

impl Saving {
    pub fn finish(self) -> anyhow::Result<()> {
        match self {
            Saving::Nothing => Ok(()),
            Saving::Done(result) => result,
            Saving::Running(thread) => {
                thread.join().unwrap_or_else(|_| Err(anyhow::anyhow!("the thread writing the cache stopped")))
            }
        }
    }
}

/// What the cache file will hold: the parsed files themselves, shared.
struct ToSave {
    dir: PathBuf,
    posts: Vec<std::sync::Arc<super::Post>>,
    pages: Vec<std::sync::Arc<super::Page>>,
    comments: Vec<std::sync::Arc<super::comment::Comment>>,
}

impl ToSave {
    fn write(self) -> anyhow::Result<()> {
        let posts = self.posts.iter().map(|p| {
            let (html, summary_html) = (p.content_html.as_str(), p.summary_html.as_str());
            (Kind::Post, p.fingerprint, EntryRef { html, summary_html, has_more: p.has_more, words: p.words })
        });
        let pages = self.pages.iter().map(|p| {
            let (html, summary_html) = (p.content_html.as_str(), p.summary_html.as_str());
            (Kind::Page, p.fingerprint, EntryRef { html, summary_html, has_more: false, words: 0 })
        });
        let comments =
            self.comments.iter().filter(|c| c.status == super::comment::Status::Approved).map(|c| {
                (
                    Kind::Comment,
                    c.fingerprint,
                    EntryRef { html: &c.html, summary_html: "", has_more: false, words: 0 },
                )
            });
        write(&self.dir, posts.chain(pages).chain(comments))
    }
}

fn write<'a>(dir: &Path, entries: impl Iterator<Item = (Kind, u128, EntryRef<'a>)>) -> anyhow::Result<()> {
    crate::cache_file::write(&dir.join(FILE), MAGIC, &entries.collect::<Vec<_>>())
}

fn read(path: &Path) -> Option<Vec<(Kind, u128, RenderedMarkdown)>> {
    crate::cache_file::read(path, MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> RenderedMarkdown {
        RenderedMarkdown { html: html.into(), summary_html: String::new(), has_more: false, words: 1 }
    }

    #[test]
    fn a_saved_entry_comes_back_and_is_keyed_by_kind_and_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let first = ContentCache::load(dir.path());
        assert_eq!(first.get_or(Kind::Post, 7, || md("<p>a</p>")).html, "<p>a</p>");
        assert!(first.is_stale());
        let entry = EntryRef { html: "<p>a</p>", summary_html: "", has_more: false, words: 1 };
        write(dir.path(), [(Kind::Post, 7, entry)].into_iter()).unwrap();

        let second = ContentCache::load(dir.path());
        assert_eq!(second.get_or(Kind::Comment, 7, || md("fresh")).html, "fresh");
        assert_eq!(second.get_or(Kind::Post, 7, || md("fresh")).html, "<p>a</p>");
        assert_eq!(second.get_or(Kind::Post, 8, || md("fresh")).html, "fresh");
    }

    #[test]
    fn a_damaged_cache_is_an_empty_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), b"PRLRCC01\xff\xff\xff").unwrap();
        let cache = ContentCache::load(dir.path());
        assert_eq!(cache.get_or(Kind::Post, 1, || md("fresh")).html, "fresh");
    }
}
