//! Replies by email, on intake's side: a reader who ticks "Email me
//! replies" is added to `content/comments/subscriptions.toml` and mailed a
//! confirmation; `GET /comments/subscription?…` shows what a confirmation
//! or unsubscribe link does, and only its `POST` (a button, or a mail
//! client's RFC 8058 one-click POST) does it. When a reply to a confirmed
//! reader's comment is published, they get one mail.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{Index, IntakeState, page};
use crate::html::escape;
use crate::notify::PostRef;
use crate::notify::links::{LinkProblem, Purpose, SignedLink};
use crate::parse::comment::{Comment, Status};
use crate::parse::subscriptions::{SUBSCRIPTIONS_FILE, Subscriptions};

/// The subscriptions file, read and written whole under a lock.
pub(super) struct Store {
    path: PathBuf,
    lock: Mutex<()>,
}

impl Store {
    pub(super) fn open(root: &Path) -> Store {
        Store { path: root.join(SUBSCRIPTIONS_FILE), lock: Mutex::new(()) }
    }

    pub(super) fn read(&self) -> Result<Subscriptions> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Subscriptions::parse(&text).map_err(|d| anyhow::anyhow!("{}", d.render(false))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Subscriptions::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read `{SUBSCRIPTIONS_FILE}`")),
        }
    }

    /// Changes the file with `change` (atomically); a file that does not
    /// parse is never overwritten.
    pub(super) fn update<T>(&self, change: impl FnOnce(&mut Subscriptions) -> T) -> Result<T> {
        let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut subs = self.read()?;
        let value = change(&mut subs);
        crate::fsx::atomic_write(&self.path, subs.to_text().as_bytes(), false)?;
        Ok(value)
    }
}

/// A stored comment whose author asked for replies: subscribe them, and
/// ask for their confirmation the first time.
pub(super) fn subscribe(state: &IntakeState, comment: &Comment, post: &PostRef) -> Result<()> {
    let (Some(email), Some(notifier)) = (&comment.email, &state.services.notifier) else { return Ok(()) };
    let confirmed = state.subscriptions.update(|s| s.subscribe(email, &comment.id))?;
    if !confirmed {
        notifier.confirm_subscription(email, comment, post, state.limits.clock.timestamp())?;
    }
    Ok(())
}

/// The ids of the approved comments in `index`.
pub(super) fn approved_ids(index: &Index) -> HashSet<String> {
    index.queue.comments.iter().filter(|c| c.status == Status::Approved).map(|c| c.id.clone()).collect()
}

/// Mails the subscribers of the comments that replies published since
/// `before` answer (never for a reply that is not approved, nor to the
/// reply's own author).
pub(super) fn mail_new_replies(state: &IntakeState, index: &Index, before: &HashSet<String>) {
    let Some(notifier) = &state.services.notifier else { return };
    let fresh: Vec<&Comment> = index
        .queue
        .comments
        .iter()
        .filter(|c| c.status == Status::Approved && c.reply_to.is_some() && !before.contains(&c.id))
        .collect();
    if fresh.is_empty() {
        return;
    }
    let subs = match state.subscriptions.read() {
        Ok(subs) => subs,
        Err(e) => return eprintln!("error: reply notifications not sent: {e:#}"),
    };
    let now = state.limits.clock.timestamp();
    for reply in fresh {
        let Some(reader) = reply.reply_to.as_deref().and_then(|parent| subs.subscriber_of(parent)) else {
            continue;
        };
        if reply.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&reader.email)) {
            continue;
        }
        let Some((_, post)) = index.queue.post(&reply.post_slug) else { continue };
        let post = PostRef { title: &post.title, path: &post.url };
        if let Err(e) = notifier.reply_published(&reader.email, reply, &post, now) {
            eprintln!("error: cannot queue a reply notification: {e:#}");
        }
    }
}

/// What a subscription link's action is for.
fn purpose(action: &str) -> Option<Purpose> {
    match action {
        "confirm" => Some(Purpose::Confirm),
        "stop" => Some(Purpose::Unsubscribe),
        _ => None,
    }
}

fn checked(state: &IntakeState, fields: &HashMap<String, String>) -> Result<SignedLink, Response> {
    let refuse = |p: LinkProblem| {
        page::render(
            state,
            StatusCode::FORBIDDEN,
            "Link not accepted",
            &format!("<p>{}</p>", escape(p.message())),
        )
    };
    let link = SignedLink::from_fields(fields).ok_or_else(|| refuse(LinkProblem::Forged))?;
    let purpose = purpose(&link.action).ok_or_else(|| refuse(LinkProblem::Forged))?;
    link.check(&state.secret, purpose, state.limits.clock.timestamp().as_second()).map_err(refuse)?;
    Ok(link)
}

/// The page a confirmation or unsubscribe link opens: a button.
pub(super) async fn link_page(
    State(state): State<Arc<IntakeState>>,
    Query(fields): Query<HashMap<String, String>>,
) -> Response {
    let link = match checked(&state, &fields) {
        Ok(link) => link,
        Err(refusal) => return refusal,
    };
    let (title, button) = match link.action.as_str() {
        "confirm" => ("Email me replies?", "Yes, email me replies"),
        _ => ("Stop these mails?", "Stop every mail"),
    };
    let hidden: String = fields
        .iter()
        .filter(|(k, _)| ["c", "a", "e", "n", "s"].contains(&k.as_str()))
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(k), escape(v)))
        .collect();
    let body = format!(
        "<p>For <strong>{}</strong>.</p><form method=\"post\" action=\"\">{hidden}<button type=\"submit\">{button}</button></form>",
        escape(&link.subject)
    );
    page::render(&state, StatusCode::OK, title, &body)
}

/// Confirms or stops: the fields come from the form, or (a mail client's
/// one-click unsubscribe) from the link's query with
/// `List-Unsubscribe=One-Click` as the body.
pub(super) async fn apply(
    State(state): State<Arc<IntakeState>>,
    Query(query): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    let mut fields: HashMap<String, String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .map(|v| v.into_iter().collect())
        .unwrap_or_default();
    for (k, v) in query {
        fields.entry(k).or_insert(v);
    }
    let link = match checked(&state, &fields) {
        Ok(link) => link,
        Err(refusal) => return refusal,
    };
    let worker = Arc::clone(&state);
    let email = link.subject.clone();
    let confirm = link.action == "confirm";
    let done = tokio::task::spawn_blocking(move || {
        let at = worker.limits.clock.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        worker.subscriptions.update(|s| if confirm { s.confirm(&email, &at) } else { s.stop(&email) })
    })
    .await;
    match done {
        Ok(Ok(_)) if confirm => page::render(
            &state,
            StatusCode::OK,
            "Confirmed",
            "<p>You will get one mail for each reply to your comment, once it is published. Each mail has a link to stop them.</p>",
        ),
        Ok(Ok(_)) => page::render(
            &state,
            StatusCode::OK,
            "Stopped",
            "<p>You will get no more mail from this site.</p>",
        ),
        _ => page::render(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            "Not recorded",
            "<p>This could not be recorded; please try again later.</p>",
        ),
    }
}
