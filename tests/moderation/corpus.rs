//! The moderation corpus (`tests/moderation/corpus/*.txt`, format in its
//! README): read, and written out as a site whose comments carry the
//! labels as their status (spam as `spam`, ham as `approved`). Shared by
//! the corpus test (`tests/it/spam_corpus.rs`) and the moderation
//! benchmark (`benches/moderation.rs`).

#![allow(dead_code, unreachable_pub)] // each user takes what it needs

use std::path::{Path, PathBuf};

/// The posts a record may be on.
pub const POSTS: &[(&str, &str)] = &[
    ("refunds", "Refunds that arrive before anyone asks"),
    ("hold-music", "Hold music is a message"),
    ("password-reset", "A script for the password-reset queue"),
    ("wardrobe", "The wardrobe that arrived twice"),
    ("outage", "Closing the loop after an outage"),
];

/// One labelled comment.
#[derive(Debug, Clone)]
pub struct Record {
    /// Where it is written: `promotion.txt:12`.
    pub place: String,
    pub spam: bool,
    /// The rule that must catch it.
    pub rule: Option<String>,
    pub author: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub post: String,
    pub body: String,
}

/// The corpus folder of this repository.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moderation/corpus")
}

/// Every record of every file, files in name order.
pub fn read() -> Vec<Record> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("the corpus folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            parse(
                &f.file_name().unwrap_or_default().to_string_lossy(),
                &std::fs::read_to_string(f).expect("readable"),
            )
        })
        .collect()
}

/// The records of one file's `text`.
pub fn parse(name: &str, text: &str) -> Vec<Record> {
    let mut records = Vec::new();
    let mut current: Option<(Record, Vec<&str>)> = None;
    for (n, line) in text.lines().enumerate() {
        if let Some(header) = line.strip_prefix("--- ") {
            if let Some(done) = current.take() {
                records.push(finish(done));
            }
            current = Some((header_record(header, &format!("{name}:{}", n + 1)), Vec::new()));
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    records.extend(current.map(finish));
    records
}

fn finish((mut record, mut lines): (Record, Vec<&str>)) -> Record {
    // Blank lines and `#` notes between records belong to no body.
    while lines.last().is_some_and(|l| l.trim().is_empty() || l.starts_with('#')) {
        lines.pop();
    }
    record.body = lines.join("\n") + "\n";
    record
}

fn header_record(header: &str, place: &str) -> Record {
    let mut record = Record {
        place: place.to_string(),
        spam: false,
        rule: None,
        author: None,
        website: None,
        email: None,
        post: "refunds".into(),
        body: String::new(),
    };
    let mut rest = header.trim();
    let mut first = true;
    while !rest.is_empty() {
        let (token, after) = next_token(rest);
        rest = after.trim_start();
        match token.split_once('=') {
            Some((key, value)) => {
                let value = value.trim_matches('"').to_string();
                match key {
                    "author" => record.author = Some(value),
                    "website" => record.website = Some(value),
                    "email" => record.email = Some(value),
                    "post" => record.post = value,
                    other => panic!("{place}: unknown key `{other}`"),
                }
            }
            None if first => {
                record.spam = match token {
                    "spam" => true,
                    "ham" => false,
                    other => panic!("{place}: the label must be spam or ham, not `{other}`"),
                }
            }
            None => record.rule = Some(token.to_string()),
        }
        first = false;
    }
    assert!(POSTS.iter().any(|(slug, _)| *slug == record.post), "{place}: unknown post `{}`", record.post);
    record
}

/// The next space-separated token, a quoted value kept whole.
fn next_token(s: &str) -> (&str, &str) {
    let mut in_quotes = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ' ' if !in_quotes => return (&s[..i], &s[i..]),
            _ => {}
        }
    }
    (s, "")
}

/// Writes `records` as a site in `root`: `site.toml`, the five posts, and
/// one comment file each, a minute apart in corpus order, spam as `spam`
/// and ham as `approved`. The comment ids are `c0001`, ... in order.
pub fn write_site(root: &Path, records: &[Record]) {
    let write = |path: PathBuf, text: String| {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        std::fs::write(path, text).expect("written");
    };
    write(root.join("site.toml"), "title = \"Corpus\"\nbase_url = \"https://corpus.example.org/\"\n".into());
    for (slug, title) in POSTS {
        write(
            root.join(format!("content/posts/{slug}.md")),
            format!(
                "---\ntitle: {title:?}\ndate: 2020-01-01T09:00:00Z\n---\nA post for the corpus to be on.\n"
            ),
        );
    }
    let start = jiff::Timestamp::from_second(1_580_515_200).expect("a time"); // 2020-02-01
    for (n, r) in records.iter().enumerate() {
        let id = format!("c{:04}", n + 1);
        let date = start + jiff::SignedDuration::from_mins(n as i64);
        let author = r.author.clone().unwrap_or_else(|| format!("Reader {}", n + 1));
        let text = parlor::parse::comment::NewComment {
            id: &id,
            author: &author,
            email: r.email.as_deref(),
            website: r.website.as_deref(),
            date: &date.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            reply_to: None,
            member: false,
            body: &r.body,
        }
        .file_text(parlor::parse::comment::Recorded::Status(if r.spam {
            parlor::parse::comment::Status::Spam
        } else {
            parlor::parse::comment::Status::Approved
        }));
        write(root.join(format!("content/comments/{}/{id}.md", r.post)), text);
    }
}
