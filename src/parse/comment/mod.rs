//! Comment files: `content/comments/<post-slug>/<id>.md`. Front matter as
//! PRODUCT.md gives it; the body is restricted Markdown (paragraphs,
//! emphasis, links, inline code, quotes, lists), rendered and then cleaned
//! by a real HTML sanitiser as a second fence.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
use serde::Deserialize;

use super::date::{DateInput, PostDate};
use super::front_matter;
use crate::diag::{Diagnostic, Location, key_location, unknown_key_help};

pub const KNOWN_KEYS: &[&str] =
    &["id", "author", "email", "website", "date", "reply_to", "member", "status", "moderation"];
const MODERATION_KEYS: &[&str] = &["verdict", "rules", "at", "reason", "by"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Approved,
    Rejected,
    Spam,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "pending" => Some(Status::Pending),
            "approved" => Some(Status::Approved),
            "rejected" => Some(Status::Rejected),
            "spam" => Some(Status::Spam),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Spam => "spam",
        }
    }
}

/// What `parlor moderate --apply` or a moderator recorded.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ModerationRecord {
    pub verdict: Option<String>,
    #[serde(default)]
    pub rules: Vec<String>,
    pub at: Option<DateInput>,
    pub reason: Option<String>,
    pub by: Option<String>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
struct CommentFront {
    id: Option<String>,
    #[serde(default)]
    author: Option<String>,
    email: Option<String>,
    website: Option<String>,
    date: Option<DateInput>,
    reply_to: Option<String>,
    #[serde(default)]
    member: bool,
    status: Option<String>,
    moderation: Option<Box<ModerationRecord>>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    /// Relative to the site root.
    pub path: PathBuf,
    /// The post it belongs to: the name of the folder it is in.
    pub post_slug: String,
    pub id: String,
    /// Empty when the commenter gave no name; shown as "Anonymous".
    pub author: String,
    /// Never published: kept for the moderator and for `first_comment`.
    pub email: Option<String>,
    pub website: Option<String>,
    pub date: PostDate,
    pub reply_to: Option<String>,
    pub member: bool,
    pub status: Status,
    /// Boxed: most comments have none, and a build holds every comment.
    pub moderation: Option<Box<ModerationRecord>>,
    /// The Markdown body exactly as in the file. (The file's text is not
    /// kept: the moderator rewrites from the file itself, and a diagnostic
    /// found later reads it again.)
    pub body: String,
    /// The 1-based line of `reply_to:`, for diagnostics found later.
    pub reply_to_line: usize,
    /// The sanitised body; rendered by the build for approved comments only.
    pub html: String,
    /// A hash of the file's text: what changed and what did not.
    pub fingerprint: u128,
}

use crate::load::CommentSource;

mod write;
pub use write::{Decision, NewComment, Recorded, rewrite};

