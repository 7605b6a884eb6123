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

#[test]
#[ignore = "needs Chromium (installed by .ci/run)"]
fn hostile_comments_run_no_script_in_the_browser() {
    use crate::hostile::{BAD_URLS, XSS, comment_file};
    let site = SiteTest::new();
    site.file("content/posts/p.md", "---\ntitle: Discussed\ndate: 2020-01-01\n---\nA plain body.\n");
    for (i, attack) in XSS.iter().enumerate() {
        let website = format!("https://example.org/{attack}");
        site.file(
            &format!("content/comments/p/x{i}.md"),
            &comment_file(&format!("x{i}"), attack, Some(&website), None, attack),
        );
    }
    for (i, url) in BAD_URLS.iter().enumerate() {
        let body = format!("[click]({url}) <{url}> <a href=\"{url}\">raw</a>");
        site.file(
            &format!("content/comments/p/u{i}.md"),
            &comment_file(&format!("u{i}"), "Linker", None, None, &body),
        );
    }
    site.build().assert_ok();
    let profile = tempfile::tempdir().unwrap();
    for page in ["posts/p/index.html", "index.html", "archive/index.html", "2020/index.html"] {
        let dom = rendered_dom(profile.path(), &site.public(page));
        assert_ne!(texts(&dom, "title")[0], "PWNED", "{page}: a script ran");
        assert!(texts(&dom, "body")[0].len() > 100, "{page} rendered");
    }
    let thread = rendered_dom(profile.path(), &site.public("posts/p/index.html"));
    let authors = texts(&thread, ".comment-author");
    assert!(authors.iter().any(|a| a.contains("<script>")), "the attack shows as text: {authors:?}");
}

