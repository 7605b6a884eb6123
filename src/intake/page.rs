//! Intake's own pages (notices, refusals, confirmations), in the site's
//! look: the site's stylesheet and title around the message.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::IntakeState;
use crate::html::escape;

/// A page titled `title` holding `body` (HTML the caller escaped).
pub(super) fn render(state: &IntakeState, status: StatusCode, title: &str, body: &str) -> Response {
    let (site, base) = state
        .index
        .read()
        .map(|i| (i.queue.config.title.clone(), i.queue.config.root_url()))
        .unwrap_or_default();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>{title} · {site}</title><link rel=\"stylesheet\" href=\"{base}style.css\"></head><body><header class=\"site-header\"><a class=\"site-title\" href=\"{base}\">{site}</a></header><main><h1>{title}</h1>{body}</main></body></html>",
        title = escape(title),
        site = escape(&site),
        base = escape(&base),
    );
    let mut response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}
