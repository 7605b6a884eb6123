//! The rules. Each is a unit struct with its code, default verdict, what it
//! catches, and its check, side by side; their tests are in `tests.rs`.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::links::{FoundLink, commercial_reason};
use super::text::{is_cjk, is_function_word, squeeze, words};
use super::{Body, Check, Context, Rule, Verdict, one_span};
use crate::config::ModerationMode;
use crate::diag::plural;
use crate::parse::CommentsMode;

pub(super) static ALL: &[&dyn Rule] = &[
    &CommentsClosed,
    &MembersOnly,
    &TooManyLinks,
    &GenericPraise,
    &TooShort,
    &LinkPromotion,
    &CommercialLink,
    &BlockedWords,
    &HoldWords,
    &KeywordStuffing,
    &Duplicate,
    &TooLong,
    &Flood,
    &FirstComment,
    &super::spam::MoneyOffer,
    &super::spam::ShareBait,
    &super::spam::LinkShortener,
    &super::spam::CloakedLink,
    &super::spam::PastedMarkup,
    &super::spam::Learned,
];

/// The body with every link blanked out by as many spaces, so that byte
/// offsets still point into the original body.
pub(super) fn without_links(body: &str, links: &[FoundLink]) -> String {
    let mut out = body.to_string();
    for link in links.iter().rev() {
        out.replace_range(link.span.clone(), &" ".repeat(link.span.len()));
    }
    out
}

impl Body {
    pub(super) fn of(text: &str, settings: &crate::config::Moderation) -> Body {
        let super::links::Scan { links, tags, entities } = super::links::scan(text);
        let prose = without_links(text, &links);
        let prose_words = super::text::word_count(&prose);
        let normalized = super::Normalized::of(text);
        let s = settings;
        let extra = [s.promotion_phrases.as_slice(), s.money_phrases.as_slice(), s.bait_phrases.as_slice()];
        let phrases = super::phrases::Phrases::find(&normalized.text, extra);
        Body { links, prose, prose_words, normalized, phrases, pasted_tags: tags, pasted_entities: entities }
    }
}

struct CommentsClosed;
impl Rule for CommentsClosed {
    fn code(&self) -> &'static str {
        "comments_closed"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Reject
    }
    fn describe(&self) -> &'static str {
        "the post is closed (`comments: closed`, or older than `close_after_days`)"
    }
    fn check(&self, cx: &Context, _: &Body) -> Check {
        if cx.post.comments == CommentsMode::Closed {
            return Check::hit("comments on this post are closed", vec![]);
        }
        let posted = cx.post.date.map(|d| d.timestamp);
        if let Some(posted) = posted
            && cx.comment_settings.closes_by_age(posted, cx.comment.date.timestamp)
        {
            let days = (cx.comment.date.timestamp.as_second() - posted.as_second()) / 86_400;
            let limit = cx.comment_settings.close_after_days;
            let message = format!(
                "sent {} after the post; comments close after {limit} days",
                plural(days as usize, "day")
            );
            return Check::hit(message, vec![]);
        }
        Check::clear("the post is open for comments")
    }
}

struct MembersOnly;
impl Rule for MembersOnly {
    fn code(&self) -> &'static str {
        "members_only"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Reject
    }
    fn describe(&self) -> &'static str {
        "the post or site is members-only and the author is not a verified member"
    }
    fn check(&self, cx: &Context, _: &Body) -> Check {
        let members_only = cx.post.comments == CommentsMode::Members || cx.comment_settings.members_only;
        match (members_only, cx.comment.member) {
            (true, false) => {
                Check::hit("only members may comment here, and the author is not a verified member", vec![])
            }
            (true, true) => Check::clear("members-only, and the author is a verified member"),
            (false, _) => Check::clear("anyone may comment on this post"),
        }
    }
}

struct TooManyLinks;
impl Rule for TooManyLinks {
    fn code(&self) -> &'static str {
        "too_many_links"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Reject
    }
    fn describe(&self) -> &'static str {
        "more than `max_links` links (Markdown links, autolinks and bare URLs)"
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let links = &body.links;
        let max = cx.settings.max_links;
        let found = plural(links.len(), "link");
        if links.len() > max {
            Check::hit(
                format!("{found}; the policy allows at most {max}"),
                links.iter().map(|l| l.span.clone()).collect(),
            )
        } else {
            Check::clear(format!("{found}, within the limit of {max}"))
        }
    }
}

