//! WordPress eXtended RSS (WXR 1.0 to 1.2), read as a stream: each `<item>`
//! becomes a post or page (with its comments) as soon as it ends.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::xml::{Node, XmlStream};
use super::{CommentOut, ImportError, ImportReport, PostOut, SiteInfo, SlugFor, Staging, html};
use crate::parse::comment::Status;

/// An attachment of the export (`wp:post_type` `attachment`): what a
/// gallery and a link to its page need.
#[derive(Debug, Clone, Default)]
struct Attachment {
    url: String,
    parent: u64,
    order: i64,
    alt: String,
    caption: String,
    title: String,
}

/// What is resolved once the whole export has been read: attachments may
/// come after the posts that show them.
#[derive(Default)]
struct Media {
    attachments: HashMap<u64, Attachment>,
    /// Each staged file with galleries to resolve: (file, post id, galleries).
    pending: Vec<(PathBuf, u64, Vec<html::GalleryRef>)>,
}

impl Media {
    /// A gallery's call: its images in order, each with its alt text (or
    /// caption, or title); `None` when the export holds none of them.
    fn gallery(&self, post: u64, gallery: &html::GalleryRef) -> Option<String> {
        let chosen: Vec<&Attachment> = match gallery {
            html::GalleryRef::Ids(ids) => ids.iter().filter_map(|id| self.attachments.get(id)).collect(),
            html::GalleryRef::Attached => {
                let mut attached: Vec<(&u64, &Attachment)> =
                    self.attachments.iter().filter(|(_, a)| a.parent == post && post != 0).collect();
                attached.sort_by_key(|(id, a)| (a.order, **id));
                attached.into_iter().map(|(_, a)| a).collect()
            }
        };
        let images: Vec<&Attachment> = chosen.into_iter().filter(|a| is_image(&a.url)).collect();
        if images.is_empty() {
            return None;
        }
        let srcs: Vec<String> = images.iter().map(|a| a.url.clone()).collect();
        let alts: Vec<String> = images
            .iter()
            .map(|a| {
                [&a.alt, &a.caption, &a.title]
                    .into_iter()
                    .find(|t| !t.trim().is_empty())
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|t| html::plain_text(&t))
            .collect();
        Some(html::gallery_call(&srcs, &alts))
    }
}

/// Whether an attachment's address is an image a gallery shows.
fn is_image(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or("").to_ascii_lowercase();
    let web = path.starts_with("https://") || path.starts_with("http://") || path.starts_with("//");
    web && [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"].iter().any(|e| path.ends_with(e))
}

#[derive(Default)]
struct Item {
    fields: HashMap<String, String>,
    /// (domain, nicename, name) of each `<category>`.
    categories: Vec<(String, String)>,
    comments: Vec<HashMap<String, String>>,
}

pub(super) fn import(
    path: &Path,
    skip_private: bool,
    staging: &mut Staging,
    report: &mut ImportReport,
) -> Result<SiteInfo, ImportError> {
    let mut xml = XmlStream::open(path)?;
    let mut site = SiteInfo::default();
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut item: Option<Item> = None;
    let mut comment: Option<HashMap<String, String>> = None;
    let mut category_domain = String::new();
    let mut author: HashMap<String, String> = HashMap::new();
    let mut display_names: HashMap<String, String> = HashMap::new();
    let mut media = Media::default();
    while let Some(node) = xml.next() {
        let node = node?;
        match node {
            Node::Start { name, attrs } => {
                text.clear();
                match name.as_str() {
                    "item" => item = Some(Item::default()),
                    "wp:comment" if item.is_some() => comment = Some(HashMap::new()),
                    "wp:author" => author.clear(),
                    "category" => {
                        category_domain = attrs
                            .iter()
                            .find(|(k, _)| k == "domain")
                            .map(|(_, v)| v.clone())
                            .unwrap_or_else(|| "category".into());
                    }
                    _ => {}
                }
                stack.push(name);
            }
            Node::Text(t) => text.push_str(&t),
            Node::End { name } => {
                stack.pop();
                let value = std::mem::take(&mut text);
                if let Some(c) = comment.as_mut() {
                    if name == "wp:comment" {
                        if let (Some(i), Some(c)) = (item.as_mut(), comment.take()) {
                            i.comments.push(c);
                        }
                    } else {
                        c.insert(name, value);
                    }
                } else if let Some(i) = item.as_mut() {
                    match name.as_str() {
                        "item" => {
                            if let Some(done) = item.take() {
                                write_item(done, &display_names, skip_private, &mut media, staging, report)?;
                            }
                        }
                        "category" => i
                            .categories
                            .push((std::mem::take(&mut category_domain), value.trim().to_string())),
                        // An image's alt text is one of its `wp:postmeta`.
                        "wp:meta_value"
                            if i.fields.get("wp:meta_key").map(|k| k.trim())
                                == Some("_wp_attachment_image_alt") =>
                        {
                            i.fields.insert("parlor:alt".into(), value);
                        }
                        _ => {
                            i.fields.insert(name, value);
                        }
                    }
                } else if stack.last().map(String::as_str) == Some("wp:author") || name == "wp:author" {
                    if name == "wp:author" {
                        if let Some(login) = author.get("wp:author_login") {
                            let display = author
                                .get("wp:author_display_name")
                                .filter(|d| !d.trim().is_empty())
                                .unwrap_or(login);
                            display_names.insert(login.trim().to_string(), display.trim().to_string());
                        }
                    } else {
                        author.insert(name, value);
                    }
                } else if stack.len() == 2 && stack[1] == "channel" {
                    match name.as_str() {
                        "title" => site.title = value,
                        "link" => site.link = value,
                        "description" => site.description = value,
                        "language" => site.language = value,
                        _ => {}
                    }
                }
            }
        }
    }
    resolve_galleries(&media, staging, report)?;
    Ok(site)
}

/// Each gallery made from the attachments, now that all are known.
fn resolve_galleries(
    media: &Media,
    staging: &mut Staging,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    for (file, post, galleries) in &media.pending {
        let mut missing = 0;
        staging.edit(file, |text| {
            let (text, n) = html::resolve_galleries(&text, galleries, |g| media.gallery(*post, g));
            missing = n;
            text
        })?;
        for _ in 0..missing {
            report.skip("galleries whose images are not in the export");
        }
    }
    Ok(())
}

/// The item's date as RFC 3339, with the blog's offset at the time when
/// the export gives both the local and the GMT date (`post_date`,
/// `post_date_gmt`): a post written at 07:12 in Lisbon still says 07:12.
/// Else the first good date of `keys`, in UTC.
fn date(fields: &HashMap<String, String>, keys: &[&str]) -> Option<String> {
    let civil = |key: &str| {
        let raw = fields.get(key)?.trim();
        jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", raw).ok()
    };
    if let (Some(local), Some(gmt)) = (civil("wp:post_date"), civil("wp:post_date_gmt"))
        && let Some(with_offset) = local_with_offset(local, gmt)
    {
        return Some(with_offset);
    }
    for key in keys {
        let Some(raw) = fields.get(*key).map(|s| s.trim()) else { continue };
        if raw.is_empty() || raw.starts_with("0000") {
            continue;
        }
        if let Ok(d) = crate::parse::PostDate::parse(raw) {
            return Some(d.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
        if let Ok(z) = jiff::fmt::rfc2822::parse(raw) {
            return Some(z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string());
        }
    }
    None
}

/// `local` with the offset that makes it `gmt`, when that is a real one
/// (whole minutes, within ±14 hours).
fn local_with_offset(local: jiff::civil::DateTime, gmt: jiff::civil::DateTime) -> Option<String> {
    let seconds = local.duration_since(gmt).as_secs();
    if seconds % 60 != 0 || seconds.abs() > 14 * 3600 || gmt.year() < 1000 {
        return None;
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    Some(format!("{}{sign}{:02}:{:02}", local.strftime("%Y-%m-%dT%H:%M:%S"), minutes / 60, minutes % 60))
}

fn write_item(
    item: Item,
    display_names: &HashMap<String, String>,
    skip_private: bool,
    media: &mut Media,
    staging: &mut Staging,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let f = &item.fields;
    let get = |k: &str| f.get(k).map(|s| s.trim()).unwrap_or("");
    let kind = match get("wp:post_type") {
        "" | "post" => "post",
        "page" => "page",
        "attachment" => {
            let id = get("wp:post_id").parse().unwrap_or(0);
            let url = get("wp:attachment_url").to_string();
            if id != 0 && !url.is_empty() {
                // A link to the attachment's page leads to the file itself.
                staging.old_urls.add_attachment(get("link"), id, &url);
                media.attachments.insert(
                    id,
                    Attachment {
                        url,
                        parent: get("wp:post_parent").parse().unwrap_or(0),
                        order: get("wp:menu_order").parse().unwrap_or(0),
                        alt: get("parlor:alt").to_string(),
                        caption: get("excerpt:encoded").to_string(),
                        title: get("title").to_string(),
                    },
                );
            }
            report.skip("`attachment` items (attachments, menus and the like)");
            return Ok(());
        }
        other => {
            report.skip(format!("`{other}` items (attachments, menus and the like)"));
            return Ok(());
        }
    };
    let withheld = match get("wp:status") {
        "" | "publish" if get("wp:post_password").is_empty() => None,
        "" | "publish" => Some("password-protected"),
        "private" => Some("private"),
        "draft" | "pending" | "auto-draft" => Some("a draft"),
        "future" => Some("scheduled"),
        other => {
            report.skip(format!("items with status `{other}`"));
            return Ok(());
        }
    };
    let title = get("title").to_string();
    // WordPress keeps a non-Latin slug percent-encoded (`%ce%b5%cf%80…`):
    // decoded, it is slugified as the site slugifies titles.
    let post_name =
        percent_encoding::percent_decode_str(get("wp:post_name")).decode_utf8_lossy().into_owned();
    let base = [post_name.as_str(), title.as_str()]
        .iter()
        .map(crate::slugs::slugify)
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| {
            format!("{kind}-{}", crate::slugs::slugify(get("wp:post_id")).if_empty("untitled"))
        });
    let page = kind == "page";
    let status = get("wp:comment_status");
    let slug_for = match (page, status == "open" || !item.comments.is_empty()) {
        (false, _) => SlugFor::Post,
        (true, false) => SlugFor::Page,
        (true, true) => SlugFor::CommentedPage,
    };
    let slug = staging.claim(&base, slug_for);
    let dir = if page { "content/pages" } else { "content/posts" };
    if let Some(why) = withheld
        && !report.withhold(format!("{dir}/{slug}.md"), why, skip_private)
    {
        return Ok(());
    }
    let draft = withheld.is_some();
    let date = date(f, &["wp:post_date_gmt", "wp:post_date", "pubDate"]);
    if date.is_none() {
        report.skip(format!("dates missing (imported as drafts dated 1970-01-01; give them a date): {slug}"));
    }
    // WXR 1.0 lists each category twice (bare, and with its domain):
    // every name counts once, the first category is the category.
    let mut category: Option<String> = None;
    let mut tags: Vec<String> = Vec::new();
    for (domain, name) in &item.categories {
        if name.is_empty() || category.as_ref() == Some(name) || tags.contains(name) {
            continue;
        }
        match domain.as_str() {
            "category" if category.is_none() => category = Some(name.clone()),
            "category" | "post_tag" => tags.push(name.clone()),
            _ => {}
        }
    }
    let login = get("dc:creator");
    let author = (!login.is_empty()).then(|| {
        let id = crate::slugs::slugify(login);
        let name = display_names.get(login).cloned().unwrap_or_else(|| login.to_string());
        report.authors.entry(id.clone()).or_insert(name);
        id
    });
    let excerpt = get("excerpt:encoded");
    let converted = html::post_to_markdown(f.get("content:encoded").map(String::as_str).unwrap_or(""));
    let out = PostOut {
        title,
        date,
        author: author.filter(|_| !page),
        category: category.clone(),
        tags: tags.clone(),
        summary: (!excerpt.is_empty()).then(|| html::comment_to_markdown(excerpt).trim().to_string()),
        draft,
        withheld,
        // Pages are closed unless open in WordPress, posts open unless closed.
        comments: match (page, status) {
            (true, "open") => Some("open"),
            (false, "closed") => Some("closed"),
            _ => None,
        },
        markdown: converted.markdown,
    };
    let file = PathBuf::from(dir).join(format!("{slug}.md"));
    staging.write(file.clone(), &out.file_text(page))?;
    if !converted.galleries.is_empty() {
        media.pending.push((file.clone(), get("wp:post_id").parse().unwrap_or(0), converted.galleries));
    }
    for widget in converted.widgets {
        report.not_imported(file.display().to_string(), widget);
    }
    // `?p=123` (posts) and `?page_id=45` (pages) addresses work on every
    // WordPress blog, whatever its permalinks: the guid holds one.
    let guid = Some(get("guid").to_string()).filter(|g| g.contains("?p=") || g.contains("?page_id="));
    staging.old_urls.add(super::old_urls::OldItem {
        file,
        page,
        slug: slug.clone(),
        date: out.date.clone(),
        link: get("link").to_string(),
        guid,
        draft: out.draft,
    });
    let is_draft = draft || out.date.is_none();
    if page {
        report.pages += 1;
        report.page_drafts += usize::from(is_draft);
    } else {
        report.posts += 1;
        report.drafts += usize::from(is_draft);
        report.categories.extend(category);
        report.tags.extend(tags);
    }
    for c in &item.comments {
        write_comment(c, &slug, staging, report)?;
    }
    Ok(())
}

fn write_comment(
    c: &HashMap<String, String>,
    post: &str,
    staging: &mut Staging,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let get = |k: &str| c.get(k).map(|s| s.trim()).unwrap_or("");
    match get("wp:comment_type") {
        "pingback" | "trackback" => {
            report.skip("pingbacks and trackbacks");
            return Ok(());
        }
        _ => {}
    }
    let status = match get("wp:comment_approved") {
        "1" | "approve" | "approved" => Status::Approved,
        "0" | "hold" | "" => Status::Pending,
        "spam" => Status::Spam,
        "trash" | "post-trashed" => Status::Rejected,
        other => {
            report.skip(format!("comments with status `{other}`"));
            return Ok(());
        }
    };
    let Some(date) = date(c, &["wp:comment_date_gmt", "wp:comment_date"]) else {
        report.skip("comments without a date");
        return Ok(());
    };
    let id = format!("wp-{}", crate::slugs::slugify(get("wp:comment_id")).if_empty("x"));
    let parent = get("wp:comment_parent");
    let website = get("wp:comment_author_url");
    let email = get("wp:comment_author_email");
    let out = CommentOut {
        id: id.clone(),
        author: get("wp:comment_author").to_string(),
        email: (!email.is_empty()).then(|| email.to_string()),
        website: (website.starts_with("http://") || website.starts_with("https://"))
            .then(|| website.to_string()),
        date,
        reply_to: (!parent.is_empty() && parent != "0")
            .then(|| format!("wp-{}", crate::slugs::slugify(parent))),
        status,
        markdown: html::comment_to_markdown(c.get("wp:comment_content").map(String::as_str).unwrap_or("")),
    };
    staging.write(
        PathBuf::from(crate::load::COMMENTS_DIR).join(post).join(format!("{id}.md")),
        &out.file_text(),
    )?;
    *report.comments.entry(status.as_str()).or_default() += 1;
    Ok(())
}

trait IfEmpty {
    fn if_empty(self, fallback: &str) -> String;
}

impl IfEmpty for String {
    fn if_empty(self, fallback: &str) -> String {
        if self.is_empty() { fallback.to_string() } else { self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(local: &str, gmt: &str) -> HashMap<String, String> {
        [("wp:post_date", local), ("wp:post_date_gmt", gmt)]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into()
    }

    #[test]
    fn a_percent_encoded_slug_is_decoded_then_slugified() {
        let name = "%ce%b5%cf%80%ce%af%cf%83%cf%84%cf%81%ce%bf%cf%86%ce%ae-%cf%87%cf%81%ce%b7%ce%bc%ce%ac%cf%84%cf%89%ce%bd";
        let decoded = percent_encoding::percent_decode_str(name).decode_utf8_lossy().into_owned();
        assert_eq!(decoded, "επίστροφή-χρημάτων");
        assert_eq!(crate::slugs::slugify(&decoded), "epistrophe-khrematon");
    }

    #[test]
    fn a_date_keeps_the_blogs_offset_at_the_time() {
        let keys = &["wp:post_date_gmt", "wp:post_date"];
        assert_eq!(
            date(&fields("2019-03-04 07:12:00", "2019-03-04 15:12:00"), keys).unwrap(),
            "2019-03-04T07:12:00-08:00"
        );
        assert_eq!(
            date(&fields("2019-03-05 01:30:00", "2019-03-04 20:00:00"), keys).unwrap(),
            "2019-03-05T01:30:00+05:30"
        );
        // No GMT date (WordPress writes zeros): the local one, as UTC.
        assert_eq!(
            date(&fields("2020-07-01 09:30:00", "0000-00-00 00:00:00"), keys).unwrap(),
            "2020-07-01T09:30:00Z"
        );
        // An offset no place has (a clock set wrong): the GMT date.
        assert_eq!(
            date(&fields("2019-03-04 10:00:07", "2019-03-04 10:00:00"), keys).unwrap(),
            "2019-03-04T10:00:00Z"
        );
    }
}
