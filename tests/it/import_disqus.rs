//! `parlor import disqus`: a Disqus export's comments onto a site whose
//! posts are already there (issue 20). Our own export covers threads by
//! URL, by an old alias and with `www.`/`http:`/query variations, a thread
//! defined after its comments, a reply before its parent, spam, deleted
//! comments with and without replies, a deleted thread, an unmatched one.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{SiteTest, post};

/// A `<thread>`: its dsq:id, link, and whether it was deleted.
fn thread(id: &str, link: &str, deleted: bool) -> String {
    let link = link.replace('&', "&amp;");
    format!(
        "<thread dsq:id=\"{id}\"><id/><forum>oldblog</forum><category dsq:id=\"1\"/><link>{link}</link><title>Thread {id}</title><message/><createdAt>2019-03-04T10:00:00Z</createdAt><author><name>Ann</name><isAnonymous>false</isAnonymous><username>ann</username></author><isClosed>false</isClosed><isDeleted>{deleted}</isDeleted></thread>\n"
    )
}

/// A `<post>` (a comment): its dsq:id, thread, parent, flags and HTML.
fn comment(id: u32, thread: &str, parent: Option<u32>, flags: (bool, bool), html: &str) -> String {
    let (deleted, spam) = flags;
    let parent = parent.map_or(String::new(), |p| format!("<parent dsq:id=\"{p}\"/>"));
    format!(
        "<post dsq:id=\"{id}\"><id/><message><![CDATA[{html}]]></message><createdAt>2019-03-05T10:{id:02}:00Z</createdAt><isDeleted>{deleted}</isDeleted><isSpam>{spam}</isSpam><author><email>reader{id}@private.example</email><name>Reader {id}</name><isAnonymous>false</isAnonymous><username>reader{id}</username></author><ipAddress>192.0.2.{id}</ipAddress><thread dsq:id=\"{thread}\"/>{parent}</post>\n"
    )
}

const OK: (bool, bool) = (false, false);
const DELETED: (bool, bool) = (true, false);
const SPAM: (bool, bool) = (false, true);

fn export() -> String {
    let parts = [
        "<category dsq:id=\"1\"><forum>oldblog</forum><title>General</title><isDefault>true</isDefault></category>\n"
            .to_string(),
        // The post's old Blogger address, one of its aliases.
        thread("t1", "https://oldblog.blogspot.com/2019/03/refunds.html", false),
        thread("t2", "http://www.blog.example.org/posts/queues?utm_source=feed&utm_medium=rss#comments", false),
        thread("t3", "https://blog.example.org/?p=12&utm_campaign=x", false),
        thread("t5", "https://blog.example.org/posts/refunds/", true),
        thread("t6", "https://blog.example.org/posts/gone/", false),
        thread("t7", "https://blog.example.org/posts/queues/", false),
        comment(1, "t1", None, OK, "<p>Thanks, <b>this</b> helped.</p><script>alert(1)</script>"),
        // A reply before its parent.
        comment(3, "t1", Some(2), OK, "<p>Reply three, to two.</p>"),
        comment(2, "t1", Some(1), OK, "<p>Reply two, to one.</p>"),
        comment(4, "t1", None, SPAM, "<p>SPAMTEXT cheap pills</p>"),
        // Deleted with a kept reply (and a deleted one): six moves up to one.
        comment(5, "t1", Some(1), DELETED, "<p>DELETEDTEXT five</p>"),
        comment(6, "t1", Some(5), OK, "<p>Reply six, to five.</p>"),
        comment(7, "t1", Some(5), DELETED, "<p>DELETEDTEXT seven</p>"),
        comment(8, "t1", None, DELETED, "<p>DELETEDTEXT eight</p>"),
        // Deleted at the top level with a reply: ten stands at the top level.
        comment(9, "t1", None, DELETED, "<p>DELETEDTEXT nine</p>"),
        comment(10, "t1", Some(9), OK, "<p>Reply ten, to nine.</p>"),
        comment(11, "t2", None, OK, "<p>Queue eleven.</p>"),
        comment(12, "t3", None, OK, "<p>Queue twelve, by the old address.</p>"),
        // A thread defined after its comment.
        comment(13, "t4", None, OK, "<p>About thirteen.</p>"),
        comment(14, "t5", None, OK, "<p>DELETEDTHREADTEXT fourteen</p>"),
        comment(15, "t5", Some(14), OK, "<p>DELETEDTHREADTEXT fifteen</p>"),
        comment(16, "t6", None, OK, "<p>UNMATCHEDTEXT sixteen</p>"),
        comment(17, "t6", None, SPAM, "<p>UNMATCHEDTEXT seventeen</p>"),
        thread("t4", "https://blog.example.org/about/index.html", false),
    ];
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n{}</disqus>\n",
        parts.concat()
    )
}

/// A site whose posts came in from the old blog: one with the old
/// Blogger address as an alias, one with WordPress's `?p=`.
fn site() -> SiteTest {
    let site = SiteTest::new();
    site.file(
        "content/posts/refunds.md",
        &post("Refunds", "2019-03-04", "aliases:\n- /2019/03/refunds.html\n"),
    )
    .file("content/posts/queues.md", &post("Queues", "2020-01-02", "aliases:\n- /?p=12\n"))
    .file("content/pages/about.md", "---\ntitle: About\ncomments: open\n---\nAbout us.\n");
    site
}

fn import(site: &SiteTest, file: &Path) -> crate::support::Run {
    site.run(&["import", "disqus", file.to_str().unwrap()])
}

