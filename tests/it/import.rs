//! Importing a WordPress export (ours, covering every mapping, and the real
//! sample in ../shared): the files written, the site built from them, and
//! what happens to malformed exports and existing files.

use std::path::Path;

use crate::support::{SiteTest, front, key};

fn fixture() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/wordpress.wxr"))
}

fn import(site: &SiteTest, file: &Path, extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["import", "wordpress", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    site.run(&args)
}

fn read(site: &SiteTest, path: &str) -> String {
    std::fs::read_to_string(site.root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn empty_site() -> SiteTest {
    let site = SiteTest::new();
    std::fs::remove_file(site.root().join("site.toml")).unwrap();
    site
}

#[test]
fn every_mapping_lands_in_the_right_file() {
    let site = empty_site();
    let run = import(&site, fixture(), &[]);
    run.assert_ok();
    let out = run.stdout();
    assert!(out.contains("imported 5 posts (2 of them drafts), 1 page"), "{out}");
    assert!(out.contains("6 comments: 3 approved, 1 pending, 1 rejected, 1 spam"), "{out}");
    assert!(
        out.contains("skipped 1: pingbacks and trackbacks") && out.contains("skipped 1: `attachment` items"),
        "{out}"
    );
    assert!(out.contains("skipped 1: items with status `trash`"), "{out}");
    // Config from the channel and the authors.
    let config = read(&site, "site.toml");
    assert!(
        config.contains("title = \"Help Desk Diaries & Notes\"") && config.contains("language = \"en-GB\""),
        "{config}"
    );
    assert!(config.contains("[authors.ines]\nname = \"Inès Duarte\""), "{config}");
    // A post: GMT date, category, the rest as tags, summary, body.
    let post = read(&site, "content/posts/cafe-refunds.md");
    assert_eq!(
        ["title", "date", "author", "category", "summary"].map(|k| key(&post, k)),
        [
            "Café refunds: a story",
            "2019-03-04T11:00:00+01:00",
            "ines",
            "Stories",
            "A café that refunded first."
        ],
        "{post}"
    );
    assert_eq!(
        front(&post)["tags"],
        serde_norway::from_str::<serde_norway::Value>("[refunds, Food & Drink]").unwrap()
    );
    for needle in
        ["They did it *before* anyone asked.", "<!-- more -->", "```python\nrefund = price * 1.0\n```"]
    {
        assert!(post.contains(needle), "{needle} in {post}");
    }
    assert!(post.contains("everyone.\n\nThey did"), "paragraphs are kept: {post}");
    // The blog's offset at the time is kept (local 11:00, GMT 10:00): the
    // post says 11:00, as it did on the old blog (issue 20).
    // Non-ASCII title and an empty slug; zero GMT date falls back to local; closed comments.
    let kyiv = read(&site, "content/posts/pozhaluista-podozhdite-the-queue-in-kyiv.md");
    assert_eq!([key(&kyiv, "date"), key(&kyiv, "comments")], ["2020-07-01T09:30:00Z", "closed"], "{kyiv}");
    // Drafts: by status, and for want of a date.
    assert!(read(&site, "content/posts/private-notes.md").contains("draft: true"));
    assert!(read(&site, "content/posts/unfinished.md").contains("draft: true"));
    // A second post with the same slug gets another.
    assert!(read(&site, "content/posts/cafe-refunds-2.md").contains("The same slug again."));
    assert!(read(&site, "content/pages/about.md").contains("Two people & a queue."));
    // Comments: statuses, threading, email kept private, local-time fallback.
    let c = |id: &str| read(&site, &format!("content/comments/cafe-refunds/wp-{id}.md"));
    assert_eq!(
        ["status", "email", "website"].map(|k| key(&c("101"), k)),
        ["approved", "ana@private.example", "https://ana.example.net/"]
    );
    assert!(c("101").contains("Same thing happened at **my** café & they refunded too."), "{}", c("101"));
    assert_eq!(key(&c("102"), "reply_to"), "wp-101");
    assert_eq!([key(&c("103"), "reply_to"), key(&c("103"), "date")], ["wp-102", "2019-03-04T15:00:00Z"]);
    assert_eq!(["104", "105", "106"].map(|id| key(&c(id), "status")), ["pending", "spam", "rejected"]);
    assert!(!site.root().join("content/comments/cafe-refunds/wp-107.md").exists(), "no pingbacks");
}

#[test]
fn the_imported_site_builds_checks_and_keeps_its_threads() {
    let site = empty_site();
    import(&site, fixture(), &[]).assert_ok();
    site.build().assert_ok();
    assert_eq!(site.run(&["check"]).code(), 0, "{}", site.run(&["check"]).stderr());
    // The old blog's URL is kept (issue 20): its `<link>` was
    // `/2019/03/cafe-refunds/`, so the site took that pattern.
    assert!(read(&site, "site.toml").contains("permalink = \"/:year/:month/:slug/\""));
    let page = site.page("/2019/03/cafe-refunds/");
    assert_eq!(page.texts("#comments-title"), ["3 comments"], "the export's approved comments");
    assert_eq!(
        page.count(
            "#comment-wp-101 > ol.comment-replies > #comment-wp-102 > ol.comment-replies > #comment-wp-103"
        ),
        1
    );
    let mut stack = vec![site.root().join("public")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned();
                assert!(!text.contains("private.example"), "an email in {}", e.path().display());
            }
        }
    }
}

#[test]
fn re_running_changes_nothing_and_other_text_is_not_overwritten() {
    let site = empty_site();
    import(&site, fixture(), &[]).assert_ok();
    let again = import(&site, fixture(), &[]);
    again.assert_ok();
    assert!(again.stdout().contains("0 files written, 12 already there unchanged"), "{}", again.stdout());
    site.file("content/posts/cafe-refunds.md", "---\ntitle: Mine\ndate: 2020-01-01\n---\nMy own edit.\n");
    let refused = import(&site, fixture(), &[]);
    assert_eq!(refused.code(), 1);
    assert!(
        refused.stderr().contains("content/posts/cafe-refunds.md") && refused.stderr().contains("--force"),
        "{}",
        refused.stderr()
    );
    assert!(read(&site, "content/posts/cafe-refunds.md").contains("My own edit."), "nothing was overwritten");
    import(&site, fixture(), &["--force"]).assert_ok();
    assert!(read(&site, "content/posts/cafe-refunds.md").contains("Café refunds"));
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".parlor-import"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_malformed_export_names_line_and_column_and_writes_nothing() {
    let site = empty_site();
    let broken = site.root().join("broken.wxr");
    let text = std::fs::read_to_string(fixture()).unwrap().replacen(
        "</title>\n\t\t<link>https://helpdesk.example.org/2019",
        "</titel>\n\t\t<link>https://helpdesk.example.org/2019",
        1,
    );
    std::fs::write(&broken, text).unwrap();
    let run = import(&site, &broken, &[]);
    assert_eq!(run.code(), 1);
    assert!(
        run.stderr().contains("broken.wxr:17:") && run.stderr().contains("not well-formed"),
        "{}",
        run.stderr()
    );
    assert!(
        !site.root().join("content").exists() && !site.root().join("site.toml").exists(),
        "nothing half-written"
    );
}

#[test]
fn the_real_wordpress_sample_imports_and_builds() {
    let sample = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/import/google-blog-converters-wordpress-sample.wxr"
    ));
    if !sample.exists() {
        assert!(std::env::var_os("CI").is_none(), "the shared fixture is missing");
        return;
    }
    let site = empty_site();
    let run = import(&site, sample, &[]);
    run.assert_ok();
    assert!(
        run.stdout().contains("imported 3 posts, 1 page") && run.stdout().contains("2 approved"),
        "{}",
        run.stdout()
    );
    site.build().assert_ok();
    assert_eq!(site.run(&["check"]).code(), 0);
}

