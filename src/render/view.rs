//! What templates see: borrowed views of the model, built per page and
//! holding only what that page shows (a list page holds its own posts'
//! summaries, never the whole site). Renaming a model field breaks this
//! file, not every theme. The names here are the theme API in README.md.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::model::comments::CommentNode;
use crate::model::{Listing, Owner, SiteModel, Term};
use crate::parse::{CommentsMode, PostDate, SourceAttribution};

#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// Absolute, with a trailing slash.
    pub base_url: String,
    pub language: &'a str,
    /// Links to the site's pages, for the navigation bar.
    pub nav: Vec<Link<'a>>,
    pub generator: &'static str,
    pub extra: &'a toml::Table,
}

impl<'a> SiteView<'a> {
    pub fn of_config(c: &'a crate::config::Config, nav: Vec<Link<'a>>) -> SiteView<'a> {
        SiteView {
            title: &c.title,
            description: &c.description,
            base_url: c.root_url(),
            language: &c.language,
            nav,
            generator: concat!("parlor ", env!("CARGO_PKG_VERSION")),
            extra: &c.extra,
        }
    }
}

#[derive(Serialize)]
pub struct Link<'a> {
    pub title: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct DateView {
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
    /// `November 22, 2009`
    pub long: String,
    /// `3:08 pm`, empty when only a day was given.
    pub time: String,
    pub year: i16,
}

impl DateView {
    pub fn new(d: &PostDate) -> DateView {
        DateView {
            iso: d.rfc3339(),
            long: d.long_date(),
            time: if d.has_time { d.time_of_day() } else { String::new() },
            year: d.year(),
        }
    }
}

#[derive(Serialize)]
pub struct TermLink<'a> {
    pub name: &'a str,
    pub url: String,
    /// Number of posts; set on taxonomy lists, 0 on a post's own links.
    pub count: usize,
}

#[derive(Serialize)]
pub struct AuthorView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub bio: &'a str,
    /// The author's own website.
    pub website: Option<&'a str>,
    pub avatar: Option<&'a str>,
    /// Their page on this site.
    pub url: String,
}

#[derive(Serialize)]
pub struct PostView<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub url: String,
    pub permalink: String,
    pub date: DateView,
    pub updated: Option<DateView>,
    pub author: Option<AuthorView<'a>>,
    pub category: Option<TermLink<'a>>,
    pub tags: Vec<TermLink<'a>>,
    pub reading_minutes: usize,
    pub words: usize,
    pub summary_html: &'a str,
    pub has_more: bool,
    /// Only on the post's own page.
    pub content_html: Option<&'a str>,
    /// Who may comment now: `open`, `closed` (by front matter, or by age
    /// under `close_after_days`) or `members`.
    pub comments: CommentsMode,
    /// Published comments.
    pub comment_count: usize,
    pub source: Option<&'a SourceAttribution>,
    pub photo_credit: Option<&'a str>,
    pub image: Option<&'a str>,
    pub extra: &'a serde_json::Map<String, serde_json::Value>,
    pub draft: bool,
}

/// The comment section of a post or page, whichever it is.
#[derive(Serialize)]
pub struct DiscussionView {
    /// `post` or `page`.
    pub kind: &'static str,
    /// Who may comment now: `open`, `closed` or `members`.
    pub comments: CommentsMode,
    /// Published comments, on every comment page together.
    pub comment_count: usize,
}

/// Where one comment page sits among its post's comment pages.
#[derive(Serialize)]
pub struct CommentPagesView {
    /// 1-based.
    pub number: usize,
    pub total: usize,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    /// Every comment page, first to last.
    pub urls: Vec<String>,
}

/// The comment form of a post or page.
#[derive(Serialize)]
pub struct CommentFormView<'a> {
    /// Where the form posts.
    pub action: String,
    /// The post's (or page's) slug (the `post` field).
    pub post: &'a str,
    /// The form token (the `token` field).
    pub token: String,
    /// The honeypot field's name: hide it from people, leave it empty.
    pub honeypot: &'static str,
    pub max_length: usize,
    /// Comments one can reply to, in reading order.
    pub replies: Vec<ReplyOption<'a>>,
    /// What the reader sent, when intake gives the form back to be edited;
    /// empty in the build.
    pub values: FormValues,
    /// Offer "Email me replies to my comment" (`[notify] replies`).
    pub reply_mail: bool,
}

/// A comment form's fields as a reader filled them in.
#[derive(Serialize, Default, Debug, Clone)]
pub struct FormValues {
    pub author: String,
    pub email: String,
    pub website: String,
    pub body: String,
    pub reply_to: String,
    /// "Email me replies to my comment" was ticked.
    pub notify_replies: bool,
}

#[derive(Serialize)]
pub struct ReplyOption<'a> {
    pub id: &'a str,
    pub author: &'a str,
}

