//! `learned`: a filter trained on the site's own decisions, of the kind
//! SpamBayes and Bogofilter made well known. Each comment becomes a set of
//! tokens (words, word pairs, link domains, the author's name and site,
//! and signals such as pasted markup); each token's spamminess is
//! Robinson's smoothed estimate from how often it appeared in spam and in
//! approved comments; the most telling tokens are combined with Fisher's
//! chi-square method into a score from 0 (approved-like) to 1 (spam-like).
//! The tokens that weighed most are named, so the verdict says why.
//!
//! The state is a pure function of the decided comments: nothing is
//! stored that the comment files do not already say.

use std::collections::HashMap;
use std::hash::BuildHasher;

use rayon::prelude::*;

use super::links::FoundLink;
use super::normalize::Normalized;
use crate::parse::comment::{Comment, Status};

/// Robinson's strength of the prior: how many sightings it takes for a
/// token's own counts to outweigh "unknown" (SpamBayes' default).
const PRIOR_STRENGTH: f64 = 0.45;
/// The prior itself: a token never seen is neither.
const PRIOR: f64 = 0.5;
/// Tokens closer than this to 0.5 say nothing and are left out.
const MIN_STRENGTH: f64 = 0.1;
/// The most telling tokens combined for one comment.
const MAX_CLUES: usize = 150;
/// Tokens named in the message.
const SHOWN: usize = 4;

/// A token's counts: in how many spam and approved comments it appeared.
type Counts = (u32, u32);

/// The trained filter.
#[derive(Debug, Clone, Default)]
pub struct Learner {
    /// The spamminess of each token that tells (at least `MIN_STRENGTH`
    /// from 0.5): worked out once when training, and the only tokens
    /// scoring looks at, so the table a comment's tokens are looked up in
    /// stays small.
    telling: HashMap<u64, f64, foldhash::fast::FixedState>,
    spam: u32,
    ham: u32,
}

/// A comment's score and the tokens that decided it.
#[derive(Debug, Clone)]
pub struct Scored {
    pub score: f64,
    /// The most telling tokens toward the score, most telling first, by
    /// hash, with their spamminess.
    named: Vec<(u64, f64)>,
}

impl Scored {
    /// The tokens that weighed most, as a moderator reads them: named from
    /// the comment's `tokens`.
    pub fn clues(&self, tokens: &[Token]) -> Vec<(String, f64)> {
        self.named
            .iter()
            .filter_map(|(hash, f)| tokens.iter().find(|t| t.hash == *hash).map(|t| (t.shown(), *f)))
            .collect()
    }
}

/// What a decided comment teaches: spam (true), approved (false), or
/// nothing (pending, or rejected by a rule of the site's policy).
pub fn lesson(comment: &Comment) -> Option<bool> {
    match comment.status {
        Status::Approved => Some(false),
        Status::Spam => Some(true),
        Status::Rejected => {
            let rules = comment.moderation.as_ref().map(|m| m.rules.as_slice()).unwrap_or_default();
            rules.iter().any(|r| super::is_spam_family(r)).then_some(true)
        }
        Status::Pending => None,
    }
}

/// A comment's tokens for training: their hashes, each once.
pub type Lesson = (Vec<u64>, bool);

impl Learner {
    /// Trained on `examples`: each comment's token hashes, and whether it
    /// is spam.
    pub fn train(examples: &[Lesson]) -> Learner {
        let hasher = hasher();
        let counts = examples
            .par_chunks(2048)
            .map(|chunk| {
                let mut counts: HashMap<u64, Counts, foldhash::fast::FixedState> =
                    HashMap::with_hasher(hasher.clone());
                for (tokens, spam) in chunk {
                    for token in tokens {
                        let entry = counts.entry(*token).or_default();
                        if *spam {
                            entry.0 += 1;
                        } else {
                            entry.1 += 1;
                        }
                    }
                }
                counts
            })
            .reduce(
                || HashMap::with_hasher(hasher.clone()),
                |a, b| if a.len() >= b.len() { merge(a, b) } else { merge(b, a) },
            );
        let spam = examples.iter().filter(|(_, s)| *s).count() as u32;
        let ham = examples.len() as u32 - spam;
        let mut telling = HashMap::with_hasher(hasher);
        telling.extend(counts.into_iter().filter_map(|(token, (b, g))| {
            let f = spamminess(b, g, spam, ham);
            (strength(f) >= MIN_STRENGTH).then_some((token, f))
        }));
        Learner { telling, spam, ham }
    }

