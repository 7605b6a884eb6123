//! Comments on pages (issue 18): a page takes comments when its front
//! matter says so (closed by default), and then shows, counts, feeds,
//! moderates and accepts them as a post does. A page and a post never
//! share a comment folder silently.

use crate::intake::{app, good, token, with};
use crate::support::{SiteTest, post};

fn comment(id: &str, minute: u32, status: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\nauthor: Reader {id}\ndate: 2020-02-01T10:{minute:02}:00Z\nstatus: {status}\n---\n{body}\n"
    )
}

/// A FAQ that takes comments, an about page that does not (the default),
/// and a post.
fn site() -> SiteTest {
    let site = SiteTest::new();
    site.file("content/posts/p.md", &post("A post", "2020-01-01", ""))
        .file("content/pages/faq.md", "---\ntitle: FAQ\ncomments: open\n---\nAsk away.\n")
        .file("content/pages/about.md", "---\ntitle: About\n---\nWho we are.\n")
        .file(
            "content/comments/faq/f1.md",
            &comment("f1", 1, "approved", "Does the refund cover shipping both ways?"),
        )
        .file(
            "content/comments/faq/f2.md",
            &comment("f2", 2, "pending", "How long does a refund take to arrive here?"),
        );
    site
}

#[test]
fn a_page_that_takes_comments_shows_counts_and_feeds_them() {
    let site = site();
    let run = site.build();
    run.assert_ok();
    assert!(run.stdout().contains("1 comment published, 1 awaiting moderation"), "{}", run.stdout());
    let faq = site.page("/faq/");
    assert_eq!(faq.texts("#comments-title"), ["One comment"]);
    assert_eq!(faq.attrs("li.comment", "id"), ["comment-f1"]);
    assert_eq!(faq.attrs(".comment-permalink", "href"), ["/faq/#comment-f1"]);
    assert_eq!(faq.attrs("form.comment-form input[name=post]", "value"), ["faq"]);
    assert_eq!(faq.texts(".comment-feed a"), ["RSS feed for comments on this page"]);
    assert_eq!(faq.attrs("link[rel=alternate][href='/faq/comments.xml']", "title"), ["Comments on “FAQ”"]);
    let feed = site.read("faq/comments.xml");
    assert!(feed.contains("https://blog.example.org/faq/#comment-f1"), "{feed}");
    let recent = site.read("comments/feed.xml");
    assert!(recent.contains("Comment on “FAQ” by Reader f1"), "{recent}");
    // Pages without `comments:` stay as they were: no section, no feed.
    let about = site.page("/about/");
    assert_eq!(about.count("#comments"), 0);
    assert!(!site.exists("about/comments.xml"));
}

#[test]
fn a_closed_page_shows_the_comments_it_has_and_takes_no_more() {
    let site = site();
    site.file("content/pages/faq.md", "---\ntitle: FAQ\ncomments: closed\n---\nAsk away.\n");
    site.build().assert_ok();
    let faq = site.page("/faq/");
    assert_eq!(faq.texts("#comments-title"), ["One comment"]);
    assert_eq!(faq.texts(".comments-closed"), ["Comments are closed."]);
    assert_eq!(faq.count("form.comment-form"), 0);
    site.file("content/pages/faq.md", "---\ntitle: FAQ\ncomments: members\n---\nAsk away.\n");
    site.build().assert_ok();
    assert_eq!(
        site.page("/faq/").texts(".comments-members"),
        ["Only members of this blog may comment on this page."]
    );
}

#[test]
fn intake_accepts_a_comment_on_a_page_with_the_token_its_form_carries() {
    let site = site();
    let app = app(&site);
    site.build().assert_ok();
    let form_token = site.page("/faq/").attrs("form.comment-form input[name=token]", "value");
    assert_eq!(form_token, [token("faq")]);
    let answer = app.send(&good("faq", &form_token[0]), false);
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.location.as_deref(), Some("/faq/#comment-pending"));
    assert_eq!(crate::intake::stored(&site, "faq").len(), 3);
    // A post's token is not a page's, and a page without comments takes none.
    let wrong = app.send(&good("faq", &token("p")), true);
    assert_eq!(wrong.status, 403, "{}", wrong.body);
    let about =
        app.send(&with(&good("about", &token("about")), "body", "A question about the team here."), true);
    assert_eq!(about.status, 403, "{}", about.body);
    assert!(about.body.contains("closed"), "{}", about.body);
}

#[test]
fn the_moderator_sees_and_decides_comments_on_pages() {
    let site = site();
    let list = site.run(&["comments", "list", "--status", "pending"]);
    list.assert_ok();
    assert!(list.stdout().lines().any(|l| l.contains("f2") && l.contains("faq")), "{}", list.stdout());
    let moderate = site.run(&["moderate", "--post", "faq"]);
    moderate.assert_ok();
    assert!(moderate.stdout().contains("f2"), "{}", moderate.stdout());
    assert!(!moderate.stdout().contains("no such post"), "{}", moderate.stdout());
    site.run(&["comments", "approve", "f2"]).assert_ok();
    site.build().assert_ok();
    assert_eq!(site.page("/faq/").attrs("li.comment", "id"), ["comment-f1", "comment-f2"]);
}

#[test]
fn a_page_asking_for_comments_with_a_posts_slug_is_an_error_naming_the_fix() {
    let site = site();
    site.file("content/posts/faq.md", &post("A post called FAQ", "2020-01-02", ""));
    let run = site.build();
    assert_eq!(run.code(), 1, "{}", run.stdout());
    let err = run.stderr();
    assert!(err.contains("content/pages/faq.md:3"), "{err}");
    assert!(err.contains("a post has its slug `faq`"), "{err}");
    assert!(err.contains("give the page another `slug`"), "{err}");
    // Without `comments:` the page asks for nothing: the folder is the post's.
    site.file("content/pages/faq.md", "---\ntitle: FAQ\n---\nAsk away.\n");
    site.build().assert_ok();
    assert_eq!(site.page("/posts/faq/").attrs("li.comment", "id"), ["comment-f1"]);
    assert_eq!(site.page("/faq/").count("#comments"), 0);
}
