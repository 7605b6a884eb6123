//! Shortcodes (`{{ name(args) }}`, `{% name(args) %}…{% end %}`): the
//! built-in set rendered, a site's own, code left alone, feeds, the
//! diagnostics, caches that notice a changed template, and an imported
//! post whose arguments attack.

use crate::support::{SiteTest, post};

fn built() -> SiteTest {
    let site = SiteTest::from_fixture("shortcodes");
    site.build().assert_ok();
    site
}

#[test]
fn every_built_in_shortcode_renders() {
    let site = built();
    let page = site.page("/posts/every-shortcode/");
    let content = ".post-content";
    // figure
    let img = format!("{content} > figure.sc-figure > img");
    assert_eq!(page.attrs(&img, "src"), ["parcel.jpg"]);
    assert_eq!(page.attrs(&img, "alt"), ["A parcel with a torn corner"]);
    assert_eq!(page.attrs(&img, "width"), ["640"]);
    assert_eq!(page.texts(&format!("{content} > figure.sc-figure > figcaption")), ["The parcel Photo: Ann"]);
    assert_eq!(page.count(&format!("{content} p figure")), 0, "a shortcode alone stands for its paragraph");
    // gallery, from a body and from a list
    assert_eq!(page.attrs(".sc-gallery img", "src"), ["label.jpg", "receipt.jpg", "a.jpg", "b.jpg"]);
    assert_eq!(
        page.attrs(".sc-gallery img", "alt"),
        ["The shipping label", "The receipt", "First", "Second"]
    );
    // youtube and vimeo: links, no frame, nothing loaded from them
    assert_eq!(
        page.attrs(".sc-video-link a", "href"),
        [
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90",
            "https://player.vimeo.com/video/124313553?dnt=1"
        ]
    );
    let links = page.texts(".sc-video-link a");
    assert!(
        links[0].contains("The call, replayed") && links[0].contains("Watch on YouTube from 1:30"),
        "{links:?}"
    );
    assert_eq!(page.count("iframe"), 0);
    assert_eq!(page.count(".sc-video-link img"), 0);
    // audio and video, with a link for browsers that play neither
    assert_eq!(page.attrs(".sc-audio audio[controls]", "src"), ["voicemail.mp3"]);
    assert_eq!(page.attrs(".sc-audio audio a", "href"), ["voicemail.mp3"]);
    assert_eq!(page.attrs(".sc-video video[controls]", "poster"), ["unboxing.jpg"]);
    assert_eq!(page.texts(".sc-video figcaption"), ["Unboxing"]);
    // quote, its body Markdown, and one nested in details
    assert_eq!(
        page.attrs(&format!("{content} > figure.sc-quote blockquote"), "cite"),
        ["https://courier.example/statement"]
    );
    assert_eq!(page.texts(&format!("{content} > figure.sc-quote blockquote em")), ["did"]);
    assert_eq!(page.texts(&format!("{content} > figure.sc-quote cite a")), ["The courier"]);
    assert_eq!(page.texts("details.sc-details > summary"), ["The full timeline"]);
    assert_eq!(page.texts("details.sc-details strong"), ["ordered"]);
    assert_eq!(page.texts("details.sc-details .sc-quote blockquote"), ["Nested quote."]);
    // code and escapes show the call as written
    let html = site.read("posts/every-shortcode/index.html");
    assert_eq!(page.texts(&format!("{content} p code")), ["{{ figure(src=\"x.jpg\") }}"]);
    assert!(page.texts(content)[0].contains("and {{ youtube(id=\"x\") }}."), "{html}");
    assert!(page.texts("pre code")[0].contains("{{ figure(src=\"in-code.jpg\") }}"));
    assert!(!html.contains('\u{FDD0}'), "no marker is left");
}

#[test]
fn feeds_show_shortcodes_with_absolute_addresses() {
    let site = built();
    let feed = site.read("feed.xml");
    assert!(feed.contains("src=\"https://blog.example.org/posts/every-shortcode/parcel.jpg\""), "{feed}");
    assert!(feed.contains("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"));
    assert!(!feed.contains('\u{FDD0}'));
}

