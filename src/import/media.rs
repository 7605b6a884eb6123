//! WordPress's media in a post, as the site's shortcodes: galleries
//! (`[gallery]`, `<!-- wp:gallery -->`), images with captions (`[caption]`,
//! `<figure>` with a `<figcaption>`), embeds (`[embed]`, a video address on
//! a line of its own, `<!-- wp:embed -->`, a YouTube or Vimeo frame),
//! `[audio]`/`<audio>` and `[video]`/`<video>`; and the widget blocks
//! (`<!-- wp:archives /-->` and the like), which WordPress filled in when it
//! showed the page and the export holds nothing of: left out, and named.
//!
//! Each call made here stands in the HTML as a token in a paragraph of its
//! own (`PARLORCALL3X`) until the Markdown is written; a gallery that needs
//! the export's attachments (which may come after the post) stands as
//! `PARLORGALLERY0X` until the whole export has been read. Every argument
//! is written by `call`, escaped, so no text of the export can end the
//! string it is in.

use std::rc::Rc;
use std::sync::OnceLock;

use markup5ever_rcdom::{Node, NodeData};
use regex::{Captures, Regex};

/// What the conversion of one post found.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// Each call's text, for the token `PARLORCALL{i}X`.
    pub calls: Vec<String>,
    /// Each gallery to resolve from the attachments, for `PARLORGALLERY{i}X`.
    pub galleries: Vec<GalleryRef>,
    /// The widget and theme blocks left out (`widget block \`archives\``).
    pub widgets: Vec<String>,
}

/// Which attachments a `[gallery]` shows.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum GalleryRef {
    /// `ids="1,2,3"` (or `include=`), in that order.
    Ids(Vec<u64>),
    /// No ids: the images attached to the post.
    Attached,
}

impl Found {
    /// The token that stands for `call` until the Markdown is written.
    fn call(&mut self, call: String) -> String {
        self.calls.push(call);
        format!("\n\n<p>PARLORCALL{}X</p>\n\n", self.calls.len() - 1)
    }

    fn gallery(&mut self, gallery: GalleryRef) -> String {
        self.galleries.push(gallery);
        format!("\n\n<p>PARLORGALLERY{}X</p>\n\n", self.galleries.len() - 1)
    }
}

/// A shortcode call's argument value.
pub(super) enum Value<'a> {
    Str(&'a str),
    Int(u64),
    List(&'a [String]),
}

/// `{{ name(key="value", …) }}`, each string escaped as the shortcode
/// parser reads it (`\"`, `\\`, `\n`, `\t`); other control characters
/// become spaces. Nothing in a value can close the string, so nothing can
/// close the call.
pub(super) fn call(name: &str, args: &[(&str, Value)]) -> String {
    let mut out = format!("{{{{ {name}(");
    for (i, (key, value)) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(key);
        out.push('=');
        match value {
            Value::Str(s) => quote(&mut out, s),
            Value::Int(n) => out.push_str(&n.to_string()),
            Value::List(items) => {
                out.push('[');
                for (j, item) in items.iter().enumerate() {
                    if j > 0 {
                        out.push_str(", ");
                    }
                    quote(&mut out, item);
                }
                out.push(']');
            }
        }
    }
    out.push_str(") }}");
    out
}

fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether an address from the export may go into a call: a web address
/// or a path (no scheme). Anything else would make the build refuse the
/// call (`javascript:`), so the media is left out.
fn web(address: &str) -> bool {
    let a = address.trim().to_ascii_lowercase();
    if a.is_empty() || a.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    a.starts_with("https://") || a.starts_with("http://") || a.starts_with("//") || !a.contains(':')
}

/// The block editor's dynamic blocks: WordPress made their content when it
/// showed the page (a list of archives, a calendar, a search form); the
/// export holds only the block's name and settings. First the widgets,
/// then the blocks a theme is made of.
const WIDGETS: &[&str] = &[
    "archives",
    "calendar",
    "categories",
    "latest-comments",
    "latest-posts",
    "loginout",
    "page-list",
    "rss",
    "search",
    "social-links",
    "tag-cloud",
];
const THEME_BLOCKS: &[&str] = &[
    "avatar",
    "comments",
    "navigation",
    "post-author",
    "post-author-biography",
    "post-comments",
    "post-comments-form",
    "post-date",
    "post-excerpt",
    "post-featured-image",
    "post-navigation-link",
    "post-terms",
    "post-title",
    "query",
    "query-title",
    "read-more",
    "site-logo",
    "site-tagline",
    "site-title",
    "term-description",
];

