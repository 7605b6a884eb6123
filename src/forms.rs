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

/// The token the build writes into the form of the post `slug`.
pub fn form_token(secret: &[u8], slug: &str) -> String {
    let mut m = mac(secret);
    m.update(b"parlor comment form\0");
    m.update(slug.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// Whether `token` is the form token of `slug` (compared in constant time).
pub fn verify_form_token(secret: &[u8], slug: &str, token: &str) -> bool {
    let Ok(bytes) = hex::decode(token.trim()) else { return false };
    let mut m = mac(secret);
    m.update(b"parlor comment form\0");
    m.update(slug.as_bytes());
    m.verify_slice(&bytes).is_ok()
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
