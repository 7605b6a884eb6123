//! Old URLs (`aliases:`): a small redirect page at each alias without a
//! query, and `_redirects` (Netlify's and Cloudflare Pages' format) listing
//! them all. Neither is a templated page, nor in the sitemap or feeds.

use std::fmt::Write as _;

use super::view::Views;
use crate::html::escape;
use crate::model::{Redirect, SiteModel};

/// The redirect page for `redirect`: a refresh for browsers, the canonical
/// link for search engines (and `noindex`), and a link for people.
pub(super) fn page(model: &SiteModel, views: &Views, redirect: &Redirect) -> Vec<u8> {
    let url = model.url_of(redirect.owner);
    let (href, absolute) = (escape(&views.href(url)), escape(&views.absolute(url)));
    let title = escape(model.title_of(redirect.owner));
    let language = escape(&model.config.language);
    format!(
        "<!DOCTYPE html>\n\
         <html lang=\"{language}\">\n\
         <head>\n\
         <meta charset=\"utf-8\">\n\
         <title>{title}</title>\n\
         <link rel=\"canonical\" href=\"{absolute}\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={href}\">\n\
         </head>\n\
         <body>\n\
         <p>This page has moved to <a href=\"{href}\">{title}</a>.</p>\n\
         </body>\n\
         </html>\n"
    )
    .into_bytes()
}

/// `_redirects`: one `from to 301` line per alias, in the order of the
/// model (posts newest first, then pages). An alias with a query is
/// written in Netlify's query syntax, `/path key=value /to/ 301`: Netlify
/// matches it; Cloudflare Pages takes only `from to [code]` lines and
/// ignores it. `None` when the site has no aliases.
pub(super) fn redirects_file(model: &SiteModel, views: &Views) -> Option<Vec<u8>> {
    if model.redirects.is_empty() {
        return None;
    }
    let mut out = String::from(
        "# Written by parlor from the posts' and pages' `aliases`: old URL, new URL, status.\n\
         # A line with `key=value` matches that query parameter (Netlify; Cloudflare Pages ignores it).\n",
    );
    for r in &model.redirects {
        let to = views.href(model.url_of(r.owner));
        let from = views.href(r.alias.path());
        match r.alias.query() {
            None => {
                let _ = writeln!(out, "{from} {to} 301");
            }
            Some(query) => {
                let params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
                let _ = writeln!(out, "{from} {} {to} 301", params.join(" "));
            }
        }
    }
    Some(out.into_bytes())
}