    /// Decisions learned from: (spam, approved).
    pub fn decisions(&self) -> (u32, u32) {
        (self.spam, self.ham)
    }

    /// The score of a comment with `tokens`: Fisher's combination of its
    /// most telling tokens' spamminess.
    pub fn score(&self, hashes: &[u64]) -> Scored {
        // A token not in the table is unknown (0.5) or too weak to count.
        let mut clues: Vec<(u64, f64)> = Vec::with_capacity(hashes.len());
        clues.extend(hashes.iter().filter_map(|&h| self.telling.get(&h).map(|&f| (h, f))));
        // Each token counts once, however often the comment says it.
        clues.sort_unstable_by_key(|(h, _)| *h);
        clues.dedup_by_key(|(h, _)| *h);
        let by_strength = |a: &(u64, f64), b: &(u64, f64)| {
            strength(b.1).total_cmp(&strength(a.1)).then_with(|| a.0.cmp(&b.0))
        };
        if clues.len() > MAX_CLUES {
            clues.select_nth_unstable_by(MAX_CLUES, by_strength);
            clues.truncate(MAX_CLUES);
        }
        let score = fisher(clues.iter().map(|(_, f)| *f));
        // Named: the tokens that pulled toward the verdict, most telling first.
        let toward_spam = score >= 0.5;
        let mut named: Vec<(u64, f64)> =
            clues.into_iter().filter(|(_, f)| (*f > 0.5) == toward_spam).collect();
        if named.len() > SHOWN {
            named.select_nth_unstable_by(SHOWN, by_strength);
            named.truncate(SHOWN);
        }
        named.sort_by(by_strength);
        Scored { score, named }
    }
}

/// The spamminess of a token seen in `b` spam and `g` approved comments
/// of `spam` and `ham`: Robinson's f(w).
fn spamminess(b: u32, g: u32, spam: u32, ham: u32) -> f64 {
    let n = f64::from(b + g);
    if n == 0.0 {
        return PRIOR;
    }
    let spam_ratio = f64::from(b) / f64::from(spam.max(1));
    let ham_ratio = f64::from(g) / f64::from(ham.max(1));
    let p = spam_ratio / (spam_ratio + ham_ratio);
    (PRIOR_STRENGTH * PRIOR + n * p) / (PRIOR_STRENGTH + n)
}

/// How far a spamminess is from saying nothing.
fn strength(f: f64) -> f64 {
    (f - 0.5).abs()
}

fn merge(
    mut a: HashMap<u64, Counts, foldhash::fast::FixedState>,
    b: HashMap<u64, Counts, foldhash::fast::FixedState>,
) -> HashMap<u64, Counts, foldhash::fast::FixedState> {
    for (k, (s, h)) in b {
        let e = a.entry(k).or_default();
        e.0 += s;
        e.1 += h;
    }
    a
}

/// One fixed hasher, so a token hashes the same in every run.
fn hasher() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::with_seed(0x7061_726c_6f72)
}

