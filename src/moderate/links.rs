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
/// `<...>`, bare `http(s)://` and `www.` URLs in any case, and the `href`
/// of HTML anchors pasted into the text. The same URL twice counts twice.
pub fn find_links(body: &str) -> Vec<FoundLink> {
    scan(body).links
}

/// What one pass of the Markdown parser finds in a comment body: its
/// links, and the HTML pasted into it (tags and forum markup, and
/// entities) outside code, which the writer quotes on purpose.
#[derive(Debug, Default)]
pub(super) struct Scan {
    pub links: Vec<FoundLink>,
    pub tags: Vec<Range<usize>>,
    pub entities: Vec<Range<usize>>,
}

pub(super) fn scan(body: &str) -> Scan {
    let mut found = Scan::default();
    let links = &mut found.links;
    let mut open: Option<(String, usize, String)> = None;
    let mut anchor: Option<(String, usize, String)> = None;
    let mut code: Vec<Range<usize>> = Vec::new();
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
            Event::Start(Tag::CodeBlock(_)) => code.push(range),
            Event::Code(t) => {
                code.push(range.clone());
                match open.as_mut().or(anchor.as_mut()) {
                    Some((_, _, text)) => text.push_str(&t),
                    None => links.extend(bare_urls(&t, range.start, body)),
                }
            }
            Event::Text(t) => {
                match open.as_mut().or(anchor.as_mut()) {
                    Some((_, _, text)) => text.push_str(&t),
                    None => links.extend(bare_urls(&t, range.start, body)),
                }
                let source = &body[range.clone()];
                if source.contains('&') {
                    found.entities.extend(
                        entity().find_iter(source).map(|m| range.start + m.start()..range.start + m.end()),
                    );
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                if !(h.trim_start().starts_with("<!--") && h.to_ascii_lowercase().contains("more")) {
                    found.tags.push(range.start..range.start + h.trim_end().len().min(range.len()));
                }
                html_links(&h, range.start, &mut anchor, links);
            }
            _ => {}
        }
    }
    if let Some((url, start, text)) = anchor.take() {
        let text = if text.is_empty() { url.clone() } else { text };
        links.push(FoundLink { url, text, span: start..body.len() });
    }
    links.sort_by_key(|l| l.span.start);
    // Forum markup spans the events Markdown cuts its brackets into.
    let in_code = |r: &Range<usize>| code.iter().any(|c| c.start <= r.start && r.end <= c.end);
    if body.contains('[') {
        found.tags.extend(bbcode().find_iter(body).map(|m| m.range()).filter(|r| !in_code(r)));
    }
    found.tags.sort_by_key(|r| r.start);
    found.entities.retain(|r| !in_code(r));
    found
}

fn entity() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});").expect("valid regex")
    })
}

/// Forum markup (`[url=...]`, `[b]...[/b]`): only its unmistakable forms,
/// so a Markdown reference link `[a]` is not taken for it.
fn bbcode() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)\[(?:url|img|color|size|font)(?:=[^\]]*)?\]|\[/(?:url|b|i|u|s|color|size|img|quote|link|center|font)\]")
            .expect("valid regex")
    })
}

fn anchor_open() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?is)<a\s[^>]*?href\s*=\s*["']?([^"'\s>]+)["']?[^>]*>"#).expect("valid regex")
    })
}

