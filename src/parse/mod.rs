//! Stage 2: parse every source file into a `Post` or `Page`, in parallel.
//! Each file's problems become diagnostics and the file is left out; the
//! rest of the site still parses, so one run reports everything.

pub mod alias;
pub mod cache;
pub mod comment;
pub mod date;
pub mod front_matter;
pub mod highlight;
pub mod markdown;
mod memo;
pub mod shortcodes;
pub mod subscriptions;
pub mod untrusted;

pub use memo::ParseCache;
use memo::{comment_key, parse_files, source_key};

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, key_location};
use crate::load::{Asset, SourceFile, Sources, Text, Theme};
pub use alias::Alias;
pub use date::PostDate;
pub use front_matter::SourceAttribution;
use markdown::RenderedMarkdown;

/// Who may comment on a post or a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentsMode {
    Open,
    Closed,
    Members,
}

impl CommentsMode {
    /// Who may comment at `at` on a post (or page) written with this mode
    /// and published at `posted`: age can close it (a page without a date
    /// never closes by age), and the site can make every post members-only.
    /// The build and comment intake decide with this.
    pub fn at(
        self,
        posted: Option<&PostDate>,
        settings: &crate::config::CommentSettings,
        at: jiff::Timestamp,
    ) -> CommentsMode {
        let aged = posted.is_some_and(|p| settings.closes_by_age(p.timestamp, at));
        match self {
            CommentsMode::Open if aged => CommentsMode::Closed,
            CommentsMode::Open if settings.members_only => CommentsMode::Members,
            mode => mode,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Post {
    pub path: PathBuf,
    pub slug: String,
    /// The line that decides the slug (`slug:`, else the first), for
    /// diagnostics about the URL.
    pub slug_line: usize,
    pub title: String,
    pub date: PostDate,
    pub updated: Option<PostDate>,
    /// A key of `[authors]`, checked against the config.
    pub author: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub content_html: String,
    pub summary_html: String,
    pub has_more: bool,
    pub words: usize,
    /// The shortcode calls whose markers `content_html` and `summary_html`
    /// hold, for `render` to fill in.
    pub shortcodes: Vec<shortcodes::Call>,
    pub draft: bool,
    pub comments: CommentsMode,
    pub source: Option<SourceAttribution>,
    pub photo_credit: Option<String>,
    pub image: Option<String>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Old URLs that redirect to it (`aliases:`).
    pub aliases: Vec<Alias>,
    pub assets: Vec<Asset>,
    /// The source file's `fingerprint`: what changed and what did not.
    pub fingerprint: u128,
    /// Problems that do not stop the post (a name cut to make its slug):
    /// reported by every build that parses it, or takes it from the memo.
    pub warnings: Vec<Diagnostic>,
}

impl Post {
    /// Minutes to read at 200 words a minute, at least one.
    pub fn reading_minutes(&self) -> usize {
        self.words.div_ceil(200).max(1)
    }
}

#[derive(Debug, Clone)]
pub struct Page {
    pub path: PathBuf,
    pub slug: String,
    pub slug_line: usize,
    pub title: String,
    pub date: Option<PostDate>,
    pub updated: Option<PostDate>,
    pub content_html: String,
    pub summary_html: String,
    /// The shortcode calls whose markers the HTML holds.
    pub shortcodes: Vec<shortcodes::Call>,
    pub draft: bool,
    /// Who may comment: `closed` unless the front matter says otherwise.
    pub comments: CommentsMode,
    /// The line of `comments:` when the front matter has one: a page that
    /// asks for comments must not share its comment folder with a post.
    pub comments_line: Option<usize>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Old URLs that redirect to it (`aliases:`).
    pub aliases: Vec<Alias>,
    pub assets: Vec<Asset>,
    /// The source file's `fingerprint`: what changed and what did not.
    pub fingerprint: u128,
    pub warnings: Vec<Diagnostic>,
}

/// A parsed file that may carry warnings of its own.
trait Warned {
    fn warnings(&self) -> &[Diagnostic];
}

impl Warned for Post {
    fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
}

impl Warned for Page {
    fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
}

#[derive(Debug)]
pub struct Parsed {
    pub posts: Vec<Arc<Post>>,
    pub pages: Vec<Arc<Page>>,
    /// Comments whose files parse; approved ones have their `html`.
    pub comments: Vec<Arc<comment::Comment>>,
    /// Comment files left out for problems (reported as warnings).
    pub broken_comments: usize,
    pub static_files: Vec<Asset>,
    pub theme: Theme,
}

pub fn parse(
    sources: Sources,
    config: &Config,
    cache: Option<&ParseCache>,
    content: &cache::ContentCache,
    progress: &dyn crate::progress::Progress,
    diags: &Diagnostics,
) -> Parsed {
    let Sources { posts, pages, comments, static_files, theme } = sources;
    if let Some(cache) = cache {
        cache.check_config(config);
    }
    let ((posts, pages), comments) = rayon::join(
        || {
            rayon::join(
                || {
                    let parse = |f: Arc<SourceFile>| parse_post(&f, config, content).map(Arc::new);
                    let parsed = parse_files(posts, cache.map(|c| &c.posts), source_key, parse);
                    parsed.into_par_iter().filter_map(|p| report(p, progress, diags)).collect()
                },
                || {
                    let parse = |f: Arc<SourceFile>| parse_page(&f, content).map(Arc::new);
                    let parsed = parse_files(pages, cache.map(|c| &c.pages), source_key, parse);
                    parsed.into_par_iter().filter_map(|p| report(p, progress, diags)).collect()
                },
            )
        },
        || parse_comments(comments, cache, content, diags),
    );
    let (comments, broken_comments) = comments;
    Parsed { posts, pages, comments, broken_comments, static_files, theme }
}

/// A file's fingerprint: the first 128 bits of the SHA-256 of its text.
/// Strong enough to key the persistent cache: equal fingerprints mean
/// equal files.
pub fn fingerprint(text: &str) -> u128 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    u128::from_be_bytes(digest[..16].try_into().unwrap_or_default())
}

/// Comment files: a broken one is a warning (the build goes on without it,
/// `check` fails on it); approved ones get their sanitised HTML.
fn parse_comments(
    sources: Vec<Arc<crate::load::CommentSource>>,
    cache: Option<&ParseCache>,
    content: &cache::ContentCache,
    diags: &Diagnostics,
) -> (Vec<Arc<comment::Comment>>, usize) {
    let total = sources.len();
    let parse_one = |source: Arc<crate::load::CommentSource>| {
        comment::parse(Arc::unwrap_or_clone(source)).map(|mut c| {
            if c.status == comment::Status::Approved {
                c.html = content
                    .get_or(cache::Kind::Comment, c.fingerprint, || RenderedMarkdown {
                        html: comment::render_body(&c.body),
                        ..RenderedMarkdown::default()
                    })
                    .html;
            }
            Arc::new(c)
        })
    };
    let parsed = parse_files(sources, cache.map(|c| &c.comments), comment_key, parse_one);
    let comments: Vec<Arc<comment::Comment>> = parsed
        .into_par_iter()
        .filter_map(|parsed| match parsed {
            Ok(c) => Some(c),
            Err(errs) => {
                diags.extend(
                    errs.into_iter()
                        .map(|d| d.into_warning("this comment is not published until it is fixed")),
                );
                None
            }
        })
        .collect();
    let broken = total - comments.len();
    (comments, broken)
}

fn report<T: Warned>(
    result: Result<Arc<T>, Vec<Diagnostic>>,
    progress: &dyn crate::progress::Progress,
    diags: &Diagnostics,
) -> Option<Arc<T>> {
    progress.tick();
    match result {
        Ok(parsed) => {
            if !parsed.warnings().is_empty() {
                diags.extend(parsed.warnings().iter().cloned());
            }
            Some(parsed)
        }
        Err(errs) => {
            diags.extend(errs);
            None
        }
    }
}

/// Front matter and body of one file, with diagnostics pointing at it.
struct Document<'a> {
    file: &'a SourceFile,
    front: front_matter::FrontMatter,
    body: &'a str,
    /// The text up to the end of the front matter, for finding keys.
    front_region: &'a str,
}

impl<'a> Document<'a> {
    fn read(file: &'a SourceFile) -> Result<Document<'a>, Vec<Diagnostic>> {
        let with_path = |d: Diagnostic| Diagnostic { path: file.path.clone(), ..d };
        let split = front_matter::split(&file.text).map_err(|d| vec![with_path(d)])?;
        let front = front_matter::parse(&file.text, &split)
            .map_err(|errs| errs.into_iter().map(with_path).collect::<Vec<_>>())?;
        let front_region = &file.text[..split.front_offset + split.front.len()];
        Ok(Document { file, front, body: split.body, front_region })
    }

    fn error(&self, key: &str, message: String, help: &str) -> Diagnostic {
        Diagnostic::error(&self.file.path, message)
            .at(&self.file.text, key_location(self.front_region, key))
            .with_help(help)
    }

    fn title(&self, errors: &mut Vec<Diagnostic>) -> String {
        match self.front.title.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => t.to_string(),
            _ => {
                errors.push(
                    Diagnostic::error(&self.file.path, "missing `title`")
                        .at(&self.file.text, crate::diag::Location::at_line(&self.file.text, 1))
                        .with_help("add `title: Your title` to the front matter"),
                );
                String::new()
            }
        }
    }

