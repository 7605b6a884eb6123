//! Stage 4: render the model into output files, in memory. This is the
//! only module that names tera. Every page is a job; jobs run in parallel
//! and each gets a context holding only what its page shows.

pub mod feeds;
mod fingerprint;
pub mod links;
mod memo;
pub mod meta;
pub mod notice;
mod redirects;
mod shortcodes;
mod sitemap;
pub mod view;

use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::load::{Theme, ThemeFile};
use crate::model::{ListKind, Owner, SiteModel, permalink::comment_page, permalink::output_path};
use crate::parse::highlight;
pub use memo::RenderMemo;
use meta::MetaView;
use view::{Link, Views};

/// Templates every theme has (the built-in theme provides them all, so a
/// site's theme only needs the ones it changes).
pub const TEMPLATES: &[&str] = &[
    "base.html",
    "index.html",
    "post.html",
    "page.html",
    "taxonomy.html",
    "taxonomy_list.html",
    "author.html",
    "archive.html",
    "404.html",
];

#[derive(Debug)]
pub enum OutputContent {
    Bytes(Vec<u8>),
    /// Bytes kept from an earlier build (`serve`'s render memo).
    Shared(std::sync::Arc<[u8]>),
    Static(&'static [u8]),
    /// Copied from this file.
    Copy(PathBuf),
    /// Already in the output folder, at this path, exactly as it would be
    /// rendered (`build`'s render memo).
    Unchanged(PathBuf),
}

#[derive(Debug)]
pub struct OutputFile {
    /// Relative to the output folder, `/`-separated.
    pub path: String,
    pub content: OutputContent,
}

#[derive(Debug, Default)]
pub struct Rendered {
    /// The files the sink handed back (all of them, with `KeepAll`).
    pub files: Vec<OutputFile>,
    /// HTML pages rendered.
    pub pages: usize,
    /// Files rendered, kept or not.
    pub total: usize,
}

/// The files a build wrote: each one's length and modification time, by
/// path under the output.
pub type WrittenFiles = std::collections::HashMap<String, (u64, std::time::SystemTime)>;

/// Where rendered files go as they are made: kept in memory, or written
/// out at once so the site never has to be held whole.
pub trait Sink: Sync {
    /// Takes one file; what it hands back is kept in `Rendered::files`.
    fn take(&self, file: OutputFile) -> Option<OutputFile>;
}

/// Keeps every file in memory (`serve`, `check`).
pub struct KeepAll;

impl Sink for KeepAll {
    fn take(&self, file: OutputFile) -> Option<OutputFile> {
        Some(file)
    }
}

/// The URL a job's page is written at.
fn job_url(job: Job, model: &SiteModel) -> String {
    match job {
        Job::Post(i, n) => comment_page(&model.post_urls[i], n),
        Job::Page(i, n) => comment_page(&model.page_urls[i], n),
        Job::Listing(i) => model.listings[i].url.clone(),
        Job::TermList(Taxonomy::Tags) => "/tags/".into(),
        Job::TermList(Taxonomy::Categories) => "/categories/".into(),
        Job::Archive => "/archive/".into(),
        Job::Year(y) => model.years[y].url.clone(),
        Job::Month(y, m) => model.years[y].months[m].url.clone(),
        Job::NotFound => "/404.html".into(),
    }
}

/// One page to render.
#[derive(Debug, Clone, Copy)]
enum Job {
    /// Post `i` with its comment page `n` (1: the post's own URL).
    Post(usize, usize),
    /// Page `i` with its comment page `n`.
    Page(usize, usize),
    Listing(usize),
    TermList(Taxonomy),
    Archive,
    Year(usize),
    Month(usize, usize),
    NotFound,
}

#[derive(Debug, Clone, Copy)]
enum Taxonomy {
    Tags,
    Categories,
}

/// Compiles the theme's templates. Errors name the template file and line.
pub fn compile_theme(theme: &Theme) -> Result<Tera, Diagnostic> {
    let mut tera = Tera::new();
    tera.set_escape_fn(crate::html::write_escaped);
    // An address a shortcode's argument gives, or nothing when a page may
    // not load it (`javascript:`): the check before a shortcode renders
    // reports it, this keeps a theme's own shortcodes safe too.
    tera.register_filter("safe_url", |url: &str, _: tera::Kwargs, _: &tera::State| {
        if shortcodes::is_safe_url(url) { url.to_string() } else { String::new() }
    });
    tera.add_raw_templates(theme.templates.iter().map(|t| (t.name.as_str(), t.text.as_str())))
        .map_err(|e| template_diagnostic(&e, theme))?;
    Ok(tera)
}

/// The number of pages `render` will write, for a progress bar.
pub fn page_count(model: &SiteModel) -> usize {
    jobs(model).len()
}

pub fn render(
    model: &SiteModel,
    tera: &Tera,
    form_secret: Option<&[u8]>,
    memo: Option<&RenderMemo>,
    sink: &dyn Sink,
    progress: &dyn crate::progress::Progress,
    diags: &Diagnostics,
) -> Rendered {
    let site = Views::new(model).site();
    let mut base = Context::new();
    base.insert("site", &site);
    let expanded = shortcodes::expand(model, tera, &base, diags);
    let descriptions = meta::Descriptions::new(model);
    let views = Views::new(model)
        .with_form_secret(form_secret)
        .with_shortcodes(&expanded)
        .with_descriptions(&descriptions);
    let jobs = jobs(model);
    let prints = memo.map(|_| fingerprint::Prints::new(model, form_secret));
    let memo = memo.zip(prints.as_ref());
    let render_page = |job: Job| -> tera::TeraResult<OutputFile> {
        let path = output_path(&job_url(job, model));
        let render = || render_job(job, &views, tera, &base);
        let content = match memo {
            Some((memo, prints)) => memo.try_file(&path, fingerprint::job(job, &views, prints), render)?,
            None => OutputContent::Bytes(render()?),
        };
        Ok(OutputFile { path, content })
    };
    let pages = std::sync::atomic::AtomicUsize::new(0);
    let (mut files, (support, support_count)): (Vec<OutputFile>, (Vec<OutputFile>, usize)) = rayon::join(
        || {
            jobs.par_iter()
                .filter_map(|&job| {
                    let out = render_page(job);
                    progress.tick();
                    match out {
                        Ok(file) => {
                            pages.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            sink.take(file)
                        }
                        Err(e) => {
                            diags.push(template_diagnostic(&e, &model.theme));
                            None
                        }
                    }
                })
                .collect()
        },
        || {
            let all = support_files(model, &views, memo);
            let count = all.len();
            let mut kept: Vec<OutputFile> = all.into_par_iter().filter_map(|file| sink.take(file)).collect();
            // Feeds go to the sink one by one too: together they are a
            // quarter of the site's bytes.
            let (feeds, feed_count) = feeds::feeds(model, &views, memo, sink);
            kept.extend(feeds);
            (kept, count + feed_count)
        },
    );
    let pages = pages.into_inner();
    let total = pages + support_count;
    files.extend(support);
    Rendered { files, pages, total }
}

fn jobs(model: &SiteModel) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::with_capacity(model.posts.len() + model.pages.len() + model.listings.len());
    for owner in model.owners() {
        let pages = model.thread(owner).page_count();
        jobs.extend((1..=pages).map(|n| match owner {
            Owner::Post(i) => Job::Post(i, n),
            Owner::Page(i) => Job::Page(i, n),
        }));
    }
    jobs.extend((0..model.listings.len()).map(Job::Listing));
    jobs.extend([
        Job::TermList(Taxonomy::Tags),
        Job::TermList(Taxonomy::Categories),
        Job::Archive,
        Job::NotFound,
    ]);
    for (y, year) in model.years.iter().enumerate() {
        jobs.push(Job::Year(y));
        jobs.extend((0..year.months.len()).map(|m| Job::Month(y, m)));
    }
    jobs
}

