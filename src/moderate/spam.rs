//! The rules for the families of comment spam found in the wild (beside
//! the policy rules in `rules.rs`): money offers, share-bait, shortened
//! and cloaked links, pasted markup and symbol walls, and the filter
//! learned from the site's decisions. Each reads the body's normal form
//! (`normalize`) and points its spans at what the reader typed.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::links::{cloaked_text, shortener};
use super::phrases::Family;
use super::{Body, Check, Context, Rule, Verdict, one_span};
use crate::diag::plural;

/// The body's spans for spans of its normal form.
pub(super) fn original_spans(body: &Body, spans: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = spans.iter().map(|r| body.normalized.original(r.clone())).collect();
    out.retain(|r| r.start < r.end);
    out.sort_by_key(|r| r.start);
    out.dedup();
    out
}

/// The first thing found, as the reader typed it, for a message.
pub(super) fn quoted(cx: &Context, body: &Body, first: Option<&Range<usize>>) -> String {
    let span = first.map(|r| body.normalized.original(r.clone())).unwrap_or(0..0);
    let text: String =
        cx.comment.body.get(span).unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ");
    text.chars().take(60).collect()
}

pub(super) struct MoneyOffer;
impl Rule for MoneyOffer {
    fn code(&self) -> &'static str {
        "money_offer"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Spam
    }
    fn describe(&self) -> &'static str {
        "offers money, a job, a giveaway or gift cards: \"make money online\", \"GET PAID $30 AN HOUR\", \"free gift card codes\", \"work from home\" with pay (`money_phrases` adds more)"
    }
    fn spam_family(&self) -> bool {
        true
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let found = body.phrases.of(Family::Money);
        let claims = income_claims(&body.normalized.text);
        if found.strong.is_empty() && claims.is_empty() && found.weak.len() < 2 {
            return Check::clear("offers no money, job or giveaway");
        }
        let first = claims.first().or(found.strong.first()).or(found.weak.first());
        let phrase = quoted(cx, body, first);
        let spans: Vec<Range<usize>> =
            claims.iter().chain(&found.strong).chain(&found.weak).cloned().collect();
        Check::hit(
            format!(
                "offers money, work or prizes (\u{201c}{phrase}\u{201d}): the signature of money and job spam"
            ),
            original_spans(body, &spans),
        )
    }
}