/// The block comments: widget blocks removed (and named), embed blocks and
/// gallery blocks made calls.
pub(super) fn blocks(html: &str, found: &mut Found) -> String {
    static OPEN: OnceLock<Regex> = OnceLock::new();
    let open = OPEN
        .get_or_init(|| Regex::new(r"<!--\s*wp:([a-z0-9_/-]+)\s*(\{.*?\})?\s*(/)?-->").expect("valid regex"));
    if !html.contains("wp:") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(c) = open.captures_at(html, from) {
        let whole = c.get(0).expect("a match");
        let raw_name = &c[1];
        let name = raw_name.strip_prefix("core/").unwrap_or(raw_name);
        let json = c.get(2).map_or("", |m| m.as_str());
        let self_closing = c.get(3).is_some();
        // The block's inner HTML, and where it ends.
        let (inner, end) = if self_closing {
            ("", whole.end())
        } else {
            let close = format!("<!-- /wp:{raw_name} -->");
            match html[whole.end()..].find(&close) {
                Some(i) => (&html[whole.end()..whole.end() + i], whole.end() + i + close.len()),
                None => ("", whole.end()),
            }
        };
        let replacement = if WIDGETS.contains(&name) {
            found.widgets.push(format!("widget block `{name}`"));
            Some(String::new())
        } else if THEME_BLOCKS.contains(&name) {
            found.widgets.push(format!("theme block `{name}`"));
            Some(String::new())
        } else if name == "embed" || name.starts_with("core-embed/") {
            let url = json_str(json, "url").unwrap_or_else(|| embed_wrapper_url(inner));
            let doc = parse(inner);
            let caption = first(&doc, "figcaption").map(|f| text(&f)).filter(|t| !t.is_empty());
            Some(embed(&url, caption.as_deref(), found))
        } else if name == "gallery" {
            Some(block_gallery(inner, json, found))
        } else {
            None
        };
        match replacement {
            Some(r) => {
                out.push_str(&html[last..whole.start()]);
                out.push_str(&r);
                last = end;
                from = end;
            }
            None => from = whole.end(),
        }
    }
    out.push_str(&html[last..]);
    out
}

/// A string value of a block's JSON settings.
fn json_str(json: &str, key: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value.get(key)?.as_str().map(str::to_string)
}

/// The address an embed block shows in its wrapper.
fn embed_wrapper_url(inner: &str) -> String {
    let doc = parse(inner);
    let wrapper = all(&doc, "div")
        .into_iter()
        .find(|d| attr(d, "class").is_some_and(|c| c.contains("wp-block-embed__wrapper")));
    wrapper.map(|w| text(&w)).unwrap_or_default()
}

/// A gallery block: its images, as written in it (each with its alt text,
/// or its caption); the attachments it names when it shows none.
fn block_gallery(inner: &str, json: &str, found: &mut Found) -> String {
    let doc = parse(inner);
    let mut images = Vec::new();
    let mut alts = Vec::new();
    for img in all(&doc, "img") {
        let Some(src) = attr(&img, "src").filter(|s| web(s)) else { continue };
        let alt = attr(&img, "alt").filter(|a| !a.trim().is_empty()).or_else(|| {
            let figure = ancestor(&img, "figure")?;
            first(&figure, "figcaption").map(|f| text(&f))
        });
        images.push(src);
        alts.push(alt.unwrap_or_default().trim().to_string());
    }
    if !images.is_empty() {
        return found.call(super::html::gallery_call(&images, &alts));
    }
    let ids: Vec<u64> = serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("ids")?.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
        .collect();
    found.gallery(if ids.is_empty() { GalleryRef::Attached } else { GalleryRef::Ids(ids) })
}

