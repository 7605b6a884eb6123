//! Stage 1: read the site from disk. Walks `content/`, `static/` and the
//! theme, reads text in parallel, and parses nothing. Everything after this
//! stage works on `Sources` and never touches the content folder again.

mod cache;
mod theme;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diag::{Diagnostic, Diagnostics};

pub use cache::LoadCache;
use cache::{Kept, Listed, Listings, read_maybe_cached};
pub use theme::{BUILT_IN_ORIGIN, Template, Theme, ThemeFile};

/// A file's text, shared: `serve`'s caches hold it, and an unchanged
/// file is the same allocation from one rebuild to the next.
pub type Text = Arc<str>;

/// A Markdown file and where it came from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root, for diagnostics: `content/posts/a.md`.
    pub path: PathBuf,
    /// The slug the file's location gives: the file stem, or the bundle's
    /// folder name for `<slug>/index.md`.
    pub stem: String,
    pub text: Text,
    /// Files beside a bundle's `index.md`, copied next to its page.
    pub assets: Vec<Asset>,
}

/// A file copied as it is into the output.
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    /// Path below the page's (or the site's) output folder, `/`-separated.
    pub relative: String,
}

/// The files of a site, shared: `serve`'s load cache keeps them, so a
/// rebuild hands the parse stage the same files again, not copies.
#[derive(Debug)]
pub struct Sources {
    pub posts: Vec<Arc<SourceFile>>,
    pub pages: Vec<Arc<SourceFile>>,
    pub comments: Vec<Arc<CommentSource>>,
    /// The site's `static/` folder.
    pub static_files: Vec<Asset>,
    pub theme: Theme,
}

pub fn load(root: &Path, theme_name: &str, cache: Option<&LoadCache>, diags: &Diagnostics) -> Sources {
    let ((posts, pages), comments) = rayon::join(
        || {
            rayon::join(
                || read_markdown_dir_cached(root, POSTS_DIR, cache, diags),
                || read_markdown_dir_cached(root, PAGES_DIR, cache, diags),
            )
        },
        || read_comments_cached(root, cache, diags),
    );
    Sources {
        posts,
        pages,
        comments,
        static_files: list_assets(&root.join("static"), diags),
        theme: Theme::load(root, theme_name, diags),
    }
}

/// Editors' swap and backup files, and hidden files, are never content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        || name.starts_with('#')
}

pub fn read_markdown_dir(root: &Path, dir: &str, diags: &Diagnostics) -> Vec<SourceFile> {
    let files = read_markdown_dir_cached(root, dir, None, diags);
    files.into_iter().map(Arc::unwrap_or_clone).collect()
}

fn read_markdown_dir_cached(
    root: &Path,
    dir: &str,
    cache: Option<&LoadCache>,
    diags: &Diagnostics,
) -> Vec<Arc<SourceFile>> {
    let base = root.join(dir);
    let folder = Folder { base: &base, cache, diags };
    folder.read(
        |c| (&c.markdown, &c.markdown_read),
        |own| list_markdown_dir(&base, dir, own),
        |entry, diags| {
            let MarkdownEntry { path, stem, bundle } = entry;
            let relative = path.strip_prefix(root).unwrap_or(path).to_path_buf();
            let text = read_maybe_cached(path, &relative, cache, diags)?;
            let assets = bundle.as_ref().map(|b| bundle_assets(b, diags)).unwrap_or_default();
            Some(SourceFile { path: relative, stem: stem.clone(), text, assets })
        },
    )
}

/// One content folder being read, with `serve`'s cache when there is one.
struct Folder<'a> {
    base: &'a Path,
    cache: Option<&'a LoadCache>,
    diags: &'a Diagnostics,
}

impl Folder<'_> {
    /// Every file `list` finds, made by `read` in parallel. With a cache,
    /// the last build's files are reused when the folder's listing holds,
    /// and only the files the watcher named are read again.
    fn read<E: Listed + Sync, T: Send + Sync>(
        &self,
        kept: impl FnOnce(&LoadCache) -> (&Listings<E>, &Kept<T>),
        list: impl FnOnce(&Diagnostics) -> Vec<E>,
        read: impl Fn(&E, &Diagnostics) -> Option<T> + Sync,
    ) -> Vec<Arc<T>> {
        let Some(cache) = self.cache else {
            let entries = list(self.diags);
            return entries.par_iter().filter_map(|e| read(e, self.diags)).map(Arc::new).collect();
        };
        let (listings, kept) = kept(cache);
        if let Some(files) = cache.patch(listings, kept, self.base, self.diags, &read) {
            return files;
        }
        let entries = cache.listing(listings, self.base, self.diags, list);
        let own = Diagnostics::new();
        let files: Vec<Arc<T>> = entries.par_iter().filter_map(|e| read(e, &own)).map(Arc::new).collect();
        let clean = own.is_empty() && files.len() == entries.len();
        self.diags.extend(own.into_sorted());
        // Reused only while every file in it reads cleanly: a file that
        // did not must be read (and reported) again.
        let mut kept = kept.0.lock().unwrap_or_else(|e| e.into_inner());
        if clean {
            kept.insert(self.base.as_os_str().to_owned(), files.clone());
        } else {
            kept.remove(self.base.as_os_str());
        }
        files
    }
}

/// A Markdown file found in a content folder: a post or page on its own,
/// or the `index.md` of a bundle folder.
#[derive(Clone)]
struct MarkdownEntry {
    path: PathBuf,
    stem: String,
    bundle: Option<PathBuf>,
}

