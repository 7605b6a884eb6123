//! The persistent cache (`.parlor/cache/`): a cached build writes exactly
//! what a cold build writes, and every kind of change reaches the output.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{SiteTest, post};

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir(dir) {
        let relative = entry.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        files.insert(relative, std::fs::read(&entry).unwrap());
    }
    files
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walkdir(&path)) } else { out.push(path) }
    }
    out
}

/// Builds with the cache, then again from nothing but the sources (and
/// the form secret), and checks the two outputs are byte for byte equal.
#[track_caller]
fn assert_cached_build_is_cold_build(site: &SiteTest) {
    site.build().assert_ok();
    let cached = tree(&site.root().join("public"));
    std::fs::remove_dir_all(site.root().join(".parlor/cache")).unwrap();
    std::fs::remove_dir_all(site.root().join("public")).unwrap();
    let _ = std::fs::remove_dir_all(site.root().join(".public.previous"));
    site.build().assert_ok();
    let cold = tree(&site.root().join("public"));
    assert_eq!(cached.keys().collect::<Vec<_>>(), cold.keys().collect::<Vec<_>>());
    for (path, bytes) in &cached {
        assert!(bytes == &cold[path], "{path} differs between the cached and the cold build");
    }
}

fn blog() -> SiteTest {
    let site = SiteTest::new();
    let code = "```python\ndef refund(order):\n    return order.total\n```\n";
    site.file("content/posts/a.md", &format!("{}\n{code}", post("Alpha", "2020-01-10", "tags: [phones]\n")))
        .file("content/posts/b.md", &post("Bravo", "2020-01-11", "tags: [phones]\ncategory: Support\n"))
        .file("content/posts/c.md", &post("Charlie", "2020-01-12", ""))
        .file("content/pages/about.md", "---\ntitle: About\n---\n\nWho we are.\n")
        .file("content/comments/a/c1.md", &comment("c1", "approved", "First!"))
        .file("content/comments/a/c2.md", &comment("c2", "pending", "Waiting."))
        .file("static/robots-extra.txt", "static");
    site
}

fn comment(id: &str, status: &str, body: &str) -> String {
    format!("---\nid: {id}\nauthor: Reader\ndate: 2020-02-01T10:00:00Z\nstatus: {status}\n---\n\n{body}\n")
}

#[test]
fn a_build_with_nothing_changed_writes_nothing_and_matches_a_cold_build() {
    let site = blog();
    site.build().assert_ok();
    assert!(site.root().join(".parlor/cache/content.bin").exists());
    assert!(site.root().join(".parlor/cache/outputs.bin").exists());
    assert_eq!(site.page("/posts/a/").texts(".comment-body"), ["First!"]);
    let before = std::fs::metadata(site.public("posts/a/index.html")).unwrap().modified().unwrap();
    let run = site.build();
    run.assert_ok();
    assert!(run.stdout().contains("nothing had changed"), "{}", run.stdout());
    let after = std::fs::metadata(site.public("posts/a/index.html")).unwrap().modified().unwrap();
    assert_eq!(before, after, "an unchanged page is not written again");
    assert_cached_build_is_cold_build(&site);
}

#[test]
fn a_changed_post_reaches_its_page_its_neighbours_and_its_lists() {
    let site = blog();
    site.build().assert_ok();
    site.file(
        "content/posts/b.md",
        &post("Bravo Renamed", "2020-01-11", "tags: [phones]\ncategory: Support\n"),
    );
    site.build().assert_ok();
    assert_eq!(site.page("/posts/b/").texts("h1"), ["Bravo Renamed"]);
    assert!(site.read("posts/a/index.html").contains("Bravo Renamed"), "the older neighbour links to it");
    assert!(site.read("tags/phones/index.html").contains("Bravo Renamed"));
    assert!(site.read("feed.xml").contains("Bravo Renamed"));
    assert_cached_build_is_cold_build(&site);
}

