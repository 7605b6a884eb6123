//! Feeds, read back with a real feed parser (feed-rs): counts, order,
//! absolute links, stable ids, dates, categories, escaping, and
//! byte-identical rebuilds.

use feed_rs::model::{Entry, Feed};

use crate::support::{CONFIG, SiteTest};

fn parse(site: &SiteTest, path: &str) -> Feed {
    let bytes = std::fs::read(site.public(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    feed_rs::parser::parse(&bytes[..])
        .unwrap_or_else(|e| panic!("{path} does not parse: {e}\n{}", String::from_utf8_lossy(&bytes)))
}

fn titles(feed: &Feed) -> Vec<String> {
    feed.entries.iter().map(|e| e.title.as_ref().map(|t| t.content.clone()).unwrap_or_default()).collect()
}

fn link(e: &Entry) -> &str {
    &e.links[0].href
}

/// Five posts (one a bundle with an image and a footnote), with comments
/// (`tests/fixtures/feeds/`, whose `site.toml` ends in `[feeds]` with
/// `items = 3`), built; `extra_config` goes at the end of that table.
fn site(extra_config: &str) -> SiteTest {
    let site = SiteTest::from_fixture("feeds");
    site.file("site.toml", &format!("{}{extra_config}", site.source("site.toml")));
    site.build().assert_ok();
    site
}

#[test]
fn the_site_feed_holds_the_newest_posts_with_absolute_links() {
    let site = site("");
    let feed = parse(&site, "feed.xml");
    assert_eq!(feed.title.as_ref().unwrap().content, "Test Blog");
    assert_eq!(titles(&feed), ["Echo", "Delta", "Charlie"], "items = 3, newest first");
    for e in &feed.entries {
        assert!(link(e).starts_with("https://blog.example.org/posts/"), "{}", link(e));
        assert!(e.id.starts_with("tag:blog.example.org,2020-"), "{}", e.id);
    }
    let echo = &feed.entries[0];
    assert_eq!(echo.published.unwrap().to_rfc3339(), "2020-05-01T12:30:00+00:00");
    let content = echo.content.as_ref().and_then(|c| c.body.clone()).unwrap();
    assert!(content.contains("src=\"https://blog.example.org/posts/e/map.png\""), "{content}");
    assert!(content.contains("href=\"https://blog.example.org/posts/a/\""), "{content}");
    assert!(content.contains("href=\"https://blog.example.org/posts/e/#"), "footnote links too: {content}");
    assert!(echo.summary.is_some());
    let xml = site.read("feed.xml");
    assert!(
        xml.contains("<lastBuildDate>Sun, 03 May 2020 08:00:00 +0000</lastBuildDate>"),
        "the newest item's date: {xml}"
    );
    assert!(xml.contains("<atom:link href=\"https://blog.example.org/feed.xml\" rel=\"self\""), "{xml}");
    assert!(xml.contains("<language>en</language>"));
}

#[test]
fn items_carry_author_dates_and_categories() {
    let site = site("");
    let feed = parse(&site, "categories/stories/feed.xml");
    assert_eq!(titles(&feed), ["Bravo", "Alpha"]);
    let bravo = &feed.entries[0];
    assert_eq!(bravo.published.unwrap().to_rfc3339(), "2020-02-01T07:00:00+00:00");
    assert!(
        site.read("categories/stories/feed.xml")
            .contains("<pubDate>Sat, 01 Feb 2020 09:00:00 +0200</pubDate>")
    );
    let alpha = &feed.entries[1];
    let cats: Vec<&str> = alpha.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(cats, ["Stories", "phone", "refunds"]);
    assert_eq!(alpha.authors[0].name.as_deref(), Some("Ann Example"));
    assert_eq!(titles(&parse(&site, "tags/refunds/feed.xml")), ["Delta", "Charlie", "Bravo"]);
    assert_eq!(titles(&parse(&site, "authors/ann/feed.xml")), ["Alpha"]);
}

#[test]
fn comment_feeds_hold_published_comments_only() {
    let site = site("");
    let recent = parse(&site, "comments/feed.xml");
    assert_eq!(
        titles(&recent),
        ["Comment on \u{201c}Alpha\u{201d} by Anonymous", "Comment on \u{201c}Alpha\u{201d} by Kim"]
    );
    assert_eq!(link(&recent.entries[1]), "https://blog.example.org/posts/a/#comment-k1");
    assert_eq!(recent.entries[1].published.unwrap().to_rfc3339(), "2020-01-02T10:00:00+00:00");
    let body = recent.entries[1].content.as_ref().and_then(|c| c.body.clone()).unwrap();
    assert!(body.contains("First!"));
    let per_post = parse(&site, "posts/a/comments.xml");
    assert_eq!(per_post.entries.len(), 2);
    assert_eq!(
        parse(&site, "posts/b/comments.xml").entries.len(),
        0,
        "a post without comments still has its feed"
    );
    for path in ["comments/feed.xml", "posts/a/comments.xml"] {
        let xml = site.read(path);
        assert!(!xml.contains("Pending.") && !xml.contains("private.example"), "{path}");
    }
}

#[test]
fn pages_announce_their_feeds() {
    let site = site("");
    let post = site.page("/posts/a/");
    let alternates = post.attrs("link[rel=alternate][type='application/rss+xml']", "href");
    assert_eq!(alternates, ["/feed.xml", "/posts/a/comments.xml"]);
    assert_eq!(post.texts(".comment-feed a"), ["RSS feed for comments on this post"]);
    assert_eq!(
        site.page("/tags/refunds/").attrs("link[rel=alternate]", "href"),
        ["/feed.xml", "/tags/refunds/feed.xml"]
    );
    assert_eq!(
        site.page("/categories/stories/").attrs("link[rel=alternate]", "href")[1],
        "/categories/stories/feed.xml"
    );
    assert_eq!(site.page("/authors/ann/").attrs("link[rel=alternate]", "href")[1], "/authors/ann/feed.xml");
    assert_eq!(site.page("/").attrs("link[rel=alternate]", "href"), ["/feed.xml"]);
    assert!(
        site.page("/archive/")
            .attrs("a.subscribe", "href")
            .contains(&"https://blog.example.org/feed.xml".to_string())
    );
}

#[test]
fn rebuilds_are_byte_identical_and_ids_survive_a_permalink_change() {
    let site = site("");
    let files = ["feed.xml", "comments/feed.xml", "tags/refunds/feed.xml", "posts/a/comments.xml"];
    let first: Vec<String> = files.iter().map(|f| site.read(f)).collect();
    let ids: Vec<String> = parse(&site, "feed.xml").entries.iter().map(|e| e.id.clone()).collect();
    site.build().assert_ok();
    let second: Vec<String> = files.iter().map(|f| site.read(f)).collect();
    assert_eq!(first, second, "two builds give byte-identical feeds");
    // `permalink` is a top-level key, so it goes before the tables.
    let moved_config = site
        .source("site.toml")
        .replace("posts_per_page = 2\n", "posts_per_page = 2\npermalink = \"/:year/:month/:slug/\"\n");
    site.file("site.toml", &moved_config);
    site.build().assert_ok();
    let moved = parse(&site, "feed.xml");
    let moved_ids: Vec<String> = moved.entries.iter().take(3).map(|e| e.id.clone()).collect();
    assert_eq!(moved_ids, ids, "ids do not follow the URL");
    assert_eq!(link(&moved.entries[0]), "https://blog.example.org/2020/05/e/");
}

#[test]
fn hostile_text_still_gives_well_formed_feeds() {
    let site = SiteTest::with_config(&format!("{CONFIG}\n[feeds]\natom = true\njson = true\n"));
    let title = "A & B <c> ]]> \\\"q\\\" 'x' 🎉 שלום \\u0001 end";
    site.file(
        "content/posts/x.md",
        &format!("---\ntitle: \"{title}\"\ndate: 2020-01-01\ntags: [\"<script>\", \"a&b\"]\ncategory: \"R&D ]]>\"\n---\nBody with ]]> and <b>bold</b> & \u{7}bell and \u{202e}rtl.\n\n<div title=\"]]>\">raw ]]> in an HTML block</div>\n"),
    )
    .file("content/comments/x/h1.md", "---\nid: h1\nauthor: \"<img src=x> ]]> \\x01\"\ndate: 2020-01-02T00:00:00Z\nstatus: approved\n---\nA ]]> comment & more \u{2}.\n");
    site.build().assert_ok();
    let expected = "A & B <c> ]]> \"q\" 'x' 🎉 שלום  end";
    for path in ["feed.xml", "atom.xml", "feed.json", "tags/script/feed.xml", "categories/r-d/feed.xml"] {
        let feed = parse(&site, path);
        assert_eq!(titles(&feed), [expected], "{path}");
        let e = &feed.entries[0];
        let body = e.content.as_ref().and_then(|c| c.body.clone()).unwrap_or_default();
        assert!(body.contains("raw ]]> in an HTML block") && body.contains("bell"), "{path}: {body}");
        assert!(!body.contains('\u{7}'), "{path}: control characters are stripped");
    }
    for path in [
        "comments/feed.xml",
        "comments/atom.xml",
        "comments/feed.json",
        "posts/x/comments.xml",
        "posts/x/comments.atom.xml",
    ] {
        let feed = parse(&site, path);
        assert_eq!(feed.entries.len(), 1, "{path}");
        assert!(titles(&feed)[0].ends_with("by <img src=x> ]]>"), "{path}: {:?}", titles(&feed));
    }
}

#[test]
fn atom_and_json_sit_beside_rss_when_asked() {
    let site = site("atom = true\njson = true\nfull_content = false\n");
    let atom = parse(&site, "atom.xml");
    assert_eq!(titles(&atom), ["Echo", "Delta", "Charlie"]);
    let echo = &atom.entries[0];
    assert!(echo.summary.is_some() && echo.content.is_some(), "Atom entries carry both summary and content");
    assert_eq!(echo.updated.unwrap().to_rfc3339(), "2020-05-03T08:00:00+00:00");
    let json = parse(&site, "feed.json");
    assert_eq!(titles(&json), ["Echo", "Delta", "Charlie"]);
    assert_eq!(json.entries[0].id, parse(&site, "feed.xml").entries[0].id, "one id in every format");
    assert!(site.exists("tags/refunds/atom.xml") && site.exists("posts/a/comments.json"));
    // Summary only: no full text in RSS.
    assert!(!site.read("feed.xml").contains("content:encoded"));
    let alternates = site.page("/").attrs("link[rel=alternate]", "type");
    assert_eq!(alternates, ["application/rss+xml", "application/atom+xml", "application/feed+json"]);
}

#[test]
fn every_feed_of_the_example_site_parses() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_parlor"))
        .args(["--root", repo.to_str().unwrap(), "build", "--quiet", "--output", public.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut feeds = Vec::new();
    let mut stack = vec![public.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                stack.push(p);
            } else if name.ends_with(".xml") && name != "sitemap.xml" {
                feeds.push(p);
            }
        }
    }
    assert!(feeds.len() > 20, "{} feeds", feeds.len());
    for path in feeds {
        let bytes = std::fs::read(&path).unwrap();
        let feed = feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(feed.title.is_some(), "{}", path.display());
        for e in &feed.entries {
            assert!(e.links[0].href.starts_with("https://parlor.example.org/"), "{}", path.display());
        }
    }
}
