//! Stage 3: the site model. Takes parsed posts and pages and works out
//! everything about the site as a whole: which posts are published, their
//! order and URLs, tags, categories, authors, archives, pagination, and
//! that no two things claim one URL. No IO happens here.

pub mod comments;
pub mod permalink;

use std::collections::BTreeMap;
// Maps of slugs and URLs, rebuilt on every `serve` rebuild: a fast hasher.
use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{Asset, Theme};
use crate::parse::comment::Comment;
use crate::parse::{Alias, CommentsMode, Page, Parsed, Post};
use comments::{CommentStats, Thread};

/// What the user asked of the build that changes the model.
#[derive(Debug, Clone, Copy)]
pub struct ModelOptions {
    pub include_drafts: bool,
    /// "Now": posts dated later are left out, and comments close by age.
    pub now: jiff::Timestamp,
}

/// A tag, a category or an author: a named group of posts.
#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub url: String,
    /// Indices into `SiteModel::posts`, newest first.
    pub posts: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct MonthArchive {
    pub year: i16,
    pub month: i8,
    pub url: String,
    pub posts: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct YearArchive {
    pub year: i16,
    pub url: String,
    pub months: Vec<MonthArchive>,
}

impl YearArchive {
    /// How many posts the year holds.
    pub fn post_count(&self) -> usize {
        self.months.iter().map(|m| m.posts.len()).sum()
    }
}

/// Which list a paginated page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Index,
    Tag(usize),
    Category(usize),
    Author(usize),
}

/// One page of a paginated list of posts.
#[derive(Debug, Clone)]
pub struct Listing {
    pub kind: ListKind,
    pub url: String,
    /// 1-based.
    pub number: usize,
    pub total: usize,
    /// The posts on this page only.
    pub posts: Vec<usize>,
    pub total_posts: usize,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

/// An old URL of a published post or page (`aliases:`): a redirect page
/// at its `file` (unless it has a query) and a line of `_redirects`.
#[derive(Debug, Clone)]
pub struct Redirect {
    pub alias: Alias,
    /// What it leads to.
    pub owner: Owner,
    /// The URL it claims among the site's URLs: `/old/` for
    /// `old/index.html`, `/old/page.html`, or the alias as written when it
    /// has a query.
    pub key: String,
}

#[derive(Debug)]
pub struct SiteModel {
    pub config: Config,
    /// Published posts, newest first.
    pub posts: Vec<Arc<Post>>,
    pub post_urls: Vec<String>,
    pub pages: Vec<Arc<Page>>,
    pub page_urls: Vec<String>,
    pub tags: Vec<Term>,
    pub categories: Vec<Term>,
    /// Authors with at least one post; `slug` is the `[authors]` key.
    pub authors: Vec<Term>,
    pub years: Vec<YearArchive>,
    pub listings: Vec<Listing>,
    /// Valid comments of the whole site, in any status.
    pub comments: Vec<Arc<Comment>>,
    /// The published comments of `posts[i]`, threaded.
    pub threads: Vec<Thread>,
    /// Who may comment on each post at the build's `now` (its own mode,
    /// closed by age, or members only): a value of the model, so that a
    /// page showing it changes when it does.
    pub comment_modes: Vec<CommentsMode>,
    /// The published comments of `pages[i]`, threaded (empty when a post
    /// has the page's slug: the comment folder is the post's).
    pub page_threads: Vec<Thread>,
    /// Who may comment on each page at the build's `now`.
    pub page_comment_modes: Vec<CommentsMode>,
    pub comment_stats: CommentStats,
    pub static_files: Vec<Asset>,
    pub theme: Theme,
    /// Drafts and future posts left out of this build.
    pub hidden_posts: usize,
    /// The old URLs of published posts, then pages, in their order.
    pub redirects: Vec<Redirect>,
}

/// What comments are on: `posts[i]` or `pages[i]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Post(usize),
    Page(usize),
}

impl SiteModel {
    /// Every post and page, posts first: everything comments can be on.
    pub fn owners(&self) -> impl Iterator<Item = Owner> {
        (0..self.posts.len()).map(Owner::Post).chain((0..self.pages.len()).map(Owner::Page))
    }

    pub fn thread(&self, owner: Owner) -> &Thread {
        match owner {
            Owner::Post(i) => &self.threads[i],
            Owner::Page(i) => &self.page_threads[i],
        }
    }

