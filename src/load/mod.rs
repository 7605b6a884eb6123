//! Stage 1: read the site from disk. Walks `content/`, `static/` and the
//! theme, reads text in parallel, and parses nothing. Everything after this
//! stage works on `Sources` and never touches the content folder again.

mod theme;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diag::{Diagnostic, Diagnostics};
use crate::parse::comment::CommentSource;

pub use theme::{Template, Theme, ThemeFile};

/// A Markdown file and where it came from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root, for diagnostics: `content/posts/a.md`.
    pub path: PathBuf,
    /// The slug the file's location gives: the file stem, or the bundle's
    /// folder name for `<slug>/index.md`.
    pub stem: String,
    pub text: String,
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

#[derive(Debug)]
pub struct Sources {
    pub posts: Vec<SourceFile>,
    pub pages: Vec<SourceFile>,
    pub comments: Vec<CommentSource>,
    /// The site's `static/` folder.
    pub static_files: Vec<Asset>,
    pub theme: Theme,
}

pub fn load(root: &Path, theme_name: &str, cache: Option<&LoadCache>, diags: &Diagnostics) -> Sources {
    let ((posts, pages), comments) = rayon::join(
        || {
            rayon::join(
                || read_markdown_dir_cached(root, "content/posts", cache, diags),
                || read_markdown_dir_cached(root, "content/pages", cache, diags),
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
    read_markdown_dir_cached(root, dir, None, diags)
}

fn read_markdown_dir_cached(
    root: &Path,
    dir: &str,
    cache: Option<&LoadCache>,
    diags: &Diagnostics,
) -> Vec<SourceFile> {
    let base = root.join(dir);
    let Ok(entries) = std::fs::read_dir(&base) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, String, Option<PathBuf>)> = Vec::new();
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
                found.push((index, name, Some(path)));
            } else {
                diags.push(
                    Diagnostic::warning(Path::new(dir).join(&name), "folder without `index.md` is skipped")
                        .with_help("a post bundle is a folder holding `index.md` and the files it uses"),
                );
            }
        } else if let Some(stem) = name.strip_suffix(".md") {
            found.push((path, stem.to_string(), None));
        }
    }
    found.sort();
    found
        .into_par_iter()
        .filter_map(|(path, stem, bundle)| {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let text = read_maybe_cached(&path, &relative, cache, diags)?;
            let assets = bundle.map(|b| bundle_assets(&b, diags)).unwrap_or_default();
            Some(SourceFile { path: relative, stem, text, assets })
        })
        .collect()
}

pub const COMMENTS_DIR: &str = "content/comments";

/// Every `content/comments/<post-slug>/<id>.md`, read in parallel.
pub fn read_comments(root: &Path, diags: &Diagnostics) -> Vec<CommentSource> {
    read_comments_cached(root, None, diags)
}

fn read_comments_cached(root: &Path, cache: Option<&LoadCache>, diags: &Diagnostics) -> Vec<CommentSource> {
    let base = root.join(COMMENTS_DIR);
    let Ok(entries) = std::fs::read_dir(&base) else { return Vec::new() };
    let mut files: Vec<(PathBuf, String, String)> = Vec::new();
    for dir in entries.flatten() {
        let post_slug = dir.file_name().to_string_lossy().into_owned();
        if is_ignored(&post_slug) || !dir.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(inner) = std::fs::read_dir(dir.path()) else { continue };
        for file in inner.flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            if let (false, Some(stem)) = (is_ignored(&name), name.strip_suffix(".md")) {
                files.push((file.path(), post_slug.clone(), stem.to_string()));
            }
        }
    }
    files.sort();
    files
        .into_par_iter()
        .filter_map(|(path, post_slug, stem)| {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let text = read_maybe_cached(&path, &relative, cache, diags)?;
            Some(CommentSource { path: relative, post_slug, stem, text })
        })
        .collect()
}

/// Texts read by an earlier build (`serve`), by path, valid while the
/// file's modification time and size are the same: a rebuild reads again
/// only the files that changed.
#[derive(Default)]
pub struct LoadCache {
    files: std::sync::Mutex<std::collections::HashMap<PathBuf, Stamped>>,
    /// When set (by `serve`'s watcher), the only files that changed since
    /// the last build: any other cached file is used without a `stat`.
    changed: std::sync::Mutex<Option<std::collections::HashSet<PathBuf>>>,
}

impl LoadCache {
    /// The next build may trust that only `paths` changed.
    pub fn only_changed(&self, paths: impl IntoIterator<Item = PathBuf>) {
        *self.changed.lock().unwrap_or_else(|e| e.into_inner()) = Some(paths.into_iter().collect());
    }

    /// The next build checks every file.
    pub fn check_all(&self) {
        *self.changed.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn trusted(&self, path: &Path) -> Option<String> {
        let changed = self.changed.lock().unwrap_or_else(|e| e.into_inner());
        let changed = changed.as_ref()?;
        if changed.contains(path) {
            return None;
        }
        self.files.lock().unwrap_or_else(|e| e.into_inner()).get(path).map(|(_, _, text)| text.clone())
    }
}

/// A file's modification time, size and text.
type Stamped = (std::time::SystemTime, u64, String);

fn read_maybe_cached(
    path: &Path,
    shown_as: &Path,
    cache: Option<&LoadCache>,
    diags: &Diagnostics,
) -> Option<String> {
    let Some(cache) = cache else { return read_text(path, shown_as, diags) };
    if let Some(text) = cache.trusted(path) {
        return Some(text);
    }
    let stamp = std::fs::metadata(path).ok().and_then(|m| Some((m.modified().ok()?, m.len())));
    if let Some((modified, len)) = stamp
        && let Some((m, l, text)) = cache.files.lock().unwrap_or_else(|e| e.into_inner()).get(path)
        && *m == modified
        && *l == len
    {
        return Some(text.clone());
    }
    let text = read_text(path, shown_as, diags)?;
    if let Some((modified, len)) = stamp {
        cache
            .files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), (modified, len, text.clone()));
    }
    Some(text)
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
