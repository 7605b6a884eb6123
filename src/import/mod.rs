//! Moving a blog in: `parlor import wordpress FILE` (WXR 1.0 to 1.2),
//! `parlor import blogger FILE` (Atom), and `parlor import disqus FILE`
//! (a Disqus export's comments, onto the posts already in the site). Off
//! the build path.
//!
//! Exports are read as a stream and each post is written as soon as it has
//! been read, into a staging folder inside the target: memory stays flat
//! however large the export. Only when the whole export has been read are
//! the files moved into place, after checking that none would overwrite a
//! different file (unless `--force`). A file that is already there with the
//! same text is left alone, so re-running an import changes nothing.

mod blogger;
mod disqus;
mod html;
mod media;
mod old_urls;
mod wordpress;
mod xml;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::parse::comment::{Recorded, Status};

/// Which kind of export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    WordPress,
    Blogger,
    /// Comments only, onto an existing site's posts and pages.
    Disqus,
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub source: Source,
    pub file: PathBuf,
    /// The site folder to write into (created if missing).
    pub into: PathBuf,
    /// Replace files that exist with other text.
    pub force: bool,
    /// Leave out what was not public (password-protected and private
    /// posts, drafts, scheduled posts) instead of keeping it as drafts.
    pub skip_private: bool,
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    /// The export is not well-formed XML.
    Malformed {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    /// Files exist with other text, and `--force` was not given.
    Conflicts(Vec<PathBuf>),
    Io(anyhow::Error),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Malformed { path, line, col, message } => {
                write!(
                    f,
                    "{}:{line}:{col}: the export is not well-formed XML: {message}; nothing was written",
                    path.display()
                )
            }
            ImportError::Conflicts(paths) => {
                let shown: Vec<String> =
                    paths.iter().take(10).map(|p| format!("  {}", p.display())).collect();
                write!(
                    f,
                    "{} would be overwritten with other text; nothing was written:\n{}{}\nimport into an empty folder, or pass --force to replace them",
                    crate::diag::plural(paths.len(), "file"),
                    shown.join("\n"),
                    if paths.len() > 10 { "\n  ..." } else { "" }
                )
            }
            ImportError::Io(e) => write!(f, "{e:#}"),
        }
    }
}

impl From<anyhow::Error> for ImportError {
    fn from(e: anyhow::Error) -> Self {
        ImportError::Io(e)
    }
}

/// What an import found and did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub posts: usize,
    pub pages: usize,
    /// Posts kept as drafts.
    pub drafts: usize,
    /// Pages kept as drafts.
    pub page_drafts: usize,
    /// Comments by the status they were given.
    pub comments: BTreeMap<&'static str, usize>,
    pub tags: BTreeSet<String>,
    pub categories: BTreeSet<String>,
    /// Author id -> name.
    pub authors: BTreeMap<String, String>,
    /// What was left out, by reason.
    pub skipped: BTreeMap<String, usize>,
    pub written: usize,
    pub unchanged: usize,
    /// Authors the existing `site.toml` lacks (it was not changed).
    pub authors_to_add: Vec<String>,
    /// What was not public in the old blog: `(file, why)`, kept as drafts
    /// (or, with `--skip-private`, left out).
    pub withheld: Vec<(String, &'static str)>,
    /// Old addresses written as `aliases` (redirect pages).
    pub aliases: usize,
    /// Links between imported posts moved to their new URLs.
    pub links_rewritten: usize,
    /// Links to attachment pages made links to the files.
    pub attachment_links: usize,
    /// What of a post was left out: `(file, what)` (a widget block).
    pub not_imported: Vec<(String, String)>,
    /// The permalink pattern a new site took to keep its old URLs.
    pub permalink: Option<String>,
    /// A Disqus import's threads and deleted comments.
    pub disqus: Option<disqus::DisqusReport>,
}

impl ImportReport {
    fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    /// Records a part of a post that was left out.
    fn not_imported(&mut self, file: String, what: String) {
        if !self.not_imported.iter().any(|(f, w)| *f == file && *w == what) {
            self.not_imported.push((file, what));
        }
    }

    /// Records an item that was not public; whether to write it (as a
    /// draft) rather than leave it out.
    fn withhold(&mut self, file: String, why: &'static str, skip_private: bool) -> bool {
        let file = if skip_private { format!("{file} (left out)") } else { file };
        self.withheld.push((file, why));
        !skip_private
    }

