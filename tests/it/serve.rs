//! `parlor serve`: rebuilds on save, renders again what changed (and only
//! trusts its memo when nothing changed), shows a failed rebuild as an
//! overlay while still serving, and clears it on the next good save.
//! Sees every change to the site folder: files saved by rename, folders
//! made while it runs, and bursts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::intake::{free_port, wait_for};
use crate::support::{CONFIG, SiteTest, post};

const SECRET: &str = "test-secret-for-serve";

struct Serve {
    child: Child,
    port: u16,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// A server that has served its first build.
    fn start(site: &SiteTest) -> Serve {
        let serve = Serve::listening(site);
        serve.get("/");
        serve
    }

    /// A server that listens, and may still be making its first build.
    fn listening(site: &SiteTest) -> Serve {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_parlor"))
            .args(["--root", site.root().to_str().unwrap(), "serve", "--port", &port.to_string()])
            // A short quiet time: tests wait for what they expect, not for a clock.
            .args(["--debounce-ms", "5"])
            .env("PARLOR_SECRET", SECRET)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(port);
        Serve { child, port }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut resp = agent.get(format!("http://127.0.0.1:{}{path}", self.port)).call().unwrap();
        (resp.status().as_u16(), resp.body_mut().read_to_string().unwrap_or_default())
    }

    /// The page at `path` once `ok` holds for it. The deadline only bounds
    /// a failure: a passing test waits for the rebuild and no longer.
    #[track_caller]
    fn poll(&self, path: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let (_, body) = self.get(path);
            if ok(&body) {
                return body;
            }
            assert!(Instant::now() < until, "{path} did not show {what} within 20 s:\n{body}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// An open event stream: `wait` returns once the next reload arrives.
    fn events(&self) -> Events {
        self.events_at("/__parlor/events")
    }

    fn events_at(&self, path: &str) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n").as_bytes(),
        )
        .unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        let mut e = Events { stream: s, seen: String::new() };
        while !e.seen.contains("\r\n\r\n") {
            e.read();
        }
        // Keep what came after the headers: an event may arrive with them.
        e.seen = e.seen.split_once("\r\n\r\n").map(|(_, rest)| rest.to_string()).unwrap_or_default();
        e
    }
}

struct Events {
    stream: TcpStream,
    seen: String,
}

impl Events {
    fn read(&mut self) {
        let mut buf = [0u8; 4096];
        let n = self.stream.read(&mut buf).expect("an event in time");
        self.seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }

    /// Waits for a reload; keep-alive comments do not extend the wait.
    fn wait_reload(&mut self) {
        let until = std::time::Instant::now() + Duration::from_secs(15);
        while !self.seen.contains("data: reload") {
            assert!(std::time::Instant::now() < until, "no reload within 15 s: {}", self.seen);
            self.read();
        }
        self.seen.clear();
    }
}

#[test]
fn a_save_rebuilds_every_page_that_shows_it() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("First title", "2020-01-01", "tags: [x]\n"))
        .file("content/posts/b.md", &post("Other", "2020-01-02", "tags: [x]\n"));
    let serve = Serve::start(&site);
    let (status, index) = serve.get("/");
    assert_eq!(status, 200);
    assert!(index.contains("First title") && index.contains("EventSource"), "the reload script is injected");
    let mut events = serve.events();
    site.file("content/posts/a.md", &post("Second title", "2020-01-01", "tags: [x]\n"));
    events.wait_reload();
    for path in ["/posts/a/", "/", "/tags/x/", "/posts/b/", "/feed.xml", "/archive/"] {
        let (_, body) = serve.get(path);
        assert!(body.contains("Second title") && !body.contains("First title"), "{path} shows the new title");
    }
    // Nothing is written to disk by serve.
    assert!(!site.root().join("public").exists());
}

