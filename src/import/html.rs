//! Exported HTML to Markdown: WordPress's paragraph-less HTML, its
//! `<!--more-->` marker and common shortcodes, then htmd for the rest.
//! What Markdown cannot say (embeds, iframes) is kept as HTML.

use std::rc::Rc;
use std::sync::OnceLock;

use markup5ever_rcdom::{Node, NodeData};
use regex::Regex;

/// A post body as Markdown.
pub(super) fn post_to_markdown(html: &str) -> String {
    // Decided on the export's own HTML, before shortcodes add any.
    let needs_paragraphs = !(html.contains("<p>") || html.contains("<p "));
    // Blocks made here (code, figures, the summary marker) stand as
    // paragraphs of their own through `autop`, then come back.
    let mut blocks: Vec<String> = Vec::new();
    let html = more_marker().replace_all(html, "\n\nPARLORMOREMARKER\n\n");
    let html = shortcodes(&html, &mut blocks);
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
    md.replace("PARLORMOREMARKER", "<!-- more -->").trim().to_string() + "\n"
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
fn markdown_safe_address(address: &str) -> Option<String> {
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
            let block = ["<ul", "<ol", "<h", "<blockquote", "<pre", "<table", "<div", "<!--", "<figure"];
            if block.iter().any(|b| p.starts_with(b)) {
                p.to_string()
            } else {
                format!("<p>{}</p>", p.replace('\n', "<br>"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `[caption]`, `[code]`/`[sourcecode]` and `[gallery]` into HTML that
/// converts well; other shortcodes stay as written, visibly.
fn shortcodes(html: &str, blocks: &mut Vec<String>) -> String {
    static CAPTION: OnceLock<Regex> = OnceLock::new();
    static CODE: OnceLock<Regex> = OnceLock::new();
    static GALLERY: OnceLock<Regex> = OnceLock::new();
    let caption =
        CAPTION.get_or_init(|| Regex::new(r"(?s)\[caption[^\]]*\](.*?)\[/caption\]").expect("valid regex"));
    let code = CODE.get_or_init(|| {
        Regex::new(r#"(?s)\[(?:code|sourcecode)(?:[^\]]*?(?:lang|language)="?([A-Za-z0-9_+-]+)"?)?[^\]]*\](.*?)\[/(?:code|sourcecode)\]"#)
            .expect("valid regex")
    });
    let gallery = GALLERY.get_or_init(|| Regex::new(r"\[gallery[^\]]*\]").expect("valid regex"));
    let html = caption.replace_all(html, |c: &regex::Captures| {
        let inner = &c[1];
        // The caption text is what follows the image (or its link).
        let split = inner.rfind('>').map_or(0, |i| i + 1);
        let (media, text) = inner.split_at(split);
        let figure = format!("<figure>{media}<figcaption>{}</figcaption></figure>", text.trim());
        blocks.push(figure);
        format!("\n\nPARLORBLOCK{}X\n\n", blocks.len() - 1)
    });
    let html = code.replace_all(&html, |c: &regex::Captures| {
        let lang = c.get(1).map_or("", |m| m.as_str());
        let body = crate::html::escape(c[2].trim_matches('\n'));
        blocks.push(format!("<pre><code class=\"language-{lang}\">{body}</code></pre>"));
        format!("\n\nPARLORBLOCK{}X\n\n", blocks.len() - 1)
    });
    gallery.replace_all(&html, "\n\n[gallery: the images of this gallery were not imported]\n\n").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_html_keeps_web_embeds_and_loses_what_runs_code() {
        let md = post_to_markdown(
            "<p>Watch:</p><iframe src=\"https://www.youtube.com/embed/x\" width=\"560\" allowfullscreen onload=\"evil()\"></iframe>\
             <iframe srcdoc=\"<script>evil()</script>\"></iframe><object data=\"x.swf\"></object>\
             <p><a href=\"javascript:evil()\">click</a> <a href=\"https://example.org/\">fine</a></p>",
        );
        assert!(
            md.contains(
                "<iframe src=\"https://www.youtube.com/embed/x\" width=\"560\" allowfullscreen=\"\"></iframe>"
            ),
            "{md}"
        );
        assert!(!md.contains("evil") && !md.contains("srcdoc") && !md.contains("object"), "{md}");
        assert!(md.contains("[fine](https://example.org/)"), "{md}");
    }

    #[test]
    fn paragraphs_more_and_shortcodes() {
        let md = post_to_markdown(
            "First line.\n\nSecond <em>para</em>.\n<!--more-->\n[code lang=\"python\"]\nprint(1 < 2)\n[/code]\n\n[caption id=\"a\"]<img src=\"x.png\" alt=\"X\"> A caption[/caption]\n\n[gallery ids=\"1\"]",
        );
        assert!(
            md.starts_with("First line.\n\nSecond _para_.")
                || md.starts_with("First line.\n\nSecond *para*."),
            "{md}"
        );
        assert!(md.contains("<!-- more -->"), "{md}");
        assert!(md.contains("```python\nprint(1 < 2)\n```"), "{md}");
        assert!(md.contains("![X](x.png)") && md.contains("A caption"), "{md}");
        assert!(md.contains("gallery: the images"), "{md}");
        let embed = post_to_markdown(
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
            let md = post_to_markdown(&html);
            assert!(md.starts_with("Top.") && md.contains("deep text"), "{open}: {md:.200}");
            assert!(comment_to_markdown(&html).contains("deep text"), "{open}");
        }
        let shallow = post_to_markdown(&deep("<blockquote>", "</blockquote>", 3));
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
            let md = post_to_markdown(html);
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