/// Pay that nobody earns answering a blog: an amount per hour, day, week,
/// month or task at or above what a money offer promises (a reader's own
/// wage, "$15 an hour", stays below), said of earning or paying.
fn income_claims(text: &str) -> Vec<Range<usize>> {
    static AMOUNT: OnceLock<Regex> = OnceLock::new();
    static EARN: OnceLock<Regex> = OnceLock::new();
    let amount = AMOUNT.get_or_init(|| {
        let number = r"(\d(?:[\d.,]|\s\d{3})*|(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|grand)[\s-]*)+)";
        let unit = r"(?:/\s*|(?-u:\b)(?:a|an|per|every|each|por|par|al|ao|a\s+la|this|last)\s+(?:single\s+)?|(?-u:\b))(hours?|hrs?|h|days?|weeks?|wk|months?|mo|tasks?|reviews?|posts?|referrals?|clicks?|likes?|hora|dia|semana|mes|jour|semaine|mois)(?-u:\b)|(?-u:\b)(hourly|daily|weekly|monthly|diarios?|semanal(?:es)?|mensual(?:es)?|par\s+jour)(?-u:\b)";
        let pattern = format!(
            r"(?:(?:[$€£₹¥]|r\$|us\$|usd)\s?{number}\s*(k)?|{number}\s*(k)?\s*(?:[$€£₹]|usd|dollars?|bucks|euros?|reais|pounds|grand))[^.!?\n]{{0,25}}?(?:{unit})"
        );
        Regex::new(&pattern).expect("valid regex")
    });
    let earn = EARN.get_or_init(|| {
        Regex::new(r"(?-u:\b)(?:earn\w*|make|makes|making|made|paid|pay|pays|paying|get|gets|getting|got|receive\w*|receba|recebe\w*|gana\w*|ganh\w*|gagne\w*|win|won|income|salary|profit\w*|deposited|cash\s*out|withdraw\w*|pull\w*\s+in|bring\w*\s+in|rake\w*\s+in|hiring|apply|job|jobs|wage|salary)(?-u:\b)")
            .expect("valid regex")
    });
    let mut out = Vec::new();
    // Most comments name no amount at all.
    static WRITTEN: OnceLock<Regex> = OnceLock::new();
    let written =
        WRITTEN.get_or_init(|| Regex::new("dollar|buck|euro|pound|grand|reais").expect("valid regex"));
    let amounts = text.bytes().any(|b| b.is_ascii_digit()) || written.is_match(text);
    if !amounts {
        return out;
    }
    let mut at = 0;
    // Each amount is tried in turn: one too small must not hide the next
    // inside its own match ("£300, now I withdraw £2,000 every week").
    while let Some(c) = amount.captures_at(text, at) {
        let Some(whole) = c.get(0) else { break };
        at = ceil(text, whole.start() + 1);
        let number = c.get(1).or(c.get(3)).map_or("", |m| m.as_str());
        let thousands = c.get(2).or(c.get(4)).is_some();
        let unit = c.get(5).or(c.get(6)).map_or("", |m| m.as_str());
        let Some(mut value) = parse_amount(number.trim_end_matches([',', '.'])) else { continue };
        if thousands {
            value *= 1000.0;
        }
        let threshold = match unit.trim_end_matches('s') {
            "hour" | "hr" | "h" | "hora" | "hourly" => 25.0,
            "day" | "dia" | "jour" | "daily" | "diario" | "par jour" => 150.0,
            "week" | "wk" | "semana" | "semaine" | "weekly" | "semanal" | "semanale" => 500.0,
            "month" | "mo" | "me" | "mois" | "monthly" | "mensual" | "mensuale" => 2000.0,
            _ => 1.0,
        };
        let around = &text
            [floor(text, whole.start().saturating_sub(60))..ceil(text, (whole.end() + 40).min(text.len()))];
        if value >= threshold && earn.is_match(around) {
            out.push(whole.range());
            at = whole.end();
        }
    }
    out
}

fn floor(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A written amount: digits with thousands separators in any convention
/// (`2,847.19`, `3.000`, `4 000`), or number words (`five hundred`).
fn parse_amount(written: &str) -> Option<f64> {
    let written = written.trim();
    if written.starts_with(|c: char| c.is_ascii_digit()) {
        let digits: String = written.chars().filter(|c| !c.is_whitespace()).collect();
        let last_sep = digits.rfind(['.', ',']);
        let normal = match last_sep {
            // A separator followed by exactly three digits groups thousands.
            Some(i) if digits.len() - i - 1 == 3 => digits.replace(['.', ','], ""),
            Some(i) => format!("{}.{}", digits[..i].replace(['.', ','], ""), &digits[i + 1..]),
            None => digits,
        };
        return normal.parse().ok();
    }
    let mut total: f64 = 0.0;
    let mut current: f64 = 0.0;
    for word in written.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()) {
        let n = match word {
            "one" => 1.0,
            "two" => 2.0,
            "three" => 3.0,
            "four" => 4.0,
            "five" => 5.0,
            "six" => 6.0,
            "seven" => 7.0,
            "eight" => 8.0,
            "nine" => 9.0,
            "ten" => 10.0,
            "eleven" => 11.0,
            "twelve" => 12.0,
            "fifteen" => 15.0,
            "twenty" => 20.0,
            "thirty" => 30.0,
            "forty" => 40.0,
            "fifty" => 50.0,
            "sixty" => 60.0,
            "seventy" => 70.0,
            "eighty" => 80.0,
            "ninety" => 90.0,
            "hundred" => {
                current = current.max(1.0) * 100.0;
                continue;
            }
            "thousand" | "grand" => {
                total += current.max(1.0) * 1000.0;
                current = 0.0;
                continue;
            }
            _ => return None,
        };
        current += n;
    }
    let value = total + current;
    (value > 0.0).then_some(value)
}