#[test]
fn a_blogger_export_imports_with_drafts_labels_and_threads() {
    let site = empty_site();
    let file = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/blogger.xml"));
    let run = site.run(&["import", "blogger", file.to_str().unwrap()]);
    run.assert_ok();
    let out = run.stdout();
    assert!(
        out.contains("imported 2 posts (1 of them a draft), 0 pages")
            && out.contains("2 comments: 2 approved"),
        "{out}"
    );
    assert!(out.contains("skipped 1: Blogger `settings` entries"), "{out}");
    let config = read(&site, "site.toml");
    assert!(
        config.contains("title = \"Notes from the Call Centre\"")
            && config.contains("base_url = \"https://callcentre.example.net/\""),
        "{config}"
    );
    let post = read(&site, "content/posts/warteschleife.md");
    assert_eq!(
        [key(&post, "title"), key(&post, "date")],
        ["Warteschleife & Geduld: eine Woche am Telefon", "2021-02-01T09:15:00+01:00"],
        "{post}"
    );
    assert_eq!(key(&post, "tags"), "- phones\n- Wartezeit", "{post}");
    assert!(post.contains("Second **paragraph**."), "{post}");
    assert!(read(&site, "content/posts/a-draft.md").contains("draft: true"));
    let early = read(&site, "content/comments/warteschleife/bl-9002.md");
    assert!(key(&early, "author") == "Anonymous" && !early.contains("noreply"), "{early}");
    let reply = read(&site, "content/comments/warteschleife/bl-9003.md");
    assert_eq!([key(&reply, "reply_to"), key(&reply, "website")], ["bl-9002", "https://mara.example.net/"]);
    site.build().assert_ok();
    assert_eq!(site.run(&["check"]).code(), 0);
    let page = site.page("/posts/warteschleife/");
    assert_eq!(page.count("#comment-bl-9002 > ol.comment-replies > #comment-bl-9003"), 1, "threading kept");
}

