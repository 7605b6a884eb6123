//! Broken sites: every problem is reported with its file and line, the exit
//! status is 1, and the previous `public/` is left as it was.

use crate::support::{SiteTest, post};

/// A site that built once, so that `public/` holds a good build.
fn built_site() -> SiteTest {
    let site = SiteTest::new();
    site.file("content/posts/good.md", &post("Good", "2020-01-01", "author: ann\n"));
    site.build().assert_ok();
    site
}

/// Builds, expects failure, checks that the error line names `path:line`
/// and that the good build is untouched. Returns stderr.
#[track_caller]
fn fails_at(site: &SiteTest, path_line: &str, message: &str) -> String {
    let before = site.read("posts/good/index.html");
    let run = site.build();
    let stderr = run.stderr();
    assert_eq!(run.code(), 1, "stderr:\n{stderr}");
    let headline = stderr.lines().find(|l| l.starts_with("error: ") && l.contains(message));
    let headline = headline.unwrap_or_else(|| panic!("no error line containing {message:?} in:\n{stderr}"));
    assert!(headline.contains(path_line), "{headline:?} should name {path_line}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(site.read("posts/good/index.html"), before, "previous output changed");
    stderr
}

#[test]
fn missing_title() {
    let site = built_site();
    site.file("content/posts/bad.md", "---\ndate: 2020-01-01\n---\nx\n");
    let stderr = fails_at(&site, "content/posts/bad.md:1:1", "missing `title`");
    assert!(stderr.contains("help: add `title:"), "{stderr}");
}

#[test]
fn bad_date() {
    let site = built_site();
    site.file("content/posts/bad.md", "---\ntitle: Bad\ndate: 2020-13-45\n---\nx\n");
    fails_at(&site, "content/posts/bad.md:3:1", "bad `date`");
}

#[test]
fn unknown_front_matter_key_with_suggestion() {
    let site = built_site();
    site.file("content/posts/bad.md", "---\ntitle: Bad\ndate: 2020-01-01\ntagz: [a]\n---\nx\n");
    let stderr = fails_at(&site, "content/posts/bad.md:4:1", "unknown front matter key `tagz`");
    assert!(stderr.contains("help: did you mean `tags`?"), "{stderr}");
}

#[test]
fn broken_yaml() {
    let site = built_site();
    site.file("content/posts/bad.md", "---\ntitle: Bad\ndate: 2020-01-01\ntags: [a, b\n---\nx\n");
    let run = site.build();
    assert_eq!(run.code(), 1);
    let stderr = run.stderr();
    let headline = stderr.lines().find(|l| l.starts_with("error: content/posts/bad.md:")).expect(&stderr);
    let line: usize = headline.split(':').nth(2).unwrap().parse().unwrap();
    assert!((4..=5).contains(&line), "{headline}");
}

#[test]
fn broken_toml_front_matter() {
    let site = built_site();
    site.file("content/posts/bad.md", "+++\ntitle = \"Bad\"\ndate = 2020-01-01\ntags = [\"a\"\n+++\nx\n");
    let run = site.build();
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("error: content/posts/bad.md:"), "{}", run.stderr());
}

#[test]
fn unknown_author() {
    let site = built_site();
    site.file("content/posts/bad.md", "---\ntitle: Bad\ndate: 2020-01-01\nauthor: anne\n---\nx\n");
    let stderr = fails_at(&site, "content/posts/bad.md:4:1", "unknown author `anne`");
    assert!(stderr.contains("did you mean `ann`?"), "{stderr}");
}

#[test]
fn two_posts_with_one_slug() {
    let site = built_site();
    site.file("content/posts/other.md", &post("Other", "2020-01-02", "slug: good\n"));
    let stderr = fails_at(&site, "content/posts/good.md:1:1", "both want the URL `/posts/good/`");
    assert!(stderr.contains("`content/posts/other.md`"), "names both files: {stderr}");
    // Found by the model, after the text was let go: the snippet is read back.
    assert!(stderr.lines().any(|l| l.contains("1 │ ---")), "a snippet of the line: {stderr}");
}

