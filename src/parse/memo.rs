//! `serve`'s memo of parsed files, kept between rebuilds: a file whose
//! text has not changed is not parsed, rendered or highlighted again.
//! What invalidates it: a file's text (compared by pointer, then byte for
//! byte), and any change to the config, which drops everything.

use std::sync::Arc;

use rayon::prelude::*;

use super::*;

/// Parsed files kept between builds (by `parlor serve`): a file whose text
/// has not changed is not parsed, rendered or highlighted again. Failures
/// are kept too, so their diagnostics come back. Everything is dropped when
/// the config changes, since parsing depends on it.
#[derive(Default)]
pub struct ParseCache {
    pub(super) config: std::sync::Mutex<u64>,
    pub(super) posts: Memo<SourceFile, Post>,
    pub(super) pages: Memo<SourceFile, Page>,
    pub(super) comments: Memo<crate::load::CommentSource, comment::Comment>,
}

/// What a memo knows a source file by: its path and text.
pub(super) fn source_key(f: &SourceFile) -> (&std::path::Path, &Text) {
    (&f.path, &f.text)
}

pub(super) fn comment_key(c: &crate::load::CommentSource) -> (&std::path::Path, &Text) {
    (&c.path, &c.text)
}

/// Each of `sources` parsed by `make`, or taken from `memo`.
pub(super) fn parse_files<S: Send + Sync, T: Send + Sync>(
    sources: Vec<Arc<S>>,
    memo: Option<&Memo<S, T>>,
    key: impl Fn(&S) -> (&std::path::Path, &Text) + Sync,
    make: impl Fn(Arc<S>) -> Parsing<T> + Sync,
) -> Vec<Parsing<T>> {
    match memo {
        Some(memo) => memo.get_all(sources, key, make),
        None => sources.into_par_iter().map(&make).collect(),
    }
}

impl ParseCache {
    pub(super) fn check_config(&self, config: &Config) {
        let fingerprint = hash(&format!("{config:?}"));
        let mut seen = self.config.lock().unwrap_or_else(|e| e.into_inner());
        if *seen != fingerprint {
            *seen = fingerprint;
            self.posts.clear();
            self.pages.clear();
            self.comments.clear();
        }
    }
}

/// Results by path, valid while the file's text is the same. Nearly every
/// lookup finds an unchanged file, so lookups share the lock. An unchanged
/// file comes from `serve`'s load cache as the very same allocation, so
/// most checks compare two pointers; a file read again is compared byte
/// for byte, which costs less than hashing every text on every rebuild.
pub(super) struct Memo<S, T> {
    by_path: std::sync::RwLock<foldhash::HashMap<std::ffi::OsString, Memoised<T>>>,
    /// The last build's sources and results, in order: when `serve`'s load
    /// cache hands over the same files again, each is recognised by its
    /// position and pointer, with no lookup at all.
    last: std::sync::Mutex<Vec<(Arc<S>, Parsing<T>)>>,
}

/// A file's text, and what parsing it gave.
pub(super) type Memoised<T> = (Text, Parsing<T>);

/// What parsing one file gives: shared, so a memoised result costs a
/// reference count, not a copy of its HTML.
pub(super) type Parsing<T> = Result<Arc<T>, Vec<Diagnostic>>;

impl<S, T> Default for Memo<S, T> {
    fn default() -> Self {
        Memo { by_path: Default::default(), last: Default::default() }
    }
}

impl<S: Send + Sync, T: Send + Sync> Memo<S, T> {
    /// Each of `sources` parsed, in order: the last build's result for a
    /// source it was handed before, else `get_or`.
    fn get_all(
        &self,
        sources: Vec<Arc<S>>,
        key: impl Fn(&S) -> (&std::path::Path, &Text) + Sync,
        make: impl Fn(Arc<S>) -> Parsing<T> + Sync,
    ) -> Vec<Parsing<T>> {
        let last = std::mem::take(&mut *self.last.lock().unwrap_or_else(|e| e.into_inner()));
        let same_files = last.len() == sources.len();
        let results: Vec<(Arc<S>, Parsing<T>)> = sources
            .into_par_iter()
            .enumerate()
            .map(|(i, source)| {
                let kept = same_files.then(|| &last[i]).filter(|(seen, _)| Arc::ptr_eq(seen, &source));
                let result = match kept {
                    Some((_, result)) => result.clone(),
                    None => {
                        let (path, text) = key(&source);
                        self.get_or(path, text, || make(Arc::clone(&source)))
                    }
                };
                (source, result)
            })
            .collect();
        let parsed = results.iter().map(|(_, result)| result.clone()).collect();
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = results;
        parsed
    }

    fn get_or(&self, path: &std::path::Path, text: &Text, make: impl FnOnce() -> Parsing<T>) -> Parsing<T> {
        if let Some((seen, result)) =
            self.by_path.read().unwrap_or_else(|e| e.into_inner()).get(path.as_os_str())
            && (Arc::ptr_eq(seen, text) || **seen == **text)
        {
            return result.clone();
        }
        // Parse outside the lock: other files go on in parallel.
        let result = make();
        let kept = (Arc::clone(text), result.clone());
        self.by_path.write().unwrap_or_else(|e| e.into_inner()).insert(path.as_os_str().to_owned(), kept);
        result
    }

    fn clear(&self) {
        self.by_path.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.last.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// The config's hash: a changed config drops the whole memo.
fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}
