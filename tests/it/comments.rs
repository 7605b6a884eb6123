//! Comments on built pages: only approved ones, threaded, counted, inert,
//! and never an email address anywhere in the output.

use crate::support::SiteTest;

/// One post with comments in every status, a thread, and hostile bodies;
/// a quiet, a closed and a members-only post (`tests/fixtures/comments/`).
fn site_with_comments() -> SiteTest {
    SiteTest::from_fixture("comments")
}

#[test]
fn only_approved_comments_are_shown_threaded_and_counted() {
    let site = site_with_comments();
    let run = site.build();
    run.assert_ok();
    assert!(run.stdout().contains("5 comments published, 1 awaiting moderation"), "{}", run.stdout());
    let page = site.page("/posts/p/");
    assert_eq!(page.texts("#comments-title"), ["4 comments"]);
    let ids = page.attrs("li.comment", "id");
    assert_eq!(ids, ["comment-c1", "comment-c2", "comment-c3", "comment-c7"]);
    // c2 is inside c1's replies, c3 inside c2's.
    assert_eq!(page.count("#comment-c1 > ol.comment-replies > #comment-c2"), 1);
    assert_eq!(page.count("#comment-c2 > ol.comment-replies > #comment-c3"), 1);
    assert_eq!(page.texts(".comment-number"), ["1.", "2.", "3.", "4."]);
    assert_eq!(page.attrs("#comment-c1 .comment-author a", "href"), ["https://reader.example/"]);
    assert_eq!(page.attrs("#comment-c1 .comment-author a", "rel"), ["nofollow ugc noopener"]);
    assert_eq!(page.attrs("#comment-c1 > article .comment-permalink", "href"), ["/posts/p/#comment-c1"]);
    let html = site.read("posts/p/index.html");
    for hidden in ["Pending, not shown", "Rejected, not shown", "Spam, not shown"] {
        assert!(!html.contains(hidden), "{hidden}");
    }
    // Counts on list pages, and the empty, closed and members-only cases.
    let index = site.page("/page/2/");
    assert!(index.texts(".post-meta a[href$='#comments']").contains(&"4 comments".to_string()));
    assert_eq!(site.page("/posts/quiet/").texts("#comments-title"), ["No comments yet."]);
    assert!(
        site.page("/archive/")
            .texts(".archive-list li")
            .contains(&"January 1, 2020 The post (4 comments)".to_string())
    );
    let closed = site.page("/posts/closed/");
    assert_eq!(closed.texts("#comments-title"), ["One comment"]);
    assert_eq!(closed.texts(".comments-closed"), ["Comments are closed."]);
    assert_eq!(
        site.page("/posts/members/").texts(".comments-members"),
        ["Only members of this blog may comment on this post."]
    );
}

#[test]
fn no_email_appears_anywhere_in_the_output() {
    let site = site_with_comments();
    site.build().assert_ok();
    for entry in walk(&site.root().join("public")) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("@private.example"), "an email address in {}", entry.display());
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

#[test]
fn hostile_comments_render_inert() {
    let site = site_with_comments();
    site.build().assert_ok();
    let page = site.page("/posts/p/");
    assert_eq!(
        page.count("script:not([src$='/comments.js']):not([type='application/ld+json'])"),
        0,
        "only the theme's own script"
    );
    // The JSON-LD holds the text with `<` escaped (tests/it/metadata.rs).
    assert!(page.texts("script[type='application/ld+json']").iter().all(|t| !t.contains('<')));
    assert_eq!(page.count(".comment-body img"), 0);
    assert_eq!(page.count(".comment-body b"), 0, "raw HTML is shown as text");
    for (name, value) in
        page.html.root_element().descendants().filter_map(|n| n.value().as_element()).flat_map(|e| e.attrs())
    {
        assert!(!name.starts_with("on"), "event handler {name}={value}");
        if name == "href" {
            let v = value.to_ascii_lowercase();
            assert!(
                !v.starts_with("javascript:") && !v.starts_with("data:") && !v.starts_with("vbscript:"),
                "{v}"
            );
        }
    }
    assert_eq!(page.texts("#comment-c7 .comment-author"), ["<script>alert(1)</script>"]);
    assert!(
        page.texts("#comment-c7 .comment-body")[0].contains("<script>alert(2)</script>"),
        "shown as text"
    );
}

#[test]
fn broken_comments_are_left_out_with_a_warning_and_check_fails() {
    let site = site_with_comments();
    site.file("content/comments/nosuchpost/c1x.md", "---\nid: c1x\nauthor: A\ndate: 2020-02-01T00:00:00Z\nstatus: approved\n---\nHi there reader.\n")
        .file("content/comments/p/c9.md", "---\nid: c9\nauthor: A\ndate: 2020-02-09T00:00:00Z\nstatus: approved\nreply_to: nope\n---\nOrphan reply.\n")
        .file("content/comments/p/c0.md", "---\nid: c0\nauthor: A\ndate: tomorrow\nstatus: approvd\n---\nBad fields.\n");
    let run = site.build();
    run.assert_ok();
    let stderr = run.stderr();
    assert!(
        stderr.contains("warning: content/comments/nosuchpost/c1x.md:1:1: comment on post `nosuchpost`"),
        "{stderr}"
    );
    assert!(stderr.contains("warning: content/comments/p/c9.md:6:1: `reply_to: nope`"), "{stderr}");
    assert!(stderr.contains("warning: content/comments/p/c0.md:4:1: bad `date`"), "{stderr}");
    assert!(stderr.contains("warning: content/comments/p/c0.md:5:1: unknown status `approvd`"), "{stderr}");
    assert!(run.stdout().contains("3 comments left out for problems"), "{}", run.stdout());
    assert!(!site.read("posts/p/index.html").contains("Orphan reply"));
    let check = site.run(&["check"]);
    assert_eq!(check.code(), 1, "{}", check.stderr());
}
