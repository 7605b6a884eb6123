//! The comment form's fields, decoded and checked, and the refusals a
//! request can get. Nothing here is trusted beyond its shape.

use std::collections::HashMap;

use axum::http::StatusCode;

use crate::forms::HONEYPOT_FIELD;

/// A refusal: status, message, and the field it is about.
pub(super) struct Refusal {
    pub(super) status: StatusCode,
    pub(super) message: String,
    pub(super) field: Option<&'static str>,
    /// Seconds until trying again may succeed (429's `Retry-After`).
    pub(super) retry_after: Option<u64>,
}

pub(super) fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal { status, message: message.into(), field: None, retry_after: None }
}

pub(super) fn bad_field(field: &'static str, message: impl Into<String>) -> Refusal {
    Refusal { field: Some(field), ..refuse(StatusCode::BAD_REQUEST, message) }
}

pub(super) fn too_many(message: impl Into<String>, retry_after: u64) -> Refusal {
    Refusal { retry_after: Some(retry_after.max(1)), ..refuse(StatusCode::TOO_MANY_REQUESTS, message) }
}

/// The form's fields, checked: what is left of a request body once it is
/// decoded. Nothing here is trusted yet beyond its shape.
#[derive(Debug, Clone)]
pub struct Form {
    pub post: String,
    /// One line, 1 to 80 characters, no control characters.
    pub author: String,
    pub email: Option<String>,
    /// An http(s) URL with a host.
    pub website: Option<String>,
    /// Unix line ends, no control characters but newlines and tabs.
    pub body: String,
    pub reply_to: Option<String>,
    pub member_token: Option<String>,
    pub token: String,
    /// "Email me replies to my comment" was ticked (needs `email`).
    pub notify_replies: bool,
}

/// Decodes a `POST /comments` body (form-encoded) and checks each field's
/// shape. The error is the message a reader is shown.
pub fn decode_form(bytes: &[u8], max_length: usize) -> Result<Form, String> {
    Form::decode(bytes, max_length).map_err(|r| r.message)
}

impl Form {
    pub(super) fn decode(bytes: &[u8], max_length: usize) -> Result<Form, Refusal> {
        let fields: HashMap<String, String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
            .map_err(|_| refuse(StatusCode::BAD_REQUEST, "the form data cannot be read"))?
            .into_iter()
            .collect();
        Form::read(&fields, max_length)
    }

    fn read(fields: &HashMap<String, String>, max_length: usize) -> Result<Form, Refusal> {
        let get = |name: &str| fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        if get(HONEYPOT_FIELD).is_some() {
            return Err(bad_field("homepage", "the field `homepage` must stay empty"));
        }
        let post = get("post")
            .ok_or_else(|| bad_field("post", "`post` is missing: which post is the comment for?"))?;
        if post.len() > 200 {
            return Err(bad_field("post", "`post` is too long"));
        }
        let author = clean_line(get("author").unwrap_or(""));
        let author_len = author.chars().count();
        if !(1..=80).contains(&author_len) {
            return Err(bad_field("author", "`author` must be 1 to 80 characters"));
        }
        let email = get("email").map(str::to_string);
        if let Some(e) = &email
            && !valid_email(e)
        {
            return Err(bad_field("email", "`email` is not an email address"));
        }
        let website = match get("website") {
            None => None,
            Some(w) => Some(
                web_address(w)
                    .ok_or_else(|| bad_field("website", "`website` must be an http or https URL"))?,
            ),
        };
        let body = clean_body(fields.get("body").map(String::as_str).unwrap_or(""));
        let body_len = body.trim().chars().count();
        if body_len == 0 {
            return Err(bad_field("body", "`body` is empty: write a comment"));
        }
        if body_len > max_length {
            return Err(bad_field(
                "body",
                format!("`body` is {body_len} characters; the limit is {max_length}"),
            ));
        }
        let reply_to = get("reply_to").map(str::to_string);
        // An id is a file name: one short word, no spaces or control characters.
        let not_an_id = |r: &String| r.len() > 100 || r.chars().any(|c| c.is_control() || c.is_whitespace());
        if reply_to.as_ref().is_some_and(not_an_id) {
            return Err(bad_field("reply_to", "`reply_to` is not a comment id"));
        }
        let notify_replies = get("notify_replies").is_some_and(|v| matches!(v, "yes" | "on" | "1" | "true"));
        if notify_replies && email.is_none() {
            return Err(bad_field("email", "give your email address to be emailed replies to your comment"));
        }
        let token = get("token").ok_or_else(|| {
            refuse(
                StatusCode::FORBIDDEN,
                "the form token is missing: post from the comment form on the post's page",
            )
        })?;
        Ok(Form {
            post: post.to_string(),
            author,
            email,
            website,
            body,
            reply_to,
            member_token: get("member_token").map(str::to_string),
            token: token.to_string(),
            notify_replies,
        })
    }
}

