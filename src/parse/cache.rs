//! The persistent cache of rendered Markdown: what parsing posts, pages
//! and comments costs most (Markdown, highlighting, sanitising), kept in
//! `.parlor/cache/content.bin` between builds. This module reads and
//! writes no file: the build hands it the entries `cache_file` read
//! (`FILE`, `MAGIC`), and takes back what to write.
//!
//! An entry is keyed by the fingerprint (SHA-256) of the whole source file,
//! so any edit to a file misses; the file as a whole belongs to one build
//! of parlor (`BUILD_ID`), so a new parlor starts afresh. Anything wrong
//! with the file (missing, truncated, from another build) only means an
//! empty cache: it can cost time, never correctness.

use std::collections::HashMap;
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

/// The cache's file, under `.parlor/cache`, and its magic number.
pub const FILE: &str = "content.bin";
pub const MAGIC: &[u8; 8] = b"PRLRCC02";

/// One entry as the file holds it.
pub type Entry = (Kind, u128, RenderedMarkdown);

/// An entry borrowed from the built site, laid out as `RenderedMarkdown`.
#[derive(Serialize)]
pub struct EntryRef<'a> {
    html: &'a str,
    summary_html: &'a str,
    has_more: bool,
    words: usize,
    shortcodes: &'a [super::shortcodes::Call],
}

/// The cache for one build: entries from the last build not yet used, and
/// whether this build had to render anything afresh.
#[derive(Default)]
pub struct ContentCache {
    /// Whether the build keeps this cache (`build` and `check` do).
    kept: bool,
    unused: Mutex<HashMap<Key, RenderedMarkdown>>,
    missed: AtomicBool,
}

impl ContentCache {
    /// A cache that keeps nothing.
    pub fn none() -> ContentCache {
        ContentCache::default()
    }

    /// The cache the last build left (`entries`, none if its file was
    /// missing or unreadable).
    pub fn from_entries(entries: Option<Vec<Entry>>) -> ContentCache {
        let unused =
            entries.unwrap_or_default().into_iter().map(|(kind, fp, entry)| ((kind, fp), entry)).collect();
        ContentCache { kept: true, unused: Mutex::new(unused), missed: AtomicBool::new(false) }
    }

    /// The rendering of the file with `fingerprint`: cached, or made now.
    pub fn get_or(
        &self,
        kind: Kind,
        fingerprint: u128,
        make: impl FnOnce() -> RenderedMarkdown,
    ) -> RenderedMarkdown {
        if self.kept {
            let hit = self.unused.lock().unwrap_or_else(|e| e.into_inner()).remove(&(kind, fingerprint));
            if let Some(entry) = hit {
                return entry;
            }
            self.missed.store(true, Ordering::Relaxed);
        }
        make()
    }

    /// Like `get_or`, for a rendering that can fail: a failure is not kept.
    pub fn try_get_or<E>(
        &self,
        kind: Kind,
        fingerprint: u128,
        make: impl FnOnce() -> Result<RenderedMarkdown, E>,
    ) -> Result<RenderedMarkdown, E> {
        let mut failed = None;
        let rendered = self.get_or(kind, fingerprint, || match make() {
            Ok(rendered) => rendered,
            Err(e) => {
                failed = Some(e);
                RenderedMarkdown::default()
            }
        });
        match failed {
            Some(e) => Err(e),
            None => Ok(rendered),
        }
    }

    /// Whether the cache on disk no longer matches this build's content:
    /// something was rendered afresh, or something cached went unused.
    pub fn is_stale(&self) -> bool {
        self.missed.load(Ordering::Relaxed)
            || !self.unused.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
    }

    /// What the next build's cache should hold, if it differs from what
    /// this build found: the parsed files themselves, shared, so that it
    /// can be written on a thread of its own while the build goes on.
    pub fn to_save(&self, parsed: &super::Parsed) -> Option<ToSave> {
        (self.kept && self.is_stale()).then(|| ToSave {
            posts: parsed.posts.clone(),
            pages: parsed.pages.clone(),
            comments: parsed.comments.clone(),
        })
    }
}

/// What the cache file will hold: the parsed files themselves, shared.
pub struct ToSave {
    posts: Vec<std::sync::Arc<super::Post>>,
    pages: Vec<std::sync::Arc<super::Page>>,
    comments: Vec<std::sync::Arc<super::comment::Comment>>,
}

impl ToSave {
    /// The entries, as the file holds them.
    pub fn entries(&self) -> Vec<(Kind, u128, EntryRef<'_>)> {
        let posts = self.posts.iter().map(|p| {
            let (html, summary_html) = (p.content_html.as_str(), p.summary_html.as_str());
            (
                Kind::Post,
                p.fingerprint,
                EntryRef {
                    html,
                    summary_html,
                    has_more: p.has_more,
                    words: p.words,
                    shortcodes: &p.shortcodes,
                },
            )
        });
        let pages = self.pages.iter().map(|p| {
            let (html, summary_html) = (p.content_html.as_str(), p.summary_html.as_str());
            (
                Kind::Page,
                p.fingerprint,
                EntryRef { html, summary_html, has_more: false, words: 0, shortcodes: &p.shortcodes },
            )
        });
        let comments =
            self.comments.iter().filter(|c| c.status == super::comment::Status::Approved).map(|c| {
                (
                    Kind::Comment,
                    c.fingerprint,
                    EntryRef { html: &c.html, summary_html: "", has_more: false, words: 0, shortcodes: &[] },
                )
            });
        posts.chain(pages).chain(comments).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> RenderedMarkdown {
        RenderedMarkdown { html: html.into(), words: 1, ..RenderedMarkdown::default() }
    }

    #[test]
    fn an_entry_comes_back_keyed_by_kind_and_fingerprint() {
        let first = ContentCache::from_entries(None);
        assert_eq!(first.get_or(Kind::Post, 7, || md("<p>a</p>")).html, "<p>a</p>");
        assert!(first.is_stale());
        let second = ContentCache::from_entries(Some(vec![(Kind::Post, 7, md("<p>a</p>"))]));
        assert_eq!(second.get_or(Kind::Comment, 7, || md("fresh")).html, "fresh");
        assert_eq!(second.get_or(Kind::Post, 7, || md("fresh")).html, "<p>a</p>");
        assert_eq!(second.get_or(Kind::Post, 8, || md("fresh")).html, "fresh");
    }

    #[test]
    fn the_entries_written_read_back_as_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let entry =
            EntryRef { html: "<p>a</p>", summary_html: "", has_more: false, words: 1, shortcodes: &[] };
        crate::cache_file::write(&path, MAGIC, &vec![(Kind::Post, 7u128, entry)]).unwrap();
        let back: Option<Vec<Entry>> = crate::cache_file::read(&path, MAGIC);
        assert_eq!(back.unwrap()[0].2.html, "<p>a</p>");
        std::fs::write(&path, b"PRLRCC01\xff\xff\xff").unwrap();
        assert!(crate::cache_file::read::<Vec<Entry>>(&path, MAGIC).is_none(), "a damaged file is no cache");
    }
}
