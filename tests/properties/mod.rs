//! What must hold for any input, however hostile: shared by the fuzz
//! targets (`fuzz/fuzz_targets/*.rs`, which feed them generated inputs)
//! and the integration tests (`tests/it/hostile.rs`, which feed them the
//! kept regression inputs in `tests/fuzz-regressions/<target>/`). Each
//! function panics, with the reason, when its property fails.

#![allow(dead_code, unreachable_pub)] // each fuzz target uses one function, from its own crate

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use parlor::config::{CommentSettings, Config, Moderation};
use parlor::diag::Diagnostics;
use parlor::load::CommentSource;
use parlor::moderate::{Context, PostFacts};
use parlor::parse::comment::{self, Comment, Decision, NewComment, Recorded, Status};
use parlor::parse::{CommentsMode, PostDate};

/// A property over one input: panics when it does not hold.
pub type Property = fn(&[u8]);

/// What a fuzz target is called, and its property.
pub const TARGETS: &[(&str, Property)] = &[
    ("front_matter", front_matter),
    ("comment_file", comment_file),
    ("comment_html", comment_html),
    ("moderation", moderation),
    ("intake_form", intake_form),
    ("import_wxr", import_wxr),
    ("import_blogger", import_blogger),
    ("import_render", import_render),
];

/// A post file: split, front matter and Markdown body parse or give
/// diagnostics, and every diagnostic points inside the file.
pub fn front_matter(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let config = "title = \"Fuzz\"\nbase_url = \"https://blog.example.org/\"\n";
        parse_markdown(text, config, &["posts", "pages"]);
    }
}

/// Parses `text` as a file in each of `content/<dirs>` of the site
/// `config` configures; the errors found.
fn parse_markdown(text: &str, config: &str, dirs: &[&str]) -> Vec<parlor::diag::Diagnostic> {
    let diags = Diagnostics::new();
    let Some(config) = Config::parse(config, &diags) else { panic!("the config parses: {config}") };
    let sources = parlor::load::Sources {
        posts: dirs
            .contains(&"posts")
            .then(|| source_file("content/posts/fuzz.md", text).into())
            .into_iter()
            .collect(),
        pages: dirs
            .contains(&"pages")
            .then(|| source_file("content/pages/fuzz.md", text).into())
            .into_iter()
            .collect(),
        comments: Vec::new(),
        static_files: Vec::new(),
        theme: Default::default(),
    };
    let content = parlor::parse::cache::ContentCache::none();
    let parsed = parlor::parse::parse(sources, &config, None, &content, &parlor::NoProgress, &diags);
    let lines = text.lines().count().max(1);
    let diagnostics = diags.into_sorted();
    for d in &diagnostics {
        if let Some(at) = &d.location {
            assert!(at.line >= 1 && at.line <= lines + 1, "line {} of a {lines}-line file: {d:?}", at.line);
            assert!(at.span.end <= text.len(), "span {:?} past the end ({}): {d:?}", at.span, text.len());
        }
        assert!(!d.render(false).is_empty(), "a diagnostic renders as nothing: {d:?}");
    }
    let errors: Vec<_> =
        diagnostics.into_iter().filter(|d| d.severity == parlor::diag::Severity::Error).collect();
    assert!(
        !errors.is_empty() || parsed.posts.len() + parsed.pages.len() == dirs.len(),
        "a file was left out without an error saying why"
    );
    errors
}

fn source_file(path: &str, text: &str) -> parlor::load::SourceFile {
    parlor::load::SourceFile { path: path.into(), stem: "fuzz".into(), text: text.into(), assets: Vec::new() }
}