/// WordPress's media shortcodes: `[gallery]`, `[caption]`, `[embed]`,
/// `[audio]`, `[video]`.
pub(super) fn shortcodes(html: &str, found: &mut Found) -> String {
    static CAPTION: OnceLock<Regex> = OnceLock::new();
    static GALLERY: OnceLock<Regex> = OnceLock::new();
    static EMBED: OnceLock<Regex> = OnceLock::new();
    static MEDIA: OnceLock<Regex> = OnceLock::new();
    let caption = CAPTION.get_or_init(|| {
        Regex::new(r"(?s)\[(?:caption|wp_caption)([^\]]*)\](.*?)\[/(?:caption|wp_caption)\]")
            .expect("valid regex")
    });
    let gallery = GALLERY.get_or_init(|| Regex::new(r"\[gallery([^\]]*)\]").expect("valid regex"));
    let embed_re =
        EMBED.get_or_init(|| Regex::new(r"(?s)\[embed[^\]]*\](.*?)\[/embed\]").expect("valid regex"));
    let media = MEDIA.get_or_init(|| {
        Regex::new(r"(?s)\[audio([^\]]*)\](?:(.*?)\[/audio\])?|\[video([^\]]*)\](?:(.*?)\[/video\])?")
            .expect("valid regex")
    });
    let html = caption.replace_all(html, |c: &Captures| {
        let attrs = shortcode_attrs(&c[1]);
        let doc = parse(&c[2]);
        let Some(img) = first(&doc, "img") else { return c[0].to_string() };
        // The caption is an attribute (old exports) or the text after the
        // image (and its link).
        static MEDIA_PART: OnceLock<Regex> = OnceLock::new();
        let media_part = MEDIA_PART.get_or_init(|| {
            Regex::new(r"(?is)(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?").expect("valid regex")
        });
        let written = attrs.iter().find(|(k, _)| k == "caption").map(|(_, v)| v.clone());
        let rest = media_part.replacen(&c[2], 1, "");
        let caption = written.unwrap_or_else(|| text(&parse(&rest)));
        figure(&img, Some(caption.trim()), found).unwrap_or_default()
    });
    let html = gallery.replace_all(&html, |c: &Captures| {
        let attrs = shortcode_attrs(&c[1]);
        let ids: Vec<u64> = attrs
            .iter()
            .find(|(k, _)| k == "ids" || k == "include")
            .map(|(_, v)| v.split(',').filter_map(|id| id.trim().parse().ok()).collect())
            .unwrap_or_default();
        found.gallery(if ids.is_empty() { GalleryRef::Attached } else { GalleryRef::Ids(ids) })
    });
    let html = embed_re.replace_all(&html, |c: &Captures| embed(&text(&parse(&c[1])), None, found));
    media
        .replace_all(&html, |c: &Captures| {
            let tag = if c.get(1).is_some() || c[0].starts_with("[audio") { "audio" } else { "video" };
            let (attrs, body) = if tag == "audio" { (c.get(1), c.get(2)) } else { (c.get(3), c.get(4)) };
            let attrs = shortcode_attrs(attrs.map_or("", |m| m.as_str()));
            let get = |keys: &[&str]| {
                keys.iter().find_map(|k| attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone()))
            };
            let src = match tag {
                "audio" => get(&["src", "mp3", "m4a", "ogg", "wav", "wma"]),
                _ => get(&["src", "mp4", "m4v", "webm", "ogv", "wmv", "flv"]),
            }
            .or_else(|| body.map(|m| text(&parse(m.as_str()))).filter(|s| !s.is_empty()));
            let Some(src) = src.filter(|s| web(s)) else { return String::new() };
            let number = |k: &str| get(&[k]).and_then(|v| v.trim().parse::<u64>().ok());
            media_call(tag, &src, get(&["poster"]).as_deref(), None, number("width"), number("height"), found)
        })
        .into_owned()
}

