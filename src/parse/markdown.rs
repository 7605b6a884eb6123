//! Post Markdown -> HTML with pulldown-cmark. Each feature is a pass over
//! the event list: heading ids and anchors, highlighted code blocks, the
//! `<!-- more -->` summary marker. The document is parsed once; the summary
//! is rendered from a slice of the same events.

use std::collections::HashSet;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use super::highlight;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RenderedMarkdown {
    pub html: String,
    /// The part before `<!-- more -->`, else the first paragraph.
    pub summary_html: String,
    /// True when the text has a `<!-- more -->` marker.
    pub has_more: bool,
    pub words: usize,
    /// The shortcode calls whose markers the HTML holds
    /// (`parse/shortcodes.rs`); rendered by `render`.
    #[serde(default)]
    pub shortcodes: Vec<super::shortcodes::Call>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

pub fn render(text: &str) -> RenderedMarkdown {
    render_restoring(text, &|code| code.to_string())
}

/// `render`, with `restore` applied to code that holds a shortcode marker
/// (it gives the call its text back: code shows what was written).
pub(super) fn render_restoring(text: &str, restore: &dyn Fn(&str) -> String) -> RenderedMarkdown {
    let marked = |t: &str| t.contains(super::shortcodes::MARK_OPEN);
    let mut events = Vec::new();
    let mut words = 0;
    let mut more_at = None;
    let mut ids = HashSet::new();
    let mut parser = Parser::new_ext(text, options());
    while let Some(event) = parser.next() {
        match event {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                let inner = take_until(&mut parser, |e| matches!(e, Event::End(TagEnd::Heading(_))));
                words += count_words(&inner);
                heading(level, id, &classes, &attrs, inner, &mut ids, &mut events);
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let inner = take_until(&mut parser, |e| matches!(e, Event::End(TagEnd::CodeBlock)));
                let code: String = inner
                    .iter()
                    .filter_map(|e| if let Event::Text(t) = e { Some(&**t) } else { None })
                    .collect();
                let code = if marked(&code) { restore(&code) } else { code };
                words += code.split_whitespace().count();
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                events.push(Event::Html(highlight::code_block(&code, lang).into()));
            }
            Event::Html(ref h) | Event::InlineHtml(ref h) if more_at.is_none() && is_more_marker(h) => {
                more_at = Some(events.len());
            }
            Event::Code(ref t) if marked(t) => events.push(Event::Code(restore(t).into())),
            Event::Text(ref t) => {
                words += t.split_whitespace().count();
                events.push(event);
            }
            other => events.push(other),
        }
    }
    let summary = match more_at {
        Some(i) => &events[..i],
        None => first_paragraph(&events),
    };
    RenderedMarkdown {
        html: to_html(&events, text.len() * 3 / 2),
        summary_html: to_html(summary, 256),
        has_more: more_at.is_some(),
        words,
        shortcodes: Vec::new(),
    }
}

/// A front matter `summary`: inline Markdown, rendered as one paragraph.
pub fn render_summary(text: &str) -> String {
    let events: Vec<Event> = Parser::new_ext(text, options()).collect();
    to_html(&events, text.len() + 16)
}

fn to_html(events: &[Event], capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    html::push_html(&mut out, events.iter().cloned());
    out
}

fn is_more_marker(html: &str) -> bool {
    let inner = html.trim().strip_prefix("<!--").and_then(|s| s.strip_suffix("-->"));
    inner.is_some_and(|s| s.trim().eq_ignore_ascii_case("more"))
}

fn take_until<'a>(parser: &mut Parser<'a>, end: impl Fn(&Event) -> bool) -> Vec<Event<'a>> {
    let mut inner = Vec::new();
    for event in parser.by_ref() {
        if end(&event) {
            break;
        }
        inner.push(event);
    }
    inner
}