/// A comment file: parsing never panics, and a parsed comment written out
/// again (as intake and import write comments) parses to the same comment.
pub fn comment_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(first) = parse_comment(text, "c1") else { return };
    let rewritten = write_comment(&first, Recorded::Status(first.status));
    let Some(again) = parse_comment(&rewritten, &first.id) else {
        panic!("a comment written out does not parse again:\n{rewritten}")
    };
    assert_same_comment(&first, &again, &rewritten);
    // A decision recorded in the file, with the comment's own text as its
    // reason and rule, reads back as written and leaves the rest alone.
    let decision = Decision {
        status: Status::Spam,
        verdict: "spam".into(),
        rules: vec![first.author.clone()],
        at: "2024-05-01T10:00:00Z".into(),
        by: first.id.clone(),
        reason: Some(first.body.clone()),
    };
    // The body is kept byte for byte: compared with what each file held
    // (a file intake writes ends its body with one newline).
    for (text, before) in [(text, &first), (rewritten.as_str(), &again)] {
        // A rewrite that cannot keep the rest of the file is refused (the
        // moderator is told); one that is made must keep it.
        let Some(recorded) = comment::rewrite(text, &decision) else { continue };
        let Some(after) = parse_comment(&recorded, &first.id) else {
            panic!("a comment with a decision recorded does not parse:\n{recorded}")
        };
        let record = after.moderation.as_deref().expect("the decision is recorded");
        assert_eq!(after.status, Status::Spam, "{recorded}");
        assert_eq!(record.rules, decision.rules, "{recorded}");
        assert_eq!(record.reason, decision.reason, "{recorded}");
        assert_eq!(record.by.as_deref(), Some(first.id.as_str()), "{recorded}");
        assert_eq!(after.body, before.body, "{recorded}");
        assert_eq!(after.author, before.author, "{recorded}");
    }
}

fn parse_comment(text: &str, stem: &str) -> Option<Comment> {
    comment::parse(CommentSource {
        path: PathBuf::from("content/comments/p").join(format!("{stem}.md")),
        post_slug: "p".into(),
        stem: stem.into(),
        text: text.into(),
    })
    .ok()
}

fn write_comment(c: &Comment, recorded: Recorded) -> String {
    NewComment {
        id: &c.id,
        author: &c.author,
        email: c.email.as_deref(),
        website: c.website.as_deref(),
        date: &c.date.rfc3339(),
        reply_to: c.reply_to.as_deref(),
        member: c.member,
        body: &c.body,
    }
    .file_text(recorded)
}

fn assert_same_comment(a: &Comment, b: &Comment, text: &str) {
    let same = a.id == b.id
        && a.author == b.author
        && a.email == b.email
        && a.website == b.website
        && a.date.timestamp == b.date.timestamp
        && a.reply_to == b.reply_to
        && a.member == b.member
        && a.status == b.status
        && a.body.trim_end() == b.body.trim_end();
    assert!(same, "the comment changed when written out and read again:\n{a:#?}\n{b:#?}\n{text}");
}

/// The elements a rendered comment may hold; nothing else (no script,
/// style, iframe, form). Attributes: `href` (http, https, mailto) and `rel`
/// on links, `start` on lists, `title` and `lang` anywhere; no event
/// handler or inline style.
const COMMENT_TAGS: &[&str] =
    &["p", "br", "em", "strong", "del", "a", "code", "pre", "blockquote", "ul", "ol", "li"];

/// A comment body's HTML, parsed as a browser parses it, holds only safe
/// elements, attributes and link schemes.
pub fn comment_html(data: &[u8]) {
    let Ok(markdown) = std::str::from_utf8(data) else { return };
    assert_safe_comment_html(&comment::render_body(markdown));
}

/// Panics unless `html` holds only what a comment may hold.
pub fn assert_safe_comment_html(html: &str) {
    let doc = scraper::Html::parse_fragment(html);
    // The fragment's own `<html>` wrapper comes first: skip it.
    for node in doc.root_element().descendants().skip(1) {
        let Some(element) = node.value().as_element() else { continue };
        let name = element.name();
        assert!(COMMENT_TAGS.contains(&name), "element <{name}> in a comment: {html}");
        for (attr, value) in element.attrs() {
            match (name, attr) {
                ("a", "href") => assert!(safe_url(value), "unsafe link `{value}` in a comment: {html}"),
                ("a", "rel") => assert_eq!(value, "nofollow ugc noopener"),
                ("ol", "start") | (_, "title" | "lang") => {}
                _ => panic!("attribute {attr}=\"{value}\" on <{name}> in a comment: {html}"),
            }
        }
    }
}

