//! One-click moderation: `GET /comments/moderate?…` shows the comment a
//! signed link is about and a button; only the `POST` that button sends
//! records the decision, as `parlor comments approve` does. A forged,
//! altered, expired or used link, or one whose comment is gone, changes
//! nothing and gets 403.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::IntakeState;
use super::page;
use crate::html::escape;
use crate::notify::links::{LinkProblem, Purpose, SignedLink};
use crate::notify::{LINK_ACTIONS, link_status};
use crate::parse::comment::Comment;

/// The confirmation page: what the link would do, and a button to do it.
pub(super) async fn confirm_page(
    State(state): State<Arc<IntakeState>>,
    Query(fields): Query<HashMap<String, String>>,
) -> Response {
    state.refresh_if_stale().await;
    let link = match checked_link(&state, &fields) {
        Ok(link) => link,
        Err(refusal) => return refusal,
    };
    let Some(comment) = find_comment(&state, &link.subject) else { return gone(&state) };
    let label = LINK_ACTIONS.iter().find(|(a, _, _)| *a == link.action).map_or("Confirm", |(_, _, l)| *l);
    let hidden: String = [
        ("c", &link.subject),
        ("a", &link.action),
        ("e", &link.expires.to_string()),
        ("n", &link.nonce),
        ("s", &link.signature),
    ]
    .iter()
    .map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", escape(v)))
    .collect();
    let body = format!(
        "{}<form method=\"post\" action=\"\">{hidden}<button type=\"submit\">{label}</button></form>",
        describe(&comment)
    );
    page::render(&state, StatusCode::OK, &format!("{label} this comment?"), &body)
}

/// Records the decision the link names, once.
pub(super) async fn apply(State(state): State<Arc<IntakeState>>, body: axum::body::Bytes) -> Response {
    state.refresh_if_stale().await;
    let fields: HashMap<String, String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .map(|v| v.into_iter().collect())
        .unwrap_or_default();
    let link = match checked_link(&state, &fields) {
        Ok(link) => link,
        Err(refusal) => return refusal,
    };
    let Some(status) = link_status(&link.action) else { return forbidden(&state, LinkProblem::Forged) };
    let worker = Arc::clone(&state);
    let recorded = tokio::task::spawn_blocking(move || {
        let now = worker.limits.clock.timestamp();
        worker
            .used_links
            .use_once(&link, now.as_second(), || worker.record_decision(&link.subject, status, now))
    })
    .await;
    match recorded {
        Ok(Ok(Some(Some(comment)))) => {
            state.comment_status_changed();
            let body = format!("{}<p>Recorded: {}.</p>", describe(&comment), status.as_str());
            page::render(&state, StatusCode::OK, "Done", &body)
        }
        Ok(Ok(Some(None))) => gone(&state),
        Ok(Ok(None)) => forbidden(&state, LinkProblem::Used),
        Ok(Err(e)) => {
            eprintln!("error: cannot record a decision: {e:#}");
            page::render(
                &state,
                StatusCode::SERVICE_UNAVAILABLE,
                "Not recorded",
                "<p>The decision could not be recorded; nothing was changed. Try again, or use <code>parlor comments</code> on the server.</p>",
            )
        }
        Err(_) => page::render(&state, StatusCode::SERVICE_UNAVAILABLE, "Not recorded", "<p>Try again.</p>"),
    }
}

fn checked_link(state: &IntakeState, fields: &HashMap<String, String>) -> Result<SignedLink, Response> {
    let link = SignedLink::from_fields(fields).ok_or_else(|| forbidden(state, LinkProblem::Forged))?;
    let now = state.limits.clock.timestamp().as_second();
    link.check(&state.secret, Purpose::Moderate, now).map_err(|p| forbidden(state, p))?;
    if link_status(&link.action).is_none() {
        return Err(forbidden(state, LinkProblem::Forged));
    }
    if state.used_links.is_used(&link) {
        return Err(forbidden(state, LinkProblem::Used));
    }
    Ok(link)
}

fn find_comment(state: &IntakeState, id: &str) -> Option<Comment> {
    let index = state.index.read().ok()?;
    index.queue.comments.iter().find(|c| c.id == id).cloned()
}

fn describe(c: &Comment) -> String {
    format!(
        "<article class=\"comment\"><p><strong>{}</strong> on <code>{}</code>, {}; now <em>{}</em></p><div class=\"comment-body\"><pre>{}</pre></div></article>",
        escape(&c.author),
        escape(&c.post_slug),
        escape(&c.date.rfc3339()),
        c.status.as_str(),
        escape(c.body.trim_end())
    )
}

fn forbidden(state: &IntakeState, problem: LinkProblem) -> Response {
    page::render(
        state,
        StatusCode::FORBIDDEN,
        "Link not accepted",
        &format!("<p>{}</p>", escape(problem.message())),
    )
}

fn gone(state: &IntakeState) -> Response {
    page::render(
        state,
        StatusCode::FORBIDDEN,
        "Link not accepted",
        "<p>The comment this link is about is no longer on the site.</p>",
    )
}