/// `key="value"` pairs of a shortcode (also `key='value'` and `key=value`),
/// entities decoded.
fn shortcode_attrs(raw: &str) -> Vec<(String, String)> {
    static ATTR: OnceLock<Regex> = OnceLock::new();
    let re = ATTR.get_or_init(|| {
        Regex::new(r#"([A-Za-z0-9_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))"#).expect("valid regex")
    });
    re.captures_iter(raw)
        .map(|c| {
            let value = c.get(2).or(c.get(3)).or(c.get(4)).map_or("", |m| m.as_str());
            (c[1].to_ascii_lowercase(), decode(value))
        })
        .collect()
}

/// Text with its HTML entities decoded.
fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let doc = parse(&format!("<p>{}</p>", s.replace('<', "&lt;")));
    first(&doc, "p").map(|p| text_raw(&p)).unwrap_or_else(|| s.to_string())
}

/// HTML elements: figures with a caption (an image, audio, a video or an
/// embed in them), `<audio>` and `<video>` elsewhere, YouTube and Vimeo
/// frames, and a video address alone on its line.
pub(super) fn elements(html: &str, found: &mut Found) -> String {
    let html = figures(html, found);
    static MEDIA: OnceLock<Regex> = OnceLock::new();
    static FRAME: OnceLock<Regex> = OnceLock::new();
    static LINE: OnceLock<Regex> = OnceLock::new();
    let media = MEDIA.get_or_init(|| {
        Regex::new(r"(?is)<(audio|video)\b[^>]*>.*?</(?:audio|video)\s*>").expect("valid regex")
    });
    let frame =
        FRAME.get_or_init(|| Regex::new(r"(?is)<iframe\b[^>]*>(?:.*?</iframe\s*>)?").expect("valid regex"));
    let line = LINE.get_or_init(|| {
        Regex::new(r#"(?m)^[ \t]*(?:<p>)?[ \t]*(https?://[^\s<>"\[\]]+)[ \t]*(?:</p>)?[ \t\r]*$"#)
            .expect("valid regex")
    });
    let html = media.replace_all(&html, |c: &Captures| {
        let doc = parse(&c[0]);
        first(&doc, &c[1].to_ascii_lowercase())
            .and_then(|m| media_element(&m, None, found))
            .unwrap_or_default()
    });
    let html = frame.replace_all(&html, |c: &Captures| {
        let doc = parse(&c[0]);
        let src = first(&doc, "iframe").and_then(|f| attr(&f, "src")).unwrap_or_default();
        let title = first(&doc, "iframe").and_then(|f| attr(&f, "title"));
        match video_call(&src, title.as_deref()) {
            Some(call) => found.call(call),
            None => c[0].to_string(),
        }
    });
    // A line of a `<pre>` block is code, shown as written.
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    while from < html.len() {
        let (prose_end, code_end) = match lower[from..].find("<pre") {
            Some(i) => {
                let start = from + i;
                let end = lower[start..].find("</pre>").map_or(html.len(), |j| start + j + "</pre>".len());
                (start, end)
            }
            None => (html.len(), html.len()),
        };
        out.push_str(&line.replace_all(&html[from..prose_end], |c: &Captures| embed(&c[1], None, found)));
        out.push_str(&html[prose_end..code_end]);
        from = code_end;
    }
    out
}

/// Each `<figure>` that holds no other figure, with a `<figcaption>`, made
/// the call for what it shows; the others are left as they are.
fn figures(html: &str, found: &mut Found) -> String {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<figure") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(i) = lower[from..].find("<figure") {
        let start = from + i;
        let Some(j) = lower[start + 7..].find("</figure>") else { break };
        let end = start + 7 + j + "</figure>".len();
        // A figure inside this one: look again from there.
        if let Some(k) = lower[start + 7..end].find("<figure") {
            from = start + 7 + k;
            continue;
        }
        from = end;
        if let Some(r) = figure_call(&html[start..end], found) {
            out.push_str(&html[last..start]);
            out.push_str(&r);
            last = end;
        }
    }
    out.push_str(&html[last..]);
    out
}