    pub fn summary(&self) -> String {
        if let Some(disqus) = &self.disqus {
            return disqus.summary(self);
        }
        let mut s = String::new();
        let _ = writeln!(
            s,
            "imported {}, {}",
            with_drafts(self.posts, "post", self.drafts),
            with_drafts(self.pages, "page", self.page_drafts)
        );
        let comments: Vec<String> = self.comments.iter().map(|(k, v)| format!("{v} {k}")).collect();
        let total: usize = self.comments.values().sum();
        let _ = writeln!(
            s,
            "  {}{}",
            crate::diag::plural(total, "comment"),
            if comments.is_empty() { String::new() } else { format!(": {}", comments.join(", ")) }
        );
        let categories = if self.categories.len() == 1 {
            "1 category".to_string()
        } else {
            format!("{} categories", self.categories.len())
        };
        let _ = writeln!(
            s,
            "  {}, {categories}, {}",
            crate::diag::plural(self.tags.len(), "tag"),
            crate::diag::plural(self.authors.len(), "author")
        );
        if !self.withheld.is_empty() {
            let _ = writeln!(
                s,
                "  {} not public in the old blog (never published here):",
                crate::diag::plural(self.withheld.len(), "item")
            );
            for (file, why) in &self.withheld {
                let _ = writeln!(s, "    {file}: {why}");
            }
        }
        if let Some(pattern) = &self.permalink {
            let _ = writeln!(s, "  old URLs kept: `permalink = \"{pattern}\"` in site.toml");
        }
        if self.aliases > 0 || self.links_rewritten > 0 {
            let _ = writeln!(
                s,
                "  {} {} to old URLs (each redirects to the new one), {} between posts moved to the new URLs",
                self.aliases,
                if self.aliases == 1 { "alias" } else { "aliases" },
                crate::diag::plural(self.links_rewritten, "link")
            );
        }
        if self.attachment_links > 0 {
            let _ = writeln!(
                s,
                "  {} to attachment pages now lead to the files",
                crate::diag::plural(self.attachment_links, "link")
            );
        }
        if !self.not_imported.is_empty() {
            let _ =
                writeln!(s, "  parts of posts not imported (WordPress made them when it showed the page):");
            for (file, what) in &self.not_imported {
                let _ = writeln!(s, "    {file}: not imported: {what}");
            }
        }
        for (reason, n) in &self.skipped {
            let _ = writeln!(s, "  skipped {n}: {reason}");
        }
        let _ = writeln!(
            s,
            "  {} written, {} already there unchanged",
            crate::diag::plural(self.written, "file"),
            self.unchanged
        );
        if !self.authors_to_add.is_empty() {
            let _ = writeln!(
                s,
                "  site.toml was kept; add these authors to it: {}",
                self.authors_to_add.join(", ")
            );
        }
        s
    }
}

/// `5 posts`, `5 posts (2 of them drafts)`, `1 page (a draft)`.
fn with_drafts(n: usize, noun: &str, drafts: usize) -> String {
    let counted = crate::diag::plural(n, noun);
    match (n, drafts) {
        (_, 0) => counted,
        (1, _) => format!("{counted} (a draft)"),
        (_, 1) => format!("{counted} (1 of them a draft)"),
        _ => format!("{counted} ({drafts} of them drafts)"),
    }
}

/// Files written during an import, before they are moved into place.
struct Staging {
    dir: tempfile::TempDir,
    files: Vec<PathBuf>,
    /// Post and page slugs taken so far, so two never collide.
    post_slugs: HashSet<String>,
    page_slugs: HashSet<String>,
    /// Slugs of pages that take or hold comments: their comment folders,
    /// which no post may share.
    commented_page_slugs: HashSet<String>,
    /// Where each post and page was on the old blog.
    old_urls: old_urls::OldUrls,
}

/// What a slug is claimed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlugFor {
    Post,
    Page,
    /// A page that takes or holds comments: its slug is also a comment
    /// folder, so it is kept apart from every post's too.
    CommentedPage,
}

impl Staging {
    fn new(into: &Path) -> Result<Staging> {
        std::fs::create_dir_all(into).with_context(|| format!("cannot create `{}`", into.display()))?;
        let dir = tempfile::Builder::new()
            .prefix(".parlor-import-")
            .tempdir_in(into)
            .with_context(|| format!("cannot create a staging folder in `{}`", into.display()))?;
        Ok(Staging {
            dir,
            files: Vec::new(),
            post_slugs: HashSet::new(),
            page_slugs: HashSet::new(),
            commented_page_slugs: HashSet::new(),
            old_urls: old_urls::OldUrls::default(),
        })
    }

    fn write(&mut self, relative: PathBuf, text: &str) -> Result<()> {
        let path = self.dir.path().join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write `{}`", path.display()))?;
        self.files.push(relative);
        Ok(())
    }