/// `serve`'s in-memory build, with its caches, and each output's bytes.
fn build_in_memory(
    options: &parlor::BuildOptions,
    incremental: &mut parlor::Incremental,
) -> BTreeMap<String, std::sync::Arc<[u8]>> {
    let (report, rendered) = parlor::build_in_memory(options, incremental).unwrap();
    assert!(!report.has_errors(), "{:?}", report.diagnostics);
    let mut out = BTreeMap::new();
    for f in rendered.expect("the site builds").files {
        if let parlor::render::OutputContent::Shared(bytes) = f.content {
            out.insert(f.path, bytes);
        }
    }
    out
}

#[test]
fn an_edited_text_leaves_the_archives_and_a_new_title_reaches_them() {
    let site = blog();
    let options = parlor::BuildOptions::new(site.root().to_path_buf(), jiff::Timestamp::now());
    let mut incremental = parlor::Incremental::default();
    let first = build_in_memory(&options, &mut incremental);
    // The archives and a neighbour's link show a post's title, URL, date
    // and comment count, not its text: they are not rendered again.
    let untouched = ["archive/index.html", "2020/index.html", "2020/01/index.html", "posts/a/index.html"];
    let bravo = post("Bravo", "2020-01-11", "tags: [phones]\ncategory: Support\n");
    site.file("content/posts/b.md", &format!("{bravo}\nA paragraph added later.\n"));
    let second = build_in_memory(&options, &mut incremental);
    assert!(String::from_utf8_lossy(&second["posts/b/index.html"]).contains("A paragraph added later."));
    for page in untouched {
        assert!(std::sync::Arc::ptr_eq(&first[page], &second[page]), "{page} was rendered again");
    }

    site.file("content/posts/b.md", &post("Bravo Retitled", "2020-01-11", "tags: [phones]\n"));
    site.file("content/comments/b/c3.md", &comment("c3", "approved", "On Bravo."));
    let third = build_in_memory(&options, &mut incremental);
    for page in untouched {
        let html = String::from_utf8_lossy(&third[page]);
        assert!(html.contains("Bravo Retitled"), "{page} shows the new title");
    }
    assert!(String::from_utf8_lossy(&third["archive/index.html"]).contains("(1 comment)"));
    // And the cached build equals a cold one.
    assert_cached_build_is_cold_build(&site);
}

#[test]
fn serve_reads_again_only_named_files_and_never_forgets_a_broken_one() {
    let site = blog();
    let options = parlor::BuildOptions::new(site.root().to_path_buf(), jiff::Timestamp::now());
    let mut incremental = parlor::Incremental::default();
    build_in_memory(&options, &mut incremental);
    let b = site.root().join("content/posts/b.md");
    let errors = |incremental: &mut parlor::Incremental| {
        let (report, _) = parlor::build_in_memory(&options, incremental).unwrap();
        report.diagnostics.iter().map(|d| format!("{}: {}", d.path.display(), d.message)).collect::<Vec<_>>()
    };
    // The watcher names the one file that changed; it is read again.
    std::fs::write(&b, b"---\ntitle: \xff\n---\n").unwrap();
    incremental.load.only_changed([b.clone()]);
    assert_eq!(errors(&mut incremental), ["content/posts/b.md: not valid UTF-8 (at byte 11)"]);
    // Nothing changed since: the broken file is still reported, not dropped.
    incremental.load.only_changed([]);
    assert_eq!(errors(&mut incremental), ["content/posts/b.md: not valid UTF-8 (at byte 11)"]);
    site.file("content/posts/b.md", &post("Bravo Mended", "2020-01-11", ""));
    incremental.load.only_changed([b]);
    let pages = build_in_memory(&options, &mut incremental);
    assert!(String::from_utf8_lossy(&pages["posts/b/index.html"]).contains("Bravo Mended"));
    // A file the watcher did not name is taken as it was.
    std::fs::write(site.root().join("content/posts/c.md"), post("Charlie Unseen", "2020-01-12", "")).unwrap();
    incremental.load.only_changed([]);
    let pages = build_in_memory(&options, &mut incremental);
    assert!(!String::from_utf8_lossy(&pages["posts/c/index.html"]).contains("Charlie Unseen"));
}

