//! Old URLs keep working. Each imported post and page had an address on
//! the old blog (WordPress's `<link>` and `?p=` guid, Blogger's
//! `alternate` link). When one permalink pattern gives every post its old
//! path, a new site takes that pattern; every other old path becomes an
//! alias (the build writes a redirect page there, and a `_redirects`
//! line). Links between imported posts are rewritten to the new URLs.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::{ImportReport, Staging};
use crate::model::permalink;
use crate::parse::PostDate;

/// The patterns tried for a new site, most specific first: WordPress's
/// usual ones, then parlor's default.
const PATTERNS: &[&str] =
    &["/:year/:month/:day/:slug/", "/:year/:month/:slug/", "/:year/:slug/", "/:slug/", "/posts/:slug/"];

/// One imported post or page and where it was.
#[derive(Debug, Clone)]
pub(super) struct OldItem {
    /// The staged file (`content/posts/slug.md`).
    pub(super) file: PathBuf,
    pub(super) page: bool,
    pub(super) slug: String,
    pub(super) date: Option<String>,
    /// Its address on the old blog, absolute.
    pub(super) link: String,
    /// A second old address (WordPress's `https://old/?p=123`).
    pub(super) guid: Option<String>,
    pub(super) draft: bool,
}

/// What the import learned of the old addresses.
#[derive(Debug, Default)]
pub(super) struct OldUrls {
    items: Vec<OldItem>,
    /// Each attachment's page on the old blog (its `<link>`), its id and
    /// its file's address.
    attachments: Vec<(String, u64, String)>,
}

/// The decision: the permalink for a new site, and each old address's new
/// path.
struct Moves {
    /// Old path (with its query, if any) -> new path.
    to_new: HashMap<String, String>,
    aliases: Vec<(PathBuf, Vec<String>)>,
}

impl OldUrls {
    pub(super) fn add(&mut self, item: OldItem) {
        self.items.push(item);
    }

    /// An attachment: a link to its page (`link`, or `?attachment_id=id`)
    /// is made a link to its file.
    pub(super) fn add_attachment(&mut self, link: &str, id: u64, file: &str) {
        self.attachments.push((link.to_string(), id, file.to_string()));
    }