#[derive(Serialize)]
pub struct PolicyView<'a> {
    pub url: String,
    pub title: &'a str,
    pub summary_html: &'a str,
}

/// A published comment. There is deliberately no email here: nothing a
/// template can reach holds one.
#[derive(Serialize)]
pub struct CommentView<'a> {
    pub id: &'a str,
    pub number: usize,
    /// "Anonymous" when the commenter gave no name.
    pub author: &'a str,
    pub website: Option<&'a str>,
    pub member: bool,
    pub date: DateView,
    /// The comment's permalink: its comment page's URL (the post's own,
    /// unless `per_page` splits the comments) with `#comment-<id>`.
    pub url: String,
    pub body_html: &'a str,
    pub replies: Vec<CommentView<'a>>,
}

#[derive(Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub url: String,
    pub permalink: String,
    pub date: Option<DateView>,
    pub updated: Option<DateView>,
    pub content_html: &'a str,
    pub summary_html: &'a str,
    /// Who may comment now: `closed` unless the page says otherwise.
    pub comments: CommentsMode,
    /// Published comments.
    pub comment_count: usize,
    pub extra: &'a serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
pub struct PaginatorView<'a> {
    pub items: Vec<PostView<'a>>,
    pub number: usize,
    pub total: usize,
    pub total_items: usize,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

#[derive(Serialize)]
pub struct ShareLink {
    pub name: &'static str,
    pub url: String,
}

#[derive(Serialize)]
pub struct PostLink<'a> {
    pub title: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct ArchiveMonthView<'a> {
    pub name: String,
    pub url: String,
    pub posts: Vec<ArchiveEntry<'a>>,
}

#[derive(Serialize)]
pub struct ArchiveEntry<'a> {
    pub title: &'a str,
    pub url: String,
    pub date: DateView,
    pub comment_count: usize,
}

#[derive(Serialize)]
pub struct ArchiveYearView<'a> {
    pub year: i16,
    pub url: String,
    pub count: usize,
    pub months: Vec<ArchiveMonthView<'a>>,
}

/// Builds views from the model; holds the URL prefix for sites served
/// below a path (`https://x.org/blog/`).
pub struct Views<'m> {
    pub model: &'m SiteModel,
    base_path: String,
    /// The site secret, for the comment forms' tokens; `None` in `check`.
    form_secret: Option<&'m [u8]>,
    /// Posts' and pages' text with their shortcodes rendered.
    expanded: Option<&'m super::shortcodes::Expanded>,
    /// Posts' and pages' descriptions and pictures, made once a build.
    descriptions: Option<&'m super::meta::Descriptions>,
}