#[test]
fn a_changed_comment_reaches_its_post() {
    let site = blog();
    site.build().assert_ok();
    site.file("content/comments/a/c2.md", &comment("c2", "approved", "Now published."));
    site.build().assert_ok();
    assert!(site.page("/posts/a/").texts(".comment-body").contains(&"Now published.".to_string()));
    assert_cached_build_is_cold_build(&site);
}

#[test]
fn a_changed_template_reaches_every_page() {
    let site = blog();
    site.build().assert_ok();
    site.file(
        "themes/default/templates/partials/post_meta.html",
        "<p class=\"post-meta\">TEMPLATE-CHANGED</p>",
    );
    site.build().assert_ok();
    assert!(site.read("posts/a/index.html").contains("TEMPLATE-CHANGED"));
    assert!(site.read("index.html").contains("TEMPLATE-CHANGED"));
    assert_cached_build_is_cold_build(&site);
}

#[test]
fn a_changed_config_reaches_every_page() {
    let site = blog();
    site.build().assert_ok();
    site.file("site.toml", &crate::support::CONFIG.replace("Test Blog", "Renamed Blog"));
    site.build().assert_ok();
    for page in ["index.html", "posts/c/index.html", "about/index.html", "tags/phones/index.html"] {
        assert!(site.read(page).contains("Renamed Blog"), "{page}");
    }
    assert_cached_build_is_cold_build(&site);
}

#[test]
fn a_changed_static_file_and_a_hand_edited_output_are_written_again() {
    let site = blog();
    site.build().assert_ok();
    site.file("static/robots-extra.txt", "changed static");
    std::fs::write(site.public("posts/c/index.html"), "edited by hand").unwrap();
    site.build().assert_ok();
    assert_eq!(site.read("robots-extra.txt"), "changed static");
    assert_eq!(site.page("/posts/c/").texts("h1"), ["Charlie"]);
    assert_cached_build_is_cold_build(&site);
}

/// Replaces `from` with `to` (same length) inside a cache file.
fn tamper(path: &Path, from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let bytes = std::fs::read(path).unwrap();
    let at = bytes.windows(from.len()).position(|w| w == from.as_bytes()).expect("text in the cache");
    let mut changed = bytes.clone();
    changed[at..at + from.len()].copy_from_slice(to.as_bytes());
    std::fs::write(path, changed).unwrap();
}

#[test]
fn the_cache_of_another_parlor_build_is_not_used() {
    let site = blog();
    site.build().assert_ok();
    let content = site.root().join(".parlor/cache/content.bin");
    let outputs = site.root().join(".parlor/cache/outputs.bin");
    // First prove the cache is read: a planted rendering is what comes out.
    tamper(&content, "The first paragraph of Charlie", "THE FIRST PARAGRAPH OF CHARLIE");
    std::fs::remove_file(&outputs).unwrap();
    site.build().assert_ok();
    assert!(site.read("posts/c/index.html").contains("THE FIRST PARAGRAPH OF CHARLIE"));
    // The same cache, stamped by another build of parlor, is ignored.
    let other = parlor::BUILD_ID.replace(|c: char| c.is_ascii_hexdigit(), "0");
    assert_ne!(other, parlor::BUILD_ID);
    tamper(&content, parlor::BUILD_ID, &other);
    tamper(&outputs, parlor::BUILD_ID, &other);
    site.build().assert_ok();
    assert!(site.read("posts/c/index.html").contains("The first paragraph of Charlie"));
    assert_cached_build_is_cold_build(&site);
}