/// A WordPress export whose FAQ page takes comments and has a post of the
/// same name, and whose about page is closed but holds a comment.
const PAGES_WITH_COMMENTS: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Pages</title><link>https://pages.example.org</link>
	<item>
		<title>FAQ post</title><content:encoded>A post.</content:encoded>
		<wp:post_id>1</wp:post_id><wp:post_date_gmt>2019-01-01 00:00:00</wp:post_date_gmt>
		<wp:post_name>faq</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
	</item>
	<item>
		<title>FAQ</title><content:encoded>Questions.</content:encoded>
		<wp:post_id>2</wp:post_id><wp:post_date_gmt>2019-01-01 00:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
		<wp:post_name>faq</wp:post_name><wp:status>publish</wp:status><wp:post_type>page</wp:post_type>
		<wp:comment><wp:comment_id>201</wp:comment_id><wp:comment_author>Asker</wp:comment_author><wp:comment_date_gmt>2019-02-01 10:00:00</wp:comment_date_gmt><wp:comment_content>Is shipping refunded too, both ways?</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
		<wp:comment><wp:comment_id>202</wp:comment_id><wp:comment_author>Owner</wp:comment_author><wp:comment_date_gmt>2019-02-02 10:00:00</wp:comment_date_gmt><wp:comment_content>Yes, both ways.</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>201</wp:comment_parent></wp:comment>
	</item>
	<item>
		<title>About</title><content:encoded>Us.</content:encoded>
		<wp:post_id>3</wp:post_id><wp:post_date_gmt>2019-01-01 00:00:00</wp:post_date_gmt><wp:comment_status>closed</wp:comment_status>
		<wp:post_name>about</wp:post_name><wp:status>publish</wp:status><wp:post_type>page</wp:post_type>
		<wp:comment><wp:comment_id>301</wp:comment_id><wp:comment_author>Fan</wp:comment_author><wp:comment_date_gmt>2019-02-03 10:00:00</wp:comment_date_gmt><wp:comment_content>A friendly team, and a good page about it.</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
	</item>
</channel>
</rss>
"#;

#[test]
fn comments_on_wordpress_pages_are_kept_in_a_folder_no_post_shares() {
    let site = empty_site();
    site.file("export.xml", PAGES_WITH_COMMENTS);
    let run = import(&site, &site.root().join("export.xml"), &[]);
    run.assert_ok();
    assert!(run.stdout().contains("3 comments: 3 approved"), "{}", run.stdout());
    assert!(!run.stdout().contains("comments on pages"), "{}", run.stdout());
    // The post took `faq` first: the page that takes comments gets its own slug.
    let faq = read(&site, "content/pages/faq-2.md");
    assert_eq!(crate::support::key(&faq, "comments"), "open", "{faq}");
    assert!(site.root().join("content/comments/faq-2/wp-202.md").exists());
    let about = read(&site, "content/pages/about.md");
    assert!(!about.contains("comments:"), "closed is a page's default: {about}");
    site.build().assert_ok();
    let page = site.page("/faq-2/");
    assert_eq!(page.count("#comment-wp-201 > ol.comment-replies > #comment-wp-202"), 1, "threading kept");
    assert_eq!(page.count("form.comment-form"), 1);
    let about = site.page("/about/");
    assert_eq!(about.texts("#comments-title"), ["One comment"]);
    assert_eq!(about.texts(".comments-closed"), ["Comments are closed."]);
    assert_eq!(site.page("/posts/faq/").texts("#comments-title"), ["No comments yet."]);
}

