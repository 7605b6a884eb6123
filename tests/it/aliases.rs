//! Old URLs (`aliases:` in front matter): a redirect page at each, every
//! one in `_redirects`, collisions refused with both files named, and a
//! removed alias gone from the output. The site is
//! `tests/fixtures/aliases/`, served below `/blog/`.

use crate::support::{SiteTest, post};

fn built() -> SiteTest {
    let site = SiteTest::from_fixture("aliases");
    site.build().assert_ok();
    site
}

#[test]
fn each_old_url_gets_a_page_that_leads_to_the_new_one() {
    let site = built();
    for old in ["/2019/05/04/old-refunds/", "/old/refunds.html"] {
        let page = site.page(old);
        assert_eq!(
            page.attrs("meta[http-equiv=refresh]", "content"),
            ["0; url=/blog/posts/refunds/"],
            "{old}"
        );
        assert_eq!(
            page.attrs("link[rel=canonical]", "href"),
            ["https://moved.example.org/blog/posts/refunds/"]
        );
        assert_eq!(page.attrs("meta[name=robots]", "content"), ["noindex"]);
        assert_eq!(page.attrs("body a", "href"), ["/blog/posts/refunds/"]);
        // The title is escaped, and reads as written.
        assert_eq!(page.texts("body a"), ["Refunds & \"returns\" <today>"]);
        assert_eq!(page.texts("title"), ["Refunds & \"returns\" <today>"]);
    }
    assert!(site.read("old/refunds.html").contains("Refunds &amp; &quot;returns&quot; &lt;today&gt;"));
    // A path without a trailing slash or `.html` is a folder, as Hugo makes it.
    let about = site.page("/about-us/");
    assert_eq!(about.attrs("meta[http-equiv=refresh]", "content"), ["0; url=/blog/about/"]);
    // A query cannot be a file: nothing is written for it.
    assert!(!site.exists("index.php"));
    // Redirect pages are in no sitemap and no feed (whose items only link
    // to them, from the text of a post).
    let sitemap = site.read("sitemap.xml");
    assert!(!sitemap.contains("old-refunds") && !sitemap.contains("about-us"), "{sitemap}");
    let feed = site.read("feed.xml");
    assert!(!feed.contains("<link>https://moved.example.org/blog/2019/"), "{feed}");
}

#[test]
fn redirects_lists_every_alias_with_queries_in_netlify_syntax() {
    let site = built();
    let rules: Vec<String> =
        site.read("_redirects").lines().filter(|l| !l.starts_with('#')).map(String::from).collect();
    assert_eq!(
        rules,
        [
            "/blog/2019/05/04/old-refunds/ /blog/posts/refunds/ 301",
            "/blog/ p=123 /blog/posts/refunds/ 301",
            "/blog/old/refunds.html /blog/posts/refunds/ 301",
            "/blog/about-us /blog/about/ 301",
            "/blog/index.php page_id=2 lang=en /blog/about/ 301",
        ]
    );
}

#[test]
fn a_site_without_aliases_writes_no_redirects_file() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("A", "2020-01-01", ""));
    site.build().assert_ok();
    assert!(!site.exists("_redirects"));
}

#[test]
fn check_accepts_links_to_old_urls() {
    let site = SiteTest::from_fixture("aliases");
    let run = site.run(&["check"]);
    run.assert_ok();
    assert!(!run.stderr().contains("warning") && !run.stderr().contains("error"), "{}", run.stderr());
    // A link to an old URL nobody kept is still broken.
    site.file(
        "content/posts/links.md",
        &post("Links to old places", "2020-01-02T10:00:00Z", "")
            .replace("More text.", "[gone](/blog/2018/gone/)"),
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("broken internal link `/blog/2018/gone/`"), "{}", run.stderr());
}

