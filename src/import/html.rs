//! Exported HTML to Markdown: WordPress's paragraph-less HTML, its
//! `<!--more-->` marker and common shortcodes, then htmd for the rest.
//! What Markdown cannot say (embeds, iframes) is kept as HTML.

use std::rc::Rc;
use std::sync::OnceLock;

use markup5ever_rcdom::{Node, NodeData};
use regex::Regex;

use super::media;
pub(super) use super::media::GalleryRef;

/// A post body converted: its Markdown, the galleries it shows that need
/// the export's attachments (each `PARLORGALLERY{i}X` in the Markdown,
/// resolved once the whole export has been read), and the widget blocks
/// left out.
pub(super) struct Converted {
    pub markdown: String,
    pub galleries: Vec<GalleryRef>,
    pub widgets: Vec<String>,
}

/// A post body as Markdown.
pub(super) fn post_to_markdown(html: &str) -> Converted {
    // Decided on the export's own HTML, before shortcodes add any.
    let needs_paragraphs = !(html.contains("<p>") || html.contains("<p "));
    // The export's own text never holds a token of ours: `PARLOR` in it
    // gets an invisible joiner, taken out again at the end.
    let html = html.replace("PARLOR", "PARLOR\u{2060}");
    // Blocks made here (code, figures, the summary marker) stand as
    // paragraphs of their own through `autop`, then come back; shortcode
    // calls stand as tokens until the Markdown is written.
    let mut blocks: Vec<String> = Vec::new();
    let mut found = media::Found::default();
    let html = more_marker().replace_all(&html, "\n\nPARLORMOREMARKER\n\n");
    let html = media::blocks(&html, &mut found);
    let html = shortcodes(&html, &mut blocks);
    let html = media::shortcodes(&html, &mut found);
    let html = media::elements(&html, &mut found);
    let html = if needs_paragraphs { autop(&html) } else { html };
    let mut html = html;
    for (i, block) in blocks.iter().enumerate().rev() {
        let token = format!("PARLORBLOCK{i}X");
        html = html.replace(&format!("<p>{token}</p>"), block).replace(&token, block);
    }
    // An export comes from anywhere: before conversion its HTML loses
    // scripts, event handlers, styles and links that run code, keeping what
    // a post shows. The build applies the same allow-list again to the
    // imported post's rendered HTML.
    let html = crate::parse::untrusted::clean(&html);
    let md = to_markdown(post_converter(), &html);
    // Only the calls made here are calls: `{{` and `{%` in the export's
    // text are shown as written.
    let mut md = escape_shortcode_openers(&md);
    for (i, call) in found.calls.iter().enumerate().rev() {
        md = md.replace(&format!("PARLORCALL{i}X"), call);
    }
    let markdown = md.replace("PARLORMOREMARKER", "<!-- more -->").replace("PARLOR\u{2060}", "PARLOR");
    Converted {
        markdown: markdown.trim().to_string() + "\n",
        galleries: found.galleries,
        widgets: found.widgets,
    }
}

/// `markdown` with each `PARLORGALLERY{i}X` made the call `gallery(i)`
/// gives, or a note when it gives none (the export holds none of its
/// images); how many had no images.
pub(super) fn resolve_galleries(
    markdown: &str,
    galleries: &[GalleryRef],
    mut gallery: impl FnMut(&GalleryRef) -> Option<String>,
) -> (String, usize) {
    let mut out = markdown.to_string();
    let mut missing = 0;
    for (i, g) in galleries.iter().enumerate().rev() {
        let call = gallery(g).unwrap_or_else(|| {
            missing += 1;
            "_(A gallery of the old blog: its images are not in the export.)_".to_string()
        });
        out = out.replace(&format!("PARLORGALLERY{i}X"), &call);
    }
    (out, missing)
}

/// The `gallery` call for these images and their alt texts.
pub(super) fn gallery_call(images: &[String], alts: &[String]) -> String {
    media::call("gallery", &[("images", media::Value::List(images)), ("alts", media::Value::List(alts))])
}