/// The context every page shares, plus this page's title, kind and URL.
fn page_context(base: &Context, views: &Views, kind: &str, title: &str, url: &str) -> Context {
    let mut ctx = base.clone();
    ctx.insert("feeds", &feeds::links_for(views.model, views, None));
    ctx.insert("kind", kind);
    ctx.insert("page_title", title);
    ctx.insert("current_url", &views.href(url));
    ctx.insert("canonical_url", &views.absolute(url));
    ctx
}

fn render_job(job: Job, views: &Views, tera: &Tera, base: &Context) -> tera::TeraResult<Vec<u8>> {
    let model = views.model;
    let (template, ctx) = match job {
        Job::Post(i, n) => {
            let title = comment_page_title(&model.posts[i].title, n);
            let mut ctx = page_context(base, views, "post", &title, &job_url(job, model));
            let (older, newer) = model.neighbours(i);
            // A later comment page shows the post's header, not its text
            // again (whose relative links are the first page's).
            ctx.insert("post", &views.post(i, n == 1));
            ctx.insert("older", &older.map(|o| views.post_link(o)));
            ctx.insert("newer", &newer.map(|n| views.post_link(n)));
            ctx.insert("share", &views.share_links(i));
            insert_discussion(&mut ctx, views, Owner::Post(i), n);
            let described = views.described(Owner::Post(i));
            let pages = views.comment_pages(Owner::Post(i), n);
            let meta = MetaView::post(views, &described, i, n, views.absolute(&job_url(job, model)));
            ctx.insert("meta", &with_comment_pages(meta, views, &model.post_urls[i], n, pages.as_ref()));
            if let Some(source) = &model.posts[i].source {
                ctx.insert("canonical_url", &source.url);
            }
            ("post.html", ctx)
        }
        Job::Page(i, n) => {
            let title = comment_page_title(&model.pages[i].title, n);
            let mut ctx = page_context(base, views, "page", &title, &job_url(job, model));
            ctx.insert("page", &views.page(i));
            let described = views.described(Owner::Page(i));
            let meta = MetaView::page(views, &described, i, views.absolute(&job_url(job, model)));
            let pages = views.comment_pages(Owner::Page(i), n);
            ctx.insert("meta", &with_comment_pages(meta, views, &model.page_urls[i], n, pages.as_ref()));
            if model.has_comment_section(Owner::Page(i)) {
                insert_discussion(&mut ctx, views, Owner::Page(i), n);
            } else {
                ctx.insert("discussion", &None::<view::DiscussionView>);
            }
            ("page.html", ctx)
        }
        Job::Listing(i) => listing_job(&model.listings[i], views, base),
        Job::TermList(taxonomy) => {
            let (name, terms, url) = match taxonomy {
                Taxonomy::Tags => ("Tags", &model.tags, "/tags/"),
                Taxonomy::Categories => ("Categories", &model.categories, "/categories/"),
            };
            let mut ctx = page_context(base, views, "taxonomy_list", name, url);
            ctx.insert("taxonomy", &name.to_lowercase());
            let description = format!("All {} on {}.", name.to_lowercase(), model.config.title);
            ctx.insert("meta", &MetaView::website(model, name, views.absolute(url), description));
            ctx.insert("terms", &views.terms(terms));
            ("taxonomy_list.html", ctx)
        }
        Job::Archive => {
            let mut ctx = page_context(base, views, "archive", "Archive", "/archive/");
            // Each year becomes a template value as soon as it is made: the
            // views of every post of a big site are never all held at once.
            let years: Vec<tera::Value> = (0..model.years.len())
                .map(|y| tera::Value::from_serializable(&views.archive_year(y, true)))
                .collect();
            ctx.insert_value("years", years.into());
            ctx.insert("period", &Period { kind: "all", year: None, month: None });
            let description = format!("Every post on {}, by date.", model.config.title);
            ctx.insert(
                "meta",
                &MetaView::website(model, "Archive", views.absolute("/archive/"), description),
            );
            ("archive.html", ctx)
        }
        Job::Year(y) => {
            let year = &model.years[y];
            let title = format!("Posts from {}", year.year);
            let mut ctx = page_context(base, views, "archive", &title, &year.url);
            ctx.insert("years", &[views.archive_year(y, true)]);
            ctx.insert("period", &Period { kind: "year", year: Some(year.year), month: None });
            let description = format!("{title} on {}.", model.config.title);
            ctx.insert("meta", &MetaView::website(model, &title, views.absolute(&year.url), description));
            ("archive.html", ctx)
        }
        Job::Month(y, m) => {
            let month = &model.years[y].months[m];
            let month_name = view::month_name(month.month);
            let title = format!("Posts from {month_name} {}", month.year);
            let mut ctx = page_context(base, views, "archive", &title, &month.url);
            let mut year = views.archive_year(y, false);
            year.months = vec![view::ArchiveMonthView {
                name: month_name.to_string(),
                url: views.href(&month.url),
                posts: month.posts.iter().map(|&i| views.archive_entry(i)).collect(),
            }];
            ctx.insert("years", &[year]);
            ctx.insert("period", &Period { kind: "month", year: Some(month.year), month: Some(month_name) });
            let description = format!("{title} on {}.", model.config.title);
            ctx.insert("meta", &MetaView::website(model, &title, views.absolute(&month.url), description));
            ("archive.html", ctx)
        }
        Job::NotFound => {
            let mut ctx = page_context(base, views, "404", "Page not found", "/404.html");
            let meta = MetaView::website(
                model,
                "Page not found",
                views.absolute("/404.html"),
                site_description(model),
            );
            ctx.insert("meta", &meta);
            ("404.html", ctx)
        }
    };
    match archived_posts(job, model) {
        0 => tera.render(template, &ctx).map(String::into_bytes),
        // An archive grows with its posts (28 MB for 100,000): sized up front,
        // its buffer is not copied through every doubling, at the moment the
        // build holds the most memory.
        posts => {
            let mut out = Vec::with_capacity(ARCHIVE_START + posts * ARCHIVE_BYTES_PER_POST);
            tera.render_to(template, &ctx, &mut out)?;
            Ok(out)
        }
    }
}