#[test]
fn a_removed_alias_is_gone_after_the_next_build() {
    let site = built();
    assert!(site.exists("old/refunds.html") && site.exists("2019/05/04/old-refunds/index.html"));
    let text = site.source("content/posts/refunds.md").replace("  - /old/refunds.html\n", "");
    site.file("content/posts/refunds.md", &text);
    site.build().assert_ok();
    assert!(!site.exists("old/refunds.html"), "the removed alias's page is swept");
    assert!(site.exists("2019/05/04/old-refunds/index.html"), "the others stay");
    assert!(!site.read("_redirects").contains("old/refunds.html"));
    // With no alias left, `_redirects` goes too.
    let text = site.source("content/posts/refunds.md");
    let start = text.find("aliases:").unwrap();
    let end = text[start..].find("---").unwrap() + start;
    site.file("content/posts/refunds.md", &format!("{}{}", &text[..start], &text[end..]));
    site.file("content/pages/about.md", "---\ntitle: About\n---\n\nWho we are.\n");
    site.build().assert_ok();
    assert!(!site.exists("_redirects") && !site.exists("2019/05/04/old-refunds/index.html"));
    assert!(!site.exists("about-us/index.html"));
    assert!(site.exists("posts/refunds/index.html"));
}

#[test]
fn a_bad_alias_is_an_error_at_its_line_with_the_fix() {
    let site = SiteTest::from_fixture("aliases");
    site.file(
        "content/posts/bad.md",
        &post(
            "Bad",
            "2020-03-01",
            "aliases:\n  - /fine/\n  - old/page.html\n  - /a b/\n  - https://old.example.org/x/\n",
        ),
    );
    let run = site.build();
    assert_eq!(run.code(), 1);
    let err = run.stderr();
    assert!(
        err.contains("content/posts/bad.md:6:5: the alias `old/page.html` does not start with one `/`"),
        "{err}"
    );
    assert!(err.contains("content/posts/bad.md:7:5: the alias `/a b/` holds ' '"), "{err}");
    assert!(err.contains("help: write only its path: `/x/`"), "{err}");
    assert!(!site.exists("index.html"), "nothing was written");
}

#[test]
fn an_alias_that_is_another_url_is_an_error_naming_both_files() {
    let site = SiteTest::from_fixture("aliases");
    site.file("content/posts/other.md", &post("Other", "2020-03-01", ""));
    // Line 5: another post's URL; 6: the refunds post's alias (reported
    // at the older post's, which claims it second: posts go newest first);
    // 7: a generated page; 8: the post's own URL.
    site.file(
        "content/posts/taker.md",
        &post(
            "Taker",
            "2020-03-02",
            "aliases:\n- /posts/other/\n- /old/refunds.html\n- /tags/\n- /posts/taker/index.html\n",
        ),
    );
    let run = site.build();
    assert_eq!(run.code(), 1);
    let err = run.stderr();
    for expected in [
        "content/posts/taker.md:5:1: the alias `/posts/other/` of `content/posts/taker.md` and `content/posts/other.md` both want the URL `/posts/other/`",
        "content/posts/refunds.md:7:1: the alias `/old/refunds.html` of `content/posts/refunds.md` and the alias `/old/refunds.html` of `content/posts/taker.md` both want the URL `/old/refunds.html`",
        "content/posts/taker.md:7:1: the alias `/tags/` of `content/posts/taker.md` and the generated page `/tags/` both want the URL `/tags/`",
        "content/posts/taker.md:8:1: the alias `/posts/taker/index.html` is the URL of `content/posts/taker.md` itself",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(err.contains("help: remove this alias, or change it"), "{err}");
    assert!(!site.exists("index.html"), "nothing was written");
}

#[test]
fn an_alias_on_a_file_the_build_writes_is_an_error() {
    let site = SiteTest::from_fixture("aliases");
    site.file("static/files/index.html", "<p>kept</p>");
    site.file("static/_redirects", "/x /y 301\n");
    site.file("content/posts/taker.md", &post("Taker", "2020-03-02", "aliases: [/files/, /feed.xml/]\n"));
    let run = site.build();
    assert_eq!(run.code(), 1);
    let err = run.stderr();
    for expected in [
        "the alias `/files/` of `content/posts/taker.md` and the static file `static/files/index.html` both want `/files/index.html`",
        "the alias `/feed.xml/` of `content/posts/taker.md` and the feed `/feed.xml` both want `/feed.xml`",
        "static/_redirects: `static/_redirects` and the `_redirects` the build writes for the aliases (such as `/files/` of `content/posts/taker.md`) both want `/_redirects`",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}