/// The text of a piece of HTML (an attachment's caption), tags dropped,
/// entities decoded, white space collapsed.
pub(super) fn plain_text(html: &str) -> String {
    media::plain_text(html)
}

/// Each `{{` and `{%` outside code made `&#123;{` and `&#123;%`: shown the
/// same, and no shortcode call (code is never read for calls).
fn escape_shortcode_openers(md: &str) -> String {
    if !crate::parse::shortcodes::may_hold(md) {
        return md.to_string();
    }
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut code: Vec<std::ops::Range<usize>> = Vec::new();
    let mut block_start = None;
    for (event, range) in Parser::new_ext(md, Options::all()).into_offset_iter() {
        match event {
            Event::Code(_) => code.push(range),
            Event::Start(Tag::CodeBlock(_)) => block_start = Some(range.start),
            Event::End(TagEnd::CodeBlock) => {
                code.push(block_start.take().unwrap_or(range.start)..range.end);
            }
            _ => {}
        }
    }
    let bytes = md.as_bytes();
    let mut out = String::with_capacity(md.len() + 16);
    let mut last = 0;
    for (i, _) in md.match_indices('{') {
        let opens = matches!(bytes.get(i + 1), Some(b'{' | b'%'));
        if opens && !code.iter().any(|r| r.contains(&i)) {
            out.push_str(&md[last..i]);
            out.push_str("&#123;");
            last = i + 1;
        }
    }
    out.push_str(&md[last..]);
    out
}

/// htmd, keeping embedded media (which Markdown cannot say) as HTML. An
/// author's own post may hold HTML; comments never keep any. An export
/// comes from anywhere, though: by the time htmd sees it, the sanitiser
/// below has left only frames and media with the attributes that show them
/// (plugin elements, `embed` and `object`, are gone), and here a link in
/// `src` or `poster` must be a web address, or the frame is dropped.
fn post_converter() -> &'static htmd::HtmlToMarkdown {
    static CONVERTER: OnceLock<htmd::HtmlToMarkdown> = OnceLock::new();
    CONVERTER.get_or_init(|| {
        htmd::HtmlToMarkdown::builder()
            .add_handler(
                vec!["iframe", "video", "audio"],
                |_: &dyn htmd::element_handler::Handlers, e: htmd::Element| {
                    let attrs: Vec<(String, String)> =
                        e.attrs.iter().map(|a| (a.name.local.to_string(), a.value.to_string())).collect();
                    Some(embed_html(e.tag, &attrs).unwrap_or_default().into())
                },
            )
            .build()
    })
}

/// A sanitised frame or media element as HTML of its own, or `None` when a
/// frame has no web address to show.
fn embed_html(tag: &str, attrs: &[(String, String)]) -> Option<String> {
    let web = |v: &str| {
        let v = v.trim().to_ascii_lowercase();
        v.starts_with("https://") || v.starts_with("http://") || v.starts_with("//")
    };
    let kept: Vec<&(String, String)> = attrs
        .iter()
        .filter(|(name, value)| !matches!(name.as_str(), "src" | "poster") || web(value))
        .collect();
    if tag == "iframe" && !kept.iter().any(|(name, _)| name == "src") {
        return None;
    }
    let attrs: String =
        kept.iter().map(|(name, value)| format!(" {name}=\"{}\"", crate::html::escape(value))).collect();
    Some(format!("\n\n<{tag}{attrs}></{tag}>\n\n"))
}

/// A comment body as Markdown (the comment subset: no raw HTML is kept).
pub(super) fn comment_to_markdown(html: &str) -> String {
    let html = if html.contains("<p>") || html.contains("<p ") { html.to_string() } else { autop(html) };
    static CONVERTER: OnceLock<htmd::HtmlToMarkdown> = OnceLock::new();
    let converter = CONVERTER.get_or_init(htmd::HtmlToMarkdown::new);
    to_markdown(converter, &html).trim().to_string() + "\n"
}