/// A problem only the whole site shows (a reply to a comment that does not
/// exist) is found after the comment files' texts are let go; the warning
/// still names the line and shows it.
#[test]
fn a_reply_to_no_comment_is_shown_at_its_line() {
    let site = built_site();
    site.file(
        "content/comments/good/c1.md",
        "---\nid: c1\nauthor: Ann\ndate: 2020-01-02T00:00:00Z\nreply_to: nope\nstatus: approved\n---\nHi.\n",
    );
    let run = site.build();
    let stderr = run.stderr();
    assert_eq!(run.code(), 0, "a broken comment is a warning: {stderr}");
    let headline = stderr.lines().find(|l| l.contains("no comment has that id")).unwrap_or_default();
    assert!(headline.starts_with("warning: content/comments/good/c1.md:5:1:"), "{stderr}");
    assert!(stderr.lines().any(|l| l.contains("5 │ reply_to: nope")), "a snippet of the line: {stderr}");
}

#[test]
fn a_post_and_a_page_with_one_url() {
    let site = built_site();
    site.file("content/pages/tags.md", "---\ntitle: Tags\n---\nx\n");
    fails_at(&site, "content/pages/tags.md:1:1", "both want the URL `/tags/`");
}

#[test]
fn template_syntax_error() {
    let site = built_site();
    site.file(
        "themes/default/templates/post.html",
        "{% extends \"base.html\" %}\n{% block main %}\n{{ post.title \n{% endblock main %}\n",
    );
    fails_at(&site, "themes/default/templates/post.html:", "");
}

#[test]
fn template_render_error_names_template_and_line() {
    let site = built_site();
    for n in 0..5 {
        site.file(&format!("content/posts/p{n}.md"), &post("P", "2020-02-01", ""));
    }
    site.file(
        "themes/default/templates/post.html",
        "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ post.titel }}</h1>\n{% endblock main %}\n",
    );
    let stderr = fails_at(&site, "themes/default/templates/post.html:3:", "titel");
    // The same error on every post is reported once.
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error: ") && l.contains("post.html:3:")).count(),
        1,
        "{stderr}"
    );
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let site = built_site();
    site.file("content/posts/one.md", "---\ntitle: One\ndate: nope\n---\n")
        .file("content/posts/two.md", "no front matter\n")
        .file("content/posts/three.md", "---\ntitle: Three\ndate: 2020-01-01\ncomments: maybe\n---\n")
        .file("site.toml", &format!("{}titel = \"x\"\n", crate::support::CONFIG));
    let run = site.build();
    assert_eq!(run.code(), 1);
    let stderr = run.stderr();
    for needle in
        ["content/posts/one.md:3", "content/posts/two.md:1", "content/posts/three.md:4", "site.toml:"]
    {
        assert!(stderr.contains(needle), "{needle} missing from:\n{stderr}");
    }
    assert!(stderr.contains("the site has 4 problems"), "{stderr}");
}

#[test]
fn missing_config_and_bad_config() {
    let site = SiteTest::new();
    site.remove("site.toml");
    let run = site.build();
    assert_eq!(run.code(), 1);
    assert!(
        run.stderr().contains("no `site.toml`") && run.stderr().contains("parlor init"),
        "{}",
        run.stderr()
    );
    site.file("site.toml", "title = \"T\"\nbase_url = \"https://x.org\"\nposts_per_page = \"ten\"\n");
    let run = site.build();
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("error: site.toml:3:"), "{}", run.stderr());
}

#[test]
fn invalid_utf8_and_a_bom() {
    let site = built_site();
    std::fs::write(site.root().join("content/posts/bin.md"), b"---\ntitle: \xff\xfe\n---\n").unwrap();
    site.file("content/posts/bom.md", &format!("\u{feff}{}", post("Bom", "2020-01-01", "")));
    let run = site.build();
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("content/posts/bin.md: not valid UTF-8"), "{}", run.stderr());
    assert!(!run.stderr().contains("bom.md"), "a BOM is fine: {}", run.stderr());
}

#[test]
fn check_reports_broken_internal_links() {
    let site = SiteTest::new();
    site.file(
        "content/posts/a.md",
        &post("Alpha", "2020-01-01", "")
            .replace("More text.", "See [this](/posts/nope/) and [that](/posts/a/#top)."),
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let stderr = run.stderr();
    assert!(
        stderr.contains("error: content/posts/a.md:8:12: broken internal link `/posts/nope/`"),
        "{stderr}"
    );
    assert!(stderr.contains("broken internal link `/posts/nope/`"), "{stderr}");
    assert!(!stderr.lines().any(|l| l.starts_with("error: ") && l.contains("#top")), "{stderr}");
    assert!(!site.exists("index.html"), "check writes nothing");
}
