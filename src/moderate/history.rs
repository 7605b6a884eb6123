//! What the rules know of a site's other comments: the texts sent before
//! (the same text from several authors, or on several posts, is a spam
//! campaign) and the filter learned from the moderator's decisions. Built
//! from the comment files by whoever judges (the moderator's queue,
//! intake), handed to the rules read-only: the rules stay pure.

use std::collections::HashMap;
use std::hash::BuildHasher;

use rayon::prelude::*;

use super::learn::{self, Learner};
use super::links::find_links;
use super::normalize::Normalized;
use super::text::is_function_word;
use crate::config::Moderation;
use crate::parse::comment::Comment;

/// A text needs this many words, and this many different content words,
/// before a copy of it counts: short reactions ("Same here, thanks!")
/// are typed alike by many honest readers.
const MIN_WORDS: usize = 8;
const MIN_CONTENT_WORDS: usize = 5;
/// Two texts whose content words overlap this much (Jaccard) are copies.
const SAME_TEXT: f64 = 0.7;
/// MinHash: bands of rows; two texts sharing one band are compared.
const BANDS: usize = 6;
const ROWS: usize = 2;
/// The most recent texts of one band compared: a bound on the work, which
/// a campaign (recent by nature) does not need lifted.
const BUCKET_LOOK: usize = 12;

/// An earlier comment's text, as the duplicate check keeps it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub id: String,
    pub author: String,
    author_key: u64,
    pub post_slug: String,
    at: (i64, String),
    words: Vec<u64>,
    /// How many words the text has, function words and all.
    word_count: u32,
    /// Its MinHash band keys.
    bands: [u64; BANDS],
}

/// The site's comments as the rules see them.
#[derive(Default, Clone)]
pub struct History {
    sent: Vec<Sent>,
    /// Where each comment's text is in `sent`, by id: a comment judged
    /// from the queue it was loaded with is not read twice.
    by_id: HashMap<String, u32, foldhash::fast::FixedState>,
    buckets: HashMap<u64, Vec<u32>, foldhash::fast::FixedState>,
    learner: Option<Learner>,
}

