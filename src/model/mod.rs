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
use crate::parse::{CommentsMode, Page, Parsed, Post};
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
    };
    check_url_collisions(&model, diags);
    model
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
/// URL are an error naming both.
fn check_url_collisions<'m>(model: &'m SiteModel, diags: &Diagnostics) {
    let mut claims: HashMap<&'m str, Claim<'m>> =
        HashMap::with_capacity(model.posts.len() + model.listings.len());
    let mut claim = |url: &'m str, what: Claim<'m>| match claims.get(url) {
        Some(first) => {
            let (path, line) = what.source(model).unwrap_or((std::path::Path::new("site.toml"), 1));
            let (what, first) = (what.describe(model), first.describe(model));
            let d = Diagnostic::error(path, format!("{what} and {first} both want the URL `{url}`"))
                .at_line_of_file(line)
                .with_help("give one of them another `slug` in its front matter (or rename the file)");
            diags.push(d);
        }
        None => {
            claims.insert(url, what);
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
    for url in ["/tags/", "/categories/", "/archive/"] {
        claim(url, Claim::Generated(url));
    }
    for (i, url) in model.post_urls.iter().enumerate() {
        claim(url, Claim::Post(i));
    }
    for (i, url) in model.page_urls.iter().enumerate() {
        claim(url, Claim::Page(i));
    }
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
        }
    }

    /// The file and line to report a collision at.
    fn source(self, model: &SiteModel) -> Option<(&std::path::Path, usize)> {
        match self {
            Claim::Post(i) => Some((&model.posts[i].path, model.posts[i].slug_line)),
            Claim::Page(i) => Some((&model.pages[i].path, model.pages[i].slug_line)),
            _ => None,
        }
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
