//! Blogger's Atom export, read as a stream twice: once for the posts' and
//! pages' ids and slugs (comments may come before their post), once to
//! write. Element
//! names are taken without their prefix: exports use `ns0:` or none.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::xml::{Node, XmlStream};
use super::{CommentOut, ImportError, ImportReport, PostOut, SiteInfo, SlugFor, Staging, html};
use crate::parse::comment::Status;

#[derive(Default)]
struct Entry {
    fields: HashMap<String, String>,
    kind: String,
    labels: Vec<String>,
    alternate: Option<String>,
    related: Option<String>,
    in_reply_to: Option<String>,
    draft: bool,
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Reads every entry (and the feed's own title and link), calling `each`.
fn entries(
    path: &Path,
    mut each: impl FnMut(Entry) -> Result<(), ImportError>,
) -> Result<SiteInfo, ImportError> {
    let mut xml = XmlStream::open(path)?;
    let mut site = SiteInfo::default();
    let mut depth = 0usize;
    let mut text = String::new();
    let mut entry: Option<Entry> = None;
    let mut in_author = false;
    while let Some(node) = xml.next() {
        let node = node?;
        match node {
            Node::Start { name, attrs } => {
                depth += 1;
                text.clear();
                let attr = |k: &str| attrs.iter().find(|(n, _)| local(n) == k).map(|(_, v)| v.clone());
                match local(&name) {
                    "entry" => entry = Some(Entry::default()),
                    "author" => in_author = true,
                    "category" => {
                        let (scheme, term) =
                            (attr("scheme").unwrap_or_default(), attr("term").unwrap_or_default());
                        if let Some(e) = entry.as_mut() {
                            if scheme.ends_with("#kind") {
                                e.kind = term.rsplit('#').next().unwrap_or("").to_string();
                            } else if !term.trim().is_empty() {
                                e.labels.push(term.trim().to_string());
                            }
                        }
                    }
                    "link" => {
                        let (rel, href) = (attr("rel").unwrap_or_default(), attr("href").unwrap_or_default());
                        match (entry.as_mut(), rel.as_str()) {
                            (Some(e), "alternate") => e.alternate = Some(href),
                            (Some(e), "related") => e.related = Some(href),
                            (None, "alternate") if depth == 2 => site.link = href,
                            _ => {}
                        }
                    }
                    "in-reply-to" => {
                        if let Some(e) = entry.as_mut() {
                            e.in_reply_to = attr("ref");
                        }
                    }
                    _ => {}
                }
            }
            Node::Text(t) => text.push_str(&t),
            Node::End { name } => {
                depth = depth.saturating_sub(1);
                let value = std::mem::take(&mut text);
                let name = local(&name).to_string();
                match (entry.as_mut(), name.as_str()) {
                    (Some(_), "entry") => {
                        if let Some(done) = entry.take() {
                            each(done)?;
                        }
                    }
                    (_, "author") => in_author = false,
                    (Some(e), "draft") => e.draft = value.trim() == "yes",
                    (Some(e), field) => {
                        let key = if in_author { format!("author.{field}") } else { field.to_string() };
                        e.fields.insert(key, value);
                    }
                    (None, "title") if depth == 1 => site.title = value,
                    (None, "subtitle") if depth == 1 => site.description = value,
                    _ => {}
                }
            }
        }
    }
    Ok(site)
}

/// The number a Blogger id ends with (`...post-7890` -> `7890`), or the id.
fn short_id(id: &str) -> String {
    let last = id.rsplit(['.', '/', '-']).next().unwrap_or(id);
    if !last.is_empty() && last.chars().all(|c| c.is_ascii_digit()) {
        last.to_string()
    } else {
        crate::slugs::slugify(id)
    }
}

pub(super) fn import(
    path: &Path,
    skip_private: bool,
    staging: &mut Staging,
    report: &mut ImportReport,
) -> Result<SiteInfo, ImportError> {
    // Pass 1: the slug of every post and page, by id; posts first, then
    // pages (a page with comments takes a slug no post has).
    let mut bases: Vec<(bool, String, String)> = Vec::new();
    let mut commented: std::collections::HashSet<String> = std::collections::HashSet::new();
    entries(path, |e| {
        if e.kind == "comment"
            && let Some(parent) = &e.in_reply_to
        {
            commented.insert(parent.trim().to_string());
        }
        if e.kind == "post" || e.kind == "page" {
            let id = e.fields.get("id").cloned().unwrap_or_default();
            let from_link = e
                .alternate
                .as_deref()
                .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
                .map(|s| crate::slugs::slugify(s.trim_end_matches(".html")));
            let title = e.fields.get("title").map(crate::slugs::slugify).unwrap_or_default();
            let base = from_link
                .filter(|s| !s.is_empty())
                .or(Some(title).filter(|s| !s.is_empty()))
                .unwrap_or_else(|| format!("{}-{}", e.kind, short_id(&id)));
            if skip_private && let Some(why) = withheld(&e) {
                let dir = if e.kind == "page" { "content/pages" } else { "content/posts" };
                report.withhold(format!("{dir}/{base}.md"), why, true);
                return Ok(());
            }
            bases.push((e.kind == "page", id, base));
        }
        Ok(())
    })?;
    bases.sort_by_key(|(page, _, _)| *page);
    let mut slugs: HashMap<String, String> = HashMap::new();
    for (page, id, base) in bases {
        let what = match (page, commented.contains(&id)) {
            (false, _) => SlugFor::Post,
            (true, false) => SlugFor::Page,
            (true, true) => SlugFor::CommentedPage,
        };
        slugs.insert(id, staging.claim(&base, what));
    }
    // Pass 2: write.
    entries(path, |e| match e.kind.as_str() {
        "post" | "page" => write_post(&e, &slugs, staging, report),
        "comment" => write_comment(&e, &slugs, staging, report),
        "settings" | "template" => {
            report.skip(format!("Blogger `{}` entries", e.kind));
            Ok(())
        }
        other => {
            report.skip(format!("entries of kind `{}`", if other.is_empty() { "unknown" } else { other }));
            Ok(())
        }
    })
}

/// RFC 3339 with the offset the date was written with (Blogger gives the
/// blog's: `2021-02-01T07:12:00.000-08:00` stays 07:12 -08:00).
fn rfc3339(raw: &str) -> Option<String> {
    crate::parse::PostDate::parse(raw.trim()).ok().map(|d| d.rfc3339())
}

/// Why a Blogger entry was not public: a draft (`<app:draft>`, or the
/// newer `<blogger:status>`), scheduled, or in the bin.
fn withheld(e: &Entry) -> Option<&'static str> {
    match e.fields.get("status").map(|s| s.trim()) {
        Some("DRAFT") => Some("a draft"),
        Some("SCHEDULED") => Some("scheduled"),
        Some("SOFT_TRASHED" | "TRASHED") => Some("in the bin"),
        _ if e.draft => Some("a draft"),
        _ => None,
    }
}

fn write_post(
    e: &Entry,
    slugs: &HashMap<String, String>,
    staging: &mut Staging,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let get = |k: &str| e.fields.get(k).map(|s| s.trim()).unwrap_or("");
    let Some(slug) = slugs.get(get("id")) else { return Ok(()) };
    let page = e.kind == "page";
    let dir = if page { "content/pages" } else { "content/posts" };
    // (Left out with `--skip-private`, it has no slug and never gets here.)
    let withheld = withheld(e);
    if let Some(why) = withheld {
        report.withhold(format!("{dir}/{slug}.md"), why, false);
    }
    let date = rfc3339(get("published")).or_else(|| rfc3339(get("updated")));
    if date.is_none() {
        report.skip(format!("dates missing (imported as drafts dated 1970-01-01; give them a date): {slug}"));
    }
    let name = if page { "" } else { get("author.name") };
    let author = (!name.is_empty()).then(|| {
        let id = crate::slugs::slugify(name);
        report.authors.entry(id.clone()).or_insert_with(|| name.to_string());
        id
    });
    let out = PostOut {
        title: get("title").to_string(),
        date,
        author,
        category: None,
        tags: e.labels.clone(),
        summary: None,
        draft: withheld.is_some(),
        withheld,
        // Posts open, pages closed (showing the comments they have).
        comments: None,
        markdown: {
            // Blogger has no galleries of attachments: a `[gallery]` pasted in is
            // named as not imported.
            let converted = html::post_to_markdown(get("content"));
            let (markdown, missing) =
                html::resolve_galleries(&converted.markdown, &converted.galleries, |_| None);
            if missing > 0 {
                report.skip("galleries whose images are not in the export");
            }
            markdown
        },
    };
    let file = PathBuf::from(dir).join(format!("{slug}.md"));
    staging.write(file.clone(), &out.file_text(page))?;
    staging.old_urls.add(super::old_urls::OldItem {
        file,
        page,
        slug: slug.clone(),
        date: out.date.clone(),
        link: e.alternate.clone().unwrap_or_default(),
        guid: None,
        draft: out.draft,
    });
    let is_draft = out.draft || out.date.is_none();
    if page {
        report.pages += 1;
        report.page_drafts += usize::from(is_draft);
        return Ok(());
    }
    report.posts += 1;
    report.drafts += usize::from(is_draft);
    report.tags.extend(e.labels.iter().cloned());
    Ok(())
}

fn write_comment(
    e: &Entry,
    slugs: &HashMap<String, String>,
    staging: &mut Staging,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let get = |k: &str| e.fields.get(k).map(|s| s.trim()).unwrap_or("");
    let Some(post) = e.in_reply_to.as_deref().and_then(|r| slugs.get(r.trim())) else {
        report.skip("comments whose post is not in the export, or was left out");
        return Ok(());
    };
    let Some(date) = rfc3339(get("published")) else {
        report.skip("comments without a date");
        return Ok(());
    };
    let uri = get("author.uri");
    let email = get("author.email");
    // Blogger's stand-in address for anonymous commenters is no email.
    let email = (!email.is_empty() && !email.starts_with("noreply@")).then(|| email.to_string());
    let out = CommentOut {
        id: format!("bl-{}", short_id(get("id"))),
        author: get("author.name").to_string(),
        email,
        website: (uri.starts_with("http://") || uri.starts_with("https://")).then(|| uri.to_string()),
        date,
        // A reply links to its parent comment's feed entry.
        reply_to: e.related.as_deref().map(|r| format!("bl-{}", short_id(r.trim_end_matches('/')))),
        status: Status::Approved,
        markdown: html::comment_to_markdown(get("content")),
    };
    staging.write(
        PathBuf::from(crate::load::COMMENTS_DIR).join(post).join(format!("{}.md", out.id)),
        &out.file_text(),
    )?;
    *report.comments.entry(Status::Approved.as_str()).or_default() += 1;
    Ok(())
}