impl History {
    /// A site with no other comments.
    pub fn empty() -> &'static History {
        static EMPTY: std::sync::OnceLock<History> = std::sync::OnceLock::new();
        EMPTY.get_or_init(History::default)
    }

    /// The history of `comments` (any status): every text for the
    /// duplicate check, and the filter trained on the decided ones when
    /// there are at least `learn_min_decisions` of each kind.
    pub fn of(comments: &[Comment], settings: &Moderation) -> History {
        let prepared: Vec<(Sent, Option<learn::Lesson>)> = comments
            .par_iter()
            .map(|c| {
                let normalized = Normalized::of(&c.body);
                let links = find_links(&c.body);
                let lesson = learn::lesson(c).map(|spam| (learn::token_hashes(c, &normalized, &links), spam));
                (sent(c, &normalized, &links), lesson)
            })
            .collect();
        let mut history = History::default();
        let mut examples = Vec::new();
        for (s, lesson) in prepared {
            history.insert(s);
            examples.extend(lesson);
        }
        history.learner = trained(&examples, settings.learn_min_decisions);
        history
    }

    /// A history whose filter is trained on `examples` alone (for
    /// cross-validation), with the texts of `comments`.
    pub fn with_learner(comments: &[Comment], examples: &[learn::Lesson], min: usize) -> History {
        let mut history = History::default();
        for c in comments {
            let normalized = Normalized::of(&c.body);
            history.insert(sent(c, &normalized, &find_links(&c.body)));
        }
        history.learner = trained(examples, min);
        history
    }

    /// The same texts with a filter trained on `examples` alone.
    pub fn with_learner_from(&self, examples: &[learn::Lesson], min: usize) -> History {
        History {
            sent: self.sent.clone(),
            by_id: self.by_id.clone(),
            buckets: self.buckets.clone(),
            learner: trained(examples, min),
        }
    }

    /// Remembers one more comment's text (intake, after storing it).
    pub fn add(&mut self, comment: &Comment) {
        let normalized = Normalized::of(&comment.body);
        self.insert(sent(comment, &normalized, &find_links(&comment.body)));
    }

    fn insert(&mut self, mut s: Sent) {
        let at = self.sent.len() as u32;
        self.by_id.insert(s.id.clone(), at);
        if s.words.len() >= MIN_CONTENT_WORDS {
            s.bands = band_keys(&s.words);
            for key in s.bands {
                self.buckets.entry(key).or_default().push(at);
            }
        }
        self.sent.push(s);
    }

    pub fn learner(&self) -> Option<&Learner> {
        self.learner.as_ref()
    }

    /// Earlier comments with nearly the same text as `comment` from another
    /// author or on another post, oldest first. Earlier is by position for
    /// a comment the history holds (its comments are in date, then id,
    /// order, then in order of arrival), else by date, then id; a comment
    /// `arriving` (at intake) comes after all of them, even one sent in the
    /// same second.
    pub fn earlier_copies(
        &self,
        comment: &Comment,
        normalized: &Normalized,
        links: &[super::FoundLink],
        arriving: bool,
    ) -> Vec<&Sent> {
        let at = (comment.date.timestamp.as_second(), comment.id.as_str());
        let position = self.by_id.get(&comment.id).copied().filter(|&i| {
            let s = &self.sent[i as usize];
            (s.at.0, s.at.1.as_str()) == at
        });
        let known = position.map(|i| &self.sent[i as usize]);
        let (words, count) = match known {
            Some(s) => (std::borrow::Cow::Borrowed(&s.words), s.word_count as usize),
            None => (std::borrow::Cow::Owned(word_set(normalized, links)), word_count(normalized)),
        };
        if count < MIN_WORDS || words.len() < MIN_CONTENT_WORDS {
            return Vec::new();
        }
        let bands = known.map_or_else(|| band_keys(&words), |s| s.bands);
        let author = std::cell::OnceCell::new();
        let author_key = || *author.get_or_init(|| author_hash(comment));
        let mut seen: Vec<u32> = Vec::new();
        for key in bands {
            let Some(bucket) = self.buckets.get(&key) else { continue };
            seen.extend(bucket.iter().rev().take(BUCKET_LOOK));
        }
        seen.sort_unstable();
        seen.dedup();
        let earlier = |i: u32| {
            let s = &self.sent[i as usize];
            let before = match position {
                Some(own) => i < own,
                None if arriving => true,
                None => (s.at.0, s.at.1.as_str()) < at,
            };
            // The cheap test first.
            before && s.id != comment.id
        };
        let mut copies: Vec<&Sent> = seen
            .into_iter()
            .filter(|&i| earlier(i))
            .map(|i| &self.sent[i as usize])
            .filter(|s| jaccard_at_least(&s.words, &words, SAME_TEXT))
            .filter(|s| s.post_slug != comment.post_slug || s.author_key != author_key())
            .collect();
        copies.sort_by(|a, b| a.at.cmp(&b.at));
        copies
    }
}

fn trained(examples: &[learn::Lesson], min: usize) -> Option<Learner> {
    let spam = examples.iter().filter(|(_, s)| *s).count();
    let ham = examples.len() - spam;
    (spam >= min.max(1) && ham >= min.max(1)).then(|| Learner::train(examples))
}

fn hasher() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::with_seed(0x6475_706c)
}

/// A comment's text as the duplicate check compares it: the set of its
/// content words (function words and link addresses left out), hashed.
fn sent(c: &Comment, normalized: &Normalized, links: &[super::FoundLink]) -> Sent {
    Sent {
        id: c.id.clone(),
        author: c.author.clone(),
        author_key: author_hash(c),
        post_slug: c.post_slug.clone(),
        at: (c.date.timestamp.as_second(), c.id.clone()),
        words: word_set(normalized, links),
        word_count: word_count(normalized) as u32,
        bands: [0; BANDS],
    }
}

/// The hashed set of a text's content words.
fn word_set(normalized: &Normalized, links: &[super::FoundLink]) -> Vec<u64> {
    let hasher = hasher();
    let mut words: Vec<u64> = content_words(normalized, links).map(|w| hasher.hash_one(w)).collect();
    words.sort_unstable();
    words.dedup();
    words
}

fn author_hash(c: &Comment) -> u64 {
    let (name, email) = super::author_key(c);
    hasher().hash_one((name, email))
}

/// The words of the normal form outside links and addresses (a campaign
/// changes its link from copy to copy), less function words.
fn content_words<'a>(
    normalized: &'a Normalized,
    links: &'a [super::FoundLink],
) -> impl Iterator<Item = &'a str> {
    let text = &normalized.text;
    text.split(char::is_whitespace)
        .filter(|chunk| {
            !(chunk.contains('/') || has_www(chunk) || (chunk.contains('.') && is_dotted_host(chunk)))
        })
        .flat_map(|chunk| chunk.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| word.len() >= 2 && !is_function_word(word))
        .filter(move |word| {
            links.is_empty() || {
                // The word's place in the text, from the slice itself.
                let start = word.as_ptr() as usize - text.as_ptr() as usize;
                let from = normalized.original(start..start + word.len());
                !links.iter().any(|l| l.span.start <= from.start && from.end <= l.span.end)
            }
        })
}