fn figure_call(fragment: &str, found: &mut Found) -> Option<String> {
    let doc = parse(fragment);
    let fig = first(&doc, "figure")?;
    let caption = first(&fig, "figcaption").map(|f| text(&f)).filter(|t| !t.is_empty());
    let class = attr(&fig, "class").unwrap_or_default();
    if class.contains("wp-block-embed") {
        let wrapper = all(&fig, "div")
            .into_iter()
            .find(|d| attr(d, "class").is_some_and(|c| c.contains("wp-block-embed__wrapper")));
        if let Some(url) = wrapper.map(|w| text(&w)).filter(|u| u.starts_with("http")) {
            return Some(embed(&url, caption.as_deref(), found));
        }
    }
    for tag in ["audio", "video"] {
        if let Some(m) = first(&fig, tag) {
            return Some(media_element(&m, caption.as_deref(), found).unwrap_or_default());
        }
    }
    let caption = caption?;
    let imgs = all(&fig, "img");
    match imgs.as_slice() {
        [img] => figure(img, Some(&caption), found),
        _ => None,
    }
}

/// The `figure` call for an image, with its caption.
fn figure(img: &Rc<Node>, caption: Option<&str>, found: &mut Found) -> Option<String> {
    let src = attr(img, "src").filter(|s| web(s))?;
    let alt = attr(img, "alt");
    let number = |k: &str| attr(img, k).and_then(|v| v.trim().parse::<u64>().ok()).filter(|n| *n > 0);
    let mut args = vec![("src", Value::Str(&src))];
    if let Some(alt) = &alt {
        args.push(("alt", Value::Str(alt)));
    }
    if let Some(caption) = caption.filter(|c| !c.is_empty()) {
        args.push(("caption", Value::Str(caption)));
    }
    let (width, height) = (number("width"), number("height"));
    if let (Some(w), Some(h)) = (width, height) {
        args.push(("width", Value::Int(w)));
        args.push(("height", Value::Int(h)));
    }
    Some(found.call(call("figure", &args)))
}

/// An `<audio>` or `<video>` element as its call (its address from `src`
/// or its first `<source>`); `None` when it has no web address.
fn media_element(m: &Rc<Node>, title: Option<&str>, found: &mut Found) -> Option<String> {
    let tag = match &m.data {
        NodeData::Element { name, .. } => name.local.to_string(),
        _ => return None,
    };
    let src = attr(m, "src")
        .or_else(|| all(m, "source").into_iter().find_map(|s| attr(&s, "src")))
        .filter(|s| web(s))?;
    let number = |k: &str| attr(m, k).and_then(|v| v.trim().parse::<u64>().ok()).filter(|n| *n > 0);
    let title = title.map(str::to_string).or_else(|| attr(m, "title")).or_else(|| attr(m, "aria-label"));
    Some(media_call(
        &tag,
        &src,
        attr(m, "poster").as_deref(),
        title.as_deref(),
        number("width"),
        number("height"),
        found,
    ))
}

fn media_call(
    tag: &str,
    src: &str,
    poster: Option<&str>,
    title: Option<&str>,
    width: Option<u64>,
    height: Option<u64>,
    found: &mut Found,
) -> String {
    let mut args = vec![("src", Value::Str(src))];
    if tag == "video" {
        if let Some(p) = poster.filter(|p| web(p)) {
            args.push(("poster", Value::Str(p)));
        }
        if let (Some(w), Some(h)) = (width, height) {
            args.push(("width", Value::Int(w)));
            args.push(("height", Value::Int(h)));
        }
    }
    if let Some(t) = title.filter(|t| !t.trim().is_empty()) {
        args.push(("title", Value::Str(t)));
    }
    found.call(call(if tag == "video" { "video" } else { "audio" }, &args))
}

/// An embedded address: a YouTube or Vimeo video as its call, anything
/// else (a post on another site) as a link showing the address.
fn embed(url: &str, title: Option<&str>, found: &mut Found) -> String {
    let url = url.trim();
    if let Some(call) = video_call(url, title) {
        return found.call(call);
    }
    if url.starts_with("https://") || url.starts_with("http://") {
        let url = crate::html::escape(url);
        return format!("\n\n<p><a href=\"{url}\">{url}</a></p>\n\n");
    }
    String::new()
}

/// The `youtube` or `vimeo` call for a video's address, in any of its
/// forms; `None` for any other address.
pub(super) fn video_call(url: &str, title: Option<&str>) -> Option<String> {
    let (name, id, start) = video_id(url)?;
    let mut args = vec![("id", Value::Str(&id))];
    if let Some(start) = start {
        args.push(("start", Value::Int(start)));
    }
    if let Some(t) = title.filter(|t| !t.trim().is_empty()) {
        args.push(("title", Value::Str(t)));
    }
    Some(call(name, &args))
}

