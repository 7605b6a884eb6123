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
fn build_in_memory(options: &parlor::BuildOptions) -> BTreeMap<String, std::sync::Arc<[u8]>> {
    let (report, rendered) = parlor::build_in_memory(options).unwrap();
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
    let options = parlor::BuildOptions {
        root: site.root().to_path_buf(),
        load_cache: Some(Default::default()),
        cache: Some(Default::default()),
        memo: Some(Default::default()),
        ..Default::default()
    };
    let first = build_in_memory(&options);
    // The archives and a neighbour's link show a post's title, URL, date
    // and comment count, not its text: they are not rendered again.
    let untouched = ["archive/index.html", "2020/index.html", "2020/01/index.html", "posts/a/index.html"];
    let bravo = post("Bravo", "2020-01-11", "tags: [phones]\ncategory: Support\n");
    site.file("content/posts/b.md", &format!("{bravo}\nA paragraph added later.\n"));
    let second = build_in_memory(&options);
    assert!(String::from_utf8_lossy(&second["posts/b/index.html"]).contains("A paragraph added later."));
    for page in untouched {
        assert!(std::sync::Arc::ptr_eq(&first[page], &second[page]), "{page} was rendered again");
    }

    site.file("content/posts/b.md", &post("Bravo Retitled", "2020-01-11", "tags: [phones]\n"));
    site.file("content/comments/b/c3.md", &comment("c3", "approved", "On Bravo."));
    let third = build_in_memory(&options);
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
    let load_cache: std::sync::Arc<parlor::load::LoadCache> = Default::default();
    let options = parlor::BuildOptions {
        root: site.root().to_path_buf(),
        load_cache: Some(load_cache.clone()),
        cache: Some(Default::default()),
        memo: Some(Default::default()),
        ..Default::default()
    };
    build_in_memory(&options);
    let b = site.root().join("content/posts/b.md");
    let errors = |options: &parlor::BuildOptions| {
        let (report, _) = parlor::build_in_memory(options).unwrap();
        report.diagnostics.iter().map(|d| format!("{}: {}", d.path.display(), d.message)).collect::<Vec<_>>()
    };
    // The watcher names the one file that changed; it is read again.
    std::fs::write(&b, b"---\ntitle: \xff\n---\n").unwrap();
    load_cache.only_changed([b.clone()]);
    assert_eq!(errors(&options), ["content/posts/b.md: not valid UTF-8 (at byte 11)"]);
    // Nothing changed since: the broken file is still reported, not dropped.
    load_cache.only_changed([]);
    assert_eq!(errors(&options), ["content/posts/b.md: not valid UTF-8 (at byte 11)"]);
    site.file("content/posts/b.md", &post("Bravo Mended", "2020-01-11", ""));
    load_cache.only_changed([b]);
    let pages = build_in_memory(&options);
    assert!(String::from_utf8_lossy(&pages["posts/b/index.html"]).contains("Bravo Mended"));
    // A file the watcher did not name is taken as it was.
    std::fs::write(site.root().join("content/posts/c.md"), post("Charlie Unseen", "2020-01-12", "")).unwrap();
    load_cache.only_changed([]);
    let pages = build_in_memory(&options);
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