#[test]
fn a_site_overrides_a_shortcode_and_adds_its_own() {
    let site = SiteTest::new();
    site.file(
        "themes/default/shortcodes/figure.html",
        "<p class=\"my-figure\"><img src=\"{{ src | safe_url }}\" alt=\"{{ alt }}\"></p>",
    );
    site.file(
        "themes/default/shortcodes/note.html",
        "<aside class=\"note note-{{ kind }}\">{{ body }}<span>{{ site.title }}</span></aside>",
    );
    site.file(
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2015-01-01\n---\n\n{{ figure(src=\"x.jpg\", alt=\"X\") }}\n\n{% note(kind=\"warn\") %}\nMind *this*.\n{% end %}\n\n{{ youtube(id=\"abc\") }}\n",
    );
    site.build().assert_ok();
    let page = site.page("/posts/a/");
    assert_eq!(page.attrs("p.my-figure img", "src"), ["x.jpg"]);
    assert_eq!(page.count("figure.sc-figure"), 0);
    assert_eq!(page.texts("aside.note-warn em"), ["this"]);
    assert_eq!(page.texts("aside.note-warn span"), ["Test Blog"]);
    assert_eq!(page.count(".sc-video-link"), 1, "the built-in ones the site did not replace stay");
}

#[test]
fn a_changed_shortcode_template_changes_the_page() {
    let site = built();
    let before = site.read("posts/every-shortcode/index.html");
    assert!(before.contains("sc-figure"));
    site.file("themes/default/shortcodes/figure.html", "<div class=\"changed\">{{ alt }}</div>");
    site.build().assert_ok();
    let page = site.page("/posts/every-shortcode/");
    assert_eq!(page.texts(".post-content > div.changed"), ["A parcel with a torn corner"]);
    assert!(site.read("feed.xml").contains("class=\"changed\""), "the feed too");
    site.remove("themes/default/shortcodes/figure.html");
    site.build().assert_ok();
    assert_eq!(site.read("posts/every-shortcode/index.html"), before);
}

/// An imported post's arguments are the export's: escaped, and an address
/// a page must not load is refused, never published.
#[test]
fn hostile_arguments_in_an_imported_post_run_nothing() {
    let site = SiteTest::new();
    site.file(
        "content/posts/imported.md",
        &post("Imported", "2015-01-01", "imported: true\n")
            .replace("More text.", "{{ figure(src=\"javascript:alert(1)\", alt=\"<script>\") }}\n"),
    );
    let run = site.build();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        run.stderr().contains("content/posts/imported.md:9:1: `src` of shortcode `figure` is not an address a page may load: `javascript:alert(1)`"),
        "{}",
        run.stderr()
    );
    assert!(!site.exists("index.html"), "nothing was written");

    // Safe addresses, hostile text: escaped by the template; a body is
    // the export's HTML, sanitised like the rest of the post.
    site.file(
        "content/posts/imported.md",
        "---\ntitle: Imported\ndate: 2015-01-01\nimported: true\n---\n\n\
         {{ figure(src=\"a.jpg\\\" onerror=\\\"alert(1)\", alt=\"<script>alert(2)</script>\", caption=\"<img src=x onerror=alert(3)>\") }}\n\n\
         {% quote(source=\"<b onclick=alert(4)>x</b>\") %}\n<script>alert(5)</script><img src=y onerror=alert(6)> kept\n{% end %}\n\n\
         {% details(summary=\"s\") %}\n<a href=\"javascript:alert(7)\">link</a>\n{% end %}\n",
    );
    site.build().assert_ok();
    let html = site.read("posts/imported/index.html");
    let page = site.page("/posts/imported/");
    assert_eq!(page.attrs(".sc-figure img", "src"), ["a.jpg\" onerror=\"alert(1)"], "one attribute, escaped");
    assert_eq!(page.attrs(".sc-figure img", "alt"), ["<script>alert(2)</script>"]);
    assert_eq!(page.count(".post-content script"), 0, "{html}");
    assert_eq!(
        page.count(".post-content [onerror], .post-content [onclick], .post-content [onload]"),
        0,
        "{html}"
    );
    assert_eq!(page.count("a[href^='javascript']"), 0, "{html}");
    assert_eq!(page.texts(".sc-quote blockquote"), ["kept"]);
    let feed = site.read("feed.xml");
    assert!(!feed.contains("<script") && !feed.contains("&lt;script&gt;alert(5)"), "{feed}");
}

/// A theme's own shortcode that forgets the check gets none of a bad
/// address through `safe_url` either.
#[test]
fn safe_url_drops_what_a_page_must_not_load() {
    let site = SiteTest::new();
    site.file(
        "themes/default/shortcodes/link.html",
        "<a class=\"l\" href=\"{{ to | safe_url }}\">{{ text }}</a>",
    );
    site.file(
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2015-01-01\n---\n\n{{ link(to=\"JavaScript:alert(1)\", text=\"bad\") }} {{ link(to=\"/ok/\", text=\"ok\") }}\n",
    );
    site.build().assert_ok();
    assert_eq!(site.page("/posts/a/").attrs("a.l", "href"), ["", "/ok/"]);
}

/// Every shortcode problem in a site in one run, each at its Markdown
/// file and line with what to do.
#[test]
fn shortcode_diagnostics() {
    let site = SiteTest::new();
    site.file(
        "content/posts/calls.md",
        "---\ntitle: Calls\ndate: 2015-01-01\n---\n\nText.\n\n{{ figur(src=\"a.jpg\", alt=\"A\") }}\n\n{{ figure(src=\"b.jpg\") }}\n\n{{ youtube(start=3) }}\n\n{{ quote(source=\"x\") }}\n",
    );
    site.file(
        "content/posts/syntax.md",
        "---\ntitle: Syntax\ndate: 2015-01-02\n---\n\n{{ figure(src=a.jpg) }}\n\n{% details(summary=\"open\") %}\nNever closed.\n",
    );
    site.file("themes/default/shortcodes/broken.html", "{{ missing.field }}");
    site.file("content/posts/broken.md", "---\ntitle: Broken\ndate: 2015-01-03\n---\n\n{{ broken() }}\n");
    let run = site.build();
    assert_eq!(run.code(), 1);
    let root = site.root().display().to_string();
    let stderr: String =
        run.stderr().replace(&root, "[ROOT]").lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("shortcode_diagnostics", stderr);
}
