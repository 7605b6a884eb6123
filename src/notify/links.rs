//! Signed links: what a mail lets its reader do in one click, without a
//! login. A link names its purpose, a subject (a comment id, or a
//! subscription's address), an action, when it expires and a random nonce,
//! all signed with the site secret (`forms::sign`); a link whose nonce was
//! used is refused (`UsedLinks`). A GET on a link only shows what it would
//! do: mail scanners fetch links, and must never act on them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Result;

/// The nonces of used links, under the site root.
pub const USED_LINKS_FILE: &str = ".parlor/used-links";

/// What a link is for: part of what is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Approve, reject or mark a comment as spam.
    Moderate,
    /// Confirm a subscription to replies (double opt-in).
    Confirm,
    /// Stop a subscription.
    Unsubscribe,
}

impl Purpose {
    fn domain(self) -> &'static str {
        match self {
            Purpose::Moderate => "parlor moderation link",
            Purpose::Confirm => "parlor reply subscription confirmation",
            Purpose::Unsubscribe => "parlor reply unsubscription",
        }
    }
}

/// A link's fields, as its query string carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedLink {
    /// A comment id (moderation), or a subscription's key.
    pub subject: String,
    /// `approve`, `reject`, `spam`; `confirm`; `stop`.
    pub action: String,
    /// Unix seconds; 0 never expires (unsubscribe links must keep working).
    pub expires: i64,
    pub nonce: String,
    pub signature: String,
}

/// Why a link does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// Its signature is not the site's (forged, altered, another link's).
    Forged,
    Expired,
    Used,
}

impl LinkProblem {
    pub fn message(self) -> &'static str {
        match self {
            LinkProblem::Forged => "this link is not valid: it was not made by this site, or was changed",
            LinkProblem::Expired => "this link has expired: use `parlor comments` on the server instead",
            LinkProblem::Used => "this link was used already; each link works once",
        }
    }
}

impl SignedLink {
    /// A new link for `subject` and `action`, signed with `secret`.
    pub fn new(
        secret: &[u8],
        purpose: Purpose,
        subject: &str,
        action: &str,
        expires: i64,
    ) -> Result<SignedLink> {
        let nonce = crate::forms::random_hex(8)?;
        let signature =
            crate::forms::sign(secret, purpose.domain(), &message(subject, action, expires, &nonce));
        Ok(SignedLink { subject: subject.into(), action: action.into(), expires, nonce, signature })
    }

    /// The query string (`c=…&a=…&e=…&n=…&s=…`).
    pub fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("c", self.subject.as_str()),
            ("a", self.action.as_str()),
            ("e", &self.expires.to_string()),
            ("n", self.nonce.as_str()),
            ("s", self.signature.as_str()),
        ])
        .unwrap_or_default()
    }

    /// The link a query string (or form fields) holds; `None` when a field
    /// is missing or malformed.
    pub fn from_fields(fields: &HashMap<String, String>) -> Option<SignedLink> {
        let get = |k: &str| fields.get(k).filter(|v| !v.is_empty() && v.len() <= 300).cloned();
        Some(SignedLink {
            subject: get("c")?,
            action: get("a")?,
            expires: get("e")?.parse().ok()?,
            nonce: get("n")?,
            signature: get("s")?,
        })
    }

    /// Whether the link is the site's, for `purpose`, and unexpired at `now`.
    pub fn check(&self, secret: &[u8], purpose: Purpose, now: i64) -> Result<(), LinkProblem> {
        let signed = message(&self.subject, &self.action, self.expires, &self.nonce);
        if !crate::forms::verify(secret, purpose.domain(), &signed, &self.signature) {
            return Err(LinkProblem::Forged);
        }
        if self.expires != 0 && now > self.expires {
            return Err(LinkProblem::Expired);
        }
        Ok(())
    }
}

/// What is signed: every field, each ended by a byte no field holds.
fn message(subject: &str, action: &str, expires: i64, nonce: &str) -> String {
    format!("{subject}\0{action}\0{expires}\0{nonce}")
}