    /// Who may comment on `owner` at the build's `now`.
    pub fn comment_mode(&self, owner: Owner) -> CommentsMode {
        match owner {
            Owner::Post(i) => self.comment_modes[i],
            Owner::Page(i) => self.page_comment_modes[i],
        }
    }

    /// Its URL path (its first comment page's).
    pub fn url_of(&self, owner: Owner) -> &str {
        match owner {
            Owner::Post(i) => &self.post_urls[i],
            Owner::Page(i) => &self.page_urls[i],
        }
    }

    pub fn title_of(&self, owner: Owner) -> &str {
        match owner {
            Owner::Post(i) => &self.posts[i].title,
            Owner::Page(i) => &self.pages[i].title,
        }
    }

    pub fn slug_of(&self, owner: Owner) -> &str {
        match owner {
            Owner::Post(i) => &self.posts[i].slug,
            Owner::Page(i) => &self.pages[i].slug,
        }
    }

    /// The file it was read from.
    pub fn fingerprint_of(&self, owner: Owner) -> u128 {
        match owner {
            Owner::Post(i) => self.posts[i].fingerprint,
            Owner::Page(i) => self.pages[i].fingerprint,
        }
    }

    /// Whether a page shows a comment section: it takes comments, or has
    /// some from before it closed. Posts always do.
    pub fn has_comment_section(&self, owner: Owner) -> bool {
        match owner {
            Owner::Post(_) => true,
            Owner::Page(_) => {
                self.comment_mode(owner) != CommentsMode::Closed || self.thread(owner).count > 0
            }
        }
    }

    /// The URL of the comment page holding comment `ci` (an index into
    /// `comments`) of `owner`, with its anchor.
    pub fn comment_url(&self, owner: Owner, ci: usize) -> String {
        let page = self.thread(owner).page_of(ci);
        let id = &self.comments[ci].id;
        format!("{}#comment-{id}", permalink::comment_page(self.url_of(owner), page))
    }

    /// `posts[i]`'s neighbours: (older, newer).
    pub fn neighbours(&self, i: usize) -> (Option<usize>, Option<usize>) {
        let older = (i + 1 < self.posts.len()).then_some(i + 1);
        let newer = i.checked_sub(1);
        (older, newer)
    }
}

/// Whether a post or page is out at `now`: not a draft, and not dated
/// later. The build and the site index both decide it here.
pub fn is_published(draft: bool, date: Option<&crate::parse::PostDate>, now: jiff::Timestamp) -> bool {
    !draft && date.is_none_or(|d| d.timestamp <= now)
}

pub fn build(parsed: Parsed, config: Config, options: ModelOptions, diags: &Diagnostics) -> SiteModel {
    let Parsed { posts: all_posts, pages, comments, broken_comments, static_files, theme } = parsed;
    let now = options.now;
    let visible = |draft: bool, date: Option<&crate::parse::PostDate>| {
        options.include_drafts || is_published(draft, date, now)
    };
    let total_posts = all_posts.len();
    // Comments are checked against every post and page (a draft's comments
    // are not broken) while the posts are ordered and grouped.
    let ((comments, invalid), (posts, post_urls, tags, categories, authors, years, listings)) = rayon::join(
        || {
            let all_slugs: foldhash::HashSet<&str> = all_posts
                .iter()
                .map(|p| p.slug.as_str())
                .chain(pages.iter().map(|p| p.slug.as_str()))
                .collect();
            comments::validate(comments, &all_slugs, diags)
        },
        || {
            let mut posts: Vec<Arc<Post>> =
                all_posts.iter().filter(|p| visible(p.draft, Some(&p.date))).cloned().collect();
            // Newest first; ties broken by slug so the order never depends on threads.
            posts.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
            let post_urls: Vec<String> =
                posts.iter().map(|p| permalink::post_url(&config.permalink, p)).collect();
            let tags = group_terms(&posts, "/tags/", |p| p.tags.iter().map(String::as_str).collect());
            let categories =
                group_terms(&posts, "/categories/", |p| p.category.as_deref().into_iter().collect());
            let authors = author_terms(&posts, &config);
            let years = archive(&posts);
            let listings = paginate_all(&posts, &tags, &categories, &authors, config.posts_per_page);
            (posts, post_urls, tags, categories, authors, years, listings)
        },
    );
    let comment_stats = comments::stats(&comments, broken_comments + invalid);
    let hidden_posts = total_posts - posts.len();
    let post_slugs: foldhash::HashSet<&str> = all_posts.iter().map(|p| p.slug.as_str()).collect();
    check_shared_comment_folders(&pages, &post_slugs, diags);
    let pages: Vec<Arc<Page>> = pages.into_iter().filter(|p| visible(p.draft, None)).collect();
    let page_urls: Vec<String> = pages.iter().map(|p| permalink::page_url(&p.slug)).collect();
    let threads = thread_all(posts.iter().map(|p| p.slug.as_str()), &comments, &config);
    // A folder a post and a page share is the post's.
    let page_slugs = pages.iter().map(|p| if post_slugs.contains(p.slug.as_str()) { "" } else { &p.slug });
    let page_threads = thread_all(page_slugs, &comments, &config);
    drop(post_slugs);
    let comment_modes = posts.iter().map(|p| p.comments.at(Some(&p.date), &config.comments, now)).collect();
    let page_comment_modes =
        pages.iter().map(|p| p.comments.at(p.date.as_ref(), &config.comments, now)).collect();
    let redirects = redirects(&posts, &pages);

    let model = SiteModel {
        config,
        posts,
        post_urls,
        pages,
        page_urls,
        tags,
        categories,
        authors,
        years,
        listings,
        comments,
        threads,
        comment_modes,
        page_threads,
        page_comment_modes,
        comment_stats,
        static_files,
        theme,
        hidden_posts,
        redirects,
    };
    check_url_collisions(&model, diags);
    model
}

