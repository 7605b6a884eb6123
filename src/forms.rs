//! What the build's comment forms and the intake share: the site secret,
//! the form tokens made with it, and the honeypot field. A post's form
//! carries `token = HMAC-SHA256(secret, post slug)`: a comment can only
//! reach a post whose form the site published. A leaf.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use hmac::{KeyInit, Mac};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// A field hidden from people: a form that fills it in was sent by a bot.
pub const HONEYPOT_FIELD: &str = "homepage";

pub const SECRET_ENV: &str = "PARLOR_SECRET";

pub fn secret_path(root: &Path) -> PathBuf {
    root.join(".parlor/secret")
}

/// The secret from `PARLOR_SECRET`, else from `.parlor/secret`, which is
/// created (random, owner-only) when missing.
pub fn load_or_create(root: &Path) -> Result<Vec<u8>> {
    if let Ok(s) = std::env::var(SECRET_ENV)
        && !s.trim().is_empty()
    {
        return Ok(s.trim().as_bytes().to_vec());
    }
    let path = secret_path(root);
    match std::fs::read_to_string(&path) {
        Ok(s) if !s.trim().is_empty() => Ok(s.trim().as_bytes().to_vec()),
        _ => {
            let secret = random_hex(32)?;
            crate::fsx::atomic_write(&path, format!("{secret}\n").as_bytes(), false)?;
            restrict(&path);
            Ok(secret.into_bytes())
        }
    }
}

#[cfg(unix)]
fn restrict(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}
#[cfg(not(unix))]
fn restrict(_: &Path) {}

/// `n` random bytes as lower-case hex.
pub fn random_hex(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness from the system: {e}"))?;
    Ok(hex::encode(bytes))
}

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length; this cannot fail.
    <HmacSha256 as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// HMAC-SHA256 of `message` for `purpose`, in hex. Each purpose (the
/// comment form, moderation links, reply subscriptions) signs its own
/// messages: a signature made for one is never valid for another.
pub fn sign(secret: &[u8], purpose: &str, message: &str) -> String {
    hex::encode(purpose_mac(secret, purpose, message).finalize().into_bytes())
}

/// Whether `signature` is `sign(secret, purpose, message)` (compared in
/// constant time).
pub fn verify(secret: &[u8], purpose: &str, message: &str, signature: &str) -> bool {
    let Ok(bytes) = hex::decode(signature.trim()) else { return false };
    purpose_mac(secret, purpose, message).verify_slice(&bytes).is_ok()
}

fn purpose_mac(secret: &[u8], purpose: &str, message: &str) -> HmacSha256 {
    let mut m = mac(secret);
    m.update(purpose.as_bytes());
    m.update(b"\0");
    m.update(message.as_bytes());
    m
}

const FORM_PURPOSE: &str = "parlor comment form";

/// The token the build writes into the form of the post `slug`.
pub fn form_token(secret: &[u8], slug: &str) -> String {
    sign(secret, FORM_PURPOSE, slug)
}

/// Whether `token` is the form token of `slug` (compared in constant time).
pub fn verify_form_token(secret: &[u8], slug: &str, token: &str) -> bool {
    verify(secret, FORM_PURPOSE, slug, token)
}

/// Reads the secret for a build, creating it if needed; never fails the
/// build (a site without a writable `.parlor/` gets forms without tokens,
/// which intake refuses, and a warning).
pub fn for_build(root: &Path) -> Result<Vec<u8>> {
    load_or_create(root)
        .with_context(|| format!("cannot create the site secret `{}`", secret_path(root).display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_post_and_secret() {
        let t = form_token(b"s1", "refunds");
        assert!(verify_form_token(b"s1", "refunds", &t));
        assert!(!verify_form_token(b"s1", "other", &t));
        assert!(!verify_form_token(b"s2", "refunds", &t));
        assert!(!verify_form_token(b"s1", "refunds", "zz"));
        assert!(!verify_form_token(b"s1", "refunds", ""));
    }

    #[test]
    fn the_secret_file_is_created_once() {
        let tmp = tempfile::tempdir().unwrap();
        let a = load_or_create(tmp.path()).unwrap();
        let b = load_or_create(tmp.path()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
    }
}