/// A Blogger export with a post and a page of the same name; the page
/// holds a comment, listed before it.
const BLOGGER_PAGE: &str = r#"<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr='http://purl.org/syndication/thread/1.0'>
  <title type='text'>Pages on Blogger</title>
  <link rel='alternate' type='text/html' href='https://pages.example.net/'/>
  <entry>
    <id>tag:blogger.com,1999:blog-7.post-501</id>
    <published>2021-02-02T08:00:00.000Z</published>
    <category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#comment'/>
    <content type='html'>Where do I send a broken kettle back?</content>
    <author><name>Reader</name></author>
    <thr:in-reply-to ref='tag:blogger.com,1999:blog-7.page-300'/>
  </entry>
  <entry>
    <id>tag:blogger.com,1999:blog-7.post-200</id>
    <published>2021-02-01T08:00:00.000Z</published>
    <category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#post'/>
    <title type='text'>Contact</title>
    <content type='html'>A post.</content>
    <link rel='alternate' type='text/html' href='https://pages.example.net/2021/02/contact.html'/>
  </entry>
  <entry>
    <id>tag:blogger.com,1999:blog-7.page-300</id>
    <published>2021-01-01T08:00:00.000Z</published>
    <category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#page'/>
    <title type='text'>Contact</title>
    <content type='html'>Write to us.</content>
    <link rel='alternate' type='text/html' href='https://pages.example.net/p/contact.html'/>
  </entry>
</feed>
"#;

#[test]
fn blogger_pages_are_imported_with_their_comments() {
    let site = empty_site();
    site.file("blog.xml", BLOGGER_PAGE);
    let run = site.run(&["import", "blogger", site.root().join("blog.xml").to_str().unwrap()]);
    run.assert_ok();
    assert!(run.stdout().contains("imported 1 post, 1 page"), "{}", run.stdout());
    assert!(run.stdout().contains("1 comment: 1 approved"), "{}", run.stdout());
    assert!(site.root().join("content/posts/contact.md").exists());
    assert!(site.root().join("content/comments/contact-2/bl-501.md").exists());
    site.build().assert_ok();
    let page = site.page("/contact-2/");
    assert_eq!(page.texts("#comments-title"), ["One comment"]);
    assert_eq!(page.texts(".comments-closed"), ["Comments are closed."]);
    assert_eq!(site.page("/posts/contact/").texts("#comments-title"), ["No comments yet."]);
}

/// A WXR of `items` (each an `<item>`'s inner XML).
fn wxr(items: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel><title>Private Test</title><link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>\n{}\n</channel></rss>\n",
        items.iter().map(|i| format!("<item>{i}</item>")).collect::<String>()
    )
}

fn wp_post(slug: &str, status: &str, password: &str, text: &str, comment: &str) -> String {
    format!(
        "<title>{slug}</title><dc:creator>ines</dc:creator><content:encoded><![CDATA[<p>{text}</p>]]></content:encoded><wp:post_id>{}</wp:post_id><wp:post_date_gmt>2020-01-02 10:00:00</wp:post_date_gmt><wp:post_name>{slug}</wp:post_name><wp:status>{status}</wp:status><wp:post_type>post</wp:post_type><wp:post_password>{password}</wp:post_password><wp:comment_status>open</wp:comment_status><wp:comment><wp:comment_id>{}</wp:comment_id><wp:comment_author>Reader</wp:comment_author><wp:comment_date_gmt>2020-01-03 10:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[{comment}]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>",
        slug.len(),
        slug.len() + 100
    )
}

/// See: issue 20. A password-protected post, a private one and a scheduled
/// one were not public in WordPress: they arrive as drafts with a note,
/// are listed in the report, and nothing of them (nor of their comments)
/// is published; `--skip-private` leaves them out.
#[test]
fn issue_20_what_was_not_public_is_never_published() {
    let export = tempfile::NamedTempFile::new().unwrap();
    let items = [
        wp_post("open-letter", "publish", "", "The public text of an open letter.", "A public comment here."),
        wp_post(
            "staff-only",
            "publish",
            "s3cret",
            "PROTECTED-TEXT about salaries.",
            "PROTECTED-COMMENT on it.",
        ),
        wp_post("diary", "private", "", "PRIVATE-TEXT of a diary.", "PRIVATE-COMMENT on it."),
        wp_post("next-week", "future", "", "SCHEDULED-TEXT for next week.", "SCHEDULED-COMMENT on it."),
    ];
    std::fs::write(export.path(), wxr(&items)).unwrap();
    let site = empty_site();
    let run = import(&site, export.path(), &[]);
    run.assert_ok();
    let out = run.stdout();
    assert!(out.contains("3 items not public in the old blog (never published here):"), "{out}");
    for (file, why) in [
        ("content/posts/staff-only.md", "password-protected"),
        ("content/posts/diary.md", "private"),
        ("content/posts/next-week.md", "scheduled"),
    ] {
        assert!(out.contains(&format!("    {file}: {why}")), "{file} in {out}");
        let text = read(&site, file);
        assert!(
            text.contains("draft: true") && text.contains(&format!("# Not public in the old blog ({why})")),
            "{text}"
        );
    }
    site.build().assert_ok();
    let published = published_text(&site);
    assert!(
        published.contains("The public text of an open letter")
            && published.contains("A public comment here")
    );
    for secret in ["PROTECTED-", "PRIVATE-", "SCHEDULED-"] {
        assert!(!published.contains(secret), "{secret} is in the output");
    }
    // Left out altogether on request, with their comments.
    let site = empty_site();
    let run = import(&site, export.path(), &["--skip-private"]);
    run.assert_ok();
    assert!(
        run.stdout().contains("content/posts/staff-only.md (left out): password-protected"),
        "{}",
        run.stdout()
    );
    assert!(!site.root().join("content/posts/staff-only.md").exists());
    assert!(!site.root().join("content/comments/staff-only").exists());
    assert!(site.root().join("content/posts/open-letter.md").exists());
}