/// The aliases of `posts` and `pages` (published ones), in that order.
fn redirects(posts: &[Arc<Post>], pages: &[Arc<Page>]) -> Vec<Redirect> {
    let of_posts =
        posts.iter().enumerate().flat_map(|(i, p)| p.aliases.iter().map(move |a| (Owner::Post(i), a)));
    let of_pages =
        pages.iter().enumerate().flat_map(|(i, p)| p.aliases.iter().map(move |a| (Owner::Page(i), a)));
    of_posts
        .chain(of_pages)
        .map(|(owner, alias)| {
            let key = match &alias.file {
                Some(file) => format!("/{}", file.strip_suffix("index.html").unwrap_or(file)),
                None => alias.written.clone(),
            };
            Redirect { alias: alias.clone(), owner, key }
        })
        .collect()
}

/// A page that asks for comments (`comments:` in its front matter) while a
/// post has its slug: the comment folder `content/comments/<slug>/` and a
/// form's `post` field would name both, so the page is refused comments.
fn check_shared_comment_folders(
    pages: &[Arc<Page>],
    post_slugs: &foldhash::HashSet<&str>,
    diags: &Diagnostics,
) {
    for page in pages.iter().filter(|p| post_slugs.contains(p.slug.as_str())) {
        let Some(line) = page.comments_line else { continue };
        let message = format!(
            "this page asks for comments, but a post has its slug `{}`: comments in `content/comments/{}/` are the post's",
            page.slug, page.slug
        );
        diags.push(
            Diagnostic::error(&page.path, message)
                .at_line_of_file(line)
                .with_help("give the page another `slug` (its comments then live in `content/comments/<that slug>/`), or remove `comments:`"),
        );
    }
}

/// The published comments of each of `slugs` (an empty slug has none),
/// threaded.
fn thread_all<'s>(
    slugs: impl Iterator<Item = &'s str>,
    comments: &[Arc<Comment>],
    config: &Config,
) -> Vec<Thread> {
    let slugs: Vec<&str> = slugs.collect();
    // Comments come grouped by post (`load` lists them so): a run of one
    // post's comments is one map lookup, not one per comment.
    let mut by_post: HashMap<&str, Vec<usize>> = HashMap::with_capacity(slugs.len());
    let mut start = 0;
    while start < comments.len() {
        let slug = comments[start].post_slug.as_str();
        let end =
            comments[start..].iter().position(|c| c.post_slug != slug).map_or(comments.len(), |n| start + n);
        by_post.entry(slug).or_default().extend(start..end);
        start = end;
    }
    slugs
        .par_iter()
        .map(|slug| {
            by_post
                .get(slug)
                .filter(|_| !slug.is_empty())
                .map_or_else(Thread::default, |ix| comments::thread(comments, ix, &config.comments))
        })
        .collect()
}

