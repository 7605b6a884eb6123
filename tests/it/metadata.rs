//! What search engines and link previews read (README "Search engines and
//! sharing"): descriptions, OpenGraph and Twitter tags, `rel=prev/next`, and
//! each post's JSON-LD, checked against schema.org's own definitions
//! (`tests/fixtures/schemaorg/vocabulary.json`, made from schema.org's
//! published vocabulary by `tests/tools/schemaorg_vocabulary.py`).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{Page, SiteTest, post};

const SITE: &str = "title = \"Test Blog\"\nbase_url = \"https://blog.example.org/\"\ndescription = \"The site's own description.\"\nlanguage = \"en-gb\"\nposts_per_page = 2\nimage = \"/images/card.png\"\n\n[authors.ann]\nname = \"Ann Example\"\nbio = \"Answers phones.\"\n";

const POST: &str = "---
title: \"The refund that took nine weeks\"
date: 2020-03-01T09:30:00Z
updated: 2020-04-02T10:00:00Z
author: ann
category: Refunds
tags: [billing, phone calls]
image: cover.jpg
summary: \"Nine weeks, four calls and one letter: *how* a refund of 40 € went wrong & what fixed it.\"
---

The whole story, with a picture: ![map](map.png)
";

fn comment(id: &str, author: &str, minute: u32, status: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\nauthor: \"{author}\"\nemail: {id}@mail.example.net\ndate: 2020-03-02T10:{minute:02}:00Z\nstatus: {status}\n---\n{body}\n"
    )
}

fn meta(page: &Page, property: &str) -> Vec<String> {
    let mut found = page.attrs(&format!("meta[property=\"{property}\"]"), "content");
    found.extend(page.attrs(&format!("meta[name=\"{property}\"]"), "content"));
    found
}

fn one(page: &Page, property: &str) -> String {
    let found = meta(page, property);
    assert_eq!(found.len(), 1, "{property}: {found:?}");
    found[0].clone()
}

/// Every JSON-LD document of the page, parsed.
fn json_ld(page: &Page) -> Vec<Value> {
    page.texts("script[type=\"application/ld+json\"]")
        .iter()
        .map(|t| serde_json::from_str(t).unwrap_or_else(|e| panic!("{e}: {t}")))
        .collect()
}

fn blog_site() -> SiteTest {
    let site = SiteTest::with_config(SITE);
    site.file("content/posts/refund.md", POST);
    site.file(
        "content/comments/refund/c1.md",
        &comment("c1", "Priya Raman", 1, "approved", "Same here: **nine** weeks & more."),
    );
    site.file(
        "content/comments/refund/c2.md",
        &comment("c2", "Tom", 2, "approved", "Keep every letter, it helps later on."),
    );
    site.file(
        "content/comments/refund/c3.md",
        &comment("c3", "Pending Person", 3, "pending", "Not yet published text."),
    );
    site.file("content/posts/plain.md", &post("Plain", "2020-01-01", ""));
    site.file(
        "content/posts/pictured.md",
        &post("Pictured", "2020-01-02", "").replace("More text.", "![a](/img/first.png) ![b](second.png)"),
    );
    site.build().assert_ok();
    site
}

