//! Snapshot tests (insta) where the whole output is the contract: what
//! `parlor build` prints about a broken site, and the `<main>` of the
//! default theme's pages. The snapshots are in `tests/it/snapshots/`; a
//! change shows as a diff there (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test --test it snapshots` to rewrite them).
//! CI runs with `INSTA_UPDATE=no`: a mismatch or a missing snapshot fails.
//!
//! The sites are `tests/fixtures/broken/` and `tests/fixtures/snapshot/`,
//! with dates fixed and far in the past.

use crate::support::SiteTest;

/// Stderr as a user reads it, made stable: the temp folder (should it
/// appear) as `[ROOT]`, and no spaces at line ends (miette pads the empty
/// lines of a snippet).
fn stable(site: &SiteTest, stderr: &str) -> String {
    let root = site.root().display().to_string();
    stderr.replace(&root, "[ROOT]").lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

/// Every problem of the site in one run, in the order of the files: a bad
/// date, an unknown author (with the near one), an unknown front matter
/// key, a comment file with a bad date and status (warnings: it is left
/// out), and an unknown rule in `site.toml`. Stderr is not a terminal here,
/// so there is no colour.
#[test]
fn build_diagnostics_of_a_site_with_many_problems() {
    let site = SiteTest::from_fixture("broken");
    let run = site.build();
    assert_eq!(run.code(), 1, "stderr:\n{}", run.stderr());
    assert!(!site.exists("index.html"), "nothing was written");
    insta::assert_snapshot!("build_diagnostics", stable(&site, &run.stderr()));
}

/// Values in `site.toml` that parse but cannot be used: all of them are
/// reported, and nothing else, since the site is not read without a usable
/// config (the broken posts of the fixture go unmentioned).
#[test]
fn build_diagnostics_of_bad_config_values() {
    let site = SiteTest::from_fixture("broken");
    site.file(
        "site.toml",
        "title = \"Broken Blog\"\nbase_url = \"broken.example.org\"\nposts_per_page = 0\npermalink = \"/:yr/:slug/\"\n\n[comments]\nthreading_depth = 0\n",
    );
    let run = site.build();
    assert_eq!(run.code(), 1, "stderr:\n{}", run.stderr());
    insta::assert_snapshot!("build_diagnostics_config_values", stable(&site, &run.stderr()));
}

/// The snapshot site, built, with a fixed site secret so that the comment
/// form's token is the same in every run.
fn snapshot_site() -> SiteTest {
    let site = SiteTest::from_fixture("snapshot");
    site.file(".parlor/secret", "snapshot-test-secret\n");
    site.build().assert_ok();
    site
}

/// A post with a thread three deep, a second top-level comment, a pending
/// comment (not shown), the form and the comment policy beside it.
#[test]
fn post_page_main() {
    let site = snapshot_site();
    let page = site.page("/posts/first-call/");
    let main = page.pretty("main");
    assert!(main.contains("comment-c3") && !main.contains("Pending Person"), "{main}");
    insta::assert_snapshot!("post_page_main", main);
}

/// The theme's element for the comments (`section#comments`) alone: the
/// count, the thread, the notices and the form.
#[test]
fn post_page_comments() {
    let site = snapshot_site();
    let comments = site.page("/posts/first-call/").pretty("#comments");
    assert!(!comments.contains("Pending Person") && !comments.contains("private.example"), "{comments}");
    insta::assert_snapshot!("post_page_comments", comments);
}

/// The home page: the two newest posts' cards and the pagination.
#[test]
fn home_page_main() {
    let site = snapshot_site();
    insta::assert_snapshot!("home_page_main", site.page("/").pretty("main"));
}

/// A redirect page (`aliases:`), whole: the refresh, the canonical link,
/// `noindex` and the link for people.
#[test]
fn redirect_page() {
    let site = snapshot_site();
    insta::assert_snapshot!("redirect_page", site.read("2019/03/04/first-call/index.html"));
}