fn count_words(events: &[Event]) -> usize {
    events
        .iter()
        .map(|e| if let Event::Text(t) | Event::Code(t) = e { t.split_whitespace().count() } else { 0 })
        .sum()
}

fn plain_text(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|e| if let Event::Text(t) | Event::Code(t) = e { Some(&**t) } else { None })
        .collect()
}

/// A heading with an id (its own `{#id}`, else one made from its text,
/// unique within the page) and a `#` link to itself.
fn heading<'a>(
    level: HeadingLevel,
    id: Option<CowStr<'a>>,
    classes: &[CowStr<'a>],
    attrs: &[(CowStr<'a>, Option<CowStr<'a>>)],
    inner: Vec<Event<'a>>,
    ids: &mut HashSet<String>,
    out: &mut Vec<Event<'a>>,
) {
    let base = id.map(|i| i.to_string()).unwrap_or_else(|| {
        let s = crate::slugs::slugify(plain_text(&inner));
        if s.is_empty() { "section".to_string() } else { s }
    });
    let mut unique = base.clone();
    let mut n = 1;
    while !ids.insert(unique.clone()) {
        unique = format!("{base}-{n}");
        n += 1;
    }
    let id = crate::html::escape(&unique);
    let mut open = format!("<{level} id=\"{id}\"");
    if !classes.is_empty() {
        let list: Vec<&str> = classes.iter().map(|c| &**c).collect();
        open.push_str(&format!(" class=\"{}\"", crate::html::escape(&list.join(" "))));
    }
    for (name, value) in attrs {
        let value = value.as_deref().unwrap_or("");
        open.push_str(&format!(" {}=\"{}\"", crate::html::escape(name), crate::html::escape(value)));
    }
    open.push('>');
    out.push(Event::Html(open.into()));
    out.extend(inner);
    out.push(Event::Html(
        format!("<a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></{level}>\n")
            .into(),
    ));
}

fn first_paragraph<'e, 'a>(events: &'e [Event<'a>]) -> &'e [Event<'a>] {
    let Some(start) = events.iter().position(|e| matches!(e, Event::Start(Tag::Paragraph))) else {
        return &[];
    };
    let end = events[start..]
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
        .map_or(events.len(), |i| start + i + 1);
    &events[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_unique_ids_and_anchors() {
        let r = render("## Refund policy\n\n## Refund policy\n\n### Custom {#mine}\n");
        assert!(
            r.html.contains(
                "<h2 id=\"refund-policy\">Refund policy<a class=\"anchor\" href=\"#refund-policy\""
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("id=\"refund-policy-1\""));
        assert!(r.html.contains("<h3 id=\"mine\">"));
    }

    #[test]
    fn summary_is_the_part_before_more_else_the_first_paragraph() {
        let r = render("First *one*.\n\nSecond.\n\n<!-- more -->\n\nThird.\n");
        assert!(r.has_more);
        assert!(r.summary_html.contains("First") && r.summary_html.contains("Second"));
        assert!(!r.summary_html.contains("Third"));
        assert!(r.html.contains("Third") && !r.html.contains("more -->"));
        let r = render("# Title\n\nOnly this.\n\nNot this.\n");
        assert_eq!(r.summary_html, "<p>Only this.</p>\n");
    }

    #[test]
    fn extensions_are_on() {
        let r = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ \"quoted\"\n\n- [x] done\n\nNote[^1].\n\n[^1]: A footnote.\n",
        );
        for needle in [
            "<table>",
            "<del>gone</del>",
            "\u{201c}quoted\u{201d}",
            "type=\"checkbox\"",
            "footnote-definition",
        ] {
            assert!(r.html.contains(needle), "{needle} in {}", r.html);
        }
    }

    #[test]
    fn code_blocks_are_highlighted_once_and_counted() {
        let r = render("Text here.\n\n```python\nprint('hi')\n```\n");
        assert!(r.html.contains("language-python"));
        assert_eq!(r.words, 3);
    }
}
