//! The comment loop over real sockets: `parlor intake --publish` with a
//! real SMTP server on loopback (aiosmtpd, `tests/tools/smtp_sink.py`).
//! A reader posts; the moderator's mail arrives with the comment, the
//! verdict and signed links; following the approve link and confirming
//! publishes the comment. Links that are forged, used, or another
//! comment's change nothing. Killed before its mail went out, and with the
//! mail server down, intake sends the mail once it can, once.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::intake::{Server, agent, free_port, start_with};
use crate::support::{CONFIG, SiteTest, post};

const SECRET: &str = "test-secret-for-intake";

/// aiosmtpd on a port, storing each message in a folder; stopped on drop.
pub(crate) struct SmtpSink {
    child: Child,
}

impl SmtpSink {
    pub(crate) fn start(port: u16, folder: &Path) -> SmtpSink {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(folder)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs (with aiosmtpd: see .ci/run)");
        let mut ready = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut ready).unwrap();
        assert_eq!(ready.trim(), "ready", "the SMTP server did not start (is aiosmtpd installed?)");
        SmtpSink { child }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A received mail: its headers and its decoded text.
pub(crate) struct Mail {
    pub(crate) subject: String,
    pub(crate) message_id: String,
    pub(crate) text: String,
    pub(crate) to: String,
}

pub(crate) fn mails(folder: &Path) -> Vec<Mail> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|d| {
            d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .iter()
        .map(|p| {
            let raw = std::fs::read(p).unwrap();
            let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
            Mail {
                subject: m.subject().unwrap_or_default().to_string(),
                message_id: m.message_id().unwrap_or_default().to_string(),
                text: m.body_text(0).unwrap_or_default().to_string(),
                to: m.to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// Waits until `done` holds, checking every 20 ms, for at most `limit`.
pub(crate) fn until<T>(limit: Duration, what: &str, mut done: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = done() {
            return value;
        }
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A site mailing its moderator through `smtp_port`; every reader here
/// sends from 127.0.0.1, so there is no wait between comments.
fn site(smtp_port: u16) -> SiteTest {
    let config = format!(
        "{CONFIG}\n[notify]\nemail = [\"moderator@example.org\"]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\nsmtp_tls = \"none\"\nretry_seconds = 1\n\n[publish]\ndebounce_ms = 50\n\n[moderation]\nflood_seconds = 0\n"
    );
    let site = SiteTest::with_config(&config);
    site.file("content/posts/refunds.md", &post("Refunds that take weeks", "2024-03-01", ""));
    site
}

/// Posts a comment as the post's form would; the answer's status.
fn submit(server: &Server, author: &str, body: &str) -> u16 {
    let token = parlor::forms::form_token(SECRET.as_bytes(), "refunds");
    let form = [("post", "refunds"), ("author", author), ("body", body), ("token", token.as_str())];
    let response = agent().post(format!("{}/comments", server.base)).send_form(form).unwrap();
    response.status().as_u16()
}

/// The link labelled `label` in a moderation mail, sent to `server` as the
/// site's reverse proxy would send it.
pub(crate) fn link(mail: &Mail, label: &str, server: &Server) -> String {
    let mut lines = mail.text.lines();
    lines
        .find(|l| l.trim() == format!("{label}:"))
        .unwrap_or_else(|| panic!("no {label} link in:\n{}", mail.text));
    let url = lines.next().unwrap().trim();
    let path =
        url.strip_prefix("https://blog.example.org").unwrap_or_else(|| panic!("link elsewhere: {url}"));
    format!("{}{path}", server.base)
}

/// The confirmation form's fields, from the page a link opens.
pub(crate) fn confirm_fields(page: &str) -> Vec<(String, String)> {
    let html = scraper::Html::parse_document(page);
    let inputs = scraper::Selector::parse("form[method=post] input[type=hidden]").unwrap();
    html.select(&inputs)
        .map(|i| (i.attr("name").unwrap().to_string(), i.attr("value").unwrap().to_string()))
        .collect()
}

pub(crate) fn get(url: &str) -> (u16, String) {
    let mut r = agent().get(url).call().unwrap();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
}

fn confirm(url: &str, fields: &[(String, String)]) -> (u16, String) {
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let base = url.split('?').next().unwrap();
    let mut r = agent().post(base).send_form(form).unwrap();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
}

fn comment_file(site: &SiteTest) -> (PathBuf, String) {
    let dir = site.root().join("content/comments/refunds");
    let path = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).next().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

#[test]
fn issue_18_the_moderator_is_mailed_and_one_click_publishes() {
    let smtp_port = free_port();
    let mailbox = tempfile::tempdir().unwrap();
    let _smtp = SmtpSink::start(smtp_port, mailbox.path());
    let site = site(smtp_port);
    let server = start_with(&site, &["--publish"]);
    // Publishing starts by building the site as the comment files say.
    until(Duration::from_secs(30), "the first publish", || {
        site.exists("posts/refunds/index.html").then_some(())
    });

    let body = "The refund took three weeks; asking for a callback instead of holding got it moving.";
    assert_eq!(submit(&server, "Dana", body), 303);
    let mail = until(Duration::from_secs(20), "the moderator's mail", || mails(mailbox.path()).pop());
    assert_eq!(mail.to, "moderator@example.org");
    assert!(
        mail.subject.contains("Refunds that take weeks") && mail.subject.contains("awaits"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains(body), "{}", mail.text);
    // `[moderation] mode = "hold"`: a comment no rule objects to waits.
    assert!(mail.text.contains("Status: pending (the rules said: pass)"), "{}", mail.text);
    assert!(mail.text.contains("No rule found anything against it."), "{}", mail.text);
    assert!(mail.message_id.starts_with("moderate-"), "{}", mail.message_id);

    let approve = link(&mail, "Approve", &server);
    let reject = link(&mail, "Reject", &server);
    // A GET (a mail scanner's prefetch) changes nothing.
    let (status, page) = get(&approve);
    assert_eq!(status, 200);
    assert!(page.contains(body.split(';').next().unwrap()), "the page shows the comment: {page}");
    let fields = confirm_fields(&page);
    assert_eq!(fields.len(), 5, "{page}");
    assert!(comment_file(&site).1.contains("status: pending"));
    assert!(!site.read("posts/refunds/index.html").contains("asking for a callback"));

    // Confirming approves it, and the published page shows it.
    let clicked = Instant::now();
    let (status, page) = confirm(&approve, &fields);
    assert_eq!(status, 200, "{page}");
    until(Duration::from_secs(20), "the comment on the published page", || {
        site.read("posts/refunds/index.html").contains("asking for a callback").then_some(())
    });
    eprintln!("issue 18: from the confirm click to the published page: {} ms", clicked.elapsed().as_millis());
    let (_, file) = comment_file(&site);
    assert!(file.contains("status: approved") && file.contains("by: moderator (link)"), "{file}");

    // The same link again, the other links of the mail (now that it is
    // decided, they are a different decision: allowed until used), a
    // forged signature and another comment's link: 403, nothing changed.
    assert_eq!(confirm(&approve, &fields).0, 403, "a used link");
    let forged: Vec<(String, String)> =
        fields
            .iter()
            .map(|(k, v)| {
                if k == "s" { (k.clone(), format!("{}0", &v[..v.len() - 1])) } else { (k.clone(), v.clone()) }
            })
            .collect();
    assert_eq!(confirm(&approve, &forged).0, 403, "a forged link");
    let other: Vec<(String, String)> =
        fields
            .iter()
            .map(|(k, v)| {
                if k == "c" {
                    (k.clone(), "20240301T000000Z-00000000".into())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
    assert_eq!(confirm(&approve, &other).0, 403, "another comment's link");
    let (status, reject_page) = get(&reject);
    assert_eq!(status, 200);
    assert!(comment_file(&site).1.contains("status: approved"), "a GET on the reject link changed the file");
    drop(reject_page);
}

#[test]
fn issue_18_a_mail_queued_before_a_crash_goes_out_once_when_the_server_is_back() {
    let smtp_port = free_port();
    let mailbox = tempfile::tempdir().unwrap();
    let site = site(smtp_port);
    // The mail server is down: the comment is stored, its mail queued.
    let mut server = start_with(&site, &[]);
    assert_eq!(submit(&server, "Dana", "The queue music was the worst part of a two hour wait."), 303);
    let queue = site.root().join(".parlor/outbox/queue");
    until(Duration::from_secs(10), "the queued mail", || {
        (std::fs::read_dir(&queue).map(|d| d.count()).unwrap_or(0) == 1).then_some(())
    });
    // Killed (SIGKILL) before the mail could go out; restarted while the
    // mail server is still down; then the mail server comes back.
    server.kill();
    let server = start_with(&site, &[]);
    let smtp = SmtpSink::start(smtp_port, mailbox.path());
    let first = until(Duration::from_secs(30), "the mail after the outage", || mails(mailbox.path()).pop());
    assert!(first.text.contains("two hour wait"));
    // Once the mail is marked sent, another restart sends it no more; a
    // second comment's mail comes after it. (Killed between the server's
    // acceptance and the mark, intake would send it again, with the same
    // `Message-ID`: at least once.)
    until(Duration::from_secs(10), "the mail marked sent", || {
        (std::fs::read_dir(&queue).map(|d| d.count()).unwrap_or(1) == 0).then_some(())
    });
    drop(server);
    let server = start_with(&site, &[]);
    assert_eq!(
        submit(&server, "Eli", "Our bank called back the next morning, as promised on the phone."),
        303
    );
    until(Duration::from_secs(20), "the second mail", || (mails(mailbox.path()).len() >= 2).then_some(()));
    let all = mails(mailbox.path());
    assert_eq!(all.len(), 2, "{:?}", all.iter().map(|m| &m.message_id).collect::<Vec<_>>());
    assert_ne!(all[0].message_id, all[1].message_id);
    assert!(all[1].text.contains("called back the next morning"));
    drop(smtp);
}

/// The mails to `to` whose subject holds `about`.
pub(crate) fn mails_to(folder: &Path, to: &str, about: &str) -> Vec<Mail> {
    mails(folder).into_iter().filter(|m| m.to == to && m.subject.contains(about)).collect()
}

/// The one link in `text` that starts with `prefix`, sent to `server`.
fn link_after(text: &str, prefix: &str, server: &Server) -> String {
    let url = text
        .split_whitespace()
        .find(|w| w.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    format!("{}{}", server.base, url.strip_prefix("https://blog.example.org").unwrap())
}

/// Posts a comment; with `email`, asks for replies by mail.
fn submit_full(server: &Server, author: &str, email: &str, body: &str, reply_to: Option<&str>) -> u16 {
    let token = parlor::forms::form_token(SECRET.as_bytes(), "refunds");
    let mut form = vec![("post", "refunds"), ("author", author), ("body", body), ("token", token.as_str())];
    form.extend([("email", email), ("notify_replies", "yes")]);
    if let Some(parent) = reply_to {
        form.push(("reply_to", parent));
    }
    agent().post(format!("{}/comments", server.base)).send_form(form).unwrap().status().as_u16()
}

/// Approves the comment whose moderation mail holds `text`, by its link.
fn approve_by_mail(mailbox: &Path, text: &str, server: &Server) -> String {
    let mail = until(Duration::from_secs(20), "the moderator's mail", || {
        mails_to(mailbox, "moderator@example.org", "awaits").into_iter().find(|m| m.text.contains(text))
    });
    let approve = link(&mail, "Approve", server);
    let (status, page) = get(&approve);
    assert_eq!(status, 200, "{page}");
    assert_eq!(confirm(&approve, &confirm_fields(&page)).0, 200);
    let id =
        mail.text.lines().find_map(|l| l.strip_prefix("On the server: parlor comments approve ")).unwrap();
    id.trim().to_string()
}

/// Follows the confirmation in the last mail to `to`.
fn confirm_subscription(mailbox: &Path, to: &str, server: &Server) {
    let mail =
        until(Duration::from_secs(20), "the confirmation mail", || mails_to(mailbox, to, "Confirm").pop());
    let url = link_after(&mail.text, "https://blog.example.org/comments/subscription?c=", server);
    assert!(url.contains("a=confirm"), "the first link confirms: {url}");
    let (status, page) = get(&url);
    assert_eq!(status, 200, "{page}");
    let (status, page) = confirm(&url, &confirm_fields(&page));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Confirmed"), "{page}");
}

#[test]
fn issue_18_a_subscriber_gets_one_mail_per_reply_and_none_after_unsubscribing() {
    let smtp_port = free_port();
    let mailbox = tempfile::tempdir().unwrap();
    let _smtp = SmtpSink::start(smtp_port, mailbox.path());
    let site = site(smtp_port);
    let config =
        site.source("site.toml").replace("retry_seconds = 1\n", "retry_seconds = 1\nreplies = true\n");
    site.file("site.toml", &config);
    let mb = mailbox.path();
    let server = start_with(&site, &[]);
    // Ann asks for replies; she is asked to confirm, and does.
    assert_eq!(
        submit_full(
            &server,
            "Ann",
            "ann@example.net",
            "Holding for two hours taught me to ask for a callback.",
            None
        ),
        303
    );
    let ann = approve_by_mail(mb, "ask for a callback", &server);
    confirm_subscription(mb, "ann@example.net", &server);
    let subs = site.source("content/comments/subscriptions.toml");
    assert!(subs.contains("ann@example.net") && subs.contains("confirmed = "), "{subs}");
    // Ben replies to her and asks for replies too; a GET of his
    // confirmation link changes nothing.
    assert_eq!(
        submit_full(
            &server,
            "Ben",
            "ben@example.net",
            "Same here: the callback came within the hour.",
            Some(&ann)
        ),
        303
    );
    let ben = approve_by_mail(mb, "within the hour", &server);
    let to_ann = until(Duration::from_secs(20), "the reply mail", || {
        mails_to(mb, "ann@example.net", "replied to your comment").pop()
    });
    assert!(to_ann.text.contains("Same here: the callback came within the hour."), "{}", to_ann.text);
    assert!(to_ann.text.contains(&format!("/posts/refunds/#comment-{ben}")), "{}", to_ann.text);
    confirm_subscription(mb, "ben@example.net", &server);
    // Ann stops with one click (RFC 8058: a POST of the link).
    let raw = std::fs::read_dir(mb)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find(|t| t.contains("replied to your comment") && t.contains("ann@example.net"))
        .unwrap();
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{raw}");
    let unsubscribe = raw
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
        .map(|u| u.trim_end_matches('>').to_string())
        .unwrap();
    let one_click =
        format!("{}{}", server.base, unsubscribe.strip_prefix("https://blog.example.org").unwrap());
    let r = agent()
        .post(&one_click)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("List-Unsubscribe=One-Click")
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(!site.source("content/comments/subscriptions.toml").contains("ann@example.net"));
    // Cy replies to Ann, Dee to Ben. Ben's mail comes; Ann's never does.
    assert_eq!(
        submit_full(
            &server,
            "Cy",
            "cy@example.net",
            "A callback saved my afternoon as well, thanks Ann.",
            Some(&ann)
        ),
        303
    );
    approve_by_mail(mb, "saved my afternoon", &server);
    assert_eq!(
        submit_full(
            &server,
            "Dee",
            "dee@example.net",
            "Ben, which number did you call for the callback?",
            Some(&ben)
        ),
        303
    );
    approve_by_mail(mb, "which number", &server);
    let to_ben = until(Duration::from_secs(20), "Ben's reply mail", || {
        mails_to(mb, "ben@example.net", "replied to your comment").pop()
    });
    assert!(to_ben.text.contains("which number"), "{}", to_ben.text);
    assert_eq!(mails_to(mb, "ann@example.net", "replied to your comment").len(), 1, "Ann unsubscribed");
    assert_eq!(mails_to(mb, "ben@example.net", "replied to your comment").len(), 1);
}

#[test]
fn issue_18_check_reports_a_broken_subscriptions_file_at_its_line() {
    let site = site(25);
    site.file(
        "content/comments/subscriptions.toml",
        "[[reader]]\nemail = \"ann@example.net\"\ncomments = \"c1\"\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stderr().contains("content/comments/subscriptions.toml:3"), "{}", run.stderr());
    // The build does not publish it.
    site.file(
        "content/comments/subscriptions.toml",
        "[[reader]]\nemail = \"ann@example.net\"\ncomments = [\"c1\"]\n",
    );
    site.run(&["check"]).assert_ok();
    site.build().assert_ok();
    let published = walkdir::WalkDir::new(site.root().join("public"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .any(|e| std::fs::read(e.path()).unwrap().windows(15).any(|w| w == b"ann@example.net"));
    assert!(!published, "a subscriber's address is in the output");
}

#[test]
fn issue_18_a_failing_publish_keeps_the_live_site_and_tells_the_moderator() {
    let smtp_port = free_port();
    let mailbox = tempfile::tempdir().unwrap();
    let _smtp = SmtpSink::start(smtp_port, mailbox.path());
    let site = site(smtp_port);
    // After each good build, the command runs in the site folder.
    let config = site
        .source("site.toml")
        .replace("[publish]\n", "[publish]\ncommand = \"echo published >> publish-command.log\"\n");
    site.file("site.toml", &config);
    let server = start_with(&site, &["--publish"]);
    until(Duration::from_secs(30), "the first publish and its command", || {
        site.root().join("publish-command.log").exists().then_some(())
    });
    let live = site.read("posts/refunds/index.html");
    // A post breaks; a comment is approved: the build fails.
    site.file("content/posts/broken.md", "---\ntitle: [unclosed\ndate: 2024-03-02\n---\nText.\n");
    assert_eq!(submit(&server, "Dana", "Asking for the refund in writing got it moving within a week."), 303);
    let mail = until(Duration::from_secs(20), "the moderator's mail", || mails(mailbox.path()).pop());
    let approve = link(&mail, "Approve", &server);
    let (_, page) = get(&approve);
    assert_eq!(confirm(&approve, &confirm_fields(&page)).0, 200);
    let failed = until(Duration::from_secs(30), "the publish-failed mail", || {
        mails(mailbox.path()).into_iter().find(|m| m.subject.contains("Publishing failed"))
    });
    assert!(failed.text.contains("content/posts/broken.md"), "{}", failed.text);
    assert_eq!(site.read("posts/refunds/index.html"), live, "the live site changed");
    let runs = std::fs::read_to_string(site.root().join("publish-command.log")).unwrap();
    assert_eq!(runs.lines().count(), 1, "the command ran after a failed build");
    // Fixed, the next change publishes (and runs the command again).
    site.remove("content/posts/broken.md");
    assert_eq!(
        submit(&server, "Eli", "The bank called back the next morning, exactly as the agent promised."),
        303
    );
    let mail = until(Duration::from_secs(20), "the second mail", || {
        mails(mailbox.path()).into_iter().find(|m| m.text.contains("next morning"))
    });
    let approve = link(&mail, "Approve", &server);
    let (_, page) = get(&approve);
    assert_eq!(confirm(&approve, &confirm_fields(&page)).0, 200);
    until(Duration::from_secs(30), "the fixed publish", || {
        site.read("posts/refunds/index.html").contains("next morning").then_some(())
    });
    assert!(site.read("posts/refunds/index.html").contains("within a week"));
}

/// Takes one HTTP request on `listener` and answers `status`: its head
/// (lower-cased header names) and body.
fn receive_one(listener: &std::net::TcpListener, status: u16) -> (String, String) {
    use std::io::{BufRead, BufReader, Read, Write};
    let (stream, _) = listener.accept().unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let mut stream = stream;
    write!(stream, "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").unwrap();
    (head, String::from_utf8(body).unwrap())
}

#[test]
fn issue_18_the_webhook_gets_a_signed_json_post_and_a_retry_after_a_5xx() {
    let hook = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hook_port = hook.local_addr().unwrap().port();
    let config = format!(
        "{CONFIG}\n[notify]\nwebhook = \"http://127.0.0.1:{hook_port}/hook\"\nretry_seconds = 1\n\n[moderation]\nflood_seconds = 0\n"
    );
    let site = SiteTest::with_config(&config);
    site.file("content/posts/refunds.md", &post("Refunds that take weeks", "2024-03-01", ""));
    let port = free_port();
    let _intake = Command::new(env!("CARGO_BIN_EXE_parlor"))
        .args(["--root", site.root().to_str().unwrap(), "intake", "--port", &port.to_string()])
        .env("PARLOR_SECRET", SECRET)
        .env("PARLOR_WEBHOOK_SECRET", "hook-key")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(KillOnDrop)
        .unwrap();
    crate::intake::wait_for(port);
    let server_base = format!("http://127.0.0.1:{port}");
    let token = parlor::forms::form_token(SECRET.as_bytes(), "refunds");
    let form = [
        ("post", "refunds"),
        ("author", "Dana"),
        ("body", "The refund came after I asked in writing."),
        ("token", token.as_str()),
    ];
    assert_eq!(
        agent().post(format!("{server_base}/comments")).send_form(form).unwrap().status().as_u16(),
        303
    );
    // The receiver is down for a moment (503): the post comes again.
    let (_, first) = receive_one(&hook, 503);
    let (head, body) = receive_one(&hook, 200);
    assert_eq!(first, body, "a retry sends the same body");
    let signature = head.lines().find_map(|l| l.strip_prefix("x-parlor-signature: sha256=")).unwrap().trim();
    assert_eq!(signature, parlor::notify::transport::signature(b"hook-key", &body));
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["event"]["type"], "comment");
    assert_eq!(json["event"]["author"], "Dana");
    assert_eq!(json["event"]["status"], "pending");
    assert!(json["event"]["links"]["approve"].as_str().unwrap().contains("/comments/moderate?"));
    assert!(json["id"].as_str().unwrap().starts_with("moderate-"));
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
