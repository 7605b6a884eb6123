//! Feeds: RSS 2.0 for the site, each tag, category and author, the site's
//! recent comments and each post's comments; Atom 1.0 and JSON Feed 1.1
//! beside each when `[feeds]` turns them on. Written with feed crates
//! (`rss`, `atom_syndication`, serde), never by string concatenation.
//!
//! A feed is first built as a neutral `Feed` of `Item`s; each format then
//! writes it. Output depends only on the content, so two builds of the same
//! site give byte-identical feeds.

mod atom;
mod json;
mod rss;

use rayon::prelude::*;

use super::fingerprint::Prints;
use super::view::Views;
use super::{OutputContent, OutputFile, RenderMemo, Sink};
use crate::model::{Owner, SiteModel, Term};
use crate::parse::PostDate;

/// One feed, in no particular format.
pub(crate) struct Feed {
    pub(crate) title: String,
    /// The page this feed follows, absolute.
    pub(crate) link: String,
    pub(crate) description: String,
    pub(crate) language: String,
    /// Output folder, `/`-separated, empty or ending in `/`.
    pub(crate) dir: String,
    /// File names for the three formats.
    pub(crate) names: FeedNames,
    pub(crate) items: Vec<Item>,
}

#[derive(Clone, Copy)]
pub(crate) struct FeedNames {
    pub(crate) rss: &'static str,
    pub(crate) atom: &'static str,
    pub(crate) json: &'static str,
}

const FEED_NAMES: FeedNames = FeedNames { rss: "feed.xml", atom: "atom.xml", json: "feed.json" };
const COMMENT_FEED_NAMES: FeedNames =
    FeedNames { rss: "comments.xml", atom: "comments.atom.xml", json: "comments.json" };

pub(crate) struct Item {
    pub(crate) title: String,
    pub(crate) link: String,
    /// Never changes once published: from the item's identity, not its URL.
    pub(crate) guid: String,
    pub(crate) date: PostDate,
    pub(crate) updated: Option<PostDate>,
    pub(crate) author: Option<String>,
    pub(crate) categories: Vec<String>,
    /// HTML with absolute URLs.
    pub(crate) summary_html: String,
    /// The whole text, HTML with absolute URLs (when `full_content`).
    pub(crate) content_html: Option<String>,
}

impl Feed {
    fn url(&self, views: &Views, name: &str) -> String {
        views.absolute(&format!("/{}{name}", self.dir))
    }

    /// The newest item's date: a rebuild with no change gives the same feed.
    fn last_date(&self) -> Option<PostDate> {
        self.items.iter().map(|i| i.updated.unwrap_or(i.date).max(i.date)).max()
    }
}

/// A feed a page announces with `<link rel="alternate">`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeedLink {
    pub title: String,
    pub url: String,
    /// The MIME type: `application/rss+xml`, `application/atom+xml` or
    /// `application/feed+json`.
    pub r#type: &'static str,
}

/// What a feed holds, before its items are made.
struct Spec {
    title: String,
    link: String,
    description: String,
    dir: String,
    names: FeedNames,
    items: Vec<ItemRef>,
}

#[derive(Clone, Copy)]
enum ItemRef {
    Post(usize),
    /// (what it is on, comment)
    Comment(Owner, usize),
}

/// Every feed of the site, each handed to `sink` as it is made: what the
/// sink keeps, and how many files there were. With a memo (`serve`), a
/// feed whose items have not changed is reused, not made again; a post's
/// comment feed is then not even described.
pub(crate) fn feeds(
    model: &SiteModel,
    views: &Views,
    memo: Option<(&RenderMemo, &Prints)>,
    sink: &dyn Sink,
) -> (Vec<OutputFile>, usize) {
    let bodies = PostBodies::new(model.posts.len());
    let writer = Writer { model, views, memo: memo.map(|(m, _)| m), bodies: &bodies };
    let shared = specs(model, views).into_par_iter().flat_map_iter(|spec| {
        let fingerprint = memo.map(|(_, prints)| spec_fingerprint(&spec, model, prints.global));
        writer.formats(&spec.dir, spec.names, fingerprint, || &spec)
    });
    // Every post has a comment feed; a page, when it has a comment section.
    let owners: Vec<Owner> = model.owners().filter(|&o| model.has_comment_section(o)).collect();
    let per_post = owners.into_par_iter().flat_map_iter(|owner| {
        let fingerprint = memo.map(|(_, prints)| comments_fingerprint(model, owner, prints));
        let dir = model.url_of(owner).trim_start_matches('/');
        writer.formats(dir, COMMENT_FEED_NAMES, fingerprint, || comments_spec(model, views, owner))
    });
    let made = std::sync::atomic::AtomicUsize::new(0);
    let kept = shared
        .chain(per_post)
        .filter_map(|file| {
            made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            sink.take(file)
        })
        .collect();
    (kept, made.into_inner())
}

