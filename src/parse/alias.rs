//! `aliases`: the old URLs of a post or page (Hugo's and Zola's key). Each
//! is a path on the site, checked here: the build writes a redirect page
//! at the file it names and lists it in `_redirects`. A path with a query
//! (`/?p=123`) cannot be a file; it goes to `_redirects` only.

/// The longest alias in bytes, as written.
pub const MAX_ALIAS_BYTES: usize = 1000;

/// One old URL of a post or page, checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alias {
    /// As written in the front matter: a path, and perhaps `?` and a query.
    pub written: String,
    /// The front matter line it is on, for diagnostics about it.
    pub line: usize,
    /// Where its redirect page goes below the output folder, the path
    /// percent-decoded as a web server looks files up (`old/index.html`,
    /// `old/page.html`); `None` for an alias with a query.
    pub file: Option<String>,
}

impl Alias {
    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.written.split_once('?').map_or(&self.written, |(p, _)| p)
    }

    /// The query after `?`, if any.
    pub fn query(&self) -> Option<&str> {
        self.written.split_once('?').map(|(_, q)| q)
    }
}

/// A problem with an alias: what is wrong, and what to do.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub help: String,
}

fn problem(message: impl Into<String>, help: impl Into<String>) -> Problem {
    Problem { message: message.into(), help: help.into() }
}

const EXAMPLE: &str =
    "an old URL's path on this site, e.g. `/2019/05/04/old-slug/`, `/old/page.html` or `/?p=123`";

/// Checks `written` and gives the file its redirect page goes to (`None`
/// when it has a query).
pub fn check(written: &str) -> Result<Option<String>, Problem> {
    if written.is_empty() {
        return Err(problem("an alias is empty", format!("remove it, or write {EXAMPLE}")));
    }
    if written.len() > MAX_ALIAS_BYTES {
        let shown: String = written.chars().take(40).collect();
        return Err(problem(
            format!("the alias `{shown}…` is too long ({} bytes, at most {MAX_ALIAS_BYTES})", written.len()),
            "shorten it: no server keeps URLs that long",
        ));
    }
    if let Some(c) = written.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(problem(
            format!("the alias `{}` holds {c:?}", written.escape_debug()),
            "write spaces and other such characters percent-encoded (a space is `%20`), as the URL had them",
        ));
    }
    if let Some(rest) = written.strip_prefix("http://").or_else(|| written.strip_prefix("https://")) {
        let path = rest.find('/').map_or("/", |i| &rest[i..]);
        return Err(problem(
            format!("the alias `{written}` is a full URL; an alias is a path on this site"),
            format!("write only its path: `{path}`"),
        ));
    }
    if !written.starts_with('/') || written.starts_with("//") {
        return Err(problem(
            format!("the alias `{written}` does not start with one `/`"),
            format!("write {EXAMPLE}"),
        ));
    }
    if written.contains('#') {
        return Err(problem(
            format!("the alias `{written}` has a `#` fragment, which browsers never send to the server"),
            "remove the `#` and what follows it",
        ));
    }
    if written.contains("..") {
        return Err(problem(
            format!("the alias `{written}` holds `..`"),
            "write the path without `..`: an alias names a place on this site",
        ));
    }
    let (path, query) = match written.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (written, None),
    };
    if query == Some("") {
        return Err(problem(format!("the alias `{written}` ends with an empty query"), "remove the `?`"));
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    let last = segments.len() - 1;
    let mut decoded = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        if segment.is_empty() && i != last {
            return Err(problem(
                format!("the alias `{written}` has an empty path segment (`//`)"),
                "write one `/`",
            ));
        }
        decoded.push(decode(segment, written)?);
    }
    if query.is_some() {
        return Ok(None);
    }
    let joined = decoded.join("/");
    let lower = joined.to_ascii_lowercase();
    let file = if lower.ends_with(".html") || lower.ends_with(".htm") {
        joined
    } else if joined.is_empty() || joined.ends_with('/') {
        format!("{joined}index.html")
    } else {
        // `/old` is served as `/old/` is, from `old/index.html` (Hugo's way).
        format!("{joined}/index.html")
    };
    Ok(Some(file))
}

