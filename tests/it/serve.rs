//! `parlor serve`: rebuilds on save, renders again what changed (and only
//! trusts its memo when nothing changed), shows a failed rebuild as an
//! overlay while still serving, and clears it on the next good save.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::intake::{free_port, wait_for};
use crate::support::{SiteTest, post};

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
    fn start(site: &SiteTest) -> Serve {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_parlor"))
            .args(["--root", site.root().to_str().unwrap(), "serve", "--port", &port.to_string()])
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
