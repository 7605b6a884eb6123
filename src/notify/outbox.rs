//! The outbox: what is to be sent (mail, webhook posts), on disk before
//! anyone is told it will be, and sent at least once.
//!
//! `.parlor/outbox/queue/<id>.json` holds each message not yet sent,
//! written atomically; `.parlor/outbox/sent/<id>` marks one that was.
//! Sending a message writes its mark (fsync) and only then removes it from
//! the queue, so a crash leaves it either still queued (it is sent again,
//! with the same id, which mail clients deduplicate as a `Message-ID`) or
//! marked (it is not). A message whose id is queued or marked already is
//! not queued again: callers give ids that name what the message is about
//! (`moderate-<comment id>`), so the same event never makes two.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// Under the site root.
pub const OUTBOX_DIR: &str = ".parlor/outbox";
/// The longest wait between two tries of one message.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Marks of sent messages are kept this long (deduplication), then swept.
const KEEP_SENT: Duration = Duration::from_secs(30 * 86_400);

/// One thing to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Message {
    Mail(Mail),
    Webhook(Webhook),
}

/// A mail, in plain text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    /// `List-Unsubscribe` (RFC 2369, with RFC 8058's one-click POST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe: Option<String>,
}

/// A JSON body for the site's webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub url: String,
    pub body: serde_json::Value,
}

/// A queued message and its tries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub message: Message,
    /// When it was queued (Unix seconds).
    pub queued: i64,
    /// Not sent before this (Unix seconds): a retry's backoff, or a
    /// digest's gathering time.
    pub not_before: i64,
    /// Items with the same digest key that are due together go out as one
    /// message (`combine`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// Why a send failed.
#[derive(Debug)]
pub enum SendError {
    /// Worth trying again later (the server is down, a 4xx SMTP reply).
    Transient(String),
    /// Never going to work (a 5xx SMTP reply, a bad address): dropped.
    Permanent(String),
}

/// What sends a message: SMTP and HTTP (`transport.rs`), or a test's.
pub trait Transport: Send + Sync {
    /// Sends `message`, whose id (the same for every try) is `id`.
    fn send(&self, id: &str, message: &Message) -> Result<(), SendError>;
}

/// The outbox of a site.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

/// What one pass over the due messages did.
#[derive(Debug, Default, PartialEq)]
pub struct Pass {
    pub sent: usize,
    pub failed: usize,
    pub dropped: usize,
    /// When the next queued message is due (Unix seconds), if any.
    pub next_due: Option<i64>,
}

impl Outbox {
    pub fn open(root: &Path) -> Outbox {
        Outbox { dir: root.join(OUTBOX_DIR) }
    }

    fn queue_dir(&self) -> PathBuf {
        self.dir.join("queue")
    }

    fn sent_dir(&self) -> PathBuf {
        self.dir.join("sent")
    }