const PRAISE_WORDS: &[&str] = &[
    "good",
    "great",
    "nice",
    "awesome",
    "excellent",
    "amazing",
    "wonderful",
    "fantastic",
    "cool",
    "brilliant",
    "superb",
    "informative",
    "helpful",
    "useful",
    "interesting",
    "lovely",
    "perfect",
    "beautiful",
    "best",
    "outstanding",
    "impressive",
    "insightful",
    "thanks",
    "thank",
    "thx",
    "ty",
    "+1",
    "bookmarked",
    "love",
    "loved",
    "like",
    "liked",
    "agree",
    "kudos",
    "bravo",
    "wow",
    "well",
    "done",
    "written",
    "keep",
    "up",
    "sharing",
    "share",
    "shared",
    "enjoyed",
    "appreciate",
    "appreciated",
    "valuable",
];
const PRAISE_NOUNS: &[&str] = &[
    "post",
    "posts",
    "article",
    "articles",
    "blog",
    "read",
    "info",
    "information",
    "write-up",
    "writeup",
    "content",
    "piece",
    "site",
    "website",
    "stuff",
    "topic",
    "one",
    "work",
    "job",
    "page",
    "posting",
    "effort",
];
const FILLER: &[&str] = &[
    "very",
    "really",
    "so",
    "such",
    "a",
    "an",
    "the",
    "this",
    "that",
    "your",
    "you",
    "is",
    "was",
    "what",
    "it's",
    "its",
    "it",
    "for",
    "too",
    "indeed",
    "truly",
    "i",
    "me",
    "my",
    "much",
    "lot",
    "lots",
    "of",
    "and",
    "man",
    "dude",
    "bro",
    "sir",
    "guys",
    "all",
    "everyone",
    "here",
    "again",
    "always",
    "buddy",
    "friend",
    "admin",
    "author",
    "mate",
    "just",
    "quite",
    "totally",
    "absolutely",
    "definitely",
    "simply",
    "keep",
    "up",
    "to",
    "reading",
    "once",
    "more",
    "ever",
    "am",
    "i'm",
    "with",
    "us",
    "everybody",
    "exactly",
    "looking",
    "searching",
    "needed",
];

fn greeting() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)^\s*(?i:hi|hello|hey|hiya|howdy|dear|greetings|good\s+(?:morning|afternoon|evening))\b
              (?: [^,.!?\n]{0,30}[,.!?] | \s+\p{Lu}[\p{L}'-]* | \s+(?i:admin|there|all|everyone|team|author|sir|madam|guys|folks) )?",
        )
        .expect("valid regex")
    })
}

struct GenericPraise;
impl Rule for GenericPraise {
    fn code(&self) -> &'static str {
        "generic_praise"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Reject
    }
    fn describe(&self) -> &'static str {
        "nothing but generic praise (\"good post\", \"nice blog, thanks for sharing\"), whatever the case, punctuation, emoji, greeting or stretched letters"
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let sets = praise_sets();
        // A greeting can hide a name or two; more words than that which are
        // not praise or filler mean the comment says something.
        let mut other = 0;
        super::text::each_word(&body.prose, |w| {
            let w = squeeze(w);
            if !(sets.praise.contains(&w) || sets.nouns.contains(&w) || sets.filler.contains(&w)) {
                other += 1;
            }
            other <= 4
        });
        if other > 4 {
            return Check::clear("says more than generic praise");
        }
        let text = greeting().replace(&body.prose, "");
        let extra: Vec<String> =
            cx.settings.praise_phrases.iter().flat_map(|p| words(p)).map(|w| squeeze(&w)).collect();
        let tokens: Vec<String> = words(&text).iter().map(|w| squeeze(w)).collect();
        let is_praise = |t: &String| sets.praise.contains(t) || extra.contains(t);
        let generic = |t: &String| is_praise(t) || sets.nouns.contains(t) || sets.filler.contains(t);
        if tokens.iter().any(is_praise) && tokens.iter().all(generic) {
            let trimmed: String = cx.comment.body.trim().chars().take(80).collect();
            Check::hit(
                format!(
                    "says only generic praise (\u{201c}{trimmed}\u{201d}): the policy asks for what you think, not only that you liked it"
                ),
                std::iter::once(0..cx.comment.body.trim_end().len()).collect(),
            )
        } else {
            Check::clear("says more than generic praise")
        }
    }
}