/// Groups posts by term; terms whose slugs are equal are one term, named
/// as first written (newest post first). Sorted by name.
fn group_terms(posts: &[Arc<Post>], base: &str, terms_of: impl Fn(&Post) -> Vec<&str>) -> Vec<Term> {
    let mut terms: Vec<Term> = Vec::new();
    // A site has far fewer terms than uses of them: each name is slugified
    // and looked up once (`None`: its slug is empty).
    let mut by_name: HashMap<&str, Option<usize>> = HashMap::new();
    let mut by_slug: HashMap<String, usize> = HashMap::new();
    for (i, post) in posts.iter().enumerate() {
        for name in terms_of(post) {
            let term = *by_name.entry(name).or_insert_with(|| {
                let slug = crate::slugs::slugify(name);
                if slug.is_empty() {
                    return None;
                }
                let at = by_slug.entry(slug.clone()).or_insert_with(|| {
                    let url = format!("{base}{slug}/");
                    terms.push(Term { name: name.to_string(), url, slug, posts: Vec::new() });
                    terms.len() - 1
                });
                Some(*at)
            });
            let Some(term) = term.map(|t| &mut terms[t]) else { continue };
            if term.posts.last() != Some(&i) {
                term.posts.push(i);
            }
        }
    }
    terms.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.slug.cmp(&b.slug)));
    terms
}

fn author_terms(posts: &[Arc<Post>], config: &Config) -> Vec<Term> {
    let mut by_id: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, post) in posts.iter().enumerate() {
        if let Some(id) = post.author.as_deref() {
            by_id.entry(id).or_default().push(i);
        }
    }
    by_id
        .into_iter()
        .filter_map(|(id, posts)| {
            let author = config.authors.get(id)?;
            Some(Term {
                name: author.name.clone(),
                slug: id.to_string(),
                url: format!("/authors/{}/", crate::slugs::slugify(id)),
                posts,
            })
        })
        .collect()
}

/// Years newest first, months newest first, posts newest first.
fn archive(posts: &[Arc<Post>]) -> Vec<YearArchive> {
    let mut years: Vec<YearArchive> = Vec::new();
    for (i, post) in posts.iter().enumerate() {
        let (year, month) = (post.date.year(), post.date.month());
        if years.last().is_none_or(|y| y.year != year) {
            years.push(YearArchive { year, url: format!("/{year:04}/"), months: Vec::new() });
        }
        let Some(y) = years.last_mut() else { continue };
        if y.months.last().is_none_or(|m| m.month != month) {
            y.months.push(MonthArchive {
                year,
                month,
                url: format!("/{year:04}/{month:02}/"),
                posts: Vec::new(),
            });
        }
        if let Some(m) = y.months.last_mut() {
            m.posts.push(i);
        }
    }
    years
}

fn paginate_all(
    posts: &[Arc<Post>],
    tags: &[Term],
    categories: &[Term],
    authors: &[Term],
    per_page: usize,
) -> Vec<Listing> {
    let mut listings = Vec::new();
    let all: Vec<usize> = (0..posts.len()).collect();
    paginate(ListKind::Index, "/", &all, per_page, &mut listings);
    for (i, t) in tags.iter().enumerate() {
        paginate(ListKind::Tag(i), &t.url, &t.posts, per_page, &mut listings);
    }
    for (i, t) in categories.iter().enumerate() {
        paginate(ListKind::Category(i), &t.url, &t.posts, per_page, &mut listings);
    }
    for (i, t) in authors.iter().enumerate() {
        paginate(ListKind::Author(i), &t.url, &t.posts, per_page, &mut listings);
    }
    listings
}

fn paginate(kind: ListKind, base: &str, posts: &[usize], per_page: usize, out: &mut Vec<Listing>) {
    let per_page = per_page.max(1);
    let total = posts.len().div_ceil(per_page).max(1);
    for number in 1..=total {
        let start = (number - 1) * per_page;
        let end = (start + per_page).min(posts.len());
        out.push(Listing {
            kind,
            url: permalink::paginated(base, number),
            number,
            total,
            posts: posts[start..end].to_vec(),
            total_posts: posts.len(),
            prev_url: (number > 1).then(|| permalink::paginated(base, number - 1)),
            next_url: (number < total).then(|| permalink::paginated(base, number + 1)),
        });
    }
}