/// Whether `chunk` has `www` in it (as `contains("www")`, without setting
/// up a substring search for every word).
fn has_www(chunk: &str) -> bool {
    chunk.as_bytes().windows(3).any(|w| w == b"www")
}

/// `site.example`, `bit.ly`: letters, a dot, letters.
fn is_dotted_host(chunk: &str) -> bool {
    let chunk = chunk.trim_matches(|c: char| !c.is_alphanumeric());
    chunk.split('.').count() >= 2
        && chunk
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '-'))
}

fn word_count(normalized: &Normalized) -> usize {
    normalized.text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count()
}

/// MinHash band keys of a word set: `BANDS` keys of `ROWS` minimums each,
/// every minimum found in one pass over the words.
fn band_keys(words: &[u64]) -> [u64; BANDS] {
    let mut mins = [u64::MAX; BANDS * ROWS];
    for w in words {
        for (seed, min) in mins.iter_mut().enumerate() {
            *min = (*min).min(mix(w ^ (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        }
    }
    let hasher = hasher();
    std::array::from_fn(|band| {
        let mut key = hasher.hash_one(band);
        for row in 0..ROWS {
            key = mix(key ^ mins[band * ROWS + row]);
        }
        key
    })
}

/// A 64-bit finaliser (SplitMix64's): turns one hash into another
/// independent-looking one.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// |a ∩ b| / |a ∪ b| of two sorted sets, from the size of the intersection.
fn jaccard_of(a: usize, b: usize, both: usize) -> f64 {
    let union = a + b - both;
    if union == 0 { 0.0 } else { both as f64 / union as f64 }
}

/// The smallest intersection with which sets of `a` and `b` elements
/// have a Jaccard index of at least `threshold`, if any can.
fn least_intersection(a: usize, b: usize, threshold: f64) -> Option<usize> {
    let reaches = |both: usize| jaccard_of(a, b, both) >= threshold;
    // both / (a + b - both) >= t when both >= t (a + b) / (1 + t): a first
    // guess, then a step or two for rounding (the index grows with `both`).
    let mut both = ((threshold * (a + b) as f64) / (1.0 + threshold)).ceil().max(0.0) as usize;
    both = both.min(a.min(b) + 1);
    while both > 0 && reaches(both - 1) {
        both -= 1;
    }
    while both <= a.min(b) && !reaches(both) {
        both += 1;
    }
    (both <= a.min(b)).then_some(both)
}

/// Whether the Jaccard index of two sorted sets is at least `threshold`
/// (exactly as `jaccard_of` computes it). Most candidates fall short:
/// the merge stops once either set has more words the other lacks than
/// the smallest intersection that reaches the threshold allows.
fn jaccard_at_least(a: &[u64], b: &[u64], threshold: f64) -> bool {
    let (la, lb) = (a.len(), b.len());
    let Some(needed) = least_intersection(la, lb, threshold) else { return false };
    let (mut a_only, mut b_only) = (0, 0);
    let (mut i, mut j) = (0, 0);
    while i < la && j < lb {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                a_only += 1;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                b_only += 1;
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
        if a_only > la - needed || b_only > lb - needed {
            return false;
        }
    }
    // What one set has left over, the other lacks.
    a_only += la - i;
    a_only <= la - needed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index itself, merged in full.
    fn jaccard(a: &[u64], b: &[u64]) -> f64 {
        let both = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
        jaccard_of(a.len(), b.len(), both)
    }

    #[test]
    fn the_early_stopping_test_agrees_with_the_index() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed = mix(seed);
            seed
        };
        for _ in 0..20_000 {
            let set = |next: &mut dyn FnMut() -> u64| {
                let len = (next() % 30) as usize;
                let mut s: Vec<u64> = (0..len).map(|_| next() % 40).collect();
                s.sort_unstable();
                s.dedup();
                s
            };
            let (a, b) = (set(&mut next), set(&mut next));
            for threshold in [SAME_TEXT, 0.0, 0.5, 1.0] {
                assert_eq!(jaccard_at_least(&a, &b, threshold), jaccard(&a, &b) >= threshold, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn www_is_found_as_contains_finds_it() {
        for chunk in ["www", "awwwb", "ww", "w.w.w", "", "wwxw", "xwww"] {
            assert_eq!(has_www(chunk), chunk.contains("www"), "{chunk}");
        }
    }
}