    /// Queues `item` durably; false (and nothing written) when an item
    /// with its id is queued or was sent.
    pub fn enqueue(&self, item: &Item) -> Result<bool> {
        let name = file_name(&item.id);
        if self.sent_dir().join(&name).exists() {
            return Ok(false);
        }
        let path = self.queue_dir().join(format!("{name}.json"));
        let text = serde_json::to_vec_pretty(item)?;
        match crate::fsx::atomic_write(&path, &text, true) {
            Ok(()) => Ok(true),
            Err(_) if path.exists() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every queued item (a file that cannot be read is reported and left
    /// for a person: it is never deleted).
    pub fn queued(&self) -> Vec<Item> {
        let Ok(entries) = std::fs::read_dir(self.queue_dir()) else { return Vec::new() };
        let mut items: Vec<Item> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter_map(|p| match std::fs::read(&p).map(|b| serde_json::from_slice::<Item>(&b)) {
                Ok(Ok(item)) => Some(item),
                Ok(Err(e)) => {
                    eprintln!("warning: `{}` in the outbox cannot be read ({e}); left as it is", p.display());
                    None
                }
                Err(_) => None,
            })
            .collect();
        items.sort_by(|a, b| (a.queued, &a.id).cmp(&(b.queued, &b.id)));
        items
    }

    /// Sends every item due at `now` (Unix seconds) through `transport`;
    /// a failure is tried again after a backoff that starts at `retry` and
    /// doubles. Items of one digest go out together, as one message.
    pub fn send_due(&self, transport: &dyn Transport, now: i64, retry: Duration) -> Pass {
        let mut pass = Pass::default();
        let items = self.queued();
        for batch in due_batches(&items, now) {
            let (id, message) = combine(&batch);
            if self.is_sent(&id) {
                self.finish(&batch, &id);
                continue;
            }
            match transport.send(&id, &message) {
                Ok(()) => {
                    self.finish(&batch, &id);
                    pass.sent += 1;
                }
                Err(SendError::Permanent(e)) => {
                    eprintln!("error: message `{id}` cannot be sent and is dropped: {e}");
                    self.finish(&batch, &id);
                    pass.dropped += 1;
                }
                Err(SendError::Transient(e)) => {
                    eprintln!("warning: message `{id}` could not be sent (will retry): {e}");
                    for item in &batch {
                        self.retry_later(item, now, retry, &e);
                    }
                    pass.failed += 1;
                }
            }
        }
        pass.next_due = self.queued().iter().map(|i| i.not_before).min();
        pass
    }

    fn is_sent(&self, id: &str) -> bool {
        self.sent_dir().join(file_name(id)).exists()
    }

    /// Marks the batch sent (as `id`, and each item's own id), then takes
    /// it off the queue.
    fn finish(&self, batch: &[&Item], id: &str) {
        let mut ids: Vec<&str> = batch.iter().map(|i| i.id.as_str()).collect();
        ids.push(id);
        for id in ids {
            let mark = self.sent_dir().join(file_name(id));
            if let Err(e) = crate::fsx::atomic_write(&mark, b"", false) {
                // Left queued: it will be sent again rather than lost.
                eprintln!("error: cannot mark message `{id}` as sent: {e:#}");
                return;
            }
        }
        for item in batch {
            let _ = std::fs::remove_file(self.queue_dir().join(format!("{}.json", file_name(&item.id))));
        }
    }

    fn retry_later(&self, item: &Item, now: i64, retry: Duration, error: &str) {
        let mut next = item.clone();
        next.attempts += 1;
        next.not_before = now + backoff(retry, next.attempts).as_secs() as i64;
        next.last_error = Some(error.chars().take(500).collect());
        let path = self.queue_dir().join(format!("{}.json", file_name(&item.id)));
        if let Err(e) = serde_json::to_vec_pretty(&next)
            .map_err(anyhow::Error::from)
            .and_then(|t| crate::fsx::atomic_write(&path, &t, false))
        {
            eprintln!("warning: cannot record the retry of `{}`: {e:#}", item.id);
        }
    }

    /// Removes the marks of messages sent longer ago than `KEEP_SENT`.
    pub fn sweep_sent(&self) -> Result<usize> {
        let Ok(entries) = std::fs::read_dir(self.sent_dir()) else { return Ok(0) };
        let mut removed = 0;
        for entry in entries.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > KEEP_SENT);
            if old {
                std::fs::remove_file(entry.path())
                    .with_context(|| format!("cannot remove `{}`", entry.path().display()))?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// The wait before try `attempt + 1`: `retry`, doubled each time, at most
/// an hour.
pub fn backoff(retry: Duration, attempts: u32) -> Duration {
    let factor = 1u32.checked_shl(attempts.saturating_sub(1)).unwrap_or(u32::MAX);
    retry.saturating_mul(factor).min(MAX_BACKOFF)
}

/// The items due at `now`, in batches: one item alone, or every item of a
/// digest whose first item is due.
fn due_batches(items: &[Item], now: i64) -> Vec<Vec<&Item>> {
    let mut batches: Vec<Vec<&Item>> = Vec::new();
    let mut digests: Vec<&str> = Vec::new();
    for item in items.iter().filter(|i| i.not_before <= now) {
        match &item.digest {
            None => batches.push(vec![item]),
            Some(key) if !digests.contains(&key.as_str()) => {
                digests.push(key);
                batches.push(items.iter().filter(|i| i.digest.as_ref() == Some(key)).collect());
            }
            Some(_) => {}
        }
    }
    batches
}

/// One message for a batch: an item's own, or a digest of several (the
/// mails' texts one after another; the webhooks' bodies in one array).
fn combine(batch: &[&Item]) -> (String, Message) {
    if let [one] = batch {
        return (one.id.clone(), one.message.clone());
    }
    let id = format!("digest-{}", batch.iter().map(|i| i.id.as_str()).min().unwrap_or("empty"));
    let first = &batch[0].message;
    let message = match first {
        Message::Mail(mail) => {
            let texts: Vec<&str> = batch
                .iter()
                .filter_map(|i| match &i.message {
                    Message::Mail(m) => Some(m.text.as_str()),
                    Message::Webhook(_) => None,
                })
                .collect();
            Message::Mail(Mail {
                to: mail.to.clone(),
                subject: format!("{} comments await you", texts.len()),
                text: texts.join("\n\n----------------------------------------\n\n"),
                unsubscribe: None,
            })
        }
        Message::Webhook(hook) => {
            let bodies: Vec<serde_json::Value> = batch
                .iter()
                .filter_map(|i| match &i.message {
                    Message::Webhook(w) => Some(w.body.clone()),
                    Message::Mail(_) => None,
                })
                .collect();
            Message::Webhook(Webhook { url: hook.url.clone(), body: serde_json::json!({ "digest": bodies }) })
        }
    };
    (id, message)
}

/// An id as a file name: what is not a letter, digit, `-` or `_` becomes `_`
/// (ids are made by parlor, but a comment id comes from a file's name).
fn file_name(id: &str) -> String {
    let mut name: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if name.len() > 150 || name != id {
        // Two ids that differ only where they were replaced stay two files.
        name.truncate(120);
        let hash = crate::slugs::short_hash(id);
        name = format!("{name}-{hash}");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Records what it sends; fails while `down` is set.
    #[derive(Default)]
    struct Recorder {
        sent: Mutex<Vec<(String, Message)>>,
        down: Mutex<Option<bool>>,
    }

    impl Transport for Recorder {
        fn send(&self, id: &str, message: &Message) -> Result<(), SendError> {
            match *self.down.lock().unwrap() {
                Some(true) => return Err(SendError::Permanent("no such user".into())),
                Some(false) => return Err(SendError::Transient("connection refused".into())),
                None => {}
            }
            self.sent.lock().unwrap().push((id.to_string(), message.clone()));
            Ok(())
        }
    }

    fn mail(id: &str, at: i64) -> Item {
        Item {
            id: id.into(),
            message: Message::Mail(Mail {
                to: vec!["mod@example.org".into()],
                subject: format!("about {id}"),
                text: format!("text of {id}"),
                unsubscribe: None,
            }),
            queued: at,
            not_before: at,
            digest: None,
            attempts: 0,
            last_error: None,
        }
    }

    const RETRY: Duration = Duration::from_secs(30);

    #[test]
    fn a_message_is_queued_once_and_sent_once() {
        let tmp = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(tmp.path());
        assert!(outbox.enqueue(&mail("moderate-a", 100)).unwrap());
        assert!(!outbox.enqueue(&mail("moderate-a", 100)).unwrap(), "queued twice");
        let t = Recorder::default();
        assert_eq!(outbox.send_due(&t, 100, RETRY).sent, 1);
        assert_eq!(outbox.send_due(&t, 200, RETRY).sent, 0);
        assert!(!outbox.enqueue(&mail("moderate-a", 300)).unwrap(), "queued again after it was sent");
        assert_eq!(t.sent.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_failed_send_waits_doubling_then_goes_out() {
        let tmp = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(tmp.path());
        outbox.enqueue(&mail("m", 0)).unwrap();
        let t = Recorder::default();
        *t.down.lock().unwrap() = Some(false);
        let pass = outbox.send_due(&t, 0, RETRY);
        assert_eq!((pass.failed, pass.next_due), (1, Some(30)));
        assert_eq!(outbox.send_due(&t, 29, RETRY).failed, 0, "tried before its backoff");
        assert_eq!(outbox.send_due(&t, 30, RETRY).next_due, Some(90));
        assert_eq!(outbox.queued()[0].attempts, 2);
        assert!(outbox.queued()[0].last_error.as_deref().unwrap().contains("refused"));
        *t.down.lock().unwrap() = None;
        assert_eq!(outbox.send_due(&t, 90, RETRY).sent, 1);
        assert!(outbox.queued().is_empty());
    }

    #[test]
    fn a_permanent_failure_is_dropped_not_retried() {
        let tmp = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(tmp.path());
        outbox.enqueue(&mail("m", 0)).unwrap();
        let t = Recorder::default();
        *t.down.lock().unwrap() = Some(true);
        assert_eq!(outbox.send_due(&t, 0, RETRY).dropped, 1);
        assert!(outbox.queued().is_empty());
    }

    #[test]
    fn a_crash_after_the_mark_sends_nothing_again() {
        let tmp = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(tmp.path());
        outbox.enqueue(&mail("m", 0)).unwrap();
        // As if the process died between writing the mark and removing
        // the queued file.
        crate::fsx::atomic_write(&outbox.sent_dir().join("m"), b"", false).unwrap();
        let t = Recorder::default();
        outbox.send_due(&t, 0, RETRY);
        assert!(t.sent.lock().unwrap().is_empty());
        assert!(outbox.queued().is_empty());
    }

    #[test]
    fn a_digest_goes_out_as_one_message_when_its_first_item_is_due() {
        let tmp = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(tmp.path());
        for (id, at) in [("a", 0), ("b", 100), ("c", 200)] {
            let item = Item { digest: Some("moderator".into()), not_before: 600, ..mail(id, at) };
            outbox.enqueue(&item).unwrap();
        }
        let t = Recorder::default();
        assert_eq!(outbox.send_due(&t, 599, RETRY).sent, 0);
        assert_eq!(outbox.send_due(&t, 600, RETRY).sent, 1);
        let sent = t.sent.lock().unwrap();
        let Message::Mail(m) = &sent[0].1 else { panic!() };
        assert_eq!(m.subject, "3 comments await you");
        assert!(m.text.contains("text of a") && m.text.contains("text of c"));
        assert_eq!(sent[0].0, "digest-a");
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(RETRY, 1), Duration::from_secs(30));
        assert_eq!(backoff(RETRY, 3), Duration::from_secs(120));
        assert_eq!(backoff(RETRY, 40), MAX_BACKOFF);
    }

    #[test]
    fn ids_become_safe_distinct_file_names() {
        assert_eq!(file_name("moderate-2026-abc"), "moderate-2026-abc");
        assert_ne!(file_name("a/b"), file_name("a.b"));
        assert!(!file_name("../../etc").contains('/'));
    }
}