#[test]
fn a_failed_rebuild_shows_an_overlay_and_the_next_good_save_clears_it() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("Fine", "2020-01-01", ""));
    let serve = Serve::start(&site);
    let mut events = serve.events();
    site.file("content/posts/a.md", "---\ntitle: Broken\ndate: not a date\n---\nx\n");
    events.wait_reload();
    let (status, page) = serve.get("/posts/a/");
    assert_eq!(status, 200, "the server keeps serving the last good site");
    assert!(
        page.contains("parlor-error")
            && page.contains("content/posts/a.md:3:1")
            && page.contains("bad `date`"),
        "{page}"
    );
    site.file("content/posts/a.md", &post("Fixed", "2020-01-01", ""));
    events.wait_reload();
    let (_, page) = serve.get("/posts/a/");
    assert!(!page.contains("parlor-error") && page.contains("Fixed"));
    let (status, _) = serve.get("/no/such/page/");
    assert_eq!(status, 404);
}

#[test]
fn files_that_appear_or_go_away_while_serving_are_picked_up() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("Kept post", "2020-01-01", ""))
        .file("content/posts/gone.md", &post("Doomed post", "2020-01-02", ""));
    let serve = Serve::start(&site);
    let mut events = serve.events();
    // An edit first: the next builds reuse the folder listings.
    site.file("content/posts/a.md", &post("Kept post, edited", "2020-01-01", ""));
    events.wait_reload();
    site.file("content/posts/fresh.md", &post("Fresh post", "2020-01-03", ""));
    events.wait_reload();
    assert_eq!(serve.get("/posts/fresh/").0, 200, "a new post is built");
    std::fs::remove_file(site.root().join("content/posts/gone.md")).unwrap();
    events.wait_reload();
    assert_eq!(serve.get("/posts/gone/").0, 404, "a removed post is gone");
    let (_, index) = serve.get("/");
    assert!(index.contains("Fresh post") && !index.contains("Doomed post"), "{index}");
    // A comment in a folder that did not exist yet.
    site.file(
        "content/comments/fresh/c1.md",
        "---\nid: c1\nauthor: Ann\ndate: 2020-01-04T00:00:00Z\nstatus: approved\n---\nA comment in a new folder.\n",
    );
    events.wait_reload();
    let (_, page) = serve.get("/posts/fresh/");
    assert!(page.contains("A comment in a new folder."), "{page}");
    // The intake knows the post that appeared while serving.
    let token = parlor::forms::form_token(SECRET.as_bytes(), "fresh");
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let resp = agent
        .post(format!("http://127.0.0.1:{}/comments", serve.port))
        .header("Accept", "application/json")
        .send_form([
            ("post", "fresh"),
            ("author", "Reader"),
            ("body", "Posted to a post that appeared while the server ran."),
            ("token", token.as_str()),
        ])
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201, "the intake re-read the site");
}

#[test]
fn a_tab_that_missed_a_rebuild_while_reloading_hears_of_it_on_reconnecting() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("First", "2020-01-01", ""));
    let serve = Serve::start(&site);
    let (_, page) = serve.get("/posts/a/");
    assert!(page.contains("/__parlor/events?since=0"), "the page names its generation");
    let mut events = serve.events();
    site.file("content/posts/a.md", &post("Second", "2020-01-01", ""));
    events.wait_reload();
    // A tab still showing generation 0 connects after the rebuild: it is
    // told at once. One showing the current generation is not.
    serve.events_at("/__parlor/events?since=0").wait_reload();
    let (_, page) = serve.get("/posts/a/");
    assert!(page.contains("/__parlor/events?since=1"), "{page}");
    let mut current = serve.events_at("/__parlor/events?since=1");
    current.stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let mut buf = [0u8; 256];
    let read = std::io::Read::read(&mut current.stream, &mut buf);
    let got = read.map(|n| String::from_utf8_lossy(&buf[..n]).into_owned()).unwrap_or_default();
    assert!(!got.contains("reload"), "an up-to-date tab is not reloaded: {got}");
}

