//! HTML that parlor did not write and the author did not either: the
//! rendered body of an imported post (`imported: true`), which came from an
//! export anybody may have made. An author's own post keeps its raw HTML;
//! an imported one is cut down, after rendering, to what a post shows.
//!
//! Sanitising the final HTML, not only the export before conversion, is
//! the point (#15): a conversion that writes Markdown wrongly (an image
//! whose address holds markup became raw HTML) can no longer publish a
//! script, whatever the bug.

use std::sync::OnceLock;

/// Elements an imported post may hold beside ammonia's defaults (text,
/// lists, tables, images, figures, code): embedded media, and the task
/// list checkboxes Markdown writes.
const EXTRA_TAGS: &[&str] = &["iframe", "video", "audio", "source", "input"];

/// Attributes a frame or media element keeps.
pub const EMBED_ATTRIBUTES: &[&str] = &[
    "src",
    "poster",
    "width",
    "height",
    "title",
    "allow",
    "allowfullscreen",
    "frameborder",
    "controls",
    "loop",
    "muted",
    "playsinline",
    "preload",
    "loading",
];

/// Link schemes an imported post keeps; relative links pass as written
/// (an export's `/wp-content/...` images).
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// `html` with only the elements, attributes and link schemes a post
/// shows: no script, style, form, plugin, event handler or `javascript:`.
pub fn clean(html: &str) -> String {
    sanitizer().clean(html).to_string()
}

/// The allow-list, shared with the importer, which cleans an export's HTML
/// before converting it too.
pub fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags(EXTRA_TAGS.iter().copied())
            // Highlighted code, footnotes and heading anchors are styled by
            // class, linked by id and labelled for screen readers.
            .add_generic_attributes(["class", "aria-label"])
            .add_tag_attributes("pre", ["data-lang"])
            .add_tag_attributes("div", ["id"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("source", ["src", "type"])
            .url_schemes(URL_SCHEMES.iter().copied().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(None);
        for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
            builder.add_tag_attributes(heading, ["id"]);
        }
        for media in ["iframe", "video", "audio"] {
            builder.add_tag_attributes(media, EMBED_ATTRIBUTES.iter().copied());
        }
        builder
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_15_markup_made_live_by_a_conversion_is_cut_down() {
        let html = "<p>Hello <img src=x onerror=alert(1)> <script>alert(2)</script>\
                    <a href=\"javascript:alert(3)\">x</a> <a href=\"/fine/\">fine</a></p>\
                    <iframe srcdoc=\"<script>alert(4)</script>\" src=\"https://video.example/e\" onload=\"alert(5)\"></iframe>\
                    <h2 id=\"a\" onclick=\"alert(6)\">A</h2><svg><script>alert(7)</script></svg><form action=\"https://x\"></form>";
        let clean = clean(html);
        assert!(!clean.contains("alert"), "{clean}");
        for kept in [
            "<img src=\"x\">",
            "<a href=\"/fine/\">fine</a>",
            "<iframe src=\"https://video.example/e\"></iframe>",
            "<h2 id=\"a\">A</h2>",
        ] {
            assert!(clean.contains(kept), "{kept} in {clean}");
        }
        assert!(!clean.contains("<form") && !clean.contains("<svg"), "{clean}");
    }

    #[test]
    fn what_markdown_writes_for_a_post_survives() {
        let rendered = super::super::markdown::render(
            "## Heading\n\n| a |\n|---|\n| 1 |\n\n- [x] done\n\nNote[^1].\n\n[^1]: A note.\n\n```rust\nfn main() {}\n```\n",
        );
        // Only the serialisation of a void element differs.
        assert_eq!(clean(&rendered.html), rendered.html.replace("/>", ">"));
    }
}