pub(super) struct ShareBait;
impl Rule for ShareBait {
    fn code(&self) -> &'static str {
        "share_bait"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Spam
    }
    fn describe(&self) -> &'static str {
        "share-bait and engagement bait: \"check out this video\", \"like this comment if\", \"who is watching in 2019? like\", \"read my profile\" (`bait_phrases` adds more)"
    }
    fn spam_family(&self) -> bool {
        true
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let found = body.phrases.of(Family::Bait);
        // A video link alone is no bait; with one of the calls, or twice, it is.
        if found.strong.is_empty() {
            return Check::clear("asks for no likes, shares or views");
        }
        let phrase = quoted(cx, body, found.first());
        Check::hit(
            format!("asks for likes, shares or views (\u{201c}{phrase}\u{201d}): engagement bait"),
            original_spans(body, &found.strong),
        )
    }
}

pub(super) struct LinkShortener;
impl Rule for LinkShortener {
    fn code(&self) -> &'static str {
        "link_shortener"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Spam
    }
    fn describe(&self) -> &'static str {
        "a link through a shortener or redirector (bit.ly, tinyurl.com, linktr.ee, ...; `shorteners` adds more): nobody can see where it leads"
    }
    fn spam_family(&self) -> bool {
        true
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let extra = &cx.settings.shorteners;
        let mut hits: Vec<(String, Range<usize>)> =
            body.links.iter().filter_map(|l| shortener(&l.url, extra).map(|s| (s, l.span.clone()))).collect();
        // Written without `http://` or `www.`, a shortened link is no link
        // to the Markdown reader, but it is to a person.
        let text = &body.normalized.text;
        let bare = if text.contains('/') { bare_short_link().find_iter(text).collect() } else { Vec::new() };
        for m in bare {
            if let Some(s) = shortener(m.as_str(), extra) {
                let span = body.normalized.original(m.range());
                if !hits.iter().any(|(_, h)| h.start <= span.start && span.end <= h.end) {
                    hits.push((s, span));
                }
            }
        }
        if hits.is_empty() {
            return Check::clear("no shortened or redirecting link");
        }
        let names: Vec<String> = hits.iter().map(|(s, _)| format!("`{s}`")).collect();
        Check::hit(
            format!(
                "links through {} ({}): where it leads is hidden",
                plural(hits.len(), "shortener"),
                names.join(", ")
            ),
            hits.into_iter().map(|(_, r)| r).collect(),
        )
    }
}

/// `bit.ly/abc` written bare: a host with a dot, a slash, a path.
fn bare_short_link() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?-u:\b)[a-z0-9-]+(?:\.[a-z0-9-]+)+/[a-z0-9_\-?=&/.]+").expect("valid regex")
    })
}

