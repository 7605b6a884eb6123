//! Front matter: YAML between `---` lines or TOML between `+++` lines.
//! Syntax and type errors point at the line in the file; every unknown key
//! is reported with the nearest known one.

use serde::Deserialize;

use super::date::DateInput;
use crate::diag::{Diagnostic, Location, key_location, unknown_key_help};

pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "date",
    "updated",
    "author",
    "category",
    "tags",
    "summary",
    "draft",
    "comments",
    "slug",
    "source",
    "photo_credit",
    "image",
    "extra",
    "imported",
    "aliases",
];
const SOURCE_KEYS: &[&str] = &["url", "name", "note"];

#[derive(Debug, Default, Deserialize)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<DateInput>,
    pub updated: Option<DateInput>,
    pub author: Option<String>,
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub summary: Option<String>,
    #[serde(default)]
    pub draft: bool,
    pub comments: Option<String>,
    pub slug: Option<String>,
    pub source: Option<SourceAttribution>,
    pub photo_credit: Option<String>,
    pub image: Option<String>,
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Written by `parlor import`: the body came from an export, so its
    /// rendered HTML is sanitised (`parse::untrusted`).
    #[serde(default)]
    pub imported: bool,
    /// Old URLs of the post or page (`parse::alias`).
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Republished content: where it first appeared.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
pub struct SourceAttribution {
    pub url: String,
    pub name: Option<String>,
    pub note: Option<String>,
}

/// A file split into its front matter and body.
pub struct Split<'a> {
    pub front: &'a str,
    /// Byte offset of `front` in the file.
    pub front_offset: usize,
    pub body: &'a str,
    pub toml: bool,
}

