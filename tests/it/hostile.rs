//! Hostile input: the fuzz targets' properties (`tests/properties/`) over
//! the inputs kept from fuzzing (`tests/fuzz-regressions/<target>/`) and
//! over hand-written attacks.

#[path = "../properties/mod.rs"]
pub(crate) mod properties;

use std::path::Path;

use crate::support::{SiteTest, post};

#[test]
fn kept_fuzz_inputs_still_hold_their_properties() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let counts = properties::run_regressions(&base);
    for (name, _) in properties::TARGETS {
        assert!(counts.get(name).copied().unwrap_or(0) > 0, "no kept inputs for the fuzz target `{name}`");
    }
}

/// Attacks, each of which sets the page title to `PWNED` if it ever runs.
pub(crate) const XSS: &[&str] = &[
    "<script>document.title='PWNED'</script>",
    "\"><img src=x onerror=\"document.title='PWNED'\">",
    "'><svg/onload=document.title='PWNED'>",
    "</textarea><script>document.title='PWNED'</script>",
    "</title><script>document.title='PWNED'</script>",
    "]]></description><script>document.title='PWNED'</script>",
    "<iframe srcdoc=\"<script>parent.document.title='PWNED'</script>\"></iframe>",
    "<a href=\"javascript:document.title='PWNED'\">x</a>",
    "{{ config }}{% raw %}PWNED",
    "' onmouseover='document.title=\"PWNED\"",
];

/// Link schemes that run code, in the spellings browsers accept.
pub(crate) const BAD_URLS: &[&str] = &[
    "javascript:document.title='PWNED'",
    "JaVaScRiPt:document.title='PWNED'",
    " javascript:document.title='PWNED'",
    "java\tscript:document.title='PWNED'",
    "&#106;avascript:document.title='PWNED'",
    "&#x6A;avascript:document.title='PWNED'",
    "data:text/html,<script>document.title='PWNED'</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox('PWNED')",
    "VBScript:msgbox('PWNED')",
];

/// Panics if any page below `public` carries an attack: a script or
/// handler holding `PWNED`, a dangerous element that came from content, or
/// a link with a scheme that runs code.
fn assert_no_injection(public: &Path) {
    let mut pages = 0;
    for path in files_below(public) {
        let name = path.to_string_lossy();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if name.ends_with(".html") {
            assert_clean_html(&scraper::Html::parse_document(&text), &name);
            pages += 1;
        } else if name.ends_with(".xml") && !name.ends_with("sitemap.xml") {
            assert_clean_feed(&text, &name);
        }
    }
    assert!(pages > 0, "no pages were built");
}

/// Elements content must never create. (Text from content may well sit in
/// a `<meta content>` or an `alt`: an attribute value is only text.)
const DANGEROUS: &[&str] =
    &["script", "iframe", "object", "embed", "svg", "math", "base", "frame", "video", "audio", "source"];

fn assert_clean_html(doc: &scraper::Html, page: &str) {
    for node in doc.root_element().descendants() {
        let Some(el) = node.value().as_element() else { continue };
        let name = el.name();
        let text: String = scraper::ElementRef::wrap(node).map(|e| e.text().collect()).unwrap_or_default();
        if name == "script" && el.attr("type") == Some("application/ld+json") {
            // Data, not code: content's text may be in it, but never a `<`
            // that could end the element (render/meta.rs escapes them).
            assert!(!text.contains('<'), "{page}: JSON-LD with a `<`: {text}");
        } else if name == "script" || name == "style" {
            assert!(!text.contains("PWNED"), "{page}: <{name}> holds content: {text}");
        }
        for (attr, value) in el.attrs() {
            if attr.starts_with("on") || attr == "srcdoc" {
                assert!(!value.contains("PWNED"), "{page}: <{name} {attr}=\"{value}\">");
            }
            if DANGEROUS.contains(&name) {
                assert!(!value.contains("PWNED"), "{page}: content put a <{name} {attr}=\"{value}\">");
            }
            if matches!(attr, "href" | "src" | "action" | "formaction" | "xlink:href" | "data" | "poster") {
                assert!(!runs_code(value), "{page}: <{name} {attr}=\"{value}\"> runs code");
            }
        }
    }
}

/// Whether a browser would run `url` as code when followed.
fn runs_code(url: &str) -> bool {
    let url = properties::url_as_browser_reads(url);
    ["javascript:", "data:", "vbscript:"].iter().any(|s| url.starts_with(s))
}