/// Fisher's method as SpamBayes uses it: how unlikely the clues are if
/// the comment were approved-like, against if it were spam-like.
fn fisher(probabilities: impl Iterator<Item = f64>) -> f64 {
    // Products, not sums of logarithms: one logarithm at the end instead of
    // two a token. Kept from underflow by taking out powers of two, as
    // SpamBayes does with frexp.
    let (mut spam, mut spam_exp) = (1.0f64, 0i32);
    let (mut ham, mut ham_exp) = (1.0f64, 0i32);
    let mut n = 0;
    for f in probabilities {
        let f = f.clamp(1e-6, 1.0 - 1e-6);
        spam *= 1.0 - f;
        ham *= f;
        if spam < 1e-200 {
            spam *= 2f64.powi(600);
            spam_exp -= 600;
        }
        if ham < 1e-200 {
            ham *= 2f64.powi(600);
            ham_exp -= 600;
        }
        n += 1;
    }
    if n == 0 {
        return 0.5;
    }
    let ln2 = std::f64::consts::LN_2;
    let ln_spam = spam.ln() + f64::from(spam_exp) * ln2;
    let ln_ham = ham.ln() + f64::from(ham_exp) * ln2;
    let spam = 1.0 - chi2_q(-2.0 * ln_spam, 2 * n);
    let ham = 1.0 - chi2_q(-2.0 * ln_ham, 2 * n);
    ((spam - ham + 1.0) / 2.0).clamp(0.0, 1.0)
}

/// The probability that a chi-square variable with `dof` (even) degrees of
/// freedom is at least `x2`.
fn chi2_q(x2: f64, dof: usize) -> f64 {
    let m = x2 / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..dof / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

/// What a token is: a word or a pair of them, a link's domain, a word of
/// the author's name, the author's site, or a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Word,
    Pair,
    Link,
    Author,
    Site,
    Signal,
}

/// One token of a comment, borrowed from it: hashed for the filter, shown
/// in words only when it is named.
#[derive(Debug, Clone)]
pub struct Token<'a> {
    kind: Kind,
    text: &'a str,
    second: &'a str,
    hash: u64,
}

impl<'a> Token<'a> {
    fn new(kind: Kind, text: &'a str, second: &'a str) -> Token<'a> {
        Token { kind, text, second, hash: hasher().hash_one((kind, text, second)) }
    }

    /// As a moderator reads it: a word as itself, a link's domain as the
    /// domain, a signal in words.
    fn shown(&self) -> String {
        match self.kind {
            Kind::Word | Kind::Link | Kind::Site => self.text.to_string(),
            Kind::Pair => format!("{} {}", self.text, self.second),
            Kind::Author => format!("name {}", self.text),
            Kind::Signal => self.text.replace('-', " "),
        }
    }
}

/// What the filter knows a comment by: its words (2 to 24 characters) and
/// word pairs in the normal form, its links' domains, the words of the
/// author's name, the author's site's domain, and signals: how many links,
/// pasted markup, shouting. A token may come more than once.
pub fn tokens<'a>(
    comment: &'a Comment,
    normalized: &'a Normalized,
    links: &'a [FoundLink],
) -> Vec<Token<'a>> {
    let mut out: Vec<Token<'a>> = Vec::with_capacity(96);
    each_token(comment, normalized, links, |token| out.push(token));
    out
}

/// The hashes of a comment's tokens, in the order `tokens` gives them:
/// what scoring needs, without building the tokens.
pub fn hashes(comment: &Comment, normalized: &Normalized, links: &[FoundLink]) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::with_capacity(96);
    each_token(comment, normalized, links, |token| out.push(token.hash));
    out
}

/// Calls `f` with each token of the comment (see `tokens`).
fn each_token<'a>(
    comment: &'a Comment,
    normalized: &'a Normalized,
    links: &'a [FoundLink],
    mut f: impl FnMut(Token<'a>),
) {
    let words = normalized
        .text
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '$'))
        .filter(|w| (2..=24).contains(&w.len()));
    // Each word hashed once; a pair's hash is made from its words'.
    let mut last: Option<Token<'a>> = None;
    for word in words {
        let token = Token::new(Kind::Word, word, "");
        if let Some(previous) = &last {
            f(Token {
                kind: Kind::Pair,
                text: previous.text,
                second: word,
                hash: pair_hash(previous.hash, token.hash),
            });
        }
        f(token.clone());
        last = Some(token);
    }
    for domain in links.iter().filter_map(|l| domain_of(&l.url)) {
        f(Token::new(Kind::Link, domain, ""));
    }
    let link_count = match links.len() {
        0 => "no-link",
        1 => "one-link",
        _ => "links",
    };
    f(Token::new(Kind::Signal, link_count, ""));
    for word in comment.author.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 1) {
        f(Token::new(Kind::Author, word, ""));
    }
    if let Some(domain) = comment.website.as_deref().and_then(domain_of) {
        f(Token::new(Kind::Site, domain, ""));
    }
    let body = &comment.body;
    let (letters, upper) = letters_and_capitals(body);
    if letters >= 12 && upper * 2 > letters {
        f(Token::new(Kind::Signal, "shouting", ""));
    }
    if body.contains(['&', '<']) && (body.contains("&#") || body.contains("<br") || body.contains("<a ")) {
        f(Token::new(Kind::Signal, "pasted-markup", ""));
    }
}

