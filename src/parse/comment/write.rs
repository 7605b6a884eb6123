//! Writing comment files: a new comment's file (comment intake, imports)
//! and a decision recorded in an existing one (`parlor moderate`,
//! `parlor comments`), which keeps everything else in the file, the body
//! above all, byte for byte. Keys and values are written by serde
//! (`serde_norway` for YAML, `toml` for TOML), never quoted by hand, so
//! what is written is what `super::parse` reads back.

use serde::Serialize;

use super::Status;
use crate::parse::front_matter;

/// What a decision records in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub status: Status,
    /// `pass`, `hold`, `reject` or `spam`.
    pub verdict: String,
    pub rules: Vec<String>,
    /// RFC 3339.
    pub at: String,
    /// `parlor` for the rules, `moderator` for a person.
    pub by: String,
    pub reason: Option<String>,
}

/// What a new comment file records of its moderation.
#[derive(Debug, Clone, Copy)]
pub enum Recorded<'a> {
    /// A status alone (imports keep the source blog's).
    Status(Status),
    /// The rules' or a moderator's decision.
    Decision(&'a Decision),
}

/// A new comment file: the front matter `parse` reads back, then the body.
pub struct NewComment<'a> {
    pub id: &'a str,
    pub author: &'a str,
    pub email: Option<&'a str>,
    pub website: Option<&'a str>,
    /// RFC 3339.
    pub date: &'a str,
    pub reply_to: Option<&'a str>,
    pub member: bool,
    pub body: &'a str,
}

/// The `moderation` table of a comment's front matter.
#[derive(Serialize)]
struct Record<'a> {
    verdict: &'a str,
    rules: &'a [String],
    at: &'a str,
    by: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

impl<'a> Record<'a> {
    fn of(d: &'a Decision) -> Record<'a> {
        Record { verdict: &d.verdict, rules: &d.rules, at: &d.at, by: &d.by, reason: d.reason.as_deref() }
    }
}

#[derive(Serialize)]
struct NewFront<'a> {
    id: &'a str,
    author: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<&'a str>,
    date: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_to: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    member: bool,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    moderation: Option<Record<'a>>,
}

/// The `status` and `moderation` keys of a decision.
#[derive(Serialize)]
struct StatusKeys<'a> {
    status: Status,
    moderation: Record<'a>,
}

#[derive(Serialize)]
struct StatusKey {
    status: Status,
}

#[derive(Serialize)]
struct ModerationTable<'a> {
    moderation: Record<'a>,
}

impl NewComment<'_> {
    /// The file's text: YAML front matter, then the body.
    pub fn file_text(&self, recorded: Recorded) -> String {
        let (status, moderation) = match recorded {
            Recorded::Status(status) => (status, None),
            Recorded::Decision(d) => (d.status, Some(Record::of(d))),
        };
        let front = NewFront {
            id: self.id,
            author: self.author,
            email: self.email,
            website: self.website,
            date: self.date,
            reply_to: self.reply_to,
            member: self.member,
            status,
            moderation,
        };
        let mut text = String::from("---\n");
        text.push_str(&yaml(&front));
        text.push_str("---\n");
        text.push_str(self.body.trim_end());
        text.push('\n');
        text
    }
}

/// `value` as YAML lines. Serialising plain strings, lists and maps
/// cannot fail.
fn yaml(value: &impl Serialize) -> String {
    serde_norway::to_string(value).unwrap_or_else(|e| unreachable!("comment keys serialise to YAML: {e}"))
}

/// `value` as TOML lines; `None` for what TOML cannot hold (a front
/// matter read from TOML always can).
fn toml_text(value: &impl Serialize) -> Option<String> {
    toml::to_string(value).ok()
}

/// `text` with its front matter's `status` and `moderation` replaced by
/// `decision`, and the body kept byte for byte. `None` if the file has no
/// front matter that parses, or if no rewrite keeps everything else.
///
/// The other keys are kept as written, line for line, when that is safe;
/// when dropping the old keys' lines would change another key (a quoted
/// value running over lines, one of which starts `status:`), the front
/// matter is written again whole by serde, with the same values.
pub fn rewrite(text: &str, decision: &Decision) -> Option<String> {
    let split = front_matter::split(text).ok()?;
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let before = FrontValues::read(split.front, split.toml)?;
    let front = keep_lines(split.front, split.toml, decision, newline)
        .filter(|front| FrontValues::read(front, split.toml).as_ref() == Some(&before))
        .or_else(|| write_whole(before, decision, newline))?;
    let front_end = split.front_offset + split.front.len();
    let out = format!("{}{front}{}", &text[..split.front_offset], &text[front_end..]);
    keeps_the_comment(text, &out).then_some(out)
}

/// Whether `after` reads as `before` with only the decision changed: the
/// same body byte for byte and the same keys and values as the comment
/// reader sees them. A rewrite that fails this (a value holding a line the
/// reader takes for the end of the front matter, a number written back in
/// another form) is refused rather than written.
fn keeps_the_comment(before: &str, after: &str) -> bool {
    let read = |text: &str| {
        let split = front_matter::split(text).ok()?;
        let (mut front, unknown) = front_matter::deserialize::<super::CommentFront>(text, &split).ok()?;
        (front.status, front.moderation) = (None, None);
        Some((front, unknown, split.body.to_string()))
    };
    matches!((read(before), read(after)), (Some(a), Some(b)) if a == b)
}

