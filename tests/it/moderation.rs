//! The moderator's commands on real files: verdicts with reasons, recorded
//! atomically, bodies kept byte for byte, nothing ever deleted.

use std::collections::BTreeMap;
use std::process::Command;

use crate::support::{SiteTest, key, post};

const BODIES: &[(&str, &str, &str)] = &[
    ("m1", "pending", "Good post"),
    (
        "m2",
        "pending",
        "Two links: https://a.example.org/2020/x and https://b.example.org/2020/y, both\r\nworth reading for anyone who answers phones.\n\n  Indented line kept.  ",
    ),
    ("m3", "pending", "The callback queue worked for us as well, and the complaints dropped within a month."),
    ("m4", "approved", "cheap loans payday loans fast loans instant loans online"),
    ("m5", "approved", "An approved comment that reads like an ordinary sentence about service."),
    ("m6", "pending", "gaslight justin timberlake michael dyer bachmann bachmann iowa caucus results"),
];

fn site() -> SiteTest {
    let site = SiteTest::new();
    site.file("content/posts/p.md", &post("P", "2020-01-01", ""));
    for (id, status, body) in BODIES {
        let text = format!(
            "---\nid: {id}\nauthor: Reader\nemail: r@private.example\ndate: 2020-02-01T10:0{}:00Z\nstatus: {status}\n---\n{body}",
            &id[1..]
        );
        site.file(&format!("content/comments/p/{id}.md"), &text);
    }
    site
}

/// Each comment file's body (everything after the front matter), by id.
fn bodies(site: &SiteTest) -> BTreeMap<String, Vec<u8>> {
    let dir = site.root().join("content/comments/p");
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".md").filter(|_| !name.starts_with('.')) {
            let bytes = std::fs::read(e.path()).unwrap();
            let text = String::from_utf8(bytes).unwrap();
            let body_start = text[4..].find("\n---\n").unwrap() + 4 + 5;
            out.insert(id.to_string(), text.as_bytes()[body_start..].to_vec());
        }
    }
    out
}

fn file(site: &SiteTest, id: &str) -> String {
    std::fs::read_to_string(site.root().join(format!("content/comments/p/{id}.md"))).unwrap()
}

#[test]
fn moderate_prints_verdicts_and_reasons() {
    let site = site();
    let run = site.run(&["moderate"]);
    run.assert_ok();
    let out = run.stdout();
    let line = |id: &str| {
        out.lines().find(|l| l.starts_with(id)).unwrap_or_else(|| panic!("{id} in {out}")).to_string()
    };
    assert!(line("m1").contains("reject") && line("m1").contains("generic_praise"), "{out}");
    assert!(line("m2").contains("reject") && line("m2").contains("too_many_links"), "{out}");
    assert!(line("m3").contains("pass"), "{out}");
    assert!(line("m6").contains("spam") && line("m6").contains("keyword_stuffing"), "{out}");
    assert!(!out.contains("m4") && !out.contains("m5"), "only pending comments: {out}");
    let before = bodies(&site);
    let json = site.run(&["moderate", "--json", "--post", "p"]);
    json.assert_ok();
    let objects: Vec<serde_json::Value> =
        json.stdout().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objects.len(), 4);
    let m2 = objects.iter().find(|o| o["id"] == "m2").unwrap();
    assert_eq!(m2["post"], "p");
    assert_eq!(m2["verdict"], "reject");
    assert_eq!(m2["rules"][0]["code"], "too_many_links");
    assert_eq!(m2["rules"][0]["verdict"], "reject");
    assert!(m2["rules"][0]["message"].as_str().unwrap().contains("2 links"));
    assert_eq!(bodies(&site), before, "without --apply nothing changes");
}

#[test]
fn apply_then_approve_round_trips_bodies_byte_for_byte() {
    let site = site();
    let before = bodies(&site);
    site.run(&["moderate", "--apply"]).assert_ok();
    assert_eq!(bodies(&site), before);
    let m1 = file(&site, "m1");
    assert_eq!(
        [key(&m1, "status"), key(&m1, "moderation.rules")],
        ["rejected", "- generic_praise\n- too_short"],
        "{m1}"
    );
    assert_eq!(key(&file(&site, "m3"), "status"), "pending", "hold mode: a passing comment waits");
    assert_eq!(key(&file(&site, "m6"), "status"), "spam");
    site.run(&["comments", "approve", "m1", "m3"]).assert_ok();
    site.run(&["comments", "reject", "m2", "--reason", "two links, and \"quotes\": fine"]).assert_ok();
    site.run(&["comments", "spam", "m5"]).assert_ok();
    assert_eq!(bodies(&site), before, "bodies are byte-identical after every rewrite");
    assert_eq!(
        [key(&file(&site, "m1"), "status"), key(&file(&site, "m1"), "moderation.by")],
        ["approved", "moderator"]
    );
    assert_eq!(key(&file(&site, "m2"), "moderation.reason"), "two links, and \"quotes\": fine");
    // The site still builds and shows what was approved.
    site.build().assert_ok();
    let page = site.page("/posts/p/");
    assert_eq!(page.attrs("li.comment", "id"), ["comment-m1", "comment-m3", "comment-m4"]);
    let list = site.run(&["comments", "list", "--status", "spam"]);
    assert_eq!(list.stdout().lines().filter(|l| l.starts_with('m')).count(), 2, "{}", list.stdout());
}