/// Squeezed words, looked up by hashing: every word of every comment is
/// looked up in them.
struct PraiseSets {
    praise: foldhash::HashSet<String>,
    nouns: foldhash::HashSet<String>,
    filler: foldhash::HashSet<String>,
}

fn praise_sets() -> &'static PraiseSets {
    static SETS: OnceLock<PraiseSets> = OnceLock::new();
    SETS.get_or_init(|| {
        let squeezed = |list: &[&str]| list.iter().map(|w| squeeze(w)).collect();
        PraiseSets { praise: squeezed(PRAISE_WORDS), nouns: squeezed(PRAISE_NOUNS), filler: squeezed(FILLER) }
    })
}

struct TooShort;
impl Rule for TooShort {
    fn code(&self) -> &'static str {
        "too_short"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Hold
    }
    fn describe(&self) -> &'static str {
        "fewer than `min_words` words"
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let count = body.prose_words;
        let min = cx.settings.min_words;
        let found = plural(count, "word");
        if count < min {
            Check::hit(format!("{found}; comments under {min} words wait for a moderator"), vec![])
        } else {
            Check::clear(found)
        }
    }
}

struct LinkPromotion;
impl Rule for LinkPromotion {
    fn code(&self) -> &'static str {
        "link_promotion"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Reject
    }
    fn describe(&self) -> &'static str {
        "mainly promotes links, or the commenter's own channel, music, page or profile, with or without a link (\"check out my channel\", \"sub 4 sub\", \"suscríbete\", \"search my name on spotify\"; `promotion_phrases` adds more)"
    }
    fn spam_family(&self) -> bool {
        true
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let found = body.phrases.of(super::phrases::Family::Promotion);
        // One weak sign (a platform named, "new video") promotes only with
        // a second one, or with a link to follow.
        if !found.strong.is_empty()
            || found.weak.len() >= 2
            || (found.weak.len() == 1 && !body.links.is_empty())
        {
            let phrase = super::spam::quoted(cx, body, found.first());
            let spans: Vec<std::ops::Range<usize>> =
                found.strong.iter().chain(&found.weak).cloned().collect();
            return Check::hit(
                format!("promotes the commenter's own channel, music or page (\u{201c}{phrase}\u{201d})"),
                super::spam::original_spans(body, &spans),
            );
        }
        let links = &body.links;
        if links.is_empty() {
            return Check::clear("has no links");
        }
        // Words, not characters: one long URL must not outweigh a real sentence.
        let prose = body.prose_words;
        let link_words: usize = links.iter().filter(|l| l.text != l.url).map(|l| words(&l.text).len()).sum();
        let spans = || links.iter().map(|l| l.span.clone()).collect();
        if prose < 5 {
            return Check::hit(format!("little but links: {} outside them", plural(prose, "word")), spans());
        }
        if link_words > prose {
            return Check::hit(
                format!("more of it is link text ({link_words} words) than comment ({prose})"),
                spans(),
            );
        }
        Check::clear(format!("{} of comment around {}", plural(prose, "word"), plural(links.len(), "link")))
    }
}

struct CommercialLink;
impl Rule for CommercialLink {
    fn code(&self) -> &'static str {
        "commercial_link"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Reject
    }
    fn describe(&self) -> &'static str {
        "a link to a company, product or service: a `link_deny` domain, a shop-like path, tracking parameters, or a bare homepage (`link_allow` overrides)"
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let s = cx.settings;
        let hits: Vec<(String, std::ops::Range<usize>)> = body
            .links
            .iter()
            .filter_map(|l| {
                commercial_reason(&l.url, &s.link_allow, &s.link_deny)
                    .map(|why| (format!("`{}`: {why}", l.url), l.span.clone()))
            })
            .collect();
        if hits.is_empty() {
            return Check::clear("no link to a company, product or service");
        }
        let reasons: Vec<&str> = hits.iter().map(|(r, _)| r.as_str()).collect();
        Check::hit(
            format!("links to a company, product or service: {}", reasons.join("; ")),
            hits.into_iter().map(|(_, s)| s).collect(),
        )
    }
}