/// See: issue 20. Blogger's drafts (either form) and scheduled posts are
/// drafts here, listed in the report; with `--skip-private`, left out with
/// their comments.
#[test]
fn issue_20_blogger_drafts_and_scheduled_posts_stay_unpublished() {
    let entry = |id: &str, status: &str, text: &str| {
        format!(
            "<entry><id>tag:blogger.com,1999:blog-7.post-{id}</id><published>2021-02-01T09:15:00.000-08:00</published><category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#post'/><title type='text'>Post {id}</title><content type='html'>{text}</content>{status}<link rel='alternate' type='text/html' href='https://old.example.net/2021/02/post-{id}.html'/><author><name>Mara</name></author></entry>\
             <entry><id>tag:blogger.com,1999:blog-7.post-9{id}</id><published>2021-02-03T08:00:00.000Z</published><category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#comment'/><content type='html'>Comment on {text}</content><author><name>Ana</name></author><thr:in-reply-to ref='tag:blogger.com,1999:blog-7.post-{id}'/></entry>"
        )
    };
    let atom = format!(
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr='http://purl.org/syndication/thread/1.0' xmlns:app='http://www.w3.org/2007/app' xmlns:blogger='http://schemas.google.com/blogger/2018'><title type='text'>Old</title><link rel='alternate' type='text/html' href='https://old.example.net/'/>{}{}{}{}</feed>",
        entry("1", "<blogger:status>LIVE</blogger:status>", "LIVE-TEXT"),
        entry("2", "<blogger:status>DRAFT</blogger:status>", "DRAFT-TEXT"),
        entry("3", "<blogger:status>SCHEDULED</blogger:status>", "SCHEDULED-TEXT"),
        entry("4", "<app:control><app:draft>yes</app:draft></app:control>", "OLDDRAFT-TEXT"),
    );
    let export = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(export.path(), atom).unwrap();
    let site = empty_site();
    let run = site.run(&["import", "blogger", export.path().to_str().unwrap()]);
    run.assert_ok();
    let out = run.stdout();
    assert!(out.contains("3 items not public in the old blog"), "{out}");
    assert!(out.contains("post-3.md: scheduled") && out.contains("post-2.md: a draft"), "{out}");
    site.build().assert_ok();
    let published = published_text(&site);
    assert!(published.contains("LIVE-TEXT"));
    for hidden in ["DRAFT-TEXT", "SCHEDULED-TEXT", "OLDDRAFT-TEXT"] {
        assert!(!published.contains(hidden), "{hidden} published");
    }
    let site = empty_site();
    let run = site.run(&["import", "blogger", export.path().to_str().unwrap(), "--skip-private"]);
    run.assert_ok();
    assert!(run.stdout().contains("(left out): scheduled"), "{}", run.stdout());
    let comments = walkdir::WalkDir::new(site.root().join("content/comments")).into_iter().flatten();
    assert_eq!(comments.filter(|e| e.file_type().is_file()).count(), 1, "only the live post's comment");
}

fn wp_linked(id: u32, slug: &str, date: &str, link: &str, body: &str) -> String {
    format!(
        "<title>{slug}</title><link>{link}</link><guid isPermaLink=\"false\">https://old.example.org/?p={id}</guid><dc:creator>ines</dc:creator><content:encoded><![CDATA[{body}]]></content:encoded><wp:post_id>{id}</wp:post_id><wp:post_date>{date}</wp:post_date><wp:post_date_gmt>{date}</wp:post_date_gmt><wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
    )
}

