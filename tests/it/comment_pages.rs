//! Long threads (issue 18): `[comments] per_page` splits a post's (or a
//! page's) comments into pages of their own, `/posts/p/comments/2/` and on,
//! each top-level comment with its replies; every permalink finds its page.

use crate::support::{CONFIG, SiteTest, post};

fn comment(id: &str, minute: u32, reply_to: Option<&str>) -> String {
    let reply = reply_to.map(|r| format!("reply_to: {r}\n")).unwrap_or_default();
    format!(
        "---\nid: {id}\nauthor: Reader {id}\ndate: 2020-02-01T10:{minute:02}:00Z\n{reply}status: approved\n---\nComment {id} has something to say.\n"
    )
}

/// Five top-level comments (`a`..`e`, oldest first); `a` has a reply, and
/// the reply a reply; a FAQ page with three comments.
fn site(comments: &str) -> SiteTest {
    let site = SiteTest::with_config(&format!("{CONFIG}\n[comments]\n{comments}"));
    site.file("content/posts/p.md", &post("A long thread", "2020-01-01", ""));
    for (i, id) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        site.file(&format!("content/comments/p/{id}.md"), &comment(id, i as u32 * 10, None));
    }
    site.file("content/comments/p/a1.md", &comment("a1", 55, Some("a")))
        .file("content/comments/p/a2.md", &comment("a2", 56, Some("a1")))
        .file("content/pages/faq.md", "---\ntitle: FAQ\ncomments: open\n---\nAsk away.\n");
    for (i, id) in ["f1", "f2", "f3"].iter().enumerate() {
        site.file(&format!("content/comments/faq/{id}.md"), &comment(id, i as u32, None));
    }
    site
}

#[test]
fn per_page_splits_top_level_comments_and_keeps_replies_with_theirs() {
    let site = site("per_page = 2\n");
    site.build().assert_ok();
    let first = site.page("/posts/p/");
    assert_eq!(first.texts("#comments-title"), ["7 comments"], "the count is the whole thread's");
    assert_eq!(first.attrs("li.comment", "id"), ["comment-a", "comment-a1", "comment-a2", "comment-b"]);
    assert_eq!(first.count("#comment-a > ol > #comment-a1 > ol > #comment-a2"), 1);
    assert_eq!(first.count(".post-content"), 1, "the first page is the post itself");
    let second = site.page("/posts/p/comments/2/");
    assert_eq!(second.attrs("li.comment", "id"), ["comment-c", "comment-d"]);
    assert_eq!(second.texts(".comment-number"), ["5.", "6."], "numbers run on across pages");
    assert_eq!(second.count(".post-content"), 0, "later pages link to the post instead");
    assert_eq!(second.attrs(".comment-page-intro a", "href"), ["/posts/p/"]);
    assert_eq!(second.texts("title"), ["A long thread (comments, page 2) · Test Blog"]);
    assert_eq!(second.attrs("link[rel=canonical]", "href"), ["https://blog.example.org/posts/p/comments/2/"]);
    assert_eq!(site.page("/posts/p/comments/3/").attrs("li.comment", "id"), ["comment-e"]);
    assert!(!site.exists("posts/p/comments/4/index.html"));
    // Navigation, with rel=prev/next, above and below the comments.
    assert_eq!(first.attrs(".comment-pages a[rel=next]", "href"), ["/posts/p/comments/2/#comments"; 2]);
    assert_eq!(first.count(".comment-pages a[rel=prev]"), 0);
    assert_eq!(second.attrs(".comment-pages a[rel=prev]", "href")[0], "/posts/p/#comments");
    assert_eq!(second.attrs(".comment-pages a[rel=next]", "href")[0], "/posts/p/comments/3/#comments");
    assert_eq!(second.texts(".comment-pages span")[0], "Comments page 2 of 3");
}

#[test]
fn every_permalink_finds_the_page_its_comment_is_on() {
    let site = site("per_page = 2\n");
    site.build().assert_ok();
    let second = site.page("/posts/p/comments/2/");
    assert_eq!(
        second.attrs("#comment-c > article .comment-permalink", "href"),
        ["/posts/p/comments/2/#comment-c"]
    );
    let first = site.page("/posts/p/");
    assert_eq!(first.attrs("#comment-a2 .comment-permalink", "href"), ["/posts/p/#comment-a2"]);
    // Feeds list every comment as before, each linking to its page.
    let feed = site.read("posts/p/comments.xml");
    assert!(feed.contains("<link>https://blog.example.org/posts/p/comments/3/#comment-e</link>"), "{feed}");
    assert!(feed.contains("<link>https://blog.example.org/posts/p/#comment-a2</link>"), "{feed}");
    assert_eq!(feed.matches("<item>").count(), 7);
    let recent = site.read("comments/feed.xml");
    assert!(recent.contains("https://blog.example.org/posts/p/comments/2/#comment-d"), "{recent}");
    // The sitemap lists the post, not its comment pages.
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("https://blog.example.org/posts/p/</loc>"), "{sitemap}");
    assert!(!sitemap.contains("/comments/2/"), "{sitemap}");
}

#[test]
fn newest_first_puts_the_newest_thread_on_the_first_page() {
    let site = site("per_page = 2\norder = \"newest\"\n");
    site.build().assert_ok();
    assert_eq!(site.page("/posts/p/").attrs("li.comment", "id"), ["comment-e", "comment-d"]);
    let last = site.page("/posts/p/comments/3/");
    assert_eq!(last.attrs("li.comment", "id"), ["comment-a", "comment-a1", "comment-a2"]);
}

#[test]
fn pages_paginate_their_comments_and_zero_keeps_one_page() {
    let site = site("per_page = 2\n");
    site.build().assert_ok();
    assert_eq!(site.page("/faq/").attrs("li.comment", "id"), ["comment-f1", "comment-f2"]);
    let second = site.page("/faq/comments/2/");
    assert_eq!(second.attrs("li.comment", "id"), ["comment-f3"]);
    assert_eq!(second.attrs(".comment-permalink", "href"), ["/faq/comments/2/#comment-f3"]);
    let unsplit = self::site("");
    unsplit.build().assert_ok();
    assert_eq!(unsplit.page("/posts/p/").count("li.comment"), 7);
    assert_eq!(unsplit.page("/posts/p/").count(".comment-pages"), 0);
    assert!(!unsplit.exists("posts/p/comments/2/index.html"));
}

/// A post with no body and one page of comments (WordPress's "Edge Case:
/// No Content" post) builds: the post page shows no intro to a comment
/// page it is not.
#[test]
fn an_empty_post_with_one_comment_page_builds() {
    let site = SiteTest::with_config(CONFIG);
    site.file("content/posts/empty.md", &post("No content", "2020-01-01", ""))
        .file("content/comments/empty/a.md", &comment("a", 0, None));
    site.build().assert_ok();
    let page = site.page("/posts/empty/");
    assert_eq!(page.count(".comment-page-intro"), 0);
    assert_eq!(page.attrs("li.comment", "id"), ["comment-a"]);
}