#[test]
fn a_post_has_every_tag_with_its_values_and_nothing_unpublished() {
    let site = blog_site();
    let page = site.page("/posts/refund/");
    let url = "https://blog.example.org/posts/refund/";
    let description =
        "Nine weeks, four calls and one letter: how a refund of 40 € went wrong & what fixed it.";
    assert_eq!(one(&page, "description"), description);
    assert_eq!(one(&page, "og:description"), description);
    assert_eq!(one(&page, "twitter:description"), description);
    assert_eq!(one(&page, "og:title"), "The refund that took nine weeks");
    assert_eq!(one(&page, "twitter:title"), "The refund that took nine weeks");
    assert_eq!(one(&page, "og:type"), "article");
    assert_eq!(one(&page, "og:url"), url);
    assert_eq!(one(&page, "og:site_name"), "Test Blog");
    assert_eq!(one(&page, "og:locale"), "en_GB");
    assert_eq!(one(&page, "article:published_time"), "2020-03-01T09:30:00+00:00");
    assert_eq!(one(&page, "article:modified_time"), "2020-04-02T10:00:00+00:00");
    assert_eq!(one(&page, "article:author"), "https://blog.example.org/authors/ann/");
    assert_eq!(one(&page, "article:section"), "Refunds");
    assert_eq!(meta(&page, "article:tag"), ["billing", "phone calls"]);
    // The front matter's image wins over the text's first one.
    assert_eq!(one(&page, "og:image"), "https://blog.example.org/posts/refund/cover.jpg");
    assert_eq!(one(&page, "twitter:image"), "https://blog.example.org/posts/refund/cover.jpg");
    assert_eq!(one(&page, "twitter:card"), "summary_large_image");

    let docs = json_ld(&page);
    assert_eq!(docs.len(), 2, "{docs:?}");
    let posting = &docs[0];
    assert_eq!(posting["@context"], "https://schema.org");
    assert_eq!(posting["@type"], "BlogPosting");
    assert_eq!(posting["headline"], "The refund that took nine weeks");
    assert_eq!(posting["description"], description);
    assert_eq!(posting["url"], url);
    assert_eq!(posting["mainEntityOfPage"]["@id"], url);
    assert_eq!(posting["datePublished"], "2020-03-01T09:30:00+00:00");
    assert_eq!(posting["dateModified"], "2020-04-02T10:00:00+00:00");
    assert_eq!(posting["author"]["@type"], "Person");
    assert_eq!(posting["author"]["name"], "Ann Example");
    assert_eq!(posting["author"]["url"], "https://blog.example.org/authors/ann/");
    assert_eq!(posting["publisher"]["name"], "Test Blog");
    assert_eq!(posting["image"], "https://blog.example.org/posts/refund/cover.jpg");
    assert_eq!(posting["keywords"], serde_json::json!(["billing", "phone calls"]));
    assert_eq!(posting["articleSection"], "Refunds");
    assert_eq!(posting["commentCount"], 2);
    let comments = posting["comment"].as_array().expect("comments");
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["@type"], "Comment");
    assert_eq!(comments[0]["author"]["name"], "Priya Raman");
    assert_eq!(comments[0]["dateCreated"], "2020-03-02T10:01:00+00:00");
    assert_eq!(comments[0]["text"], "Same here: nine weeks & more.");
    assert_eq!(comments[0]["url"], format!("{url}#comment-c1"));
    assert_eq!(comments[1]["author"]["name"], "Tom");
    // The comment's permalink is an element of the page.
    assert_eq!(page.count("#comment-c1"), 1);

    let crumbs = &docs[1];
    assert_eq!(crumbs["@type"], "BreadcrumbList");
    let names: Vec<&str> =
        crumbs["itemListElement"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Test Blog", "Refunds", "The refund that took nine weeks"]);
    let items: Vec<&str> =
        crumbs["itemListElement"].as_array().unwrap().iter().map(|i| i["item"].as_str().unwrap()).collect();
    assert_eq!(items, ["https://blog.example.org/", "https://blog.example.org/categories/refunds/", url]);

    let html = site.read("posts/refund/index.html");
    for secret in ["Pending Person", "Not yet published", "mail.example.net", "@mail"] {
        assert!(!html.contains(secret), "{secret} is on the page");
    }
}

#[test]
fn images_fall_back_to_the_text_then_the_site_and_lists_describe_themselves() {
    let site = blog_site();
    let pictured = site.page("/posts/pictured/");
    assert_eq!(one(&pictured, "og:image"), "https://blog.example.org/img/first.png");
    let plain = site.page("/posts/plain/");
    assert_eq!(one(&plain, "og:image"), "https://blog.example.org/images/card.png");
    assert_eq!(one(&plain, "description"), "The first paragraph of Plain.");
    assert_eq!(meta(&plain, "article:modified_time"), Vec::<String>::new());
    assert_eq!(meta(&plain, "article:tag"), Vec::<String>::new());

    let home = site.page("/");
    assert_eq!(one(&home, "description"), "The site's own description.");
    assert_eq!(one(&home, "og:type"), "website");
    assert_eq!(one(&home, "og:title"), "Test Blog");
    assert_eq!(one(&home, "og:image"), "https://blog.example.org/images/card.png");
    assert_eq!(home.count("script[type=\"application/ld+json\"]"), 0);
    // Three posts, two a page.
    assert_eq!(home.attrs("link[rel=next]", "href"), ["https://blog.example.org/page/2/"]);
    assert_eq!(home.count("link[rel=prev]"), 0);
    let second = site.page("/page/2/");
    assert_eq!(second.attrs("link[rel=prev]", "href"), ["https://blog.example.org/"]);
    assert_eq!(second.count("link[rel=next]"), 0);

    let tag = site.page("/tags/billing/");
    assert_eq!(one(&tag, "description"), "Posts tagged “billing” on Test Blog.");
    assert_eq!(one(&tag, "og:url"), "https://blog.example.org/tags/billing/");
    let category = site.page("/categories/refunds/");
    assert_eq!(one(&category, "description"), "Posts filed under “Refunds” on Test Blog.");
    let archive = site.page("/archive/");
    assert_eq!(archive.count("link[rel=next], link[rel=prev]"), 0);
    assert_eq!(one(&archive, "description"), "Every post on Test Blog, by date.");
}