/// See: issue 20. Old URLs keep working: a new site takes the permalink
/// pattern that keeps every old path; where none does, each old path (and
/// the `?p=` address) becomes an alias with a redirect page; links between
/// posts move to the new URLs, and `parlor check` passes.
#[test]
fn issue_20_old_urls_keep_working() {
    let export = tempfile::NamedTempFile::new().unwrap();
    let dated = [
        wp_linked(
            11,
            "refunds",
            "2019-03-04 10:00:00",
            "https://old.example.org/2019/03/04/refunds/",
            "<p>First.</p>",
        ),
        wp_linked(
            12,
            "queues",
            "2020-01-02 09:00:00",
            "https://old.example.org/2020/01/02/queues/",
            "<p>See <a href=\"https://old.example.org/2019/03/04/refunds/\">the refunds story</a> and <a href=\"https://old.example.org/?p=11\">again</a>.</p>",
        ),
    ];
    std::fs::write(export.path(), wxr(&dated)).unwrap();
    let site = empty_site();
    let run = import(&site, export.path(), &[]);
    run.assert_ok();
    assert!(
        run.stdout().contains("old URLs kept: `permalink = \"/:year/:month/:day/:slug/\"`"),
        "{}",
        run.stdout()
    );
    let queues = read(&site, "content/posts/queues.md");
    assert!(
        queues.contains("[the refunds story](/2019/03/04/refunds/)")
            && queues.contains("[again](/2019/03/04/refunds/)"),
        "{queues}"
    );
    assert!(queues.contains("aliases:\n- /?p=12\n"), "only the ?p= address differs: {queues}");
    site.build().assert_ok();
    assert!(site.exists("2019/03/04/refunds/index.html"));
    assert!(
        site.read("_redirects").contains("/ p=12 /2020/01/02/queues/ 301"),
        "{}",
        site.read("_redirects")
    );
    site.run(&["check"]).assert_ok();

    // No pattern fits (one post lived at an odd address): aliases.
    let mut odd = dated.to_vec();
    odd.push(wp_linked(
        13,
        "odd",
        "2020-02-02 09:00:00",
        "https://old.example.org/archives/odd.html",
        "<p>Odd.</p>",
    ));
    std::fs::write(export.path(), wxr(&odd)).unwrap();
    let site = empty_site();
    let run = import(&site, export.path(), &[]);
    run.assert_ok();
    assert!(
        run.stdout().contains("6 aliases to old URLs") && run.stdout().contains("2 links between posts"),
        "{}",
        run.stdout()
    );
    assert!(!read(&site, "site.toml").contains("permalink"));
    let queues = read(&site, "content/posts/queues.md");
    assert!(queues.contains("[the refunds story](/posts/refunds/)"), "{queues}");
    site.build().assert_ok();
    site.run(&["check"]).assert_ok();
    for (old, new) in
        [("2019/03/04/refunds/index.html", "/posts/refunds/"), ("archives/odd.html", "/posts/odd/")]
    {
        let page = scraper::Html::parse_document(&site.read(old));
        let refresh = scraper::Selector::parse("meta[http-equiv=refresh]").unwrap();
        let content = page.select(&refresh).next().and_then(|m| m.attr("content")).unwrap_or_default();
        assert!(content.ends_with(new), "{old} leads to {content}, not {new}");
    }
}

/// Every file the build wrote, as text, one after another.
fn published_text(site: &SiteTest) -> String {
    let mut published = String::new();
    for entry in walkdir::WalkDir::new(site.root().join("public")).into_iter().flatten() {
        if entry.file_type().is_file() {
            published.push_str(&String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()));
        }
    }
    published
}