pub fn parse(source: CommentSource) -> Result<Comment, Vec<Diagnostic>> {
    let CommentSource { path, post_slug, stem, text } = source;
    let with_path = |d: Diagnostic| Diagnostic { path: path.clone(), ..d };
    let split = front_matter::split(&text).map_err(|d| vec![with_path(d)])?;
    let region_end = split.front_offset + split.front.len();
    let (front, unknown) =
        front_matter::deserialize::<CommentFront>(&text, &split).map_err(|d| vec![with_path(d)])?;
    let region = &text[..region_end];
    let error = |key: &str, message: String, help: &str| {
        Diagnostic::error(&path, message).at(&text, key_location(region, key)).with_help(help)
    };
    let mut errors: Vec<Diagnostic> = unknown
        .iter()
        .map(|p| {
            let (key, known) = match p.split_once('.') {
                Some(("moderation", k)) => (k, MODERATION_KEYS),
                _ => (p.as_str(), KNOWN_KEYS),
            };
            Diagnostic::error(&path, format!("unknown comment key `{p}`"))
                .at(&text, key_location(region, key))
                .with_help(unknown_key_help(key, known))
        })
        .collect();
    let id = front.id.clone().unwrap_or_else(|| stem.clone());
    if front.id.is_none() {
        errors.push(
            Diagnostic::error(&path, "missing `id`")
                .at(&text, Location::at_line(&text, 1))
                .with_help(format!("add `id: {stem}` (a comment file is named `<id>.md`)")),
        );
    } else if id != stem {
        errors.push(error(
            "id",
            format!("`id: {id}` does not match the file name `{stem}.md`"),
            "rename the file to `<id>.md`, or fix the id",
        ));
    }
    let date = match &front.date {
        Some(d) => PostDate::parse(&d.0)
            .map_err(|m| {
                errors.push(error("date", format!("bad `date`: {m}"), "e.g. `date: 2011-06-10T12:00:00Z`"))
            })
            .ok(),
        None => {
            errors.push(
                Diagnostic::error(&path, "missing `date`")
                    .at(&text, Location::at_line(&text, 1))
                    .with_help("add `date: 2011-06-10T12:00:00Z`"),
            );
            None
        }
    };
    let status = match front.status.as_deref() {
        None => Some(Status::Pending),
        Some(s) => Status::parse(s).or_else(|| {
            errors.push(error(
                "status",
                format!("unknown status `{s}`"),
                "use `pending`, `approved`, `rejected` or `spam`",
            ));
            None
        }),
    };
    if let Some(site) = &front.website
        && !(site.starts_with("http://") || site.starts_with("https://"))
    {
        errors.push(error(
            "website",
            format!("`website` must be an http(s) URL, found `{site}`"),
            "e.g. `website: https://example.org/`",
        ));
    }
    let (Some(date), Some(status), true) = (date, status, errors.is_empty()) else {
        return Err(errors);
    };
    let reply_to_line = key_location(region, "reply_to").line;
    Ok(Comment {
        body: split.body.to_string(),
        path,
        post_slug,
        id,
        author: front.author.unwrap_or_default().trim().to_string(),
        email: front.email.filter(|e| !e.trim().is_empty()),
        website: front.website.filter(|w| !w.trim().is_empty()),
        date,
        reply_to: front.reply_to.filter(|r| !r.trim().is_empty()),
        member: front.member,
        status,
        moderation: front.moderation,
        reply_to_line,
        fingerprint: super::fingerprint(&text),
        html: String::new(),
    })
}

/// A comment body as safe HTML: restricted Markdown first (raw HTML shown
/// as text, images as their alt text, headings as paragraphs), then
/// ammonia, which allows only those elements, only http(s) and mailto
/// links, and gives every link `rel="nofollow ugc noopener"`.
pub fn render_body(markdown: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Heading { .. }) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::Heading(_)) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell) => None,
        Event::End(TagEnd::Table | TagEnd::TableHead | TagEnd::TableRow | TagEnd::TableCell) => None,
        Event::Rule => None,
        other => Some(other),
    });
    let mut unsafe_html = String::with_capacity(markdown.len() + markdown.len() / 4);
    html::push_html(&mut unsafe_html, events);
    unwrap_anchors_without_href(sanitizer().clean(&unsafe_html).to_string())
}