#[test]
fn a_comment_cannot_close_the_json_ld_script() {
    let site = SiteTest::with_config(SITE);
    site.file("content/posts/p.md", &post("Post", "2020-01-01", ""));
    let attack = "Nice. `</script><script>alert(1)</script>` and </script><script>alert(2)</script> <!-- x";
    site.file("content/comments/p/c1.md", &comment("c1", "</script><b>Mallory", 1, "approved", attack));
    site.build().assert_ok();
    let html = site.read("posts/p/index.html");
    let page = site.page("/posts/p/");
    // No script but the two JSON-LD documents and the form's own: nothing broke out.
    assert_eq!(page.count("script[type=\"application/ld+json\"]"), 2, "{html}");
    assert_eq!(page.count("script"), 3, "{html}");
    assert!(!html.contains("alert(1)</script>") && !html.contains("<script>alert"), "{html}");
    let docs = json_ld(&page);
    let c = &docs[0]["comment"][0];
    assert_eq!(c["author"]["name"], "</script><b>Mallory");
    let text = c["text"].as_str().unwrap();
    assert!(text.contains("</script><script>alert(1)</script>"), "{text}");
    let script = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    assert!(script.contains("\\u003c/script\\u003e"), "{script}");
    assert!(!script.contains('<') && !script.contains('&'), "{script}");
}

#[test]
fn comment_pages_link_to_each_other_and_carry_no_json_ld_of_their_own() {
    let site = SiteTest::with_config(&format!("{SITE}\n[comments]\nper_page = 1\n"));
    site.file("content/posts/refund.md", POST);
    site.file("content/comments/refund/c1.md", &comment("c1", "Priya", 1, "approved", "First comment here."));
    site.file("content/comments/refund/c2.md", &comment("c2", "Tom", 2, "approved", "Second comment here."));
    site.build().assert_ok();
    let first = site.page("/posts/refund/");
    assert_eq!(first.attrs("link[rel=next]", "href"), ["https://blog.example.org/posts/refund/comments/2/"]);
    // The post's JSON-LD holds every comment, each at its own page.
    let urls: Vec<String> = json_ld(&first)[0]["comment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        urls,
        [
            "https://blog.example.org/posts/refund/#comment-c1",
            "https://blog.example.org/posts/refund/comments/2/#comment-c2"
        ]
    );
    let second = site.page("/posts/refund/comments/2/");
    assert_eq!(second.attrs("link[rel=prev]", "href"), ["https://blog.example.org/posts/refund/"]);
    assert_eq!(one(&second, "og:url"), "https://blog.example.org/posts/refund/comments/2/");
    assert_eq!(one(&second, "og:type"), "article");
    assert_eq!(second.count("script[type=\"application/ld+json\"]"), 0);
    assert_eq!(second.count("#comment-c2"), 1);
}

/// schema.org's definitions of the types parlor emits, with their parents.
struct Vocabulary {
    parents: HashMap<String, Vec<String>>,
    /// Each property's domains and ranges.
    properties: HashMap<String, (Vec<String>, Vec<String>)>,
}

impl Vocabulary {
    fn load() -> Vocabulary {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemaorg/vocabulary.json");
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let names = |v: &Value| -> Vec<String> {
            v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
        };
        let parents =
            v["types"].as_object().unwrap().iter().map(|(k, t)| (k.clone(), names(&t["parents"]))).collect();
        let properties = v["properties"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, p)| (k.clone(), (names(&p["domains"]), names(&p["ranges"]))))
            .collect();
        Vocabulary { parents, properties }
    }

    /// `t` and every type above it.
    fn ancestors(&self, t: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut todo = vec![t.to_string()];
        while let Some(t) = todo.pop() {
            if let Some(ps) = self.parents.get(&t) {
                todo.extend(ps.iter().cloned());
            }
            out.insert(t);
        }
        out
    }

    /// Problems of one typed node and every node under it.
    fn check(&self, node: &Value, at: &str, problems: &mut Vec<String>) {
        let Some(t) = node["@type"].as_str() else {
            problems.push(format!("{at}: no @type"));
            return;
        };
        if !self.parents.contains_key(t) {
            problems.push(format!("{at}: `{t}` is not in the fixture (a schema.org type? run tests/tools/schemaorg_vocabulary.py with it)"));
            return;
        }
        let mine = self.ancestors(t);
        for (key, value) in node.as_object().unwrap() {
            if key.starts_with('@') {
                continue;
            }
            let Some((domains, ranges)) = self.properties.get(key) else {
                problems.push(format!("{at}: `{key}` is not a property of `{t}` or its parents"));
                continue;
            };
            if !domains.iter().any(|d| mine.contains(d)) {
                problems.push(format!("{at}: `{key}` is for {domains:?}, not `{t}`"));
            }
            let values = match value {
                Value::Array(a) => a.iter().collect(),
                v => vec![v],
            };
            for (k, v) in values.into_iter().enumerate() {
                let here = format!("{at}.{key}[{k}]");
                match v {
                    Value::Object(_) => {
                        if let Some(inner) = v["@type"].as_str()
                            && !self.ancestors(inner).iter().any(|a| ranges.contains(a))
                        {
                            problems.push(format!("{here}: `{inner}` is none of {ranges:?}"));
                        }
                        self.check(v, &here, problems);
                    }
                    Value::Number(_) if !ranges.iter().any(|r| r == "Integer" || r == "Number") => {
                        problems.push(format!("{here}: a number where {ranges:?} is expected"))
                    }
                    // schema.org takes text where it expects a thing; dates and
                    // URLs must read as such.
                    Value::String(s) => {
                        if ranges.iter().all(|r| r == "DateTime" || r == "Date") {
                            let ok = s.parse::<jiff::Timestamp>().is_ok()
                                || s.parse::<jiff::civil::Date>().is_ok();
                            if !ok {
                                problems.push(format!("{here}: `{s}` is not a date"));
                            }
                        }
                        if ranges.iter().all(|r| r == "Integer" || r == "Number") {
                            problems.push(format!("{here}: text `{s}` where {ranges:?} is expected"));
                        }
                        if ranges.iter().all(|r| r == "URL") && url::Url::parse(s).is_err() {
                            problems.push(format!("{here}: `{s}` is not a URL"));
                        }
                    }
                    Value::Number(_) => {}
                    other => problems.push(format!("{here}: unexpected {other}")),
                }
            }
        }
    }
}