/// Splits `text` at its front matter fences.
pub fn split(text: &str) -> Result<Split<'_>, Diagnostic> {
    let first = text.lines().next().unwrap_or("").trim_end();
    let (fence, toml) = match first {
        "---" => ("---", false),
        "+++" => ("+++", true),
        _ => {
            return Err(Diagnostic::error("", "no front matter")
                .at(text, Location::at_line(text, 1))
                .with_help("start the file with a `---` line, then `title: ...` and `date: ...`, then another `---` line"));
        }
    };
    let front_offset = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = front_offset;
    for line in text[front_offset..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == fence || (!toml && trimmed == "...") {
            return Ok(Split {
                front: &text[front_offset..offset],
                front_offset,
                body: &text[offset + line.len()..],
                toml,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error("", format!("front matter is not closed: no second `{fence}` line"))
        .at(text, Location::at_line(text, 1))
        .with_help(format!("add a line holding only `{fence}` after the last front matter key")))
}

/// Deserialises the front matter of `text` (the whole file) into `T`,
/// with the dotted paths of every key `T` does not know. A syntax or type
/// error points at its place in the file; the caller sets the path.
pub fn deserialize<T: serde::de::DeserializeOwned + Default>(
    text: &str,
    split: &Split,
) -> Result<(T, Vec<String>), Diagnostic> {
    let mut unknown = Vec::new();
    let at = |local: usize, len: usize| Location::at_offset(text, split.front_offset + local, len);
    let parsed = if split.toml {
        toml::de::Deserializer::parse(split.front)
            .and_then(|de| serde_ignored::deserialize(de, |p| unknown.push(p.to_string())))
            .map_err(|e| {
                let loc = e.span().map_or_else(|| at(0, 0), |s| at(s.start, s.end - s.start));
                Diagnostic::error("", e.message().trim().to_string()).at(text, loc)
            })
    } else if split.front.trim().is_empty() {
        Ok(T::default())
    } else {
        serde_ignored::deserialize(serde_norway::Deserializer::from_str(split.front), |p| {
            unknown.push(p.to_string())
        })
        .map_err(|e| {
            let loc = e.location().map_or_else(|| at(0, 0), |l| at(l.index(), 1));
            let message = e.to_string();
            // serde_norway appends " at line N column M"; the location says it.
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            Diagnostic::error("", message).at(text, loc)
        })
    };
    let value = parsed.map_err(|d| {
        d.with_help(if split.toml {
            "check the TOML: `key = \"value\"`, lists as `tags = [\"a\", \"b\"]`"
        } else {
            "check the YAML: `key: value`, lists as `tags: [a, b]`; quote values holding `:` or `#`"
        })
    })?;
    Ok((value, unknown))
}

/// Parses the front matter of `text` (the whole file). Errors carry the
/// location but no path; the caller sets it.
pub fn parse(text: &str, split: &Split) -> Result<FrontMatter, Vec<Diagnostic>> {
    let (front_matter, unknown) = deserialize::<FrontMatter>(text, split).map_err(|d| vec![d])?;
    if unknown.is_empty() {
        return Ok(front_matter);
    }
    let region = &text[..split.front_offset + split.front.len()];
    Err(unknown
        .iter()
        .map(|path| {
            let (key, known) = match path.split_once('.') {
                Some(("source", k)) => (k, SOURCE_KEYS),
                _ => (path.as_str(), KNOWN_KEYS),
            };
            Diagnostic::error("", format!("unknown front matter key `{path}`"))
                .at(text, key_location(region, key))
                .with_help(unknown_key_help(key, known))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` written by serde as parlor writes front matter, and read back.
    fn round_trip(text: &str) -> (String, String) {
        let map = std::collections::BTreeMap::from([("k", text)]);
        let yaml: std::collections::HashMap<String, String> =
            serde_norway::from_str(&serde_norway::to_string(&map).unwrap()).unwrap();
        let toml: std::collections::HashMap<String, String> =
            toml::from_str(&toml::to_string(&map).unwrap()).unwrap();
        (yaml["k"].clone(), toml["k"].clone())
    }

    #[test]
    fn written_strings_read_back_unchanged_in_yaml_and_toml() {
        // U+2028 followed by spaces was folded by YAML when parlor quoted
        // by hand: found by fuzzing.
        for text in [
            "a\u{2028}    b",
            "x\u{2029}  y",
            "n\u{85}  m",
            "\"quoted\" \\ tab\t",
            "Ann \u{1F600}",
            "007",
            "yes",
            "a: b #c",
            "- x",
            "",
            " lead",
            "trail ",
            "line\nbreak\n",
            "\u{feff}bom",
        ] {
            assert_eq!(round_trip(text), (text.to_string(), text.to_string()), "{text:?}");
        }
    }

    #[test]
    fn every_character_reads_back_unchanged_in_yaml_and_toml() {
        // U+007F in an imported title made a post YAML refused: found by fuzzing.
        let all: Vec<char> = (0..=0x10FFFF).filter_map(char::from_u32).collect();
        for chunk in all.chunks(512) {
            let text: String = chunk.iter().collect();
            assert_eq!(round_trip(&text), (text.clone(), text.clone()));
        }
    }

    fn parse_text(text: &str) -> Result<FrontMatter, Vec<Diagnostic>> {
        let s = split(text).map_err(|d| vec![d])?;
        parse(text, &s)
    }

    #[test]
    fn yaml_and_toml_give_the_same_fields() {
        let y = parse_text("---\ntitle: Hi\ndate: 2011-06-10T12:00:00Z\ntags: [a, b]\nsource: {url: 'https://x.org/a'}\n---\nBody\n").unwrap();
        let t = parse_text("+++\ntitle = \"Hi\"\ndate = 2011-06-10T12:00:00Z\ntags = [\"a\", \"b\"]\n[source]\nurl = \"https://x.org/a\"\n+++\nBody\n").unwrap();
        assert_eq!(y.title, t.title);
        assert_eq!(y.date, t.date);
        assert_eq!(y.date.unwrap().0, "2011-06-10T12:00:00Z");
        assert_eq!(y.tags, t.tags);
        assert_eq!(y.source, t.source);
    }

    #[test]
    fn crlf_and_empty_front_matter() {
        let s = split("---\r\ntitle: A\r\n---\r\nBody\r\n").unwrap();
        assert_eq!(s.body, "Body\r\n");
        assert_eq!(parse("---\r\ntitle: A\r\n---\r\n", &s).unwrap().title.as_deref(), Some("A"));
    }

    #[test]
    fn unknown_keys_name_the_line_and_suggest() {
        let errs = parse_text("---\ntitle: A\ntagz: [a]\ncategroy: x\n---\n").unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].location.as_ref().unwrap().line, 3);
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `tags`?"));
        assert_eq!(errs[1].help.as_deref(), Some("did you mean `category`?"));
    }

    #[test]
    fn broken_yaml_points_into_the_file() {
        let errs = parse_text("---\ntitle: A\ntags: [a, b\ndate: x\n---\n").unwrap_err();
        let line = errs[0].location.as_ref().unwrap().line;
        assert!((3..=5).contains(&line), "line {line}: {errs:?}");
    }

    #[test]
    fn missing_fences() {
        assert!(split("title: x\n").is_err());
        assert!(split("---\ntitle: x\n").is_err());
    }
}