    /// The permalink pattern under which every published post keeps its
    /// old path, if one does.
    pub(super) fn pattern(&self, site_link: &str) -> Option<&'static str> {
        let posts: Vec<(&OldItem, String, PostDate)> = self
            .items
            .iter()
            .filter(|i| !i.page && !i.draft)
            .filter_map(|i| {
                Some((i, old_path(site_link, &i.link)?, PostDate::parse(i.date.as_deref()?).ok()?))
            })
            .collect();
        if posts.is_empty() {
            return None;
        }
        PATTERNS.iter().copied().find(|pattern| {
            posts.iter().all(|(i, old, date)| permalink::url_for(pattern, &i.slug, date, None, None) == *old)
        })
    }

    /// Writes each item's old paths as its `aliases` (those its new URL
    /// under `pattern` does not keep), and rewrites links to old addresses
    /// in every staged post and page.
    pub(super) fn apply(
        &self,
        site_link: &str,
        pattern: &str,
        staging: &mut Staging,
        report: &mut ImportReport,
    ) -> Result<()> {
        let moves = self.moves(site_link, pattern);
        for (file, aliases) in &moves.aliases {
            staging.edit(file, |text| with_aliases(&text, aliases))?;
            report.aliases += aliases.len();
        }
        let to_file = self.attachment_files(site_link);
        for item in &self.items {
            let (mut rewritten, mut to_files) = (0, 0);
            staging.edit(&item.file, |text| {
                let (text, n) = rewrite_links(&text, site_link, &moves.to_new);
                rewritten = n;
                if to_file.is_empty() {
                    return text;
                }
                let (text, n) = rewrite_links(&text, site_link, &to_file);
                to_files = n;
                text
            })?;
            report.links_rewritten += rewritten;
            report.attachment_links += to_files;
        }
        Ok(())
    }

    /// Each attachment page's old path, and `/?attachment_id=N`, to the
    /// attachment's file.
    fn attachment_files(&self, site_link: &str) -> HashMap<String, String> {
        let mut to_file = HashMap::new();
        for (link, id, file) in &self.attachments {
            if !(file.starts_with("https://") || file.starts_with("http://")) {
                continue;
            }
            // Fit for a Markdown link, and no shortcode opener in it.
            let file =
                super::html::markdown_safe_address(file).unwrap_or_else(|| file.clone()).replace('{', "%7B");
            if let Some(old) = old_path(site_link, link).filter(|o| o != "/") {
                to_file.insert(old, file.clone());
            }
            to_file.insert(format!("/?attachment_id={id}"), file);
        }
        to_file
    }

    fn moves(&self, site_link: &str, pattern: &str) -> Moves {
        let mut to_new = HashMap::new();
        let mut aliases = Vec::new();
        for item in &self.items {
            let Some(new) = self.new_url(item, pattern) else { continue };
            let mut olds: Vec<String> = Vec::new();
            for link in std::iter::once(&item.link).chain(item.guid.as_ref()) {
                if let Some(old) = old_path(site_link, link) {
                    to_new.insert(old.clone(), new.clone());
                    if old != new && !olds.contains(&old) && is_alias(&old) {
                        olds.push(old);
                    }
                }
            }
            if !olds.is_empty() {
                aliases.push((item.file.clone(), olds));
            }
        }
        Moves { to_new, aliases }
    }

    fn new_url(&self, item: &OldItem, pattern: &str) -> Option<String> {
        if item.page {
            return Some(permalink::page_url(&item.slug));
        }
        let date = PostDate::parse(item.date.as_deref()?).ok()?;
        Some(permalink::url_for(pattern, &item.slug, &date, None, None))
    }
}

/// An old address as a path on the site (with its query), when it is on
/// the old blog's host and below its folder.
fn old_path(site_link: &str, link: &str) -> Option<String> {
    let site = url::Url::parse(site_link).ok()?;
    let url = url::Url::parse(link.trim()).ok()?;
    let same_host = |h: &str| {
        h.trim_start_matches("www.")
            .eq_ignore_ascii_case(site.host_str()?.trim_start_matches("www."))
            .then_some(())
    };
    same_host(url.host_str()?)?;
    let base = site.path().trim_end_matches('/');
    let path = url.path().strip_prefix(base)?;
    let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    Some(match url.query() {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path,
    })
}

/// Whether an old path can be an alias: a real path, not the site's root
/// alone (a guid like `/?p=12` is, with its query).
fn is_alias(old: &str) -> bool {
    old != "/" && old.len() <= 1000 && !old.contains("..") && !old.contains('#')
}

/// `text` (a staged post) with `aliases` in its front matter.
fn with_aliases(text: &str, aliases: &[String]) -> String {
    let Some(rest) = text.strip_prefix("---\n") else { return text.to_string() };
    let Some(end) = rest.find("\n---\n") else { return text.to_string() };
    #[derive(serde::Serialize)]
    struct Aliases<'a> {
        aliases: &'a [String],
    }
    let yaml = serde_norway::to_string(&Aliases { aliases }).unwrap_or_default();
    format!("---\n{}\n{yaml}---\n{}", &rest[..end], &rest[end + 5..])
}

