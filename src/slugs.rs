//! Slugs: the URL and file-name form of a title, tag, category, author id
//! or imported id. A leaf: every stage that makes a path component from a
//! name makes it here, so no name, however long, makes a component the
//! file system refuses (a name over 255 bytes failed every build, #15).

/// The longest slug in bytes. File systems refuse names over 255 bytes;
/// this leaves room for a suffix a later step adds (`-2`, `.md`, `.html`)
/// and keeps URLs readable.
pub const MAX_SLUG_BYTES: usize = 120;

/// The longest name a file system takes for one path component. A path
/// parlor cannot shorten (an alias, which must match an old URL exactly)
/// is refused past it rather than cut.
pub const MAX_NAME_BYTES: usize = 255;

/// Hex digits of the hash that keeps two shortened slugs apart.
const HASH_DIGITS: usize = 8;

/// `name` as a slug (lower-case ASCII words joined by `-`), at most
/// `MAX_SLUG_BYTES` long: a longer one is cut and given a short hash of the
/// whole slug, so two long names that share a start stay distinct.
pub fn slugify(name: impl AsRef<str>) -> String {
    bound(slug::slugify(name))
}

/// `slug` unchanged when it fits, else cut to fit with a hash suffix.
pub fn bound(slug: String) -> String {
    if slug.len() <= MAX_SLUG_BYTES {
        return slug;
    }
    let keep = floor_char_boundary(&slug, MAX_SLUG_BYTES - HASH_DIGITS - 1);
    let head = slug[..keep].trim_end_matches('-');
    format!("{head}-{}", short_hash(&slug))
}

/// The slug `name` makes, when it is too long to be used whole: the
/// builder warns with it, so an author can shorten the name.
pub fn shortened(name: &str) -> Option<String> {
    let full = slug::slugify(name);
    (full.len() > MAX_SLUG_BYTES).then(|| bound(full))
}

/// Eight hex digits of `text`'s SHA-256.
pub fn short_hash(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    hex::encode(&digest[..HASH_DIGITS / 2])
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_plain_slugs() {
        assert_eq!(slugify("Refunds & Returns"), "refunds-returns");
        assert_eq!(shortened("Refunds"), None);
    }

    #[test]
    fn issue_15_long_names_are_cut_with_a_hash_and_stay_distinct() {
        let a = "a".repeat(300);
        let b = format!("{}b", "a".repeat(299));
        let (sa, sb) = (slugify(&a), slugify(&b));
        assert!(sa.len() <= MAX_SLUG_BYTES && sb.len() <= MAX_SLUG_BYTES, "{sa} {sb}");
        assert_ne!(sa, sb);
        assert!(sa.starts_with("aaaa"));
        assert_eq!(shortened(&a).as_deref(), Some(sa.as_str()));
        // The same name always gives the same slug.
        assert_eq!(slugify(&a), sa);
        // No dash is doubled where the cut falls between words.
        let words = "word ".repeat(60);
        assert!(!slugify(&words).contains("--"), "{}", slugify(&words));
    }
}
