//! The hot stages of a build, one at a time: front matter, Markdown,
//! highlighting, comment sanitising, and templating a whole site.
//! `cargo bench --bench stages`. The whole-build comparison with Hugo is
//! `benches/compare.sh`; the method and figures are in BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::Path;

use parlor::diag::Diagnostics;
use parlor::parse::{front_matter, highlight, markdown};

fn main() {
    divan::main();
}

const WORDS: &[&str] = &[
    "the",
    "refund",
    "queue",
    "agent",
    "called",
    "back",
    "policy",
    "explained",
    "why",
    "customer",
    "waited",
    "three",
    "weeks",
    "and",
    "nobody",
    "answered",
    "ticket",
    "escalated",
    "manager",
    "apologised",
];

/// About 600 words in paragraphs, a heading, a list and a link, like the
/// synthetic corpus of `../shared/bench/gen_corpus.py`.
fn body(seed: usize) -> String {
    let mut text = String::new();
    let mut n = seed;
    for para in 0..8 {
        if para == 3 {
            text.push_str(
                "## What happened next\n\n- one call\n- two emails\n- a [letter](https://example.org/)\n\n",
            );
        }
        for _ in 0..75 {
            n = n.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            text.push_str(WORDS[(n >> 33) % WORDS.len()]);
            text.push(' ');
        }
        text.push_str("\n\n");
    }
    text
}

const CODE: &str = "use std::collections::HashMap;\n\npub struct Queue {\n    items: Vec<u64>,\n    index: HashMap<String, usize>,\n}\n\nimpl Queue {\n    pub fn first_above(&self, key: &str) -> Option<usize> {\n        let limit = 42;\n        for (i, v) in self.items.iter().enumerate() {\n            if *v > limit {\n                return Some(i);\n            }\n        }\n        // fall back to the lookup table\n        self.index.get(key).copied()\n    }\n}\n";

fn post_text(i: usize) -> String {
    format!(
        "---\ntitle: \"Refund Notes {i}\"\ndate: 2020-01-{:02}T10:00:00Z\nauthor: ann\ncategory: Support\ntags: [refunds, phones, queues]\n---\n\n{}",
        i % 28 + 1,
        body(i)
    )
}

#[divan::bench]
fn front_matter_of_a_post(bencher: divan::Bencher) {
    let text = post_text(1);
    bencher.bench(|| {
        let split = front_matter::split(divan::black_box(&text)).unwrap();
        front_matter::parse(&text, &split).unwrap()
    });
}

#[divan::bench]
fn markdown_of_a_600_word_post(bencher: divan::Bencher) {
    let text = body(1);
    bencher.bench(|| markdown::render(divan::black_box(&text)));
}

/// Each run a block of its own (other names, as posts have), so lines with
/// names are highlighted afresh and the rest come from the line memo, as in a build.
#[divan::bench]
fn highlighting_a_20_line_rust_block(bencher: divan::Bencher) {
    let counter = std::sync::atomic::AtomicU64::new(0);
    bencher
        .with_inputs(|| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            CODE.replace("Queue", &format!("Queue{n}"))
                .replace("items", &format!("items_{n}"))
                .replace("first_above", &format!("first_above_{n}"))
        })
        .bench_refs(|code| highlight::code_block(divan::black_box(code), "rust"));
}

/// The same block every run: every line comes from the line memo.
#[divan::bench]
fn highlighting_a_20_line_rust_block_seen_before(bencher: divan::Bencher) {
    bencher.bench(|| highlight::code_block(divan::black_box(CODE), "rust"));
}

#[divan::bench]
fn sanitising_a_comment(bencher: divan::Bencher) {
    let text = "I *disagree* a little (see [my notes](https://example.org/notes)).\n\n> quoted\n\n<script>alert(1)</script>";
    bencher.bench(|| parlor::parse::comment::render_body(divan::black_box(text)));
}

/// A site of 300 posts with 3 comments each, written to a temp folder.
fn write_site(root: &Path) {
    let config = "title = \"Bench\"\nbase_url = \"https://example.org/\"\nposts_per_page = 10\n\n[authors.ann]\nname = \"Ann\"\n";
    std::fs::write(root.join("site.toml"), config).unwrap();
    for i in 0..300 {
        let dir = root.join("content/posts");
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = post_text(i);
        if i % 3 == 0 {
            let _ = write!(text, "\n```rust\n{CODE}```\n");
        }
        std::fs::write(dir.join(format!("refund-notes-{i}.md")), text).unwrap();
        let comments = root.join(format!("content/comments/refund-notes-{i}"));
        std::fs::create_dir_all(&comments).unwrap();
        for c in 0..3 {
            let comment = format!(
                "---\nid: c{i}x{c}\nauthor: Reader {c}\ndate: 2020-02-01T10:0{c}:00Z\nstatus: approved\n---\n\nThis matches what we saw. {}\n",
                &body(c)[..120]
            );
            std::fs::write(comments.join(format!("c{i}x{c}.md")), comment).unwrap();
        }
    }
}

#[divan::bench(sample_count = 20)]
fn templating_a_300_post_site(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path());
    let diags = Diagnostics::new();
    let config = parlor::config::Config::load(dir.path(), &diags).unwrap();
    let sources = parlor::load::load(dir.path(), &config.theme, None, &diags);
    let tera = parlor::render::compile_theme(&sources.theme).unwrap();
    let none = parlor::parse::cache::ContentCache::none();
    let parsed = parlor::parse::parse(sources, &config, None, &none, &parlor::NoProgress, &diags);
    let options = parlor::model::ModelOptions { include_drafts: false, now: jiff::Timestamp::now() };
    let model = parlor::model::build(parsed, config, options, &diags);
    assert!(!diags.has_errors());
    bencher.bench(|| {
        let rendered = parlor::render::render(
            &model,
            &tera,
            None,
            None,
            &parlor::render::KeepAll,
            &parlor::NoProgress,
            &diags,
        );
        assert!(rendered.pages > 300);
        rendered
    });
}