/// Whole-word, case-insensitive matches of `list` in the comment's body,
/// author name, email and website (as WordPress checks them).
fn word_list_check(cx: &Context, list: &[String], what: &str) -> Check {
    let c = cx.comment;
    let mut spans = Vec::new();
    let mut found = Vec::new();
    for entry in list.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        let Ok(re) = Regex::new(&format!(r"(?i)(?:^|\b|\W){}(?:\b|\W|$)", regex::escape(entry))) else {
            continue;
        };
        let in_body: Vec<_> = re.find_iter(&c.body).map(|m| m.range()).collect();
        let elsewhere =
            [c.author.as_str(), c.email.as_deref().unwrap_or(""), c.website.as_deref().unwrap_or("")]
                .iter()
                .any(|f| re.is_match(f));
        if !in_body.is_empty() || elsewhere {
            found.push(format!("\u{201c}{entry}\u{201d}"));
            spans.extend(in_body);
        }
    }
    if found.is_empty() {
        Check::clear(format!("no {what}"))
    } else {
        Check::hit(format!("contains {what}: {}", found.join(", ")), spans)
    }
}

struct BlockedWords;
impl Rule for BlockedWords {
    fn code(&self) -> &'static str {
        "blocked_words"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Spam
    }
    fn describe(&self) -> &'static str {
        "a word or phrase of `blocked_words` in the body, name, email or website"
    }
    fn spam_family(&self) -> bool {
        true
    }
    fn check(&self, cx: &Context, _: &Body) -> Check {
        word_list_check(cx, &cx.settings.blocked_words, "blocked words")
    }
}

struct HoldWords;
impl Rule for HoldWords {
    fn code(&self) -> &'static str {
        "hold_words"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Hold
    }
    fn describe(&self) -> &'static str {
        "a word or phrase of `hold_words` in the body, name, email or website"
    }
    fn check(&self, cx: &Context, _: &Body) -> Check {
        word_list_check(cx, &cx.settings.hold_words, "words that need a moderator")
    }
}

struct KeywordStuffing;
impl Rule for KeywordStuffing {
    fn code(&self) -> &'static str {
        "keyword_stuffing"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Spam
    }
    fn describe(&self) -> &'static str {
        "a run of unconnected keywords with repeated words and no sentence structure"
    }
    fn spam_family(&self) -> bool {
        true
    }
    fn check(&self, _: &Context, body: &Body) -> Check {
        // URLs are not words and their `.` and `:` are not punctuation.
        let mut offset = 0;
        for line in body.prose.split_inclusive('\n') {
            if let Some(why) = stuffed(line) {
                let start = offset + (line.len() - line.trim_start().len());
                return Check::hit(
                    format!("a run of keywords without sentences ({why})"),
                    std::iter::once(start..offset + line.trim_end().len()).collect(),
                );
            }
            offset += line.len();
        }
        Check::clear("reads as sentences")
    }
}