/// A WordPress export in the spirit of WordPress's theme unit test: a post
/// with every kind of media (a `[gallery]` of the post's attachments, one
/// of chosen ids, a block gallery, captions, embeds in each form, audio,
/// video, links to attachment pages) and widget blocks; the attachments
/// come after the post, as they may in a real export. A caption, an alt
/// text and an address carry quotes, backslashes and `}}`.
fn media_export() -> String {
    let post = |id: u32, slug: &str, status: &str, kind: &str, body: &str| {
        format!(
            "<item><title>{slug}</title><dc:creator>ines</dc:creator><content:encoded><![CDATA[{body}]]></content:encoded><wp:post_id>{id}</wp:post_id><wp:post_date_gmt>2020-05-0{} 10:00:00</wp:post_date_gmt><wp:post_name>{slug}</wp:post_name><wp:status>{status}</wp:status><wp:post_type>{kind}</wp:post_type></item>",
            id % 9 + 1
        )
    };
    let attachment = |id: u32, file: &str, alt: &str| {
        format!(
            "<item><title>Picture {id}</title><link>https://old.example.org/2020/05/harbour-walk/picture-{id}/</link><excerpt:encoded><![CDATA[Caption {id}]]></excerpt:encoded><wp:post_id>{id}</wp:post_id><wp:status>inherit</wp:status><wp:post_parent>10</wp:post_parent><wp:menu_order>{}</wp:menu_order><wp:post_type>attachment</wp:post_type><wp:attachment_url>https://files.example.net/uploads/{file}</wp:attachment_url><wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[{alt}]]></wp:meta_value></wp:postmeta></item>",
            100 - id
        )
    };
    let body = r#"<p>The harbour, in pictures.</p>
[gallery]
<p>Two of them again:</p>
[gallery ids="21,23"]
<!-- wp:gallery {"linkTo":"none"} -->
<figure class="wp-block-gallery has-nested-images"><!-- wp:image {"id":31} -->
<figure class="wp-block-image"><img src="https://cdn.example.org/block-1.jpg" alt="Block one" class="wp-image-31"/></figure>
<!-- /wp:image -->
<!-- wp:image {"id":32} -->
<figure class="wp-block-image"><img src="https://cdn.example.org/block-2.jpg" alt="" class="wp-image-32"/><figcaption>Block two</figcaption></figure>
<!-- /wp:image --></figure>
<!-- /wp:gallery -->
[caption id="attachment_21" align="alignnone" width="640"]<a href="https://old.example.org/2020/05/harbour-walk/picture-21/"><img src="https://files.example.net/uploads/one.jpg" alt="The pier" width="640" height="480" /></a> He said "hi" \ then }} {% end %} left[/caption]
<!-- wp:image {"id":22} -->
<figure class="wp-block-image"><img src="https://files.example.net/uploads/two.jpg" alt="The crane"/><figcaption>The <em>old</em> crane</figcaption></figure>
<!-- /wp:image -->
[embed]https://youtu.be/dQw4w9WgXcQ[/embed]
<p>https://vimeo.com/76979871</p>
<!-- wp:embed {"url":"https://www.youtube.com/watch?v=M7lc1UVf-VE","type":"video","providerNameSlug":"youtube"} -->
<figure class="wp-block-embed is-type-video is-provider-youtube"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=M7lc1UVf-VE
</div><figcaption>The tide table</figcaption></figure>
<!-- /wp:embed -->
<!-- wp:embed {"url":"https://twitter.com/harbour/status/123","type":"rich","providerNameSlug":"twitter"} -->
<figure class="wp-block-embed is-type-rich is-provider-twitter"><div class="wp-block-embed__wrapper">
https://twitter.com/harbour/status/123
</div></figure>
<!-- /wp:embed -->
[audio mp3="https://files.example.net/uploads/gulls.mp3"][/audio]
<figure class="wp-block-video"><video controls src="https://files.example.net/uploads/waves.mp4"></video><figcaption>Waves</figcaption></figure>
<p>See <a href="https://old.example.org/2020/05/harbour-walk/picture-22/">the crane alone</a> and <a href="https://old.example.org/?attachment_id=23">the boat</a>.</p>
<!-- wp:archives /-->
<!-- wp:latest-posts {"postsToShow":3} --><ul class="wp-block-latest-posts"><li>WIDGET-CONTENT</li></ul><!-- /wp:latest-posts -->
<p>The end.</p>"#;
    let items = [
        post(10, "harbour-walk", "publish", "post", body),
        post(
            11,
            "later",
            "publish",
            "post",
            "<p>Nothing here.</p><!-- wp:search {\"label\":\"Search\"} /-->",
        ),
        post(12, "unfinished", "draft", "post", "<p>Not yet.</p>"),
        post(13, "contact", "draft", "page", "<p>Write to us.</p>"),
        attachment(21, "one.jpg", "The pier"),
        attachment(22, "two.jpg", ""),
        attachment(23, "three\"}}\\.jpg", "A boat \"named\" \\ }} ) }}"),
        // Not an image: no gallery shows it.
        attachment(24, "tide-table.pdf", ""),
    ];
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel><title>Harbour</title><link>https://old.example.org</link>\n{}\n</channel></rss>\n",
        items.concat()
    )
}