/// (`youtube` or `vimeo`, the video's id, its start in seconds) of an
/// address: `youtu.be/ID`, `youtube.com/watch?v=ID`, `/embed/ID`, `/v/ID`,
/// `/shorts/ID`, `/live/ID`, `youtube-nocookie.com/embed/ID`; `vimeo.com/ID`,
/// `vimeo.com/channels/x/ID`, `player.vimeo.com/video/ID`.
pub(super) fn video_id(url: &str) -> Option<(&'static str, String, Option<u64>)> {
    let trimmed = url.trim();
    // A protocol-relative address (`//www.youtube.com/embed/ID`) is https.
    let parsed = url::Url::parse(trimmed).or_else(|_| url::Url::parse(&format!("https:{trimmed}"))).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").or_else(|| host.strip_prefix("m.")).unwrap_or(&host);
    let segments: Vec<&str> =
        parsed.path_segments().map(|s| s.filter(|s| !s.is_empty()).collect()).unwrap_or_default();
    let query = |key: &str| parsed.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned());
    let good = |id: &str| {
        !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    match host {
        "youtube.com" | "youtube-nocookie.com" | "music.youtube.com" => {
            let id = match segments.as_slice() {
                ["watch"] => query("v")?,
                ["embed" | "v" | "shorts" | "live", id, ..] => id.to_string(),
                _ => return None,
            };
            let start = query("start").or_else(|| query("t")).and_then(|t| seconds(&t));
            good(&id).then_some(("youtube", id, start))
        }
        "youtu.be" => {
            let id = segments.first()?.to_string();
            let start = query("t").or_else(|| query("start")).and_then(|t| seconds(&t));
            good(&id).then_some(("youtube", id, start))
        }
        "vimeo.com" | "player.vimeo.com" => {
            let id = segments.iter().rev().find(|s| s.bytes().all(|b| b.is_ascii_digit()))?.to_string();
            good(&id).then_some(("vimeo", id, None))
        }
        _ => None,
    }
}

/// `90`, `90s`, `1m30s`, `1h2m3s` as seconds.
fn seconds(t: &str) -> Option<u64> {
    if let Ok(n) = t.parse::<u64>() {
        return Some(n);
    }
    let mut total = 0u64;
    let mut n = 0u64;
    let mut any = false;
    for c in t.chars() {
        if let Some(d) = c.to_digit(10) {
            n = n.checked_mul(10)?.checked_add(u64::from(d))?;
            any = true;
        } else {
            let unit = match c {
                'h' => 3600,
                'm' => 60,
                's' => 1,
                _ => return None,
            };
            total = total.checked_add(n.checked_mul(unit)?)?;
            n = 0;
        }
    }
    (any && n == 0).then_some(total).filter(|t| *t > 0)
}

/// The text of a piece of HTML, tags dropped, entities decoded, white
/// space collapsed.
pub(super) fn plain_text(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return html.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let doc = parse(&format!("<div>{html}</div>"));
    first(&doc, "div").map(|d| text(&d)).unwrap_or_default()
}

/// An HTML fragment as a tree (html5ever, through htmd).
fn parse(fragment: &str) -> Rc<Node> {
    static PARSER: OnceLock<htmd::HtmlToMarkdown> = OnceLock::new();
    let parser = PARSER.get_or_init(htmd::HtmlToMarkdown::new);
    parser.html_to_tree(fragment).unwrap_or_else(|_| {
        parser.html_to_tree("").unwrap_or_else(|e| unreachable!("an empty document parses: {e}"))
    })
}