/// The site's description, else its title.
fn site_description(model: &SiteModel) -> String {
    let d = model.config.description.trim();
    if d.is_empty() { model.config.title.clone() } else { d.to_string() }
}

/// `meta` with `rel=prev/next` to the comment pages beside page `n`.
fn with_comment_pages(
    meta: MetaView,
    views: &Views,
    url: &str,
    n: usize,
    pages: Option<&view::CommentPagesView>,
) -> MetaView {
    match pages {
        Some(p) => {
            let prev = (n > 1).then(|| comment_page(url, n - 1));
            let next = (n < p.total).then(|| comment_page(url, n + 1));
            meta.with_neighbours(views, prev.as_deref(), next.as_deref())
        }
        None => meta,
    }
}

/// A post's (or page's) title on its comment page `n`.
fn comment_page_title(title: &str, n: usize) -> String {
    if n > 1 { format!("{title} (comments, page {n})") } else { title.to_string() }
}

/// `owner`'s comment section on its comment page `n`: the comments, the
/// pages' navigation, the feed, the form and the policy.
fn insert_discussion(ctx: &mut Context, views: &Views, owner: Owner, n: usize) {
    let model = views.model;
    ctx.insert("discussion", &views.discussion(owner));
    ctx.insert("comments", &views.comments(owner, n));
    ctx.insert("comment_pages", &views.comment_pages(owner, n));
    let comment_feed = feeds::comments_link(model, views, owner);
    let mut links = feeds::links_for(model, views, None);
    links.push(comment_feed.clone());
    ctx.insert("feeds", &links);
    ctx.insert("comment_feed", &comment_feed);
    ctx.insert("comment_form", &views.comment_form(owner));
    ctx.insert("comment_policy", &views.policy());
}

