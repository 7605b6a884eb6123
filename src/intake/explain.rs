//! Telling an honest reader why: a comment that the site's policy rejects
//! (too many links, generic praise, too short, too long) gets a page that
//! names the rule and how to fix the comment, with the form filled in
//! again to edit and send. Spam, and anything a spam rule or a blocked
//! word had a part in, gets the neutral "awaits moderation" instead, so
//! that a spammer learns nothing.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Form, IntakeState, page};
use crate::config::Moderation;
use crate::html::escape;
use crate::moderate::{Evaluation, Verdict};
use crate::render::notice::Notice;
use crate::render::view::{CommentFormView, FormValues, ReplyOption};

/// The rules of the policy a reader is told about.
const EXPLAINED: &[&str] = &["too_many_links", "generic_praise", "too_short", "too_long"];

/// One reason a comment was rejected, said to its author.
#[derive(Debug, Clone)]
pub(super) struct Reason {
    pub(super) rule: String,
    pub(super) message: String,
    pub(super) fix: String,
}

/// The reasons to tell the reader, when the rejection is the policy's
/// alone; `None` for a pass, a hold, spam, or a rejection in which any
/// other rule had a part.
pub(super) fn reasons(eval: &Evaluation, settings: &Moderation) -> Option<Vec<Reason>> {
    if eval.verdict != Verdict::Reject {
        return None;
    }
    let findings: Vec<_> = eval.findings().collect();
    if findings.iter().any(|r| !EXPLAINED.contains(&r.code)) {
        return None;
    }
    let reasons = findings
        .iter()
        .map(|r| Reason {
            rule: r.code.to_string(),
            message: r.check.message.to_string(),
            fix: fix(r.code, settings),
        })
        .collect();
    Some(reasons)
}

fn fix(rule: &str, s: &Moderation) -> String {
    match rule {
        "too_many_links" => format!(
            "Keep to {}: remove the others, or say in words where to find them.",
            crate::diag::plural(s.max_links, "link")
        ),
        "generic_praise" => {
            "Say something about the post itself: what matched your experience, what did not, or a question."
                .into()
        }
        "too_short" => format!("Write at least {} words.", s.min_words),
        "too_long" => format!(
            "Shorten it to {} characters, or make your main point and link to the rest.",
            s.max_length
        ),
        _ => String::new(),
    }
}

/// The answer to a comment rejected for `reasons`: 422, with the reasons
/// and (for a browser) the form filled in again.
pub(super) fn response(state: &IntakeState, form: &Form, reasons: &[Reason], wants_json: bool) -> Response {
    if wants_json {
        let reasons: Vec<serde_json::Value> = reasons
            .iter()
            .map(|r| serde_json::json!({ "rule": r.rule, "message": r.message, "fix": r.fix }))
            .collect();
        let body = serde_json::json!({ "status": "rejected", "reasons": reasons });
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
    }
    let items: String = reasons
        .iter()
        .map(|r| {
            format!(
                "<li data-rule=\"{}\"><strong>{}</strong> {}</li>",
                escape(&r.rule),
                escape(&r.message),
                escape(&r.fix)
            )
        })
        .collect();
    let body = format!(
        "<p>The site's comment policy does not allow this comment as it is:</p><ul class=\"comment-reasons\">{items}</ul><p>Edit it below and send it again.</p>"
    );
    let filled = refilled_form(state, form);
    let notice = Notice { title: "Your comment needs a change", body_html: &body, form: filled };
    page::render_notice(state, StatusCode::UNPROCESSABLE_ENTITY, &notice)
}

/// The post's comment form with what the reader sent.
fn refilled_form<'a>(state: &IntakeState, form: &'a Form) -> Option<CommentFormView<'a>> {
    let index = state.index.read().ok()?;
    let config = &index.queue.config;
    let (slug, _) = index.queue.post(&form.post)?;
    let replies = form
        .reply_to
        .as_deref()
        .map(|id| ReplyOption { id, author: "the comment you replied to" })
        .into_iter()
        .collect();
    Some(CommentFormView {
        action: form_action(config),
        post: &form.post,
        token: crate::forms::form_token(&state.secret, slug),
        honeypot: crate::forms::HONEYPOT_FIELD,
        max_length: config.moderation.max_length,
        replies,
        values: FormValues {
            author: form.author.clone(),
            email: form.email.clone().unwrap_or_default(),
            website: form.website.clone().unwrap_or_default(),
            body: form.body.clone(),
            reply_to: form.reply_to.clone().unwrap_or_default(),
            notify_replies: form.notify_replies,
        },
        reply_mail: config.notify.replies,
    })
}

/// Where the form posts: `[comments] intake_url`, as the build writes it.
fn form_action(config: &crate::config::Config) -> String {
    let intake = &config.comments.intake_url;
    if intake.starts_with("http://") || intake.starts_with("https://") {
        return intake.clone();
    }
    let base_path = url::Url::parse(&config.base_url)
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    format!("{base_path}/{}", intake.trim_start_matches('/'))
}