/// A feed parses, and the HTML in each entry is as clean as a page.
fn assert_clean_feed(xml: &str, name: &str) {
    let feed =
        feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
    for entry in feed.entries {
        let title = entry.title.map(|t| t.content).unwrap_or_default();
        let bodies = entry.content.and_then(|c| c.body).into_iter().chain(entry.summary.map(|s| s.content));
        for html in bodies {
            assert_clean_html(&scraper::Html::parse_fragment(&html), &format!("{name}: entry `{title}`"));
        }
    }
}

fn files_below(dir: &Path) -> Vec<std::path::PathBuf> {
    walk(dir).into_iter().filter(|p| p.is_file()).collect()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

fn yaml(s: &str) -> String {
    serde_json::to_string(s).unwrap() // a JSON string is a YAML string
}

pub(crate) fn comment_file(
    id: &str,
    author: &str,
    website: Option<&str>,
    reply_to: Option<&str>,
    body: &str,
) -> String {
    let mut fm =
        format!("---\nid: {id}\nauthor: {}\ndate: 2020-01-02T00:00:00Z\nstatus: approved\n", yaml(author));
    if let Some(w) = website {
        fm.push_str(&format!("website: {}\n", yaml(w)));
    }
    if let Some(r) = reply_to {
        fm.push_str(&format!("reply_to: {}\n", yaml(r)));
    }
    format!("{fm}---\n{body}\n")
}

#[test]
fn attacks_in_every_reader_field_are_inert() {
    let site = SiteTest::new();
    site.file("content/posts/p.md", &post("A post", "2020-01-01", "tags: [x]\n"));
    site.file("content/comments/p/c0.md", &comment_file("c0", "Parent", None, None, "A parent comment."));
    for (i, attack) in XSS.iter().enumerate() {
        let website = format!("https://example.org/{attack}");
        let file = comment_file(&format!("x{i}"), attack, Some(&website), Some("c0"), attack);
        site.file(&format!("content/comments/p/x{i}.md"), &file);
        // A `reply_to` naming no comment keeps the comment out, with a warning.
        let file = comment_file(&format!("r{i}"), "Replier", None, Some(attack), "A reply.");
        site.file(&format!("content/comments/p/r{i}.md"), &file);
    }
    for (i, url) in BAD_URLS.iter().enumerate() {
        let body = format!("[click]({url}) <{url}> <a href=\"{url}\">raw</a> [ref][r]\n\n[r]: {url}");
        site.file(
            &format!("content/comments/p/u{i}.md"),
            &comment_file(&format!("u{i}"), "Linker", None, None, &body),
        );
        // A website that is not http(s) keeps the comment out, with a warning.
        site.file(
            &format!("content/comments/p/w{i}.md"),
            &comment_file(&format!("w{i}"), "Site", Some(url), None, "Hi."),
        );
    }
    let run = site.build();
    run.assert_ok();
    let stderr = run.stderr();
    assert!(stderr.contains("`website` must be an http(s) URL"), "{stderr}");
    assert_eq!(stderr.matches("no comment has that id").count(), XSS.len(), "{stderr}");
    assert_no_injection(&site.public(""));
    // The attacks are shown as text, not dropped.
    let page = site.page("/posts/p/");
    let authors = page.texts(".comment-author");
    assert!(
        authors.iter().any(|a| a.contains("<script>document.title='PWNED'</script>")),
        "{authors:?}\n{}",
        run.stderr()
    );
}

#[test]
fn attacks_in_an_imported_export_are_inert() {
    let dir = tempfile::tempdir().unwrap();
    let mut items = String::new();
    for (i, attack) in XSS.iter().enumerate() {
        let a = xml_escape(attack);
        items.push_str(&format!(
            "<item><title>{a}</title><link>https://old.example/{i}</link><pubDate>Mon, 0{d} Jan 2020 10:00:00 +0000</pubDate>\
             <dc:creator>{a}</dc:creator><content:encoded><![CDATA[<p>Body {i}</p>{raw}]]></content:encoded>\
             <wp:post_id>{id}</wp:post_id><wp:post_date>2020-01-0{d} 10:00:00</wp:post_date><wp:post_name>{slug}</wp:post_name>\
             <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>\
             <category domain=\"category\" nicename=\"c{i}\">{a}</category><category domain=\"post_tag\" nicename=\"../t{i}\">{a}</category>\
             <wp:comment><wp:comment_id>{id}1</wp:comment_id><wp:comment_author>{a}</wp:comment_author>\
             <wp:comment_author_email>x@example.org</wp:comment_author_email><wp:comment_author_url>{url}</wp:comment_author_url>\
             <wp:comment_date_gmt>2020-01-0{d} 11:00:00</wp:comment_date_gmt><wp:comment_content>{a} [x]({url})</wp:comment_content>\
             <wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment></item>",
            d = 1 + i % 9,
            id = 100 + i,
            raw = attack.replace("]]>", ""),
            slug = xml_escape(&format!("../../escape-{i}/{attack}")),
            url = xml_escape(BAD_URLS[i % BAD_URLS.len()]),
        ));
    }
    let wxr = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>\
         <title>{t}</title><link>https://old.example</link><description>{t}</description>{items}</channel></rss>",
        t = xml_escape(XSS[0])
    );
    let export = dir.path().join("export.wxr");
    std::fs::write(&export, wxr).unwrap();
    let into = dir.path().join("site");
    import_wordpress(&export, &into);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names.len(), 2, "the import wrote outside its folder: {names:?}");
    for path in walk(&into) {
        let relative = path.strip_prefix(&into).unwrap();
        assert!(
            relative.components().all(|c| matches!(c, std::path::Component::Normal(_))),
            "{}",
            relative.display()
        );
    }
    let build = std::process::Command::new(env!("CARGO_BIN_EXE_parlor"))
        .args(["--root", into.to_str().unwrap(), "build"])
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let public = into.join("public");
    assert_no_injection(&public);
    assert_eq!(
        std::fs::read_dir(&into).unwrap().count(),
        std::fs::read_dir(&into)
            .unwrap()
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().contains(".."))
            .count()
    );
}