/// The front matter with the old keys' lines dropped and the decision's
/// added, everything else as written.
fn keep_lines(front: &str, toml: bool, decision: &Decision, newline: &str) -> Option<String> {
    let record = Record::of(decision);
    let mut out = String::with_capacity(front.len() + 160);
    let push = |out: &mut String, part: &str| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(newline);
        }
        out.push_str(&part.replace('\n', newline));
    };
    if toml {
        // TOML keys after a `[table]` header belong to that table: the
        // status goes with the top-level keys, the record after the tables.
        let (top, tables) = drop_toml_keys(front);
        out.push_str(&top);
        push(&mut out, &toml_text(&StatusKey { status: decision.status })?);
        out.push_str(&tables);
        push(&mut out, &toml_text(&ModerationTable { moderation: record })?);
    } else {
        out.push_str(&drop_yaml_keys(front));
        push(&mut out, &yaml(&StatusKeys { status: decision.status, moderation: record }));
    }
    Some(out)
}

/// The front matter written again whole from its values, less the old
/// decision, plus the new one.
fn write_whole(mut values: FrontValues, decision: &Decision, newline: &str) -> Option<String> {
    let record = Record::of(decision);
    let text = match &mut values {
        FrontValues::Yaml(map) => {
            map.insert("status".into(), serde_norway::to_value(decision.status).ok()?);
            map.insert("moderation".into(), serde_norway::to_value(&record).ok()?);
            yaml(map)
        }
        FrontValues::Toml(table) => {
            table.insert("status".into(), toml::Value::try_from(decision.status).ok()?);
            table.insert("moderation".into(), toml::Value::try_from(&record).ok()?);
            toml_text(table)?
        }
    };
    Some(text.replace('\n', newline))
}

/// A front matter's keys and values, without `status` and `moderation`.
#[derive(PartialEq)]
enum FrontValues {
    Yaml(serde_norway::Mapping),
    Toml(toml::Table),
}

impl FrontValues {
    fn read(front: &str, toml: bool) -> Option<FrontValues> {
        let mut values = if toml {
            FrontValues::Toml(toml::from_str(front).ok()?)
        } else if front.trim().is_empty() {
            FrontValues::Yaml(serde_norway::Mapping::new())
        } else {
            FrontValues::Yaml(serde_norway::from_str(front).ok()?)
        };
        match &mut values {
            FrontValues::Yaml(map) => {
                map.remove("status");
                map.remove("moderation");
            }
            FrontValues::Toml(table) => {
                table.remove("status");
                table.remove("moderation");
            }
        }
        Some(values)
    }
}
/// The YAML front matter without its top-level `status` and `moderation`
/// entries (a block `moderation:` takes its indented lines with it).
fn drop_yaml_keys(front: &str) -> String {
    let mut out = String::with_capacity(front.len());
    let mut skipping = false;
    for line in front.split_inclusive('\n') {
        let indented = line.starts_with([' ', '\t']);
        if skipping && (indented || line.trim().is_empty()) {
            continue;
        }
        skipping = false;
        if !indented && (is_key(line, "status", ':') || is_key(line, "moderation", ':')) {
            skipping = true;
            continue;
        }
        out.push_str(line);
    }
    out
}

/// The TOML front matter without top-level `status` and `moderation`, as
/// (top-level keys, tables); a `[moderation]` table goes with its keys.
fn drop_toml_keys(front: &str) -> (String, String) {
    let (mut top, mut tables) = (String::new(), String::new());
    let (mut in_table, mut skipping) = (false, false);
    for line in front.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') {
            in_table = true;
            skipping = t == "[moderation]";
        }
        if skipping {
            continue;
        }
        if in_table {
            tables.push_str(line);
        } else if !(is_key(line, "status", '=') || is_key(line, "moderation", '=')) {
            top.push_str(line);
        }
    }
    (top, tables)
}