/// Why a line is a keyword list rather than a sentence, if it is one.
fn stuffed(line: &str) -> Option<String> {
    // Sentence punctuation inside the line means sentences: the cheap test first.
    let inner = line.trim_end().trim_end_matches(['.', '!', '?']);
    if inner.contains(['.', '!', '?', ';', ':']) {
        return None;
    }
    let tokens: Vec<String> =
        words(line).into_iter().filter(|w| w.chars().any(char::is_alphabetic)).collect();
    // The test is for scripts that put spaces between words; text written
    // without them has no function words to count.
    let cjk = tokens.iter().filter(|t| t.chars().all(is_cjk)).count();
    if tokens.len() < 6 || cjk * 2 > tokens.len() {
        return None;
    }
    let function = tokens.iter().filter(|w| is_function_word(w)).count();
    // Sentences lean on function words; keyword runs have (almost) none.
    if function * 10 > tokens.len() {
        return None;
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in &tokens {
        *counts.entry(t.as_str()).or_default() += 1;
    }
    let repeated: Vec<&str> = {
        let mut r: Vec<&str> = counts.iter().filter(|(_, n)| **n > 1).map(|(w, _)| *w).collect();
        r.sort_unstable();
        r
    };

    // Repetition is what the policy means by stuffing; without it, a list of
    // words in a language our function-word lists lack would look the same.
    (!repeated.is_empty()).then(|| {
        format!("{} words, {} function words, repeated: {}", tokens.len(), function, repeated.join(", "))
    })
}

struct Duplicate;
impl Rule for Duplicate {
    fn code(&self) -> &'static str {
        "duplicate"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Reject
    }
    fn describe(&self) -> &'static str {
        "the same body from the same author already on the post, or nearly the same text sent earlier by another author or on another post"
    }
    fn spam_family(&self) -> bool {
        true
    }
    fn check(&self, cx: &Context, body: &Body) -> Check {
        let c = cx.comment;
        let same_author: Vec<&&crate::parse::comment::Comment> =
            cx.siblings.iter().filter(|s| s.id != c.id && super::same_author(s, c)).collect();
        let words_of_body = if same_author.is_empty() { Vec::new() } else { words(&c.body) };
        let earlier = same_author.into_iter().find(|s| {
            (cx.arriving || (s.date.timestamp, &s.id) < (c.date.timestamp, &c.id))
                && words(&s.body) == words_of_body
        });
        if let Some(s) = earlier {
            return Check::hit(
                format!("the same text from the same author is already on this post as `{}`", s.id),
                vec![],
            );
        }
        let copies = cx.history.earlier_copies(c, &body.normalized, &body.links, cx.arriving);
        let Some(first) = copies.first() else {
            return Check::clear("not a repeat of an earlier comment");
        };
        let authors: std::collections::BTreeSet<&str> = copies.iter().map(|s| s.author.as_str()).collect();
        let posts: std::collections::BTreeSet<&str> = copies.iter().map(|s| s.post_slug.as_str()).collect();
        let name = if first.author.is_empty() { "Anonymous" } else { first.author.as_str() };
        Check::hit(
            format!(
                "nearly the same text was sent before as `{}` by {name} on `{}`{}: {} from {} on {}",
                first.id,
                first.post_slug,
                if copies.len() > 1 { format!(" and {} more", copies.len() - 1) } else { String::new() },
                plural(copies.len() + 1, "copy").replace("copys", "copies"),
                plural(authors.len().max(1), "author"),
                plural(posts.len().max(1), "post"),
            ),
            one_span(0..c.body.trim_end().len()),
        )
    }
}

struct TooLong;
impl Rule for TooLong {
    fn code(&self) -> &'static str {
        "too_long"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Reject
    }
    fn describe(&self) -> &'static str {
        "longer than `max_length` characters"
    }
    fn check(&self, cx: &Context, _: &Body) -> Check {
        let len = cx.comment.body.trim().chars().count();
        let max = cx.settings.max_length;
        if len > max {
            Check::hit(format!("{len} characters; the limit is {max}"), vec![])
        } else {
            Check::clear(format!("{len} characters"))
        }
    }
}

struct Flood;
impl Rule for Flood {
    fn code(&self) -> &'static str {
        "flood"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Reject
    }
    fn describe(&self) -> &'static str {
        "(intake only) the same client again within `flood_seconds`"
    }
    fn check(&self, cx: &Context, _: &Body) -> Check {
        let limit = cx.settings.flood_seconds;
        match cx.seconds_since_last_from_client {
            Some(s) if s < limit => Check::hit(
                format!("the same client sent a comment {s} s ago; wait {limit} s between comments"),
                vec![],
            ),
            Some(s) => Check::clear(format!("{s} s since this client's last comment")),
            None => Check::clear("applies when a comment arrives, not to stored comments"),
        }
    }
}

struct FirstComment;
impl Rule for FirstComment {
    fn code(&self) -> &'static str {
        "first_comment"
    }
    fn default_verdict(&self) -> Verdict {
        Verdict::Hold
    }
    fn describe(&self) -> &'static str {
        "(in `auto` mode) the author, by name and email, has no approved comment yet"
    }
    fn check(&self, cx: &Context, _: &Body) -> Check {
        if cx.settings.mode != ModerationMode::Auto {
            return Check::clear("applies in `auto` mode only");
        }
        if cx.known_authors.contains(&super::author_key(cx.comment)) {
            Check::clear("the author has an approved comment already")
        } else {
            Check::hit("the author's first comment: it waits for a moderator", vec![])
        }
    }
}