/// Links in pasted HTML (`html` starts at byte `offset` of the body):
/// anchors, whose text may follow in later events (`anchor` carries an
/// open one), and bare URLs outside any tag.
fn html_links(
    html: &str,
    offset: usize,
    anchor: &mut Option<(String, usize, String)>,
    links: &mut Vec<FoundLink>,
) {
    let mut rest_start = 0;
    for m in anchor_open().captures_iter(html) {
        let (Some(whole), Some(url)) = (m.get(0), m.get(1)) else { continue };
        if let Some((url, start, text)) = anchor.take() {
            let text = if text.is_empty() { url.clone() } else { text };
            links.push(FoundLink { url, text, span: start..offset + whole.start() });
        }
        *anchor = Some((url.as_str().to_string(), offset + whole.start(), String::new()));
        let after = &html[whole.end()..];
        if let Some(close) = after.to_ascii_lowercase().find("</a>") {
            if let Some((url, start, mut text)) = anchor.take() {
                text.push_str(&strip_tags(&after[..close]));
                let text = if text.trim().is_empty() { url.clone() } else { text };
                links.push(FoundLink { url, text, span: start..offset + whole.end() + close + 4 });
            }
            rest_start = whole.end() + close + 4;
        } else {
            rest_start = html.len();
        }
    }
    if html.trim_start().to_ascii_lowercase().starts_with("</a")
        && let Some((url, start, text)) = anchor.take()
    {
        let text = if text.trim().is_empty() { url.clone() } else { text };
        links.push(FoundLink { url, text, span: start..offset + html.len() });
    }
    // A block of HTML may hold bare URLs in its text too.
    if rest_start < html.len() {
        let text = strip_tags(&html[rest_start..]);
        if text.contains("://") || text.to_ascii_lowercase().contains("www.") {
            let body_part = &html[rest_start..];
            for link in bare_urls(body_part, 0, body_part) {
                let span = offset + rest_start + link.span.start..offset + rest_start + link.span.end;
                links.push(FoundLink { span, ..link });
            }
        }
    }
}

fn strip_tags(html: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"<[^>]*>").expect("valid regex")).replace_all(html, "").into_owned()
}

/// Bare URLs in one text event. `offset` is where the event's source text
/// starts in the body; the span is found in the source so entities and
/// escapes do not shift it.
fn bare_urls(text: &str, offset: usize, body: &str) -> Vec<FoundLink> {
    // Every bare URL has `://` or a `www.` (in any case) in it.
    let maybe = text.contains("://") || text.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"www."));
    if !maybe {
        return Vec::new();
    }
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

/// Link shorteners and redirectors: the reader cannot see where they lead.
pub(super) const SHORTENERS: &[&str] = &[
    "bit.ly",
    "bitly.com",
    "goo.gl",
    "tinyurl.com",
    "t.co",
    "ow.ly",
    "is.gd",
    "v.gd",
    "buff.ly",
    "adf.ly",
    "shorte.st",
    "sh.st",
    "rebrand.ly",
    "cutt.ly",
    "tiny.cc",
    "tiny.one",
    "linktr.ee",
    "rb.gy",
    "shorturl.at",
    "t.ly",
    "qr.ae",
    "lnkd.in",
    "db.tt",
    "j.mp",
    "x.co",
    "po.st",
    "s.id",
    "soo.gd",
    "bl.ink",
    "snip.ly",
    "clck.ru",
    "bc.vc",
    "ouo.io",
    "exe.io",
    "shrinkme.io",
    "adfoc.us",
    "shorturl.com",
    "tr.im",
    "cli.gs",
    "u.to",
    "urlz.fr",
    "href.li",
    "anonym.to",
    "l.facebook.com",
    "lm.facebook.com",
    "out.reddit.com",
    "google.com/url",
    "youtube.com/redirect",
    "is.gd",
    "bitly.ws",
    "tinu.be",
    "lnk.bio",
    "beacons.ai",
    "msha.ke",
    "solo.to",
    "allmylinks.com",
];

/// The shortener or redirector `url` goes through, from `SHORTENERS` and
/// the site's own `extra` list.
pub(super) fn shortener(url: &str, extra: &[String]) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let host_and_path = rest.split(['?', '#']).next().unwrap_or(rest);
    let host = host_and_path.split('/').next().unwrap_or(host_and_path);
    let matches = |s: &str| {
        let s = without_www(s.trim());
        let path_of = |rest: &str| rest.is_empty() || rest.starts_with('/');
        !s.is_empty()
            && (host_and_path.strip_prefix(s).is_some_and(path_of)
                || (!s.contains('/') && host.strip_suffix(s).is_some_and(|sub| sub.ends_with('.'))))
    };
    SHORTENERS
        .iter()
        .copied()
        .find(|s| matches(s))
        .map(String::from)
        .or_else(|| extra.iter().find(|s| matches(&s.to_ascii_lowercase())).cloned())
        .or_else(|| redirect_through(url))
}