/// `html` (ammonia's output) with each `<a>` whose link the sanitiser
/// dropped (a scheme it refuses, a relative link) replaced by its text:
/// an anchor without `href` is not valid HTML. Ammonia writes every
/// attribute value in double quotes and never nests anchors.
fn unwrap_anchors_without_href(html: String) -> String {
    if !html.contains("<a ") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<a ") {
        out.push_str(&rest[..start]);
        let tag_len = tag_length(&rest[start..]);
        let tag = &rest[start..start + tag_len];
        rest = &rest[start + tag_len..];
        if tag.contains(" href=\"") {
            out.push_str(tag);
            continue;
        }
        let end = rest.find("</a>").unwrap_or(rest.len());
        out.push_str(&rest[..end]);
        rest = rest.get(end + "</a>".len()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The length of the start tag at the beginning of `html`, `>` included;
/// a `>` inside a quoted attribute value does not end it.
fn tag_length(html: &str) -> usize {
    let mut quoted = false;
    for (i, c) in html.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return i + 1,
            _ => {}
        }
    }
    html.len()
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let tags: HashSet<&str> =
            ["p", "br", "em", "strong", "del", "a", "code", "pre", "blockquote", "ul", "ol", "li"].into();
        let mut attributes = HashMap::new();
        attributes.insert("a", HashSet::from(["href"]));
        attributes.insert("ol", HashSet::from(["start"]));
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(tags)
            .tag_attributes(attributes)
            // Spelled out: `empty()` keeps ammonia's default of these two.
            .generic_attributes(HashSet::from(["title", "lang"]))
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some("nofollow ugc noopener"));
        builder
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_17_a_link_the_sanitiser_drops_leaves_its_text_not_an_anchor_without_href() {
        let html = render_body(
            "[x](javascript:alert(1)) [y](/relative) [t](ftp://a.example \"a>b\") [z](https://ok.example \"a>b\") <https://auto.example>",
        );
        let anchors = html.matches("<a ").count();
        assert_eq!(anchors, 2, "{html}");
        assert_eq!(html.matches(" href=\"").count(), 2, "every anchor keeps its link: {html}");
        assert_eq!(html.matches("</a>").count(), 2, "{html}");
        for text in ["x", "y", "t", "z"] {
            assert!(
                html.contains(&format!(">{text}</a>")) || html.contains(&format!("{text} ")),
                "{text}: {html}"
            );
        }
        assert!(html.contains("title=\"a&gt;b\"") || html.contains("title=\"a>b\""), "{html}");
    }

    fn source(text: &str) -> CommentSource {
        CommentSource {
            path: "content/comments/a-post/c1.md".into(),
            post_slug: "a-post".into(),
            stem: "c1".into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_full_comment_parses() {
        let c = parse(source(
            "---\nid: c1\nauthor: Linda\nemail: l@example.org\nwebsite: https://example.org/a\ndate: 2011-06-10T12:00:00Z\nreply_to: c0\nstatus: approved\nmoderation: { verdict: reject, rules: [too_many_links], at: 2011-06-10T12:05:00Z }\n---\nHello *there*.\n",
        ))
        .unwrap();
        assert_eq!(c.author, "Linda");
        assert_eq!(c.status, Status::Approved);
        assert_eq!(c.reply_to.as_deref(), Some("c0"));
        assert_eq!(c.reply_to_line, 7);
        assert_eq!(c.body, "Hello *there*.\n");
        assert_eq!(c.moderation.unwrap().rules, ["too_many_links"]);
    }

    #[test]
    fn problems_name_the_line() {
        let errs = parse(source("---\nid: c2\ndate: soon\nstatus: maybe\nemial: x\n---\nHi\n")).unwrap_err();
        let lines: Vec<(usize, &str)> =
            errs.iter().map(|d| (d.location.as_ref().unwrap().line, d.message.as_str())).collect();
        assert!(lines.iter().any(|(l, m)| *l == 5 && m.contains("emial")), "{lines:?}");
        assert!(lines.iter().any(|(l, m)| *l == 2 && m.contains("does not match")), "{lines:?}");
        assert!(lines.iter().any(|(l, m)| *l == 3 && m.contains("bad `date`")), "{lines:?}");
        assert!(lines.iter().any(|(l, m)| *l == 4 && m.contains("unknown status")), "{lines:?}");
        assert_eq!(
            errs.iter().find(|d| d.message.contains("emial")).unwrap().help.as_deref(),
            Some("did you mean `email`?")
        );
    }

    #[test]
    fn bodies_are_inert() {
        let cases = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](&#106;avascript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
            "<a href=\"javascript:alert(1)\">x</a>",
            "![alt](http://x.org/i.png)",
            "<iframe src=//evil></iframe>",
            "<svg onload=alert(1)>",
        ];
        for case in cases {
            let html = render_body(case);
            assert_inert(&html, case);
        }
        assert!(render_body("<script>x</script>").contains("&lt;script&gt;"));
    }

    /// Checks the parsed DOM: only allowed elements, no event handlers, and
    /// links only to http(s) and mailto.
    fn assert_inert(html: &str, case: &str) {
        const ALLOWED: &[&str] = &[
            "html",
            "head",
            "body",
            "p",
            "br",
            "em",
            "strong",
            "del",
            "a",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
        ];
        let dom = scraper::Html::parse_fragment(html);
        for node in dom.tree.nodes() {
            let Some(el) = node.value().as_element() else { continue };
            assert!(ALLOWED.contains(&el.name()), "{case}: <{}> in {html}", el.name());
            for (name, value) in el.attrs() {
                assert!(!name.starts_with("on"), "{case}: {name} in {html}");
                if name == "href" {
                    let v = value.to_ascii_lowercase();
                    assert!(
                        v.starts_with("http://") || v.starts_with("https://") || v.starts_with("mailto:"),
                        "{case}: {html}"
                    );
                }
            }
        }
    }

    #[test]
    fn links_get_rel_and_allowed_markup_survives() {
        let html = render_body("# Big\n\n*em* **strong** `code` [a](https://x.org/a)\n\n> quote\n\n- item\n");
        assert!(html.contains("<a href=\"https://x.org/a\" rel=\"nofollow ugc noopener\">a</a>"), "{html}");
        for tag in ["<em>", "<strong>", "<code>", "<blockquote>", "<li>"] {
            assert!(html.contains(tag), "{tag} in {html}");
        }
        assert!(!html.contains("<h1"), "{html}");
        assert!(html.contains("<p>Big</p>"), "{html}");
    }
}