pub(super) struct CloakedLink;
impl Rule for CloakedLink {
    fn code(&self) -> &'static str {
        "cloaked_link"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Spam
    }
    fn describe(&self) -> &'static str {
        "a link written to dodge filters (\"site dot com\", \"www . site . com\", \"hxxp://\", a bare \"/watch?v=...\"), or link text that names another site than the link goes to"
    }
    fn spam_family(&self) -> bool {
        true
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        for link in &body.links {
            if let Some((shown, target)) = cloaked_text(link) {
                return Check::hit(
                    format!("the link text says `{shown}` but the link goes to `{target}`"),
                    vec![link.span.clone()],
                );
            }
        }
        let text = &body.normalized.text;
        let inside_link = |span: &Range<usize>| {
            body.links.iter().any(|l| l.span.start <= span.start && span.end <= l.span.end)
        };
        // Each search only where its address could be: one quick pass for
        // what each needs first.
        let may_dodge = may_dodge().is_match(text);
        let may_video = may_video().is_match(text);
        // Every address has a dot before a letter, digit or hyphen.
        let may_address = text
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'.' && (w[1].is_ascii_lowercase() || w[1].is_ascii_digit() || w[1] == b'-'));
        for m in obfuscated().find_iter(if may_dodge { text } else { "" }) {
            let written = m.as_str();
            let name = written.split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty()).unwrap_or("");
            let dodges = written.contains(char::is_whitespace)
                || written.contains("dot")
                || written.contains('[')
                || written.contains('(')
                || written.contains(',')
                || written.contains(['•', '·'])
                || written.starts_with("hx");
            let span = body.normalized.original(m.range());
            if dodges
                && !super::text::is_function_word(name)
                && !COMMON_BEFORE_DOT.contains(&name)
                && !inside_link(&span)
            {
                let typed = cx.comment.body.get(span.clone()).unwrap_or(written);
                let shown: String = typed.split_whitespace().collect::<Vec<_>>().join(" ");
                return Check::hit(
                    format!("an address written to dodge link filters (\u{201c}{shown}\u{201d})"),
                    vec![span],
                );
            }
        }
        for m in partial_video_link().find_iter(if may_video { text } else { "" }) {
            let span = body.normalized.original(m.range());
            if !inside_link(&span) {
                return Check::hit(
                    format!(
                        "a bare video or channel address (\u{201c}{}\u{201d}) written without its site",
                        cx.comment.body.get(span.clone()).unwrap_or(m.as_str()).trim()
                    ),
                    vec![span],
                );
            }
        }
        // An address that reads as one only once look-alike letters or
        // spaced-out letters are undone.
        for m in addressish().find_iter(if may_address { text } else { "" }) {
            let span = body.normalized.original(m.range());
            let written = cx.comment.body.get(span.clone()).unwrap_or("");
            let disguised = !written.is_ascii() || (m.as_str().contains("://") && !inside_link(&span));
            if disguised && written.trim() != m.as_str() {
                return Check::hit(
                    format!(
                        "an address written in look-alike or spaced-out letters (\u{201c}{}\u{201d})",
                        written.trim()
                    ),
                    vec![span],
                );
            }
        }
        Check::clear("no disguised link")
    }
}

/// An address as it reads: a scheme or `www.`, or a dotted host ending in
/// a known top-level domain.
fn addressish() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:https?://|w{1,3}\.)[a-z0-9-]{2,}(?:\.[a-z0-9-]{2,})+|(?-u:\b)[a-z0-9-]{2,}(?:\.[a-z0-9-]{2,})*\.(?:com|net|org|info|biz|ru|xyz|top|club|online|site|co|io|me|us|uk|de|br|es|fr|ly|tv|shop|store|live|app|example)(?-u:\b)")
            .expect("valid regex")
    })
}

/// What every disguised address of `obfuscated` has in it.
fn may_dodge() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\s\.|dot|\[\.\]|\(\.\)|w\s+w|c\s+o\s+m|hxx|h\s+t\s+t\s+p|(?-u:\b)w{1,3}\s|[,•·]\s*(?:com|net|org|example)")
            .expect("valid regex")
    })
}

/// What every bare video or channel address has in it.
fn may_video() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"watch\?v=|youtu|/c/|/channel/|/user/").expect("valid regex"))
}

/// Words that stand before "dot com" in ordinary sentences ("the dot com
/// bubble").
const COMMON_BEFORE_DOT: &[&str] = &[
    "the",
    "a",
    "old",
    "big",
    "era",
    "any",
    "every",
    "web",
    "name",
    "company",
    "brand",
    "store",
    "shop",
    "site",
    "something",
    "whatever",
    "their",
    "its",
    "our",
    "your",
    "his",
    "her",
    "my",
];

fn obfuscated() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let tld = r"(?:com|net|org|info|biz|ru|tk|ml|ga|cf|gq|xyz|top|club|online|site|co|io|me|us|uk|de|br|es|fr|in|ly|gl|be|tv|cc|ws|link|shop|store|live|app|example)";
        let dot = r"(?:\s+\.\s*|\s*\(\s*dot\s*\)\s*|\s*\[\s*dot\s*\]\s*|\s*\{\s*dot\s*\}\s*|\s+dot\s+|\s*\[\.\]\s*|\s*\(\.\)\s*|\s*<dot>\s*)";
        let pattern = format!(
            r"(?-u:\b)(?:w\s+w\s+w(?-u:\b)|c\s+o\s+m(?-u:\b)|(?:w{{2,3}}\s*(?:,+|[•·])\s*)?[a-z0-9][a-z0-9-]{{2,}}\s*(?:,+|[•·])\s*(?:com|net|org|example)(?-u:\b)|hx{{2}}ps?://\S+|h\s+t\s+t\s+p\s*s?\s*:\s*/\s*/\s*\S+|w{{1,3}}\s+[a-z0-9-]{{2,}}\s+{tld}(?-u:\b)|(?:w{{1,3}}{dot})?[a-z0-9][a-z0-9-]{{1,}}{dot}(?:[a-z0-9-]{{2,}}{dot})?{tld}(?-u:\b))"
        );
        Regex::new(&pattern).expect("valid regex")
    })
}

