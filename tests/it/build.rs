//! Whole sites built, and their pages checked as parsed HTML.

use crate::support::{SiteTest, post};

/// Five posts over two years, two tags, two categories, and a page
/// (`tests/fixtures/build/`), built.
fn five_posts() -> SiteTest {
    let site = SiteTest::from_fixture("build");
    site.build().assert_ok();
    site
}

#[test]
fn index_is_paginated_newest_first() {
    let site = five_posts();
    let first = site.page("/");
    assert_eq!(first.texts(".post-card-title"), ["Echo", "Delta"]);
    assert_eq!(first.attrs("a[rel=next]", "href"), ["/page/2/"]);
    assert_eq!(first.count("a[rel=prev]"), 0);
    assert_eq!(site.page("/page/2/").texts(".post-card-title"), ["Charlie", "Bravo"]);
    let last = site.page("/page/3/");
    assert_eq!(last.texts(".post-card-title"), ["Alpha"]);
    assert_eq!(last.count("a[rel=next]"), 0);
    assert_eq!(last.texts(".pagination span"), ["Page 3 of 3"]);
    assert!(!site.exists("page/4/index.html"));
    assert!(!site.exists("page/1/index.html"), "page 1 is the index itself");
}

#[test]
fn tags_and_categories_hold_their_posts() {
    let site = five_posts();
    // "phone" and "Phone" are one tag (named as the newest post writes it);
    // "Tools" and "tools" are one category.
    let phone = site.page("/tags/phone/");
    assert_eq!(phone.texts(".post-card-title"), ["Delta", "Alpha"]);
    assert_eq!(site.page("/tags/refunds/").texts(".post-card-title"), ["Bravo", "Alpha"]);
    assert_eq!(site.page("/categories/tools/").texts(".post-card-title"), ["Echo", "Charlie"]);
    let stories = site.page("/categories/stories/");
    assert_eq!(stories.texts(".post-card-title"), ["Bravo", "Alpha"]);
    let tags = site.page("/tags/");
    assert_eq!(tags.texts(".term-cloud li"), ["Phone (2)", "refunds (2)"]);
    assert_eq!(site.page("/categories/").count(".term-cloud li"), 2);
    // A tag page paginates like the index.
    site.file("content/posts/f.md", &post("Foxtrot", "2019-01-01", "tags: [refunds]\n"));
    site.build().assert_ok();
    assert_eq!(site.page("/tags/refunds/page/2/").texts(".post-card-title"), ["Foxtrot"]);
}

#[test]
fn archives_group_by_year_and_month() {
    let site = five_posts();
    let archive = site.page("/archive/");
    assert_eq!(archive.texts(".archive-year h2 a"), ["2021", "2020"]);
    assert_eq!(archive.texts(".archive-list a"), ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]);
    let year = site.page("/2020/");
    assert_eq!(year.texts("h3"), ["March 2020", "January 2020"]);
    assert_eq!(year.texts(".archive-list a"), ["Charlie", "Bravo", "Alpha"]);
    assert_eq!(site.page("/2020/03/").texts(".archive-list a"), ["Charlie", "Bravo"]);
    assert_eq!(site.page("/2021/07/").texts("h1"), ["Posts from July 2021"]);
}

#[test]
fn post_page_has_meta_author_and_neighbours() {
    let site = five_posts();
    let page = site.page("/posts/a/");
    assert_eq!(page.texts("h1"), ["Alpha"]);
    assert_eq!(page.attrs("time", "datetime")[0], "2020-01-10T00:00:00+00:00");
    assert!(page.texts(".post-meta")[0].contains("January 10, 2020"));
    assert!(page.texts(".post-meta")[0].contains("Filed under Stories"));
    assert_eq!(page.texts(".author-box .author-name"), ["Written by Ann Example"]);
    assert_eq!(page.texts(".author-bio"), ["Answers phones."]);
    assert_eq!(page.attrs(".post-nav a[rel=next]", "href"), ["/posts/b/"]);
    assert_eq!(page.count(".post-nav a[rel=prev]"), 0, "Alpha is the oldest");
    assert_eq!(page.attrs("link[rel=canonical]", "href"), ["https://blog.example.org/posts/a/"]);
    assert!(page.count(".share a") >= 3);
    let author = site.page("/authors/ann/");
    assert_eq!(author.texts(".post-card-title"), ["Delta", "Alpha"]);
    let about = site.page("/about/");
    assert_eq!(about.texts("h1"), ["About us"]);
    assert!(site.page("/").attrs(".site-nav a", "href").contains(&"/about/".to_string()));
}