impl Listed for MarkdownEntry {
    fn path(&self) -> &Path {
        &self.path
    }
}

fn list_markdown_dir(base: &Path, dir: &str, diags: &Diagnostics) -> Vec<MarkdownEntry> {
    let Ok(entries) = std::fs::read_dir(base) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_ignored(&name) {
            continue;
        }
        let path = entry.path();
        // The entry knows its type: no stat needed (it matters in `serve`).
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let index = path.join("index.md");
            if index.is_file() {
                found.push(MarkdownEntry { path: index, stem: name, bundle: Some(path) });
            } else {
                diags.push(
                    Diagnostic::warning(Path::new(dir).join(&name), "folder without `index.md` is skipped")
                        .with_help("a post bundle is a folder holding `index.md` and the files it uses"),
                );
            }
        } else if let Some(stem) = name.strip_suffix(".md") {
            found.push(MarkdownEntry { path, stem: stem.to_string(), bundle: None });
        }
    }
    // By name as bytes: comparing paths component by component costs more
    // than the whole rest of a listing that `serve` takes again.
    found.sort_unstable_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    found
}

pub const COMMENTS_DIR: &str = "content/comments";
/// Where posts live, under the site root.
pub const POSTS_DIR: &str = "content/posts";
/// Where pages live, under the site root.
pub const PAGES_DIR: &str = "content/pages";

/// A comment file as read from disk.
#[derive(Debug, Clone)]
pub struct CommentSource {
    pub path: PathBuf,
    pub post_slug: String,
    /// The file name without `.md`.
    pub stem: String,
    pub text: Text,
}

/// Every `content/comments/<post-slug>/<id>.md`, read in parallel.
pub fn read_comments(root: &Path, diags: &Diagnostics) -> Vec<CommentSource> {
    let files = read_comments_cached(root, None, diags);
    files.into_iter().map(Arc::unwrap_or_clone).collect()
}

fn read_comments_cached(
    root: &Path,
    cache: Option<&LoadCache>,
    diags: &Diagnostics,
) -> Vec<Arc<CommentSource>> {
    let base = root.join(COMMENTS_DIR);
    let folder = Folder { base: &base, cache, diags };
    folder.read(
        |c| (&c.comments, &c.comments_read),
        |_| list_comments(&base),
        |entry, diags| {
            let CommentEntry { path, post_slug, stem } = entry;
            let relative = path.strip_prefix(root).unwrap_or(path).to_path_buf();
            let text = read_maybe_cached(path, &relative, cache, diags)?;
            Some(CommentSource { path: relative, post_slug: post_slug.clone(), stem: stem.clone(), text })
        },
    )
}

/// `content/comments/<post_slug>/<stem>.md`.
#[derive(Clone)]
struct CommentEntry {
    path: PathBuf,
    post_slug: String,
    stem: String,
}

impl Listed for CommentEntry {
    fn path(&self) -> &Path {
        &self.path
    }
}

fn list_comments(base: &Path) -> Vec<CommentEntry> {
    let Ok(entries) = std::fs::read_dir(base) else { return Vec::new() };
    let posts: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|dir| dir.file_type().is_ok_and(|t| t.is_dir()))
        .map(|dir| (dir.file_name().to_string_lossy().into_owned(), dir.path()))
        .filter(|(post_slug, _)| !is_ignored(post_slug))
        .collect();
    // A folder per post: listed in parallel, as a large site has a hundred thousand.
    let mut files: Vec<CommentEntry> =
        posts.par_iter().flat_map_iter(|(post_slug, dir)| list_post_comments(post_slug, dir)).collect();
    files.sort_unstable_by(|a, b| (&a.post_slug, &a.stem).cmp(&(&b.post_slug, &b.stem)));
    files
}

fn list_post_comments(post_slug: &str, dir: &Path) -> Vec<CommentEntry> {
    let Ok(inner) = std::fs::read_dir(dir) else { return Vec::new() };
    inner
        .flatten()
        .filter_map(|file| {
            let name = file.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".md").filter(|_| !is_ignored(&name))?;
            Some(CommentEntry { path: file.path(), post_slug: post_slug.to_string(), stem: stem.to_string() })
        })
        .collect()
}

/// Reads a UTF-8 text file, dropping a byte-order mark.
pub fn read_text(path: &Path, shown_as: &Path, diags: &Diagnostics) -> Option<String> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(mut text) => {
                if text.starts_with('\u{feff}') {
                    text.drain(..3);
                }
                Some(text)
            }
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                diags.push(
                    Diagnostic::error(shown_as, format!("not valid UTF-8 (at byte {offset})"))
                        .with_help("save the file as UTF-8"),
                );
                None
            }
        },
        Err(e) => {
            diags.push(Diagnostic::error(shown_as, format!("cannot read the file: {e}")));
            None
        }
    }
}

fn bundle_assets(dir: &Path, diags: &Diagnostics) -> Vec<Asset> {
    list_assets(dir, diags).into_iter().filter(|a| a.relative != "index.md").collect()
}

/// Every file below `dir`, as assets relative to it.
pub fn list_assets(dir: &Path, diags: &Diagnostics) -> Vec<Asset> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut assets = Vec::new();
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
                let relative =
                    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                assets.push(Asset { source: e.path().to_path_buf(), relative });
            }
            Ok(_) => {}
            Err(e) => diags.push(Diagnostic::error(dir, format!("cannot list the folder: {e}"))),
        }
    }
    assets
}