/// The export of `tests/fixtures/import/xss-vectors.wxr`, imported into
/// a folder of its own with the real binary; the folder and the site.
pub(crate) fn import_vectors() -> (tempfile::TempDir, SiteTest) {
    let dir = tempfile::tempdir().unwrap();
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/xss-vectors.wxr");
    let into = dir.path().join("site");
    import_wordpress(&export, &into);
    let site = SiteTest::at(&into);
    (dir, site)
}

/// `parlor import wordpress EXPORT --into INTO`, which must succeed.
fn import_wordpress(export: &Path, into: &Path) {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_parlor"))
        .args(["import", "wordpress", export.to_str().unwrap(), "--into", into.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

/// See: issue 15. Markup inside an image's address became live HTML in an
/// imported post (the conversion wrote Markdown that stayed text, and the
/// text was raw HTML); every vector of its families, in every field of an
/// export, leaves no handler, script or code-running address in any page
/// or feed entry, and the posts hold only what a post may.
#[test]
fn issue_15_script_vectors_in_an_export_leave_nothing_that_runs() {
    let (_dir, site) = import_vectors();
    site.build().assert_ok();
    let public = site.public("");
    assert_no_injection(&public);
    let mut pages = 0;
    for path in files_below(&public) {
        let name = path.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if name.ends_with(".html") {
            properties::assert_safe_page(&text, &name);
            pages += 1;
        } else if name.ends_with(".xml") && !name.ends_with("sitemap.xml") {
            properties::assert_safe_feed(&text, &name);
        }
    }
    assert!(pages > 62, "every vector has its post: {pages} pages");
    let first = site.page("/posts/vector-1/");
    assert_eq!(first.attrs(".post-content img", "src")[0], "x%20%3Cimg%20src=x%20onerror=alert%281%29%3E");
}

/// See: issue 15. An imported post's HTML is cut down after rendering,
/// whatever its Markdown came to hold; an author's own post keeps its HTML.
#[test]
fn issue_15_an_imported_posts_html_is_sanitised_after_rendering() {
    let site = SiteTest::new();
    // What the importer wrote for `<img src="x <img src=x onerror=...>">`
    // before the fix, and raw HTML of other kinds.
    let body = "Hello ![](<x <img src=x onerror=alert\\(1\\)>>) world\n\n<script>alert(2)</script>\n\n\
                ## Heading {onclick=alert(3)}\n\n[x](javascript:alert(4)) <a href=\"https://ok.example/\" style=\"x\">ok</a>\n";
    site.file(
        "content/posts/imported.md",
        &format!("---\ntitle: Imported\ndate: 2020-01-01\nimported: true\n---\n{body}"),
    );
    site.file(
        "content/posts/own.md",
        &format!(
            "---\ntitle: Own\ndate: 2020-01-02\n---\n{body}\n<div class=\"note\" data-x=\"1\">Mine</div>\n"
        ),
    );
    site.build().assert_ok();
    let imported = site.read("posts/imported/index.html");
    properties::assert_safe_page(&imported, "imported");
    let page = site.page("/posts/imported/");
    assert_eq!(page.attrs(".post-content p a", "href"), ["https://ok.example/"]);
    assert_eq!(page.count(".post-content h2"), 1);
    // The author's own post is trusted as written.
    let own = site.page("/posts/own/");
    assert_eq!(own.count(".post-content div.note[data-x]"), 1);
    assert_eq!(own.count(".post-content script"), 1);
    for feed in ["feed.xml", "tags/index.html", "index.html"] {
        let text = site.read(feed);
        assert!(text.matches("alert(2)").count() <= 1, "{feed}: only the author's own post holds its script");
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[test]
fn the_injection_check_catches_each_kind_of_attack() {
    let caught = |html: &str| {
        let html = html.to_string();
        std::panic::catch_unwind(move || assert_clean_html(&scraper::Html::parse_document(&html), "test"))
            .is_err()
    };
    assert!(!caught("<p>&lt;script&gt;document.title='PWNED'&lt;/script&gt;</p><meta content=\"PWNED\">"));
    for attack in [
        "<script>document.title='PWNED'</script>",
        "<img src=x onerror=\"document.title='PWNED'\">",
        "<a href=\" JaVa\tScript:x\">x</a>",
        "<a href=\"data:text/html,x\">x</a>",
        "<iframe srcdoc=\"PWNED\"></iframe>",
        "<svg data-x=\"PWNED\"></svg>",
    ] {
        assert!(caught(attack), "not caught: {attack}");
    }
}

/// Most memory a build of the files below may take (address space, so
/// that a runaway allocation fails the build instead of the machine).
const MEMORY_BOUND_KB: u64 = 4 * 1024 * 1024;
/// Longest a build of the files below may take, even unoptimised.
const TIME_BOUND: std::time::Duration = std::time::Duration::from_secs(180);

/// Builds `site` under the memory and time bounds; panics on a crash
/// (a signal or a panic) or a hang.
fn bounded_build(site: &SiteTest) -> (i32, String) {
    let script = format!(
        "ulimit -v {MEMORY_BOUND_KB}; exec \"{}\" --root \"{}\" build",
        env!("CARGO_BIN_EXE_parlor"),
        site.root().display()
    );
    let log = site.root().join("build.log");
    let mut child = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIME_BOUND {
            let _ = child.kill();
            panic!("the build hung (over {TIME_BOUND:?})");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    let code = status.code().unwrap_or_else(|| panic!("the build died of a signal: {status:?}\n{stderr}"));
    assert!(!stderr.contains("panicked"), "the build panicked:\n{stderr}");
    assert!(code == 0 || code == 1, "exit code {code}:\n{stderr}");
    (code, stderr)
}

#[test]
fn a_twenty_megabyte_post_and_a_megabyte_comment_build() {
    let site = SiteTest::new();
    let paragraph = "The callback queue cut our complaints in half, and the agents liked it too. ".repeat(20);
    let body: String =
        std::iter::repeat_n(format!("{paragraph}\n\n"), 20 * 1024 * 1024 / (paragraph.len() + 2) + 1)
            .collect();
    site.file("content/posts/big.md", &format!("---\ntitle: Big\ndate: 2020-01-01\n---\n{body}"));
    let comment = "A long comment with *emphasis* and [a link](https://example.org/). ".repeat(16_000);
    site.file("content/comments/big/huge.md", &comment_file("huge", "Talker", None, None, &comment));
    let (code, stderr) = bounded_build(&site);
    assert_eq!(code, 0, "{stderr}");
    let page = site.read("posts/big/index.html");
    assert!(page.len() > 20 * 1024 * 1024, "the whole post is on its page");
    assert!(page.contains("A long comment with <em>emphasis</em>"), "the comment is shown");
}

#[test]
fn ten_thousand_nested_lists_and_a_million_lines_build() {
    let site = SiteTest::new();
    let nested = format!("{}deep\n", "- ".repeat(10_000));
    let quotes = format!("{}deep\n", "> ".repeat(10_000));
    site.file(
        "content/posts/nested.md",
        &format!("---\ntitle: Nested\ndate: 2020-01-01\n---\n{nested}\n{quotes}"),
    );
    site.file(
        "content/comments/nested/deep.md",
        &comment_file("deep", "Nester", None, None, &format!("{nested}\n{quotes}")),
    );
    let lines: String = (0..1_000_000).map(|i| format!("line {i}\n")).collect();
    site.file("content/posts/lines.md", &format!("---\ntitle: Lines\ndate: 2020-01-02\n---\n{lines}"));
    let (code, stderr) = bounded_build(&site);
    assert_eq!(code, 0, "{stderr}");
    assert!(site.read("posts/lines/index.html").contains("line 999999"));
    assert!(site.read("posts/nested/index.html").contains("deep"));
}

#[test]
fn invalid_utf8_is_a_diagnostic_and_a_bom_or_crlf_is_fine() {
    let site = SiteTest::new();
    site.file("content/posts/bom.md", &format!("\u{feff}{}", post("With a BOM", "2020-01-01", "")));
    site.file(
        "content/posts/crlf.md",
        &post("With CRLF", "2020-01-02", "tags: [windows]\n").replace('\n', "\r\n"),
    );
    site.file(
        "content/comments/crlf/c1.md",
        &comment_file("c1", "Win", None, None, "Line one.\nLine two.").replace('\n', "\r\n"),
    );
    let (code, stderr) = bounded_build(&site);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(site.page("/posts/bom/").texts("main h1"), ["With a BOM"]);
    assert_eq!(site.page("/posts/crlf/").texts("main h1"), ["With CRLF"]);
    assert!(site.exists("tags/windows/index.html"), "CRLF front matter is read whole");
    assert!(site.read("posts/crlf/index.html").contains("Line two."));
    let mut bad = post("Bad bytes", "2020-01-03", "").into_bytes();
    bad.extend_from_slice(b"\xff\xfe not UTF-8 \xc3\x28\n");
    std::fs::write(site.root().join("content/posts/bad.md"), &bad).unwrap();
    std::fs::write(site.root().join("content/comments/crlf/c2.md"), b"---\nid: c2\xff\n---\n").unwrap();
    let (code, stderr) = bounded_build(&site);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("content/posts/bad.md") && stderr.contains("not valid UTF-8"), "{stderr}");
    assert!(stderr.contains("content/comments/crlf/c2.md"), "every problem is reported: {stderr}");
}

#[test]
fn traversal_in_every_slug_like_field_stays_inside_the_output() {
    let site = SiteTest::new();
    let evil = ["../../evil", "..\\..\\evil", "/etc/passwd", "%2e%2e%2fevil", "....//evil", "a/../../b"];
    for (i, s) in evil.iter().enumerate() {
        let front = format!(
            "slug: {}\ntags: [{}]\ncategory: {}\n",
            yaml(&format!("{s}-{i}")),
            yaml(&format!("{s}-tag")),
            yaml(&format!("{s}-cat"))
        );
        site.file(&format!("content/posts/p{i}.md"), &post(&format!("Post {i}"), "2020-01-01", &front));
    }
    site.file("content/pages/pg.md", "---\ntitle: Page\nslug: ../../page-escape\n---\nA page.\n");
    let run = site.build();
    let outside: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !["site.toml", "content", "public", ".parlor", ".public.previous"].contains(&n.as_str()))
        .collect();
    assert!(outside.is_empty(), "files outside the output: {outside:?}\n{}", run.stderr());
    for path in walk(&site.public("")) {
        let rel = path.strip_prefix(site.public("")).unwrap();
        assert!(rel.components().all(|c| matches!(c, std::path::Component::Normal(_))), "{}", rel.display());
        assert!(!rel.to_string_lossy().contains(".."), "{}", rel.display());
    }
    // Each slug is made safe (slugified), not refused.
    run.assert_ok();
    assert!(site.exists("posts/evil-0/index.html") && site.exists("page-escape/index.html"));
    assert_no_injection(&site.public(""));
}