impl<'m> Views<'m> {
    pub fn new(model: &'m SiteModel) -> Views<'m> {
        let base_path =
            model.config.base_url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap_or_default();
        Views {
            model,
            base_path: base_path.trim_end_matches('/').to_string(),
            form_secret: None,
            expanded: None,
            descriptions: None,
        }
    }

    /// Views whose post pages carry comment forms signed with `secret`.
    pub fn with_form_secret(mut self, secret: Option<&'m [u8]>) -> Views<'m> {
        self.form_secret = secret;
        self
    }

    /// Views that show posts and pages with their shortcodes rendered.
    pub(crate) fn with_shortcodes(mut self, expanded: &'m super::shortcodes::Expanded) -> Views<'m> {
        self.expanded = Some(expanded);
        self
    }

    /// Views that keep each post's and page's description once made.
    pub(crate) fn with_descriptions(mut self, descriptions: &'m super::meta::Descriptions) -> Views<'m> {
        self.descriptions = Some(descriptions);
        self
    }

    /// `owner`'s description and picture (`render/meta.rs`).
    pub(crate) fn described(&self, owner: Owner) -> std::borrow::Cow<'m, super::meta::Described> {
        match self.descriptions {
            Some(d) => std::borrow::Cow::Borrowed(d.of(self, owner)),
            None => std::borrow::Cow::Owned(super::meta::Described::of(self, owner)),
        }
    }

    /// Post `i`'s text and summary, shortcodes rendered.
    pub fn post_html(&self, i: usize) -> (&'m str, &'m str) {
        let p = &self.model.posts[i];
        match self.expanded.and_then(|e| e.posts.get(i)?.as_ref()) {
            Some(b) => (&b.html, &b.summary_html),
            None => (&p.content_html, &p.summary_html),
        }
    }

    /// Page `i`'s text and summary, shortcodes rendered.
    pub fn page_html(&self, i: usize) -> (&'m str, &'m str) {
        let p = &self.model.pages[i];
        match self.expanded.and_then(|e| e.pages.get(i)?.as_ref()) {
            Some(b) => (&b.html, &b.summary_html),
            None => (&p.content_html, &p.summary_html),
        }
    }

    /// The comment form of `owner`, when anyone may comment on it.
    pub fn comment_form(&self, owner: Owner) -> Option<CommentFormView<'m>> {
        if self.model.comment_mode(owner) != CommentsMode::Open {
            return None;
        }
        let c = &self.model.config.comments;
        let action = if c.intake_url.starts_with("http://") || c.intake_url.starts_with("https://") {
            c.intake_url.clone()
        } else {
            self.href(&c.intake_url)
        };
        let slug = self.model.slug_of(owner);
        let replies = self
            .model
            .thread(owner)
            .all()
            .into_iter()
            .map(|ci| {
                let comment = &self.model.comments[ci];
                let author = if comment.author.is_empty() { "Anonymous" } else { &comment.author };
                ReplyOption { id: &comment.id, author }
            })
            .collect();
        Some(CommentFormView {
            action,
            post: slug,
            token: self.form_secret.map(|s| crate::forms::form_token(s, slug)).unwrap_or_default(),
            honeypot: crate::forms::HONEYPOT_FIELD,
            max_length: self.model.config.moderation.max_length,
            replies,
            values: FormValues::default(),
            reply_mail: self.model.config.notify.replies,
        })
    }

    /// The comment policy page: its URL and summary, shown beside the form.
    pub fn policy(&self) -> Option<PolicyView<'m>> {
        let slug = &self.model.config.comments.policy_page;
        let i = self.model.pages.iter().position(|p| &p.slug == slug)?;
        let (page, url) = (&self.model.pages[i], &self.model.page_urls[i]);
        Some(PolicyView { url: self.href(url), title: &page.title, summary_html: self.page_html(i).1 })
    }

    /// A site URL (`/posts/a/`) as a link from any page.
    pub fn href(&self, url: &str) -> String {
        format!("{}{}", self.base_path, url)
    }

    /// A site URL as an absolute URL.
    pub fn absolute(&self, url: &str) -> String {
        self.model.config.absolute(url)
    }

    pub fn site(&self) -> SiteView<'m> {
        let nav = self
            .model
            .pages
            .iter()
            .zip(&self.model.page_urls)
            .map(|(p, u)| Link { title: &p.title, url: self.href(u) });
        SiteView::of_config(&self.model.config, nav.collect())
    }

    fn term_link(&self, base: &str, name: &'m str) -> TermLink<'m> {
        TermLink { name, url: self.href(&format!("{base}{}/", crate::slugs::slugify(name))), count: 0 }
    }

    pub fn terms(&self, terms: &'m [Term]) -> Vec<TermLink<'m>> {
        terms
            .iter()
            .map(|t| TermLink { name: &t.name, url: self.href(&t.url), count: t.posts.len() })
            .collect()
    }

    pub fn author(&self, id: &'m str) -> Option<AuthorView<'m>> {
        let a = self.model.config.authors.get(id)?;
        Some(AuthorView {
            id,
            name: &a.name,
            bio: &a.bio,
            website: a.url.as_deref(),
            avatar: a.avatar.as_deref(),
            url: self.href(&format!("/authors/{}/", crate::slugs::slugify(id))),
        })
    }

    /// Post `i`; with its full content only when `full`.
    pub fn post(&self, i: usize, full: bool) -> PostView<'m> {
        let p = &self.model.posts[i];
        let url = &self.model.post_urls[i];
        let (content_html, summary_html) = self.post_html(i);
        PostView {
            title: &p.title,
            slug: &p.slug,
            url: self.href(url),
            permalink: self.absolute(url),
            date: DateView::new(&p.date),
            updated: p.updated.as_ref().map(DateView::new),
            author: p.author.as_deref().and_then(|a| self.author(a)),
            category: p.category.as_deref().map(|c| self.term_link("/categories/", c)),
            tags: p.tags.iter().map(|t| self.term_link("/tags/", t)).collect(),
            reading_minutes: p.reading_minutes(),
            words: p.words,
            summary_html,
            has_more: p.has_more,
            content_html: full.then_some(content_html),
            comments: self.comments_mode(i),
            comment_count: self.model.threads[i].count,
            source: p.source.as_ref(),
            photo_credit: p.photo_credit.as_deref(),
            image: p.image.as_deref(),
            extra: &p.extra,
            draft: p.draft,
        }
    }

    /// Who may comment on post `i` at the build's time.
    pub fn comments_mode(&self, i: usize) -> CommentsMode {
        self.model.comment_modes[i]
    }

    /// The published comments of `owner`'s comment page `n`, threaded.
    pub fn comments(&self, owner: Owner, n: usize) -> Vec<CommentView<'m>> {
        let page_url = self.href(&crate::model::permalink::comment_page(self.model.url_of(owner), n));
        self.model.thread(owner).page(n).iter().map(|c| self.comment(c, &page_url)).collect()
    }

    /// `owner`'s comment section.
    pub fn discussion(&self, owner: Owner) -> DiscussionView {
        DiscussionView {
            kind: if matches!(owner, Owner::Post(_)) { "post" } else { "page" },
            comments: self.model.comment_mode(owner),
            comment_count: self.model.thread(owner).count,
        }
    }

    /// Where comment page `n` of `owner` sits; `None` when there is one.
    pub fn comment_pages(&self, owner: Owner, n: usize) -> Option<CommentPagesView> {
        let total = self.model.thread(owner).page_count();
        if total <= 1 {
            return None;
        }
        let url = |k: usize| self.href(&crate::model::permalink::comment_page(self.model.url_of(owner), k));
        Some(CommentPagesView {
            number: n,
            total,
            prev_url: (n > 1).then(|| url(n - 1)),
            next_url: (n < total).then(|| url(n + 1)),
            urls: (1..=total).map(url).collect(),
        })
    }

    fn comment(&self, node: &'m CommentNode, page_url: &str) -> CommentView<'m> {
        let c = &self.model.comments[node.comment];
        CommentView {
            id: &c.id,
            number: node.number,
            author: if c.author.is_empty() { "Anonymous" } else { &c.author },
            website: c.website.as_deref(),
            member: c.member,
            date: DateView::new(&c.date),
            url: format!("{page_url}#comment-{}", c.id),
            body_html: &c.html,
            replies: node.children.iter().map(|n| self.comment(n, page_url)).collect(),
        }
    }

    pub fn post_link(&self, i: usize) -> PostLink<'m> {
        PostLink { title: &self.model.posts[i].title, url: self.href(&self.model.post_urls[i]) }
    }

    pub fn page(&self, i: usize) -> PageView<'m> {
        let p = &self.model.pages[i];
        let url = &self.model.page_urls[i];
        let (content_html, summary_html) = self.page_html(i);
        PageView {
            title: &p.title,
            url: self.href(url),
            permalink: self.absolute(url),
            date: p.date.as_ref().map(DateView::new),
            updated: p.updated.as_ref().map(DateView::new),
            content_html,
            summary_html,
            comments: self.model.page_comment_modes[i],
            comment_count: self.model.page_threads[i].count,
            extra: &p.extra,
        }
    }