fn is_key(line: &str, key: &str, sep: char) -> bool {
    line.trim_start().strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(sep))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::CommentSource;
    use crate::parse::comment::parse;

    fn decision() -> Decision {
        Decision {
            status: Status::Rejected,
            verdict: "reject".into(),
            rules: vec!["too_many_links".into()],
            at: "2011-06-10T12:05:00+00:00".into(),
            by: "parlor".into(),
            reason: Some("two \"links\": too many".into()),
        }
    }

    fn reparse(text: &str) -> crate::parse::comment::Comment {
        parse(CommentSource {
            path: "c.md".into(),
            post_slug: "p".into(),
            stem: "c1".into(),
            text: text.into(),
        })
        .unwrap_or_else(|e| panic!("{e:?}\n{text}"))
    }

    #[test]
    fn yaml_keys_are_replaced_and_the_body_kept() {
        let text = "---\nid: c1\nstatus: pending\ndate: 2011-06-10T12:00:00Z\nmoderation:\n  verdict: hold\n  rules: [too_short]\nauthor: A\n---\nBody *kept*\r\n  exactly.\n";
        let out = rewrite(text, &decision()).unwrap();
        assert!(out.ends_with("---\nBody *kept*\r\n  exactly.\n"), "{out}");
        let c = reparse(&out);
        assert_eq!(c.status, Status::Rejected);
        assert_eq!(c.author, "A");
        let m = c.moderation.unwrap();
        assert_eq!(m.rules, ["too_many_links"]);
        assert_eq!(m.reason.as_deref(), Some("two \"links\": too many"));
        assert_eq!(out.matches("status:").count(), 1);
        // Rewriting again changes nothing but the decision.
        assert_eq!(rewrite(&out, &decision()).unwrap(), out);
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let text = "---\r\nid: c1\r\ndate: 2011-06-10T12:00:00Z\r\n---\r\nHi\r\n";
        let out = rewrite(text, &decision()).unwrap();
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        assert_eq!(reparse(&out).status, Status::Rejected);
    }

    #[test]
    fn toml_keys_go_before_tables() {
        let text = "+++\nid = \"c1\"\nstatus = \"pending\"\ndate = 2011-06-10T12:00:00Z\n[moderation]\nverdict = \"hold\"\n+++\nBody\n";
        let out = rewrite(text, &decision()).unwrap();
        let c = reparse(&out);
        assert_eq!(c.status, Status::Rejected);
        assert_eq!(c.moderation.unwrap().verdict.as_deref(), Some("reject"));
        assert!(out.ends_with("+++\nBody\n"));
    }

    #[test]
    fn a_new_comment_file_is_plain_yaml_that_reads_back() {
        let d = Decision { rules: vec!["too_short".into(), "a: b".into()], ..decision() };
        let c = NewComment {
            id: "c1",
            author: "Ann \"the\" <b>",
            email: Some("a@b.c"),
            website: None,
            date: "2011-06-10T12:00:00Z",
            reply_to: Some("007"),
            member: true,
            body: "Hi\n\n---\nx\n\n",
        };
        let text = c.file_text(Recorded::Decision(&d));
        assert_eq!(
            text,
            "---\nid: c1\nauthor: Ann \"the\" <b>\nemail: a@b.c\ndate: 2011-06-10T12:00:00Z\nreply_to: '007'\n\
             member: true\nstatus: rejected\nmoderation:\n  verdict: reject\n  rules:\n  - too_short\n  - 'a: b'\n\
             \x20 at: 2011-06-10T12:05:00+00:00\n  by: parlor\n  reason: 'two \"links\": too many'\n---\nHi\n\n---\nx\n"
        );
        let back = reparse(&text);
        assert_eq!(
            (back.reply_to.as_deref(), back.member, back.body.as_str()),
            (Some("007"), true, "Hi\n\n---\nx\n")
        );
        assert_eq!(back.moderation.unwrap().rules, d.rules);
    }

    /// Found by fuzzing: a quoted value running over lines, one of which
    /// starts `status:`, lost that line when the old keys were dropped line
    /// by line, and the file no longer parsed. Such a front matter is now
    /// written again whole, with the same values.
    #[test]
    fn a_value_running_over_a_line_that_starts_like_a_key_keeps_its_text() {
        let text = "---\nid: c1\nauthor: \"Ann\nstatus: x\"\ndate: 2011-06-10T12:00:00Z\nstatus: pending\n---\nBody\n";
        assert_eq!(reparse(text).author, "Ann status: x");
        let out = rewrite(text, &decision()).unwrap();
        let c = reparse(&out);
        assert_eq!((c.author.as_str(), c.status), ("Ann status: x", Status::Rejected), "{out}");
        assert!(out.ends_with("---\nBody\n"), "{out}");
        // An ordinary file keeps its lines as written.
        let plain = "---\nid: c1\nauthor:   'Ann'   # hand-written\ndate: 2011-06-10T12:00:00Z\nstatus: pending\n---\nBody\n";
        assert!(rewrite(plain, &decision()).unwrap().contains("author:   'Ann'   # hand-written\n"));
    }

    /// Found in review: a TOML reason holding a `+++` line would have ended
    /// the front matter early, and a value written back whole may change
    /// form (`1.10` read as a number is `1.1`). Such a rewrite is refused.
    #[test]
    fn a_rewrite_that_would_change_the_comment_is_refused() {
        let toml = "+++\nid = \"c1\"\ndate = 2011-06-10T12:00:00Z\n+++\nBody\n";
        let reason = Decision { reason: Some("spam\n+++\nmore".into()), ..decision() };
        assert_eq!(rewrite(toml, &reason), None);
        assert!(rewrite(toml, &decision()).is_some());
        let number = "---\nid: c1\nauthor: \"Ann\nstatus: x\"\nreply_to: 1.10\ndate: 2011-06-10T12:00:00Z\n---\nBody\n";
        assert_eq!(reparse(number).reply_to.as_deref(), Some("1.10"));
        assert_eq!(rewrite(number, &decision()), None);
    }
}