    /// A slug free among posts (or pages): `base`, else `base-2`, ...
    /// A post's slug and a commented page's never meet, so the two never
    /// share a folder in `content/comments/`.
    fn claim(&mut self, base: &str, what: SlugFor) -> String {
        let free = |s: &Staging, slug: &String| match what {
            SlugFor::Post => !s.post_slugs.contains(slug) && !s.commented_page_slugs.contains(slug),
            SlugFor::Page => !s.page_slugs.contains(slug),
            SlugFor::CommentedPage => !s.page_slugs.contains(slug) && !s.post_slugs.contains(slug),
        };
        let mut slug = base.to_string();
        let mut n = 2;
        while !free(self, &slug) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        match what {
            SlugFor::Post => self.post_slugs.insert(slug.clone()),
            SlugFor::Page => self.page_slugs.insert(slug.clone()),
            SlugFor::CommentedPage => {
                self.commented_page_slugs.insert(slug.clone());
                self.page_slugs.insert(slug.clone())
            }
        };
        slug
    }

    /// Moves every file into `into`, unless one would overwrite other text
    /// (without `force`): then nothing moves.
    fn commit(self, into: &Path, force: bool, report: &mut ImportReport) -> Result<(), ImportError> {
        let mut to_move = Vec::new();
        let mut conflicts = Vec::new();
        for rel in &self.files {
            let target = into.join(rel);
            match std::fs::read(&target) {
                Ok(existing) => {
                    let staged =
                        std::fs::read(self.dir.path().join(rel)).map_err(|e| ImportError::Io(e.into()))?;
                    if existing == staged {
                        report.unchanged += 1;
                    } else if force {
                        to_move.push(rel.clone());
                    } else {
                        conflicts.push(rel.clone());
                    }
                }
                Err(_) => to_move.push(rel.clone()),
            }
        }
        if !conflicts.is_empty() {
            return Err(ImportError::Conflicts(conflicts));
        }
        for rel in &to_move {
            let target = into.join(rel);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create `{}`", parent.display()))?;
            }
            std::fs::rename(self.dir.path().join(rel), &target)
                .with_context(|| format!("cannot move `{}` into place", rel.display()))?;
        }
        report.written = to_move.len();
        Ok(())
    }
}

pub fn run(options: &ImportOptions) -> Result<ImportReport, ImportError> {
    if !options.file.is_file() {
        return Err(ImportError::Io(anyhow::anyhow!("`{}` is not a file", options.file.display())));
    }
    let import_posts = match options.source {
        Source::WordPress => wordpress::import,
        Source::Blogger => blogger::import,
        Source::Disqus => return run_disqus(options),
    };
    let mut staging = Staging::new(&options.into)?;
    let mut report = ImportReport::default();
    let site = import_posts(&options.file, options.skip_private, &mut staging, &mut report)?;
    keep_old_urls(&site, &options.into, &mut staging, &mut report)?;
    write_site_toml(&site, &options.into, &mut staging, &mut report)?;
    staging.commit(&options.into, options.force, &mut report)?;
    Ok(report)
}

/// Disqus comments onto the site in `options.into`, whose posts and pages
/// are read as the build reads them.
fn run_disqus(options: &ImportOptions) -> Result<ImportReport, ImportError> {
    let root = &options.into;
    let diags = crate::diag::Diagnostics::new();
    let Some(config) = crate::config::Config::load(root, &diags) else {
        let problems: Vec<String> = diags.into_sorted().iter().map(|d| d.headline()).collect();
        return Err(ImportError::Io(anyhow::anyhow!(
            "a Disqus export holds only comments: it goes onto a site whose posts are there ({}); import the posts first (`parlor import wordpress` or `blogger`), or pass `--into DIR`",
            problems.join("; ")
        )));
    };
    // Publication does not matter here: a draft's comments land too.
    let index = crate::site_index::SiteIndex::load(root, &config, jiff::Timestamp::UNIX_EPOCH, &diags);
    let matcher = disqus::Matcher::new(&index, &config.base_url);
    let mut staging = Staging::new(root)?;
    let mut report = ImportReport::default();
    let unreadable =
        diags.into_sorted().iter().filter(|d| d.severity == crate::diag::Severity::Error).count();
    let mut found = disqus::DisqusReport { unreadable, ..Default::default() };
    disqus::import(&options.file, &matcher, &mut staging, &mut report, &mut found)?;
    staging.commit(root, options.force, &mut report)?;
    report.disqus = Some(found);
    Ok(report)
}

/// Old URLs keep working: a new site takes the permalink pattern that
/// gives every post its old path, if one does; every other old address
/// becomes an alias, and links between posts move to the new URLs.
fn keep_old_urls(
    site: &SiteInfo,
    into: &Path,
    staging: &mut Staging,
    report: &mut ImportReport,
) -> Result<()> {
    let old = std::mem::take(&mut staging.old_urls);
    let existing = std::fs::read_to_string(into.join(crate::config::CONFIG_FILE)).ok();
    let pattern = match existing {
        Some(text) => {
            let table: toml::Table = toml::from_str(&text).unwrap_or_default();
            table.get("permalink").and_then(|p| p.as_str()).unwrap_or(DEFAULT_PERMALINK).to_string()
        }
        None => {
            let found = old.pattern(&site.link).unwrap_or(DEFAULT_PERMALINK);
            if found != DEFAULT_PERMALINK {
                report.permalink = Some(found.to_string());
            }
            found.to_string()
        }
    };
    old.apply(&site.link, &pattern, staging, report)
}