#[test]
fn republished_posts_point_canonical_at_the_source() {
    let site = SiteTest::new();
    site.file(
        "content/posts/r.md",
        &post("Re", "2020-01-01", "source:\n  url: https://orig.example.net/x\n  name: Orig\n  note: Republished with permission.\nphoto_credit: Jo\n"),
    );
    site.build().assert_ok();
    let page = site.page("/posts/r/");
    assert_eq!(page.attrs("link[rel=canonical]", "href"), ["https://orig.example.net/x"]);
    assert_eq!(page.attrs(".attribution a", "href"), ["https://orig.example.net/x"]);
    assert!(page.texts(".attribution")[0].starts_with("Republished with permission."));
    assert_eq!(page.texts(".photo-credit"), ["Photo: Jo"]);
}

#[test]
fn drafts_and_future_posts_are_left_out_unless_asked() {
    let site = SiteTest::new();
    site.file("content/posts/now.md", &post("Published", "2020-01-01", ""))
        .file("content/posts/draft.md", &post("Draft", "2020-01-02", "draft: true\n"))
        .file("content/posts/future.md", &post("Future", "2999-01-01", ""));
    let run = site.build();
    run.assert_ok();
    assert!(run.stdout().contains("2 drafts or future posts left out"), "{}", run.stdout());
    assert_eq!(site.page("/").texts(".post-card-title"), ["Published"]);
    assert!(!site.exists("posts/draft/index.html") && !site.exists("posts/future/index.html"));
    assert!(!site.read("sitemap.xml").contains("draft"));
    site.run(&["build", "--drafts"]).assert_ok();
    assert!(site.exists("posts/draft/index.html") && site.exists("posts/future/index.html"));
}

#[test]
fn permalink_patterns_place_posts() {
    let site = SiteTest::with_config(
        &crate::support::CONFIG.replace("posts_per_page = 2", "permalink = \"/:year/:month/:day/:slug/\""),
    );
    site.file("content/posts/a.md", &post("Alpha", "2020-01-10T23:30:00Z", ""));
    site.build().assert_ok();
    assert!(site.exists("2020/01/10/a/index.html"));
    assert_eq!(site.page("/").attrs(".post-card-title a", "href"), ["/2020/01/10/a/"]);
    assert!(site.read("sitemap.xml").contains("<loc>https://blog.example.org/2020/01/10/a/</loc>"));

    let site = SiteTest::with_config(
        &crate::support::CONFIG.replace("posts_per_page = 2", "permalink = \"/:category/:slug/\""),
    );
    site.file("content/posts/a.md", &post("Alpha", "2020-01-10", "category: Phone Support\n"));
    site.build().assert_ok();
    assert!(site.exists("phone-support/a/index.html"));
}

#[test]
fn a_site_under_a_path_links_below_it() {
    let site = SiteTest::with_config(
        &crate::support::CONFIG.replace("https://blog.example.org/", "https://example.org/blog/"),
    );
    site.file("content/posts/a.md", &post("Alpha", "2020-01-10", "tags: [x]\n"));
    site.build().assert_ok();
    let index = site.page("/");
    assert_eq!(index.attrs(".post-card-title a", "href"), ["/blog/posts/a/"]);
    assert!(
        index
            .attrs("link[rel=stylesheet]", "href")
            .contains(&"https://example.org/blog/style.css".to_string())
    );
    assert_eq!(site.page("/posts/a/").attrs(".tag-list a", "href"), ["/blog/tags/x/"]);
}