/// One line of text: no control characters, no byte-order marks.
fn clean_line(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() && *c != '\u{feff}').collect::<String>().trim().to_string()
}

/// A comment body: Unix line ends, no control characters but newlines and tabs.
fn clean_body(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || (!c.is_control() && c != '\u{feff}'))
        .collect()
}

fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.rsplit_once('@') else { return false };
    e.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';'))
}

/// An http(s) URL with a host, written out in full: browsers (and the
/// `url` crate) read `https:example.org` as `https://example.org/`, and
/// the stored comment must say what the link will be.
fn web_address(w: &str) -> Option<String> {
    let url = url::Url::parse(w).ok()?;
    let ok = w.len() <= 2000
        && matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty());
    ok.then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_website_is_stored_as_the_link_it_will_be() {
        // Found by the `intake_form` fuzz target: `https:o/x` is a valid URL
        // (`https://o/x`), which a comment file must spell out in full.
        assert_eq!(web_address("https:o/example.org/").as_deref(), Some("https://o/example.org/"));
        assert_eq!(web_address("HTTPS://Example.ORG").as_deref(), Some("https://example.org/"));
        assert_eq!(web_address("javascript:alert(1)"), None);
        assert_eq!(web_address("https://"), None);
    }

    #[test]
    fn fields_are_checked_by_name() {
        let form = |pairs: &[(&str, &str)]| {
            let map: HashMap<String, String> =
                pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            Form::read(&map, 100).err().map(|r| (r.status, r.field))
        };
        let ok = [("post", "p"), ("author", "Ann"), ("body", "Hello there, reader."), ("token", "t")];
        assert_eq!(form(&ok), None);
        let with = |k: &'static str, v: &'static str| {
            let mut f: Vec<(&str, &str)> = ok.iter().copied().filter(|(n, _)| *n != k).collect();
            f.push((k, v));
            form(&f)
        };
        assert_eq!(with("author", ""), Some((StatusCode::BAD_REQUEST, Some("author"))));
        assert_eq!(
            with("author", &"x".repeat(81).leak()[..]),
            Some((StatusCode::BAD_REQUEST, Some("author")))
        );
        assert_eq!(with("email", "not-an-email"), Some((StatusCode::BAD_REQUEST, Some("email"))));
        assert_eq!(with("website", "javascript:alert(1)"), Some((StatusCode::BAD_REQUEST, Some("website"))));
        assert_eq!(with("body", "   "), Some((StatusCode::BAD_REQUEST, Some("body"))));
        // Found by the `intake_form` fuzz target: control characters in
        // `reply_to` made a comment file YAML cannot read back.
        assert_eq!(with("reply_to", "c1\u{0}\u{7}"), Some((StatusCode::BAD_REQUEST, Some("reply_to"))));
        assert_eq!(with("body", &"x".repeat(101).leak()[..]), Some((StatusCode::BAD_REQUEST, Some("body"))));
        assert_eq!(with("homepage", "http://spam"), Some((StatusCode::BAD_REQUEST, Some("homepage"))));
        assert_eq!(with("token", ""), Some((StatusCode::FORBIDDEN, None)));
    }
}
