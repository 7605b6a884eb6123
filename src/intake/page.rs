//! Intake's own pages (notices, refusals, confirmations), in the site's
//! theme (`intake.html`); a plain page with the site's stylesheet when
//! the theme cannot render one.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::IntakeState;
use crate::html::escape;
use crate::render::notice::Notice;

/// A page titled `title` holding `body` (HTML the caller escaped).
pub(super) fn render(state: &IntakeState, status: StatusCode, title: &str, body: &str) -> Response {
    render_notice(state, status, &Notice { title, body_html: body, form: None })
}

/// A page for `notice`, with its form if it has one.
pub(super) fn render_notice(state: &IntakeState, status: StatusCode, notice: &Notice) -> Response {
    let themed = state.index.read().ok().and_then(|index| {
        let theme = index.theme()?;
        theme
            .page(&index.queue.config, notice)
            .map_err(|e| eprintln!("warning: the theme's intake.html failed: {e}"))
            .ok()
    });
    let html = themed.unwrap_or_else(|| plain(state, notice));
    let mut response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

fn plain(state: &IntakeState, notice: &Notice) -> String {
    let (site, base) = state
        .index
        .read()
        .map(|i| (i.queue.config.title.clone(), i.queue.config.root_url()))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>{title} · {site}</title><link rel=\"stylesheet\" href=\"{base}style.css\"></head><body><header class=\"site-header\"><a class=\"site-title\" href=\"{base}\">{site}</a></header><main><h1>{title}</h1>{body}</main></body></html>",
        title = escape(notice.title),
        site = escape(&site),
        base = escape(&base),
        body = notice.body_html,
    )
}