    pub fn paginator(&self, listing: &Listing) -> PaginatorView<'m> {
        PaginatorView {
            items: listing.posts.iter().map(|&i| self.post(i, false)).collect(),
            number: listing.number,
            total: listing.total,
            total_items: listing.total_posts,
            prev_url: listing.prev_url.as_deref().map(|u| self.href(u)),
            next_url: listing.next_url.as_deref().map(|u| self.href(u)),
        }
    }

    pub fn archive_year(&self, y: usize, with_posts: bool) -> ArchiveYearView<'m> {
        let year = &self.model.years[y];
        let months = year
            .months
            .iter()
            .map(|m| ArchiveMonthView {
                name: month_name(m.month).to_string(),
                url: self.href(&m.url),
                posts: if with_posts {
                    m.posts.iter().map(|&i| self.archive_entry(i)).collect()
                } else {
                    Vec::new()
                },
            })
            .collect();
        ArchiveYearView { year: year.year, url: self.href(&year.url), count: year.post_count(), months }
    }

    pub fn archive_entry(&self, i: usize) -> ArchiveEntry<'m> {
        let p = &self.model.posts[i];
        ArchiveEntry {
            title: &p.title,
            url: self.href(&self.model.post_urls[i]),
            date: DateView::new(&p.date),
            comment_count: self.model.threads[i].count,
        }
    }

    /// Plain share links: no scripts, no third-party widgets.
    pub fn share_links(&self, i: usize) -> Vec<ShareLink> {
        let title = utf8_percent_encode(&self.model.posts[i].title, NON_ALPHANUMERIC).to_string();
        let url = utf8_percent_encode(&self.absolute(&self.model.post_urls[i]), NON_ALPHANUMERIC).to_string();
        vec![
            ShareLink { name: "Email", url: format!("mailto:?subject={title}&body={url}") },
            ShareLink { name: "Mastodon", url: format!("https://mastodonshare.com/?text={title}&url={url}") },
            ShareLink {
                name: "LinkedIn",
                url: format!("https://www.linkedin.com/sharing/share-offsite/?url={url}"),
            },
            ShareLink {
                name: "Facebook",
                url: format!("https://www.facebook.com/sharer/sharer.php?u={url}"),
            },
            ShareLink { name: "X", url: format!("https://x.com/intent/post?text={title}&url={url}") },
        ]
    }
}

pub fn month_name(month: i8) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES.get((month as usize).wrapping_sub(1)).copied().unwrap_or("")
}
