//! Internal link checking for `parlor check`: every link or image on every
//! rendered page that points into the site must reach a file the build
//! writes. A broken link is reported at the line of the Markdown file that
//! holds it (or at the page, when a template made it).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::view::Views;
use super::{OutputContent, Rendered};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::model::SiteModel;
use crate::model::permalink::output_path;

pub fn check_internal_links(root: &Path, model: &SiteModel, rendered: &Rendered, diags: &Diagnostics) {
    let views = Views::new(model);
    let base_path = views.href("/");
    let absolute_root = model.config.root_url();
    let files: HashSet<&str> = rendered.files.iter().map(|f| f.path.as_str()).collect();
    let sources: HashMap<String, &Path> = model
        .posts
        .iter()
        .map(|p| &p.path)
        .zip(&model.post_urls)
        .chain(model.pages.iter().map(|p| &p.path).zip(&model.page_urls))
        .map(|(path, url)| (output_path(url), path.as_path()))
        .collect();
    let mut reported = HashSet::new();
    for file in &rendered.files {
        let bytes: &[u8] = match &file.content {
            OutputContent::Bytes(b) => b,
            OutputContent::Shared(b) => b,
            _ => continue,
        };
        if !file.path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for link in links(&html) {
            let Some(target) = internal_target(link, &base_path, &absolute_root) else {
                continue;
            };
            if target_exists(&target, &files) || !reported.insert((file.path.clone(), link.to_string())) {
                continue;
            }
            diags.push(broken_link(root, link, &file.path, sources.get(&file.path).copied()));
        }
    }
}

fn broken_link(root: &Path, link: &str, page: &str, source: Option<&Path>) -> Diagnostic {
    let help =
        "point the link at an existing post, page or static file (post URLs follow `permalink` in site.toml)";
    match source.and_then(|p| std::fs::read_to_string(root.join(p)).ok().map(|t| (p, t))) {
        Some((path, text)) => {
            let d = Diagnostic::error(path, format!("broken internal link `{link}`")).with_help(help);
            match text.find(link) {
                Some(offset) => d.at(&text, Location::at_offset(&text, offset, link.len())),
                None => d,
            }
        }
        None => Diagnostic::error(
            format!("public/{page}"),
            format!("broken internal link `{link}` (made by a template)"),
        )
        .with_help(help),
    }
}

/// The values of `href` and `src` attributes, with `&amp;` decoded.
fn links(html: &str) -> impl Iterator<Item = &str> {
    ["href=\"", "src=\""].into_iter().flat_map(move |attr| {
        html.match_indices(attr).filter_map(move |(i, _)| {
            let rest = &html[i + attr.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
    })
}

/// The output file a link needs, or `None` for a link that leaves the site.
fn internal_target(link: &str, base_path: &str, absolute_root: &str) -> Option<String> {
    let path = if let Some(rest) = link.strip_prefix(absolute_root) {
        format!("/{rest}")
    } else if link.starts_with('/') && !link.starts_with("//") {
        format!("/{}", link.strip_prefix(base_path)?)
    } else {
        return None;
    };
    let path = path.split(['#', '?']).next().unwrap_or("/");
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy().replace("&amp;", "&");
    Some(output_path(&decoded))
}

fn target_exists(target: &str, files: &HashSet<&str>) -> bool {
    files.contains(target) || files.contains(format!("{target}/index.html").as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_links_into_the_site_are_checked() {
        let root = "https://x.org/";
        assert_eq!(internal_target("/posts/a/#c", "/", root).as_deref(), Some("posts/a/index.html"));
        assert_eq!(internal_target("https://x.org/style.css", "/", root).as_deref(), Some("style.css"));
        assert_eq!(internal_target("https://other.org/", "/", root), None);
        assert_eq!(internal_target("//cdn.org/x", "/", root), None);
        assert_eq!(internal_target("#top", "/", root), None);
        assert_eq!(internal_target("/blog/a/", "/blog/", root).as_deref(), Some("a/index.html"));
    }

    #[test]
    fn finds_hrefs_and_srcs() {
        let found: Vec<&str> = links("<a href=\"/a/\">x</a><img src=\"/i.png\">").collect();
        assert_eq!(found, ["/a/", "/i.png"]);
    }
}
