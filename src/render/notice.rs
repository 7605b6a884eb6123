//! Intake's own pages (a refusal with its reason, a notice, a moderation
//! link's confirmation), in the site's theme: `intake.html`, which the
//! built-in theme provides and a site's theme may replace. Intake has no
//! model of the site, only its config: the page gets the site's title,
//! description and language, and no navigation to the site's pages.

use serde::Serialize;
use tera::{Context, Tera};

use super::view::{CommentFormView, SiteView};
use crate::config::Config;

/// What an intake page says.
pub struct Notice<'a> {
    pub title: &'a str,
    /// HTML, escaped by the caller.
    pub body_html: &'a str,
    /// The comment form, filled with what the reader sent, to edit and send again.
    pub form: Option<CommentFormView<'a>>,
}

#[derive(Serialize)]
struct NoticeView<'a> {
    body_html: &'a str,
}

/// The site's theme, compiled, for intake's pages.
pub struct NoticeTheme {
    tera: Tera,
}

impl NoticeTheme {
    /// The theme `config` names; `None` (and a warning) when its templates
    /// do not compile: intake then answers in plain pages.
    pub fn load(root: &std::path::Path, config: &Config) -> Option<NoticeTheme> {
        let diags = crate::diag::Diagnostics::new();
        let theme = crate::load::Theme::load(root, &config.theme, &diags);
        match super::compile_theme(&theme) {
            Ok(tera) => Some(NoticeTheme { tera }),
            Err(d) => {
                eprintln!("warning: intake's pages are plain: {}", d.render(false));
                None
            }
        }
    }

    /// The page, or the template's error (the caller falls back to a
    /// plain page: a reader must always be told).
    pub fn page(&self, config: &Config, notice: &Notice) -> Result<String, String> {
        notice_page(&self.tera, config, notice)
    }
}

fn notice_page(tera: &Tera, config: &Config, notice: &Notice) -> Result<String, String> {
    let site = SiteView::of_config(config, Vec::new());
    let mut ctx = Context::new();
    ctx.insert("site", &site);
    ctx.insert("kind", "intake");
    ctx.insert("page_title", notice.title);
    let root = config.root_url();
    ctx.insert("current_url", &root);
    ctx.insert("canonical_url", &root);
    ctx.insert("feeds", &Vec::<String>::new());
    ctx.insert("meta", &Option::<super::meta::MetaView>::None);
    ctx.insert("notice", &NoticeView { body_html: notice.body_html });
    ctx.insert("comment_form", &notice.form);
    ctx.insert("comment_policy", &Option::<String>::None);
    tera.render("intake.html", &ctx).map_err(|e| format!("{e}"))
}