const DEFAULT_PERMALINK: &str = "/posts/:slug/";

/// What an export says about the blog itself.
#[derive(Debug, Default)]
struct SiteInfo {
    title: String,
    link: String,
    description: String,
    language: String,
}

fn write_site_toml(
    site: &SiteInfo,
    into: &Path,
    staging: &mut Staging,
    report: &mut ImportReport,
) -> Result<()> {
    if let Ok(existing) = std::fs::read_to_string(into.join(crate::config::CONFIG_FILE)) {
        // Never touch an existing config; say what it lacks.
        let table: toml::Table = toml::from_str(&existing).unwrap_or_default();
        let known = table.get("authors").and_then(|a| a.as_table());
        report.authors_to_add = report
            .authors
            .keys()
            .filter(|id| known.is_none_or(|k| !k.contains_key(id.as_str())))
            .cloned()
            .collect();
        return Ok(());
    }
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let base = if site.link.starts_with("http://") || site.link.starts_with("https://") {
        site.link.clone()
    } else {
        "https://example.org/".into()
    };
    let mut text = format!(
        "# Imported by parlor. Everything is optional except title and base_url.\ntitle = {}\nbase_url = {}\n",
        q(if site.title.trim().is_empty() { "My blog" } else { site.title.trim() }),
        q(&base)
    );
    if !site.description.trim().is_empty() {
        text.push_str(&format!("description = {}\n", q(site.description.trim())));
    }
    if !site.language.trim().is_empty() {
        text.push_str(&format!("language = {}\n", q(site.language.trim())));
    }
    if let Some(pattern) = &report.permalink {
        text.push_str(&format!("# The old blog's URLs, kept.\npermalink = {}\n", q(pattern)));
    }
    for (id, name) in &report.authors {
        // Author ids are slugs, safe as bare keys.
        text.push_str(&format!("\n[authors.{id}]\nname = {}\n", q(name)));
    }
    staging.write(PathBuf::from(crate::config::CONFIG_FILE), &text)?;
    Ok(())
}

/// An imported post or page, ready to write.
struct PostOut {
    title: String,
    date: Option<String>,
    author: Option<String>,
    category: Option<String>,
    tags: Vec<String>,
    summary: Option<String>,
    draft: bool,
    /// Why the post was not public in the old blog: written as a comment
    /// in its front matter, beside `draft: true`.
    withheld: Option<&'static str>,
    /// `comments:` when the export's setting is not parlor's default
    /// (posts open, pages closed).
    comments: Option<&'static str>,
    markdown: String,
}

/// An imported post's front matter, as `parse` reads it.
#[derive(serde::Serialize)]
struct PostFront<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    comments: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    draft: bool,
    /// The body came from an export: the build sanitises its HTML.
    imported: bool,
}

impl PostOut {
    fn file_text(&self, page: bool) -> String {
        // A fixed stand-in, not today: importing twice must write the same file.
        let date = self.date.as_deref().unwrap_or("1970-01-01T00:00:00Z");
        let post = |v| if page { None } else { v };
        let front = PostFront {
            title: if self.title.trim().is_empty() { "Untitled" } else { self.title.trim() },
            date: (!page || self.date.is_some()).then_some(date),
            author: post(self.author.as_deref()),
            category: post(self.category.as_deref()),
            tags: if page { &[] } else { &self.tags },
            comments: self.comments,
            summary: self.summary.as_deref(),
            draft: self.draft || self.date.is_none(),
            imported: true,
        };
        let yaml = serde_norway::to_string(&front)
            .unwrap_or_else(|e| unreachable!("front matter of strings serialises to YAML: {e}"));
        let note = self.withheld.map_or(String::new(), |why| {
            format!("# Not public in the old blog ({why}): kept as a draft. Publishing it makes it public.\n")
        });
        format!("---\n{note}{yaml}---\n{}", self.markdown)
    }
}

/// An imported comment, ready to write.
struct CommentOut {
    id: String,
    author: String,
    email: Option<String>,
    website: Option<String>,
    date: String,
    reply_to: Option<String>,
    status: Status,
    markdown: String,
}

impl CommentOut {
    fn file_text(&self) -> String {
        crate::parse::comment::NewComment {
            id: &self.id,
            author: &self.author,
            email: self.email.as_deref(),
            website: self.website.as_deref(),
            date: &self.date,
            reply_to: self.reply_to.as_deref(),
            member: false,
            body: &self.markdown,
        }
        .file_text(Recorded::Status(self.status))
    }
}