/// `s` without any `www.` it starts with (as `trim_start_matches("www.")`,
/// which sets up a substring search each time: this is called for every
/// shortener and every link).
fn without_www(mut s: &str) -> &str {
    while let Some(rest) = s.strip_prefix("www.") {
        s = rest;
    }
    s
}

/// A link whose query hands the reader on to another address
/// (`out.example/r?u=https%3A%2F%2F...`, `go.example/?to=site.example`):
/// the host it goes through.
fn redirect_through(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let names_an_address = |value: &str| {
        value.contains("://")
            || (!value.contains(' ')
                && value.contains('.')
                && value
                    .split(['/', '?'])
                    .next()
                    .and_then(|host| host.rsplit('.').next())
                    .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())))
    };
    let onward = parsed.query_pairs().any(|(key, value)| {
        let key = key.to_ascii_lowercase();
        [
            "u",
            "url",
            "to",
            "target",
            "dest",
            "destination",
            "redirect",
            "redir",
            "goto",
            "link",
            "out",
            "r",
            "next",
        ]
        .contains(&key.as_str())
            && names_an_address(&value)
    });
    onward.then(|| format!("a redirect through {}", parsed.host_str().unwrap_or("?")))
}

/// The domain a link's visible text names, when it names another one than
/// the link goes to: `[www.paypal.com](http://pay-verify.example/)`.
pub(super) fn cloaked_text(link: &FoundLink) -> Option<(String, String)> {
    static DOMAIN: OnceLock<Regex> = OnceLock::new();
    let domain = DOMAIN.get_or_init(|| {
        Regex::new(r"(?i)(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,24})(?:[/:?#]|$|\s)")
            .expect("valid regex")
    });
    if link.text == link.url {
        return None;
    }
    let shown = domain.captures(link.text.trim())?.get(1)?.as_str().to_ascii_lowercase();
    let with_scheme =
        if link.url.contains("://") { link.url.clone() } else { format!("http://{}", link.url) };
    let target = url::Url::parse(&with_scheme).ok()?.host_str()?.to_ascii_lowercase();
    let site = |host: &str| {
        let labels: Vec<&str> = host.trim_start_matches("www.").rsplitn(3, '.').collect();
        labels.iter().take(2).rev().copied().collect::<Vec<_>>().join(".")
    };
    (site(&shown) != site(&target)).then_some((shown, target))
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
    fn pasted_anchors_are_links() {
        let body =
            "Nice <a href=\"http://spam.example/x\">my site</a> and <a href='https://b.example/'>b</a>";
        let found = find_links(body);
        let urls: Vec<&str> = found.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["http://spam.example/x", "https://b.example/"]);
        assert_eq!(found[0].text, "my site");
        assert!(body[found[0].span.clone()].starts_with("<a href"));
        let block = find_links("<p>go to http://block.example/a now</p>");
        assert_eq!(block.len(), 1, "{block:?}");
    }

    #[test]
    fn shorteners_and_cloaked_text() {
        assert_eq!(shortener("https://bit.ly/3xYz", &[]).as_deref(), Some("bit.ly"));
        assert_eq!(shortener("http://www.google.com/url?q=http://x", &[]).as_deref(), Some("google.com/url"));
        assert_eq!(shortener("https://example.org/bit.ly", &[]), None);
        assert_eq!(
            shortener("https://go.mysite.example/x", &["go.mysite.example".into()]).as_deref(),
            Some("go.mysite.example")
        );
        let link = |text: &str, url: &str| FoundLink { url: url.into(), text: text.into(), span: 0..1 };
        assert!(cloaked_text(&link("www.paypal.com", "http://pay-verify.example/login")).is_some());
        assert!(cloaked_text(&link("their refund policy", "https://shop.example/help")).is_none());
        assert!(cloaked_text(&link("shop.example/help", "https://www.shop.example/help")).is_none());
        assert!(cloaked_text(&link("docs.shop.example", "https://shop.example/help")).is_none());
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