    fn date(
        &self,
        key: &str,
        input: Option<&date::DateInput>,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<PostDate> {
        let input = input?;
        PostDate::parse(&input.0)
            .map_err(|msg| {
                errors.push(self.error(
                    key,
                    format!("bad `{key}`: {msg}"),
                    "e.g. `date: 2011-06-10T12:00:00Z`",
                ))
            })
            .ok()
    }

    /// `comments:`, or `default` when the front matter has none.
    fn comments_mode(&self, default: CommentsMode, errors: &mut Vec<Diagnostic>) -> CommentsMode {
        match self.front.comments.as_deref() {
            None => default,
            Some("open") => CommentsMode::Open,
            Some("closed") => CommentsMode::Closed,
            Some("members") => CommentsMode::Members,
            Some(other) => {
                errors.push(self.error(
                    "comments",
                    format!("`comments: {other}` is not known"),
                    "use `open`, `closed` or `members`",
                ));
                default
            }
        }
    }

    fn slug_line(&self) -> usize {
        if self.front.slug.is_some() { key_location(self.front_region, "slug").line } else { 1 }
    }

    /// What the slug is made from: `slug:`, else the file's name.
    fn slug_source(&self) -> &str {
        self.front.slug.as_deref().unwrap_or(&self.file.stem)
    }

    /// A warning for each name whose slug is too long to be a file name
    /// whole, and is cut (#15): the slug, the category and each tag.
    fn long_slug_warnings(&self, category: Option<&str>, tags: &[String]) -> Vec<Diagnostic> {
        let slug = [("slug", "the slug", self.slug_source())];
        let category = category.map(|c| ("category", "the category", c));
        let tags = tags.iter().map(|t| ("tags", "a tag", t.as_str()));
        slug.into_iter()
            .chain(category)
            .chain(tags)
            .filter_map(|(key, what, name)| {
                let short = crate::slugs::shortened(name)?;
                let location = if key == "slug" {
                    crate::diag::Location::at_line(&self.file.text, self.slug_line())
                } else {
                    key_location(self.front_region, key)
                };
                let shown: String = name.chars().take(40).collect();
                Some(
                    Diagnostic::warning(
                        &self.file.path,
                        format!(
                            "{what} `{shown}…` is too long for a file name ({} characters); its slug is cut to `{short}`",
                            name.chars().count()
                        ),
                    )
                    .at(&self.file.text, location)
                    .with_help(format!(
                        "shorten it: slugs are cut at {} bytes, with a hash that keeps them apart",
                        crate::slugs::MAX_SLUG_BYTES
                    )),
                )
            })
            .collect()
    }

    /// `aliases:`, each checked and given its line; a bad one is an error
    /// at its line.
    fn aliases(&self, errors: &mut Vec<Diagnostic>) -> Vec<Alias> {
        if self.front.aliases.is_empty() {
            return Vec::new();
        }
        let key = key_location(self.front_region, "aliases");
        // Each alias is looked for after the one before it, from the key
        // on; one written with escapes is reported at the key's line.
        let mut cursor = key.span.start;
        let mut aliases = Vec::with_capacity(self.front.aliases.len());
        for written in &self.front.aliases {
            let found = (!written.is_empty())
                .then(|| self.front_region.get(cursor..)?.find(written.as_str()))
                .flatten();
            let location = match found {
                Some(at) => {
                    let offset = cursor + at;
                    cursor = offset + written.len();
                    crate::diag::Location::at_offset(&self.file.text, offset, written.len())
                }
                None => key.clone(),
            };
            let line = location.line;
            match alias::check(written) {
                Ok(file) => aliases.push(Alias { written: written.clone(), line, file }),
                Err(problem) => errors.push(
                    Diagnostic::error(&self.file.path, problem.message)
                        .at(&self.file.text, location)
                        .with_help(problem.help),
                ),
            }
        }
        aliases
    }

    fn slug(&self, errors: &mut Vec<Diagnostic>) -> String {
        let raw = self.slug_source();
        let slug = crate::slugs::slugify(raw);
        if slug.is_empty() {
            errors.push(self.error(
                "slug",
                format!("`{raw}` gives an empty slug"),
                "set `slug: some-words` in the front matter",
            ));
        }
        slug
    }
}

/// A post's front matter, checked: everything a post is but its body.
/// The build and the site index (moderator, intake) both read posts
/// through it, so they agree on every key.
#[derive(Debug, Clone)]
pub struct PostHead {
    pub title: String,
    pub slug: String,
    pub date: PostDate,
    pub updated: Option<PostDate>,
    pub author: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub draft: bool,
    pub comments: CommentsMode,
    /// `aliases:` as written, unchecked (the build checks them): the old
    /// URLs an import of comments matches threads against.
    pub aliases: Vec<String>,
}

/// A post's front matter alone, for those who need no body.
pub fn post_head(file: &SourceFile, config: &Config) -> Result<PostHead, Vec<Diagnostic>> {
    let doc = Document::read(file)?;
    read_head(&doc, config)
}

fn read_head(doc: &Document, config: &Config) -> Result<PostHead, Vec<Diagnostic>> {
    let file = doc.file;
    let mut errors = Vec::new();
    let title = doc.title(&mut errors);
    let slug = doc.slug(&mut errors);
    let date = doc.date("date", doc.front.date.as_ref(), &mut errors);
    if doc.front.date.is_none() {
        errors.push(
            Diagnostic::error(&file.path, "missing `date`")
                .at(&file.text, crate::diag::Location::at_line(&file.text, 1))
                .with_help("add `date: 2011-06-10T12:00:00Z` (or `2011-06-10`) to the front matter"),
        );
    }
    let updated = doc.date("updated", doc.front.updated.as_ref(), &mut errors);
    if let Some(author) = &doc.front.author
        && !config.authors.contains_key(author)
    {
        errors.push(unknown_author(doc, author, config));
    }
    let comments = doc.comments_mode(CommentsMode::Open, &mut errors);
    let tags = clean_terms(&doc.front.tags);
    let category = doc.front.category.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(String::from);
    if let Some(source) = &doc.front.source
        && !(source.url.starts_with("http://") || source.url.starts_with("https://"))
    {
        errors.push(doc.error(
            "source",
            format!("`source.url` must be an absolute http(s) URL, found `{}`", source.url),
            "e.g. `source: {url: https://example.org/original}`",
        ));
    }
    let (Some(date), true) = (date, errors.is_empty()) else {
        return Err(errors);
    };
    Ok(PostHead {
        title,
        slug,
        date,
        updated,
        author: doc.front.author.clone(),
        category,
        tags,
        draft: doc.front.draft,
        comments,
        aliases: doc.front.aliases.clone(),
    })
}

fn unknown_author(doc: &Document, author: &str, config: &Config) -> Diagnostic {
    let known: Vec<&str> = config.authors.keys().map(String::as_str).collect();
    let help = match crate::diag::nearest(author, &known) {
        Some(k) => format!("did you mean `{k}`? Authors are the keys of `[authors]` in site.toml"),
        None if known.is_empty() => format!("add `[authors.{author}]` with a `name` to site.toml"),
        None => format!("known authors: {}; or add `[authors.{author}]` to site.toml", known.join(", ")),
    };
    doc.error("author", format!("unknown author `{author}`"), &help)
}

fn parse_post(
    file: &SourceFile,
    config: &Config,
    content: &cache::ContentCache,
) -> Result<Post, Vec<Diagnostic>> {
    let doc = Document::read(file)?;
    let mut alias_errors = Vec::new();
    let aliases = doc.aliases(&mut alias_errors);
    let head = read_head(&doc, config).map_err(|errors| [errors, alias_errors.clone()].concat())?;
    if !alias_errors.is_empty() {
        return Err(alias_errors);
    }
    let fingerprint = fingerprint(&file.text);
    let rendered = content.try_get_or(cache::Kind::Post, fingerprint, || render_body(&doc))?;
    let slug_line = doc.slug_line();
    let warnings = doc.long_slug_warnings(head.category.as_deref(), &head.tags);
    let PostHead { title, slug, date, updated, author, category, tags, draft, comments, aliases: _ } = head;
    let front = doc.front;
    Ok(Post {
        path: file.path.clone(),
        slug,
        slug_line,
        title,
        date,
        updated,
        author,
        category,
        tags,
        content_html: rendered.html,
        summary_html: rendered.summary_html,
        has_more: rendered.has_more,
        words: rendered.words,
        shortcodes: rendered.shortcodes,
        draft,
        comments,
        source: front.source,
        photo_credit: front.photo_credit,
        image: front.image,
        extra: front.extra,
        aliases,
        assets: file.assets.clone(),
        fingerprint,
        warnings,
    })
}

/// The body as HTML, with the summary the front matter gives, if any; an
/// imported file's HTML cut down to what a post shows. Shortcode calls
/// become markers (`shortcodes.rs`); a post without `{{` or `{%` skips
/// that at the cost of one look at its bytes. A call written wrong is an
/// error at its line.
fn render_body(doc: &Document) -> Result<RenderedMarkdown, Vec<Diagnostic>> {
    let mut rendered = if shortcodes::may_hold(doc.body) {
        let text = &doc.file.text;
        let body_start = text.len() - doc.body.len();
        let first_line = text[..body_start].matches('\n').count() + 1;
        shortcodes::render(doc.body, first_line).map_err(|problems| {
            problems
                .into_iter()
                .map(|p| {
                    let location = crate::diag::Location::at_offset(text, body_start + p.offset, p.len);
                    Diagnostic::error(&doc.file.path, p.message).at(text, location).with_help(p.help)
                })
                .collect::<Vec<_>>()
        })?
    } else {
        markdown::render(doc.body)
    };
    if let Some(summary) = &doc.front.summary {
        rendered.summary_html = markdown::render_summary(summary);
    }
    if doc.front.imported {
        rendered.html = untrusted::clean(&rendered.html);
        rendered.summary_html = untrusted::clean(&rendered.summary_html);
        // A body comes from the export too; the shortcodes' own output is
        // the theme's, added after this (`render/shortcodes.rs`).
        for call in &mut rendered.shortcodes {
            if let Some(body) = &mut call.body {
                *body = untrusted::clean(body);
            }
        }
    }
    Ok(rendered)
}

/// A page's front matter, checked: what the site index (moderator,
/// intake) needs of a page, read as the build reads it.
#[derive(Debug, Clone)]
pub struct PageHead {
    pub title: String,
    pub slug: String,
    pub date: Option<PostDate>,
    pub updated: Option<PostDate>,
    pub draft: bool,
    pub comments: CommentsMode,
    pub comments_line: Option<usize>,
    /// `aliases:` as written, unchecked (the build checks them).
    pub aliases: Vec<String>,
}

/// A page's front matter alone, for those who need no body.
pub fn page_head(file: &SourceFile) -> Result<PageHead, Vec<Diagnostic>> {
    let doc = Document::read(file)?;
    read_page_head(&doc)
}

fn read_page_head(doc: &Document) -> Result<PageHead, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let title = doc.title(&mut errors);
    let slug = doc.slug(&mut errors);
    let date = doc.date("date", doc.front.date.as_ref(), &mut errors);
    let updated = doc.date("updated", doc.front.updated.as_ref(), &mut errors);
    // Pages take no comments unless they ask to (WordPress's default for pages).
    let comments = doc.comments_mode(CommentsMode::Closed, &mut errors);
    let comments_line = doc.front.comments.is_some().then(|| key_location(doc.front_region, "comments").line);
    for key in ["category", "tags", "author", "source"] {
        let set = match key {
            "category" => doc.front.category.is_some(),
            "tags" => !doc.front.tags.is_empty(),
            "author" => doc.front.author.is_some(),
            _ => doc.front.source.is_some(),
        };
        if set {
            errors.push(doc.error(
                key,
                format!("`{key}` is for posts, not pages"),
                "remove it, or move the file to content/posts/",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PageHead {
        title,
        slug,
        date,
        updated,
        draft: doc.front.draft,
        comments,
        comments_line,
        aliases: doc.front.aliases.clone(),
    })
}

fn parse_page(file: &SourceFile, content: &cache::ContentCache) -> Result<Page, Vec<Diagnostic>> {
    let doc = Document::read(file)?;
    let mut alias_errors = Vec::new();
    let aliases = doc.aliases(&mut alias_errors);
    let PageHead { title, slug, date, updated, draft, comments, comments_line, aliases: _ } =
        read_page_head(&doc).map_err(|errors| [errors, alias_errors.clone()].concat())?;
    if !alias_errors.is_empty() {
        return Err(alias_errors);
    }
    let fingerprint = fingerprint(&file.text);
    let rendered = content.try_get_or(cache::Kind::Page, fingerprint, || render_body(&doc))?;
    let slug_line = doc.slug_line();
    let warnings = doc.long_slug_warnings(None, &[]);
    let front = doc.front;
    Ok(Page {
        path: file.path.clone(),
        slug,
        slug_line,
        title,
        date,
        updated,
        content_html: rendered.html,
        summary_html: rendered.summary_html,
        shortcodes: rendered.shortcodes,
        draft,
        comments,
        comments_line,
        extra: front.extra,
        aliases,
        assets: file.assets.clone(),
        fingerprint,
        warnings,
    })
}

/// Trimmed, non-empty terms, each once, in the order written.
fn clean_terms(terms: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(terms.len());
    for t in terms.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let diags = Diagnostics::new();
        Config::parse("title = \"T\"\nbase_url = \"https://x.org\"\n[authors.ann]\nname = \"Ann\"\n", &diags)
            .unwrap()
    }

    fn file(text: &str) -> SourceFile {
        SourceFile {
            path: "content/posts/a-post.md".into(),
            stem: "a-post".into(),
            text: text.into(),
            assets: vec![],
        }
    }

    #[test]
    fn a_full_post_parses() {
        let post = parse_post(
            &file("---\ntitle: Refunds\ndate: 2011-06-10\nauthor: ann\ncategory: Support\ntags: [refunds, ' refunds ', phone]\n---\nHello *there*.\n"),
            &config(),
            &cache::ContentCache::none(),
        )
        .unwrap();
        assert_eq!(post.slug, "a-post");
        assert_eq!(post.tags, ["refunds", "phone"]);
        assert_eq!(post.summary_html, "<p>Hello <em>there</em>.</p>\n");
        assert_eq!(post.reading_minutes(), 1);
    }

    #[test]
    fn every_problem_in_a_post_is_reported() {
        let errs = parse_post(
            &file("---\ndate: someday\nauthor: anne\ncomments: maybe\n---\n"),
            &config(),
            &cache::ContentCache::none(),
        )
        .unwrap_err();
        let messages: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].contains("missing `title`"));
        assert!(messages.iter().any(|m| m.contains("bad `date`")));
        let author = errs.iter().find(|d| d.message.contains("unknown author")).unwrap();
        assert_eq!(author.location.as_ref().unwrap().line, 3);
        assert!(author.help.as_deref().unwrap().contains("did you mean `ann`?"));
    }

