//! Finding the links in a comment body, and telling an article link from a
//! commercial one.

use std::ops::Range;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;

/// A link found in a comment body.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundLink {
    pub url: String,
    /// The link's visible text (the URL itself for bare URLs and autolinks).
    pub text: String,
    /// Where it is in the body, for showing the moderator.
    pub span: Range<usize>,
}

fn bare_url() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)\b(?:https?://|www\.)[^\s<>\[\]()]+[^\s<>\[\]().,;:!?'\x22]").expect("valid regex")
    })
}

/// Every link in `body`: Markdown inline and reference links, autolinks
/// `<...>`, and bare `http(s)://` and `www.` URLs, in any case. The same URL
/// twice counts twice.
pub fn find_links(body: &str) -> Vec<FoundLink> {
    let mut links = Vec::new();
    let mut open: Option<(String, usize, String)> = None;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
                open = Some((dest_url.to_string(), range.start, String::new()));
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if let Some((url, start, text)) = open.take() {
                    links.push(FoundLink { url, text, span: start..range.end });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = open.as_mut() {
                    text.push_str(&t);
                } else {
                    links.extend(bare_urls(&t, range.start, body));
                }
            }
            _ => {}
        }
    }
    links.sort_by_key(|l| l.span.start);
    links
}

/// Bare URLs in one text event. `offset` is where the event's source text
/// starts in the body; the span is found in the source so entities and
/// escapes do not shift it.
fn bare_urls(text: &str, offset: usize, body: &str) -> Vec<FoundLink> {
    bare_url()
        .find_iter(text)
        .map(|m| {
            let url = m.as_str().to_string();
            let start = body[offset..].find(&url).map_or(offset, |i| offset + i);
            FoundLink { text: url.clone(), span: start..start + url.len(), url }
        })
        .collect()
}

/// Why a link counts as commercial, or `None` for an article-like link.
pub(super) fn commercial_reason(url: &str, allow: &[String], deny: &[String]) -> Option<String> {
    let with_scheme =
        if url.to_ascii_lowercase().starts_with("www.") { format!("http://{url}") } else { url.to_string() };
    let parsed = url::Url::parse(&with_scheme).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?.trim_start_matches("www.").to_ascii_lowercase();
    let matches_domain = |d: &String| {
        let d = d.trim().trim_start_matches("www.").to_ascii_lowercase();
        !d.is_empty() && (host == d || host.ends_with(&format!(".{d}")))
    };
    if allow.iter().any(matches_domain) {
        return None;
    }
    if deny.iter().any(matches_domain) {
        return Some(format!("`{host}` is in `link_deny`"));
    }
    if let Some(param) =
        parsed.query_pairs().map(|(k, _)| k.to_ascii_lowercase()).find(|k| is_tracking_param(k))
    {
        return Some(format!("it carries the affiliate or tracking parameter `{param}`"));
    }
    let segments: Vec<String> = parsed
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(|p| p.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    if let Some(word) =
        segments.iter().flat_map(|s| s.split(['-', '_', '.'])).find(|w| SHOP_WORDS.contains(w))
    {
        return Some(format!("its path looks like a shop (`{word}`)"));
    }
    if segments.is_empty() && parsed.query().is_none() {
        return Some(format!("it is the bare homepage of `{host}`, not an article"));
    }
    None
}

const SHOP_WORDS: &[&str] = &[
    "shop",
    "store",
    "buy",
    "product",
    "products",
    "pricing",
    "price",
    "prices",
    "cart",
    "checkout",
    "coupon",
    "coupons",
    "deal",
    "deals",
    "discount",
    "promo",
    "order",
    "sale",
    "affiliate",
];

fn is_tracking_param(key: &str) -> bool {
    key.starts_with("utm_")
        || matches!(
            key,
            "ref"
                | "aff"
                | "aff_id"
                | "affid"
                | "affiliate"
                | "affiliate_id"
                | "tag"
                | "gclid"
                | "fbclid"
                | "msclkid"
                | "clickid"
                | "campaign"
                | "coupon"
                | "promo"
                | "partner"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(body: &str) -> Vec<String> {
        find_links(body).into_iter().map(|l| l.url).collect()
    }

    #[test]
    fn every_kind_of_link_is_found() {
        assert_eq!(
            urls("see [a](https://a.org/x) and <https://b.org/y>"),
            ["https://a.org/x", "https://b.org/y"]
        );
        assert_eq!(urls("[ref][1]\n\n[1]: https://r.org/p"), ["https://r.org/p"]);
        assert_eq!(
            urls("HTTPS://UPPER.ORG/A and www.Example.com/page."),
            ["HTTPS://UPPER.ORG/A", "www.Example.com/page"]
        );
        assert_eq!(urls("https://a.org/x https://a.org/x").len(), 2, "the same URL twice counts twice");
        assert_eq!(urls("(see https://a.org/x)"), ["https://a.org/x"]);
        assert!(urls("no links here, just text about www and http").is_empty());
    }

    #[test]
    fn spans_point_at_the_link() {
        let body = "one https://a.org/x two";
        let link = &find_links(body)[0];
        assert_eq!(&body[link.span.clone()], "https://a.org/x");
    }

    #[test]
    fn articles_are_not_commercial() {
        for url in [
            "https://en.wikipedia.org/wiki/Customer_service",
            "https://blog.example.org/2011/06/10/on-hold-music/",
            "https://example.org/articles/why-refunds-matter",
            "https://xn--bcher-kva.example/essays/returns",
        ] {
            assert_eq!(commercial_reason(url, &[], &[]), None, "{url}");
        }
    }

    #[test]
    fn shops_homepages_and_tracking_are_commercial() {
        for url in [
            "https://acme.example/",
            "https://www.acme.example",
            "https://acme.example/shop/chairs",
            "https://acme.example/blog/post?utm_source=x",
            "https://acme.example/p/123?ref=abc",
            "https://acme.example/pricing",
            "www.acme.example/buy-now",
        ] {
            assert!(commercial_reason(url, &[], &[]).is_some(), "{url}");
        }
        let deny = vec!["acme.example".to_string()];
        assert!(commercial_reason("https://news.acme.example/2020/a-story", &[], &deny).is_some());
        let allow = vec!["acme.example".to_string()];
        assert!(commercial_reason("https://acme.example/", &allow, &[]).is_none());
    }
}