/// Every file below `dir`, by path, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Every file the build wrote, as text, one after another.
fn published_text(site: &SiteTest) -> String {
    files(&site.root().join("public")).values().map(|b| String::from_utf8_lossy(b).into_owned()).collect()
}

#[test]
fn issue_20_disqus_comments_land_under_their_posts_threaded() {
    let site = site();
    let export_file = site.root().join("disqus.xml");
    std::fs::write(&export_file, export()).unwrap();
    let run = import(&site, &export_file);
    run.assert_ok();
    let out = run.stdout();
    for line in [
        "imported Disqus comments: 4 threads matched a post or page, 1 did not",
        "9 comments: 8 approved, 1 spam",
        "    https://blog.example.org/posts/gone/ (2 comments)",
        "4 deleted comments (their text is never written); 2 had replies, kept:",
        "    content/comments/refunds/: the reply to deleted dq-5 now replies to dq-1",
        "    content/comments/refunds/: the reply to deleted dq-9 now stands at the top level",
        "skipped 2: deleted comments without replies to keep",
        "skipped 2: comments on deleted threads",
        "skipped 2: comments on threads that match no post or page",
        "1 thread without comments",
        "9 files written, 0 already there unchanged",
    ] {
        assert!(out.contains(line), "`{line}` in:\n{out}");
    }

    // The files, as the WordPress importer writes them.
    let one = site.source("content/comments/refunds/dq-1.md");
    for needle in [
        "id: dq-1\n",
        "author: Reader 1\n",
        "email: reader1@private.example\n",
        "date: 2019-03-05T10:01:00+00:00\n",
        "status: approved\n",
        "Thanks, **this** helped.",
    ] {
        assert!(one.contains(needle), "{needle:?} in {one}");
    }
    assert!(!one.contains("<script"), "{one}");
    assert!(site.source("content/comments/refunds/dq-3.md").contains("reply_to: dq-2\n"));
    assert!(site.source("content/comments/refunds/dq-6.md").contains("reply_to: dq-1\n"));
    assert!(!site.source("content/comments/refunds/dq-10.md").contains("reply_to"));
    assert!(site.source("content/comments/refunds/dq-4.md").contains("status: spam\n"));
    assert!(!site.source("content/comments/queues/dq-12.md").is_empty(), "the `?p=` alias matched");
    assert!(!site.source("content/comments/about/dq-13.md").is_empty(), "a page, by `index.html`");
    for gone in [5, 7, 8, 9, 14, 15, 16, 17] {
        assert!(
            walkdir::WalkDir::new(site.root().join("content/comments"))
                .into_iter()
                .flatten()
                .all(|e| e.file_name() != format!("dq-{gone}.md").as_str()),
            "dq-{gone} was written"
        );
    }

    // Built: the approved comments under the right posts, threaded.
    site.build().assert_ok();
    let refunds = site.page("/posts/refunds/");
    assert_eq!(refunds.texts("#comments-title"), ["5 comments"]);
    assert_eq!(
        refunds.count(
            "ol.comment-list > #comment-dq-1 > ol.comment-replies > #comment-dq-2 > ol.comment-replies > #comment-dq-3"
        ),
        1
    );
    assert_eq!(refunds.count("#comment-dq-1 > ol.comment-replies > #comment-dq-6"), 1);
    assert_eq!(refunds.count("ol.comment-list > #comment-dq-10"), 1);
    assert_eq!(site.page("/posts/queues/").texts("#comments-title"), ["2 comments"]);
    assert_eq!(site.page("/about/").texts("#comments-title"), ["One comment"]);
    let published = published_text(&site);
    assert!(published.contains("Reply six, to five.") && published.contains("Queue twelve"));
    for secret in ["SPAMTEXT", "DELETEDTEXT", "DELETEDTHREADTEXT", "UNMATCHEDTEXT", "private.example"] {
        assert!(!published.contains(secret), "{secret} was published");
    }
    site.run(&["check"]).assert_ok();

    // Again: the same files, the same bytes, nothing written.
    let before = files(&site.root().join("content"));
    let again = import(&site, &export_file);
    again.assert_ok();
    assert!(again.stdout().contains("0 files written, 9 already there unchanged"), "{}", again.stdout());
    assert_eq!(files(&site.root().join("content")), before);
}

#[test]
fn a_malformed_disqus_export_names_line_and_column_and_writes_nothing() {
    let site = site();
    let broken = site.root().join("broken.xml");
    let text = export().replacen("<title>Thread t3</title>", "<title>Thread t3</titel>", 1);
    std::fs::write(&broken, text).unwrap();
    let run = import(&site, &broken);
    assert_eq!(run.code(), 1);
    assert!(
        run.stderr().contains("broken.xml:6:") && run.stderr().contains("not well-formed"),
        "{}",
        run.stderr()
    );
    assert!(!site.root().join("content/comments").exists(), "nothing half-written");
}

#[test]
fn a_disqus_export_needs_a_site_to_go_onto() {
    let dir = tempfile::tempdir().unwrap();
    let export_file = dir.path().join("disqus.xml");
    std::fs::write(&export_file, export()).unwrap();
    let site = SiteTest::at(&dir.path().join("nowhere"));
    let run = import(&site, &export_file);
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("import the posts first"), "{}", run.stderr());
    assert!(!dir.path().join("nowhere").exists());
}

#[test]
fn import_help_lists_disqus() {
    let site = SiteTest::new();
    let help = site.run(&["import", "--help"]);
    help.assert_ok();
    assert!(help.stdout().contains("disqus") && help.stdout().contains("Disqus export"), "{}", help.stdout());
}
