//! What search engines and link previews read: each page's description,
//! OpenGraph and Twitter card values, `rel=prev/next`, and a post's
//! JSON-LD (`BlogPosting` with its published comments, `BreadcrumbList`).
//!
//! A post's or page's description and picture are made at most once a
//! build, the first time a page needs them, from the HTML `parse` (and the
//! shortcodes) already made: the summary's text through html5ever's
//! tokenizer (entities decoded), and the first `<img>` of the text.

use std::cell::{Cell, RefCell};
use std::sync::OnceLock;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, CharacterTokens, EndTag, StartTag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer,
    TokenizerOpts,
};
use serde::Serialize;
use serde_json::{Value, json};

use super::view::Views;
use crate::model::{Owner, SiteModel};

/// Characters a description aims for: what search results show.
pub const DESCRIPTION_LENGTH: usize = 160;

/// A post's or page's description and picture.
#[derive(Debug, Clone, Default)]
pub(crate) struct Described {
    pub description: String,
    /// Absolute: the front matter's `image`, else the text's first image.
    pub image: Option<String>,
}

/// Each post's and page's `Described`, made on first use.
pub(crate) struct Descriptions {
    posts: Vec<OnceLock<Described>>,
    pages: Vec<OnceLock<Described>>,
}

impl Descriptions {
    pub(crate) fn new(model: &SiteModel) -> Descriptions {
        let cells = |n: usize| (0..n).map(|_| OnceLock::new()).collect();
        Descriptions { posts: cells(model.posts.len()), pages: cells(model.pages.len()) }
    }

    pub(crate) fn of(&self, views: &Views, owner: Owner) -> &Described {
        let cell = match owner {
            Owner::Post(i) => &self.posts[i],
            Owner::Page(i) => &self.pages[i],
        };
        cell.get_or_init(|| Described::of(views, owner))
    }
}

impl Described {
    /// `owner`'s description and picture, made now.
    pub(crate) fn of(views: &Views, owner: Owner) -> Described {
        let model = views.model;
        match owner {
            Owner::Post(i) => {
                let p = &model.posts[i];
                let (content, summary) = views.post_html(i);
                let base = views.absolute(&model.post_urls[i]);
                let image = p
                    .image
                    .as_deref()
                    .and_then(|src| resolve(src, &base))
                    .or_else(|| first_image(content, &base));
                Described { description: describe(&plain_text(summary), &p.title), image }
            }
            Owner::Page(i) => {
                let (content, summary) = views.page_html(i);
                let base = views.absolute(&model.page_urls[i]);
                let description = describe(&plain_text(summary), &model.pages[i].title);
                Described { description, image: first_image(content, &base) }
            }
        }
    }
}

/// The text of `summary` cut near `DESCRIPTION_LENGTH`, else `title`.
fn describe(text: &str, title: &str) -> String {
    let cut = cut_description(text, DESCRIPTION_LENGTH);
    if cut.is_empty() { title.trim().to_string() } else { cut }
}