/// Every URL the site will write, with what claims it: two claims on one
/// URL are an error naming both. Aliases claim theirs last, so a collision
/// is reported at the alias; they must also miss every other file the
/// build writes.
fn check_url_collisions(model: &SiteModel, diags: &Diagnostics) {
    // Later comment pages are claimed only against aliases: nothing else
    // can reach below a post's URL.
    let comment_pages: Vec<(String, Owner)> = if model.redirects.is_empty() {
        Vec::new()
    } else {
        model
            .owners()
            .flat_map(|o| {
                (2..=model.thread(o).page_count())
                    .map(move |n| (permalink::comment_page(model.url_of(o), n), o))
            })
            .collect()
    };
    claim_all(model, &comment_pages, diags);
}

fn claim_all<'a>(model: &'a SiteModel, comment_pages: &'a [(String, Owner)], diags: &Diagnostics) {
    let mut claims: HashMap<&'a str, Claim<'a>> =
        HashMap::with_capacity(model.posts.len() + model.listings.len() + model.redirects.len());
    let mut claim = |url: &'a str, what: Claim<'a>| -> bool {
        match claims.get(url) {
            Some(&first) => {
                diags.push(collision(model, url, what, first));
                false
            }
            None => {
                claims.insert(url, what);
                true
            }
        }
    };
    // Generated lists first, so a post or page that collides names its file.
    for l in &model.listings {
        claim(&l.url, Claim::Listing(&l.url));
    }
    for y in &model.years {
        claim(&y.url, Claim::Year(y.year));
        for m in &y.months {
            claim(&m.url, Claim::Month(m.year, m.month));
        }
    }
    for url in ["/tags/", "/categories/", "/archive/", "/404.html"] {
        claim(url, Claim::Generated(url));
    }
    for (i, url) in model.post_urls.iter().enumerate() {
        claim(url, Claim::Post(i));
    }
    for (i, url) in model.page_urls.iter().enumerate() {
        claim(url, Claim::Page(i));
    }
    if model.redirects.is_empty() {
        return;
    }
    for (url, owner) in comment_pages {
        claim(url, Claim::CommentPage(*owner));
    }
    let files = other_files(model);
    check_redirects_file(model, diags);
    for (i, r) in model.redirects.iter().enumerate() {
        if !claim(&r.key, Claim::Alias(i)) {
            continue;
        }
        let Some(file) = &r.alias.file else { continue };
        // A file the build writes where the redirect page would go, or
        // where it needs a folder.
        let folders = file.match_indices('/').map(|(at, _)| &file[..at]);
        if let Some((taken, what)) = std::iter::once(file.as_str()).chain(folders).find_map(|f| {
            files.get(f).map(|what| (f, what.clone())).or_else(|| feed_at(model, f).map(|w| (f, w)))
        }) {
            let (path, line) =
                Claim::Alias(i).source(model).unwrap_or((std::path::Path::new("site.toml"), 1));
            let message = format!("{} and {what} both want `/{taken}`", Claim::Alias(i).describe(model));
            diags.push(
                Diagnostic::error(path, message)
                    .at_line_of_file(line)
                    .with_help("remove this alias, or change it: the build writes that file itself"),
            );
        }
    }
}

/// Two claims on one URL, reported at the second.
fn collision(model: &SiteModel, url: &str, what: Claim, first: Claim) -> Diagnostic {
    let (path, line) = what.source(model).unwrap_or((std::path::Path::new("site.toml"), 1));
    let (message, help) = match (what, first) {
        (Claim::Alias(i), Claim::Post(_) | Claim::Page(_))
            if first.owner() == Some(model.redirects[i].owner) =>
        {
            (
                format!(
                    "the alias `{}` is the URL of {} itself",
                    model.redirects[i].alias.written,
                    first.describe(model)
                ),
                "remove it: an alias is an old URL, not the current one",
            )
        }
        (Claim::Alias(_), _) => (
            format!("{} and {} both want the URL `{url}`", what.describe(model), first.describe(model)),
            "remove this alias, or change it: one URL can lead to one place only",
        ),
        _ => (
            format!("{} and {} both want the URL `{url}`", what.describe(model), first.describe(model)),
            "give one of them another `slug` in its front matter (or rename the file)",
        ),
    };
    Diagnostic::error(path, message).at_line_of_file(line).with_help(help)
}