#[test]
fn script_in_titles_and_tags_is_escaped() {
    let site = SiteTest::new();
    site.file(
        "content/posts/x.md",
        "---\ntitle: \"<script>alert(1)</script> & more\"\ndate: 2020-01-01\ntags: [\"<script>alert(2)</script>\"]\ncategory: \"<img src=x onerror=alert(3)>\"\n---\nBody.\n",
    );
    site.build().assert_ok();
    for url in ["/", "/posts/x/", "/tags/", "/archive/"] {
        let page = site.page(url);
        assert_eq!(
            page.count("script:not([src$='/comments.js']):not([type='application/ld+json'])"),
            0,
            "{url} has a script element"
        );
        // The JSON-LD holds the text with `<` escaped (tests/it/metadata.rs).
        assert!(page.texts("script[type='application/ld+json']").iter().all(|t| !t.contains('<')));
        assert_eq!(page.count("img[onerror]"), 0, "{url} has an onerror");
    }
    let page = site.page("/posts/x/");
    assert_eq!(page.texts("h1"), ["<script>alert(1)</script> & more"]);
    assert_eq!(page.texts(".tag-list a"), ["<script>alert(2)</script>"]);
    assert!(site.read("posts/x/index.html").contains("&lt;script&gt;alert(1)"));
}

#[test]
fn one_template_can_be_overridden() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("Alpha", "2020-01-10", ""))
        .file(
            "themes/default/templates/404.html",
            "{% extends \"base.html\" %}{% block main %}<h1>Lost?</h1>{% endblock main %}",
        )
        .file("themes/default/static/extra.css", "body{}");
    site.build().assert_ok();
    assert_eq!(site.page("/404.html").texts("h1"), ["Lost?"]);
    assert_eq!(
        site.page("/404.html").texts(".site-title"),
        ["Test Blog"],
        "base.html still the built-in one"
    );
    assert_eq!(site.page("/posts/a/").texts("h1"), ["Alpha"], "post.html still the built-in one");
    assert!(site.exists("extra.css") && site.exists("style.css"));
}

#[test]
fn a_whole_theme_of_its_own() {
    let site = SiteTest::with_config(&format!(
        "{}theme = \"plain\"\n",
        crate::support::CONFIG.split("\n\n").next().unwrap().to_string() + "\n"
    ));
    site.file("content/posts/a.md", &post("Alpha", "2020-01-10", ""))
        .file("themes/plain/templates/base.html", "<!DOCTYPE html><html><head>{% block head %}{% endblock head %}</head><body><main>{% block main %}{% endblock main %}</main></body></html>");
    site.build().assert_ok();
    let page = site.page("/posts/a/");
    assert_eq!(page.count(".site-header"), 0, "the site's base.html is used");
    assert_eq!(page.texts("h1"), ["Alpha"]);
}

#[test]
fn bundles_highlighting_and_support_files() {
    let site = SiteTest::new();
    site.file(
        "content/posts/trip/index.md",
        &post("Trip", "2020-01-10", "").replace(
            "More text.",
            "![map](map.png)\n\n```rust\nfn main() {}\n```\n\n```nosuchlang\n<x>\n```\n",
        ),
    )
    .file("content/posts/trip/map.png", "PNG")
    .file("static/favicon.ico", "ICO");
    site.build().assert_ok();
    assert_eq!(site.read("posts/trip/map.png"), "PNG");
    assert_eq!(site.read("favicon.ico"), "ICO");
    let page = site.page("/posts/trip/");
    assert!(page.count("pre code.language-rust span[class^=hl-]") > 0);
    assert_eq!(page.texts("pre code.language-nosuchlang"), ["<x>"]);
    assert!(site.read("syntax.css").contains("prefers-color-scheme: dark"));
    assert!(site.read("robots.txt").contains("Sitemap: https://blog.example.org/sitemap.xml"));
    let sitemap = site.read("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://blog.example.org/posts/trip/</loc>")
            && sitemap.contains("<lastmod>2020-01-10</lastmod>")
    );
    assert!(site.exists("404.html"));
}

