//! Telling people about comments: the moderator (a comment awaits a
//! decision, a publish failed) by mail and webhook, with one-click links;
//! commenters who asked for it, when someone replies. Everything goes
//! through the on-disk outbox (`outbox.rs`) and a worker thread sends it,
//! so a submission never waits for a mail server and a crash loses
//! nothing.

pub mod links;
pub mod outbox;
pub mod replies;
pub mod transport;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Result;

use crate::config::{Config, NotifyOn};
use crate::parse::comment::{Comment, Status};
use links::{Purpose, SignedLink};
use outbox::{Item, Mail, Message, Outbox, Transport, Webhook};

/// The actions a moderation link can take, with the status each records.
pub const LINK_ACTIONS: &[(&str, Status, &str)] = &[
    ("approve", Status::Approved, "Approve"),
    ("reject", Status::Rejected, "Reject"),
    ("spam", Status::Spam, "Mark as spam"),
];

/// The status a moderation link's action records.
pub fn link_status(action: &str) -> Option<Status> {
    LINK_ACTIONS.iter().find(|(a, _, _)| *a == action).map(|(_, s, _)| *s)
}

/// What the rules said of a comment, for the moderator.
pub struct Verdict<'a> {
    /// `pass`, `hold`, `reject`, `spam`.
    pub verdict: &'a str,
    /// Each rule that applied: its code and what it found.
    pub reasons: Vec<(&'a str, String)>,
}

/// The post a comment is on.
pub struct PostRef<'a> {
    pub title: &'a str,
    /// The post's path under the site (`/posts/slug/`).
    pub path: &'a str,
}

/// Queues notifications and wakes the worker that sends them.
pub struct Notifier {
    outbox: Outbox,
    config: Config,
    secret: Vec<u8>,
    wake: mpsc::Sender<()>,
    /// Reply mails sent lately, for the rate limits.
    sent: std::sync::Mutex<replies::Sent>,
}

impl Notifier {
    /// A notifier for the site at `root` and the worker sending its mail
    /// through `transport` (`transport::Network` in production), woken
    /// whenever something is queued and at each retry's time.
    pub fn start(root: &Path, config: Config, secret: Vec<u8>, transport: Box<dyn Transport>) -> Notifier {
        let outbox = Outbox::open(root);
        let (wake, woken) = mpsc::channel();
        let retry = Duration::from_secs(config.notify.retry_seconds.max(1));
        let worker = outbox.clone();
        std::thread::Builder::new()
            .name("parlor-outbox".into())
            .spawn(move || run_worker(&worker, transport.as_ref(), retry, &woken))
            .map_err(|e| eprintln!("error: cannot start the mail worker: {e}"))
            .ok();
        Notifier { outbox, config, secret, wake, sent: Default::default() }
    }

    /// Tells the moderator of `comment`, which arrived and was given
    /// `status`, as `[notify] on` asks.
    pub fn comment_arrived(
        &self,
        comment: &Comment,
        post: &PostRef,
        verdict: &Verdict,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let wanted = match self.config.notify.on {
            NotifyOn::All => true,
            NotifyOn::Decisions => comment.status == Status::Pending,
            NotifyOn::Off => false,
        };
        if !wanted {
            return Ok(());
        }
        let links = self.moderation_links(&comment.id, now)?;
        let id = format!("moderate-{}", comment.id);
        let mail = (!self.config.notify.email.is_empty()).then(|| {
            Message::Mail(Mail {
                to: self.config.notify.email.clone(),
                subject: self.subject(comment, post),
                text: self.moderation_text(comment, post, verdict, &links, now),
                unsubscribe: None,
            })
        });
        let hook = (!self.config.notify.webhook.is_empty()).then(|| {
            Message::Webhook(Webhook {
                url: self.config.notify.webhook.clone(),
                body: self.moderation_json(comment, post, verdict, &links),
            })
        });
        self.queue(&id, mail, hook, now, true)
    }