/// The default theme's archive: ~16 KB around the list, ~280 bytes a post.
const ARCHIVE_START: usize = 16 << 10;
const ARCHIVE_BYTES_PER_POST: usize = 300;

/// How many posts an archive page lists; 0 for other pages.
fn archived_posts(job: Job, model: &SiteModel) -> usize {
    match job {
        Job::Archive => model.years.iter().map(|y| y.post_count()).sum(),
        Job::Year(y) => model.years[y].post_count(),
        Job::Month(y, m) => model.years[y].months[m].posts.len(),
        _ => 0,
    }
}

#[derive(Serialize)]
struct Period {
    kind: &'static str,
    year: Option<i16>,
    month: Option<&'static str>,
}

fn listing_job(listing: &crate::model::Listing, views: &Views, base: &Context) -> (&'static str, Context) {
    let model = views.model;
    let (template, kind, title, term) = match listing.kind {
        ListKind::Index => ("index.html", "index", model.config.title.clone(), None),
        ListKind::Tag(t) => {
            ("taxonomy.html", "tag", format!("Posts tagged “{}”", model.tags[t].name), Some(&model.tags[t]))
        }
        ListKind::Category(c) => (
            "taxonomy.html",
            "category",
            format!("Filed under “{}”", model.categories[c].name),
            Some(&model.categories[c]),
        ),
        ListKind::Author(a) => {
            ("author.html", "author", format!("Posts by {}", model.authors[a].name), Some(&model.authors[a]))
        }
    };
    let title_without_page = title.clone();
    let title = if listing.number > 1 { format!("{title} (page {})", listing.number) } else { title };
    let mut ctx = page_context(base, views, kind, &title, &listing.url);
    ctx.insert("paginator", &views.paginator(listing));
    let site = &model.config.title;
    let description = match listing.kind {
        ListKind::Index => site_description(model),
        ListKind::Tag(t) => format!("Posts tagged “{}” on {site}.", model.tags[t].name),
        ListKind::Category(c) => format!("Posts filed under “{}” on {site}.", model.categories[c].name),
        ListKind::Author(a) => {
            let bio = model.config.authors.get(&model.authors[a].slug).map_or("", |a| a.bio.trim());
            let by = format!("Posts by {} on {site}.", model.authors[a].name);
            if bio.is_empty() {
                by
            } else {
                meta::cut_description(&format!("{by} {bio}"), meta::DESCRIPTION_LENGTH)
            }
        }
    };
    let description = if listing.number > 1 {
        format!("{description} (Page {} of {}.)", listing.number, listing.total)
    } else {
        description
    };
    let og_title = if matches!(listing.kind, ListKind::Index) && listing.number == 1 {
        site.clone()
    } else {
        title.clone()
    };
    let meta = MetaView::website(model, &og_title, views.absolute(&listing.url), description)
        .with_neighbours(views, listing.prev_url.as_deref(), listing.next_url.as_deref());
    ctx.insert("meta", &meta);
    if let Some(term) = term {
        // A term's feed sits in its first page's folder: `/tags/x/feed.xml`.
        let dir = term.url.trim_start_matches('/');
        let own = format!("{} \u{2013} {title_without_page}", model.config.title);
        ctx.insert("feeds", &feeds::links_for(model, views, Some((dir, own))));
        ctx.insert("term_feed_url", &views.href(&format!("{}feed.xml", term.url)));
    }
    if let Some(term) = term {
        ctx.insert("term", &Link { title: &term.name, url: views.href(&term.url) });
    }
    if let ListKind::Author(a) = listing.kind {
        ctx.insert("author", &views.author(&model.authors[a].slug));
    }
    (template, ctx)
}