#[test]
fn auto_mode_approves_what_passes_and_rules_can_be_softened() {
    let site = site();
    site.file(
        "site.toml",
        &format!("{}\n[moderation]\nmode = \"auto\"\n\n[moderation.verdicts]\ntoo_many_links = \"hold\"\nfirst_comment = \"off\"\n", crate::support::CONFIG),
    );
    site.run(&["moderate", "--apply"]).assert_ok();
    assert!(file(&site, "m3").contains("status: approved"), "{}", file(&site, "m3"));
    assert!(
        file(&site, "m2").contains("status: pending"),
        "links hold, WordPress-style: {}",
        file(&site, "m2")
    );
}

#[test]
fn recheck_lists_approved_comments_that_would_fail_and_changes_nothing() {
    let site = site();
    // Closing the post later does not make its approved comments fail.
    site.file("content/posts/p.md", &post("P", "2020-01-01", "comments: closed\n"));
    let before: Vec<String> = ["m4", "m5"].iter().map(|id| file(&site, id)).collect();
    let run = site.run(&["moderate", "--recheck"]);
    run.assert_ok();
    let out = run.stdout();
    assert!(out.lines().any(|l| l.starts_with("m4") && l.contains("keyword_stuffing")), "{out}");
    assert!(!out.contains("m5") && !out.contains("m1"), "{out}");
    let after: Vec<String> = ["m4", "m5"].iter().map(|id| file(&site, id)).collect();
    assert_eq!(before, after);
}

#[test]
fn ids_by_unambiguous_prefix() {
    let site = site();
    let show = site.run(&["comments", "show", "m2"]);
    show.assert_ok();
    let out = show.stdout();
    assert!(out.contains("reject too_many_links    2 links; the policy allows at most 1"), "{out}");
    assert!(out.contains("found: \u{201c}https://a.example.org/2020/x\u{201d}"), "{out}");
    let ambiguous = site.run(&["comments", "approve", "m"]);
    assert_eq!(ambiguous.code(), 1);
    assert!(ambiguous.stderr().contains("matches 6 comments"), "{}", ambiguous.stderr());
    let missing = site.run(&["comments", "approve", "m1", "zz"]);
    assert_eq!(missing.code(), 1);
    assert!(file(&site, "m1").contains("status: pending"), "a typo in one id changes nothing");
}

#[test]
fn a_crash_between_write_and_rename_leaves_the_file_whole() {
    let site = site();
    let original = file(&site, "m1");
    let status = Command::new(env!("CARGO_BIN_EXE_parlor"))
        .args(["--root", site.root().to_str().unwrap(), "comments", "approve", "m1"])
        .env("PARLOR_TEST_CRASH_BEFORE_RENAME", "1")
        .status()
        .unwrap();
    assert!(!status.success(), "the failpoint aborts");
    assert_eq!(file(&site, "m1"), original, "the original is whole");
    let dir = site.root().join("content/comments/p");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with(".parlor-") && n.ends_with(".tmp")),
        "the new text waits in a temp file: {names:?}"
    );
    // The stray temp file is not a comment, and the next try works.
    site.build().assert_ok();
    site.run(&["comments", "approve", "m1"]).assert_ok();
    assert!(file(&site, "m1").contains("status: approved"));
}

#[test]
fn nothing_is_ever_deleted() {
    let site = site();
    let count = || {
        std::fs::read_dir(site.root().join("content/comments/p"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".md"))
            .count()
    };
    site.run(&["moderate", "--apply"]).assert_ok();
    site.run(&["comments", "reject", "m3"]).assert_ok();
    site.run(&["comments", "spam", "m4"]).assert_ok();
    assert_eq!(count(), BODIES.len());
}

/// Issue 17: the moderator read a post's `comments:` with a parser of its
/// own, where an unknown value silently meant open; the build calls it an
/// error. Both now read the post through the same front matter parser.
#[test]
fn issue_17_the_moderator_reads_a_posts_comments_key_as_the_build_does() {
    let site = SiteTest::new();
    site.file("content/posts/p.md", &post("P", "2020-01-01", "comments: maybe\n"));
    site.file("content/posts/q.md", &post("Q", "2020-01-01", "comments: closed\n"));
    let comment = |id: &str| {
        format!(
            "---\nid: {id}\nauthor: Reader\ndate: 2020-02-01T10:00:00Z\nstatus: pending\n---\nThe callback queue worked for us as well.\n"
        )
    };
    site.file("content/comments/p/c1.md", &comment("c1"));
    site.file("content/comments/q/c2.md", &comment("c2"));
    let build = site.run(&["build"]);
    assert!(build.stderr().contains("`comments: maybe` is not known"), "{}", build.stderr());
    let run = site.run(&["moderate"]);
    run.assert_ok();
    assert!(run.stderr().contains("`comments: maybe` is not known"), "the same problem: {}", run.stderr());
    assert!(!run.stdout().contains("c1"), "a post with errors takes no comments: {}", run.stdout());
    let c2 = run.stdout().lines().find(|l| l.contains("c2")).unwrap_or_default().to_string();
    assert!(c2.contains("comments_closed"), "{}", run.stdout());
}