/// A site with aliases writes `_redirects`: a static file of that name
/// would be overwritten.
fn check_redirects_file(model: &SiteModel, diags: &Diagnostics) {
    let Some(first) = model.redirects.first() else { return };
    let theirs = model.static_files.iter().any(|a| a.relative == "_redirects");
    let theme = model.theme.static_files.iter().any(|f| f.relative() == "_redirects");
    if !(theirs || theme) {
        return;
    }
    let path = if theirs { "static/_redirects" } else { "the theme's static/_redirects" };
    let message = format!(
        "`{path}` and the `_redirects` the build writes for the aliases (such as `{}` of `{}`) both want `/_redirects`",
        first.alias.written,
        owner_path(model, first.owner).display()
    );
    diags.push(Diagnostic::error(if theirs { "static/_redirects" } else { "themes" }, message).with_help(
        "the build lists every alias in `_redirects` itself: write the old URLs of `static/_redirects` as `aliases` of the posts they lead to, and remove the file",
    ));
}

/// Feed files a build may write in each folder it fills (render/feeds).
const FEED_FILES: &[&str] =
    &["feed.xml", "atom.xml", "feed.json", "comments.xml", "comments.atom.xml", "comments.json"];

/// The feed a build writes at `file` (output path), described, if any: a
/// feed file's name in a folder the site fills.
fn feed_at(model: &SiteModel, file: &str) -> Option<String> {
    let (dir, name) = file.rsplit_once('/').unwrap_or(("", file));
    if !FEED_FILES.contains(&name) {
        return None;
    }
    let url = if dir.is_empty() { "/".to_string() } else { format!("/{dir}/") };
    let fills = url == "/"
        || url == "/comments/"
        || model.post_urls.contains(&url)
        || model.page_urls.contains(&url)
        || model.tags.iter().chain(&model.categories).chain(&model.authors).any(|t| t.url == url);
    fills.then(|| format!("the feed `/{file}`"))
}

/// The files a build writes besides pages and feeds, by output path,
/// described: what an alias's redirect page must not land on.
fn other_files(model: &SiteModel) -> HashMap<String, String> {
    let mut files = HashMap::new();
    for name in ["sitemap.xml", "robots.txt", "syntax.css", "_redirects"] {
        files.insert(name.to_string(), format!("the generated file `/{name}`"));
    }
    for file in &model.theme.static_files {
        files.insert(file.relative().to_string(), format!("the theme's file `{}`", file.relative()));
    }
    for asset in &model.static_files {
        files.insert(asset.relative.clone(), format!("the static file `static/{}`", asset.relative));
    }
    let bundles = model.posts.iter().map(|p| (&p.path, &p.assets)).zip(&model.post_urls);
    let page_bundles = model.pages.iter().map(|p| (&p.path, &p.assets)).zip(&model.page_urls);
    for ((path, assets), url) in bundles.chain(page_bundles) {
        for asset in assets {
            let file = format!("{}{}", url.trim_start_matches('/'), asset.relative);
            files.insert(file, format!("`{}` (beside `{}`)", asset.relative, path.display()));
        }
    }
    files
}

/// What wants a URL; described only when two want the same one.
#[derive(Clone, Copy)]
enum Claim<'a> {
    Listing(&'a str),
    Generated(&'a str),
    Year(i16),
    Month(i16, i8),
    Post(usize),
    Page(usize),
    /// A later comment page of a post or page.
    CommentPage(Owner),
    /// `redirects[i]`.
    Alias(usize),
}

impl Claim<'_> {
    fn describe(self, model: &SiteModel) -> String {
        match self {
            Claim::Listing(url) => format!("the generated list page `{url}`"),
            Claim::Generated(url) => format!("the generated page `{url}`"),
            Claim::Year(year) => format!("the archive of {year}"),
            Claim::Month(year, month) => format!("the archive of {year}-{month:02}"),
            Claim::Post(i) => format!("`{}`", model.posts[i].path.display()),
            Claim::Page(i) => format!("`{}`", model.pages[i].path.display()),
            Claim::CommentPage(owner) => {
                format!("a comment page of `{}`", owner_path(model, owner).display())
            }
            Claim::Alias(i) => {
                let r = &model.redirects[i];
                format!("the alias `{}` of `{}`", r.alias.written, owner_path(model, r.owner).display())
            }
        }
    }

    /// The post or page it is, if it is one.
    fn owner(self) -> Option<Owner> {
        match self {
            Claim::Post(i) => Some(Owner::Post(i)),
            Claim::Page(i) => Some(Owner::Page(i)),
            _ => None,
        }
    }

    /// The file and line to report a collision at.
    fn source(self, model: &SiteModel) -> Option<(&std::path::Path, usize)> {
        match self {
            Claim::Post(i) => Some((&model.posts[i].path, model.posts[i].slug_line)),
            Claim::Page(i) => Some((&model.pages[i].path, model.pages[i].slug_line)),
            Claim::Alias(i) => {
                let r = &model.redirects[i];
                Some((owner_path(model, r.owner), r.alias.line))
            }
            _ => None,
        }
    }
}