/// htmd walks the tree by recursion, so an export nesting thousands of
/// elements would overflow the stack (a fuzz finding). No real post nests
/// this deep: below it, an element keeps only its text.
const DEEPEST_ELEMENT: usize = 48;

/// HTML to Markdown through htmd, the tree cut to `DEEPEST_ELEMENT` first;
/// the HTML as it came if it cannot be read at all.
fn to_markdown(converter: &htmd::HtmlToMarkdown, html: &str) -> String {
    match converter.html_to_tree(html) {
        Ok(tree) => {
            keep_only_text_below(&tree, DEEPEST_ELEMENT);
            encode_addresses(&tree);
            converter.tree_to_markdown(&tree)
        }
        Err(_) => html.to_string(),
    }
}

/// Each node `depth` levels down gets, as its children, the text nodes of
/// its whole subtree in document order: the elements between are dropped.
/// Walks with a stack of its own, never by recursion.
fn keep_only_text_below(root: &Rc<Node>, depth: usize) {
    let mut stack = vec![(Rc::clone(root), 0)];
    while let Some((node, level)) = stack.pop() {
        if level < depth {
            stack.extend(node.children.borrow().iter().map(|child| (Rc::clone(child), level + 1)));
            continue;
        }
        let texts = texts_below(&node);
        for text in &texts {
            text.parent.set(Some(Rc::downgrade(&node)));
        }
        *node.children.borrow_mut() = texts;
    }
}

/// Every link and media address made fit to stand in Markdown: an address
/// holding spaces, angle brackets or parentheses (`x <img src=x
/// onerror=...>`) could not be a Markdown link, so it stayed text, and its
/// markup came alive (#15). Browsers read the encoded address the same.
fn encode_addresses(root: &Rc<Node>) {
    let mut stack = vec![Rc::clone(root)];
    while let Some(node) = stack.pop() {
        if let NodeData::Element { attrs, .. } = &node.data {
            for attr in attrs.borrow_mut().iter_mut() {
                if matches!(&*attr.name.local, "href" | "src" | "poster")
                    && let Some(encoded) = markdown_safe_address(&attr.value)
                {
                    attr.value = encoded.into();
                }
            }
        }
        stack.extend(node.children.borrow().iter().cloned());
    }
}