/// An http(s) or mailto URL, as a browser would read the attribute: its
/// scheme is one of those (`https:/x` is `https://x/` to a browser).
pub fn safe_url(value: &str) -> bool {
    let url = url_as_browser_reads(value);
    url.split_once(':').is_some_and(|(scheme, _)| ["http", "https", "mailto"].contains(&scheme))
}

/// A URL attribute as a browser reads its scheme: whitespace and control
/// characters dropped (`java\tscript:` is `javascript:`), lower case.
pub fn url_as_browser_reads(value: &str) -> String {
    value.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control()).collect::<String>().to_lowercase()
}

/// The rules: deterministic (the same comment twice gives the same
/// evaluation), and every span they report lies on the body's characters;
/// with a history of the siblings (duplicates, and the filter learned from
/// them), and through the normal form, whose every character maps back
/// onto the body.
pub fn moderation(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.split('\u{0}');
    let author = parts.next().unwrap_or("");
    let website = parts.next().filter(|w| !w.is_empty());
    let body = parts.next().unwrap_or("");
    let sibling_bodies: Vec<&str> = parts.take(8).collect();
    let date = PostDate::parse("2024-05-01T10:00:00Z").expect("a fixed date parses");
    let make = |id: &str, author: &str, body: &str, status: Status| Comment {
        path: PathBuf::from(format!("content/comments/p/{id}.md")),
        post_slug: "p".into(),
        id: id.into(),
        author: author.into(),
        email: Some("reader@example.org".into()),
        website: website.map(String::from),
        date,
        reply_to: None,
        member: false,
        status,
        moderation: None,
        body: body.into(),
        reply_to_line: 1,
        html: String::new(),
        fingerprint: 0,
    };
    let comment = make("c0", author, body, Status::Pending);
    let siblings: Vec<Comment> = sibling_bodies
        .iter()
        .enumerate()
        .map(|(i, b)| make(&format!("s{i}"), "Sibling", b, Status::Approved))
        .collect();
    let sibling_refs: Vec<&Comment> = siblings.iter().collect();
    // The siblings, decided in turn as spam and approved, teach the filter
    // (from one decision of each kind) and fill the duplicate index.
    let mut decided = siblings.clone();
    for (i, c) in decided.iter_mut().enumerate() {
        c.status = if i % 2 == 0 { Status::Spam } else { Status::Approved };
        c.date = PostDate::parse(&format!("2024-04-{:02}T10:00:00Z", 1 + i)).expect("a fixed date parses");
    }
    let settings = Moderation { learn_min_decisions: 1, ..Moderation::default() };
    let history = parlor::moderate::History::of(&decided, &settings);
    assert_normal_form_points_into(body);
    let comment_settings = CommentSettings::default();
    let known: HashSet<(String, String)> = HashSet::new();
    let post = PostFacts { comments: CommentsMode::Open, date: Some(date) };
    let cx = Context {
        comment: &comment,
        post,
        settings: &settings,
        comment_settings: &comment_settings,
        siblings: &sibling_refs,
        known_authors: &known,
        seconds_since_last_from_client: None,
        arriving: false,
        history: &history,
    };
    let first = parlor::moderate::evaluate(&cx);
    let second = parlor::moderate::evaluate(&cx);
    assert_eq!(first, second, "the rules gave two answers for one comment");
    let strongest =
        first.findings().filter_map(|r| r.verdict).max().unwrap_or(parlor::moderate::Verdict::Pass);
    assert_eq!(first.verdict, strongest, "the verdict is not the strongest finding's");
    for r in &first.results {
        assert!(!r.check.message.is_empty(), "rule {} says nothing", r.code);
        for span in &r.check.spans {
            assert!(
                body.get(span.clone()).is_some(),
                "rule {} span {span:?} is not on the body's characters",
                r.code
            );
        }
    }
}

