//! Members: `parlor members add NAME` prints a token once and keeps only
//! its SHA-256 in `.parlor/members.toml`. A comment with a valid
//! `member_token` is `member: true` and may go to members-only posts.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Members {
    #[serde(default, rename = "member")]
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    /// Hex SHA-256 of the token; the token itself is never stored.
    pub token_sha256: String,
    pub added: String,
}

pub fn members_path(root: &Path) -> PathBuf {
    root.join(".parlor/members.toml")
}

impl Members {
    pub fn load(root: &Path) -> Result<Members> {
        let path = members_path(root);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).with_context(|| format!("cannot read `{}`", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Members::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read `{}`", path.display())),
        }
    }

    /// Adds a member and returns their token, which is shown only now.
    pub fn add(root: &Path, name: &str, now: jiff::Timestamp) -> Result<String> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            bail!("a member's name must be 1 to 80 characters");
        }
        let mut members = Members::load(root)?;
        if members.members.iter().any(|m| m.name == name) {
            bail!("`{name}` is a member already");
        }
        let token = crate::forms::random_hex(24)?;
        members.members.push(Member {
            name: name.to_string(),
            token_sha256: digest(&token),
            added: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        });
        let text = toml::to_string(&members).context("cannot write the member list")?;
        crate::fsx::atomic_write(&members_path(root), text.as_bytes(), false)?;
        Ok(token)
    }

    /// The member whose token this is.
    pub fn check(&self, token: &str) -> Option<&Member> {
        let d = digest(token.trim());
        self.members.iter().find(|m| constant_time_eq(m.token_sha256.as_bytes(), d.as_bytes()))
    }
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_by_hash_only() {
        let tmp = tempfile::tempdir().unwrap();
        let token = Members::add(tmp.path(), "Ann", jiff::Timestamp::UNIX_EPOCH).unwrap();
        let text = std::fs::read_to_string(members_path(tmp.path())).unwrap();
        assert!(!text.contains(&token), "the token itself is not stored");
        let members = Members::load(tmp.path()).unwrap();
        assert_eq!(members.check(&token).map(|m| m.name.as_str()), Some("Ann"));
        assert!(members.check("nope").is_none());
        assert!(Members::add(tmp.path(), "Ann", jiff::Timestamp::UNIX_EPOCH).is_err());
    }
}