/// The file a post or page was read from.
fn owner_path(model: &SiteModel, owner: Owner) -> &std::path::Path {
    match owner {
        Owner::Post(i) => &model.posts[i].path,
        Owner::Page(i) => &model.pages[i].path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{CommentsMode, PostDate};

    fn post(slug: &str, date: &str, tags: &[&str]) -> Post {
        Post {
            path: format!("content/posts/{slug}.md").into(),
            slug: slug.into(),
            slug_line: 1,
            title: slug.into(),
            date: PostDate::parse(date).unwrap(),
            updated: None,
            author: None,
            category: Some("Support".into()),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            content_html: String::new(),
            summary_html: String::new(),
            has_more: false,
            words: 0,
            shortcodes: vec![],
            draft: false,
            comments: CommentsMode::Open,
            source: None,
            photo_credit: None,
            image: None,
            extra: Default::default(),
            aliases: vec![],
            assets: vec![],
            fingerprint: 0,
            warnings: vec![],
        }
    }

    fn model(posts: Vec<Post>, per_page: usize) -> (SiteModel, Vec<Diagnostic>) {
        let diags = Diagnostics::new();
        let mut config = Config::parse("title = \"T\"\nbase_url = \"https://x.org\"\n", &diags).unwrap();
        config.posts_per_page = per_page;
        let parsed = Parsed {
            posts: posts.into_iter().map(Arc::new).collect(),
            pages: vec![],
            comments: vec![],
            broken_comments: 0,
            static_files: vec![],
            theme: Theme::default(),
        };
        let m = build(
            parsed,
            config,
            ModelOptions { include_drafts: false, now: jiff::Timestamp::now() },
            &diags,
        );
        (m, diags.into_sorted())
    }

    #[test]
    fn posts_are_ordered_grouped_and_paginated() {
        let (m, diags) = model(
            vec![
                post("a", "2020-01-05", &["Phone", "refunds"]),
                post("b", "2021-03-01", &["phone"]),
                post("c", "2020-02-01", &[]),
            ],
            2,
        );
        assert!(diags.is_empty());
        assert_eq!(m.posts.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(), ["b", "c", "a"]);
        let phone = m.tags.iter().find(|t| t.slug == "phone").unwrap();
        assert_eq!(phone.posts, [0, 2]);
        assert_eq!(m.years.len(), 2);
        assert_eq!(m.years[1].months.len(), 2);
        let index: Vec<&Listing> = m.listings.iter().filter(|l| l.kind == ListKind::Index).collect();
        assert_eq!(index.len(), 2);
        assert_eq!(index[1].url, "/page/2/");
        assert_eq!(index[1].prev_url.as_deref(), Some("/"));
        assert_eq!(m.neighbours(0), (Some(1), None));
    }

    #[test]
    fn drafts_and_future_posts_are_left_out() {
        let mut draft = post("d", "2020-01-01", &[]);
        draft.draft = true;
        let (m, _) = model(vec![draft, post("f", "2999-01-01", &[]), post("p", "2020-01-01", &[])], 10);
        assert_eq!(m.posts.len(), 1);
        assert_eq!(m.hidden_posts, 2);
    }

    #[test]
    fn two_posts_with_one_url_are_an_error_naming_both() {
        let mut b = post("a", "2020-01-01", &[]);
        b.path = "content/posts/other.md".into();
        let (_, diags) = model(vec![post("a", "2020-01-02", &[]), b], 10);
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0].message.contains("content/posts/a.md")
                && diags[0].message.contains("content/posts/other.md"),
            "{}",
            diags[0].message
        );
    }
}