/// The elements named `tag` below `root`, in document order (walked with
/// a stack, never by recursion).
fn all(root: &Rc<Node>, tag: &str) -> Vec<Rc<Node>> {
    let mut found = Vec::new();
    let mut stack: Vec<Rc<Node>> = root.children.borrow().iter().rev().cloned().collect();
    while let Some(node) = stack.pop() {
        if let NodeData::Element { name, .. } = &node.data
            && &*name.local == tag
        {
            found.push(Rc::clone(&node));
        }
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    found
}

fn first(root: &Rc<Node>, tag: &str) -> Option<Rc<Node>> {
    all(root, tag).into_iter().next()
}

fn ancestor(node: &Rc<Node>, tag: &str) -> Option<Rc<Node>> {
    let mut current = Rc::clone(node);
    loop {
        let weak = current.parent.take()?;
        let parent = weak.upgrade();
        current.parent.set(Some(weak));
        let parent = parent?;
        if let NodeData::Element { name, .. } = &parent.data
            && &*name.local == tag
        {
            return Some(parent);
        }
        current = parent;
    }
}

fn attr(node: &Rc<Node>, key: &str) -> Option<String> {
    match &node.data {
        NodeData::Element { attrs, .. } => {
            attrs.borrow().iter().find(|a| &*a.name.local == key).map(|a| a.value.to_string())
        }
        _ => None,
    }
}

/// The text below `node`, its white space collapsed.
fn text(node: &Rc<Node>) -> String {
    text_raw(node).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_raw(node: &Rc<Node>) -> String {
    let mut out = String::new();
    let mut stack: Vec<Rc<Node>> = node.children.borrow().iter().rev().cloned().collect();
    while let Some(next) = stack.pop() {
        if let NodeData::Text { contents } = &next.data {
            out.push_str(&contents.borrow());
        } else if !matches!(&next.data, NodeData::Element { name, .. } if &*name.local == "script" || &*name.local == "style")
        {
            stack.extend(next.children.borrow().iter().rev().cloned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_video_address_gives_its_id() {
        for url in [
            "https://www.youtube.com/watch?v=nwe-H6l4beM",
            "https://youtube.com/watch?feature=share&v=nwe-H6l4beM",
            "http://m.youtube.com/watch?v=nwe-H6l4beM",
            "https://youtu.be/nwe-H6l4beM",
            "https://www.youtube.com/embed/nwe-H6l4beM?rel=0",
            "//www.youtube-nocookie.com/embed/nwe-H6l4beM",
            "https://www.youtube.com/shorts/nwe-H6l4beM",
        ] {
            assert_eq!(video_id(url), Some(("youtube", "nwe-H6l4beM".to_string(), None)), "{url}");
        }
        assert_eq!(video_id("https://youtu.be/abc?t=1m30s"), Some(("youtube", "abc".into(), Some(90))));
        assert_eq!(
            video_id("https://www.youtube.com/watch?v=abc&t=75"),
            Some(("youtube", "abc".into(), Some(75)))
        );
        for url in [
            "https://vimeo.com/22439234",
            "https://player.vimeo.com/video/22439234?h=x",
            "https://vimeo.com/channels/staffpicks/22439234",
        ] {
            assert_eq!(video_id(url), Some(("vimeo", "22439234".to_string(), None)), "{url}");
        }
        for url in [
            "https://twitter.com/WordPress/status/1",
            "https://www.youtube.com/watch?v=a\"b",
            "https://www.youtube.com/user/x",
            "javascript:alert(1)",
            "https://vimeo.com/about",
        ] {
            assert_eq!(video_id(url), None, "{url}");
        }
    }

    #[test]
    fn arguments_are_escaped_so_nothing_closes_the_call() {
        let hostile = "a \"quote\" \\ back\\\" }} {% end %} ) }}\nline\ttab\u{7}";
        let text = call(
            "figure",
            &[("src", Value::Str("https://x.org/a\".jpg?q=}}")), ("caption", Value::Str(hostile))],
        );
        // The call ends where it should: at its own `) }}`, once.
        assert!(text.ends_with("tab \") }}") && text.matches(") }}").count() == 2, "{text}");
        let rendered = crate::parse::shortcodes::render(&format!("{text}\n"), 1).expect("one good call");
        let c = &rendered.shortcodes;
        assert_eq!(c.len(), 1, "{text}");
        assert_eq!(c[0].args[0].1.as_str(), Some("https://x.org/a\".jpg?q=}}"));
        assert_eq!(c[0].args[1].1.as_str(), Some("a \"quote\" \\ back\\\" }} {% end %} ) }}\nline\ttab "));
    }
}