/// `html`'s text: tags dropped, entities decoded, whitespace collapsed;
/// blocks (paragraphs, list items, line breaks) apart by a space.
pub fn plain_text(html: &str) -> String {
    let sink = TextSink::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let raw = tokenizer.sink.text.take();
    collapse_whitespace(&raw)
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Elements whose start or end separates words.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Collects text; skips what no reader sees (`script`, `style`,
/// `template`, `noscript`).
#[derive(Default)]
struct TextSink {
    text: RefCell<String>,
    hidden: Cell<u32>,
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            CharacterTokens(t) if self.hidden.get() == 0 => self.text.borrow_mut().push_str(&t),
            TagToken(tag) => {
                let name: &str = &tag.name;
                let raw = match name {
                    "script" => Some(RawKind::ScriptData),
                    "style" | "noscript" => Some(RawKind::Rawtext),
                    "template" => None,
                    _ => {
                        if BLOCKS.contains(&name) {
                            self.text.borrow_mut().push(' ');
                        }
                        return TokenSinkResult::Continue;
                    }
                };
                match tag.kind {
                    StartTag if !tag.self_closing => {
                        self.hidden.set(self.hidden.get() + 1);
                        if let Some(kind) = raw {
                            return TokenSinkResult::RawData(kind);
                        }
                    }
                    EndTag => self.hidden.set(self.hidden.get().saturating_sub(1)),
                    StartTag => {}
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// `text` cut at a sentence's end near `max` characters (not before half
/// of it), else after the last whole word that fits, with "…".
pub fn cut_description(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    // Byte offsets of the first `max` characters and of the one after.
    let end = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    let min = text.char_indices().nth(max / 2).map_or(0, |(i, _)| i);
    let sentence_end = head
        .char_indices()
        .filter(|&(i, c)| {
            matches!(c, '.' | '!' | '?' | '…')
                && i >= min
                && text[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(|n| n.is_whitespace() || n == '"' || n == '”' || n == ')')
        })
        .map(|(i, c)| i + c.len_utf8())
        .next_back();
    if let Some(at) = sentence_end {
        return text[..at].to_string();
    }
    // Leave room for the "…"; cut before the word the limit falls in.
    let room = text.char_indices().nth(max - 1).map_or(text.len(), |(i, _)| i);
    let cut = match text[room..].chars().next() {
        Some(c) if c.is_whitespace() => room,
        _ => text[..room].rfind(char::is_whitespace).unwrap_or(room),
    };
    let kept = text[..cut]
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '—'));
    format!("{kept}…")
}

/// The first `<img>`'s `src` in `html`, absolute against `base`; only
/// http(s) pictures count, and no SVG (link previews do not show it).
pub fn first_image(html: &str, base: &str) -> Option<String> {
    let mut from = 0;
    // A few tries: a tag cut off by the window, or one without `src`.
    for _ in 0..8 {
        let at = from + find_img(&html[from..])?;
        let mut end = (at + 4096).min(html.len());
        while !html.is_char_boundary(end) {
            end -= 1;
        }
        let sink = ImageSink::default();
        let input = BufferQueue::default();
        input.push_back(StrTendril::from_slice(&html[at..end]));
        let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
        let _ = tokenizer.feed(&input);
        tokenizer.end();
        let url = tokenizer.sink.src.take().and_then(|src| resolve(&src, base));
        if let Some(url) = url.filter(|u| !is_svg(u)) {
            return Some(url);
        }
        from = at + 4;
    }
    None
}

fn is_svg(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.path().to_ascii_lowercase().ends_with(".svg"))
}

/// Where the next `<img` tag starts, in any case.
fn find_img(html: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(i) = html[from..].find('<') {
        let at = from + i;
        if bytes.len() >= at + 5
            && bytes[at + 1..at + 4].eq_ignore_ascii_case(b"img")
            && matches!(bytes[at + 4], b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>')
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Takes the first tag's `src`, when it is an `img`.
#[derive(Default)]
struct ImageSink {
    src: RefCell<Option<String>>,
    done: Cell<bool>,
}

impl TokenSink for ImageSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let TagToken(tag) = token
            && !self.done.replace(true)
            && &*tag.name == "img"
            && tag.kind == StartTag
        {
            let src = tag.attrs.iter().find(|a| &*a.name.local == "src").map(|a| a.value.trim().to_string());
            *self.src.borrow_mut() = src.filter(|s| !s.is_empty());
        }
        TokenSinkResult::Continue
    }
}

/// `src` made absolute against the page at `base`; `None` unless it is an
/// http(s) URL then.
fn resolve(src: &str, base: &str) -> Option<String> {
    let url = url::Url::parse(base).ok()?.join(src.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// The site's own picture (`image` in site.toml), absolute.
pub(crate) fn site_image(model: &SiteModel) -> Option<String> {
    let image = model.config.image.as_deref()?.trim();
    if image.starts_with("https://") || image.starts_with("http://") {
        return url::Url::parse(image).ok().map(String::from);
    }
    let path = format!("/{}", image.trim_start_matches('/'));
    resolve(&model.config.absolute(&path), &model.config.root_url())
}

/// `og:locale` from `<html lang>`: `en-us` is `en_US`.
fn locale(language: &str) -> String {
    match language.split_once(['-', '_']) {
        Some((lang, region)) => format!("{}_{}", lang.to_ascii_lowercase(), region.to_ascii_uppercase()),
        None => language.to_ascii_lowercase(),
    }
}

/// What every page's `<head>` says about it: `meta` in the templates.
#[derive(Serialize, Debug)]
pub struct MetaView {
    /// `<meta name="description">`, `og:description`, `twitter:description`.
    pub description: String,
    /// `og:title`: the post's or page's own title, without the site's.
    pub title: String,
    /// `og:url`: the page's absolute URL.
    pub url: String,
    /// `article` for a post, else `website`.
    pub og_type: &'static str,
    pub site_name: String,
    pub locale: String,
    /// Absolute; the page's own, else the site's `image`.
    pub image: Option<String>,
    /// `summary_large_image` with a picture, else `summary`.
    pub twitter_card: &'static str,
    /// A post's `article:*` values.
    pub article: Option<ArticleMeta>,
    /// JSON-LD documents, each safe inside `<script type="application/ld+json">`
    /// (`<`, `>` and `&` written as `\u003c` and so on): output with `| safe`.
    pub json_ld: Vec<String>,
    /// Absolute URLs of the previous and next page of a paginated list.
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct ArticleMeta {
    pub published_time: String,
    pub modified_time: Option<String>,
    /// The author's page on this site, absolute.
    pub author: Option<String>,
    pub section: Option<String>,
    pub tags: Vec<String>,
}

impl MetaView {
    /// A page that is not a post: `website`, with the site's picture.
    pub(crate) fn website(model: &SiteModel, title: &str, url: String, description: String) -> MetaView {
        let image = site_image(model);
        MetaView {
            description,
            title: title.to_string(),
            url,
            og_type: "website",
            site_name: model.config.title.clone(),
            locale: locale(&model.config.language),
            twitter_card: if image.is_some() { "summary_large_image" } else { "summary" },
            image,
            article: None,
            json_ld: Vec::new(),
            prev_url: None,
            next_url: None,
        }
    }

    fn with_image(mut self, image: Option<&String>) -> MetaView {
        if let Some(image) = image {
            self.image = Some(image.clone());
            self.twitter_card = "summary_large_image";
        }
        self
    }

    /// Post `i`'s page (comment page `n`): `article`, and on its own page
    /// (`n == 1`) its JSON-LD.
    pub(crate) fn post(views: &Views, described: &Described, i: usize, n: usize, url: String) -> MetaView {
        let model = views.model;
        let p = &model.posts[i];
        let mut meta = MetaView::website(model, &p.title, url, described.description.clone())
            .with_image(described.image.as_ref());
        meta.og_type = "article";
        meta.article = Some(ArticleMeta {
            published_time: p.date.rfc3339(),
            modified_time: p.updated.as_ref().map(|d| d.rfc3339()),
            author: p
                .author
                .as_ref()
                .filter(|a| model.config.authors.contains_key(*a))
                .map(|a| author_url(views, a)),
            section: p.category.clone(),
            tags: p.tags.clone(),
        });
        if n == 1 {
            meta.json_ld = vec![
                script_json(&blog_posting(views, described, i, &meta)),
                script_json(&breadcrumbs(views, i)),
            ];
        }
        meta
    }

    /// Page `i`'s page.
    pub(crate) fn page(views: &Views, described: &Described, i: usize, url: String) -> MetaView {
        let model = views.model;
        MetaView::website(model, &model.pages[i].title, url, described.description.clone())
            .with_image(described.image.as_ref())
    }

    /// `rel=prev` and `rel=next`, from site URLs.
    pub(crate) fn with_neighbours(
        mut self,
        views: &Views,
        prev: Option<&str>,
        next: Option<&str>,
    ) -> MetaView {
        self.prev_url = prev.map(|u| views.absolute(u));
        self.next_url = next.map(|u| views.absolute(u));
        self
    }
}

fn author_url(views: &Views, id: &str) -> String {
    views.absolute(&format!("/authors/{}/", crate::slugs::slugify(id)))
}

/// JSON that cannot end the `<script>` element it stands in, nor start a
/// comment or a character reference: `<`, `>` and `&` as `\u` escapes
/// (only ever inside strings, so the JSON means the same), and the two
/// line separators JavaScript once refused.
pub fn script_json(value: &Value) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// schema.org's `BlogPosting` for post `i`, with its published comments.
fn blog_posting(views: &Views, described: &Described, i: usize, meta: &MetaView) -> Value {
    let model = views.model;
    let p = &model.posts[i];
    let permalink = views.absolute(&model.post_urls[i]);
    let mut post = json!({
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": p.title,
        "description": described.description,
        "url": permalink,
        "mainEntityOfPage": {"@type": "WebPage", "@id": permalink},
        "datePublished": p.date.rfc3339(),
        "dateModified": p.updated.as_ref().unwrap_or(&p.date).rfc3339(),
        "inLanguage": model.config.language,
        "publisher": {"@type": "Organization", "name": model.config.title, "url": model.config.root_url()},
    });
    let Value::Object(fields) = &mut post else { return post };
    if let Some(id) = &p.author
        && let Some(author) = model.config.authors.get(id)
    {
        fields.insert(
            "author".into(),
            json!({"@type": "Person", "name": author.name, "url": author_url(views, id)}),
        );
    }
    if let Some(image) = &meta.image {
        fields.insert("image".into(), json!(image));
    }
    if !p.tags.is_empty() {
        fields.insert("keywords".into(), json!(p.tags));
    }
    if let Some(category) = &p.category {
        fields.insert("articleSection".into(), json!(category));
    }
    let owner = Owner::Post(i);
    let thread = model.thread(owner);
    fields.insert("commentCount".into(), json!(thread.count));
    let comments: Vec<Value> = (1..=thread.page_count())
        .flat_map(|n| {
            let page_url = views.absolute(&crate::model::permalink::comment_page(&model.post_urls[i], n));
            let mut on_page = Vec::new();
            let mut todo: Vec<_> = thread.page(n).iter().rev().collect();
            while let Some(node) = todo.pop() {
                let c = &model.comments[node.comment];
                on_page.push(json!({
                    "@type": "Comment",
                    "author": {"@type": "Person", "name": if c.author.is_empty() { "Anonymous" } else { &c.author }},
                    "dateCreated": c.date.rfc3339(),
                    "text": plain_text(&c.html),
                    "url": format!("{page_url}#comment-{}", c.id),
                }));
                todo.extend(node.children.iter().rev());
            }
            on_page
        })
        .collect();
    if !comments.is_empty() {
        fields.insert("comment".into(), Value::Array(comments));
    }
    post
}

/// Home > category > post.
fn breadcrumbs(views: &Views, i: usize) -> Value {
    let model = views.model;
    let p = &model.posts[i];
    let mut trail = vec![(model.config.title.clone(), model.config.root_url())];
    if let Some(category) = &p.category {
        trail.push((
            category.clone(),
            views.absolute(&format!("/categories/{}/", crate::slugs::slugify(category))),
        ));
    }
    trail.push((p.title.clone(), views.absolute(&model.post_urls[i])));
    let items: Vec<Value> = trail
        .into_iter()
        .enumerate()
        .map(|(k, (name, url))| json!({"@type": "ListItem", "position": k + 1, "name": name, "item": url}))
        .collect();
    json!({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_tags_decodes_entities_and_collapses_space() {
        let html = "<p>Fish &amp; chips,\n  <em>really</em>&nbsp;cheap &lt;3</p><p>Next<br>line</p><script>var x = '<p>no</p>';</script><style>p{}</style>";
        assert_eq!(plain_text(html), "Fish & chips, really cheap <3 Next line");
        assert_eq!(plain_text("un<em>believ</em>able"), "unbelievable");
        assert_eq!(plain_text(""), "");
    }

    #[test]
    fn a_description_ends_at_a_sentence_near_the_limit() {
        let short = "One short sentence.";
        assert_eq!(cut_description(short, 160), short);
        let a = "The refund took nine weeks and four phone calls, each one starting from the beginning. ";
        let b = "Then a letter arrived saying the account had been closed for inactivity, which it had not.";
        let text = format!("{a}{b} And more.");
        assert_eq!(cut_description(&text, 160), a.trim());
    }

    #[test]
    fn without_a_sentence_end_a_description_ends_at_a_word() {
        let text = "word ".repeat(60);
        let cut = cut_description(&text, 160);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= 160, "{}", cut.chars().count());
        let long = "x".repeat(300);
        let cut = cut_description(&long, 160);
        assert_eq!(cut.chars().count(), 160);
        let accents = "é".repeat(200);
        assert_eq!(cut_description(&accents, 10).chars().count(), 10);
    }

    #[test]
    fn the_first_image_is_made_absolute() {
        let base = "https://blog.example.org/posts/trip/";
        let html = r#"<p>Hi</p><p><IMG alt="a > b" src="map.png"></p><img src="second.png">"#;
        assert_eq!(first_image(html, base).as_deref(), Some("https://blog.example.org/posts/trip/map.png"));
        assert_eq!(
            first_image(r#"<img alt="none"><img src="/b.png">"#, base).as_deref(),
            Some("https://blog.example.org/b.png")
        );
        assert_eq!(first_image(r#"<img src="javascript:alert(1)">"#, base), None);
        assert_eq!(
            first_image(r#"<img src="a.SVG?v=1"><img src="b.png">"#, base).as_deref(),
            Some("https://blog.example.org/posts/trip/b.png")
        );
        assert_eq!(first_image("<p>&lt;img src=x&gt;</p><imgur>", base), None);
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = json!({"text": "</script><script>alert(1)</script> & <!--"});
        let out = script_json(&v);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'), "{out}");
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), v);
    }

    #[test]
    fn locales_follow_the_language() {
        assert_eq!(locale("en-us"), "en_US");
        assert_eq!(locale("de"), "de");
    }
}
