//! `content/comments/subscriptions.toml`: the readers who asked to be
//! emailed replies to their comments. Private, like the email addresses in
//! comment files: it sits beside the comments, never under the output, and
//! `parlor check` validates it. Written by `parlor intake` only.
//!
//! ```toml
//! [[reader]]
//! email = "dana@example.org"
//! confirmed = "2026-12-02T19:40:00Z"   # absent until the reader confirms
//! comments = ["20261202T193831Z-ebc9e692"]
//! ```

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Location};

/// Under the site root.
pub const SUBSCRIPTIONS_FILE: &str = "content/comments/subscriptions.toml";

const HEADER: &str = "# Readers who asked to be emailed replies to their comments (parlor intake\n# writes this file). Private: back it up with the comments, never publish it.\n\n";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscriptions {
    #[serde(default, rename = "reader")]
    pub readers: Vec<Reader>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reader {
    pub email: String,
    /// When the reader confirmed (double opt-in); `None` until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<String>,
    /// The reader's comments whose replies they get.
    #[serde(default)]
    pub comments: Vec<String>,
}

impl Subscriptions {
    /// Reads the file's text; the error names the line and the fix.
    pub fn parse(text: &str) -> Result<Subscriptions, Diagnostic> {
        let subs: Subscriptions = toml::from_str(text).map_err(|e| {
            let loc = e.span().map_or_else(
                || Location::at_line(text, 1),
                |s| Location::at_offset(text, s.start, s.end - s.start),
            );
            Diagnostic::error(SUBSCRIPTIONS_FILE, e.message().trim().to_string())
                .at(text, loc)
                .with_help("each `[[reader]]` has `email`, `comments = [ids]` and, once confirmed, `confirmed = \"date\"`")
        })?;
        if let Some(bad) = subs.readers.iter().find(|r| !r.email.contains('@')) {
            let offset = text.find(&bad.email).unwrap_or(0);
            return Err(Diagnostic::error(
                SUBSCRIPTIONS_FILE,
                format!("`{}` is not an email address", bad.email),
            )
            .at(text, Location::at_offset(text, offset, bad.email.len()))
            .with_help("remove this reader, or correct the address"));
        }
        Ok(subs)
    }

    pub fn to_text(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("{HEADER}{body}")
    }

    fn reader_mut(&mut self, email: &str) -> Option<&mut Reader> {
        self.readers.iter_mut().find(|r| r.email.eq_ignore_ascii_case(email))
    }

    pub fn reader(&self, email: &str) -> Option<&Reader> {
        self.readers.iter().find(|r| r.email.eq_ignore_ascii_case(email))
    }

    /// `email` wants replies to `comment`; whether they confirmed already.
    pub fn subscribe(&mut self, email: &str, comment: &str) -> bool {
        if self.reader_mut(email).is_none() {
            self.readers.push(Reader { email: email.to_string(), confirmed: None, comments: Vec::new() });
        }
        let reader = self.reader_mut(email).unwrap_or_else(|| unreachable!("just added"));
        if !reader.comments.iter().any(|c| c == comment) {
            reader.comments.push(comment.to_string());
        }
        reader.confirmed.is_some()
    }

    /// Marks `email` confirmed at `at`; false when no such reader.
    pub fn confirm(&mut self, email: &str, at: &str) -> bool {
        match self.reader_mut(email) {
            Some(r) => {
                if r.confirmed.is_none() {
                    r.confirmed = Some(at.to_string());
                }
                true
            }
            None => false,
        }
    }

    /// Forgets `email` and every subscription of theirs.
    pub fn stop(&mut self, email: &str) -> bool {
        let before = self.readers.len();
        self.readers.retain(|r| !r.email.eq_ignore_ascii_case(email));
        self.readers.len() != before
    }

    /// The confirmed reader subscribed to replies to `comment`.
    pub fn subscriber_of(&self, comment: &str) -> Option<&Reader> {
        self.readers.iter().find(|r| r.confirmed.is_some() && r.comments.iter().any(|c| c == comment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_confirm_stop_and_read_back() {
        let mut s = Subscriptions::default();
        assert!(!s.subscribe("Dana@Example.org", "c1"));
        assert!(s.subscriber_of("c1").is_none(), "not confirmed yet");
        assert!(s.confirm("dana@example.org", "2026-12-02T00:00:00Z"));
        assert!(s.subscribe("dana@example.org", "c2"), "confirmed once is enough");
        assert_eq!(s.subscriber_of("c2").unwrap().email, "Dana@Example.org");
        let back = Subscriptions::parse(&s.to_text()).unwrap();
        assert_eq!(back, s);
        assert!(s.stop("DANA@example.org"));
        assert!(s.subscriber_of("c1").is_none());
    }

    #[test]
    fn a_broken_file_is_reported_at_its_line() {
        let text = "[[reader]]\nemail = \"a@b.org\"\ncomments = [\"c1\"]\nconfirmd = \"x\"\n";
        let d = Subscriptions::parse(text).unwrap_err();
        assert!(d.headline().contains("subscriptions.toml:4"), "{}", d.headline());
        let d = Subscriptions::parse("[[reader]]\nemail = \"nobody\"\n").unwrap_err();
        assert!(d.headline().contains(":2:"), "{}", d.headline());
    }
}
