//! Rewriting a comment file's `status` and `moderation` keys. Everything
//! else in the file, the body above all, is kept byte for byte.

use crate::parse::comment::Status;
use crate::parse::front_matter::{self, quote};

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

/// `text` with its front matter's `status` and `moderation` replaced by
/// `decision`. `None` if the file has no front matter to rewrite.
pub(super) fn rewrite(text: &str, decision: &Decision) -> Option<String> {
    let split = front_matter::split(text).ok()?;
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let front_start = split.front_offset;
    let front_end = front_start + split.front.len();
    // TOML keys after a `[table]` header belong to that table, so ours go
    // between the top-level keys and the tables.
    let (top, tables) =
        if split.toml { drop_toml_keys(split.front) } else { (drop_yaml_keys(split.front), String::new()) };
    let mut out = String::with_capacity(text.len() + 160);
    out.push_str(&text[..front_start]);
    out.push_str(&top);
    if !top.is_empty() && !top.ends_with('\n') {
        out.push_str(newline);
    }
    if split.toml {
        push_toml(&mut out, decision, newline);
    } else {
        push_yaml(&mut out, decision, newline);
    }
    out.push_str(&tables);
    out.push_str(&text[front_end..]);
    Some(out)
}

/// The `status` and `moderation` lines recording `d`, in YAML.
pub(crate) fn push_yaml(out: &mut String, d: &Decision, nl: &str) {
    let rules: Vec<String> = d.rules.iter().map(|r| quote(r)).collect();
    out.push_str(&format!("status: {}{nl}", d.status.as_str()));
    out.push_str(&format!(
        "moderation: {{ verdict: {}, rules: [{}], at: {}, by: {}",
        d.verdict,
        rules.join(", "),
        d.at,
        quote(&d.by)
    ));
    if let Some(reason) = &d.reason {
        out.push_str(&format!(", reason: {}", quote(reason)));
    }
    out.push_str(&format!(" }}{nl}"));
}

fn push_toml(out: &mut String, d: &Decision, nl: &str) {
    let rules: Vec<String> = d.rules.iter().map(|r| quote(r)).collect();
    out.push_str(&format!("status = \"{}\"{nl}", d.status.as_str()));
    out.push_str(&format!(
        "moderation = {{ verdict = \"{}\", rules = [{}], at = {}, by = {}",
        d.verdict,
        rules.join(", "),
        quote(&d.at),
        quote(&d.by)
    ));
    if let Some(reason) = &d.reason {
        out.push_str(&format!(", reason = {}", quote(reason)));
    }
    out.push_str(&format!(" }}{nl}"));
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
    use crate::parse::comment::{CommentSource, parse};

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
}