/// A YouTube watch path or channel address without `http://` or `www.`.
fn partial_video_link() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:^|\s)/(?:channel|c|user)/[a-z0-9_-]{5,}|(?:^|[^a-z0-9./])(?:(?:m\.)?youtube\.com/|youtu\.be/)?/?watch\?v=[a-z0-9_-]{5,}|(?-u:\b)(?:youtube\.com|youtu\.be)/(?:c/|channel/|user/|@)?[a-z0-9_-]{3,}")
            .expect("valid regex")
    })
}

pub(super) struct PastedMarkup;
impl Rule for PastedMarkup {
    fn code(&self) -> &'static str {
        "pasted_markup"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Hold
    }
    fn describe(&self) -> &'static str {
        "HTML tags or entities pasted into a Markdown comment (`<br />`, `<a href>`, `&#39;`): held; a wall of symbols, box-drawing or Braille art, or zalgo text: spam"
    }
    fn spam_family(&self) -> bool {
        true
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let text = &cx.comment.body;
        if let Some((why, spans)) = symbol_wall(text) {
            return Check::hit(format!("{why}: text made to take space, not to say something"), spans)
                .graded(Verdict::Spam);
        }
        if let Some(count) = emoji_wall(text) {
            return Check::hit(
                format!("nothing but {count} emoji: held for a moderator"),
                one_span(0..text.trim_end().len()),
            );
        }
        let (tags, entities) = (body.pasted_tags.clone(), body.pasted_entities.clone());
        if tags.is_empty() && entities.is_empty() {
            return Check::clear("no pasted HTML or symbol art");
        }
        let mut what = Vec::new();
        if let Some(first) = tags.first() {
            what.push(format!("{} (`{}`)", plural(tags.len(), "HTML tag"), clip(&text[first.clone()])));
        }
        if let Some(first) = entities.first() {
            what.push(format!(
                "{} (`{}`)",
                plural(entities.len(), "HTML entity").replace("entitys", "entities"),
                &text[first.clone()]
            ));
        }
        let mut spans: Vec<Range<usize>> = tags.into_iter().chain(entities).collect();
        spans.sort_by_key(|r| r.start);
        Check::hit(
            format!(
                "pasted HTML in a Markdown comment: {}; text copied from elsewhere waits for a moderator",
                what.join(" and ")
            ),
            spans,
        )
    }
}

fn clip(s: &str) -> String {
    let s: String = s.chars().take(30).collect();
    s.replace('`', "'")
}

/// Symbols that draw rather than say: box drawing, blocks, geometric
/// shapes, dingbats and stars, Braille patterns, arrows.
fn is_drawing(c: char) -> bool {
    matches!(c, '\u{2190}'..='\u{21FF}' | '\u{2500}'..='\u{27BF}' | '\u{2800}'..='\u{28FF}' | '\u{2B00}'..='\u{2BFF}')
}

/// A body of a dozen or more emoji and nothing else, or a frame of them:
/// how many, when it is.
fn emoji_wall(body: &str) -> Option<usize> {
    // Every emoji is outside ASCII.
    if body.is_ascii() {
        return None;
    }
    let is_emoji = |c: &char| matches!(c, '\u{1F300}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}');
    let emoji = body.chars().filter(is_emoji).count();
    let other = body.chars().filter(|c| c.is_alphanumeric()).count();
    // Or a frame: a line of ten or more emoji and nothing else.
    let frame = body
        .lines()
        .any(|l| l.chars().filter(is_emoji).count() >= 10 && !l.chars().any(char::is_alphanumeric));
    ((emoji >= 12 && other == 0) || frame).then_some(emoji)
}