/// `sed -i` and many editors save by writing a new file and renaming it
/// over the old one: each save replaces the file's inode.
#[test]
fn site_toml_saved_by_rename_five_times_in_a_row_is_seen_each_time() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("A post", "2020-01-01", ""));
    let serve = Serve::start(&site);
    assert!(serve.get("/").1.contains("<title>Test Blog</title>"));
    for i in 1..=5 {
        let title = format!("Renamed Title {i}");
        site.file("sed4Xk9q", &CONFIG.replace("Test Blog", &title));
        std::fs::rename(site.root().join("sed4Xk9q"), site.root().join("site.toml")).unwrap();
        serve.poll("/", &title, |home| home.contains(&format!("<title>{title}</title>")));
    }
}

#[test]
fn a_themes_folder_created_while_serving_is_watched() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("A post", "2020-01-01", ""));
    let serve = Serve::start(&site);
    assert!(!site.root().join("themes").exists());
    let template = "themes/default/templates/partials/post_meta.html";
    site.file(template, "<p class=\"post-meta\">THEME-ONE</p>");
    serve.poll("/", "the new template", |home| home.contains("THEME-ONE"));
    // A broken template shows the overlay; fixing it clears it.
    site.file(template, "<p class=\"post-meta\">{% if %}</p>");
    serve.poll("/", "the error overlay", |home| home.contains("parlor-error") && home.contains(template));
    site.file(template, "<p class=\"post-meta\">THEME-TWO</p>");
    serve.poll("/", "the mended template", |home| {
        home.contains("THEME-TWO") && !home.contains("THEME-ONE") && !home.contains("parlor-error")
    });
}

/// Five posts rewritten 200 times each and 1,000 comments created, as fast
/// as the test can write them. Every version of a post is the same size
/// and keeps the same modification time, as two saves within one tick of
/// the file system's clock do (and as `cp -p` or `rsync -t` leave a file):
/// only the watcher's word tells the server that such a file changed.
#[test]
fn a_burst_of_2000_file_changes_ends_in_the_final_state() {
    let site = SiteTest::new();
    let title = |k: usize, version: usize| format!("Post {k} version {version:04}");
    let write_post = |k: usize, version: usize| {
        site.file(
            &format!("content/posts/p{k}.md"),
            &post(&title(k, version), &format!("2020-01-0{}", k + 1), ""),
        );
    };
    for k in 0..5 {
        write_post(k, 0);
    }
    let serve = Serve::start(&site);
    // One edit each, served, so that the server has read every post since.
    for k in 0..5 {
        write_post(k, 1);
    }
    serve.poll("/archive/", "the first edits", |archive| (0..5).all(|k| archive.contains(&title(k, 1))));
    let comment = |k: usize, n: usize| {
        format!(
            "---\nid: c{k}x{n}\nauthor: Ann\ndate: 2020-02-01T00:00:00Z\nstatus: approved\n---\nBurst comment {k}-{n}.\n"
        )
    };
    let mut changes = 0;
    for version in 2..=201 {
        for k in 0..5 {
            rewrite_keeping_mtime(
                &site.root().join(format!("content/posts/p{k}.md")),
                &post(&title(k, version), &format!("2020-01-0{}", k + 1), ""),
            );
            site.file(&format!("content/comments/p{k}/c{k}x{version}.md"), &comment(k, version));
            changes += 2;
        }
    }
    assert_eq!(changes, 2000);
    for k in 0..5 {
        let path = format!("/posts/p{k}/");
        let page = serve.poll(&path, "the last version and all 200 comments", |page| {
            page.contains(&title(k, 201))
                && (2..=201).all(|n| page.contains(&format!("Burst comment {k}-{n}.")))
        });
        assert!(!page.contains(&title(k, 200)), "{path}");
    }
    let archive = serve.poll("/archive/", "every post's last title", |archive| {
        (0..5).all(|k| archive.contains(&title(k, 201)))
    });
    assert!((0..5).all(|k| !archive.contains(&title(k, 200))));
}

/// The first build of a large site takes seconds: an author saving then
/// is not ignored until their next save.
#[test]
fn a_change_saved_while_the_first_build_runs_is_seen() {
    let site = SiteTest::new();
    for k in 0..50 {
        site.file(&format!("content/posts/p{k}.md"), &post(&format!("Post {k}"), "2020-01-01", ""));
    }
    let serve = Serve::listening(&site);
    site.file("content/posts/p0.md", &post("Saved during the first build", "2020-01-01", ""));
    serve.poll("/posts/p0/", "the save", |page| page.contains("Saved during the first build"));
}