/// The spam rules' normal form of `body` is the same every time, and every
/// range of it maps back onto whole characters of the body, in order.
fn assert_normal_form_points_into(body: &str) {
    let normal = parlor::moderate::Normalized::of(body);
    assert_eq!(normal, parlor::moderate::Normalized::of(body), "the normal form changed between two runs");
    let mut last = 0;
    for (i, c) in normal.text.char_indices() {
        let from = normal.original(i..i + c.len_utf8());
        assert!(
            body.get(from.clone()).is_some(),
            "normal {c:?} at {i} maps to {from:?}, not onto characters of a {}-byte body",
            body.len()
        );
        assert!(from.start >= last, "the normal form runs backwards at {i}: {from:?} after {last}");
        last = from.start;
    }
}

/// A request body: decoding never panics; what it accepts is clean (one
/// line of name, no control characters, a bounded body); and the comment
/// file written from it reads back as exactly what was sent.
pub fn intake_form(data: &[u8]) {
    const MAX_LENGTH: usize = 2000;
    let Ok(form) = parlor::intake::decode_form(data, MAX_LENGTH) else { return };
    let count = form.author.chars().count();
    assert!((1..=80).contains(&count), "author of {count} characters accepted");
    assert!(!form.author.chars().any(char::is_control), "control character in author {:?}", form.author);
    assert!(form.body.trim().chars().count() <= MAX_LENGTH, "body over the limit accepted");
    assert!(
        !form.body.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
        "control character in body {:?}",
        form.body
    );
    if let Some(w) = &form.website {
        assert!(safe_url(w) && !w.to_lowercase().starts_with("mailto:"), "website {w:?} accepted");
    }
    let text = NewComment {
        id: "c1",
        author: &form.author,
        email: form.email.as_deref(),
        website: form.website.as_deref(),
        date: "2024-05-01T10:00:00Z",
        reply_to: form.reply_to.as_deref(),
        member: false,
        body: &form.body,
    }
    .file_text(Recorded::Status(Status::Pending));
    let Some(stored) = parse_comment(&text, "c1") else {
        panic!("intake would store a comment that does not parse:\n{text}")
    };
    assert_eq!(stored.author, form.author.trim(), "author changed on disk:\n{text}");
    assert_eq!(stored.email, form.email, "email changed on disk:\n{text}");
    assert_eq!(stored.website, form.website, "website changed on disk:\n{text}");
    assert_eq!(stored.reply_to, form.reply_to, "reply_to changed on disk:\n{text}");
    assert_eq!(stored.body.trim_end(), form.body.trim_end(), "body changed on disk:\n{text}");
    assert_safe_comment_html(&comment::render_body(&stored.body));
}

/// A WordPress export: the import fails cleanly or writes a site parlor
/// reads back, every file inside the site folder.
pub fn import_wxr(data: &[u8]) {
    import(data, parlor::import::Source::WordPress);
}

/// A Blogger export: as for WordPress.
pub fn import_blogger(data: &[u8]) {
    import(data, parlor::import::Source::Blogger);
}

/// `data` written as an export in a temp folder and imported into `site`
/// beside it: the folder, the site's path, and whether the import took.
fn import_export(data: &[u8], source: parlor::import::Source) -> (tempfile::TempDir, PathBuf, bool) {
    let dir = tempfile::tempdir().expect("a temp folder");
    let file = dir.path().join("export.xml");
    std::fs::write(&file, data).expect("the export is written");
    let into = dir.path().join("site");
    let options =
        parlor::import::ImportOptions { source, file, into: into.clone(), force: false, skip_private: false };
    let imported = parlor::import::run(&options).is_ok();
    (dir, into, imported)
}