/// Markdown link targets (`](target)`) that point at an old address, made
/// the new path: the text and how many were rewritten.
fn rewrite_links(text: &str, site_link: &str, to_new: &HashMap<String, String>) -> (String, usize) {
    static LINK: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\]\((<?)([^()\s<>]+)(>?)").expect("a valid regex"));
    let mut count = 0;
    let out = LINK.replace_all(text, |c: &regex::Captures| {
        let target = &c[2];
        let (target_path, fragment) = match target.split_once('#') {
            Some((p, f)) => (p, format!("#{f}")),
            None => (target, String::new()),
        };
        let old = if target_path.starts_with('/') && !target_path.starts_with("//") {
            Some(target_path.to_string())
        } else {
            old_path(site_link, target_path)
        };
        let normal = |p: &str| {
            if p.contains('?') || p.ends_with('/') || p.contains('.') {
                p.to_string()
            } else {
                format!("{p}/")
            }
        };
        // `?attachment_id=N` names an attachment on any page of the blog.
        let attachment = |o: &str| {
            let (_, query) = o.split_once('?')?;
            let id = query.split('&').find_map(|p| p.strip_prefix("attachment_id="))?;
            to_new.get(&format!("/?attachment_id={id}"))
        };
        match old.and_then(|o| to_new.get(&o).or_else(|| to_new.get(&normal(&o))).or_else(|| attachment(&o)))
        {
            Some(new) => {
                count += 1;
                format!("]({}{new}{fragment}{}", &c[1], &c[3])
            }
            None => c[0].to_string(),
        }
    });
    (out.into_owned(), count)
}

impl Staging {
    /// Changes a staged file with `change`.
    pub(super) fn edit(
        &mut self,
        relative: &std::path::Path,
        change: impl FnOnce(String) -> String,
    ) -> Result<()> {
        let path = self.dir.path().join(relative);
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        std::fs::write(&path, change(text)).with_context(|| format!("cannot write `{}`", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "https://old.example.org/";

    fn item(slug: &str, date: &str, link: &str) -> OldItem {
        OldItem {
            file: format!("content/posts/{slug}.md").into(),
            page: false,
            slug: slug.into(),
            date: Some(date.into()),
            link: link.into(),
            guid: Some(format!("{SITE}?p={}", slug.len())),
            draft: false,
        }
    }

    #[test]
    fn the_pattern_that_keeps_every_old_path_is_found() {
        let mut urls = OldUrls::default();
        urls.add(item("refunds", "2019-03-04T23:30:00-08:00", "https://old.example.org/2019/03/04/refunds/"));
        urls.add(item("queues", "2020-01-02T10:00:00Z", "https://www.old.example.org/2020/01/02/queues/"));
        assert_eq!(urls.pattern(SITE), Some("/:year/:month/:day/:slug/"));
        urls.add(item("odd", "2020-01-02T10:00:00Z", "https://old.example.org/archives/odd.html"));
        assert_eq!(urls.pattern(SITE), None);
    }

    #[test]
    fn old_paths_are_on_the_old_host_and_below_its_folder() {
        assert_eq!(
            old_path("https://x.org/blog/", "https://x.org/blog/2019/a/").as_deref(),
            Some("/2019/a/")
        );
        assert_eq!(old_path("https://x.org/", "https://x.org/?p=12").as_deref(), Some("/?p=12"));
        assert_eq!(old_path("https://x.org/", "https://elsewhere.org/a/"), None);
        assert_eq!(old_path("https://x.org/blog/", "https://x.org/other/a/"), None);
    }

    #[test]
    fn aliases_join_the_front_matter_and_links_move() {
        let text = "---\ntitle: A\ndraft: true\n---\nBody.\n";
        assert_eq!(
            with_aliases(text, &["/2019/03/a/".into(), "/?p=3".into()]),
            "---\ntitle: A\ndraft: true\naliases:\n- /2019/03/a/\n- /?p=3\n---\nBody.\n"
        );
        let to_new: HashMap<String, String> =
            [("/2019/03/a/".to_string(), "/posts/a/".to_string()), ("/?p=3".into(), "/posts/a/".into())]
                .into();
        let (out, n) = rewrite_links(
            "See [a](https://old.example.org/2019/03/a/#top), [b](/?p=3), [c](/2019/03/a) and [d](https://else.org/2019/03/a/).",
            SITE,
            &to_new,
        );
        assert_eq!(
            out,
            "See [a](/posts/a/#top), [b](/posts/a/), [c](/posts/a/) and [d](https://else.org/2019/03/a/)."
        );
        assert_eq!(n, 3);
    }
}