/// The nonces of links that were used, with their expiry, in a file: a
/// used link is refused until it expires (after which it is refused as
/// expired, and forgotten).
pub struct UsedLinks {
    path: PathBuf,
    /// Held while a link is checked and used, so that two clicks on one
    /// link cannot both act.
    lock: Mutex<()>,
}

impl UsedLinks {
    pub fn open(root: &Path) -> UsedLinks {
        UsedLinks { path: root.join(USED_LINKS_FILE), lock: Mutex::new(()) }
    }

    /// Runs `act` if `link` was never used, and records it as used when
    /// `act` succeeds. The record is written before the answer goes out.
    pub fn use_once<T>(
        &self,
        link: &SignedLink,
        now: i64,
        act: impl FnOnce() -> Result<T>,
    ) -> Result<Option<T>> {
        let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut used = self.read();
        if used.iter().any(|(nonce, _)| *nonce == link.nonce) {
            return Ok(None);
        }
        let value = act()?;
        used.retain(|(_, expires)| *expires == 0 || *expires >= now);
        used.push((link.nonce.clone(), link.expires));
        let text: String = used.iter().map(|(n, e)| format!("{n} {e}\n")).collect();
        crate::fsx::atomic_write(&self.path, text.as_bytes(), false)?;
        Ok(Some(value))
    }

    /// Whether `link` was used.
    pub fn is_used(&self, link: &SignedLink) -> bool {
        self.read().iter().any(|(nonce, _)| *nonce == link.nonce)
    }

    fn read(&self) -> Vec<(String, i64)> {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let (nonce, expires) = l.split_once(' ')?;
                Some((nonce.to_string(), expires.parse().ok()?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"secret";

    fn fields(query: &str) -> HashMap<String, String> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap().into_iter().collect()
    }

    #[test]
    fn a_link_checks_only_as_made() {
        let link = SignedLink::new(SECRET, Purpose::Moderate, "c-1", "approve", 1000).unwrap();
        let back = SignedLink::from_fields(&fields(&link.query())).unwrap();
        assert_eq!(back, link);
        assert_eq!(back.check(SECRET, Purpose::Moderate, 999), Ok(()));
        assert_eq!(back.check(SECRET, Purpose::Moderate, 1001), Err(LinkProblem::Expired));
        assert_eq!(back.check(b"other", Purpose::Moderate, 0), Err(LinkProblem::Forged));
        assert_eq!(back.check(SECRET, Purpose::Unsubscribe, 0), Err(LinkProblem::Forged));
        for (field, value) in [("c", "c-2"), ("a", "spam"), ("e", "2000"), ("n", "00")] {
            let mut f = fields(&link.query());
            f.insert(field.into(), value.into());
            let changed = SignedLink::from_fields(&f).unwrap();
            assert_eq!(changed.check(SECRET, Purpose::Moderate, 0), Err(LinkProblem::Forged), "{field}");
        }
    }

    #[test]
    fn a_link_is_used_once_and_a_failed_use_does_not_count() {
        let tmp = tempfile::tempdir().unwrap();
        let used = UsedLinks::open(tmp.path());
        let link = SignedLink::new(SECRET, Purpose::Moderate, "c", "approve", 100).unwrap();
        assert!(used.use_once(&link, 0, || -> Result<()> { anyhow::bail!("disk full") }).is_err());
        assert!(!used.is_used(&link));
        assert_eq!(used.use_once(&link, 0, || Ok(1)).unwrap(), Some(1));
        assert_eq!(used.use_once(&link, 0, || Ok(2)).unwrap(), None);
        // Expired nonces are forgotten when the next link is used.
        let later = SignedLink::new(SECRET, Purpose::Moderate, "c", "approve", 500).unwrap();
        used.use_once(&later, 200, || Ok(())).unwrap();
        assert!(!used.is_used(&link) && used.is_used(&later));
    }
}
