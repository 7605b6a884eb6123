//! The command line: init, new post, help, exit codes.

use std::process::Command;

use crate::support::SiteTest;

fn parlor(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_parlor")).args(args).output().unwrap()
}

#[test]
fn init_then_build_works_with_the_built_in_theme() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("blog");
    let out = parlor(&["init", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = parlor(&["--root", dir.to_str().unwrap(), "build"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("built ")
            && stdout.contains("(1 post, 2 pages, 2 comments published, 1 awaiting moderation)"),
        "{stdout}"
    );
    for file in ["index.html", "comment-policy/index.html", "about/index.html", "style.css", "sitemap.xml"] {
        assert!(dir.join("public").join(file).exists(), "{file}");
    }
    let out = parlor(&["init", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "init refuses a non-empty folder");
}

#[test]
fn new_post_creates_a_draft_that_builds_with_drafts() {
    let site = SiteTest::new();
    let run = site.run(&["new", "post", "Ten minutes on hold"]);
    run.assert_ok();
    assert!(run.stdout().contains("content/posts/ten-minutes-on-hold.md"), "{}", run.stdout());
    site.run(&["build", "--drafts"]).assert_ok();
    assert!(site.exists("posts/ten-minutes-on-hold/index.html"));
    assert_eq!(site.run(&["new", "post", "Ten minutes on hold"]).code(), 1, "never overwrites");
}

#[test]
fn usage_errors_exit_2_and_help_lists_commands() {
    assert_eq!(parlor(&["bulid"]).status.code(), Some(2));
    let help = String::from_utf8_lossy(&parlor(&["--help"]).stdout).into_owned();
    for cmd in ["build", "check", "init", "new"] {
        assert!(help.contains(cmd), "{help}");
    }
}

#[test]
fn output_and_base_url_flags() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &crate::support::post("A", "2020-01-01", ""));
    let out = site.root().join("elsewhere");
    site.run(&["build", "--output", out.to_str().unwrap(), "--base-url", "https://preview.example.org"])
        .assert_ok();
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("https://preview.example.org/posts/a/"), "{sitemap}");
    assert!(!site.exists("index.html"));
}

#[test]
fn quiet_prints_nothing_on_success() {
    let site = SiteTest::new();
    let run = site.run(&["build", "--quiet"]);
    run.assert_ok();
    assert!(run.stdout().is_empty() && run.stderr().is_empty());
}
