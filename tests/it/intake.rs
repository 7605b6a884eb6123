//! Comment intake. What the handler answers to a form (every refusal, the
//! happy paths for browsers and API clients, traversal) is asked of the
//! router in this process (`App`); what needs a socket (size limits, a
//! real submit, a burst of 200 concurrent submissions) goes over real HTTP
//! on 127.0.0.1, to `parlor intake` (`Server`) or to the same server in
//! this process with short limits (`Local`, for the timeouts).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use parlor::intake::{Clock, IntakeState, Limits};
use tower::ServiceExt;

use crate::support::{CONFIG, SiteTest, key, post};

const SECRET: &str = "test-secret-for-intake";

/// A running `parlor intake` on a free port; killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Server {
    /// SIGKILL, as a crash or the OOM killer would.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub(crate) fn wait_for(port: u16) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub(crate) fn start(site: &SiteTest) -> Server {
    start_with(site, &[])
}

/// `parlor intake` with extra arguments.
pub(crate) fn start_with(site: &SiteTest, args: &[&str]) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_parlor"))
        .args(["--root", site.root().to_str().unwrap(), "intake", "--port", &port.to_string()])
        .args(args)
        .env("PARLOR_SECRET", SECRET)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(port);
    Server { child, base: format!("http://127.0.0.1:{port}") }
}

/// Loads `site` as intake does, with `SECRET` (written where the site
/// keeps its secret: this process does not set `PARLOR_SECRET`).
fn load(site: &SiteTest, trust_forwarded_for: bool, limits: Limits) -> Arc<IntakeState> {
    let env = parlor::forms::SECRET_ENV;
    assert!(std::env::var_os(env).is_none(), "{env} is set: unset it to run the intake tests");
    site.file(".parlor/secret", SECRET);
    IntakeState::load(site.root(), Vec::new(), trust_forwarded_for, limits).unwrap()
}

/// Where `App`'s requests come from, unless `X-Forwarded-For` says
/// otherwise (with `trust_forwarded_for`).
const PEER: ([u8; 4], u16) = ([127, 0, 0, 1], 40_000);

/// The intake router of a site, called in this process with
/// `tower::ServiceExt::oneshot`: for what the handler answers, which needs
/// no socket. Its rate limits read `clock`, which stands still until a
/// test moves it.
pub(crate) struct App {
    router: axum::Router,
    runtime: tokio::runtime::Runtime,
    pub(crate) clock: Clock,
}

pub(crate) fn app(site: &SiteTest) -> App {
    app_with(site, false)
}

pub(crate) fn app_with(site: &SiteTest, trust_forwarded_for: bool) -> App {
    let clock = Clock::manual();
    let state = load(site, trust_forwarded_for, Limits { clock: clock.clone(), ..Limits::default() });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    App { router: parlor::intake::router(state), runtime, clock }
}