/// What writing a feed needs, whichever feed it is.
struct Writer<'a> {
    model: &'a SiteModel,
    views: &'a Views<'a>,
    memo: Option<&'a RenderMemo>,
    bodies: &'a PostBodies,
}

impl Writer<'_> {
    /// One feed in each format the site writes: taken from the memo when
    /// its fingerprint is there, else made from `spec` (described at most
    /// once).
    fn formats<S: std::borrow::Borrow<Spec>>(
        &self,
        dir: &str,
        names: FeedNames,
        fingerprint: Option<u64>,
        spec: impl Fn() -> S,
    ) -> Vec<OutputFile> {
        let Writer { model, views, memo, bodies } = *self;
        let settings = &model.config.feeds;
        let feed = std::sync::OnceLock::new();
        let make = |name: &str| {
            let feed: &Feed = feed.get_or_init(|| materialize(spec().borrow(), model, views, bodies));
            match name {
                n if n == names.atom => atom::write(feed, views),
                n if n == names.json => json::write(feed, views),
                _ => rss::write(feed, views),
            }
        };
        let wanted = [(names.rss, true), (names.atom, settings.atom), (names.json, settings.json)];
        wanted
            .into_iter()
            .filter(|&(_, on)| on)
            .map(|(name, _)| {
                let path = format!("{dir}{name}");
                let content = match (memo, fingerprint) {
                    (Some(memo), Some(fp)) => memo.file(&path, fp, || make(name)),
                    _ => OutputContent::Bytes(make(name)),
                };
                OutputFile { path, content }
            })
            .collect()
    }
}

/// What a post's (or page's) comment feed shows: its title and URL and its
/// published comments (the items are some of them, in another order).
fn comments_fingerprint(model: &SiteModel, owner: Owner, prints: &Prints) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let (title, url) = (model.title_of(owner), model.url_of(owner));
    (prints.global, "comments of", title, url, prints.thread(owner)).hash(&mut h);
    h.finish()
}

fn spec_fingerprint(spec: &Spec, model: &SiteModel, global: u64) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (global, &spec.title, &spec.dir).hash(&mut h);
    for item in &spec.items {
        match *item {
            ItemRef::Post(i) => (model.posts[i].fingerprint, &model.post_urls[i]).hash(&mut h),
            ItemRef::Comment(o, c) => {
                let page = model.thread(o).page_of(c);
                (model.comments[c].fingerprint, model.url_of(o), model.title_of(o), page).hash(&mut h)
            }
        }
    }
    h.finish()
}

fn specs(model: &SiteModel, views: &Views) -> Vec<Spec> {
    let c = &model.config;
    let n = c.feeds.items;
    let site_description =
        if c.description.is_empty() { format!("Posts from {}", c.title) } else { c.description.clone() };
    let posts = |list: &[usize]| list.iter().take(n).map(|&i| ItemRef::Post(i)).collect::<Vec<_>>();
    let mut specs = vec![Spec {
        title: c.title.clone(),
        link: views.absolute("/"),
        description: site_description,
        dir: String::new(),
        names: FEED_NAMES,
        items: posts(&(0..model.posts.len().min(n)).collect::<Vec<_>>()),
    }];
    let terms =
        [("tags", &model.tags, "Posts tagged"), ("categories", &model.categories, "Posts filed under")];
    for (base, list, what) in terms {
        for t in list {
            let what = format!("{what} \u{201c}{}\u{201d}", t.name);
            specs.push(term_spec(model, views, t, format!("{base}/{}/", t.slug), &what, posts(&t.posts)));
        }
    }
    for a in &model.authors {
        let what = format!("Posts by {}", a.name);
        specs.push(term_spec(
            model,
            views,
            a,
            a.url.trim_start_matches('/').to_string(),
            &what,
            posts(&a.posts),
        ));
    }
    // Published comments of published posts and pages, newest first.
    let all: Vec<(Owner, usize)> =
        model.owners().flat_map(|o| model.thread(o).all().into_iter().map(move |ci| (o, ci))).collect();
    let recent = newest(model, all, n);
    specs.push(Spec {
        title: format!("{} \u{2013} recent comments", c.title),
        link: views.absolute("/"),
        description: format!("The newest comments on {}", c.title),
        dir: "comments/".into(),
        names: FEED_NAMES,
        items: recent.iter().take(n).map(|&(p, ci)| ItemRef::Comment(p, ci)).collect(),
    });
    specs
}