/// Everything that is not a templated page: stylesheets, static files,
/// post bundle assets, the sitemap and robots.txt, the aliases' redirect
/// pages and `_redirects`.
fn support_files(
    model: &SiteModel,
    views: &Views,
    memo: Option<(&RenderMemo, &fingerprint::Prints)>,
) -> Vec<OutputFile> {
    let mut files = vec![
        OutputFile {
            path: "syntax.css".into(),
            content: OutputContent::Bytes(highlight::stylesheet().into_bytes()),
        },
        OutputFile {
            path: "sitemap.xml".into(),
            content: match memo {
                Some((memo, prints)) => memo.file("sitemap.xml", fingerprint::sitemap(model, prints), || {
                    sitemap::sitemap(model, views)
                }),
                None => OutputContent::Bytes(sitemap::sitemap(model, views)),
            },
        },
        OutputFile {
            path: "robots.txt".into(),
            content: OutputContent::Bytes(
                format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", views.absolute("/sitemap.xml"))
                    .into_bytes(),
            ),
        },
    ];
    for file in &model.theme.static_files {
        let content = match file {
            ThemeFile::Embedded { bytes, .. } => OutputContent::Static(bytes),
            ThemeFile::Disk(a) => OutputContent::Copy(a.source.clone()),
        };
        files.push(OutputFile { path: file.relative().to_string(), content });
    }
    for asset in &model.static_files {
        files.push(OutputFile {
            path: asset.relative.clone(),
            content: OutputContent::Copy(asset.source.clone()),
        });
    }
    let bundles = model.posts.iter().map(|p| &p.assets).zip(&model.post_urls);
    let page_bundles = model.pages.iter().map(|p| &p.assets).zip(&model.page_urls);
    for (assets, url) in bundles.chain(page_bundles) {
        for asset in assets {
            let path = format!("{}{}", url.trim_start_matches('/'), asset.relative);
            files.push(OutputFile { path, content: OutputContent::Copy(asset.source.clone()) });
        }
    }
    // Small enough to make every time: the memo compares their bytes.
    for r in &model.redirects {
        if let Some(file) = &r.alias.file {
            let content = OutputContent::Bytes(redirects::page(model, views, r));
            files.push(OutputFile { path: file.clone(), content });
        }
    }
    if let Some(bytes) = redirects::redirects_file(model, views) {
        files.push(OutputFile { path: "_redirects".into(), content: OutputContent::Bytes(bytes) });
    }
    if let Some((memo, _)) = memo {
        files = files.into_iter().map(|f| memo.settle(f)).collect();
    }
    files
}