    /// Tells the moderator that publishing failed: the live site is kept.
    pub fn publish_failed(&self, problem: &str, now: jiff::Timestamp) -> Result<()> {
        let id = format!("publish-failed-{}", now.as_second());
        let title = &self.config.title;
        let text = format!(
            "parlor intake could not rebuild \"{title}\"; the live site was kept as it was.\n\n{problem}\n\nFix the site, then approve again or run `parlor build` on the server.\n"
        );
        let mail = (!self.config.notify.email.is_empty()).then(|| {
            Message::Mail(Mail {
                to: self.config.notify.email.clone(),
                subject: format!("[{title}] Publishing failed"),
                text: text.clone(),
                unsubscribe: None,
            })
        });
        let hook = (!self.config.notify.webhook.is_empty()).then(|| {
            Message::Webhook(Webhook {
                url: self.config.notify.webhook.clone(),
                body: serde_json::json!({ "type": "publish_failed", "site": title, "problem": problem }),
            })
        });
        self.queue(&id, mail, hook, now, false)
    }

    /// Queues a mail to one reader (reply notifications, confirmations).
    fn mail_reader(&self, id: &str, mail: Mail, now: jiff::Timestamp) -> Result<bool> {
        let item = item(id.to_string(), Message::Mail(mail), now, None);
        let queued = self.outbox.enqueue(&item)?;
        let _ = self.wake.send(());
        Ok(queued)
    }

    /// Queues the moderator's mail and webhook post (`-mail`, `-hook`
    /// after `id`), gathered into the digest when one is set.
    fn queue(
        &self,
        id: &str,
        mail: Option<Message>,
        hook: Option<Message>,
        now: jiff::Timestamp,
        digestible: bool,
    ) -> Result<()> {
        let minutes = self.config.notify.digest_minutes;
        for (suffix, message) in [("mail", mail), ("hook", hook)] {
            let Some(message) = message else { continue };
            let digest = (digestible && minutes > 0).then(|| format!("moderator-{suffix}"));
            let mut item = item(format!("{id}-{suffix}"), message, now, digest.clone());
            if digest.is_some() {
                item.not_before = now.as_second() + i64::from(minutes) * 60;
            }
            self.outbox.enqueue(&item)?;
        }
        let _ = self.wake.send(());
        Ok(())
    }

    /// The signed links of each moderation action, by action.
    fn moderation_links(
        &self,
        comment_id: &str,
        now: jiff::Timestamp,
    ) -> Result<Vec<(&'static str, String)>> {
        let expires = now.as_second() + i64::from(self.config.notify.link_days) * 86_400;
        let base = moderation_url(&self.config);
        LINK_ACTIONS
            .iter()
            .map(|(action, _, _)| {
                let link = SignedLink::new(&self.secret, Purpose::Moderate, comment_id, action, expires)?;
                Ok((*action, format!("{base}?{}", link.query())))
            })
            .collect()
    }

    fn subject(&self, comment: &Comment, post: &PostRef) -> String {
        let what = if comment.status == Status::Pending { "awaits your decision" } else { "arrived" };
        format!("[{}] A comment on \"{}\" {what}", self.config.title, one_line(post.title, 80))
    }

    fn moderation_text(
        &self,
        c: &Comment,
        post: &PostRef,
        verdict: &Verdict,
        links: &[(&str, String)],
        now: jiff::Timestamp,
    ) -> String {
        let mut t = String::new();
        let author = match &c.email {
            Some(email) => format!("{} <{email}>", c.author),
            None => c.author.clone(),
        };
        t.push_str(&format!("{author} commented on \"{}\"\n", post.title));
        t.push_str(&format!("{}{}\n\n", self.config.base_url, post.path));
        if let Some(site) = &c.website {
            t.push_str(&format!("Website: {site}\n"));
        }
        t.push_str(&format!("Status: {} (the rules said: {})\n", c.status.as_str(), verdict.verdict));
        if verdict.reasons.is_empty() {
            t.push_str("  No rule found anything against it.\n");
        }
        for (code, message) in &verdict.reasons {
            t.push_str(&format!("  - {code}: {message}\n"));
        }
        t += "\n----------------------------------------\n";
        t += c.body.trim_end();
        t += "\n----------------------------------------\n\n";
        for (action, url) in links {
            let label = LINK_ACTIONS.iter().find(|(a, _, _)| a == action).map_or(*action, |(_, _, l)| l);
            t.push_str(&format!("{label}:\n{url}\n\n"));
        }
        let expires = now + jiff::SignedDuration::from_hours(24 * i64::from(self.config.notify.link_days));
        t.push_str(&format!(
            "Each link opens a page where you confirm; each works once, until {}.\nOn the server: parlor comments approve {}\n",
            expires.strftime("%Y-%m-%d %H:%M UTC"),
            c.id
        ));
        t
    }