/// The `n` newest comments of `list`, newest first; equal dates and ids
/// keep the order of `list`. Only those `n` are sorted: the site's feed
/// picks its few from every comment.
fn newest(model: &SiteModel, mut list: Vec<(Owner, usize)>, n: usize) -> Vec<(Owner, usize)> {
    let order = |a: &(Owner, usize), b: &(Owner, usize)| {
        let (ca, cb) = (&model.comments[a.1], &model.comments[b.1]);
        (cb.date, &cb.id).cmp(&(ca.date, &ca.id)).then_with(|| a.1.cmp(&b.1))
    };
    if n == 0 {
        return Vec::new();
    }
    if list.len() > n {
        list.select_nth_unstable_by(n - 1, order);
        list.truncate(n);
    }
    list.sort_unstable_by(order);
    list
}

/// A post's (or page's) comment feed: its newest published comments.
fn comments_spec(model: &SiteModel, views: &Views, owner: Owner) -> Spec {
    let c = &model.config;
    let (title, url) = (model.title_of(owner), model.url_of(owner));
    let on_post =
        newest(model, model.thread(owner).all().into_iter().map(|ci| (owner, ci)).collect(), c.feeds.items);
    Spec {
        title: format!("Comments on \u{201c}{title}\u{201d}"),
        link: views.absolute(url),
        description: format!("Comments on \u{201c}{title}\u{201d} at {}", c.title),
        dir: url.trim_start_matches('/').to_string(),
        names: COMMENT_FEED_NAMES,
        items: on_post.iter().take(c.feeds.items).map(|&(p, ci)| ItemRef::Comment(p, ci)).collect(),
    }
}

fn term_spec(
    model: &SiteModel,
    views: &Views,
    term: &Term,
    dir: String,
    what: &str,
    items: Vec<ItemRef>,
) -> Spec {
    Spec {
        title: format!("{} \u{2013} {what}", model.config.title),
        link: views.absolute(&term.url),
        description: format!("{what} on {}", model.config.title),
        dir,
        names: FEED_NAMES,
        items,
    }
}

/// The feed a spec describes, with its items made.
fn materialize(spec: &Spec, model: &SiteModel, views: &Views, bodies: &PostBodies) -> Feed {
    Feed {
        title: clean(&spec.title),
        link: spec.link.clone(),
        description: clean(&spec.description),
        language: model.config.language.clone(),
        dir: spec.dir.clone(),
        names: spec.names,
        items: spec
            .items
            .iter()
            .map(|item| match *item {
                ItemRef::Post(i) => post_item(model, views, bodies, i),
                ItemRef::Comment(p, ci) => comment_item(model, views, p, ci),
            })
            .collect(),
    }
}

/// The feeds a page announces: the site's always, plus its own.
pub fn links_for(model: &SiteModel, views: &Views, own: Option<(&str, String)>) -> Vec<FeedLink> {
    let mut links = Vec::new();
    let mut add = |title: String, dir: &str, names: FeedNames| {
        links.push(FeedLink {
            title: title.clone(),
            url: views.href(&format!("/{dir}{}", names.rss)),
            r#type: "application/rss+xml",
        });
        if model.config.feeds.atom {
            links.push(FeedLink {
                title: format!("{title} (Atom)"),
                url: views.href(&format!("/{dir}{}", names.atom)),
                r#type: "application/atom+xml",
            });
        }
        if model.config.feeds.json {
            links.push(FeedLink {
                title: format!("{title} (JSON Feed)"),
                url: views.href(&format!("/{dir}{}", names.json)),
                r#type: "application/feed+json",
            });
        }
    };
    add(model.config.title.clone(), "", FEED_NAMES);
    if let Some((dir, title)) = own {
        add(title, dir, FEED_NAMES);
    }
    links
}

/// The comment feed link of a post or page, for its page.
pub fn comments_link(model: &SiteModel, views: &Views, owner: Owner) -> FeedLink {
    FeedLink {
        title: format!("Comments on \u{201c}{}\u{201d}", model.title_of(owner)),
        url: views.href(&format!("{}{}", model.url_of(owner), COMMENT_FEED_NAMES.rss)),
        r#type: "application/rss+xml",
    }
}

/// Each post's summary and content with absolute URLs, made at most once
/// per build, and only for posts some feed being written holds.
struct PostBodies {
    by_post: Vec<std::sync::OnceLock<(String, Option<String>)>>,
}

impl PostBodies {
    fn new(posts: usize) -> PostBodies {
        PostBodies { by_post: (0..posts).map(|_| std::sync::OnceLock::new()).collect() }
    }

    fn get(&self, model: &SiteModel, views: &Views, i: usize) -> &(String, Option<String>) {
        self.by_post[i].get_or_init(|| {
            let base = views.absolute(&model.post_urls[i]);
            let (content, summary) = views.post_html(i);
            let content = model.config.feeds.full_content.then(|| absolutize(content, &base));
            (absolutize(summary, &base), content)
        })
    }
}