/// In an ASCII body, the one wall there can be: a line of one repeated
/// symbol (not a Markdown rule or fence).
fn repeated_symbol_line(body: &str) -> Option<(String, Vec<Range<usize>>)> {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        let same = trimmed.chars().next().is_some_and(|first| {
            !first.is_alphanumeric() && trimmed.chars().all(|c| c == first || c.is_whitespace())
        });
        if same && trimmed.len() >= 15 && !trimmed.starts_with(['-', '*', '_', '=', '`', '~', '#', '>']) {
            let start = offset + (line.len() - line.trim_start().len());
            return Some(("a line of drawing symbols".into(), one_span(start..start + trimmed.len())));
        }
        offset += line.len();
    }
    None
}

/// A character that decorates: not a letter, digit or space, not ASCII,
/// not an emoji and not typographic punctuation or a currency sign.
fn is_decor(c: char) -> bool {
    !c.is_ascii()
        && !c.is_alphanumeric()
        && !c.is_whitespace()
        && !matches!(c, '\u{1F300}'..='\u{1FAFF}' | '\u{2600}'..='\u{26FF}' | '\u{FE0F}' | '\u{200D}')
        && !"\u{2018}\u{2019}\u{201C}\u{201D}\u{00AB}\u{00BB}\u{2013}\u{2014}\u{2026}\u{00BF}\u{00A1}\u{20AC}\u{00A3}\u{00A5}\u{20B9}\u{00B0}\u{00A0}".contains(c)
        && !unicode_normalization::char::is_combining_mark(c)
}

/// A wall of drawing symbols, a line of one repeated symbol, or zalgo
/// text, with why.
fn symbol_wall(body: &str) -> Option<(String, Vec<Range<usize>>)> {
    if body.is_ascii() {
        return repeated_symbol_line(body);
    }
    let visible = body.chars().filter(|c| !c.is_whitespace()).count();
    let drawing = body.chars().filter(|c| is_drawing(*c)).count();
    let marks = body.chars().filter(|c| unicode_normalization::char::is_combining_mark(*c)).count();
    let letters = body.chars().filter(|c| c.is_alphabetic()).count();
    let whole = one_span(0..body.trim_end().len());
    if marks >= 12 && marks * 2 > letters {
        return Some((format!("zalgo text ({marks} stacked accent marks)"), whole));
    }
    if drawing >= 12 && drawing * 10 >= visible * 4 {
        return Some((format!("a wall of symbols ({drawing} of {visible} characters)"), whole));
    }
    let mut offset = 0;
    let mut in_code = false;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code = !in_code;
        }
        if in_code || trimmed.starts_with('|') {
            offset += line.len();
            continue;
        }
        let decor = trimmed.chars().filter(|c| is_decor(*c)).count();
        let letters_here = trimmed.chars().filter(|c| c.is_alphabetic()).count();
        if decor >= 10 && decor >= letters_here {
            let start = offset + (line.len() - line.trim_start().len());
            return Some(("a line of decoration".into(), one_span(start..start + trimmed.len())));
        }
        let symbols = trimmed.chars().filter(|c| is_drawing(*c)).count();
        let same = trimmed.chars().next().is_some_and(|first| {
            !first.is_alphanumeric() && trimmed.chars().all(|c| c == first || c.is_whitespace())
        });
        if symbols >= 8
            || (same
                && trimmed.chars().count() >= 15
                && !trimmed.starts_with(['-', '*', '_', '=', '`', '~', '#', '>']))
        {
            let start = offset + (line.len() - line.trim_start().len());
            return Some(("a line of drawing symbols".into(), one_span(start..start + trimmed.len())));
        }
        offset += line.len();
    }
    None
}