fn import(data: &[u8], source: parlor::import::Source) {
    let (dir, into, imported) = import_export(data, source);
    assert_only(dir.path(), &["export.xml", "site"]);
    if !imported {
        return;
    }
    let config = std::fs::read_to_string(into.join("site.toml")).expect("import writes site.toml");
    let written = files_below(&into);
    for path in &written {
        let relative = path.strip_prefix(&into).expect("below the site");
        let text = std::fs::read_to_string(path).expect("imported files are UTF-8");
        let parts: Vec<String> = relative.iter().map(|c| c.to_string_lossy().into_owned()).collect();
        match parts.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["content", "comments", slug, name] => {
                let stem = name.strip_suffix(".md").expect("comment files end in .md");
                let parsed = comment::parse(CommentSource {
                    path: relative.to_path_buf(),
                    post_slug: slug.to_string(),
                    stem: stem.to_string(),
                    text: text.as_str().into(),
                });
                assert!(parsed.is_ok(), "an imported comment does not parse: {parsed:?}\n{text}");
                if let Ok(c) = parsed {
                    assert_safe_comment_html(&comment::render_body(&c.body));
                }
            }
            ["content", dir @ ("posts" | "pages"), ..] if relative.extension().is_some_and(|e| e == "md") => {
                let errors = parse_markdown(&text, &config, &[dir]);
                assert!(errors.is_empty(), "an imported post has errors: {errors:?}\n{text}");
            }
            ["site.toml"] => {
                let diags = Diagnostics::new();
                assert!(Config::parse(&text, &diags).is_some(), "site.toml does not parse:\n{text}");
            }
            other => panic!("import wrote an unexpected file {other:?}"),
        }
    }
}

/// An export, imported and built (#15): every page and feed entry holds
/// only what a post may show. A WordPress export, or a Blogger one when it
/// holds an Atom `<feed`.
pub fn import_render(data: &[u8]) {
    let source = if data.windows(5).any(|w| w == b"<feed") {
        parlor::import::Source::Blogger
    } else {
        parlor::import::Source::WordPress
    };
    let (_dir, into, imported) = import_export(data, source);
    if !imported {
        return;
    }
    let build = parlor::BuildOptions {
        include_drafts: true,
        ..parlor::BuildOptions::new(into, jiff::Timestamp::now())
    };
    let (report, rendered) = parlor::build_in_memory(&build, &mut parlor::Incremental::default())
        .expect("an imported site builds");
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == parlor::diag::Severity::Error)
        .map(|d| d.headline())
        .collect();
    assert!(errors.is_empty(), "an imported site has errors: {errors:?}");
    let rendered = rendered.expect("a site without errors is rendered");
    for file in &rendered.files {
        let bytes: &[u8] = match &file.content {
            parlor::render::OutputContent::Bytes(b) => b,
            parlor::render::OutputContent::Shared(b) => b,
            parlor::render::OutputContent::Static(b) => b,
            _ => continue,
        };
        let Ok(text) = std::str::from_utf8(bytes) else { continue };
        if file.path.ends_with(".html") {
            assert_safe_page(text, &file.path);
        } else if file.path.ends_with(".xml") && !file.path.ends_with("sitemap.xml") {
            assert_safe_feed(text, &file.path);
        }
    }
}

/// Elements a post may hold: text, lists, tables, images, figures, code,
/// and embedded media. Nothing that runs code, loads a plugin, styles the
/// page or takes input (but the task list's checkbox).
const POST_TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "area",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
    "iframe",
    "video",
    "audio",
    "source",
    "input",
];

/// Attributes that hold an address, on any element.
const URL_ATTRIBUTES: &[&str] =
    &["href", "src", "poster", "action", "formaction", "data", "xlink:href", "cite", "background", "ping"];

