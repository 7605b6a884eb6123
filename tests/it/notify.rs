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

use crate::intake::{Server, free_port, start_with};
use crate::support::{CONFIG, SiteTest, post};

const SECRET: &str = "test-secret-for-intake";

/// aiosmtpd on a port, storing each message in a folder; stopped on drop.
struct SmtpSink {
    child: Child,
}

impl SmtpSink {
    fn start(port: u16, folder: &Path) -> SmtpSink {
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
struct Mail {
    subject: String,
    message_id: String,
    text: String,
    to: String,
}

fn mails(folder: &Path) -> Vec<Mail> {
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
fn until<T>(limit: Duration, what: &str, mut done: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = done() {
            return value;
        }
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn site(smtp_port: u16) -> SiteTest {
    let config = format!(
        "{CONFIG}\n[notify]\nemail = [\"moderator@example.org\"]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\nsmtp_tls = \"none\"\nretry_seconds = 1\n\n[publish]\ndebounce_ms = 50\n"
    );
    let site = SiteTest::with_config(&config);
    site.file("content/posts/refunds.md", &post("Refunds that take weeks", "2024-03-01", ""));
    site
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().new_agent()
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
fn link(mail: &Mail, label: &str, server: &Server) -> String {
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
fn confirm_fields(page: &str) -> Vec<(String, String)> {
    let html = scraper::Html::parse_document(page);
    let inputs = scraper::Selector::parse("form[method=post] input[type=hidden]").unwrap();
    html.select(&inputs)
        .map(|i| (i.attr("name").unwrap().to_string(), i.attr("value").unwrap().to_string()))
        .collect()
}

fn get(url: &str) -> (u16, String) {
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
    // A second comment's mail comes after it, and the first is not sent
    // again, even after another restart.
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