#[test]
fn a_rebuild_replaces_the_output_and_keeps_only_the_previous_build() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("Alpha", "2020-01-10", ""))
        .file("content/posts/b.md", &post("Bravo", "2020-01-11", ""));
    site.build().assert_ok();
    site.remove("content/posts/b.md");
    site.build().assert_ok();
    assert!(!site.exists("posts/b/index.html"), "a removed post's page is gone");
    let names: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // The build before is kept, for the next build to rewrite in place.
    let hidden: Vec<&String> = names.iter().filter(|n| n.starts_with(".public")).collect();
    assert_eq!(hidden, [".public.previous"], "{names:?}");
    assert!(site.root().join(".public.previous/posts/b/index.html").exists());
}

/// See: issue 15. A tag, category and slug longer than a file name may be
/// failed every build ("File name too long"); now each is cut with a hash,
/// warned about at its line, and linked where its page really is.
#[test]
fn issue_15_a_300_character_tag_category_and_slug_build_warn_and_link() {
    let long = |word: &str| format!("{word} ").repeat(300 / (word.len() + 1) + 1).trim().to_string();
    let (tag, category, slug) = (long("refund"), long("stories"), long("queue"));
    assert!(tag.len() >= 300 && category.len() >= 300 && slug.len() >= 300);
    let site = SiteTest::with_config(&format!(
        "{}\n[authors.{}]\nname = \"Long\"\n",
        crate::support::CONFIG,
        "a".repeat(300)
    ));
    site.file(
        "content/posts/long.md",
        &format!(
            "---\ntitle: Long names\ndate: 2020-01-01\nslug: {slug:?}\ncategory: {category:?}\ntags: [{tag:?}, short]\nauthor: {}\n---\nBody.\n",
            "a".repeat(300)
        ),
    );
    site.file(
        "content/posts/other.md",
        &post("Other", "2020-01-02", &format!("tags: [{:?}]\n", format!("{tag} two"))),
    );
    let run = site.build();
    run.assert_ok();
    let stderr = run.stderr();
    for (line, what) in [
        ("content/posts/long.md:4:1", "the slug"),
        ("content/posts/long.md:5:1", "the category"),
        ("content/posts/long.md:6:1", "a tag"),
    ] {
        assert!(stderr.contains(&format!("warning: {line}: {what} `")), "{what} at {line}:\n{stderr}");
    }
    assert!(stderr.contains("author id `aaaa"), "{stderr}");
    // Each link on the post's page leads to a page that was built.
    let url = site.page("/").attrs(".post-card-title a", "href");
    assert_eq!(url.len(), 2, "{url:?}");
    let long_url = url.iter().find(|u| u.starts_with("/posts/queue-queue")).expect("the long post is listed");
    assert!(long_url.len() < 140, "{long_url}");
    let page = site.page(long_url);
    let links: Vec<String> =
        [".post-meta a", ".tag-list a"].iter().flat_map(|css| page.attrs(css, "href")).collect();
    assert!(links.iter().any(|l| l.starts_with("/tags/refund-refund")), "{links:?}");
    assert!(links.iter().any(|l| l.starts_with("/categories/stories-stories")), "{links:?}");
    for link in links.iter().chain(page.attrs(".author-box a", "href").iter()) {
        assert!(link.split('/').all(|part| part.len() <= 120), "{link}");
        if link.starts_with('/') && !link.contains('#') {
            assert!(
                site.exists(&format!("{}index.html", link.trim_start_matches('/'))),
                "{link} was not built"
            );
        }
    }
    // Two long tags that share their start stay two pages.
    let tags = site.page("/tags/").attrs(".term-cloud a", "href");
    assert_eq!(tags.iter().filter(|t| t.starts_with("/tags/refund-refund")).count(), 2, "{tags:?}");
}