    #[test]
    fn unicode_titles_give_ascii_slugs() {
        let mut f = file("---\ntitle: x\ndate: 2011-06-10\nslug: Café Déjà Vu\n---\n");
        f.stem = "ignored".into();
        assert_eq!(parse_post(&f, &config(), &cache::ContentCache::none()).unwrap().slug, "cafe-deja-vu");
    }

    #[test]
    fn aliases_are_read_with_their_lines() {
        let text = "---\ntitle: x\ndate: 2011-06-10\naliases:\n  - /2011/06/10/x/\n  - '/?p=12'\n  - /old/x.html\n---\n";
        let post = parse_post(&file(text), &config(), &cache::ContentCache::none()).unwrap();
        let got: Vec<(&str, usize, Option<&str>)> =
            post.aliases.iter().map(|a| (a.written.as_str(), a.line, a.file.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("/2011/06/10/x/", 5, Some("2011/06/10/x/index.html")),
                ("/?p=12", 6, None),
                ("/old/x.html", 7, Some("old/x.html")),
            ]
        );
        let toml = "+++\ntitle = \"x\"\n\naliases = [\"/a/\", \"/b/\"]\n+++\n";
        let page = parse_page(&file(toml), &cache::ContentCache::none()).unwrap();
        assert_eq!(page.aliases.iter().map(|a| a.line).collect::<Vec<_>>(), [4, 4]);
    }

    #[test]
    fn a_bad_alias_is_an_error_at_its_line_beside_the_other_problems() {
        let text = "---\ndate: 2011-06-10\naliases: [/fine/,\n  old-page.html, /a/../b/]\n---\n";
        let errs = parse_post(&file(text), &config(), &cache::ContentCache::none()).unwrap_err();
        let messages: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("missing `title`"));
        let relative = &errs[1];
        assert!(
            relative.message.contains("`old-page.html` does not start with one `/`"),
            "{}",
            relative.message
        );
        assert_eq!(relative.location.as_ref().unwrap().line, 4);
        assert!(relative.help.as_deref().unwrap().contains("/2019/05/04/old-slug/"));
        assert_eq!(errs[2].location.as_ref().unwrap().line, 4);
        assert!(errs[2].message.contains("`..`"));
        // The same on a page whose front matter is otherwise good.
        let errs = parse_page(
            &file("---\ntitle: P\naliases:\n- /ok/\n- /a b/\n---\n"),
            &cache::ContentCache::none(),
        )
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].location.as_ref().unwrap().line, 5);
    }
}
