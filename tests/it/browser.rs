//! What a reader sees, in headless Chromium: the pages render with no
//! JavaScript errors needed, at phone and desktop widths. Screenshots are
//! kept in `target/screenshots/` for a person to look at.
//!
//! Needs Debian's `chromium`; `.ci/run` installs it and runs these with
//! `--include-ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{Html, Selector};

use crate::support::SiteTest;

const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
];

fn chromium(profile: &Path, args: &[String]) -> std::process::Output {
    Command::new("chromium")
        .args(CHROMIUM_FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium runs (apt-get install chromium)")
}

/// The DOM after Chromium has loaded and laid out `file`.
fn rendered_dom(profile: &Path, file: &Path) -> Html {
    let out = chromium(profile, &["--dump-dom".into(), format!("file://{}", file.display())]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Html::parse_document(&String::from_utf8_lossy(&out.stdout))
}

fn screenshot(profile: &Path, file: &Path, png: &Path, width: u32) {
    let out = chromium(
        profile,
        &[
            format!("--screenshot={}", png.display()),
            format!("--window-size={width},1400"),
            format!("file://{}", file.display()),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let size = std::fs::metadata(png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "{} is {size} bytes: an empty page?", png.display());
}

fn texts(html: &Html, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    html.select(&sel).map(|e| e.text().collect::<String>().trim().to_string()).collect()
}

#[test]
#[ignore = "needs Chromium (installed by .ci/run)"]
fn example_site_renders_for_a_reader() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let public = out_dir.path().join("public");
    // Root-relative links need the output at "/", so build with a file:// base.
    let base = format!("file://{}", public.display());
    let status = Command::new(env!("CARGO_BIN_EXE_parlor"))
        .args([
            "--root",
            repo.to_str().unwrap(),
            "build",
            "--output",
            public.to_str().unwrap(),
            "--base-url",
            &base,
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let pages = [
        ("index", "index.html"),
        ("post", "posts/a-script-for-the-password-reset-queue/index.html"),
        ("tag", "tags/discussion/index.html"),
        ("comments", "posts/the-wardrobe-that-arrived-twice/index.html"),
    ];
    for (name, path) in pages {
        let file = public.join(path);
        for (label, width) in [("narrow", 390), ("wide", 1280)] {
            screenshot(profile.path(), &file, &shots.join(format!("{name}-{label}.png")), width);
        }
    }
    let dom = rendered_dom(profile.path(), &public.join(pages[1].1));
    assert_eq!(texts(&dom, "a.skip-link"), ["Skip to content"]);
    assert_eq!(texts(&dom, "main h1"), ["A script for the password-reset queue"]);
    assert!(!texts(&dom, "pre code.language-python").is_empty());
    let thread = rendered_dom(profile.path(), &public.join(pages[3].1));
    assert_eq!(texts(&thread, "#comments-title"), ["4 comments"]);
    let nested =
        Selector::parse("li.comment > ol.comment-replies > li.comment > ol.comment-replies > li.comment")
            .unwrap();
    assert_eq!(thread.select(&nested).count(), 1, "a reply to a reply is nested twice");
    let index = rendered_dom(profile.path(), &public.join("index.html"));
    assert_eq!(texts(&index, ".post-card-title").len(), 5);
}

#[test]
#[ignore = "needs Chromium (installed by .ci/run)"]
fn a_hostile_title_runs_no_script_in_the_browser() {
    let site = SiteTest::new();
    // Written by hand: `post()` repeats the title in the body, and an
    // author's own Markdown may hold raw HTML on purpose.
    site.file(
        "content/posts/x.md",
        "---\ntitle: \"<img src=x onerror=\\\"document.title='pwned'\\\">\"\ndate: 2020-01-01\ntags: [\"<script>document.title='pwned'</script>\"]\n---\nA plain body.\n",
    );
    site.build().assert_ok();
    let profile = tempfile::tempdir().unwrap();
    for page in ["index.html", "posts/x/index.html", "tags/index.html"] {
        let dom = rendered_dom(profile.path(), &site.public(page));
        let title = texts(&dom, "title");
        assert_ne!(title[0], "pwned", "{page}: a script ran");
        if page.starts_with("posts/") {
            assert!(title[0].starts_with("<img src=x"), "{page}: {title:?}");
        }
    }
}