/// Issue 17: a list page shows each post's comment mode, which depends on
/// the time (comments close by age), but the fingerprint left it out, so
/// a list page kept "open" after comments had closed. The mode is now a
/// value of the model, made at the build's `now`.
#[test]
fn issue_17_a_list_page_follows_comments_closing_by_age() {
    let site = SiteTest::with_config(
        "title = \"T\"\nbase_url = \"https://blog.example.org/\"\ntheme = \"mine\"\n[comments]\nclose_after_days = 30\n",
    );
    site.file(
        "themes/mine/templates/partials/post_meta.html",
        "<p class=\"post-meta\">comments: <span class=\"mode\">{{ post.comments }}</span></p>\n",
    );
    site.file("content/posts/a.md", &post("Alpha", "2020-01-01", ""));
    let at = |date: &str| {
        let now: jiff::Timestamp = format!("{date}T12:00:00Z").parse().unwrap();
        parlor::BuildOptions::new(site.root().to_path_buf(), now)
    };
    let mut incremental = parlor::Incremental::default();
    let mode = |pages: &BTreeMap<String, std::sync::Arc<[u8]>>| {
        let html = String::from_utf8_lossy(&pages["index.html"]).into_owned();
        crate::support::Page { html: scraper::Html::parse_document(&html) }.texts(".mode")
    };
    let open = build_in_memory(&at("2020-01-10"), &mut incremental);
    assert_eq!(mode(&open), ["open"]);
    let later = build_in_memory(&at("2020-03-01"), &mut incremental);
    assert_eq!(mode(&later), ["closed"], "the list page is made again when comments close");
    let fresh = build_in_memory(&at("2020-03-01"), &mut parlor::Incremental::default());
    assert_eq!(later, fresh, "a cached build equals a fresh one");
}

/// Issue 17: every value a view shows, changed in turn, reaches every page
/// that shows it: after each change the cached in-memory build (`serve`'s,
/// whose memo skips a page whose fingerprint is unchanged) equals a build
/// from nothing. A view field the fingerprints missed would leave a page
/// stale here.
#[test]
fn issue_17_each_change_a_view_shows_reaches_every_page_showing_it() {
    let site = blog();
    let config = |extra: &str| {
        format!(
            "{}\n{extra}",
            crate::support::CONFIG
                .replace("title = \"Test Blog\"", "title = \"Test Blog\"\ndescription = \"D\"")
        )
    };
    let bravo = |extra: &str| {
        post("Bravo", "2020-01-11", &format!("tags: [phones]\ncategory: Support\nauthor: ann\n{extra}"))
    };
    type Change = Box<dyn Fn(&SiteTest)>;
    let changes: Vec<(&str, Change)> = vec![
        (
            "a title",
            Box::new(move |s| _ = s.file("content/posts/b.md", &bravo("").replace("Bravo", "Bravo Two"))),
        ),
        ("an author", Box::new(move |s| _ = s.file("content/posts/b.md", &bravo("")))),
        (
            "the author's name",
            Box::new(move |s| _ = s.file("site.toml", &config("").replace("Ann Example", "Ann Other"))),
        ),
        (
            "the author's bio",
            Box::new(move |s| {
                _ = s.file("site.toml", &config("").replace("Answers phones.", "Answers mail."))
            }),
        ),
        (
            "the site's description",
            Box::new(move |s| _ = s.file("site.toml", &config("").replace("\"D\"", "\"E\""))),
        ),
        (
            "a date",
            Box::new(move |s| {
                _ = s.file("content/posts/b.md", &bravo("").replace("2020-01-11", "2020-01-09"))
            }),
        ),
        (
            "an updated date",
            Box::new(move |s| _ = s.file("content/posts/b.md", &bravo("updated: 2021-05-05\n"))),
        ),
        (
            "a tag",
            Box::new(move |s| {
                _ = s.file("content/posts/b.md", &bravo("").replace("[phones]", "[phones, mail]"))
            }),
        ),
        (
            "a category",
            Box::new(move |s| _ = s.file("content/posts/b.md", &bravo("").replace("Support", "Billing"))),
        ),
        ("a summary", Box::new(move |s| _ = s.file("content/posts/b.md", &bravo("summary: Short.\n")))),
        ("a body", Box::new(move |s| _ = s.file("content/posts/b.md", &format!("{}\nMore.\n", bravo(""))))),
        (
            "an image",
            Box::new(move |s| _ = s.file("content/posts/b.md", &bravo("image: /b.png\nphoto_credit: Me\n"))),
        ),
        (
            "a source",
            Box::new(move |s| {
                _ = s.file("content/posts/b.md", &bravo("source: {url: https://x.example/, name: X}\n"))
            }),
        ),
        (
            "a draft",
            Box::new(move |s| {
                _ = s.file("content/posts/c.md", &post("Charlie", "2020-01-12", "draft: true\n"))
            }),
        ),
        (
            "closed comments",
            Box::new(move |s| _ = s.file("content/posts/b.md", &bravo("comments: closed\n"))),
        ),
        (
            "an approved comment",
            Box::new(move |s| {
                _ = s.file("content/comments/b/c3.md", &comment("c3", "approved", "On Bravo."))
            }),
        ),
        (
            "a comment approved",
            Box::new(move |s| _ = s.file("content/comments/a/c2.md", &comment("c2", "approved", "Waiting."))),
        ),
        (
            "a comment's text",
            Box::new(move |s| _ = s.file("content/comments/a/c1.md", &comment("c1", "approved", "Second!"))),
        ),
        (
            "a reply",
            Box::new(|s| {
                _ = s.file(
                    "content/comments/a/c4.md",
                    &comment("c4", "approved", "Reply.").replace("status:", "reply_to: c1\nstatus:"),
                )
            }),
        ),
        (
            "a page title",
            Box::new(|s| _ = s.file("content/pages/about.md", "---\ntitle: About Us\n---\n\nWho we are.\n")),
        ),
        (
            "a new post",
            Box::new(|s| _ = s.file("content/posts/d.md", &post("Delta", "2020-01-13", "tags: [phones]\n"))),
        ),
        ("a static file", Box::new(move |s| _ = s.file("static/robots-extra.txt", "changed"))),
    ];
    site.file("site.toml", &config(""));
    let options =
        parlor::BuildOptions::new(site.root().to_path_buf(), "2020-06-01T00:00:00Z".parse().unwrap());
    let mut incremental = parlor::Incremental::default();
    build_in_memory(&options, &mut incremental);
    for (what, change) in &changes {
        change(&site);
        let cached = build_in_memory(&options, &mut incremental);
        let fresh = build_in_memory(&options, &mut parlor::Incremental::default());
        assert_eq!(cached.keys().collect::<Vec<_>>(), fresh.keys().collect::<Vec<_>>(), "after {what}");
        for (path, bytes) in &fresh {
            assert!(cached[path] == *bytes, "after {what}, {path} is stale");
        }
    }
}