#[test]
fn the_json_ld_uses_only_schema_orgs_types_and_their_properties() {
    let vocab = Vocabulary::load();
    let site = blog_site();
    let docs = json_ld(&site.page("/posts/refund/"));
    let mut problems = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        vocab.check(doc, &format!("doc{i}"), &mut problems);
    }
    assert_eq!(problems, Vec::<String>::new());

    // The check itself finds what is wrong.
    let wrong = serde_json::json!({"@type": "BlogPosting", "headline": "x", "commentCount": "2", "author": {"@type": "Comment", "name": "x"}, "itemListElement": [], "colour": "red", "datePublished": "yesterday"});
    let mut problems = Vec::new();
    vocab.check(&wrong, "wrong", &mut problems);
    assert_eq!(problems.len(), 5, "{problems:#?}");
    let mut problems = Vec::new();
    vocab.check(&serde_json::json!({"@type": "Posting"}), "wrong", &mut problems);
    assert_eq!(problems.len(), 1);
}

/// The example site (the repository itself): every post page has complete
/// OpenGraph tags, a description of its own and valid JSON-LD.
#[test]
fn every_post_of_the_example_site_has_complete_metadata() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let status = Command::new(env!("CARGO_BIN_EXE_parlor"))
        .args(["--root", repo.to_str().unwrap(), "build", "--output", public.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let site_description = "Customer-service stories worth arguing about, and the readers who argue.";
    let vocab = Vocabulary::load();
    let mut seen = 0;
    for entry in std::fs::read_dir(repo.join("content/posts")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(slug) = name.strip_suffix(".md") else { continue };
        let html = std::fs::read_to_string(public.join(format!("posts/{slug}/index.html"))).unwrap();
        let page = Page { html: scraper::Html::parse_document(&html) };
        let url = format!("https://parlor.example.org/posts/{slug}/");
        assert_eq!(one(&page, "og:url"), url);
        assert_eq!(one(&page, "og:type"), "article");
        assert_eq!(one(&page, "og:site_name"), "The Service Desk");
        assert_eq!(one(&page, "og:locale"), "en");
        assert_eq!(one(&page, "og:title"), page.texts("main h1")[0]);
        for property in ["description", "og:description", "twitter:description"] {
            let d = one(&page, property);
            assert!(!d.is_empty() && d != site_description, "{slug}: {property} `{d}`");
            assert!(d.chars().count() <= 161, "{slug}: {d}");
        }
        for property in
            ["article:published_time", "article:author", "article:section", "twitter:card", "twitter:title"]
        {
            assert!(!one(&page, property).is_empty(), "{slug}: {property}");
        }
        assert!(!meta(&page, "article:tag").is_empty(), "{slug}");
        let image = meta(&page, "og:image");
        assert_eq!(image.is_empty(), one(&page, "twitter:card") == "summary", "{slug}");
        assert!(image.iter().all(|i| i.starts_with("https://parlor.example.org/")), "{slug}: {image:?}");
        let mut problems = Vec::new();
        for doc in json_ld(&page) {
            vocab.check(&doc, slug, &mut problems);
        }
        assert_eq!(problems, Vec::<String>::new());
        seen += 1;
    }
    assert!(seen >= 9, "{seen} posts");
}