impl App {
    /// `fields` as a form, as a browser (or with `json`, an API client)
    /// sends them, with `headers` besides.
    pub(crate) fn post(
        &self,
        fields: &[(&'static str, String)],
        json: bool,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request =
            Request::post("/comments").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if json {
            request = request.header(header::ACCEPT, "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let form = serde_urlencoded::to_string(fields).unwrap();
        self.call(request.body(Body::from(form)).unwrap())
    }

    pub(crate) fn send(&self, fields: &[(&'static str, String)], json: bool) -> Answer {
        self.post(fields, json, &[])
    }

    /// Any request, from `PEER`.
    pub(crate) fn call(&self, mut request: Request<Body>) -> Answer {
        request.extensions_mut().insert(ConnectInfo(SocketAddr::from(PEER)));
        self.runtime.block_on(async {
            let response = self.router.clone().oneshot(request).await.unwrap_or_else(|e| match e {});
            let text = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
            let (location, retry_after) = (text(header::LOCATION), text(header::RETRY_AFTER));
            let status = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            Answer {
                status,
                location,
                retry_after: retry_after.and_then(|s| s.parse().ok()),
                body: String::from_utf8_lossy(&body).into_owned(),
            }
        })
    }
}

/// `intake::http::serve` with the intake router, in this process, on a
/// free port of 127.0.0.1, holding clients to `limits`: for socket tests
/// that would otherwise wait out the real timeouts. Stopped when dropped.
pub(crate) struct Local {
    pub(crate) port: u16,
    pub(crate) base: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Local {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

pub(crate) fn serve(site: &SiteTest, limits: Limits) -> Local {
    let state = load(site, false, limits.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    runtime.spawn(async move {
        parlor::intake::http::serve(listener, parlor::intake::router(state), &limits, std::future::pending())
            .await
    });
    Local { port, base: format!("http://127.0.0.1:{port}"), runtime: Some(runtime) }
}

pub(crate) fn site(extra: &str) -> SiteTest {
    let site = SiteTest::with_config(&format!("{CONFIG}{extra}"));
    site.file("content/posts/p.md", &post("Open post", "2020-01-01", ""))
        .file("content/posts/shut.md", &post("Closed post", "2020-01-02", "comments: closed\n"))
        .file("content/posts/club.md", &post("Members post", "2020-01-03", "comments: members\n"))
        .file("content/posts/later.md", &post("Draft", "2020-01-04", "draft: true\n"))
        .file("content/comments/p/c1.md", "---\nid: c1\nauthor: A\ndate: 2020-01-05T00:00:00Z\nstatus: approved\n---\nAn approved comment here.\n")
        .file("content/comments/p/c2.md", "---\nid: c2\nauthor: B\ndate: 2020-01-06T00:00:00Z\nstatus: pending\n---\nA pending comment here.\n");
    site
}

pub(crate) fn token(slug: &str) -> String {
    parlor::forms::form_token(SECRET.as_bytes(), slug)
}

/// An HTTP client that reports every status and follows no redirect.
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) location: Option<String>,
    pub(crate) retry_after: Option<u64>,
    pub(crate) body: String,
}

fn submit(base: &str, fields: &[(&str, &str)], json: bool) -> Answer {
    let mut req = agent().post(format!("{base}/comments"));
    if json {
        req = req.header("Accept", "application/json");
    }
    let mut resp = req.send_form(fields.iter().copied()).unwrap();
    let text = |name| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
    let (location, retry_after) = (text("location"), text("retry-after"));
    Answer {
        status: resp.status().as_u16(),
        location,
        retry_after: retry_after.and_then(|s| s.parse().ok()),
        body: resp.body_mut().read_to_string().unwrap_or_default(),
    }
}

/// Form fields by name.
type Fields = Vec<(&'static str, String)>;

pub(crate) fn good(slug: &'static str, t: &str) -> Fields {
    vec![
        ("post", slug.to_string()),
        ("author", "Reader".into()),
        ("email", "reader@private.example".into()),
        ("body", "The callback queue worked for us as well; complaints dropped in a month.".into()),
        ("token", t.to_string()),
    ]
}

pub(crate) fn with(
    fields: &[(&'static str, String)],
    key: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = fields.iter().filter(|(k, _)| *k != key).cloned().collect();
    out.push((key, value.to_string()));
    out
}

/// `fields` as a form over HTTP to `parlor intake`.
pub(crate) fn send(server: &Server, fields: &[(&'static str, String)], json: bool) -> Answer {
    send_to(&server.base, fields, json)
}

/// `fields` as a form over HTTP to the server at `base`.
pub(crate) fn send_to(base: &str, fields: &[(&'static str, String)], json: bool) -> Answer {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    submit(base, &borrowed, json)
}

pub(crate) fn stored(site: &SiteTest, slug: &str) -> Vec<String> {
    let dir = site.root().join("content/comments").join(slug);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".md") && !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn accepted_comments_are_stored_then_answered() {
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let app = app(&site);
    let t = token("p");
    let api = app.send(&good("p", &t), true);
    assert_eq!(api.status, 201, "{}", api.body);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["status"], "pending");
    let id = json["id"].as_str().unwrap().to_string();
    let text = std::fs::read_to_string(site.root().join(format!("content/comments/p/{id}.md"))).unwrap();
    assert_eq!([key(&text, "status"), key(&text, "email")], ["pending", "reader@private.example"], "{text}");
    let reply = with(&good("p", &t), "body", "Replying to the first comment: same experience with my bank.");
    let browser = app.send(&with(&reply, "reply_to", "c1"), false);
    assert_eq!(browser.status, 303);
    assert_eq!(browser.location.as_deref(), Some("/posts/p/#comment-pending"));
    // Both are real comment files the site reads.
    let list = site.run(&["comments", "list", "--status", "pending"]);
    assert_eq!(list.stdout().lines().filter(|l| l.contains(" p ")).count(), 3, "{}", list.stdout());
    // A comment the rules call spam is still kept.
    let spam =
        app.send(&with(&good("p", &t), "body", "cheap loans payday loans fast loans instant loans"), true);
    assert_eq!(spam.status, 201);
    assert!(spam.body.contains("\"spam\""), "{}", spam.body);
}

#[test]
fn every_refusal_has_its_status_and_says_why() {
    let site = site("");
    let token_file = site.run(&["members", "add", "Ann"]);
    token_file.assert_ok();
    let member_token = token_file.stdout().lines().last().unwrap().trim().to_string();
    let app = app(&site);
    let t = token("p");
    let g = good("p", &t);
    let cases: Vec<(Fields, u16, &str)> = vec![
        (with(&g, "author", ""), 400, "author"),
        (with(&g, "author", &"x".repeat(81)), 400, "author"),
        (with(&g, "email", "no-at-sign"), 400, "email"),
        (with(&g, "website", "javascript:alert(1)"), 400, "website"),
        (with(&g, "body", "  "), 400, "body"),
        (with(&g, "body", &"y".repeat(5001)), 400, "body"),
        (with(&g, "reply_to", "c2"), 400, "reply_to"),
        (with(&g, "reply_to", "nope"), 400, "reply_to"),
        (with(&g, "homepage", "http://bot.example/"), 400, "homepage"),
        (with(&g, "token", "0000"), 403, "token"),
        (with(&g, "token", &token("shut")), 403, "token"),
        (with(&with(&g, "post", "shut"), "token", &token("shut")), 403, "closed"),
        (with(&with(&g, "post", "club"), "token", &token("club")), 403, "members"),
        (with(&with(&g, "post", "nope"), "token", &token("nope")), 404, "no post"),
        (with(&with(&g, "post", "later"), "token", &token("later")), 404, "no post"),
        (with(&with(&g, "post", "../../etc"), "token", &token("../../etc")), 404, "no post"),
    ];
    for (fields, status, needle) in &cases {
        let a = app.send(fields, true);
        assert_eq!(a.status, *status, "{fields:?}: {}", a.body);
        assert!(a.body.contains(needle), "{needle} in {}", a.body);
    }
    assert!(stored(&site, "p").len() == 2, "nothing refused was stored: {:?}", stored(&site, "p"));
    assert!(!site.root().join("etc").exists() && !site.root().join("content/etc").exists());
    // A member may comment on a members-only post.
    let member = app.send(
        &with(&with(&with(&g, "post", "club"), "token", &token("club")), "member_token", &member_token),
        true,
    );
    assert_eq!(member.status, 201, "{}", member.body);
    let file = &stored(&site, "club")[0];
    assert!(
        std::fs::read_to_string(site.root().join("content/comments/club").join(file))
            .unwrap()
            .contains("member: true")
    );
    // 415: not a form.
    let json = Request::post("/comments")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"post\":\"p\"}"))
        .unwrap();
    assert_eq!(app.call(json).status, 415);
    // 403: a foreign origin.
    assert_eq!(app.post(&g, false, &[("Origin", "https://evil.example")]).status, 403);
    // 429: the same client again within flood_seconds (15 by default),
    // right after the member's accepted comment.
    let flood = app.send(&g, true);
    assert_eq!(flood.status, 429, "{}", flood.body);
    assert_eq!(flood.retry_after, Some(15));
    // A browser gets a readable page, not JSON.
    let page = app.send(&with(&g, "email", "bad"), false);
    assert!(
        page.body.contains("<h1>Your comment was not accepted</h1>") && page.body.contains("`email`"),
        "{}",
        page.body
    );
    // Once flood_seconds have passed, the same client may comment again.
    app.clock.advance(Duration::from_secs(14));
    assert_eq!(app.send(&g, true).retry_after, Some(1));
    app.clock.advance(Duration::from_secs(1));
    let later = app.send(&g, true);
    assert_eq!(later.status, 201, "{}", later.body);
}

#[test]
fn an_oversize_body_is_refused_without_being_read_whole() {
    let site = site("");
    let server = start(&site);
    let port: u16 = server.base.rsplit(':').next().unwrap().parse().unwrap();
    // Declared too large: refused from the header alone.
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"POST /comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500000000\r\n\r\npost=p").unwrap();
    let mut answer = String::new();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Chunked with no length: refused once the cap is passed, long before the end.
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"POST /comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 65536, "a".repeat(65536));
    let mut sent = 0;
    for _ in 0..200 {
        if s.write_all(chunk.as_bytes()).is_err() {
            break;
        }
        sent += 65536;
    }
    let mut answer = String::new();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "after {sent} bytes: {answer}");
    assert_eq!(stored(&site, "p").len(), 2);
}

#[test]
fn two_hundred_concurrent_submissions_are_all_stored() {
    let site = site("\n[moderation]\nflood_seconds = 0\n");
    let server = start(&site);
    let t = token("p");
    let answers: Vec<Answer> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..200)
            .map(|i| {
                let fields = with(
                    &good("p", &t),
                    "body",
                    &format!("Comment number {i}: the agent called back the next morning."),
                );
                let server = &server;
                scope.spawn(move || send(server, &fields, true))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        answers.iter().all(|a| a.status == 201),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let ids: std::collections::HashSet<String> = answers
        .iter()
        .map(|a| {
            serde_json::from_str::<serde_json::Value>(&a.body).unwrap()["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 200, "200 distinct ids");
    let files = stored(&site, "p");
    assert_eq!(files.len(), 202, "200 new files beside the 2 there were");
    for id in &ids {
        assert!(files.contains(&format!("{id}.md")), "{id}");
    }
    // Every file parses: the site builds and the moderator reads all of them.
    site.build().assert_ok();
    let list = site.run(&["comments", "list", "--post", "p"]);
    assert_eq!(list.stdout().lines().count(), 203, "header + 202");
}

/// A client that sends its whole request before reading (as most do) used
/// to get a reset connection: the server answered 413 and closed while the
/// body was still coming, and closing a socket with unread bytes sends a
/// reset. The body here is as large as the server drains, and larger than
/// the sockets buffer, so the refusal comes while it is being written.
#[test]
fn an_oversized_body_sent_whole_before_reading_gets_the_413_page() {
    let site = site("");
    let server = start(&site);
    let port: u16 = server.base.rsplit(':').next().unwrap().parse().unwrap();
    // As much as the server drains after refusing.
    let size = 8 * 1024 * 1024;
    assert!(size <= Limits::default().drain_bytes);
    let body = format!("post=p&body={}", "a".repeat(size - 12));
    let mut request = format!(
        "POST /comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {size}\r\n\r\n",
    )
    .into_bytes();
    request.extend_from_slice(body.as_bytes());
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    let wrote = s.write_all(&request);
    let mut answer = Vec::new();
    let read = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        wrote.is_ok(),
        "the request could not be sent whole: {wrote:?} (then read {read:?}: {answer:.100})"
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "read {read:?}: {answer:.300}");
    assert!(answer.contains("the comment is too large"), "{answer:.500}");
    // An HTTP client that does the same (ureq sends the body, then reads)
    // gets the answer, not `Broken pipe`.
    let resp = agent()
        .post(format!("{}/comments", server.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(body.as_bytes())
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    assert_eq!(stored(&site, "p").len(), 2);
}

#[test]
fn issue_18_a_policy_rejection_names_the_rule_and_gives_the_form_back_filled() {
    let site = site("");
    let app = app(&site);
    let body = "Great post, thanks!";
    let a = app.send(&with(&good("p", &token("p")), "body", body), false);
    assert_eq!(a.status, 422, "{}", a.body);
    let page = scraper::Html::parse_document(&a.body);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    // The reason, said with its rule and how to fix the comment.
    let reasons: Vec<String> =
        page.select(&select("ul.comment-reasons li")).map(|li| li.text().collect()).collect();
    assert!(!reasons.is_empty(), "{}", a.body);
    let rules: Vec<&str> =
        page.select(&select("ul.comment-reasons li")).filter_map(|li| li.attr("data-rule")).collect();
    assert!(rules.iter().all(|r| ["generic_praise", "too_short"].contains(r)), "{rules:?}");
    assert!(reasons.iter().any(|r| r.contains("words") || r.contains("post itself")), "{reasons:?}");
    // The form, filled with what the reader sent, in the site's theme.
    let textarea: String =
        page.select(&select("form#comment-form textarea[name=body]")).next().unwrap().text().collect();
    assert_eq!(textarea, body);
    let author = page.select(&select("input[name=author]")).next().unwrap();
    assert_eq!(author.attr("value"), Some("Reader"));
    let email = page.select(&select("input[name=email]")).next().unwrap();
    assert_eq!(email.attr("value"), Some("reader@private.example"));
    let token_field = page.select(&select("input[name=token]")).next().unwrap();
    assert_eq!(token_field.attr("value"), Some(token("p").as_str()));
    assert!(
        page.select(&select("body.kind-intake header.site-header a.site-title")).next().is_some(),
        "themed"
    );
    // The reader may send the edited comment at once (no flood wait).
    let edited =
        "Great post: the part about callbacks matched what our bank did after the outage last spring.";
    let again = app.send(&with(&good("p", &token("p")), "body", edited), false);
    assert_eq!(again.status, 303, "{}", again.body);
    // An API client gets the reasons as JSON (after the flood wait the
    // accepted comment started).
    app.clock.advance(Duration::from_secs(60));
    let json = app.send(&with(&good("p", &token("p")), "body", "Nice article, thank you!"), true);
    assert_eq!(json.status, 422);
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(v["status"], "rejected");
    assert!(v["reasons"][0]["fix"].as_str().is_some_and(|f| !f.is_empty()), "{v}");
}

#[test]
fn issue_18_spam_gets_the_neutral_notice_and_learns_nothing() {
    let site = site("");
    let app = app(&site);
    let spam =
        "Make money online from home, GET PAID UP TO $30 AN HOUR: visit bit.ly/xyz and sub to my channel";
    let a = app.send(&with(&good("p", &token("p")), "body", spam), false);
    assert_eq!(a.status, 303, "{}", a.body);
    assert!(a.location.as_deref().unwrap().ends_with("#comment-pending"), "{:?}", a.location);
    let json = app.send(&with(&with(&good("p", &token("p")), "body", spam), "author", "Other"), true);
    assert!(!json.body.contains("money_offer") && !json.body.contains("reasons"), "{}", json.body);
}

#[test]
fn issue_18_an_expired_or_malformed_moderation_link_changes_nothing() {
    use parlor::notify::links::{Purpose, SignedLink};
    let site = site("");
    let app = app(&site);
    let now = app.clock.timestamp().as_second();
    let expired = SignedLink::new(SECRET.as_bytes(), Purpose::Moderate, "c2", "approve", now - 1).unwrap();
    let fresh = SignedLink::new(SECRET.as_bytes(), Purpose::Moderate, "c2", "approve", now + 60).unwrap();
    let get = |query: &str| {
        app.call(Request::get(format!("/comments/moderate?{query}")).body(Body::empty()).unwrap())
    };
    let post = |query: &str| {
        app.call(
            Request::post("/comments/moderate")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(query.to_string()))
                .unwrap(),
        )
    };
    assert_eq!(get(&expired.query()).status, 403);
    assert!(get(&expired.query()).body.contains("expired"));
    assert_eq!(post(&expired.query()).status, 403);
    assert_eq!(get("c=c2&a=approve").status, 403);
    assert_eq!(post("").status, 403);
    // Moved past its expiry, a link that worked no longer does.
    assert_eq!(get(&fresh.query()).status, 200);
    app.clock.advance(Duration::from_secs(61));
    assert_eq!(post(&fresh.query()).status, 403);
    assert!(site.source("content/comments/p/c2.md").contains("status: pending"));
    // A link for an action that is not one.
    let odd = SignedLink::new(SECRET.as_bytes(), Purpose::Moderate, "c2", "delete", now + 600).unwrap();
    assert_eq!(post(&odd.query()).status, 403);
    assert!(site.source("content/comments/p/c2.md").contains("status: pending"));
}

#[test]
fn issue_18_intake_on_another_origin_sends_the_reader_back_to_the_site() {
    let site = site("\n[comments]\nintake_url = \"https://comments.example.net/comments\"\n");
    let app = app(&site);
    let a = app.send(&good("p", &token("p")), false);
    assert_eq!(a.status, 303);
    assert_eq!(a.location.as_deref(), Some("https://blog.example.org/posts/p/#comment-pending"));
}