/// How many letters `text` has, and how many of them are capitals.
fn letters_and_capitals(text: &str) -> (usize, usize) {
    if text.is_ascii() {
        let letters = text.bytes().filter(u8::is_ascii_alphabetic).count();
        return (letters, text.bytes().filter(u8::is_ascii_uppercase).count());
    }
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    (letters, text.chars().filter(|c| c.is_uppercase()).count())
}

/// The hash of a pair of words, from the words' own hashes.
fn pair_hash(first: u64, second: u64) -> u64 {
    let mut x = first.rotate_left(23) ^ second ^ 0x7061_6972;
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The hashes of a comment's tokens, for training.
pub fn token_hashes(comment: &Comment, normalized: &Normalized, links: &[FoundLink]) -> Vec<u64> {
    let mut hashes = hashes(comment, normalized, links);
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// The host of a URL, without `www.` (as written: hosts are compared
/// case-blind by whoever links to them, but spam writes them one way).
fn domain_of(url: &str) -> Option<&str> {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#', ':']).next()?;
    let host = host.strip_prefix("www.").or_else(|| host.strip_prefix("WWW.")).unwrap_or(host);
    (!host.is_empty() && host.contains('.')).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(words: &str) -> Vec<Token<'_>> {
        words.split_whitespace().map(|w| Token::new(Kind::Word, w, "")).collect()
    }

    fn hashes_of(words: &str) -> Vec<u64> {
        toks(words).iter().map(|t| t.hash).collect()
    }

    #[test]
    fn it_learns_which_tokens_mark_spam_and_names_them() {
        let mut examples = Vec::new();
        let promos: Vec<String> = (0..30).map(|i| format!("subscribe channel bit.ly promo{i}")).collect();
        let orders: Vec<String> = (0..30).map(|i| format!("refund agent called back order{i}")).collect();
        for (p, o) in promos.iter().zip(&orders) {
            examples.push((hashes_of(p), true));
            examples.push((hashes_of(o), false));
        }
        let learner = Learner::train(&examples);
        assert_eq!(learner.decisions(), (30, 30));
        let spam_tokens = toks("please subscribe my channel bit.ly");
        let spam = learner.score(&hashes_of("please subscribe my channel bit.ly"));
        assert!(spam.score > 0.95, "{spam:?}");
        let clues = spam.clues(&spam_tokens);
        let names: Vec<&str> = clues.iter().map(|(t, _)| t.as_str()).collect();
        assert!(names.contains(&"subscribe") && names.contains(&"bit.ly"), "{names:?}");
        let ham = learner.score(&hashes_of("the agent called about my refund"));
        assert!(ham.score < 0.05, "{ham:?}");
        assert_eq!(learner.score(&hashes_of("nothing known here")).score, 0.5);
    }

    #[test]
    fn chi_square_tail_is_right_at_known_points() {
        // P(chi2(2) >= 2 ln 2 * ... ): for 2 degrees of freedom the tail is exp(-x/2).
        assert!((chi2_q(4.0, 2) - (-2.0f64).exp()).abs() < 1e-12);
        assert!((chi2_q(0.0, 10) - 1.0).abs() < 1e-12);
    }
}