/// A built page: no event handler, inline frame document or code-running
/// address anywhere, no script but the theme's own file and JSON-LD data
/// without a `<`; the post's body and each summary hold only what a post
/// may.
pub fn assert_safe_page(html: &str, page: &str) {
    let doc = scraper::Html::parse_document(html);
    for node in doc.root_element().descendants() {
        let Some(element) = node.value().as_element() else { continue };
        let name = element.name();
        if name == "script" {
            let theirs = element.attr("src").is_some_and(|src| src.ends_with("comments.js"));
            // JSON-LD is data; with no `<` in it nothing can end it early.
            let data = element.attr("type") == Some("application/ld+json")
                && scraper::ElementRef::wrap(node).is_some_and(|e| !e.text().any(|t| t.contains('<')));
            assert!(theirs || data, "{page}: a script that is not the theme's: {html}");
        }
        for (attr, value) in element.attrs() {
            assert!(!attr.starts_with("on") && attr != "srcdoc", "{page}: <{name} {attr}=\"{value}\">");
            if URL_ATTRIBUTES.contains(&attr) {
                assert!(safe_post_url(value), "{page}: <{name} {attr}=\"{value}\"> runs code");
            }
        }
    }
    let content = scraper::Selector::parse(".post-content, .post-summary").expect("a valid selector");
    for region in doc.select(&content) {
        assert_safe_post_html(&region.inner_html(), page);
    }
}

/// A feed parses, and each entry's HTML holds only what a post may.
pub fn assert_safe_feed(xml: &str, name: &str) {
    let feed =
        feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
    for entry in feed.entries {
        let bodies = entry.content.and_then(|c| c.body).into_iter().chain(entry.summary.map(|s| s.content));
        for html in bodies {
            assert_safe_post_html(&html, name);
        }
    }
}

/// Panics unless `html` holds only what a post may: the elements above,
/// no handler, style or frame document, and addresses that are relative or
/// http, https or mailto.
pub fn assert_safe_post_html(html: &str, place: &str) {
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.root_element().descendants().skip(1) {
        let Some(element) = node.value().as_element() else { continue };
        let name = element.name();
        assert!(POST_TAGS.contains(&name), "{place}: element <{name}> in a post: {html}");
        for (attr, value) in element.attrs() {
            assert!(
                !attr.starts_with("on") && !matches!(attr, "style" | "srcdoc"),
                "{place}: attribute {attr}=\"{value}\" on <{name}> in a post: {html}"
            );
            if URL_ATTRIBUTES.contains(&attr) {
                assert!(safe_post_url(value), "{place}: unsafe address `{value}` in a post: {html}");
            }
        }
        if name == "input" {
            assert_eq!(element.attr("type"), Some("checkbox"), "{place}: an input in a post: {html}");
        }
    }
}

/// A relative address, or an http, https or mailto one, as a browser
/// reads it: what comes before the first `:` is a scheme only when it is a
/// letter then letters, digits, `+`, `-` or `.` (else the address is a
/// path, as `jav%09ascript:x` is).
pub fn safe_post_url(value: &str) -> bool {
    let url = url_as_browser_reads(value);
    let Some((scheme, _)) = url.split_once(':') else { return true };
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    !is_scheme || ["http", "https", "mailto"].contains(&scheme)
}

fn assert_only(dir: &Path, names: &[&str]) {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .expect("listable")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let unexpected: Vec<&String> = found.iter().filter(|n| !names.contains(&n.as_str())).collect();
    assert!(unexpected.is_empty(), "import wrote outside the site folder: {unexpected:?}");
}

fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let meta = std::fs::symlink_metadata(e.path()).expect("stat");
            assert!(!meta.file_type().is_symlink(), "import made a symlink {}", e.path().display());
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

/// Runs each kept regression input through its target's property.
pub fn run_regressions(base: &Path) -> HashMap<&'static str, usize> {
    let mut counts = HashMap::new();
    for (name, property) in TARGETS {
        let dir = base.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let data = std::fs::read(e.path()).expect("readable");
            let result = std::panic::catch_unwind(|| property(&data));
            assert!(result.is_ok(), "{name}: regression input {} fails again", e.path().display());
            *counts.entry(*name).or_insert(0) += 1;
        }
    }
    counts
}