/// See: issue 20. Galleries, captions, embeds, audio and video become the
/// site's shortcodes, in the Markdown and in the built page; widget blocks
/// are named in the report and left out; links to attachment pages lead to
/// the files; the counts say which drafts are posts and which pages.
#[test]
fn issue_20_media_become_shortcodes_and_build() {
    let site = empty_site();
    site.file("export.xml", &media_export());
    let run = import(&site, &site.root().join("export.xml"), &[]);
    run.assert_ok();
    let out = run.stdout();
    assert!(out.contains("imported 3 posts (1 of them a draft), 1 page (a draft)"), "{out}");
    for widget in ["widget block `archives`", "widget block `latest-posts`"] {
        assert!(out.contains(&format!("    content/posts/harbour-walk.md: not imported: {widget}")), "{out}");
    }
    assert!(out.contains("    content/posts/later.md: not imported: widget block `search`"), "{out}");
    assert!(out.contains("2 links to attachment pages now lead to the files"), "{out}");

    let post = read(&site, "content/posts/harbour-walk.md");
    // The files are on a host of their own (as on WordPress.com): a
    // self-hosted blog's uploads, on the old host, are the site's own paths,
    // and `check` asks for them until they are copied into `static/`.
    let up = "https://files.example.net/uploads/";
    // No ids: the post's images, in their menu order (23, 22, 21); the pdf is left out.
    assert!(
        post.contains(&format!(
            "{{{{ gallery(images=[\"{up}three\\\"}}}}\\\\.jpg\", \"{up}two.jpg\", \"{up}one.jpg\"], alts=[\"A boat \\\"named\\\" \\\\ }}}} ) }}}}\", \"Caption 22\", \"The pier\"]) }}}}\n"
        )),
        "{post}"
    );
    assert!(
        post.contains(&format!("{{{{ gallery(images=[\"{up}one.jpg\", \"{up}three\\\"}}}}\\\\.jpg\"]")),
        "{post}"
    );
    for call in [
        "{{ gallery(images=[\"https://cdn.example.org/block-1.jpg\", \"https://cdn.example.org/block-2.jpg\"], alts=[\"Block one\", \"Block two\"]) }}",
        "{{ figure(src=\"https://files.example.net/uploads/one.jpg\", alt=\"The pier\", caption=\"He said \\\"hi\\\" \\\\ then }} {% end %} left\", width=640, height=480) }}",
        "{{ figure(src=\"https://files.example.net/uploads/two.jpg\", alt=\"The crane\", caption=\"The old crane\") }}",
        "{{ youtube(id=\"dQw4w9WgXcQ\") }}",
        "{{ vimeo(id=\"76979871\") }}",
        "{{ youtube(id=\"M7lc1UVf-VE\", title=\"The tide table\") }}",
        "[https://twitter.com/harbour/status/123](https://twitter.com/harbour/status/123)",
        "{{ audio(src=\"https://files.example.net/uploads/gulls.mp3\") }}",
        "{{ video(src=\"https://files.example.net/uploads/waves.mp4\", title=\"Waves\") }}",
    ] {
        assert!(post.contains(&format!("\n{call}\n")), "{call} in {post}");
    }
    assert!(
        post.contains("See [the crane alone](https://files.example.net/uploads/two.jpg) and [the boat](https://files.example.net/uploads/three%22}}%5C.jpg)."),
        "{post}"
    );
    assert!(!post.contains("WIDGET-CONTENT") && !post.contains("wp:") && !post.contains("PARLOR"), "{post}");

    site.build().assert_ok();
    let check = site.run(&["check"]);
    assert_eq!(check.code(), 0, "{}", check.stderr());
    let page = site.page("/posts/harbour-walk/");
    assert_eq!(page.count(".sc-gallery"), 3);
    assert_eq!(
        page.attrs(".sc-gallery img", "src"),
        [
            format!("{up}three\"}}}}\\.jpg"),
            format!("{up}two.jpg"),
            format!("{up}one.jpg"),
            format!("{up}one.jpg"),
            format!("{up}three\"}}}}\\.jpg"),
            "https://cdn.example.org/block-1.jpg".into(),
            "https://cdn.example.org/block-2.jpg".into(),
        ]
    );
    assert_eq!(page.attrs(".sc-gallery img", "alt")[0], "A boat \"named\" \\ }} ) }}");
    assert_eq!(
        page.texts("figure.sc-figure:not(.sc-gallery figure) figcaption"),
        ["He said \"hi\" \\ then }} {% end %} left", "The old crane"]
    );
    assert_eq!(
        page.attrs(".sc-video-link a", "href"),
        [
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "https://player.vimeo.com/video/76979871?dnt=1",
            "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE",
        ]
    );
    assert_eq!(page.texts(".sc-video-link .sc-video-title")[2], "The tide table");
    assert_eq!(page.attrs(".sc-audio audio", "src"), ["https://files.example.net/uploads/gulls.mp3"]);
    assert_eq!(page.attrs(".sc-video video", "src"), ["https://files.example.net/uploads/waves.mp4"]);
    assert_eq!(page.texts(".sc-video figcaption"), ["Waves"]);
    assert!(page.attrs("a", "href").contains(&"https://twitter.com/harbour/status/123".to_string()));
    let text = page.texts("main").join(" ");
    assert!(text.contains("The end.") && !text.contains("WIDGET-CONTENT"), "{text}");
}