/// One path segment percent-decoded, as a server looks it up on disk;
/// refused when it would name something else than one file name.
fn decode(segment: &str, written: &str) -> Result<String, Problem> {
    let bytes = segment.as_bytes();
    for (i, _) in segment.match_indices('%') {
        let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
        if !(hex(i + 1) && hex(i + 2)) {
            return Err(problem(
                format!("the alias `{written}` has a `%` not followed by two hex digits"),
                "write `%` itself as `%25`",
            ));
        }
    }
    let decoded = percent_encoding::percent_decode_str(segment).decode_utf8().map_err(|_| {
        problem(
            format!("the alias `{written}` is not UTF-8 once its `%` escapes are decoded"),
            "write the path as the site served it: UTF-8, percent-encoded",
        )
    })?;
    if decoded.contains(['/', '\\'])
        || decoded.chars().any(char::is_control)
        || decoded == "."
        || decoded == ".."
    {
        return Err(problem(
            format!(
                "the alias `{written}` encodes a `/`, `\\`, `.` or a control character in a path segment"
            ),
            "write the path with plain `/` between its segments",
        ));
    }
    if decoded.len() > crate::slugs::MAX_NAME_BYTES {
        return Err(problem(
            format!(
                "a segment of the alias `{}…` is {} bytes long; file systems take at most {}",
                written.chars().take(40).collect::<String>(),
                decoded.len(),
                crate::slugs::MAX_NAME_BYTES
            ),
            "shorten it: no file can be written at that path",
        ));
    }
    Ok(decoded.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(written: &str) -> Option<String> {
        check(written).unwrap_or_else(|p| panic!("{written}: {p:?}"))
    }

    fn refused(written: &str) -> Problem {
        check(written).expect_err(written)
    }

    #[test]
    fn paths_name_the_file_a_server_looks_up() {
        assert_eq!(file("/2019/05/04/old-slug/").as_deref(), Some("2019/05/04/old-slug/index.html"));
        assert_eq!(file("/old/page.html").as_deref(), Some("old/page.html"));
        assert_eq!(file("/OLD.HTM").as_deref(), Some("OLD.HTM"));
        assert_eq!(file("/about").as_deref(), Some("about/index.html"));
        assert_eq!(file("/index.php").as_deref(), Some("index.php/index.html"));
        assert_eq!(file("/").as_deref(), Some("index.html"));
        // Decoded, as a server decodes the request before it looks.
        assert_eq!(file("/caf%C3%A9/").as_deref(), Some("café/index.html"));
        assert_eq!(file("/my%20page.html").as_deref(), Some("my page.html"));
    }

    #[test]
    fn a_query_has_no_file() {
        assert_eq!(file("/?p=123"), None);
        assert_eq!(file("/index.php?page_id=7&lang=en"), None);
        let alias = Alias { written: "/index.php?p=1".into(), line: 3, file: None };
        assert_eq!((alias.path(), alias.query()), ("/index.php", Some("p=1")));
    }

    #[test]
    fn bad_aliases_say_what_to_write() {
        assert!(refused("old/").message.contains("does not start with one `/`"));
        assert!(refused("//cdn.example.org/x/").message.contains("does not start"));
        assert_eq!(refused("https://old.example.org/a/b/?x=1").help, "write only its path: `/a/b/?x=1`");
        assert!(refused("/a/../etc/").message.contains("`..`"));
        assert!(refused("/a b/").message.contains("' '"));
        assert!(refused("/a\tb/").message.contains("'\\t'"));
        assert!(refused("/a\u{7}b/").message.contains("'\\u{7}'"));
        assert!(refused("/a/#top").message.contains("fragment"));
        assert!(refused("/a//b/").message.contains("`//`"));
        assert!(refused("/a%2Fb/").message.contains("encodes a `/`"));
        assert!(refused("/%2e%2E/").message.contains("encodes"));
        assert!(refused("/%2E/").message.contains("encodes"));
        assert!(refused("/a%zz/").message.contains("two hex digits"));
        assert!(refused("/%ff/").message.contains("not UTF-8"));
        assert!(refused("/a?").message.contains("empty query"));
        assert!(refused("").message.contains("empty"));
        assert!(refused(&format!("/{}/", "a".repeat(256))).message.contains("256 bytes"));
        assert!(refused(&format!("/{}", "ab/".repeat(400))).message.contains("too long"));
        assert_eq!(file(&format!("/{}/", "a".repeat(255))).map(|f| f.len()), Some(255 + "/index.html".len()));
    }
}