/// `serve`'s caches, driven as its watcher drives them.
fn cached_build(site: &SiteTest) -> (parlor::BuildOptions, parlor::Incremental) {
    let options = parlor::BuildOptions::new(site.root().to_path_buf(), jiff::Timestamp::now());
    (options, parlor::Incremental::default())
}

/// The page at output path `path` (`posts/a/index.html`), or "" if none.
fn built_page(options: &parlor::BuildOptions, incremental: &mut parlor::Incremental, path: &str) -> String {
    let (report, rendered) = parlor::build_in_memory(options, incremental).unwrap();
    let rendered = rendered.unwrap_or_else(|| panic!("{:?}", report.diagnostics));
    let file = rendered.files.into_iter().find(|f| f.path == path);
    match file.map(|f| f.content) {
        Some(parlor::render::OutputContent::Shared(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        Some(parlor::render::OutputContent::Bytes(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        _ => String::new(),
    }
}

/// Writes `text` to `path` and sets its modification time back to what it
/// was: a same-size save within one tick of the clock looks like that.
fn rewrite_keeping_mtime(path: &std::path::Path, text: &str) {
    let modified = std::fs::metadata(path).unwrap().modified().unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::File::options().write(true).open(path).unwrap().set_modified(modified).unwrap();
}

/// When the kernel's queue of events overflows, the watcher cannot name
/// what changed: `serve` clears its load cache, and the next build reads
/// every file and lists every folder again.
#[test]
fn lost_events_make_the_next_build_read_every_file_again() {
    let site = SiteTest::new();
    site.file("content/posts/a.md", &post("Alpha one", "2020-01-01", ""));
    let (options, mut incremental) = cached_build(&site);
    assert!(built_page(&options, &mut incremental, "posts/a/index.html").contains("Alpha one"));
    rewrite_keeping_mtime(&site.root().join("content/posts/a.md"), &post("Alpha two", "2020-01-01", ""));
    site.file("content/posts/b.md", &post("Bravo", "2020-01-02", ""));
    // Events lost: the watcher names nothing, and the cache trusts it.
    incremental.load.only_changed([]);
    assert!(built_page(&options, &mut incremental, "posts/a/index.html").contains("Alpha one"));
    incremental.load.clear();
    assert!(built_page(&options, &mut incremental, "posts/a/index.html").contains("Alpha two"));
    assert!(built_page(&options, &mut incremental, "posts/b/index.html").contains("Bravo"));
}

/// A folder moved in (back from elsewhere, or a whole `content/` swapped
/// for another) is named by the watcher, not the files in it.
#[test]
fn a_folder_moved_in_is_read_whole() {
    let site = SiteTest::new();
    site.file("content/posts/b/index.md", &post("Bravo one", "2020-01-01", ""));
    let (options, mut incremental) = cached_build(&site);
    assert!(built_page(&options, &mut incremental, "posts/b/index.html").contains("Bravo one"));
    let away = tempfile::tempdir().unwrap();
    let bundle = site.root().join("content/posts/b");
    std::fs::rename(&bundle, away.path().join("b")).unwrap();
    rewrite_keeping_mtime(&away.path().join("b/index.md"), &post("Bravo two", "2020-01-01", ""));
    std::fs::rename(away.path().join("b"), &bundle).unwrap();
    incremental.load.only_changed([bundle]);
    assert!(built_page(&options, &mut incremental, "posts/b/index.html").contains("Bravo two"));
    // The whole content folder, swapped: the posts folder's listing goes.
    let content = site.root().join("content");
    std::fs::rename(&content, away.path().join("old")).unwrap();
    site.file("content/posts/c.md", &post("Charlie", "2020-01-02", ""));
    incremental.load.only_changed([content]);
    assert!(built_page(&options, &mut incremental, "posts/c/index.html").contains("Charlie"));
    assert_eq!(built_page(&options, &mut incremental, "posts/b/index.html"), "", "the old content is gone");
}