/// A WebDriver session in headless Chromium, through chromedriver.
struct Browser {
    driver: std::process::Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let port = crate::intake::free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver runs (apt-get install chromium-driver)");
        crate::intake::wait_for(port);
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let caps = serde_json::json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}
        }}});
        let created = call("POST", &format!("{base}/session"), Some(caps));
        let session =
            created["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("{created}")).to_string();
        Browser { driver, base, session, _profile: profile }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.session)
    }

    fn goto(&self, url: &str) {
        call("POST", &self.url("/url"), Some(serde_json::json!({ "url": url })));
    }

    fn find_all(&self, css: &str) -> Vec<String> {
        let found = call(
            "POST",
            &self.url("/elements"),
            Some(serde_json::json!({"using": "css selector", "value": css})),
        );
        found["value"]
            .as_array()
            .map(|a| {
                a.iter().filter_map(|e| e.as_object()?.values().next()?.as_str().map(String::from)).collect()
            })
            .unwrap_or_default()
    }

    fn find(&self, css: &str) -> String {
        self.find_all(css).into_iter().next().unwrap_or_else(|| panic!("no element {css}"))
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        call("POST", &self.url(&format!("/element/{el}/value")), Some(serde_json::json!({ "text": text })));
    }

    fn click(&self, css: &str) {
        let el = self.find(css);
        call("POST", &self.url(&format!("/element/{el}/click")), Some(serde_json::json!({})));
    }

    fn displayed(&self, css: &str) -> bool {
        let el = self.find(css);
        call("GET", &self.url(&format!("/element/{el}/displayed")), None)["value"].as_bool().unwrap_or(false)
    }

    /// Waits until an element matching `css` is shown; a page that is still being replaced
    /// counts as not shown yet.
    fn wait_displayed(&self, css: &str, seconds: u64) -> bool {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        while std::time::Instant::now() < until {
            if let Some(el) = self.find_all(css).into_iter().next() {
                let shown = call("GET", &self.url(&format!("/element/{el}/displayed")), None);
                if shown["value"].as_bool() == Some(true) {
                    return true;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    }

    fn wait_for(&self, css: &str, seconds: u64) -> bool {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        while std::time::Instant::now() < until {
            if !self.find_all(css).is_empty() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    }
}

impl Browser {
    /// The value `script` returns, run in the page.
    fn execute(&self, script: &str) -> serde_json::Value {
        let body = serde_json::json!({ "script": script, "args": [] });
        call("POST", &self.url("/execute/sync"), Some(body))["value"].clone()
    }

    /// Lays pages out as a phone `width` CSS pixels wide would (a window
    /// cannot be made that narrow).
    fn emulate_width(&self, width: u32) {
        let params = serde_json::json!({
            "width": width, "height": 800, "deviceScaleFactor": 1, "mobile": false
        });
        let body = serde_json::json!({ "cmd": "Emulation.setDeviceMetricsOverride", "params": params });
        call("POST", &self.url("/goog/cdp/execute"), Some(body));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn call(method: &str, url: &str, body: Option<serde_json::Value>) -> serde_json::Value {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut resp = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        (_, Some(b)) => agent.post(url).header("Content-Type", "application/json").send(b.to_string()),
        (_, None) => agent.post(url).send_empty(),
    }
    .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    serde_json::from_str(&resp.body_mut().read_to_string().unwrap_or_default()).unwrap_or_default()
}

#[test]
#[ignore = "needs Chromium and chromedriver (installed by .ci/run)"]
fn a_reader_comments_and_the_tab_shows_it_once_approved() {
    let site = SiteTest::new();
    site.file(
        "content/posts/p.md",
        "---\ntitle: A post to discuss\ndate: 2020-01-01\n---\nWhat would you have done?\n",
    )
    .file(
        "content/pages/comment-policy.md",
        "---\ntitle: Comment policy\n---\nBe kind, and say what you think.\n",
    );
    let port = crate::intake::free_port();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_parlor"))
        .args(["--root", site.root().to_str().unwrap(), "serve", "--port", &port.to_string()])
        .env("PARLOR_SECRET", "browser-test-secret")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(site.root().join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    crate::intake::wait_for(port);
    let browser = Browser::start();
    browser.goto(&format!("http://127.0.0.1:{port}/posts/p/"));
    assert!(
        browser.find_all("#comment-pending").len() == 1 && !browser.displayed("#comment-pending"),
        "the notice waits"
    );
    assert!(!browser.find_all(".comment-policy-box").is_empty(), "the policy is beside the form");
    browser.type_into("#c-author", "Robin");
    browser.type_into("#c-body", "I would have called the manager and asked for the refund in writing.");
    browser.click("form.comment-form button[type=submit]");
    // The notice is in the page before sending too, hidden: wait for the page the
    // intake redirects to, where it shows, not merely for the element.
    assert!(
        browser.wait_displayed("#comment-pending", 15),
        "after sending, the page says the comment awaits moderation"
    );
    let dir = site.root().join("content/comments/p");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".md"))
        .expect("the comment was stored");
    let id = file.trim_end_matches(".md").to_string();
    assert!(browser.find_all(&format!("#comment-{id}")).is_empty(), "pending: not shown yet");
    site.run(&["comments", "approve", &id]).assert_ok();
    let shown = browser.wait_for(&format!("#comment-{id}"), 15);
    let source = call("GET", &browser.url("/source"), None)["value"].as_str().unwrap_or("").to_string();
    let log = std::fs::read_to_string(site.root().join("serve.log")).unwrap_or_default();
    let url = call("GET", &browser.url("/url"), None);
    assert!(
        shown,
        "the open tab reloaded by itself and shows the approved comment\nurl {url}\nlog:\n{log}\nsource tail:\n{}",
        &source[source.len().saturating_sub(1500)..]
    );
    let _ = serve.kill();
    let _ = serve.wait();
}

/// Set on every new document (frames too) before its own scripts:
/// `alert`, `prompt` and `confirm` record what called them instead of
/// showing a dialog.
const DIALOG_TRAP: &str = "window.__parlorRan = [];\
    for (const name of ['alert', 'prompt', 'confirm']) {\
      window[name] = (m) => { (window.top.__parlorRan || window.__parlorRan).push(name + '(' + m + ')'); };\
    }";

impl Browser {
    /// Runs `source` in every document opened from now on, before its own
    /// scripts (Chrome DevTools Protocol, through chromedriver).
    fn on_every_document(&self, source: &str) {
        let sent = call(
            "POST",
            &self.url("/goog/cdp/execute"),
            Some(
                serde_json::json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": source}}),
            ),
        );
        assert!(sent["value"].is_object(), "{sent}");
    }

    /// What the page's scripts called the trapped dialogs with, once the
    /// events queued by loading it (errors, focus, toggles) have run.
    fn dialogs_called(&self) -> Vec<String> {
        let script = "const done = arguments[0];\
            setTimeout(() => setTimeout(() => done(window.__parlorRan || ['no trap']), 0), 0);";
        let ran = call(
            "POST",
            &self.url("/execute/async"),
            Some(serde_json::json!({"script": script, "args": []})),
        );
        ran["value"].as_array().unwrap_or_else(|| panic!("{ran}")).iter().map(|v| v.to_string()).collect()
    }
}

/// See: issue 15. The vectors of `tests/fixtures/import/xss-vectors.wxr`
/// (markup inside attribute values, mismatched quotes, comments and CDATA
/// inside tags, entity-encoded parentheses), imported and built, call no
/// dialog on any page in a real browser.
#[test]
#[ignore = "needs Chromium and chromedriver (installed by .ci/run)"]
fn issue_15_imported_vectors_call_nothing_in_the_browser() {
    let (_dir, site) = crate::hostile::import_vectors();
    // The theme's style and script load from the output, as on a server.
    let base = format!("file://{}", site.public("").display());
    site.run(&["build", "--base-url", &base]).assert_ok();
    let browser = Browser::start();
    browser.on_every_document(DIALOG_TRAP);
    // The trap sees a vector that does run: the same page with one live.
    let control = site.public("control.html");
    std::fs::write(
        &control,
        "<!doctype html><title>c</title><img src=x onerror=alert(1)><details open ontoggle=prompt(2)></details>",
    )
    .unwrap();
    browser.goto(&format!("file://{}", control.display()));
    let mut called = browser.dialogs_called();
    called.sort();
    assert_eq!(called, ["\"alert(1)\"", "\"prompt(2)\""]);
    std::fs::remove_file(&control).unwrap();
    let pages: Vec<PathBuf> = walk_files(&site.public(""))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    assert!(pages.len() > 62, "{} pages", pages.len());
    for page in &pages {
        browser.goto(&format!("file://{}", page.display()));
        let called = browser.dialogs_called();
        assert!(called.is_empty(), "{}: {called:?}", page.display());
    }
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
#[ignore = "needs Chromium and chromedriver (installed by .ci/run)"]
fn long_words_code_and_urls_in_comments_stay_inside_a_phone_screen() {
    let site = SiteTest::new();
    let title = format!("A title with {}", "Unbreakable".repeat(12));
    site.file("content/posts/p.md", &format!("---\ntitle: {title}\ndate: 2020-01-01\n---\nA plain body.\n"));
    let word = "w".repeat(300);
    let log = format!(
        "2020-01-02T10:00:00Z ERROR [checkout] payment gateway timed out after 30000 ms; retrying order={} with backoff",
        "x".repeat(120)
    );
    let url = format!("https://example.org/support/tickets/{}?ref=comment", "a1b2c3d4".repeat(20));
    let body = format!("{word}\n\n```\n{log}\n```\n\nSee {url} for the log.\n");
    site.file(
        "content/comments/p/long.md",
        &crate::hostile::comment_file("long", "Linda", None, None, &body),
    );
    let base = format!("file://{}", site.public("").display());
    site.run(&["build", "--base-url", &base]).assert_ok();
    let browser = Browser::start();
    browser.emulate_width(320);
    for page in ["posts/p/index.html", "index.html", "archive/index.html", "2020/index.html"] {
        browser.goto(&format!("file://{}", site.public(page).display()));
        let widths = browser.execute(
            "return [document.documentElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth];",
        );
        eprintln!("{page}: [scrollWidth, innerWidth, clientWidth] = {widths}");
        assert_eq!(widths[1], 320, "{page}: the viewport is a phone's");
        assert_eq!(widths[0], widths[1], "{page}: the page is wider than the screen");
        assert_eq!(widths[0], widths[2], "{page}");
    }
    browser.goto(&format!("file://{}", site.public("posts/p/index.html").display()));
    let code = browser.execute(
        "const pre = document.querySelector('.comment-body pre'); \
         return [pre.scrollWidth > pre.clientWidth, getComputedStyle(pre).overflowX];",
    );
    assert_eq!(code, serde_json::json!([true, "auto"]), "the log line scrolls inside its box");
}

/// The URL on the line after `label:` in a mail (the moderation links).
fn link_in(text: &str, label: &str) -> String {
    let mut lines = text.lines();
    lines.find(|l| l.trim() == format!("{label}:")).unwrap_or_else(|| panic!("no {label} in {text}"));
    lines.next().unwrap().trim().to_string()
}

/// Waits until the page at `url`, loaded afresh, has an element `css`;
/// how long that took.
fn reload_until(browser: &Browser, url: &str, css: &str, seconds: u64) -> std::time::Duration {
    let start = std::time::Instant::now();
    loop {
        browser.goto(url);
        if !browser.find_all(css).is_empty() {
            return start.elapsed();
        }
        assert!(start.elapsed().as_secs() < seconds, "{css} never appeared on {url}");
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}

/// See: issue 18. The whole loop in a real browser, against `parlor intake
/// --publish` and a real SMTP server: a reader comments on the published
/// site; the moderator's mail arrives; its approve link, opened and
/// confirmed in the browser, puts the comment on the published page. A
/// reader who asked for replies confirms by mail and gets exactly one mail
/// when a reply is published; a policy rejection shows its reason with the
/// form filled in; spam gets the neutral notice.
#[test]
#[ignore = "needs Chromium, chromedriver and aiosmtpd (installed by .ci/run)"]
fn issue_18_the_comment_loop_in_a_browser() {
    use crate::notify::{SmtpSink, mails_to, until};
    use std::time::Duration;
    let (smtp_port, intake_port, web_port) =
        (crate::intake::free_port(), crate::intake::free_port(), crate::intake::free_port());
    let mailbox = tempfile::tempdir().unwrap();
    let mb = mailbox.path();
    let _smtp = SmtpSink::start(smtp_port, mb);
    let web = format!("http://127.0.0.1:{web_port}");
    let site = SiteTest::with_config(&format!(
        "title = \"Loop Blog\"\nbase_url = \"{web}/\"\n\n[comments]\nintake_url = \"http://127.0.0.1:{intake_port}/comments\"\n\n[moderation]\nflood_seconds = 0\n\n[notify]\nemail = [\"moderator@example.org\"]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\nsmtp_tls = \"none\"\nreplies = true\nretry_seconds = 1\n\n[publish]\ndebounce_ms = 50\n"
    ));
    site.file(
        "content/posts/refunds.md",
        "---\ntitle: Refunds that take weeks\ndate: 2024-03-01\n---\nWhy do refunds take so long?\n",
    );
    let log = std::fs::File::create(site.root().join("intake.log")).unwrap();
    let mut intake = Command::new(env!("CARGO_BIN_EXE_parlor"))
        .args([
            "--root",
            site.root().to_str().unwrap(),
            "intake",
            "--publish",
            "--port",
            &intake_port.to_string(),
        ])
        .env("PARLOR_SECRET", "browser-loop-secret")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    until(Duration::from_secs(30), "the first publish", || {
        site.exists("posts/refunds/index.html").then_some(())
    });
    // The published folder, served as nginx would serve it.
    let mut web_server = Command::new("python3")
        .args(["-m", "http.server", &web_port.to_string(), "--bind", "127.0.0.1", "--directory"])
        .arg(site.root().join("public"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    crate::intake::wait_for(web_port);
    let post_url = format!("{web}/posts/refunds/");
    let browser = Browser::start();

    // Ann comments and asks for replies.
    browser.goto(&post_url);
    browser.type_into("#c-author", "Ann");
    browser.type_into("#c-email", "ann@example.net");
    browser.type_into("#c-body", "Holding for two hours taught me to ask for a callback instead.");
    browser.click("input[name=notify_replies]");
    browser.click("form.comment-form button[type=submit]");
    if !browser.wait_displayed("#comment-pending", 15) {
        let url = call("GET", &browser.url("/url"), None);
        let source = call("GET", &browser.url("/source"), None)["value"].as_str().unwrap_or("").to_string();
        let log = std::fs::read_to_string(site.root().join("intake.log")).unwrap_or_default();
        panic!("no pending notice at {url}\nlog:\n{log}\nsource:\n{}", &source[..source.len().min(3000)]);
    }

    // The moderator's mail; its approve link, opened and confirmed.
    let mail = until(Duration::from_secs(20), "the moderator's mail", || {
        mails_to(mb, "moderator@example.org", "awaits").into_iter().find(|m| m.text.contains("two hours"))
    });
    assert!(
        mail.text.contains("Holding for two hours") && mail.text.contains("Status: pending"),
        "{}",
        mail.text
    );
    let ann_id = mail
        .text
        .lines()
        .find_map(|l| l.strip_prefix("On the server: parlor comments approve "))
        .unwrap()
        .trim()
        .to_string();
    browser.goto(&link_in(&mail.text, "Approve"));
    assert!(browser.find_all(&format!("#comment-{ann_id}")).is_empty());
    browser.click("main form button[type=submit]");
    let clicked = std::time::Instant::now();
    let took = reload_until(&browser, &post_url, &format!("#comment-{ann_id}"), 20);
    eprintln!(
        "issue 18: approve click to comment on the published page: {} ms (the page reloaded until it showed it: {} ms)",
        clicked.elapsed().as_millis(),
        took.as_millis()
    );

    // Ann confirms her subscription in the browser.
    let confirm = until(Duration::from_secs(20), "the confirmation", || {
        mails_to(mb, "ann@example.net", "Confirm").pop()
    });
    let confirm_url = confirm.text.split_whitespace().find(|w| w.contains("a=confirm")).unwrap().to_string();
    browser.goto(&confirm_url);
    browser.click("main form button[type=submit]");
    assert!(browser.wait_for(".intake-notice", 10));
    assert!(
        std::fs::read_to_string(site.root().join("content/comments/subscriptions.toml"))
            .unwrap()
            .contains("confirmed")
    );

    // Ben replies to her; once approved, Ann gets one mail.
    browser.goto(&post_url);
    browser.type_into("#c-author", "Ben");
    browser.type_into("#c-body", "Same here: the callback came within the hour, and they apologised.");
    browser.execute(&format!("document.querySelector('#c-reply-to').value = '{ann_id}'; return true;"));
    browser.click("form.comment-form button[type=submit]");
    assert!(browser.wait_displayed("#comment-pending", 15));
    let to_moderator = until(Duration::from_secs(20), "Ben's moderation mail", || {
        mails_to(mb, "moderator@example.org", "awaits")
            .into_iter()
            .find(|m| m.text.contains("within the hour"))
    });
    browser.goto(&link_in(&to_moderator.text, "Approve"));
    browser.click("main form button[type=submit]");
    let to_ann = until(Duration::from_secs(20), "the reply mail", || {
        mails_to(mb, "ann@example.net", "replied to your comment").pop()
    });
    assert!(
        to_ann.text.contains("Ben replied") && to_ann.text.contains("within the hour"),
        "{}",
        to_ann.text
    );
    assert_eq!(mails_to(mb, "ann@example.net", "replied").len(), 1);
    // Her unsubscribe link, in the browser: she is forgotten.
    let stop = to_ann.text.split_whitespace().find(|w| w.contains("a=stop")).unwrap().to_string();
    browser.goto(&stop);
    browser.click("main form button[type=submit]");
    assert!(browser.wait_for(".intake-notice", 10));
    assert!(
        !std::fs::read_to_string(site.root().join("content/comments/subscriptions.toml"))
            .unwrap()
            .contains("ann@")
    );

    // A comment the policy rejects: its reason, and the form filled in.
    browser.goto(&post_url);
    browser.type_into("#c-author", "Cy");
    browser.type_into("#c-body", "Great post, thanks!");
    browser.click("form.comment-form button[type=submit]");
    assert!(browser.wait_for("ul.comment-reasons li", 15), "the reason is shown");
    let filled = browser.execute("return document.querySelector('#c-body').value;");
    assert_eq!(filled, "Great post, thanks!");
    // Spam: the neutral notice, as for any comment that waits.
    browser.goto(&post_url);
    browser.type_into("#c-author", "Promo");
    browser.type_into(
        "#c-body",
        "Make money online from home, GET PAID UP TO $30 AN HOUR, visit bit.ly/xyz now",
    );
    browser.click("form.comment-form button[type=submit]");
    assert!(browser.wait_displayed("#comment-pending", 15), "spam sees the same notice");
    assert!(browser.find_all("ul.comment-reasons").is_empty());

    let _ = web_server.kill();
    let _ = web_server.wait();
    let _ = intake.kill();
    let _ = intake.wait();
}