fn post_item(model: &SiteModel, views: &Views, bodies: &PostBodies, i: usize) -> Item {
    let p = &model.posts[i];
    let (summary, content) = bodies.get(model, views, i).clone();
    let author = p.author.as_deref().and_then(|a| model.config.authors.get(a)).map(|a| clean(&a.name));
    Item {
        title: clean(&p.title),
        link: views.absolute(&model.post_urls[i]),
        guid: tag_uri(model, &p.date, &format!("post/{}", p.slug)),
        date: p.date,
        updated: p.updated,
        author,
        categories: p.category.iter().chain(&p.tags).map(|t| clean(t)).collect(),
        summary_html: clean(&summary),
        content_html: content.map(|c| clean(&c)),
    }
}

fn comment_item(model: &SiteModel, views: &Views, owner: Owner, ci: usize) -> Item {
    let c = &model.comments[ci];
    let author = if c.author.is_empty() { "Anonymous" } else { &c.author };
    let title = format!("Comment on \u{201c}{}\u{201d} by {author}", model.title_of(owner));
    Item {
        title: clean(&title),
        link: views.absolute(&model.comment_url(owner, ci)),
        guid: tag_uri(model, &c.date, &format!("comment/{}", c.id)),
        date: c.date,
        updated: None,
        author: Some(clean(author)),
        categories: Vec::new(),
        summary_html: clean(&c.html),
        content_html: Some(clean(&c.html)),
    }
}

/// A `tag:` URI (RFC 4151): the site's domain, the day the thing was first
/// published, and what it is. None of it depends on the permalink pattern.
fn tag_uri(model: &SiteModel, date: &PostDate, specific: &str) -> String {
    let domain = model.config.feeds.guid_domain.clone().unwrap_or_else(|| {
        url::Url::parse(&model.config.base_url)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
            .unwrap_or_else(|| "localhost".into())
    });
    format!("tag:{domain},{}:{specific}", date.ymd())
}

/// `text` without the characters XML 1.0 forbids (most C0 controls,
/// U+FFFE, U+FFFF): a feed must stay well-formed whatever a post holds.
pub(crate) fn clean(text: &str) -> String {
    let allowed =
        |c: char| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}');
    if text.chars().all(allowed) { text.to_string() } else { text.chars().filter(|&c| allowed(c)).collect() }
}

/// `html` with every `href` and `src` made absolute against `base` (the
/// page's absolute URL): feed readers show items away from the site.
pub(crate) fn absolutize(html: &str, base: &str) -> String {
    let Ok(base) = url::Url::parse(base) else { return html.to_string() };
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(pos) = next_url_attr(rest) {
        let (attr_end, value_end) = pos;
        out.push_str(&rest[..attr_end]);
        let value = &rest[attr_end..value_end];
        out.push_str(&resolve(value, &base));
        rest = &rest[value_end..];
    }
    out.push_str(rest);
    out
}

/// The next ` href="` or ` src="` value: (start of value, end of value).
fn next_url_attr(html: &str) -> Option<(usize, usize)> {
    let href = html.find(" href=\"").map(|i| i + 7);
    let src = html.find(" src=\"").map(|i| i + 6);
    let start = match (href, src) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let end = html[start..].find('"')? + start;
    Some((start, end))
}

fn resolve(value: &str, base: &url::Url) -> String {
    let raw = value.replace("&amp;", "&");
    let has_scheme = raw.split(['/', '?', '#']).next().is_some_and(|head| head.contains(':'));
    if has_scheme || raw.starts_with("//") {
        return value.to_string();
    }
    match base.join(&raw) {
        Ok(u) => u.as_str().replace('&', "&amp;").replace('"', "&quot;"),
        Err(_) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_become_absolute() {
        let html = r##"<a href="/posts/a/">a</a> <img src="map.png" alt=""> <a href="#fn1">1</a> <a href="https://x.org/?a=1&amp;b=2">x</a> <a href="mailto:a@b.c">m</a>"##;
        let out = absolutize(html, "https://blog.example.org/posts/trip/");
        assert!(out.contains(r#"href="https://blog.example.org/posts/a/""#), "{out}");
        assert!(out.contains(r#"src="https://blog.example.org/posts/trip/map.png""#), "{out}");
        assert!(out.contains(r#"href="https://blog.example.org/posts/trip/#fn1""#), "{out}");
        assert!(out.contains(r#"href="https://x.org/?a=1&amp;b=2""#), "{out}");
        assert!(out.contains(r#"href="mailto:a@b.c""#), "{out}");
    }

    #[test]
    fn forbidden_characters_are_dropped() {
        assert_eq!(clean("a\u{0}b\u{1b}c\td\u{FFFE}"), "abc\td");
        assert_eq!(clean("שלום 🎉 <&>"), "שלום 🎉 <&>");
    }
}