/// `address` with each character a Markdown link destination cannot hold
/// percent-encoded; `None` when it has none.
pub(super) fn markdown_safe_address(address: &str) -> Option<String> {
    let unfit = |c: char| c.is_ascii_control() || matches!(c, ' ' | '"' | '<' | '>' | '(' | ')' | '\\' | '`');
    if !address.chars().any(unfit) {
        return None;
    }
    let mut out = String::with_capacity(address.len() + 16);
    for c in address.chars() {
        if unfit(c) {
            out.push_str(&format!("%{:02X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn texts_below(node: &Rc<Node>) -> Vec<Rc<Node>> {
    let mut texts = Vec::new();
    let mut stack: Vec<Rc<Node>> = node.children.borrow().iter().rev().cloned().collect();
    while let Some(next) = stack.pop() {
        if matches!(next.data, NodeData::Text { .. }) {
            texts.push(next);
        } else {
            stack.extend(next.children.borrow().iter().rev().cloned());
        }
    }
    texts
}

fn more_marker() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?i)<!--\s*more\s*(?:[^>]*)?-->").expect("valid regex"))
}

/// WordPress stores paragraphs as blank lines (its `wpautop` adds the
/// `<p>`s when showing a post): do the same before converting.
fn autop(html: &str) -> String {
    html.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let block =
                ["<ul", "<ol", "<h", "<blockquote", "<pre", "<table", "<div", "<!--", "<figure", "<p>"];
            if block.iter().any(|b| p.starts_with(b)) {
                p.to_string()
            } else {
                format!("<p>{}</p>", p.replace('\n', "<br>"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `[code]`/`[sourcecode]` into HTML that converts well (the media
/// shortcodes are `media::shortcodes`); other shortcodes stay as written,
/// visibly.
fn shortcodes(html: &str, blocks: &mut Vec<String>) -> String {
    static CODE: OnceLock<Regex> = OnceLock::new();
    let code = CODE.get_or_init(|| {
        Regex::new(r#"(?s)\[(?:code|sourcecode)(?:[^\]]*?(?:lang|language)="?([A-Za-z0-9_+-]+)"?)?[^\]]*\](.*?)\[/(?:code|sourcecode)\]"#)
            .expect("valid regex")
    });
    code.replace_all(html, |c: &regex::Captures| {
        let lang = c.get(1).map_or("", |m| m.as_str());
        let body = crate::html::escape(c[2].trim_matches('\n'));
        blocks.push(format!("<pre><code class=\"language-{lang}\">{body}</code></pre>"));
        format!("\n\nPARLORBLOCK{}X\n\n", blocks.len() - 1)
    })
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> String {
        post_to_markdown(html).markdown
    }

    /// See: issue 20. WordPress's media become the site's shortcodes, each
    /// on a paragraph of its own, whatever form the export wrote them in.
    #[test]
    fn issue_20_media_become_shortcodes() {
        let cases: &[(&str, &str)] = &[
            (
                "[embed]https://www.youtube.com/watch?v=nwe-H6l4beM[/embed]",
                "{{ youtube(id=\"nwe-H6l4beM\") }}",
            ),
            ("<p>Intro.</p>\n<p>https://youtu.be/nwe-H6l4beM</p>", "{{ youtube(id=\"nwe-H6l4beM\") }}"),
            ("Intro.\n\nhttps://vimeo.com/22439234\n\nAfter.", "{{ vimeo(id=\"22439234\") }}"),
            (
                "<!-- wp:embed {\"url\":\"https://www.youtube.com/watch?v=nwe-H6l4beM\",\"type\":\"video\",\"providerNameSlug\":\"youtube\"} -->\n<figure class=\"wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube\"><div class=\"wp-block-embed__wrapper\">\nhttps://www.youtube.com/watch?v=nwe-H6l4beM\n</div><figcaption>The launch</figcaption></figure>\n<!-- /wp:embed -->",
                "{{ youtube(id=\"nwe-H6l4beM\", title=\"The launch\") }}",
            ),
            (
                "<iframe src=\"https://www.youtube.com/embed/nwe-H6l4beM?start=30\"></iframe>",
                "{{ youtube(id=\"nwe-H6l4beM\", start=30) }}",
            ),
            ("[audio mp3=\"https://x.org/a.mp3\"][/audio]", "{{ audio(src=\"https://x.org/a.mp3\") }}"),
            (
                "<figure class=\"wp-block-audio\"><audio controls src=\"https://x.org/a.mp3\"></audio><figcaption>Voicemail</figcaption></figure>",
                "{{ audio(src=\"https://x.org/a.mp3\", title=\"Voicemail\") }}",
            ),
            (
                "[video width=\"640\" height=\"360\" mp4=\"https://x.org/v.mp4\"][/video]",
                "{{ video(src=\"https://x.org/v.mp4\", width=640, height=360) }}",
            ),
            (
                "<p><video controls poster=\"https://x.org/p.jpg\"><source src=\"https://x.org/v.webm\"></video></p>",
                "{{ video(src=\"https://x.org/v.webm\", poster=\"https://x.org/p.jpg\") }}",
            ),
            (
                "<figure class=\"wp-block-image\"><a href=\"https://x.org/a.jpg\"><img src=\"https://x.org/a.jpg\" alt=\"A &amp; B\" width=\"640\" height=\"400\"></a><figcaption>Where <em>I</em> stood</figcaption></figure>",
                "{{ figure(src=\"https://x.org/a.jpg\", alt=\"A & B\", caption=\"Where I stood\", width=640, height=400) }}",
            ),
            (
                "[caption id=\"attachment_9\" align=\"alignnone\" width=\"300\"]<a href=\"https://x.org/a/\"><img class=\"size-medium\" src=\"https://x.org/a.jpg\" alt=\"\" /></a> A \"quoted\" caption[/caption]",
                "{{ figure(src=\"https://x.org/a.jpg\", alt=\"\", caption=\"A \\\"quoted\\\" caption\") }}",
            ),
            (
                "<!-- wp:gallery {\"linkTo\":\"none\"} -->\n<figure class=\"wp-block-gallery has-nested-images\"><!-- wp:image {\"id\":1} -->\n<figure class=\"wp-block-image\"><img src=\"https://x.org/1.jpg\" alt=\"One\" class=\"wp-image-1\"/></figure>\n<!-- /wp:image -->\n<!-- wp:image {\"id\":2} -->\n<figure class=\"wp-block-image\"><img src=\"https://x.org/2.jpg\" alt=\"\"/><figcaption>Two</figcaption></figure>\n<!-- /wp:image --></figure>\n<!-- /wp:gallery -->",
                "{{ gallery(images=[\"https://x.org/1.jpg\", \"https://x.org/2.jpg\"], alts=[\"One\", \"Two\"]) }}",
            ),
        ];
        for (html, call) in cases {
            let md = md(html);
            assert!(md.contains(&format!("{call}\n")) && !md.contains("PARLOR"), "{html}\n->\n{md}");
            let rendered = crate::parse::shortcodes::render(&md, 1).unwrap_or_else(|p| panic!("{md}: {p:?}"));
            assert_eq!(rendered.shortcodes.len(), 1, "{md}");
        }
        // Another site's post: a link that shows its address.
        let tweet = md(
            "<!-- wp:embed {\"url\":\"https://twitter.com/WordPress/status/1\"} -->\n<figure class=\"wp-block-embed\"></figure>\n<!-- /wp:embed -->",
        );
        assert_eq!(
            tweet,
            "[https://twitter.com/WordPress/status/1](https://twitter.com/WordPress/status/1)\n"
        );
        // A script address is no media.
        assert!(!md("[audio src=\"javascript:alert(1)\"]").contains("audio"));
    }

    /// See: issue 20. Widget blocks are left out and named; the rest stays.
    #[test]
    fn issue_20_widget_blocks_are_left_out_and_named() {
        let converted = post_to_markdown(
            "<!-- wp:paragraph -->\n<p>Before.</p>\n<!-- /wp:paragraph -->\n<!-- wp:archives {\"displayAsDropdown\":true} /-->\n<!-- wp:core/calendar /-->\n<!-- wp:latest-posts {\"postsToShow\":3} --><ul>x</ul><!-- /wp:latest-posts -->\n<p>After.</p>",
        );
        assert_eq!(converted.markdown, "Before.\n\nAfter.\n");
        assert_eq!(
            converted.widgets,
            ["widget block `archives`", "widget block `calendar`", "widget block `latest-posts`"]
        );
    }

    /// An export's own `{{` and `{%` are text, never calls; in code they
    /// stay as written.
    #[test]
    fn the_exports_own_braces_are_no_shortcodes() {
        let md = md(
            "<p>Write {{ name(x=1) }} or {% end %} in a template.</p><pre><code>{{ name(x=1) }}</code></pre><p>PARLORCALL0X</p>",
        );
        let rendered = crate::parse::shortcodes::render(&md, 1).expect("no calls, no problems");
        assert!(rendered.shortcodes.is_empty(), "{md}");
        assert!(
            rendered.html.contains("Write {{ name(x=1) }} or {% end %} in a template."),
            "{}",
            rendered.html
        );
        assert!(rendered.html.contains("<code>{{ name(x=1) }}\n</code>"), "{}", rendered.html);
        assert!(rendered.html.contains("PARLORCALL0X"), "{}", rendered.html);
    }

    #[test]
    fn exported_html_keeps_web_embeds_and_loses_what_runs_code() {
        let md = md(
            "<p>Watch:</p><iframe src=\"https://maps.example/embed/x\" width=\"560\" allowfullscreen onload=\"evil()\"></iframe>\
             <iframe srcdoc=\"<script>evil()</script>\"></iframe><object data=\"x.swf\"></object>\
             <p><a href=\"javascript:evil()\">click</a> <a href=\"https://example.org/\">fine</a></p>",
        );
        assert!(
            md.contains(
                "<iframe src=\"https://maps.example/embed/x\" width=\"560\" allowfullscreen=\"\"></iframe>"
            ),
            "{md}"
        );
        assert!(!md.contains("evil") && !md.contains("srcdoc") && !md.contains("object"), "{md}");
        assert!(md.contains("[fine](https://example.org/)"), "{md}");
    }

    #[test]
    fn paragraphs_more_and_shortcodes() {
        let converted = post_to_markdown(
            "First line.\n\nSecond <em>para</em>.\n<!--more-->\n[code lang=\"python\"]\nprint(1 < 2)\n[/code]\n\n[caption id=\"a\"]<img src=\"x.png\" alt=\"X\"> A caption[/caption]\n\n[gallery ids=\"1\"]",
        );
        let md = converted.markdown;
        assert!(
            md.starts_with("First line.\n\nSecond _para_.")
                || md.starts_with("First line.\n\nSecond *para*."),
            "{md}"
        );
        assert!(md.contains("<!-- more -->"), "{md}");
        assert!(md.contains("```python\nprint(1 < 2)\n```"), "{md}");
        assert!(md.contains("\n\n{{ figure(src=\"x.png\", alt=\"X\", caption=\"A caption\") }}\n\n"), "{md}");
        assert!(md.ends_with("\n\nPARLORGALLERY0X\n"), "{md}");
        assert_eq!(converted.galleries, [GalleryRef::Ids(vec![1])]);
        let embed = super::tests::md(
            "<p>Watch:</p><iframe src=\"https://video.example/x?a=1&amp;b=2\" width=\"560\"></iframe>",
        );
        assert!(
            embed.contains("<iframe src=\"https://video.example/x?a=1&amp;b=2\" width=\"560\"></iframe>"),
            "{embed}"
        );
    }

    #[test]
    fn html_nested_thousands_deep_converts_and_keeps_its_text() {
        let deep =
            |open: &str, close: &str, n: usize| format!("{}deep text{}", open.repeat(n), close.repeat(n));
        for (open, close) in [("<b>", "</b>"), ("<div>", "</div>"), ("<ul><li>", "</li></ul>")] {
            let html = format!("<p>Top.</p>{}", deep(open, close, 2_000));
            let md = md(&html);
            assert!(md.starts_with("Top.") && md.contains("deep text"), "{open}: {md:.200}");
            assert!(comment_to_markdown(&html).contains("deep text"), "{open}");
        }
        let shallow = md(&deep("<blockquote>", "</blockquote>", 3));
        assert_eq!(shallow, "> > > deep text\n");
    }

    /// See: issue 15. An address holding markup could not be a Markdown
    /// image, so it stayed text and its markup came alive.
    #[test]
    fn issue_15_an_address_holding_markup_converts_to_a_plain_image() {
        for html in [
            "<img src=\"x <img src=x onerror=alert&#40;1&#41;>\">",
            "<img src=\"x <script>alert(2)</script>\">",
            "<p><a href=\"x <img src=x onerror=alert(3)>\">link</a></p>",
            "<img src=\"x)><img src=x onerror=alert(4)>\">",
        ] {
            let md = md(html);
            let rendered = crate::parse::markdown::render(&md).html;
            assert!(
                !rendered.contains("<script") && !rendered.contains(" onerror="),
                "{html}: {md} -> {rendered}"
            );
            // One image or one link, inside one paragraph: nothing else.
            let elements = rendered.matches('<').count() - rendered.matches("</").count();
            assert_eq!(elements, 2, "{html}: {md} -> {rendered}");
        }
    }

    #[test]
    fn comments_lose_raw_html() {
        let md =
            comment_to_markdown("Nice <a href=\"http://x.org/\">link</a><br />and <script>alert(1)</script>");
        assert!(md.contains("[link](http://x.org/)"), "{md}");
    }
}