pub(super) struct Learned;
impl Rule for Learned {
    fn code(&self) -> &'static str {
        "learned"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Hold
    }
    fn describe(&self) -> &'static str {
        "a filter trained on the site's own decisions (approved against spam) scores the comment as spam-like: held above `learn_hold`, spam above `learn_spam`"
    }
    fn spam_family(&self) -> bool {
        true
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let s = cx.settings;
        let Some(learner) = cx.history.learner() else {
            return Check::clear(format!(
                "learns once the site has {} approved and {} spam comments",
                s.learn_min_decisions, s.learn_min_decisions
            ));
        };
        let (spam, ham) = learner.decisions();
        let hashes = super::learn::hashes(cx.comment, &body.normalized, &body.links);
        let scored = learner.score(&hashes);
        let decisions = spam + ham;
        if scored.score < s.learn_hold {
            // Said briefly: the tokens are named when they stop a comment.
            return Check::clear(format!("learned from {decisions} decisions: score {:.2}", scored.score));
        }
        let tokens = super::learn::tokens(cx.comment, &body.normalized, &body.links);
        let clues: Vec<String> =
            scored.clues(&tokens).iter().map(|(t, f)| format!("\u{2018}{t}\u{2019} {f:.2}")).collect();
        let message =
            format!("learned from {decisions} decisions: score {:.2}; {}", scored.score, clues.join(", "));
        let grade = if scored.score >= s.learn_spam { Verdict::Spam } else { Verdict::Hold };
        Check::hit(message, Vec::new()).graded(grade)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn income_claims_above_a_wage_count_and_a_wage_does_not() {
        let claims = |t: &str| income_claims(&super::super::Normalized::of(t).text).len();
        assert_eq!(claims("GET PAID UP TO $30 AN HOUR"), 1);
        assert_eq!(claims("i make between $300 and $700 every single day"), 1);
        assert_eq!(claims("Made $2,847.19 this week just from my phone"), 1);
        assert_eq!(claims("earn FIVE HUNDRED DOLLARS daily"), 1);
        assert_eq!(claims("Ma cousine gagne 4 000 € par mois"), 1);
        assert_eq!(claims("receba até R$ 120 por hora"), 1);
        assert_eq!(claims("we pay $250 per post"), 1);
        assert_eq!(claims("I get paid $15 an hour to answer these calls"), 0);
        assert_eq!(claims("They charged me $35 an hour for a technician"), 0);
        assert_eq!(claims("we lost $5,000 a month because of the outage"), 0);
        assert_eq!(parse_amount("3.000"), Some(3000.0));
        assert_eq!(parse_amount("2,847.19"), Some(2847.19));
        assert_eq!(parse_amount("0.1"), Some(0.1));
    }

    #[test]
    fn walls_and_zalgo_are_found_and_ordinary_symbols_are_not() {
        assert!(symbol_wall("╔═══════╗\n║ SUB ║\n╚═══════╝").is_some());
        assert!(symbol_wall("⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿").is_some());
        assert!(symbol_wall("h̸̢̛̝e̵̞͐l̴̰͝l̶̹̿o̸̲͋ ̴̣̈́w̶̱͠o̵̩͗r̷̲̈́l̵̻͘d̸̰̾").is_some());
        assert!(symbol_wall("Three hours on hold 😤 and then the line dropped ❤").is_none());
        assert!(symbol_wall("- they listened\n- they apologised\n\n---\n\nSigned").is_none());
    }

    fn pasted_html(body: &str) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
        let scan = super::super::links::scan(body);
        (scan.tags, scan.entities)
    }

    #[test]
    fn pasted_html_counts_outside_code_only() {
        let (tags, entities) = pasted_html("I&#39;m here<br />and <a href=\"x\">there</a>");
        assert_eq!((tags.len(), entities.len()), (3, 1));
        let (tags, entities) = pasted_html("the form had a stray `<br>` and `&quot;` in it, AT&T too <3");
        assert_eq!((tags.len(), entities.len()), (0, 0));
        let (tags, _) =
            pasted_html("[url=http://x.example]pills[/url] and [the second][b]\n\n[b]: https://r.example/");
        assert_eq!(tags.len(), 2, "{tags:?}");
        let (tags, _) = pasted_html("`[url=x]` in code");
        assert!(tags.is_empty());
    }
}