/// A tera error as a diagnostic naming the template file, line and column.
fn template_diagnostic(error: &tera::Error, theme: &Theme) -> Diagnostic {
    let help = "fix the template; README.md (Themes) lists the variables each template gets";
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let template = theme.templates.iter().find(|t| t.name == report.filename());
            let path = template.map_or_else(|| PathBuf::from(report.filename()), |t| t.origin.clone());
            let mut d = Diagnostic::error(path, report.message().to_string()).with_help(help);
            if let Some(t) = template {
                let span = report.span();
                let loc = Location::at_offset(&t.text, span.range.start, span.range.len());
                d = d.at(&t.text, loc);
            }
            d
        }
        _ => Diagnostic::error("templates", error.to_string()).with_help(help),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Template;

    #[test]
    fn template_errors_name_the_file_and_line() {
        let mut theme = Theme::built_in();
        theme.templates.push(Template {
            name: "broken.html".into(),
            text: "<p>\n{% if %}\n".into(),
            origin: "themes/mine/templates/broken.html".into(),
        });
        let d = compile_theme(&theme).unwrap_err();
        assert_eq!(d.path, PathBuf::from("themes/mine/templates/broken.html"));
        assert_eq!(d.location.unwrap().line, 2);
    }

    #[test]
    fn the_built_in_theme_has_every_template() {
        let theme = Theme::built_in();
        for name in TEMPLATES {
            assert!(theme.templates.iter().any(|t| t.name == *name), "{name}");
        }
        compile_theme(&theme).unwrap();
    }
}