    fn moderation_json(
        &self,
        c: &Comment,
        post: &PostRef,
        verdict: &Verdict,
        links: &[(&str, String)],
    ) -> serde_json::Value {
        let reasons: Vec<serde_json::Value> = verdict
            .reasons
            .iter()
            .map(|(code, message)| serde_json::json!({ "rule": code, "message": message }))
            .collect();
        let links: serde_json::Map<String, serde_json::Value> =
            links.iter().map(|(a, url)| (a.to_string(), serde_json::Value::from(url.as_str()))).collect();
        serde_json::json!({
            "type": "comment",
            "site": self.config.title,
            "comment": c.id,
            "post": { "title": post.title, "url": format!("{}{}", self.config.base_url, post.path) },
            "author": c.author,
            "status": c.status.as_str(),
            "verdict": verdict.verdict,
            "reasons": reasons,
            "body": c.body,
            "links": links,
        })
    }
}

fn item(id: String, message: Message, now: jiff::Timestamp, digest: Option<String>) -> Item {
    Item {
        id,
        message,
        queued: now.as_second(),
        not_before: now.as_second(),
        digest,
        attempts: 0,
        last_error: None,
    }
}

/// Where the moderation links point: beside the comment form's address,
/// which the reverse proxy already sends to `parlor intake`.
pub fn moderation_url(config: &Config) -> String {
    format!("{}/moderate", intake_address(config))
}

/// `[comments] intake_url` as an absolute URL, without a trailing slash.
pub fn intake_address(config: &Config) -> String {
    let intake = config.comments.intake_url.trim_end_matches('/');
    if intake.starts_with("http://") || intake.starts_with("https://") {
        intake.to_string()
    } else {
        format!("{}/{}", config.base_url, intake.trim_start_matches('/'))
    }
}

/// `text` on one line, at most `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        format!("{}…", line.chars().take(max).collect::<String>())
    }
}

/// Sends what is due, then sleeps until the next item is due or something
/// is queued; ends when every `Notifier` is gone.
fn run_worker(outbox: &Outbox, transport: &dyn Transport, retry: Duration, woken: &mpsc::Receiver<()>) {
    if let Err(e) = outbox.sweep_sent() {
        eprintln!("warning: {e:#}");
    }
    loop {
        let now = jiff::Timestamp::now().as_second();
        let pass = outbox.send_due(transport, now, retry);
        let wait = pass.next_due.map_or(Duration::from_secs(3600), |due| {
            Duration::from_secs(due.saturating_sub(now).clamp(0, 3600) as u64)
        });
        match woken.recv_timeout(wait.max(Duration::from_millis(10))) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Config {
        let text = format!(
            "title = \"Service Stories\"\nbase_url = \"https://blog.example.org\"\n[notify]\nemail = [\"mod@example.org\"]\n{extra}"
        );
        Config::parse(&text, &crate::diag::Diagnostics::new()).unwrap()
    }

    #[test]
    fn links_sit_beside_the_form_address() {
        assert_eq!(moderation_url(&config("")), "https://blog.example.org/comments/moderate");
        let mut c = config("");
        c.comments.intake_url = "https://comments.example.net/c/".into();
        assert_eq!(moderation_url(&c), "https://comments.example.net/c/moderate");
    }

    #[test]
    fn the_sender_defaults_to_the_sites_host() {
        assert_eq!(config("").mail_from(), "Service Stories <parlor@blog.example.org>");
    }

    #[test]
    fn bad_notify_settings_are_reported_at_their_key() {
        let diags = crate::diag::Diagnostics::new();
        let text = "title = \"T\"\nbase_url = \"https://x.org\"\n[notify]\nemail = [\"not an address\"]\nwebhook = \"ftp://x\"\n";
        assert!(Config::parse(text, &diags).is_none());
        let diags = diags.into_sorted();
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(diags[0].headline().contains("site.toml:4:1"), "{}", diags[0].headline());
    }
}