/// An alias added, moved and removed: the build with the cache writes and
/// sweeps its redirect page as a cold build would, and so does `serve`'s
/// in-memory build.
#[test]
fn an_alias_added_moved_and_removed_reaches_the_output() {
    let site = blog();
    site.build().assert_ok();
    site.file("content/posts/c.md", &post("Charlie", "2020-01-12", "aliases: [/old/charlie/]\n"));
    site.build().assert_ok();
    assert!(site.read("old/charlie/index.html").contains("Charlie"));
    site.file("content/posts/c.md", &post("Charlie Again", "2020-01-12", "aliases: [/older/charlie/]\n"));
    site.build().assert_ok();
    assert!(!site.exists("old/charlie/index.html"), "the moved alias's old page is swept");
    assert!(site.read("older/charlie/index.html").contains("Charlie Again"));
    assert!(site.read("_redirects").contains("/older/charlie/ /posts/c/ 301"));
    assert_cached_build_is_cold_build(&site);

    let options = parlor::BuildOptions::new(site.root().to_path_buf(), jiff::Timestamp::now());
    let mut incremental = parlor::Incremental::default();
    let paths = |incremental: &mut parlor::Incremental| -> Vec<String> {
        let (report, rendered) = parlor::build_in_memory(&options, incremental).unwrap();
        assert!(!report.has_errors(), "{:?}", report.diagnostics);
        rendered.expect("the site builds").files.into_iter().map(|f| f.path).collect()
    };
    assert!(paths(&mut incremental).contains(&"older/charlie/index.html".to_string()));
    site.file("content/posts/c.md", &post("Charlie Again", "2020-01-12", ""));
    let after = paths(&mut incremental);
    assert!(!after.iter().any(|p| p.starts_with("older/") || p == "_redirects"), "{after:?}");
}
